"""Dated parameters: thresholds that carry the date they apply from, and their source.

A check on a past date uses the value in force then. Each parameter also records the last
date its sources confirm it for: a check beyond that date still uses the last value, but the
decision carries a notice saying the value should be confirmed.

Example:
    >>> import datetime as dt
    >>> NEWCOMER_WINDOW_YEARS.at(dt.date(2021, 4, 1)).value
    5
    >>> NEWCOMER_WINDOW_YEARS.notice(dt.date(2021, 4, 1)) is None
    True
    >>> print(NEWCOMER_WINDOW_YEARS.notice(dt.date(2026, 11, 29)).text_en)
    newcomer window (years): the value 5 is confirmed by its sources until 31 December 2024 only

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from territoires.model import _validators as v
from territoires.model.contract import Source
from territoires.rules import Notice
from territoires.wording import date_en, date_fr

__all__ = ["NATIONAL_PARAMETERS", "NEWCOMER_WINDOW_YEARS", "DatedValue", "Parameter"]


@attrs.frozen(kw_only=True)
class DatedValue:
    """A value of a parameter, in force from a date, with its source.

    .. versionadded:: 0.1
    """

    value: int = attrs.field(validator=v.count)
    since: dt.date = attrs.field(validator=v.date)
    source: Source = attrs.field(validator=v.instance(Source))


def _sorted_values(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.tuple_of(DatedValue)(_, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "at least one dated value")
    starts = [item.since for item in value]
    if starts != sorted(set(starts)):
        raise v.fail(attribute, value, "values in order of their dates, one per date")


@attrs.frozen(kw_only=True)
class Parameter:
    """A threshold of the rules, with the values it took over time.

    Attributes:
        name: Stable name.
        label_fr: Label in French.
        label_en: Label in English.
        values: The values, in order of the date they apply from.
        confirmed_until: Last date the sources confirm the current value for, if known.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=v.identifier)
    label_fr: str = attrs.field(validator=v.text)
    label_en: str = attrs.field(validator=v.text)
    values: tuple[DatedValue, ...] = attrs.field(validator=_sorted_values)
    confirmed_until: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))

    def at(self, on: dt.date) -> DatedValue:
        """Return the value in force on ``on`` (the first one before it was first set)."""
        current = self.values[0]
        for value in self.values:
            if value.since <= on:
                current = value
        return current

    def notice(self, on: dt.date) -> Notice | None:
        """Return a notice when ``on`` is outside the dates the sources cover, else None."""
        first = self.values[0].since
        if on < first:
            value = self.values[0].value
            return Notice(
                text_fr=f"{self.label_fr} : la valeur {value} ne s'applique qu'à partir du "
                f"{date_fr(first)}",
                text_en=f"{self.label_en}: the value {value} applies from {date_en(first)} only",
            )
        if self.confirmed_until is not None and on > self.confirmed_until:
            value = self.at(on).value
            return Notice(
                text_fr=f"{self.label_fr} : la valeur {value} n'est confirmée par ses sources "
                f"que jusqu'au {date_fr(self.confirmed_until)}",
                text_en=f"{self.label_en}: the value {value} is confirmed by its sources until "
                f"{date_en(self.confirmed_until)} only",
            )
        return None


NEWCOMER_WINDOW_YEARS = Parameter(
    name="newcomer_window_years",
    label_fr="délai primo-arrivant (années)",
    label_en="newcomer window (years)",
    values=(
        DatedValue(
            value=5,
            since=dt.date(2016, 7, 1),
            source=Source(
                title="Appel à projets national DIAIR-DGEF du 20 janvier 2021 (intégration "
                "des étrangers primo-arrivants) ; CIR en vigueur depuis le 1er juillet 2016 "
                "(préfecture de la Savoie, parcours d'intégration républicaine)",
                url="https://www.coordinationsud.org/financement/direction-generale-des-etrangers-en-france-integration-des-etrangers-primo-arrivants/",
                note="primo-arrivant: a permit held for less than five years (national "
                "call of 20 January 2021); budget documents count from the first permit "
                "(budget.gouv.fr, PLR 2023, P104); P104 action-12 calls from the CIR signed "
                "less than five years ago (préfectures of the Oise and the Charente); the "
                "republican integration path lasts five years (préfecture de la Savoie)",
            ),
        ),
    ),
    # The latest source read (a 2024 regional call for projects) still uses five years.
    confirmed_until=dt.date(2024, 12, 31),
)
"""How many years after the first residence permit a person counts as a newcomer
(*primo-arrivant*), which the national rules of the 2021 contracts use."""

NATIONAL_PARAMETERS: tuple[Parameter, ...] = (NEWCOMER_WINDOW_YEARS,)
"""Every dated parameter of the national rules."""
