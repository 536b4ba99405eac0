"""The native JSON document (``"schema": "territoires/1"``): reading with a fast path, writing."""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import operator
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TextIO

import attrs
import cattrs
import msgspec

from territoires.io._converter import problems_from, structure_records
from territoires.io._tables import bulk_builder
from territoires.io._text import line_and_column
from territoires.model import _validators as mv
from territoires.model import codes
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

__all__ = ["SCHEMA", "read_json", "schema_problem", "syntax_problem", "write_json"]

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


class _Row(msgspec.Struct, forbid_unknown_fields=True, gc=False, kw_only=True):
    id: str
    person: str
    action: str
    entry_date: dt.date
    exit_date: dt.date | None = None
    status: AdministrativeStatus
    sex: Sex = Sex.UNSPECIFIED
    age_band: AgeBand = AgeBand.UNKNOWN
    residence: str | None = None
    employment: EmploymentOutcome | None = None
    housing: HousingOutcome | None = None
    french_entry: FrenchLevel | None = None
    french_exit: FrenchLevel | None = None


assert _Row.__struct_fields__ == tuple(a.name for a in attrs.fields(Participation)), (
    "fast rows must mirror Participation, field for field"
)


class _FastDocument(msgspec.Struct, forbid_unknown_fields=True):
    schema: str
    info: Any = None
    territories: Any = None
    parties: Any = None
    contracts: Any = None
    participations: list[_Row] = []
    reports: Any = None


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


def _rows_to_participations(rows: list[_Row]) -> tuple[Participation, ...] | None:
    """Build participations from fast rows, or None when a row breaks an invariant.

    None sends the caller to the detailed path, which explains every problem. Columns are
    checked whole, each distinct action or commune code once.
    """
    column = operator.attrgetter
    if not mv.IDENTIFIER.all_match(list(map(column("id"), rows))):
        return None
    if not mv.PSEUDONYM.all_match(list(map(column("person"), rows))):
        return None
    if not mv.IDENTIFIER.all_match(list(set(map(column("action"), rows)))):
        return None
    places = set(map(column("residence"), rows))
    places.discard(None)
    if not all(map(codes.is_commune_code, places)):
        return None
    if any(r.exit_date is not None and r.exit_date < r.entry_date for r in rows):
        return None
    return tuple(itertools.starmap(bulk_builder(Participation), map(msgspec.structs.astuple, rows)))


def read_json(
    data: bytes, label: str, converter: cattrs.Converter
) -> tuple[Dataset | None, list[Problem]]:
    """Read a territoires/1 document; return the dataset, or None and every problem."""
    data = data.removeprefix(codecs.BOM_UTF8)  # Windows editors put one in front of JSON too
    try:
        fast = _FAST.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return _read_detailed(data, label, converter)
    wrong_schema = schema_problem(fast.schema, label)
    if wrong_schema is not None:
        return None, [wrong_schema]
    participations = _rows_to_participations(fast.participations)
    if participations is None:
        return _read_detailed(data, label, converter)
    fast.participations = []
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
    participations: tuple[Participation, ...] | None,
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
    tables: dict[str, tuple[Any, ...]] = {}
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


def syntax_problem(data: bytes, exc: msgspec.DecodeError, label: str) -> Problem:
    """Return the problem of a document that is not JSON, with its line and column."""
    text = str(exc)
    found = _BYTE.search(text)
    offset = int(found.group(1)) if found else len(data)
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
    except msgspec.DecodeError as exc:
        return None, [syntax_problem(data, exc, label)]
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
                    message=f"unknown top-level key {key!r}",
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


def _participation_dicts(rows: tuple[Participation, ...]) -> Iterator[dict[str, Any]]:
    defaults = {a.name: a.default for a in attrs.fields(Participation)}
    names = tuple(defaults)
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
