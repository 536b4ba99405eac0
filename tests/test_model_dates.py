"""Calendar arithmetic (anniversaries, completed years, windows) and periods."""

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from strategies import dates, periods
from territoires.model import Period
from territoires.model.dates import add_months, add_years, completed_years, is_within_years

LEAP_DAY_2020 = dt.date(2020, 2, 29)


# -- 29 February ---------------------------------------------------------------------------------


def test_a_status_obtained_on_29_february_2020_is_recent_until_27_february_2025() -> None:
    """A status obtained on 29 Feb 2020 is less than 5 years old on 27 Feb 2025, not on the 28th."""
    assert is_within_years(LEAP_DAY_2020, dt.date(2025, 2, 27), 5)
    assert not is_within_years(LEAP_DAY_2020, dt.date(2025, 2, 28), 5)
    assert not is_within_years(LEAP_DAY_2020, dt.date(2025, 3, 1), 5)


def test_the_window_opens_on_the_day_the_status_is_obtained() -> None:
    """The window includes the day the status was obtained and no day before it."""
    assert is_within_years(LEAP_DAY_2020, LEAP_DAY_2020, 5)
    assert not is_within_years(LEAP_DAY_2020, dt.date(2020, 2, 28), 5)


def test_a_person_born_on_29_february_2008_comes_of_age_on_28_february_2026() -> None:
    """A person born on 29 Feb 2008 is 18 on 28 Feb 2026 and still 17 on 27 Feb 2026."""
    born = dt.date(2008, 2, 29)
    assert completed_years(born, dt.date(2026, 2, 28)) == 18
    assert completed_years(born, dt.date(2026, 2, 27)) == 17
    assert completed_years(born, dt.date(2028, 2, 28)) == 19
    assert completed_years(born, dt.date(2028, 2, 29)) == 20


def test_anniversaries_of_29_february() -> None:
    """29 February moves to 28 February in common years and stays in leap years."""
    assert add_years(LEAP_DAY_2020, 5) == dt.date(2025, 2, 28)
    assert add_years(LEAP_DAY_2020, 4) == dt.date(2024, 2, 29)
    assert add_years(LEAP_DAY_2020, -1) == dt.date(2019, 2, 28)


def test_months_are_clipped_to_the_end_of_the_month() -> None:
    """One month after 31 January is the last day of February."""
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2020, 1, 31), 1) == dt.date(2020, 2, 29)
    assert add_months(dt.date(2021, 8, 31), 6) == dt.date(2022, 2, 28)


# -- properties ------------------------------------------------------------------------------------


@given(dates(), dates(), st.integers(0, 12))
@example(LEAP_DAY_2020, dt.date(2025, 2, 28), 5)
@example(LEAP_DAY_2020, dt.date(2025, 2, 27), 5)
def test_within_years_is_before_the_anniversary(start: dt.date, day: dt.date, years: int) -> None:
    """A day is within n years when before the n-th anniversary, i.e. fewer than n years done."""
    if day < start:
        assert not is_within_years(start, day, years)
        return
    within = is_within_years(start, day, years)
    assert within == (day < add_years(start, years))
    assert within == (completed_years(start, day) < years)


@given(dates(), dates(), dates())
def test_completed_years_never_decrease_with_time(start: dt.date, a: dt.date, b: dt.date) -> None:
    """An age never goes down as the reference date moves forward."""
    earlier, later = sorted((a, b))
    assert completed_years(start, earlier) <= completed_years(start, later)


@given(dates(), st.integers(0, 80))
@example(LEAP_DAY_2020, 1)
def test_a_year_is_completed_on_the_anniversary(start: dt.date, years: int) -> None:
    """On the n-th anniversary n years are completed; the day before, n - 1 (for n ≥ 1)."""
    anniversary = add_years(start, years)
    assert completed_years(start, anniversary) == years
    if years:
        assert completed_years(start, anniversary - dt.timedelta(days=1)) == years - 1


# -- periods --------------------------------------------------------------------------------------


def test_a_period_includes_both_bounds() -> None:
    """A period contains its first and last days and nothing outside them."""
    period = Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31))
    assert dt.date(2019, 6, 12) in period
    assert dt.date(2021, 12, 31) in period
    assert dt.date(2019, 6, 11) not in period
    assert dt.date(2022, 1, 1) not in period
    assert period.contains(dt.date(2020, 1, 1))


def test_an_open_period_runs_forever() -> None:
    """A period without an end contains every day from its start."""
    period = Period(dt.date(2025, 10, 1))
    assert dt.date(2090, 1, 1) in period
    assert dt.date(2025, 9, 30) not in period
    assert period.months() is None
    assert str(period) == "2025-10-01.."


def test_a_datetime_is_not_a_day_of_a_period() -> None:
    """Membership is for dates only: a datetime or a string is never inside a period."""
    period = Period.year(2021)
    assert dt.datetime(2021, 6, 1, 12, 0) not in period
    assert "2021-06-01" not in period


def test_years_and_semesters() -> None:
    """Calendar years and semesters have the expected bounds."""
    assert Period.year(2021) == Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert str(Period.semester(2021, 1)) == "2021-01-01..2021-06-30"
    assert str(Period.semester(2021, 2)) == "2021-07-01..2021-12-31"
    with pytest.raises(ValueError, match="half: 1 or 2, got 3"):
        Period.semester(2021, 3)


def test_whole_months_of_a_contract() -> None:
    """A calendar year lasts 12 whole months, a semester 6, the 2019-2021 CTAIR 36."""
    assert Period.year(2021).months() == 12
    assert Period.semester(2021, 1).months() == 6
    assert Period(dt.date(2019, 1, 1), dt.date(2021, 12, 31)).months() == 36
    assert Period(dt.date(2021, 11, 23), dt.date(2023, 11, 22)).months() == 24
    assert Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)).months() == 30
    assert Period(dt.date(2021, 1, 1), dt.date(2021, 1, 1)).months() == 0


def test_a_period_ending_on_the_last_representable_day_has_a_length() -> None:
    """A period ending on 31 Dec 9999, a common "no end" placeholder in files, has a length."""
    assert Period(dt.date(2020, 1, 1), dt.date.max).months() == (10000 - 2020) * 12


@given(dates(max_value=dt.date(2080, 1, 1)), st.integers(1, 120))
@example(dt.date(2021, 1, 1), 12)
@example(dt.date(2021, 1, 31), 1)
def test_a_period_ending_the_day_before_the_n_th_monthly_anniversary_lasts_n_months(
    start: dt.date, months: int
) -> None:
    """A period from a start to the eve of the date n months later lasts n whole months."""
    period = Period(start, add_months(start, months) - dt.timedelta(days=1))
    assert period.months() == months


@given(periods(), periods())
def test_overlap_is_symmetric_and_implied_by_cover(a: Period, b: Period) -> None:
    """Overlap does not depend on the order, and a period covering another overlaps it."""
    assert a.overlaps(b) == b.overlaps(a)
    assert a.covers(a)
    if a.covers(b):
        assert a.overlaps(b)
        assert b.start in a


@given(periods(), dates())
def test_overlapping_a_single_day_is_containing_it(period: Period, day: dt.date) -> None:
    """A period overlaps the one-day period of a day exactly when it contains that day."""
    assert period.overlaps(Period(day, day)) == (day in period)
    assert period.covers(Period(day, day)) == (day in period)
