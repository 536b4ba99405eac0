"""Malformed input: every problem reported at once, with file, record, field and code.

The corpus lives in ``tests/data/bad/``: one small file or folder per case, and next to it
``NAME.expected``, written by hand, holding what reading it must report::

    # what the case is
    exit: 2                 exit code of ``territoires validate`` on it (used by test_cli.py)
    check: read             ``read``: territoires.read reports the problems;
                            ``validate``: the file reads, territoires.validate reports them
    problem: record | field | code | file | message fragment

one ``problem:`` line per problem, ``-`` for an empty record, field or file; the file is
relative to ``tests/data/bad/``.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

import territoires
from territoires import DataError, ProblemCode
from territoires.io._tables import FIELD_LIMIT
from territoires.problems import Problem

BAD = Path(__file__).resolve().parent / "data" / "bad"
HEADER = "id,person,action,entry_date,status"
ROW = "p{n},P{n:04d},dijon-01,2019-10-01,refugee"


class Expected(NamedTuple):
    """One problem a corpus case must produce."""

    record: str | None
    field: str | None
    code: str
    file: str | None
    fragment: str


class Case(NamedTuple):
    """One entry of the malformed corpus and what reading it must give."""

    name: str
    path: Path
    exit: int
    check: str
    problems: tuple[Expected, ...]


def _none(text: str) -> str | None:
    return None if text == "-" else text


def _parse(expected: Path) -> Case:
    exit_code, check, problems = None, None, []
    for line in expected.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition(": ")
        if key == "exit":
            exit_code = int(value)
        elif key == "check":
            check = value
        elif key == "problem":
            record, field, code, file, fragment = (part.strip() for part in value.split(" | ", 4))
            problems.append(Expected(_none(record), _none(field), code, _none(file), fragment))
        else:
            raise ValueError(f"{expected}: unknown line {line!r}")
    assert exit_code in (1, 2), expected
    assert check in ("read", "validate"), expected
    assert problems, expected
    name = expected.name.removesuffix(".expected")
    return Case(name, BAD / name, exit_code, check, tuple(problems))


CASES = [_parse(p) for p in sorted(BAD.glob("*.expected"))]


def case_ids() -> list[str]:
    return [case.name for case in CASES]


def snapshot(root: Path = BAD) -> dict[str, bytes | None]:
    """Every file and folder under ``root`` with its bytes (None for folders)."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def key(problem: Problem) -> tuple[str | None, str | None, str, str | None]:
    """What a problem is compared on: record, field, code and file relative to the corpus."""
    file = problem.file
    if file is not None:
        path = Path(file)
        path = path if path.is_absolute() else Path.cwd() / path
        file = str(path.resolve().relative_to(BAD))
    return (problem.record, problem.field, problem.code.value, file)


def assert_problems(actual: list[Problem], expected: tuple[Expected, ...]) -> None:
    """Check that ``actual`` holds exactly the expected problems, in any order."""
    got = collections.Counter(key(p) for p in actual)
    want = collections.Counter((e.record, e.field, e.code, e.file) for e in expected)
    assert got == want, "\n".join(p.format() for p in actual)
    for e in expected:
        messages = [p.message for p in actual if key(p) == (e.record, e.field, e.code, e.file)]
        assert any(e.fragment in m for m in messages), (e.fragment, messages)


def problems_of(case: Case) -> list[Problem]:
    """What the library reports for a case: the problems of read, or of validate."""
    dataset, problems = territoires.read(case.path)
    if case.check == "read":
        assert dataset is None, "a file with errors must not be half-loaded"
        return problems
    assert problems == [], "\n".join(p.format() for p in problems)
    assert dataset is not None
    return territoires.validate(dataset)


# -- the corpus -----------------------------------------------------------------------------------


def test_every_corpus_entry_has_its_expected_problems() -> None:
    """No file of the malformed corpus is silently left out of the checks."""
    entries = {p.name for p in BAD.iterdir() if p.suffix != ".expected"}
    assert entries == {case.name for case in CASES}
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_reading_a_malformed_file_reports_exactly_its_problems(case: Case) -> None:
    """Each malformed file gives exactly its known problems, each with record, field and code."""
    before = snapshot()
    assert_problems(problems_of(case), case.problems)
    assert snapshot() == before, "reading must never modify, create or delete a file"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.check == "read"], ids=lambda case: case.name
)
def test_load_raises_data_error_listing_every_problem(case: Case) -> None:
    """``load`` refuses a malformed file with a DataError carrying the problems ``read`` gives."""
    _, problems = territoires.read(case.path)
    with pytest.raises(DataError) as raised:
        territoires.load(case.path)
    assert list(raised.value.problems) == problems
    assert problems[0].format() in str(raised.value)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    """A path that does not exist gives one unreadable problem naming it, not an exception."""
    path = tmp_path / "absent.json"
    dataset, problems = territoires.read(path)
    assert dataset is None
    assert [(p.code, p.file) for p in problems] == [(ProblemCode.UNREADABLE, str(path))]
    assert "no such file" in problems[0].message


def test_an_unknown_encoding_name_is_a_problem_not_an_exception() -> None:
    """A misspelt ``encoding=`` is reported as an encoding problem naming it."""
    dataset, problems = territoires.read(BAD / "cp1252-excel.csv", encoding="cp-1252-typo")
    assert dataset is None
    assert [p.code for p in problems] == [ProblemCode.ENCODING]
    assert "'cp-1252-typo'" in problems[0].message


def test_the_invalid_json_problem_points_at_the_line_and_column() -> None:
    """A JSON syntax error names the line and column where a text editor shows it."""
    data = (BAD / "invalid-json.json").read_bytes()
    line = data.split(b"\n")[17]  # line 18, where the missing comma is noticed
    assert line.lstrip().startswith(b'"signatories"')
    assert len(line) - len(line.lstrip()) + 1 == 7
    _, problems = territoires.read(BAD / "invalid-json.json")
    assert "line 18, column 7" in problems[0].message


# -- tables that are valid but unusual ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "table"),
    [(HEADER, "participations"), ("id,action,period_start,period_end", "reports")],
    ids=["participations", "reports"],
)
@pytest.mark.parametrize(
    "ending",
    ["", "\n", "\r\n", "\n\n", "\r\n\r\n"],
    ids=["none", "lf", "crlf", "lf-lf", "crlf-crlf"],
)
def test_a_table_with_only_a_header_is_an_empty_dataset(
    tmp_path: Path, header: str, table: str, ending: str
) -> None:
    """A table holding only its header (trailing blank lines included) reads as zero rows."""
    path = tmp_path / "table.csv"
    path.write_bytes((header + ending).encode())
    dataset, problems = territoires.read(path)
    assert problems == []
    assert dataset == territoires.Dataset()
    assert getattr(dataset, table) == ()


def test_blank_lines_between_rows_are_ignored(tmp_path: Path) -> None:
    """Blank lines left in a table (by hand editing) are skipped, not reported as ragged rows."""
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n{ROW.format(n=1)}\n\n  \n{ROW.format(n=2)}\n\n", encoding="utf-8")
    dataset = territoires.load(path)
    assert [p.id for p in dataset.participations] == ["p1", "p2"]


# -- very long lines and values --------------------------------------------------------------------

_LONG = 2 * 1024 * 1024


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
@pytest.mark.parametrize("alone", [False, True], ids=["among-rows", "alone"])
def test_a_very_long_line_is_one_short_problem(tmp_path: Path, quoted: bool, alone: bool) -> None:
    """A 2 MB line in a table gives one line-too-long problem naming its line, and no more.

    This stands for the real case, a 1 GB file without line breaks (a binary export with no
    NUL byte, a document pasted into a .csv): the table reader compares every line with
    ``FIELD_LIMIT``, the csv module's default limit (quoted tables: each cell) in
    the same chunked loop whatever the file size, so a 1 GB line takes this very branch,
    only slower. Generated here so that no big file is committed. ``alone``: the long line
    is the only line after the header, as when a whole export lands on one line.
    """
    first = ('"p1"' + ROW.format(n=1)[2:]) if quoted else ROW.format(n=1)
    assert len("x" * _LONG) > FIELD_LIMIT
    path = tmp_path / "long.csv"
    if alone:
        quote = '"' if quoted else ""
        text = f"{HEADER}\n{quote}{'x' * _LONG}{quote}\n"
        line = "line 2"
    else:
        text = f"{HEADER}\n{first}\n{'x' * _LONG}\n{ROW.format(n=2)}\n"
        line = "line 3"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    dataset, problems = territoires.read(path)
    assert dataset is None
    assert [(p.code, p.record) for p in problems] == [(ProblemCode.LINE_TOO_LONG, line)]
    assert len(problems[0].format()) < 500
    assert path.read_bytes() == before


def test_a_document_on_one_very_long_line_reads(tmp_path: Path) -> None:
    """A minified JSON document (one 2 MB line) is valid: JSON has no line-length limit."""
    rows = [
        {
            "id": f"p{n}",
            "person": f"P{n:07d}",
            "action": "dijon-01",
            "entry_date": "2019-10-01",
            "status": "refugee",
            "residence": "21231",
        }
        for n in range(_LONG // 120)
    ]
    path = tmp_path / "one-line.json"
    path.write_text(
        json.dumps({"schema": "territoires/1", "participations": rows}), encoding="utf-8"
    )
    assert path.stat().st_size > _LONG
    assert path.read_bytes().count(b"\n") == 0
    assert len(territoires.load(path).participations) == len(rows)


def _long_value_files(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Files each holding one 100 000-character value in a field that rejects it."""
    value = "x" * 100_000  # below the CSV field limit, so it reaches the cell parsers
    cases = {
        "csv-id.csv": f"{HEADER}\n{ROW.format(n=1)}\n!{value},P1,dijon-01,2019-10-01,refugee\n",
        "csv-status.csv": f"{HEADER}\np1,P1,dijon-01,2019-10-01,{value}\n",
        "csv-date.csv": f"{HEADER}\np1,P1,dijon-01,{value},refugee\n",
        "csv-header.csv": f"{HEADER},{value}\n{ROW.format(n=1)},x\n",
        "json-status.json": json.dumps(
            {
                "schema": "territoires/1",
                "participations": [
                    {
                        "id": "p1",
                        "person": "P1",
                        "action": "a",
                        "entry_date": "2019-10-01",
                        "status": value,
                    }
                ],
            }
        ),
        "json-id.json": json.dumps(
            {
                "schema": "territoires/1",
                "parties": [{"id": f"!{value}", "kind": "association", "name": "Asso"}],
            }
        ),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        yield name, path


def test_a_problem_line_stays_short_whatever_the_size_of_the_offending_value(
    tmp_path: Path,
) -> None:
    """A huge bad value is cut in the problem line, so a terminal or log is never flooded.

    ``format_value`` promises this for values; the message and the record (an id taken from
    the file) must keep the promise too.
    """
    too_long = {}
    for name, path in _long_value_files(tmp_path):
        dataset, problems = territoires.read(path)
        assert dataset is None, name
        assert problems, name
        longest = max(len(p.format()) for p in problems)
        if longest > 1_000:
            too_long[name] = longest
    assert too_long == {}
