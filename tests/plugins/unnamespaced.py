"""A plugin registering an indicator whose name has no namespace."""

from __future__ import annotations

from decimal import Decimal

from territoires import Aggregation, Indicator, Unit, hookimpl
from territoires.measures import Total


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register ``jeunes``, which should have been ``69123.jeunes``."""
    return [
        Indicator(
            name="jeunes",
            label_fr="Jeunes",
            label_en="Young people",
            unit=Unit.COUNT,
            over_time=Aggregation.SUM,
            over_territory=Aggregation.SUM,
            counts_persons=False,
            compute=lambda facts: {(): Total(Decimal(0))},
        )
    ]
