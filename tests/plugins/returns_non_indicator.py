"""A plugin whose ``register_indicators`` returns a good indicator and something else."""

from __future__ import annotations

from decimal import Decimal

from territoires import Aggregation, Indicator, Unit, hookimpl
from territoires.measures import Total

GOOD = "69123.bon"


@hookimpl
def register_indicators() -> list[object]:
    """Return a list holding an Indicator and an integer."""
    return [
        Indicator(
            name=GOOD,
            label_fr="Bon",
            label_en="Good",
            unit=Unit.COUNT,
            over_time=Aggregation.SUM,
            over_territory=Aggregation.SUM,
            counts_persons=False,
            compute=lambda facts: {(): Total(Decimal(0))},
        ),
        42,
    ]
