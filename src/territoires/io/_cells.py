"""Parsing of table cells as French spreadsheets write them, one column at a time.

Accepted on input, where unambiguous:

* dates as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (``D/M/YYYY`` too). A strict pattern is used rather
  than ``dateutil.parser``, which guesses: it reads ``"2019"`` or ``"12"`` as full dates.
* numbers with a decimal point or a decimal comma, and spaces (also non-breaking) between
  thousands: ``1250.5``, ``1250,50``, ``1 250,50``. A dot between thousands is refused as
  ambiguous (``1.250`` could be 1.25 or 1250).
* enumeration values in any case, surrounding spaces ignored.
* an empty cell for a missing optional value.

Columns are parsed whole: each distinct text is parsed once, then mapped over the column, which
keeps a million rows fast; a cell that fails is then explained on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from territoires._enum import LabelledEnum
from territoires.io._converter import FieldError, enum_error
from territoires.model import _validators as mv
from territoires.model import codes
from territoires.problems import ProblemCode, format_value

__all__ = ["CellParser", "Column", "parse_column"]

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_FRENCH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
# Thousands may be separated by a space, a no-break space (U+00A0, what French Excel writes)
# or a narrow no-break space (U+202F).
_GROUP = "[ \u00a0\u202f]"
_FRENCH_NUMBER = re.compile(rf"-?(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)(?:,\d+)?", re.ASCII)
_INTEGER = re.compile(rf"\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+", re.ASCII)
_AMBIGUOUS = re.compile(r"-?\d{1,3}\.\d{3}", re.ASCII)
_SPACES = str.maketrans("", "", " \u00a0\u202f")
DATE_EXPECTED = "a date as YYYY-MM-DD or DD/MM/YYYY"
NUMBER_EXPECTED = "a number such as 1250.50 or 1 250,50"


def _missing(column: str) -> FieldError:
    return FieldError(ProblemCode.MISSING_FIELD, f"{column} is empty", "", f"a value for {column}")


def parse_date(text: str) -> dt.date:
    """Parse one date cell.

    Raises:
        FieldError: the cell is not a valid date in an accepted form.

    Example:
        >>> parse_date("12/06/2019"), parse_date("2019-06-12")
        (datetime.date(2019, 6, 12), datetime.date(2019, 6, 12))
    """
    value = text.strip()
    match = _ISO.fullmatch(value)
    if match:
        year, month, day = match.groups()
    else:
        match = _FRENCH.fullmatch(value)
        if match is None:
            raise FieldError(
                ProblemCode.INVALID_DATE,
                f"{format_value(text)} is not a date written YYYY-MM-DD or DD/MM/YYYY",
                text,
                DATE_EXPECTED,
            )
        day, month, year = match.groups()
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise FieldError(
            ProblemCode.INVALID_DATE,
            f"{format_value(text)} is not a calendar date",
            text,
            DATE_EXPECTED,
        ) from None


_MAX_NUMBER_TEXT = 60  # a bound on amounts' texts (the model bounds their values)


def parse_decimal(text: str) -> Decimal:
    """Parse one number cell with a decimal point or a decimal comma.

    Example:
        >>> parse_decimal("1 250,50"), parse_decimal("1250.5")
        (Decimal('1250.50'), Decimal('1250.5'))
    """
    value = text.strip()
    if _AMBIGUOUS.fullmatch(value):
        raise FieldError(
            ProblemCode.INVALID_NUMBER,
            f"{format_value(text)} is ambiguous: a dot between thousands or three decimals?",
            text,
            "1250 or 1 250 for a whole amount, 1250.50 or 1250,50 with decimals",
        )
    if len(value) > _MAX_NUMBER_TEXT:
        raise FieldError(
            ProblemCode.INVALID_NUMBER,
            f"{format_value(text)} has {len(value):,} characters; no amount is that long",
            text,
            NUMBER_EXPECTED,
        )
    if _PLAIN_NUMBER.fullmatch(value):
        return Decimal(value)
    if _FRENCH_NUMBER.fullmatch(value):
        return Decimal(value.translate(_SPACES).replace(",", "."))
    raise FieldError(
        ProblemCode.INVALID_NUMBER, f"{format_value(text)} is not a number", text, NUMBER_EXPECTED
    )


# More digits than any count the model holds (limits.MAX_COUNT has 9): refused before int(),
# which raises ValueError past 4,300 digits, and whose cost grows with the square of them.
_MAX_DIGITS = 30


def parse_int(text: str) -> int:
    """Parse one whole-number cell (spaces between thousands allowed)."""
    value = text.strip()
    if _INTEGER.fullmatch(value):
        digits = value.translate(_SPACES)
        if len(digits.lstrip("0")) > _MAX_DIGITS:
            raise FieldError(
                ProblemCode.INVALID_NUMBER,
                f"{format_value(text)} has {len(digits):,} digits; no count is that large",
                text,
                f"a whole number of at most {_MAX_DIGITS} digits",
            )
        return int(digits)
    raise FieldError(
        ProblemCode.INVALID_NUMBER,
        f"{format_value(text)} is not a whole number",
        text,
        "a whole number, zero or more",
    )


CellParser = Callable[[str], Any]


class Column:
    """How one column of a table is read: its parser, whether it is required, its default.

    Args:
        name: Column header, equal to the model attribute it fills.
        parse: Parser of a non-empty cell, raising :class:`FieldError`.
        required: Whether an empty cell is a problem (the column itself may still be absent
            when ``header_required`` is False).
        default: Value of an empty cell or an absent column when not required.
        header_required: Whether the column must be present in the header.
        cache: Whether parsed values repeat enough to be worth caching (dates, codes, enums).
        unique_shape: For columns of unique texts (ids), the shape a cell must have; the column
            is then checked whole instead of cell by cell.
    """

    def __init__(
        self,
        name: str,
        parse: CellParser,
        *,
        required: bool = False,
        default: Any = None,
        header_required: bool | None = None,
        cache: bool = True,
        unique_shape: mv.Shape | None = None,
        choices: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.parse = parse
        self.required = required
        self.default = default
        self.header_required = required if header_required is None else header_required
        self.cache = cache
        self.unique_shape = unique_shape
        self.choices = choices

    def parse_cell(self, text: str) -> Any:
        """Parse one cell, applying emptiness rules."""
        if not text.strip():
            if self.required:
                raise _missing(self.name)
            return self.default
        return self.parse(text)


def parse_column(
    column: Column, cells: Sequence[str], cache: ColumnCache | None = None
) -> tuple[list[Any], list[tuple[int, FieldError]]]:
    """Parse a whole column; return its values and the (row index, error) of failing cells.

    Failing cells get ``None`` in the values. ``cache`` keeps parsed values between chunks of
    the same column (dates, codes and enumeration values repeat a lot).
    """
    errors: list[tuple[int, FieldError]] = []
    if column.unique_shape is not None:
        values: list[Any] = list(cells)
        if column.unique_shape.all_match(values):
            return values, errors
        for index, text in enumerate(cells):
            if column.unique_shape.fullmatch(text) is None:
                try:
                    values[index] = column.parse_cell(text)
                except FieldError as error:
                    errors.append((index, error))
                    values[index] = None
        return values, errors
    table = cache if cache is not None else ColumnCache(column)
    values = list(map(table.__getitem__, cells))
    if table.failures:  # rare: find the rows of the texts that failed
        errors = [
            (i, table.failures[text]) for i, text in enumerate(cells) if text in table.failures
        ]
    return values, errors


def parse_codes(
    column: Column,
    cells: Sequence[str],
    cache: CodeCache,
) -> tuple[npt.NDArray[np.int32], list[tuple[int, FieldError]]]:
    """Parse a column straight into integer codes; return them and the failing cells.

    ``cache`` maps each text to its code, parsing a text the first time it is seen; every
    cell is looked up in C. A failing cell gets code 0.
    """
    found = np.fromiter(map(cache.__getitem__, cells), dtype=np.int32, count=len(cells))
    errors: list[tuple[int, FieldError]] = []
    failures = cache.values_of.failures
    if failures:
        errors = [(i, failures[text]) for i, text in enumerate(cells) if text in failures]
    return found, errors


class CodeCache(dict[str, int]):
    """Codes of a column's texts: a text is parsed (``values_of``) and coded when first seen."""

    def __init__(self, values_of: ColumnCache, code_of: Callable[[Any], int]) -> None:
        super().__init__()
        self.values_of = values_of
        self.code_of = code_of

    def __missing__(self, text: str) -> int:
        value = self.values_of[text]
        code = 0 if text in self.values_of.failures else self.code_of(value)
        self[text] = code
        return code


class ColumnCache(dict[str, Any]):
    """Parsed values of a column by text; a text is parsed the first time it is looked up.

    Looking every cell up with ``map(cache.__getitem__, cells)`` runs in C and calls back into
    Python only for texts not seen before. A text that fails to parse maps to None and its
    error is kept in ``failures``.
    """

    def __init__(self, column: Column) -> None:
        super().__init__()
        self.column = column
        self.failures: dict[str, FieldError] = {}

    def __missing__(self, text: str) -> Any:
        try:
            value = self.column.parse_cell(text)
        except FieldError as error:
            self.failures[text] = error
            value = None
        self[text] = value
        return value


# -- cell parsers for model value types ---------------------------------------------------------


def enum_parser(enum_type: type[LabelledEnum]) -> CellParser:
    """Return a parser accepting the enum's values in any case."""
    table = {member.value.casefold(): member for member in enum_type}

    def parse(text: str) -> LabelledEnum:
        member = table.get(text.strip().casefold())
        if member is None:
            raise enum_error(enum_type, text)
        return member

    return parse


def pattern_parser(check: Callable[[str], bool], expected: str, code: ProblemCode) -> CellParser:
    """Return a parser keeping the trimmed text when ``check`` accepts it."""

    def parse(text: str) -> str:
        value = text.strip()
        if not check(value):
            raise FieldError(code, f"{format_value(text)} is not {expected}", text, expected)
        return value

    return parse


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.fullmatch(value) is not None


identifier = pattern_parser(_matches(mv._IDENTIFIER), mv.ID_EXPECTED, ProblemCode.INVALID_VALUE)
pseudonym = pattern_parser(
    _matches(mv._PSEUDONYM), mv.PSEUDONYM_EXPECTED, ProblemCode.INVALID_VALUE
)
commune = pattern_parser(
    codes.is_commune_code,
    "an INSEE commune code of 5 characters (e.g. 69123, 2A004, 97411)",
    ProblemCode.INVALID_CODE,
)
