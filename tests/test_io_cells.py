"""Table cells as French spreadsheets write them: dates, numbers, enumeration values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import dates
from territoires.io import _cells as cells
from territoires.io._converter import FieldError
from territoires.model import AdministrativeStatus, AgeBand, Sex
from territoires.problems import ProblemCode

NBSP = "\u00a0"  # what Excel puts between thousands in French
NNBSP = "\u202f"  # narrow no-break space, LibreOffice and recent Excel
SEPARATORS = (" ", NBSP, NNBSP)


def _error(parse: cells.CellParser, text: str) -> FieldError:
    with pytest.raises(FieldError) as raised:
        parse(text)
    return raised.value


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-06-12", dt.date(2019, 6, 12)),
        ("12/06/2019", dt.date(2019, 6, 12)),
        ("1/6/2019", dt.date(2019, 6, 1)),
        ("01/06/2019", dt.date(2019, 6, 1)),
        ("29/02/2020", dt.date(2020, 2, 29)),
        (" 12/06/2019 ", dt.date(2019, 6, 12)),
        (f"2019-06-12{NBSP}", dt.date(2019, 6, 12)),
    ],
)
def test_a_date_cell_reads_iso_and_french_forms(text: str, expected: dt.date) -> None:
    """Dates read as ``YYYY-MM-DD``, ``DD/MM/YYYY`` and ``D/M/YYYY``, day first, spaces ignored."""
    assert cells.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2021", "29/02/2021", "2021-02-31", "00/01/2020", "12/13/2020", "2020-13-01"],
)
def test_an_impossible_date_is_an_invalid_date(text: str) -> None:
    """A day that is not on the calendar (31/02/2021) is refused, naming the cell."""
    error = _error(cells.parse_date, text)
    assert error.code is ProblemCode.INVALID_DATE
    assert repr(text) in error.message
    assert error.value == text
    assert "DD/MM/YYYY" in error.expected


@pytest.mark.parametrize(
    "text",
    ["2019", "12/06/19", "06/2019", "12", "12-06-2019", "2019/06/12", "12.06.2019", "le 12 juin"],
)
def test_an_incomplete_or_guessable_date_is_refused(text: str) -> None:
    """A year alone, a two-digit year and other guesses are refused rather than completed."""
    error = _error(cells.parse_date, text)
    assert error.code is ProblemCode.INVALID_DATE
    assert repr(text) in error.message


@given(dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)))
def test_every_date_reads_back_from_its_iso_and_french_renderings(day: dt.date) -> None:
    """Any date written ISO, ``dd/mm/yyyy`` or ``d/m/yyyy`` reads back as the same date."""
    assert cells.parse_date(day.isoformat()) == day
    assert cells.parse_date(day.strftime("%d/%m/%Y")) == day
    assert cells.parse_date(f"{day.day}/{day.month}/{day.year}") == day


# -- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250.5", "1250.5"),
        ("1250,50", "1250.50"),
        ("1 250,50", "1250.50"),
        (f"1{NBSP}250,50", "1250.50"),
        (f"1{NNBSP}250,50", "1250.50"),
        (f"12{NBSP}345{NBSP}678,9", "12345678.9"),
        ("1 250", "1250"),
        ("0", "0"),
        ("0,05", "0.05"),
        ("-3", "-3"),
        ("-3,5", "-3.5"),
        ("-1 250,50", "-1250.50"),
        (" 300000 ", "300000"),
        ("1.25", "1.25"),
    ],
)
def test_a_number_cell_reads_points_commas_and_thousands_spaces(text: str, expected: str) -> None:
    """Numbers read with a decimal point or comma, and any kind of space between thousands."""
    assert cells.parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1.250", "12.500", "1.250,50", "1.250.000"])
def test_a_dot_between_thousands_is_refused_as_ambiguous(text: str) -> None:
    """``1.250`` could be 1.25 or 1250: it is refused rather than guessed."""
    error = _error(cells.parse_decimal, text)
    assert error.code is ProblemCode.INVALID_NUMBER
    assert repr(text) in error.message


@pytest.mark.parametrize(
    "text", ["1,2,3", "12 50", "1 2500", "1e3", "€12", "12 €", "douze", "1,", ",5", "--3", "NaN"]
)
def test_a_malformed_number_is_an_invalid_number(text: str) -> None:
    """Text that is not one unambiguous number is refused with the expected forms named."""
    error = _error(cells.parse_decimal, text)
    assert error.code is ProblemCode.INVALID_NUMBER
    assert error.expected == cells.NUMBER_EXPECTED


def french(amount: Decimal, separator: str) -> str:
    """Render ``amount`` as French Excel does: thousands grouped, decimal comma."""
    sign = "-" if amount < 0 else ""
    whole, _, fraction = format(abs(amount), "f").partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = separator.join([whole, *groups])
    return sign + text + ("," + fraction if fraction else "")


def test_the_french_rendering_of_the_property_below_is_french() -> None:
    """The helper renders 1234567.5 as ``1 234 567,5``, as a spreadsheet shows it."""
    assert french(Decimal("-1234567.50"), " ") == "-1 234 567,50"
    assert french(Decimal("999"), NBSP) == "999"


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2)
    | st.integers(-(10**12), 10**12).map(Decimal)
    | st.decimals(min_value=-(10**12), max_value=10**12, places=1),
    st.sampled_from(SEPARATORS),
)
def test_every_amount_reads_back_from_its_plain_and_french_renderings(
    amount: Decimal, separator: str
) -> None:
    """Any number of at most two decimals reads back equal from ``1250.5`` and ``1 250,5``."""
    assert cells.parse_decimal(format(amount, "f")) == amount
    assert cells.parse_decimal(french(amount, separator)) == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("12", 12), ("1 250", 1250), (f"1{NBSP}250", 1250), (f"1{NNBSP}250", 1250)],
)
def test_a_count_cell_reads_whole_numbers(text: str, expected: int) -> None:
    """Counts read as whole numbers, with any kind of space between thousands."""
    assert cells.parse_int(text) == expected


@pytest.mark.parametrize("text", ["-3", "1.5", "1,5", "1.250", "douze", "+3"])
def test_a_count_that_is_not_a_whole_number_is_refused(text: str) -> None:
    """Negative, decimal or written-out counts are invalid numbers."""
    error = _error(cells.parse_int, text)
    assert error.code is ProblemCode.INVALID_NUMBER
    assert repr(text) in error.message


# -- enumerations -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["refugee", "REFUGEE", "Refugee", " refugee ", f"refugee{NBSP}"])
def test_an_enumeration_value_reads_in_any_case(text: str) -> None:
    """Enumeration values read whatever their case and surrounding spaces."""
    assert cells.enum_parser(AdministrativeStatus)(text) is AdministrativeStatus.REFUGEE


@given(
    st.sampled_from([*AdministrativeStatus, *AgeBand, *Sex]),
    st.sampled_from(["lower", "upper", "title"]),
)
def test_every_enumeration_value_reads_back_in_every_case(member: object, case: str) -> None:
    """Every value of every enumeration reads back, in lower, upper or title case."""
    assert isinstance(member, AdministrativeStatus | AgeBand | Sex)
    text = getattr(str(member.value), case)()
    assert cells.enum_parser(type(member))(text) is member


def test_an_unknown_enumeration_value_lists_the_allowed_ones() -> None:
    """An unknown value is refused with every allowed value listed, so the user can pick one."""
    error = _error(cells.enum_parser(Sex), "femme")
    assert error.code is ProblemCode.UNKNOWN_ENUM
    assert "'femme'" in error.message
    for value in ("female", "male", "unspecified"):
        assert value in error.message


# -- columns -------------------------------------------------------------------------------------


def test_an_empty_required_cell_is_a_missing_field() -> None:
    """A blank cell of a required column is reported as missing, naming the column."""
    column = cells.Column("entry_date", cells.parse_date, required=True)
    error = _error(column.parse_cell, "  ")
    assert error.code is ProblemCode.MISSING_FIELD
    assert "entry_date" in error.message


def test_an_empty_optional_cell_takes_the_column_default() -> None:
    """A blank cell of an optional column gives its default (None or the model's default)."""
    assert cells.Column("exit_date", cells.parse_date).parse_cell("") is None
    sex = cells.Column("sex", cells.enum_parser(Sex), default=Sex.UNSPECIFIED)
    assert sex.parse_cell(" ") is Sex.UNSPECIFIED


def test_a_column_reports_every_failing_cell_by_row() -> None:
    """Parsing a column gives a value per row and one error per failing row, repeats included."""
    column = cells.Column("entry_date", cells.parse_date, required=True)
    cache = cells.ColumnCache(column)
    values, errors = cells.parse_column(
        column, ["12/06/2019", "31/02/2021", "", "31/02/2021", "2019-06-12"], cache
    )
    assert values[0] == values[4] == dt.date(2019, 6, 12)
    assert values[1] is values[2] is values[3] is None
    assert [(i, e.code) for i, e in errors] == [
        (1, ProblemCode.INVALID_DATE),
        (2, ProblemCode.MISSING_FIELD),
        (3, ProblemCode.INVALID_DATE),
    ]
    # The next chunk of the same column gets the same answers from the cache.
    values, errors = cells.parse_column(column, ["31/02/2021", "12/06/2019"], cache)
    assert values == [None, dt.date(2019, 6, 12)]
    assert [(i, e.code) for i, e in errors] == [(0, ProblemCode.INVALID_DATE)]


def test_an_id_column_trims_cells_and_reports_bad_ids() -> None:
    """Ids are checked whole-column; spaces around an id are dropped, a bad id is reported."""
    from territoires.io._tables import PARTICIPATION_COLUMNS

    column = PARTICIPATION_COLUMNS[0]
    values, errors = cells.parse_column(column, ["p1", " p2 ", "p 3", ""])
    assert values[:2] == ["p1", "p2"]
    assert [(i, e.code) for i, e in errors] == [
        (2, ProblemCode.INVALID_VALUE),
        (3, ProblemCode.MISSING_FIELD),
    ]
