"""Periods of time: inclusive date ranges, open-ended when the end is not known."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from territoires.exceptions import InvalidArgumentError
from territoires.model import _validators as v
from territoires.model.dates import add_months

__all__ = ["Period"]


def _end_after_start(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional(v.date)(instance, attribute, value)
    start = getattr(instance, "start", None)
    if v.is_date(value) and v.is_date(start) and value < start:
        raise v.fail(attribute, value, f"an end on or after the start ({start})")


@attrs.frozen
class Period:
    """An inclusive range of dates; ``end`` is None while the end is not known.

    Attributes:
        start: First day of the period.
        end: Last day of the period, included; None while it is not known.

    Example:
        >>> p = Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31))
        >>> dt.date(2021, 12, 31) in p, dt.date(2022, 1, 1) in p
        (True, False)
        >>> str(Period.semester(2021, 1))
        '2021-01-01..2021-06-30'

    .. versionadded:: 0.1
    """

    start: dt.date = attrs.field(validator=v.date)
    end: dt.date | None = attrs.field(default=None, validator=_end_after_start)

    @classmethod
    def year(cls, year: int) -> Period:
        """Return the calendar year ``year``."""
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def semester(cls, year: int, half: int) -> Period:
        """Return the first (``half=1``) or second (``half=2``) semester of ``year``.

        Raises:
            InvalidArgumentError: ``half`` is neither 1 nor 2 (also a ``ValueError``).
        """
        if half not in (1, 2):
            raise InvalidArgumentError("half", half, "1 or 2")
        if half == 1:
            return cls(dt.date(year, 1, 1), dt.date(year, 6, 30))
        return cls(dt.date(year, 7, 1), dt.date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        if not v.is_date(day):
            return False
        assert isinstance(day, dt.date)
        return self.start <= day and (self.end is None or day <= self.end)

    def contains(self, day: dt.date) -> bool:
        """Return True when ``day`` lies within the period, bounds included."""
        return day in self

    def covers(self, other: Period) -> bool:
        """Return True when ``other`` lies entirely within this period."""
        if other.start < self.start:
            return False
        if self.end is None:
            return True
        return other.end is not None and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        """Return True when the two periods share at least one day."""
        starts_before_other_ends = other.end is None or self.start <= other.end
        ends_after_other_starts = self.end is None or other.start <= self.end
        return starts_before_other_ends and ends_after_other_starts

    def months(self) -> int | None:
        """Return the length in whole months, or None when open-ended.

        The end is inclusive: a calendar year lasts 12 months, 1 January to 30 June 6.
        """
        if self.end is None:
            return None
        if self.end == dt.date.max:  # the "no end" placeholder 9999-12-31: no day after it
            return (
                (self.end.year - self.start.year) * 12
                + 12
                - self.start.month
                + (1 if self.start.day == 1 else 0)
            )
        after = self.end + dt.timedelta(days=1)
        months = (after.year - self.start.year) * 12 + after.month - self.start.month
        if add_months(self.start, months) > after:
            months -= 1
        return months

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat() if self.end else ''}"
