"""A plugin whose calculator raises a BaseException that is no Exception."""

from __future__ import annotations

from collections.abc import Mapping

from territoires import Aggregation, Indicator, IndicatorInput, Unit, hookimpl
from territoires.measures import Persons

INDICATOR = "69123.abrupt"


class Abort(BaseException):
    """What a framework might raise to unwind everything (a BaseException, like SystemExit)."""


def abrupt(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    """Unwind as if the whole program should stop."""
    raise Abort("stop everything")


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the indicator whose calculator aborts."""
    return [
        Indicator(
            name=INDICATOR,
            label_fr="Abrupt",
            label_en="Abrupt",
            unit=Unit.PERSONS,
            over_time=Aggregation.DISTINCT_COUNT,
            over_territory=Aggregation.DISTINCT_COUNT,
            counts_persons=True,
            compute=abrupt,
        )
    ]
