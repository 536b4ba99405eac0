"""A plugin whose ``register_indicators`` returns a dict of indicators instead of indicators."""

from __future__ import annotations

from decimal import Decimal

from territoires import Aggregation, Indicator, Unit, hookimpl
from territoires.measures import Total


def _indicator(name: str) -> Indicator:
    return Indicator(
        name=name,
        label_fr="Indicateur",
        label_en="Indicator",
        unit=Unit.COUNT,
        over_time=Aggregation.SUM,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=lambda facts: {(): Total(Decimal(0))},
    )


@hookimpl
def register_indicators() -> dict[str, Indicator]:
    """Return indicators by name, a mapping where an iterable of Indicator is expected."""
    return {name: _indicator(name) for name in ("69123.un", "69123.deux")}
