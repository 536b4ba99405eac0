"""The native JSON document (``"schema": "territoires/1"``): reading with a fast path, writing."""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import operator
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, TextIO

import attrs
import cattrs
import msgspec
import numpy as np

from territoires.exceptions import did_you_mean
from territoires.io._converter import problems_from, structure_records
from territoires.io._strict import depth_problem, duplicate_key_problems, walk_keys
from territoires.io._text import line_and_column
from territoires.model import _validators as mv
from territoires.model import codes
from territoires.model.columns import NO_DATE, ColumnsBuilder, Participations
from territoires.model.contract import Contract
from territoires.model.dataset import Dataset, DatasetInfo
from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    EmploymentOutcome,
    FrenchLevel,
    HousingOutcome,
    Sex,
)
from territoires.model.person import ActionReport, Participation
from territoires.model.territory import Party, Territory
from territoires.problems import Problem, ProblemCode

__all__ = [
    "SCHEMA",
    "number_problem",
    "read_json",
    "schema_problem",
    "syntax_problem",
    "write_json",
]

SCHEMA = "territoires/1"
_SCHEMA_FAMILY = "territoires/"
_TOP_LEVEL = ("schema", "info", "territories", "parties", "contracts", "participations", "reports")
_RECORD_TABLES: tuple[tuple[str, type[Any]], ...] = (
    ("territories", Territory),
    ("parties", Party),
    ("contracts", Contract),
    ("participations", Participation),
    ("reports", ActionReport),
)

# The fast path: msgspec decodes and type-checks participation rows in C (types, dates,
# enumeration values, unknown keys); the patterns of ids and codes are checked after, in one
# pass (msgspec's per-value regex calls cost more than a Python loop over the rows).


# Counting keys without a per-row cost: a field missing from a row gets its default from a
# factory, ``itertools.repeat(default).__next__``, a C call that returns the default and
# lowers the repeat's remaining count. The drop over a decoding is the number of fields the
# rows did not give, so the number of keys the rows gave is known exactly (see _repeated_keys).
_ABSENT: list[itertools.repeat[Any]] = []
_DECODING = threading.Lock()


def _absent(default: Any) -> Any:
    counter = itertools.repeat(default, sys.maxsize)
    _ABSENT.append(counter)
    return msgspec.field(default_factory=counter.__next__)


def _absent_left() -> int:
    return sum(map(operator.length_hint, _ABSENT))


class _Row(msgspec.Struct, forbid_unknown_fields=True, gc=False, kw_only=True):
    id: str
    person: str
    action: str
    entry_date: dt.date
    exit_date: dt.date | None = _absent(None)
    status: AdministrativeStatus
    sex: Sex = _absent(Sex.UNSPECIFIED)
    age_band: AgeBand = _absent(AgeBand.UNKNOWN)
    residence: str | None = _absent(None)
    employment: EmploymentOutcome | None = _absent(None)
    housing: HousingOutcome | None = _absent(None)
    french_entry: FrenchLevel | None = _absent(None)
    french_exit: FrenchLevel | None = _absent(None)


assert _Row.__struct_fields__ == tuple(a.name for a in attrs.fields(Participation)), (
    "fast rows must mirror Participation, field for field"
)


class _FastDocument(msgspec.Struct, forbid_unknown_fields=True):
    schema: str
    info: Any = _absent(None)
    territories: Any = _absent(None)
    parties: Any = _absent(None)
    contracts: Any = _absent(None)
    participations: list[_Row] = _absent(())  # never mutated: replaced when read
    reports: Any = _absent(None)


_FAST = msgspec.json.Decoder(_FastDocument, float_hook=Decimal)
_PLAIN = msgspec.json.Decoder(float_hook=Decimal)
_BYTE = re.compile(r"\(byte (\d+)\)")


def schema_problem(value: object, label: str) -> Problem | None:
    if value == SCHEMA:
        return None
    if value is None:
        message = f'the document has no "schema" key; expected "{SCHEMA}"'
    elif isinstance(value, str) and value.startswith(_SCHEMA_FAMILY):
        message = f"schema {value!r} is not supported by this version (it reads {SCHEMA!r})"
    else:
        message = f"schema {value!r} is not a territoires document (expected {SCHEMA!r})"
    return Problem(
        code=ProblemCode.UNSUPPORTED_SCHEMA,
        message=message,
        file=label,
        field="schema",
        expected=SCHEMA,
    )


def _rows_to_participations(fast: _FastDocument) -> Participations | None:
    """The participations of fast rows, as columns, or None when a row breaks an invariant.

    None sends the caller to the detailed path, which explains every problem. Columns are
    checked whole, each distinct action or commune code once. The rows are let go as soon as
    they are columns (``fast.participations`` is emptied): a million structs are 120 MB.
    """
    rows = fast.participations
    columns = [list(map(operator.attrgetter(name), rows)) for name in _Row.__struct_fields__]
    fast.participations = []
    del rows
    ids, persons, actions, entries, exits = columns[:5]
    if not mv.IDENTIFIER.all_match(ids):
        return None
    if not mv.PSEUDONYM.all_match(persons):
        return None
    if not mv.IDENTIFIER.all_match(list(dict.fromkeys(actions))):
        return None
    places = dict.fromkeys(columns[8])
    places.pop(None, None)
    if not all(map(codes.is_commune_code, places)):
        return None
    builder = ColumnsBuilder()
    builder.add(columns)
    del columns, ids, persons, actions, entries, exits
    table = builder.finish()
    exits_, entries_ = table.exit, table.entry
    if bool(((exits_ != NO_DATE) & (exits_ < entries_)).any()):
        return None  # a row left before it entered: the detailed path says which
    return Participations(columns=table)


def _row_colons(rows: list[_Row]) -> int:
    """The ``:`` in the texts of the rows (ids may hold one)."""
    return sum(
        "".join(map(operator.attrgetter(name), rows)).count(":")
        for name in ("id", "person", "action")
    )


def _repeated_keys(
    data: bytes, fast: _FastDocument, typed_keys: int, label: str
) -> list[Problem] | None:
    """Problems of keys repeated in an object, or of a document nested too deeply.

    msgspec keeps the last of two values of a key. Every key of a JSON text is followed by
    exactly one ``:`` outside texts, so the ``:`` of the file (one C-level count) equal the
    keys kept by decoding plus the ``:`` inside the decoded texts exactly when no key was
    repeated; only when the counts differ is the document decoded again to find the repeated
    keys (or to learn that a text held an escaped colon).

    ``typed_keys`` is the number of keys of the document and of its rows, which msgspec
    decoded into structs (counted by the factories of their defaults).
    """
    parts = [fast.info, fast.territories, fast.parties, fast.contracts, fast.reports]
    keys, colons, deep = walk_keys(parts)
    if deep:
        return [depth_problem(label)]
    keys += typed_keys
    found = data.count(b":")
    if found != keys + colons and found != keys + colons + _row_colons(fast.participations):
        return duplicate_key_problems(data, label) or None
    return None


def read_json(
    data: bytes, label: str, converter: cattrs.Converter
) -> tuple[Dataset | None, list[Problem]]:
    """Read a territoires/1 document; return the dataset, or None and every problem.

    Keys given twice in an object and nesting deeper than
    ``territoires.limits.MAX_DEPTH`` are problems.
    """
    data = data.removeprefix(codecs.BOM_UTF8)  # Windows editors put one in front of JSON too
    try:
        with _DECODING:
            before = _absent_left()
            fast = _FAST.decode(data)
            absent = before - _absent_left()
    except RecursionError:
        return None, [depth_problem(label)]
    except (msgspec.ValidationError, msgspec.DecodeError):
        return _read_detailed(data, label, converter)
    wrong_schema = schema_problem(fast.schema, label)
    if wrong_schema is not None:
        return None, [wrong_schema]
    typed_keys = (
        len(_FastDocument.__struct_fields__)
        + len(fast.participations) * len(_Row.__struct_fields__)
        - absent
    )
    repeated = _repeated_keys(data, fast, typed_keys, label)
    if repeated:
        return None, repeated
    participations = _rows_to_participations(fast)
    if participations is None:
        return _read_detailed(data, label, converter)
    document = {
        "info": fast.info,
        "territories": fast.territories,
        "parties": fast.parties,
        "contracts": fast.contracts,
        "reports": fast.reports,
    }
    return _structure(document, participations, label, converter)


def _structure(
    document: dict[str, Any],
    participations: Participations | None,
    label: str,
    converter: cattrs.Converter,
) -> tuple[Dataset | None, list[Problem]]:
    problems: list[Problem] = []
    info = DatasetInfo()
    if document.get("info") is not None:
        try:
            info = converter.structure(document["info"], DatasetInfo)
        except Exception as exc:
            problems.extend(problems_from(exc, record="info", prefix=["info"], file=label))
    tables: dict[str, Any] = {}
    for name, cls in _RECORD_TABLES:
        if name == "participations" and participations is not None:
            tables[name] = participations
            continue
        raw = document.get(name)
        tables[name] = (
            () if raw is None else structure_records(converter, raw, cls, name, problems, label)
        )
    if problems:
        return None, problems
    return Dataset(info=info, **tables), []


def number_problem(exc: msgspec.ValidationError, label: str) -> Problem:
    """Return the problem of a number msgspec cannot hold (thousands of digits)."""
    return Problem(
        code=ProblemCode.INVALID_NUMBER,
        message=f"a number in the document is out of range ({exc})",
        file=label,
        expected="amounts and counts of at most a few dozen digits",
    )


def _utf8_offset(data: bytes) -> int | None:
    """The offset of the first byte that is not valid UTF-8, if any."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def syntax_problem(data: bytes, exc: msgspec.DecodeError, label: str) -> Problem:
    """Return the problem of a document that is not JSON, with its line and column."""
    text = str(exc)
    found = _BYTE.search(text)
    # msgspec gives no offset for a text that is not UTF-8: find the byte rather than
    # pointing at the end of the file.
    offset = int(found.group(1)) if found else (_utf8_offset(data) or len(data))
    line, column = line_and_column(data, offset)
    reason = _BYTE.sub("", text).replace("JSON is malformed: ", "").strip()
    if "truncated" in reason:
        reason = "the document ends too early (truncated file?)"
    return Problem(
        code=ProblemCode.INVALID_JSON,
        message=f"invalid JSON at line {line}, column {column}: {reason}",
        file=label,
        record=f"line {line}",
        expected="a JSON document",
    )


def _read_detailed(
    data: bytes, label: str, converter: cattrs.Converter
) -> tuple[Dataset | None, list[Problem]]:
    """The slow path: decode without a schema, then explain every problem of every record."""
    try:
        document = _PLAIN.decode(data)
    except RecursionError:
        return None, [depth_problem(label)]
    except msgspec.ValidationError as exc:  # a whole number of thousands of digits
        return None, [number_problem(exc, label)]
    except msgspec.DecodeError as exc:
        return None, [syntax_problem(data, exc, label)]
    if walk_keys(document)[2]:
        return None, [depth_problem(label)]
    repeated = duplicate_key_problems(data, label)
    if repeated:
        return None, repeated
    if not isinstance(document, dict):
        return None, [
            Problem(
                code=ProblemCode.UNKNOWN_FORMAT,
                message="the document must be a JSON object with a schema key",
                file=label,
                expected=f'{{"schema": "{SCHEMA}", ...}}',
            )
        ]
    problems: list[Problem] = []
    wrong_schema = schema_problem(document.get("schema"), label)
    if wrong_schema is not None:
        return None, [wrong_schema]
    for key in document:
        if key not in _TOP_LEVEL:
            problems.append(
                Problem(
                    code=ProblemCode.UNKNOWN_FIELD,
                    message=f"unknown top-level key {key!r}" + did_you_mean(str(key), _TOP_LEVEL),
                    file=label,
                    field=str(key),
                    expected="one of " + ", ".join(_TOP_LEVEL),
                )
            )
    dataset, more = _structure(document, None, label, converter)
    problems.extend(more)
    return (None, problems) if problems else (dataset, [])


# -- writing ------------------------------------------------------------------------------------

_ENCODER = msgspec.json.Encoder(decimal_format="string")


def _pretty(value: Any, indent: str) -> str:
    text = msgspec.json.format(_ENCODER.encode(value), indent=2).decode("utf-8")
    return text.replace("\n", "\n" + indent)


_CHUNK = 50_000


def _participation_dicts(rows: Sequence[Participation]) -> Iterator[dict[str, Any]]:
    """The records of the rows, fields equal to their default left out.

    Rows held as columns are read a slice of columns at a time, never built as objects.
    """
    defaults = {a.name: a.default for a in attrs.fields(Participation)}
    names = tuple(defaults)
    if isinstance(rows, Participations) and not rows.built:
        columns = rows.columns
        for start in range(0, len(columns), _CHUNK):
            part = columns.take(np.arange(start, min(start + _CHUNK, len(columns))))
            for values in zip(*(part.values(name) for name in names), strict=True):
                yield {
                    name: value
                    for name, value in zip(names, values, strict=True)
                    if value is not defaults[name]
                }
        return
    for row in rows:
        yield {name: value for name in names if (value := getattr(row, name)) is not defaults[name]}


def write_json(dataset: Dataset, stream: TextIO, converter: cattrs.Converter) -> None:
    """Write ``dataset`` as a territoires/1 document.

    Small tables are indented for people; participations and reports are written one record
    per line so that a million rows stay compact and diff well.
    """
    stream.write("{\n")
    stream.write(f'  "schema": "{SCHEMA}",\n')
    stream.write('  "info": ' + _pretty(converter.unstructure(dataset.info), "  "))
    for name in ("territories", "parties", "contracts"):
        records = converter.unstructure(getattr(dataset, name))
        stream.write(f',\n  "{name}": ' + _pretty(records, "  "))
    line_tables: list[tuple[str, Iterator[Any]]] = [
        ("participations", _participation_dicts(dataset.participations)),
        ("reports", (converter.unstructure(r) for r in dataset.reports)),
    ]
    for name, records_iter in line_tables:
        stream.write(f',\n  "{name}": [')
        first = True
        for record in records_iter:
            stream.write("\n    " if first else ",\n    ")
            stream.write(_ENCODER.encode(record).decode("utf-8"))
            first = False
        stream.write("\n  ]" if not first else "]")
    stream.write("\n}\n")
