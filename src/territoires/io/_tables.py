"""The large tables (participations, reports) as CSV, and fast construction of their rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

import attrs
import numpy as np

from territoires import limits
from territoires._enum import LabelledEnum
from territoires.exceptions import FormatError, InvalidValueError, did_you_mean
from territoires.io import _cells as cells
from territoires.io._safe import csv_writer, neutralise
from territoires.model import _validators as mv
from territoires.model.columns import (
    NO_DATE,
    Coded,
    ColumnsBuilder,
    ParticipationColumns,
    Participations,
    bulk_builder,
)
from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    EmploymentOutcome,
    FrenchLevel,
    HousingOutcome,
    PublicCategory,
    Sex,
)
from territoires.model.period import Period
from territoires.model.person import ActionReport, Participation, ReportCount
from territoires.problems import Problem, ProblemCode, format_value, too_many

__all__ = [
    "PARTICIPATION_COLUMNS",
    "REPORT_COLUMNS",
    "TableKind",
    "bulk_builder",
    "detect_table",
    "read_participations",
    "read_reports",
    "write_participations",
    "write_reports",
]

CHUNK_ROWS = 50_000
CHUNK_CHARS = 4_000_000  # about 40,000 participation rows

TableKind = str  # "participations" or "reports"


def _date_column(name: str, *, required: bool) -> cells.Column:
    return cells.Column(name, cells.parse_date, required=required)


def _enum_column(
    name: str, enum_type: Any, *, required: bool = False, default: Any = None
) -> cells.Column:
    return cells.Column(
        name,
        cells.enum_parser(enum_type),
        required=required,
        default=default,
        header_required=required,
        choices=enum_type.values(),
    )


PARTICIPATION_COLUMNS: tuple[cells.Column, ...] = (
    cells.Column("id", cells.identifier, required=True, cache=False, unique_shape=mv.IDENTIFIER),
    cells.Column("person", cells.pseudonym, required=True, cache=False, unique_shape=mv.PSEUDONYM),
    cells.Column("action", cells.identifier, required=True),
    _date_column("entry_date", required=True),
    cells.Column("exit_date", cells.parse_date),
    _enum_column("status", AdministrativeStatus, required=True),
    _enum_column("sex", Sex, default=Sex.UNSPECIFIED),
    _enum_column("age_band", AgeBand, default=AgeBand.UNKNOWN),
    cells.Column("residence", cells.commune),
    _enum_column("employment", EmploymentOutcome),
    _enum_column("housing", HousingOutcome),
    _enum_column("french_entry", FrenchLevel),
    _enum_column("french_exit", FrenchLevel),
)
assert tuple(c.name for c in PARTICIPATION_COLUMNS) == tuple(
    a.name for a in attrs.fields(Participation)
), "participation columns must follow the model's field order"

REPORT_COLUMNS: tuple[cells.Column, ...] = (
    cells.Column("id", cells.identifier, required=True),
    cells.Column("action", cells.identifier, required=True),
    _date_column("period_start", required=True),
    _date_column("period_end", required=True),
    cells.Column("spent", cells.parse_decimal, header_required=False),
    _enum_column("category", PublicCategory),
    _enum_column("sex", Sex),
    _enum_column("age_band", AgeBand),
    cells.Column("count", cells.parse_int, header_required=False),
)

_TABLES = {"participations": PARTICIPATION_COLUMNS, "reports": REPORT_COLUMNS}


def detect_table(header: Sequence[str]) -> TableKind | None:
    """Return which table a header belongs to, or None."""
    names = {h.strip() for h in header}
    if "person" in names:
        return "participations"
    if "period_start" in names or "count" in names:
        return "reports"
    return None


# -- reading ------------------------------------------------------------------------------------


FIELD_LIMIT = 131_072
"""The longest cell a table row may have: the csv module's default limit, fixed here because
other libraries raise the process-wide one (``csv.field_size_limit``) when imported."""


def first_line(text: str) -> str:
    """The first line of ``text``, ended by LF, CRLF or a lone CR (old Macintosh files)."""
    end = len(text)
    for mark in ("\n", "\r"):
        found = text.find(mark, 0, end)
        if found != -1:
            end = found
    return text[:end]


def too_many_columns(line: str, delimiter: str, label: str) -> Problem | None:
    """The problem of a header with more than :data:`~territoires.limits.MAX_COLUMNS`."""
    columns = line.count(delimiter) + 1
    if columns <= limits.MAX_COLUMNS:
        return None
    return Problem(
        code=ProblemCode.TOO_LARGE,
        message=f"the header has {columns:,} columns, more than the {limits.MAX_COLUMNS} "
        "a table may have",
        file=label,
        record="line 1",
        expected=f"at most {limits.MAX_COLUMNS} columns (participations have 13)",
    )


def sniff_delimiter(first_line: str) -> str:
    """Return the delimiter of a header line: ``;`` (French Excel), ``,`` or tab."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


class _Reader:
    """Reads one CSV table, collecting problems with line numbers."""

    def __init__(self, text: str, label: str, delimiter: str | None) -> None:
        self.label = label
        self.problems: list[Problem] = []
        self.uncounted = 0  # problems found past limits.MAX_PROBLEMS: counted, not kept
        first = first_line(text)
        self.delimiter = delimiter or sniff_delimiter(first)
        self.caches: dict[str, cells.ColumnCache] = {}
        self.coded: dict[str, cells.CodeCache] = {}
        self.width = 0
        self.too_wide = too_many_columns(first, self.delimiter, label)
        # Without any quote a CSV row is exactly a line split on the delimiter: splitting in C
        # is several times faster than the csv module, and line numbers stay exact. A lone CR
        # ends a line too, as the csv module reads it (old Macintosh files).
        self.plain = '"' not in text
        if self.plain:
            body = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
            # Lines are split a block at a time (see _plain_blocks): a million line strings
            # at once would cost more memory than the columns they become.
            self.body = body
            self.body_end = len(body) - 1 if body.endswith("\n") else len(body)
        else:
            self.reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)

    def _header_cells(self) -> list[str] | None:
        if self.plain:
            if not self.body_end:
                return None
            end = self.body.find("\n", 0, self.body_end)
            return self.body[: self.body_end if end == -1 else end].split(self.delimiter)
        return next(self.reader, None)

    def sorted_problems(self) -> list[Problem]:
        """Return the problems in line order (columns are parsed one after the other).

        Past :data:`~territoires.limits.MAX_PROBLEMS`, a last problem counts the others.
        """
        kept = sorted(self.problems, key=_by_line)
        if self.uncounted:
            kept.append(too_many(self.uncounted, self.label))
        return kept

    def problem(
        self,
        code: ProblemCode,
        message: str,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        if len(self.problems) >= limits.MAX_PROBLEMS:
            self.uncounted += 1
            return
        self.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.label,
                record=f"line {line}" if line is not None else None,
                field=field,
                value=None if value is None else format_value(value),
                expected=expected,
            )
        )

    def header(self, columns: Sequence[cells.Column]) -> list[int | None] | None:
        """Read the header; return, per column spec, its position in the file (or None)."""
        if self.too_wide is not None:  # before splitting ten million names
            self.problems.append(self.too_wide)
            return None
        header = self._header_cells()
        if header is None:
            self.problem(ProblemCode.EMPTY_FILE, "the file is empty", expected="a header row")
            return None
        known = {c.name for c in columns}
        positions: dict[str, int] = {}
        for index, raw in enumerate(header):
            name = raw.strip().lstrip("\ufeff")
            if name not in known:
                self.problem(
                    ProblemCode.UNKNOWN_COLUMN,
                    f"unknown column {format_value(raw)}"
                    + did_you_mean(name, [c.name for c in columns]),
                    1,
                    raw,
                    expected="one of " + ", ".join(c.name for c in columns),
                )
            elif name in positions:
                self.problem(ProblemCode.UNKNOWN_COLUMN, f"column {name!r} appears twice", 1, name)
            else:
                positions[name] = index
        for column in columns:
            if column.header_required and column.name not in positions:
                self.problem(
                    ProblemCode.MISSING_COLUMN,
                    f"required column {column.name!r} is missing",
                    1,
                    column.name,
                    expected="a header with "
                    + ", ".join(c.name for c in columns if c.header_required),
                )
        self.width = len(header)
        return [positions.get(c.name) for c in columns]

    def chunks(self) -> Iterator[tuple[Sequence[Sequence[str]], list[int]]]:
        """Yield chunks of rows as columns, with their line numbers; ragged rows are problems."""
        return self._plain_chunks() if self.plain else self._quoted_chunks()

    def _ragged(self, row: list[str], line: int) -> None:
        if any(cell.strip() for cell in row):  # a blank line is no problem
            self.problem(
                ProblemCode.WRONG_TYPE,
                f"row has {len(row)} cells, the header has {self.width}",
                line,
                expected=f"{self.width} cells separated by {self.delimiter!r}",
            )

    def _plain_chunks(self) -> Iterator[tuple[Sequence[Sequence[str]], list[int]]]:
        delimiter = self.delimiter
        width = self.width
        count = operator.methodcaller("count", delimiter)
        limit = FIELD_LIMIT
        for block, first in self._plain_blocks():
            numbers = list(range(first, first + len(block)))
            if max(map(len, block)) > limit:
                keep = [i for i, line in enumerate(block) if len(line) <= limit]
                for i in sorted(set(range(len(block))) - set(keep)):
                    self.problem(
                        ProblemCode.LINE_TOO_LONG,
                        f"line is longer than {limit:,} characters; this is not a table row",
                        numbers[i],
                        expected="rows of a CSV table",
                    )
                block = [block[i] for i in keep]
                numbers = [numbers[i] for i in keep]
            if set(map(count, block)) - {width - 1}:
                kept: list[str] = []
                kept_numbers: list[int] = []
                for line, number in zip(block, numbers, strict=True):
                    if line.count(delimiter) == width - 1:
                        kept.append(line)
                        kept_numbers.append(number)
                    else:
                        self._ragged(line.split(delimiter), number)
                block, numbers = kept, kept_numbers
            if not block:
                continue
            # One split of the whole block, then a slice per column: no list per row.
            flat = delimiter.join(block).split(delimiter)
            yield [flat[i::width] for i in range(width)], numbers

    def _plain_blocks(self) -> Iterator[tuple[list[str], int]]:
        """Yield the lines after the header, a block at a time, with the first one's number.

        A block is about CHUNK_CHARS characters, cut at the end of a line.
        """
        body, last = self.body, self.body_end
        start = body.find("\n", 0, last) + 1
        if not start:
            return  # the header alone
        number = 2
        while start <= last:
            end = body.find("\n", start + CHUNK_CHARS, last)
            if end == -1:
                end = last
            block = body[start:end].split("\n")
            yield block, number
            number += len(block)
            start = end + 1

    def _quoted_chunks(self) -> Iterator[tuple[Sequence[Sequence[str]], list[int]]]:
        rows: list[list[str]] = []
        lines: list[int] = []
        reader = self.reader
        try:
            for row in reader:
                if max(map(len, row), default=0) > FIELD_LIMIT:
                    self.problem(
                        ProblemCode.LINE_TOO_LONG,
                        f"a cell is longer than {FIELD_LIMIT:,} characters; "
                        "this is not a table row",
                        reader.line_num,
                        expected="rows of a CSV table",
                    )
                    continue
                if len(row) != self.width:
                    self._ragged(row, reader.line_num)
                    continue
                rows.append(row)
                lines.append(reader.line_num)
                if len(rows) >= CHUNK_ROWS:
                    yield list(zip(*rows, strict=True)), lines
                    rows, lines = [], []
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                self.problem(
                    ProblemCode.LINE_TOO_LONG,
                    f"a cell is longer than {csv.field_size_limit():,} characters; "
                    "this is not a table row",
                    reader.line_num,
                    expected="rows of a CSV table",
                )
            else:
                self.problem(ProblemCode.WRONG_TYPE, f"malformed CSV: {exc}", reader.line_num)
        if rows:
            yield list(zip(*rows, strict=True)), lines

    def parse_chunk(
        self,
        columns: Sequence[cells.Column],
        positions: Sequence[int | None],
        by_position: Sequence[Sequence[str]],
        lines: list[int],
        encode: Mapping[str, Callable[[Any], int]] | None = None,
    ) -> tuple[list[Any], set[int]]:
        """Parse a chunk column by column; return the columns' values and the bad row indexes.

        A column named in ``encode`` comes back as an array of integer codes (its function
        gives the code of a parsed value), parsed straight from the texts.
        """
        size = len(lines)
        values: list[Any] = []
        bad: set[int] = set()
        for column, position in zip(columns, positions, strict=True):
            code_of = encode.get(column.name) if encode is not None else None
            if position is None:
                if code_of is not None:
                    values.append(np.full(size, code_of(column.default), dtype=np.int32))
                else:
                    values.append([column.default] * size)
                continue
            cache = self.caches.get(column.name)
            if cache is None:
                cache = self.caches[column.name] = cells.ColumnCache(column)
            parsed: Any
            if code_of is not None:
                coded = self.coded.get(column.name)
                if coded is None:
                    coded = self.coded[column.name] = cells.CodeCache(cache, code_of)
                parsed, errors = cells.parse_codes(column, by_position[position], coded)
            else:
                parsed, errors = cells.parse_column(column, by_position[position], cache)
            for index, error in errors:
                bad.add(index)
                self.problem(
                    error.code,
                    error.message,
                    lines[index],
                    column.name,
                    error.value,
                    error.expected,
                )
            values.append(parsed)
        return values, bad


def _by_line(problem: Problem) -> int:
    record = problem.record or ""
    return int(record[5:]) if record.startswith("line ") and record[5:].isdigit() else 0


def _read(
    text: str, label: str, columns: Sequence[cells.Column], delimiter: str | None
) -> tuple[_Reader, list[int | None] | None]:
    reader = _Reader(text, label, delimiter)
    positions = reader.header(columns)
    if reader.problems:
        return reader, None
    return reader, positions


def read_participations(
    text: str, label: str, delimiter: str | None = None
) -> tuple[Participations, list[Problem]]:
    """Read a participations table; return the rows (as columns) and every problem found."""
    reader, positions = _read(text, label, PARTICIPATION_COLUMNS, delimiter)
    if positions is None:
        return Participations(), reader.sorted_problems()
    out = ColumnsBuilder()
    encode = out.encoders()
    for chunk, lines in reader.chunks():
        values, bad = reader.parse_chunk(PARTICIPATION_COLUMNS, positions, chunk, lines, encode)
        entries, exits = values[3], values[4]
        late = np.flatnonzero((exits != NO_DATE) & (entries != NO_DATE) & (exits < entries))
        for index in late.tolist():
            bad.add(index)
            entry = dt.date.fromordinal(int(entries[index]))
            exit_ = dt.date.fromordinal(int(exits[index]))
            reader.problem(
                ProblemCode.INVALID_VALUE,
                f"exit date {exit_} is before the entry date {entry}",
                lines[index],
                "exit_date",
                exit_,
                f"a date on or after {entry}",
            )
        if reader.problems:
            continue  # keep reading to report every problem, but build nothing
        out.add(values)
    if reader.problems:
        return Participations(), reader.sorted_problems()
    return Participations(columns=out.finish()), []


def read_reports(
    text: str, label: str, delimiter: str | None = None
) -> tuple[tuple[ActionReport, ...], list[Problem]]:
    """Read a reports table (one row per report and count cell); return reports and problems."""
    reader, positions = _read(text, label, REPORT_COLUMNS, delimiter)
    if positions is None:
        return (), reader.sorted_problems()
    heads: dict[str, tuple[int, tuple[Any, ...]]] = {}
    counts: dict[str, list[ReportCount]] = {}
    order: list[str] = []
    for chunk, lines in reader.chunks():
        values, bad = reader.parse_chunk(REPORT_COLUMNS, positions, chunk, lines)
        for index, line in enumerate(lines):
            if index in bad:
                continue
            rid, action, start, end, spent, category, sex, band, count = (
                col[index] for col in values
            )
            head = (action, start, end, spent)
            if rid not in heads:
                heads[rid] = (line, head)
                counts[rid] = []
                order.append(rid)
            elif heads[rid][1] != head:
                reader.problem(
                    ProblemCode.INCONSISTENT_ROWS,
                    f"report {rid!r} has an action, period or spent unlike line {heads[rid][0]}",
                    line,
                    "id",
                    rid,
                    "the same action, period and spent on every row of a report",
                )
                continue
            cell = (category, sex, band, count)
            if all(x is None for x in cell):
                continue
            missing = [c.name for c, x in zip(REPORT_COLUMNS[5:], cell, strict=True) if x is None]
            if missing:
                reader.problem(
                    ProblemCode.MISSING_FIELD,
                    "a count row needs category, sex, age_band and count: "
                    f"{', '.join(missing)} empty",
                    line,
                    missing[0],
                )
                continue
            counts[rid].append(ReportCount(category=category, sex=sex, age_band=band, count=count))
    reports: list[ActionReport] = []
    for rid in order:
        line, (action, start, end, spent) = heads[rid]
        try:
            reports.append(
                ActionReport(
                    id=rid,
                    action=action,
                    period=Period(start, end),
                    counts=tuple(counts[rid]),
                    spent=spent,
                )
            )
        except InvalidValueError as exc:
            column = {"end": "period_end", "counts": "category"}.get(exc.field, exc.field)
            reader.problem(
                ProblemCode.from_value(exc.code),
                f"{exc.expected}, got {format_value(exc.value)}",
                line,
                column,
                exc.value,
                exc.expected,
            )
    if reader.problems:
        return (), reader.sorted_problems()
    return tuple(reports), []


# -- writing ------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, LabelledEnum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _french_cell(value: Any) -> str:
    """A cell as French Excel reads it: DD/MM/YYYY dates, decimal comma."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return _cell(value)


# Identifiers and pseudonyms are written as they are: their shape (an ASCII letter or digit,
# then letters, digits and "_.:/-") is checked wherever a row is built, by the model's
# validators or, for rows built in bulk, by the readers before building, so none can start a
# formula or hold a line break.
_ALWAYS_TEXT = frozenset({"id", "person", "action"})


def write_participations(
    rows: Sequence[Participation], stream: TextIO, *, french: bool = False
) -> None:
    """Write participations as canonical CSV: UTF-8, comma, ISO dates, enum values.

    With ``french``, as French Excel reads it: byte-order mark, semicolon, DD/MM/YYYY dates,
    decimal comma. Columns are converted whole, each distinct value once, chunk by chunk.
    Identifiers cannot start with a character a spreadsheet reads as a formula (their shape
    is checked), so they are written as they are.
    """
    writer = csv_writer(stream, french=french)
    cell = _french_cell if french else _cell
    names = [c.name for c in PARTICIPATION_COLUMNS]
    writer.writerow(names)
    if isinstance(rows, Participations) and not rows.built:
        _write_columns(rows.columns, writer, cell)
        return
    getters = [(name, operator.attrgetter(name)) for name in names]
    texts: dict[Any, str] = {}
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        columns: list[Iterable[str]] = []
        for name, getter in getters:
            values = list(map(getter, chunk))
            if name in _ALWAYS_TEXT:  # unique texts: no need to look them up
                columns.append(values)
                continue
            for value in set(values).difference(texts):
                texts[value] = cell(value)
            columns.append(map(texts.__getitem__, values))
        writer.writerows(zip(*columns, strict=True))


def _write_columns(columns: ParticipationColumns, writer: Any, cell: Callable[[Any], str]) -> None:
    """Write participations held as columns, without building them.

    The text of each code or day is made once, then whole slices of columns are written.
    """
    names = [c.name for c in PARTICIPATION_COLUMNS]
    texts = {
        name: column.lookup(cell, cell(None))
        for name in names
        if isinstance(column := columns.field(name), Coded)
    }
    for start in range(0, len(columns), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(columns))
        out: list[list[str]] = []
        for name in names:
            column = columns.field(name)
            if isinstance(column, Coded):
                out.append(texts[name][column.codes[start:stop]].tolist())
            elif column.dtype == np.int32:
                days = column[start:stop]
                distinct, where = np.unique(days, return_inverse=True)
                lookup = np.empty(len(distinct), dtype=object)
                lookup[:] = [
                    cell(None if day == NO_DATE else dt.date.fromordinal(day))
                    for day in distinct.tolist()
                ]
                out.append(lookup[where.reshape(-1)].tolist())
            else:
                out.append(column[start:stop].tolist())  # ids: written as they are
        writer.writerows(zip(*out, strict=True))


def write_reports(reports: Sequence[ActionReport], stream: TextIO, *, french: bool = False) -> None:
    """Write reports in long form: one row per count cell, report fields repeated.

    ``french`` as for :func:`write_participations`.

    Raises:
        FormatError: two reports share an id; their rows would merge into one report.
    """
    repeated = mv.unique(report.id for report in reports)
    if repeated:
        raise FormatError(
            f"reports {', '.join(map(repr, repeated[:5]))} share an id: a reports table cannot "
            "keep them apart; give each report its own id or write a .json document"
        )
    writer = csv_writer(stream, french=french)
    cell = _french_cell if french else _cell
    writer.writerow([c.name for c in REPORT_COLUMNS])
    for report in reports:
        head = [
            report.id,
            report.action,
            cell(report.period.start),
            cell(report.period.end),
            cell(report.spent),
        ]
        if not report.counts:
            writer.writerow([*head, "", "", "", ""])
        for count in report.counts:
            writer.writerow(
                [
                    *head,
                    count.category.value,
                    count.sex.value,
                    count.age_band.value,
                    str(count.count),
                ]
            )


def table_columns(kind: TableKind) -> tuple[cells.Column, ...]:
    """Return the column specs of table ``kind``."""
    return _TABLES[kind]
