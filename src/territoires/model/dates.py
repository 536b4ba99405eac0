"""Calendar arithmetic of the domain: anniversaries, completed years and time windows.

Durations in years follow article 641 of the Code de procédure civile: a period expressed in
years ends on the day bearing the same date, and when that day does not exist (29 February in a
common year) on the last day of the month. ``dateutil.relativedelta`` implements exactly this
rule, so ``date(2020, 2, 29) + 5 years`` is 28 February 2025.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

__all__ = ["add_months", "add_years", "completed_years", "is_within_years"]


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
