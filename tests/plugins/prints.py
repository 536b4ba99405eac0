"""A plugin that prints on standard output, as a forgotten debugging line would.

It prints in its registration hook, and its calculator prints and writes to file descriptor 1
(as a C extension or a subprocess would).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from territoires import Aggregation, Indicator, IndicatorInput, Unit, hookimpl
from territoires.measures import Granularity, Persons

INDICATOR = "69123.bavard"


def chatty(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    """Count the persons of the table, and say so on standard output."""
    print(f"bavard: computing {facts.contract.id}")
    os.write(1, f"bavard: fd 1 for {facts.contract.id}\n".encode())
    return {(): Persons.of(row.person for row in facts.participations)}


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the indicator, announcing it on standard output."""
    print("bavard: registering")
    return [
        Indicator(
            name=INDICATOR,
            label_fr="Bavard",
            label_en="Chatty",
            unit=Unit.PERSONS,
            over_time=Aggregation.DISTINCT_COUNT,
            over_territory=Aggregation.DISTINCT_COUNT,
            counts_persons=True,
            compute=chatty,
            granularity=Granularity.CONTRACT,
        )
    ]
