"""Files of persons, the input of eligibility decisions: JSON or CSV."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import cattrs
import msgspec

from territoires.exceptions import InvalidValueError, did_you_mean
from territoires.io import _cells as cells
from territoires.io._converter import structure_records
from territoires.io._json import number_problem, schema_problem, syntax_problem
from territoires.io._strict import depth_problem, duplicate_key_problems, too_deep
from territoires.io._tables import _read
from territoires.io._text import ReadFailure, decode_text, read_bytes
from territoires.model import _validators as mv
from territoires.model.enums import AdministrativeStatus
from territoires.model.person import Person
from territoires.problems import Problem, ProblemCode, format_value

__all__ = ["PERSON_COLUMNS", "read_persons"]

PERSON_COLUMNS: tuple[cells.Column, ...] = (
    cells.Column("id", cells.pseudonym, required=True, cache=False, unique_shape=mv.PSEUDONYM),
    cells.Column(
        "status",
        cells.enum_parser(AdministrativeStatus),
        required=True,
        choices=AdministrativeStatus.values(),
    ),
    cells.Column("status_date", cells.parse_date),
    cells.Column("first_permit_date", cells.parse_date),
    cells.Column("cir_date", cells.parse_date),
    cells.Column("birth_date", cells.parse_date),
    cells.Column("birth_year", cells.parse_int),
    cells.Column("residence", cells.commune),
)

_DECODER = msgspec.json.Decoder()
_DOCUMENT_KEYS = ("schema", "persons")


def read_persons(
    path: Path, converter: cattrs.Converter, encoding: str | None = None
) -> tuple[tuple[Person, ...] | None, list[Problem]]:
    """Read persons from a JSON or CSV file; return them, or None and every problem.

    JSON may hold one person object, a list of them, or a ``territoires/1`` document with a
    ``persons`` list. CSV has the columns of :data:`PERSON_COLUMNS`.
    """
    label = str(path)
    suffix = path.suffix.lower()
    try:
        data = read_bytes(path, lines=suffix == ".csv")
        head = data.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
        if suffix == ".csv" or (suffix != ".json" and head not in (b"{", b"[")):
            return _read_csv(decode_text(data, label, encoding), label)
    except ReadFailure as failure:
        return None, [failure.problem]
    data = data.removeprefix(codecs.BOM_UTF8)  # Windows editors put one in front of JSON too
    try:
        document = _DECODER.decode(data)
    except RecursionError:
        return None, [depth_problem(label)]
    except msgspec.ValidationError as exc:  # a whole number of thousands of digits
        return None, [number_problem(exc, label)]
    except msgspec.DecodeError as exc:
        return None, [syntax_problem(data, exc, label)]
    if too_deep(document):
        return None, [depth_problem(label)]
    repeated = duplicate_key_problems(data, label)
    if repeated:
        return None, repeated
    records: Any = document
    problems: list[Problem] = []
    if isinstance(document, dict) and ("schema" in document or "persons" in document):
        # The documented form is {"persons": [...]}; a "schema" key is optional, and checked
        # when it is there, so that a document of another version is not half-read.
        if "schema" in document:
            problem = schema_problem(document.get("schema"), label)
            if problem is not None:
                return None, [problem]
        problems.extend(_unknown_keys(document, label))
        records = document.get("persons", [])
    elif isinstance(document, dict):
        records = [document]
    persons = structure_records(converter, records, Person, "persons", problems, label)
    if not problems:
        problems = _checks(persons, label)
    return (None, problems) if problems else (persons, [])


def _unknown_keys(document: dict[str, Any], label: str) -> list[Problem]:
    """Problems for the keys of a persons document other than ``schema`` and ``persons``."""
    return [
        Problem(
            code=ProblemCode.UNKNOWN_FIELD,
            message=f"unknown key {format_value(key)} in a file of persons"
            + did_you_mean(str(key), _DOCUMENT_KEYS),
            file=label,
            field=str(key),
            value=key,
            expected="schema, persons",
        )
        for key in document
        if key not in _DOCUMENT_KEYS
    ]


def _checks(persons: tuple[Person, ...], label: str) -> list[Problem]:
    """Problems of the file as a whole: no person at all, or ids used twice."""
    if not persons:
        return [
            Problem(
                code=ProblemCode.EMPTY_FILE,
                message="the file holds no person",
                file=label,
                expected="at least one person",
            )
        ]
    seen: dict[str, int] = {}
    problems = []
    for index, person in enumerate(persons):
        if person.id in seen:
            problems.append(
                Problem(
                    code=ProblemCode.DUPLICATE_ID,
                    message=f"person id {person.id!r} is used already at "
                    f"persons[{seen[person.id]}]",
                    file=label,
                    record=person.id,
                    field=f"persons[{index}].id",
                    expected="an id used once",
                )
            )
        seen.setdefault(person.id, index)
    return problems


def _read_csv(text: str, label: str) -> tuple[tuple[Person, ...] | None, list[Problem]]:
    reader, positions = _read(text, label, PERSON_COLUMNS, None)
    if positions is None:
        return None, reader.sorted_problems()
    persons: list[Person] = []
    for chunk, lines in reader.chunks():
        values, bad = reader.parse_chunk(PERSON_COLUMNS, positions, chunk, lines)
        for index, line in enumerate(lines):
            if index in bad:
                continue
            fields = {column.name: values[i][index] for i, column in enumerate(PERSON_COLUMNS)}
            try:
                persons.append(Person(**fields))
            except InvalidValueError as exc:
                reader.problem(
                    ProblemCode.from_value(exc.code),
                    f"{exc.expected}, got {format_value(exc.value)}",
                    line,
                    exc.field,
                    exc.value,
                    exc.expected,
                )
    if reader.problems:
        return None, reader.sorted_problems()
    problems = _checks(tuple(persons), label)
    return (None, problems) if problems else (tuple(persons), [])
