"""Files of persons, the input of eligibility: JSON (object, list, document) and CSV.

The files live in ``tests/data/persons/``. The good ones hold the same three persons in every
shape (a refugee, a newcomer whose first permit was issued on 29 February 2020, a student);
each bad one holds one kind of mistake, and reading it must report exactly the expected
problems, each with its file, record, field and stable code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from strategies import persons
from territoires import AdministrativeStatus, DataError, Person, ProblemCode, cli
from territoires.problems import Problem

PERSONS = Path(__file__).resolve().parent / "data" / "persons"
D = dt.date
FIELDS = (
    "id",
    "status",
    "status_date",
    "first_permit_date",
    "cir_date",
    "birth_date",
    "birth_year",
    "residence",
)
THREE = (
    Person(
        id="P-0001",
        status=AdministrativeStatus.REFUGEE,
        status_date=D(2019, 3, 3),
        birth_date=D(1990, 5, 1),
        residence="38421",
    ),
    Person(
        id="P-0002",
        status=AdministrativeStatus.FAMILY_PERMIT,
        status_date=D(2021, 1, 10),
        first_permit_date=D(2020, 2, 29),
        cir_date=D(2020, 4, 15),
        birth_year=1995,
        residence="38185",
    ),
    Person(id="P-0003", status=AdministrativeStatus.STUDENT),
)


def problems_of(name: str) -> tuple[Problem, ...]:
    """The problems ``load_persons`` raises for ``tests/data/persons/NAME``."""
    with pytest.raises(DataError) as raised:
        territoires.load_persons(PERSONS / name)
    return raised.value.problems


def where(problems: tuple[Problem, ...]) -> list[tuple[str | None, str | None, str]]:
    """Record, field and code of each problem, sorted."""
    return sorted(((p.record, p.field, p.code.value) for p in problems), key=str)


# -- reading ------------------------------------------------------------------------------------


def test_a_single_person_object_is_read() -> None:
    """A JSON file holding one person object gives that one person."""
    assert territoires.load_persons(PERSONS / "one.json") == THREE[:1]


@pytest.mark.parametrize("name", ["list.json", "document.json", "excel.csv", "plain.csv"])
def test_every_shape_of_file_gives_the_same_persons(name: str) -> None:
    """A JSON list, a territoires/1 document and CSV tables give the same persons, in order."""
    assert territoires.load_persons(PERSONS / name) == THREE


def test_a_csv_from_a_french_spreadsheet_is_read() -> None:
    """A CSV with a BOM, ';', CRLF and dd/mm/yyyy dates is read, 29/02/2020 included."""
    raw = (PERSONS / "excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b";" in raw.splitlines()[0]
    assert b"\r\n" in raw
    assert b"29/02/2020" in raw
    loaded = territoires.load_persons(str(PERSONS / "excel.csv"))  # a str path works too
    assert loaded[1].first_permit_date == D(2020, 2, 29)
    assert loaded[0].id == "P-0001"  # the BOM is not part of the first column's name


@given(people=st.lists(persons(), min_size=1, max_size=5, unique_by=lambda p: p.id))
def test_every_person_reads_back_from_json_and_csv(people: list[Person]) -> None:
    """Any person the model admits, written as JSON or CSV with ISO dates, reads back equal."""
    rows = [
        {
            name: value.isoformat()
            if isinstance(value, dt.date)
            else value.value
            if isinstance(value, AdministrativeStatus)
            else value
            for name in FIELDS
            if (value := getattr(person, name)) is not None
        }
        for person in people
    ]
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        as_json = Path(folder) / "persons.json"
        as_json.write_text(json.dumps(rows), encoding="utf-8")
        as_csv = Path(folder) / "persons.csv"
        as_csv.write_text(table.getvalue(), encoding="utf-8")
        assert territoires.load_persons(as_json) == tuple(people)
        assert territoires.load_persons(as_csv) == tuple(people)


# -- problems -----------------------------------------------------------------------------------


def test_an_unknown_status_names_the_record_field_and_allowed_values() -> None:
    """A status that is not a value of the list is reported on its record, with the choices."""
    (problem,) = problems_of("bad-status.json")
    assert problem.file == str(PERSONS / "bad-status.json")
    assert (problem.record, problem.field, problem.code) == (
        "P-0002",
        "persons[1].status",
        ProblemCode.UNKNOWN_ENUM,
    )
    assert "'refugie'" in problem.message
    assert "asylum_seeker" in problem.message
    assert problem.format().startswith(
        f"{PERSONS / 'bad-status.json'}:P-0002:persons[1].status: 'refugie'"
    )
    assert problem.format().endswith("[unknown-enum]")


def test_a_date_that_does_not_exist_is_an_invalid_date() -> None:
    """30 February is reported as an invalid date on its record and field."""
    (problem,) = problems_of("bad-date.json")
    assert (problem.file, problem.record, problem.field, problem.code) == (
        str(PERSONS / "bad-date.json"),
        "P-0001",
        "persons[0].status_date",
        ProblemCode.INVALID_DATE,
    )
    assert "2019-02-30" in problem.message


def test_a_name_instead_of_a_pseudonym_is_refused() -> None:
    """An id like "Jean Dupont" is refused: persons are known by a pseudonymous id only."""
    (problem,) = problems_of("name-like-id.json")
    assert (problem.file, problem.field, problem.code) == (
        str(PERSONS / "name-like-id.json"),
        "persons[0].id",
        ProblemCode.INVALID_VALUE,
    )
    assert "never a name" in problem.message


def test_a_birth_year_disagreeing_with_the_birth_date_is_refused() -> None:
    """birth_year 1991 with a birth date in 1990 is reported on the birth_year field."""
    (problem,) = problems_of("birth-year-mismatch.json")
    assert (problem.file, problem.record, problem.field, problem.code) == (
        str(PERSONS / "birth-year-mismatch.json"),
        "P-0001",
        "persons[0].birth_year",
        ProblemCode.INVALID_VALUE,
    )
    assert "1990" in problem.message
    assert problem.value == "1991"


def test_an_unknown_field_is_refused_not_ignored() -> None:
    """A field the model does not keep (nationality) is an error: no sensitive data slips in."""
    (problem,) = problems_of("unknown-field.json")
    assert (problem.file, problem.record, problem.field, problem.code) == (
        str(PERSONS / "unknown-field.json"),
        "P-0001",
        "persons[0].nationality",
        ProblemCode.UNKNOWN_FIELD,
    )
    assert "'nationality'" in problem.message


def test_a_document_of_another_schema_is_refused() -> None:
    """A document of schema territoires/2 is refused, saying which schema is read."""
    (problem,) = problems_of("schema-v2.json")
    assert (problem.file, problem.field, problem.code) == (
        str(PERSONS / "schema-v2.json"),
        "schema",
        ProblemCode.UNSUPPORTED_SCHEMA,
    )
    assert "territoires/2" in problem.message
    assert "territoires/1" in problem.message


def test_invalid_json_says_where_it_breaks() -> None:
    """A truncated JSON file is reported as invalid JSON with its line."""
    (problem,) = problems_of("truncated.json")
    assert (problem.file, problem.record, problem.code) == (
        str(PERSONS / "truncated.json"),
        "line 2",
        ProblemCode.INVALID_JSON,
    )
    assert "truncated" in problem.message


def test_an_empty_file_is_reported_as_empty() -> None:
    """An empty file is one problem, empty-file, naming the file."""
    (problem,) = problems_of("empty.json")
    assert (problem.file, problem.record, problem.field, problem.code) == (
        str(PERSONS / "empty.json"),
        None,
        None,
        ProblemCode.EMPTY_FILE,
    )


def test_every_problem_of_a_csv_is_reported_at_once() -> None:
    """A CSV with four bad rows reports the four problems, each on its line and column."""
    problems = problems_of("bad.csv")
    assert {p.file for p in problems} == {str(PERSONS / "bad.csv")}
    assert where(problems) == [
        ("line 2", "status", "unknown-enum"),
        ("line 3", "status_date", "invalid-date"),
        ("line 4", "id", "invalid-value"),
        ("line 5", "birth_year", "invalid-value"),
    ]
    messages = {p.record: p.message for p in problems}
    assert "30/02/2019" in messages["line 3"]
    assert "never a name" in messages["line 4"]
    assert "1990" in messages["line 5"]


def test_a_missing_file_is_a_data_error_not_an_os_error() -> None:
    """A path that does not exist gives a DataError with an unreadable problem."""
    (problem,) = problems_of("no-such-file.json")
    assert problem.code is ProblemCode.UNREADABLE
    assert problem.file == str(PERSONS / "no-such-file.json")


def test_a_json_file_with_a_bom_is_read_as_json() -> None:
    """A .json file saved with a UTF-8 BOM (Windows Notepad) is never taken for a CSV table."""
    loaded: tuple[Person, ...] | None = None
    problems: tuple[Problem, ...] = ()
    try:
        loaded = territoires.load_persons(PERSONS / "bom.json")
    except DataError as error:
        problems = error.problems
    if loaded is not None:
        assert loaded == (Person(id="P-0001", status=AdministrativeStatus.REFUGEE),)
    else:  # refusing it is acceptable, as long as the problem is about JSON, not CSV columns
        assert {p.code for p in problems} == {ProblemCode.INVALID_JSON}, [
            p.format() for p in problems
        ]


@pytest.mark.parametrize(
    "content",
    ["[]", '{"schema": "territoires/1"}', '{"schema": "territoires/1", "persons": []}'],
)
def test_a_file_without_any_person_is_a_problem(tmp_path: Path, content: str) -> None:
    """A persons file that holds nobody is reported, not read as an empty batch."""
    path = tmp_path / "persons.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        territoires.load_persons(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.file) == (ProblemCode.EMPTY_FILE, str(path))


def test_a_person_id_used_twice_is_reported_with_both_places(tmp_path: Path) -> None:
    """Two persons sharing a pseudonymous id are reported, naming where it was first used."""
    path = tmp_path / "persons.csv"
    path.write_text("id,status\nP1,refugee\nP2,refugee\nP1,student\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        territoires.load_persons(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.record, problem.field) == (
        ProblemCode.DUPLICATE_ID,
        "P1",
        "persons[2].id",
    )
    assert "persons[0]" in problem.message


# -- the file the data-format reference documents ----------------------------------------------

DATA_FORMAT = Path(__file__).resolve().parent.parent / "docs" / "reference" / "data-format.md"


def documented_persons_file() -> str:
    """The JSON example of the section "A file of persons" of the data-format reference."""
    page = DATA_FORMAT.read_text(encoding="utf-8")
    section = page.split("### A file of persons", 1)[1].split("\n### ", 1)[0]
    return section.split("```json\n", 1)[1].split("```", 1)[0]


def run_cli(*argv: str) -> tuple[int, str]:
    """Run the command line in-process with the built-in plugins only; exit code and stdout."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
        code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def test_the_documented_persons_file_is_read_by_eligibility(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example file of the data-format reference, as written there, is decided upon."""
    text = documented_persons_file()
    assert '"schema"' not in text  # the documented form has no schema key
    path = tmp_path / "persons.json"
    path.write_text(text, encoding="utf-8")
    code, out = run_cli("eligibility", str(path), "--on", "2022-09-01", "--format", "json")
    assert (code, capsys.readouterr().err) == (0, "")
    people = {decision["person"] for decision in json.loads(out)["decisions"]}
    assert people == {person["id"] for person in json.loads(text)["persons"]}


def test_the_documented_persons_file_is_read_by_export_decisions(tmp_path: Path) -> None:
    """``export --what decisions --persons`` reads the documented example file too."""
    path = tmp_path / "persons.json"
    path.write_text(documented_persons_file(), encoding="utf-8")
    output = tmp_path / "decisions.csv"
    code, _ = run_cli(
        "export", "--what", "decisions", "--persons", str(path), "--on", "2022-09-01",
        "--format", "csv", "-o", str(output),
    )  # fmt: skip
    assert code == 0
    with output.open(encoding="utf-8") as handle:
        people = {row["person"] for row in csv.DictReader(handle)}
    assert people == {"P-0001", "P-0002"}


def test_the_documented_persons_file_with_another_schema_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schema key, optional, is checked when given: territoires/2 is refused, exit 2."""
    document = json.loads(documented_persons_file())
    path = tmp_path / "persons.json"
    path.write_text(json.dumps({"schema": "territoires/2", **document}), encoding="utf-8")
    code, out = run_cli("eligibility", str(path), "--on", "2022-09-01")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "[unsupported-schema]" in capsys.readouterr().err


def test_a_misspelt_key_of_a_persons_document_suggests_the_right_one(tmp_path: Path) -> None:
    """A key other than schema and persons is an unknown field that names the closest key."""
    document = json.loads(documented_persons_file())
    path = tmp_path / "persons.json"
    path.write_text(json.dumps({**document, "shema": "territoires/1"}), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        territoires.load_persons(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.field) == (ProblemCode.UNKNOWN_FIELD, "shema")
    assert "did you mean 'schema'?" in problem.message
