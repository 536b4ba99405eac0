"""A plugin whose indicator's calculator raises, as one reading a missing table would."""

from __future__ import annotations

from collections.abc import Mapping

from territoires import Aggregation, Indicator, IndicatorInput, Unit, hookimpl
from territoires.measures import Persons

INDICATOR = "69123.fragile"


def fragile(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    """Fail on any table."""
    raise ValueError("no housing table for this contract")


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the indicator whose calculator fails."""
    return [
        Indicator(
            name=INDICATOR,
            label_fr="Fragile",
            label_en="Fragile",
            unit=Unit.PERSONS,
            over_time=Aggregation.DISTINCT_COUNT,
            over_territory=Aggregation.DISTINCT_COUNT,
            counts_persons=True,
            compute=fragile,
        )
    ]
