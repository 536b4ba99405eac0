"""A plugin registering an indicator name that the ``good`` plugin registers too."""

from __future__ import annotations

from decimal import Decimal

from territoires import Aggregation, Indicator, Unit, hookimpl
from territoires.measures import Total

NAME = "69123.participants"  # the name good.py registers


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register a second indicator under an existing name."""
    return [
        Indicator(
            name=NAME,
            label_fr="Participants (bis)",
            label_en="Participants (again)",
            unit=Unit.COUNT,
            over_time=Aggregation.SUM,
            over_territory=Aggregation.SUM,
            counts_persons=False,
            compute=lambda facts: {(): Total(Decimal(0))},
        )
    ]
