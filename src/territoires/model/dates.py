"""Calendar arithmetic of the domain: anniversaries, completed years and time windows.

Durations in years follow article 641 of the Code de procédure civile: a period expressed in
years ends on the day bearing the same date, and when that day does not exist (29 February in a
common year) on the last day of the month. ``dateutil.relativedelta`` implements exactly this
rule, so ``date(2020, 2, 29) + 5 years`` is 28 February 2025.
"""

from __future__ import annotations

import calendar
import datetime as dt

import attrs
from dateutil.relativedelta import relativedelta

from territoires.exceptions import InvalidArgumentError
from territoires.model import _validators as v
from territoires.model.enums import DatePrecision

__all__ = ["ApproximateDate", "add_months", "add_years", "completed_years", "is_within_years"]


def add_years(start: dt.date, years: int) -> dt.date:
    """Return the anniversary of ``start`` after ``years`` years (28 February for a 29th).

    Example:
        >>> add_years(dt.date(2020, 2, 29), 5)
        datetime.date(2025, 2, 28)
    """
    result: dt.date = start + relativedelta(years=years)
    return result


def add_months(start: dt.date, months: int) -> dt.date:
    """Return ``start`` moved by ``months`` months, clipped to the end of the month."""
    result: dt.date = start + relativedelta(months=months)
    return result


def completed_years(start: dt.date, on: dt.date) -> int:
    """Return the number of whole years from ``start`` to ``on`` (an age, a seniority).

    A year is completed on the anniversary as :func:`add_years` defines it, so a person born
    on 29 February 2008 is 18 on 28 February 2026.

    Example:
        >>> completed_years(dt.date(2008, 2, 29), dt.date(2026, 2, 28))
        18
        >>> completed_years(dt.date(2008, 2, 29), dt.date(2026, 2, 27))
        17
    """
    years = on.year - start.year
    if years > 0 and add_years(start, years) > on:
        years -= 1
    elif years < 0 and add_years(start, years) < on:
        years += 1
    return years


def is_within_years(start: dt.date, on: dt.date, years: int) -> bool:
    """Return True when ``on`` falls less than ``years`` years after ``start``.

    This is the "less than five years since the status was obtained" window: it opens on
    ``start`` and closes on the anniversary, which is no longer inside.

    Example:
        >>> status = dt.date(2019, 3, 3)
        >>> is_within_years(status, dt.date(2024, 3, 2), 5)
        True
        >>> is_within_years(status, dt.date(2024, 3, 3), 5)
        False
    """
    return start <= on < add_years(start, years)


@attrs.frozen
class ApproximateDate:
    """A date as a source gives it: to the day, the month, the year, or only known to exist.

    ``on`` is any day of the known month or year (the first, by convention) and is None when
    the date is not known at all. :attr:`earliest` and :attr:`latest` bound the real day.

    Attributes:
        on: A day inside the known month or year; None for
            :attr:`~territoires.DatePrecision.UNKNOWN`.
        precision: How precisely the date is known.

    Example:
        >>> june = ApproximateDate(dt.date(2019, 6, 1), DatePrecision.MONTH)
        >>> june.earliest, june.latest
        (datetime.date(2019, 6, 1), datetime.date(2019, 6, 30))
        >>> ApproximateDate.parse("2019").latest
        datetime.date(2019, 12, 31)
        >>> ApproximateDate.parse("unknown").on is None
        True

    .. versionadded:: 0.2
    """

    on: dt.date | None = attrs.field(validator=v.optional(v.date))
    precision: DatePrecision = attrs.field(
        default=DatePrecision.DAY, validator=v.member_of(DatePrecision)
    )

    @precision.validator
    def _consistent(self, attribute: attrs.Attribute[DatePrecision], value: DatePrecision) -> None:
        if (value is DatePrecision.UNKNOWN) != (self.on is None):
            expected = (
                "no date (on=None) with precision 'unknown'"
                if value is DatePrecision.UNKNOWN
                else "a date, or precision 'unknown' when the date is not known"
            )
            raise v.fail(attribute, value, expected)

    @property
    def earliest(self) -> dt.date | None:
        """The first day the date can be; None when it is not known at all."""
        if self.on is None or self.precision is DatePrecision.DAY:
            return self.on
        if self.precision is DatePrecision.MONTH:
            return self.on.replace(day=1)
        return dt.date(self.on.year, 1, 1)

    @property
    def latest(self) -> dt.date | None:
        """The last day the date can be; None when it is not known at all."""
        if self.on is None or self.precision is DatePrecision.DAY:
            return self.on
        if self.precision is DatePrecision.MONTH:
            last = calendar.monthrange(self.on.year, self.on.month)[1]
            return self.on.replace(day=last)
        return dt.date(self.on.year, 12, 31)

    @property
    def is_approximate(self) -> bool:
        """True unless the date is known to the day."""
        return self.precision is not DatePrecision.DAY

    def text(self) -> str:
        """Return the date as written in files: ``2019-06-12``, ``2019-06``, ``2019``, ``unknown``.

        :meth:`parse` reads it back.
        """
        if self.on is None:
            return "unknown"
        if self.precision is DatePrecision.YEAR:
            return f"{self.on.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.on.year:04d}-{self.on.month:02d}"
        return self.on.isoformat()

    @classmethod
    def parse(cls, text: str) -> ApproximateDate:
        """Read ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``unknown``.

        Raises:
            InvalidArgumentError: Any other text (also a ``ValueError``).
        """
        v.check_instance("text", text, str, "a text such as '2019-06'")
        value = text.strip()
        if value == "unknown":
            return cls(None, DatePrecision.UNKNOWN)
        try:
            if len(value) == 4 and value.isdigit():
                return cls(dt.date(int(value), 1, 1), DatePrecision.YEAR)
            if len(value) == 7 and value[4] == "-":
                return cls(dt.date(int(value[:4]), int(value[5:]), 1), DatePrecision.MONTH)
            if len(value) == 10:
                return cls(dt.date.fromisoformat(value), DatePrecision.DAY)
        except ValueError:
            pass
        raise InvalidArgumentError(
            "date", text, "YYYY-MM-DD, YYYY-MM, YYYY or 'unknown' (signed, date unknown)"
        )
