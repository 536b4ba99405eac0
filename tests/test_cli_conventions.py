"""The conventions every command follows, played through the command line as a user meets them.

Outputs only from valid data (``--allow-invalid`` says otherwise, and the output says so);
results on standard output, problems on standard error; ``-`` for standard input and output;
no folder created silently; messages in the language of ``--lang`` with their plurals; the
dataset as a positional argument; one default for ``--level``; ``--territory`` by name.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from territoires import InvalidDataError, TerritoiresError, cli, limits
from territoires._messages import say
from territoires.indicators import compute_indicators
from territoires.plugins import get_plugin_manager
from territoires.report import build_report

BAD = Path(__file__).parent / "data" / "bad"
ONE_ERROR = BAD / "participation-before-action.json"  # entered the day before the action
TWO_ERRORS = BAD / "unknown-references.json"  # an unknown operator, an unknown action
UNREADABLE = BAD / "truncated.json"
PERSONS = Path(__file__).parent / "data" / "persons" / "list.json"
BUILTINS = get_plugin_manager(autoload=False)


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed plugins stay out: what is tested is the command line's own behaviour."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo dataset written as one JSON document (valid, synthetic)."""
    path = tmp_path_factory.mktemp("data") / "small.json"
    territoires.dump(territoires.demo.build(participations=300), path)
    return path


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed on stdout."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make ``data`` the process's standard input."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- 1. outputs only from valid data ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["indicators", "--format", "csv"],
        ["indicators"],
        ["export", "--what", "indicators", "--format", "csv", "-o", "{out}/i.csv"],
        ["export", "--what", "dataset", "--format", "json", "-o", "{out}/d.json"],
        ["export", "--what", "decisions", "--persons", str(PERSONS), "--format", "csv",
         "-o", "{out}/e.csv"],
        ["report", "-o", "{out}/r.html"],
    ],
    ids=["indicators-csv", "indicators-table", "export-indicators", "export-dataset",
         "export-decisions", "report"],
)  # fmt: skip
def test_a_dataset_with_errors_gives_no_output(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dataset with errors: exit 1, nothing on stdout, no file, the errors on stderr."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    command = [a.replace("{out}", str(out_dir)) for a in argv]
    code, out = run(command[0], str(TWO_ERRORS), *command[1:], "--period", "2021")
    err = capsys.readouterr().err
    assert code == cli.EXIT_DATA
    assert out == ""
    assert list(out_dir.iterdir()) == []
    assert (
        f"2 erreurs dans les données ; rien n'est écrit. Lancez `territoires validate {TWO_ERRORS}`"
        in err
    )
    assert "operator 'asso-2' is not one of the dataset's parties [unknown-reference]" in err
    assert "action 'dijon-99' does not exist [unknown-reference]" in err


def test_the_refusal_speaks_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    """With --lang en the refusal is in English, with the singular for one error."""
    code, out = run("indicators", str(ONE_ERROR), "--lang", "en", "--format", "json")
    err = capsys.readouterr().err
    assert (code, out) == (cli.EXIT_DATA, "")
    document = json.loads(err)  # --format json: the problems as JSON, for machines
    assert [p["code"] for p in document["problems"]] == ["participation-before-action"]
    code, out = run("indicators", str(ONE_ERROR), "--lang", "en")
    err = capsys.readouterr().err
    assert (
        f"{ONE_ERROR}: 1 error in the data; nothing was written. Run `territoires validate" in err
    )


def test_allow_invalid_writes_the_count_of_errors_into_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--allow-invalid produces the output, which says from how many errors (CSV, JSON, text)."""
    code, out = run("indicators", str(TWO_ERRORS), "--format", "csv", "--allow-invalid")
    err = capsys.readouterr().err
    assert code == cli.EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert {row["data_errors"] for row in rows} == {"2"}
    assert "2 erreurs" in err  # and a warning where people look
    code, out = run("indicators", str(TWO_ERRORS), "--format", "json", "--allow-invalid")
    assert json.loads(out)["data_errors"] == 2
    code, out = run("indicators", str(TWO_ERRORS), "--allow-invalid", "--lang", "en")
    assert "*** 2 ERRORS IN THE DATA ***" in out
    target = tmp_path / "i.json"
    code, out = run(
        "export", str(TWO_ERRORS), "--what", "indicators", "--format", "json", "-o", str(target),
        "--allow-invalid", "--lang", "en",
    )  # fmt: skip
    assert code == cli.EXIT_OK
    assert out == f"wrote {target} as json (synthetic data; 2 errors in the data)\n"
    assert territoires.io.load_table(target).data_errors == 2


def test_the_api_refuses_invalid_data_unless_allowed() -> None:
    """compute_indicators, build_report and export raise InvalidDataError, or count the errors."""
    dataset = territoires.load(TWO_ERRORS)
    for build in (
        lambda **kw: compute_indicators(dataset, period="2021", plugins=BUILTINS, **kw),
        lambda **kw: build_report(dataset, period="2021", plugins=BUILTINS, **kw),
    ):
        with pytest.raises(InvalidDataError) as raised:
            build()
        assert isinstance(raised.value, TerritoiresError)
        assert isinstance(raised.value, ValueError)
        assert [p.code.value for p in raised.value.problems] == ["unknown-reference"] * 2
        assert "2 errors" in str(raised.value)
        assert "territoires validate" in str(raised.value)
        assert build(allow_invalid=True).data_errors == 2
    valid = compute_indicators(territoires.demo.build(participations=50), period="2021",
                               plugins=BUILTINS, indicators=["contracts"])  # fmt: skip
    assert valid.data_errors == 0


def test_export_refuses_a_dataset_with_errors(tmp_path: Path) -> None:
    """territoires.export of a dataset with errors raises and writes nothing, unless allowed."""
    dataset = territoires.load(ONE_ERROR)
    target = tmp_path / "d.json"
    with pytest.raises(InvalidDataError):
        territoires.export(dataset, format="json", path=target, plugins=BUILTINS)
    assert not target.exists()
    territoires.export(dataset, format="json", path=target, plugins=BUILTINS, allow_invalid=True)
    assert territoires.load(target) == attrs.evolve(dataset, participations=())


def test_warnings_never_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dataset with warnings only (a control character in its title) gives its output."""
    demo = territoires.demo.build(participations=50)
    warned = attrs.evolve(demo, info=attrs.evolve(demo.info, title="Démo\x1b[2J"))
    assert territoires.validate(warned)  # warnings, no error
    path = tmp_path / "warned.json"
    territoires.dump(warned, path)
    code, out = run("indicators", str(path), "--format", "csv", "--period", "2021")
    assert code == cli.EXIT_OK
    assert {row["data_errors"] for row in csv.DictReader(io.StringIO(out))} == {"0"}


def test_an_unreadable_file_still_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that cannot be read is a usage error (2), as before, not invalid data."""
    target = tmp_path / "r.html"
    code, out = run("report", str(UNREADABLE), "-o", str(target))
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "invalid-json" in capsys.readouterr().err
    assert not target.exists()


# -- 5. standard input and output ------------------------------------------------------------------


def test_dash_reads_the_dataset_from_standard_input(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-`` as the dataset reads standard input: the same output as the file gives."""
    expected = run("indicators", str(small), "--format", "csv", "--period", "2021")
    stdin(monkeypatch, small.read_bytes())
    assert run("indicators", "-", "--format", "csv", "--period", "2021") == expected


def test_problems_of_standard_input_name_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate -`` lists the problems of standard input as ``<stdin>``'s, on stdout."""
    stdin(monkeypatch, ONE_ERROR.read_bytes())
    code, out = run("validate", "-")
    assert code == cli.EXIT_DATA
    first, summary = out.splitlines()
    assert first.startswith("<stdin>:p1:participations[0].entry_date: entered on 2019-08-31")
    assert summary.startswith("<stdin> : 0 territoire, 3 parties, 1 contrat, 1 action, ")
    assert summary.endswith(" : 1 erreur, 0 avertissement (données synthétiques)")


def test_standard_input_keeps_the_readers_bounds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Standard input longer than MAX_FILE_BYTES is refused (exit 2), as a file would be."""
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    stdin(monkeypatch, ONE_ERROR.read_bytes() + b" " * 2000)
    code, out = run("validate", "-")
    assert code == cli.EXIT_USAGE
    assert out.startswith("<stdin>::: standard input holds more than the 1,000 bytes")
    assert out.endswith("[too-large]\n")


def test_standard_input_is_read_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Persons and dataset cannot both come from standard input: exit 2, saying why."""
    stdin(monkeypatch, b"")
    code, out = run("eligibility", "-", "-", "--lang", "en")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "standard input (-) can be read once only" in capsys.readouterr().err


def test_persons_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``eligibility -`` reads the persons from standard input."""
    expected = run("eligibility", str(PERSONS), "--on", "2022-09-01")
    stdin(monkeypatch, PERSONS.read_bytes())
    assert run("eligibility", "-", "--on", "2022-09-01") == expected


def test_dash_output_writes_the_file_to_standard_output(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o -`` writes to stdout what ``-o FILE`` writes to the file; the line goes to stderr."""
    argv = ["export", str(small), "--what", "indicators", "--format", "csv", "--period", "2021"]
    target = tmp_path / "i.csv"
    assert run(*argv, "-o", str(target))[0] == cli.EXIT_OK
    capsys.readouterr()
    code, out = run(*argv, "-o", "-", "--lang", "en")
    err = capsys.readouterr().err
    assert code == cli.EXIT_OK
    assert out == target.read_text(encoding="utf-8")
    assert "wrote - as csv (synthetic data)" in err
    assert "certificate is not written" in err
    assert not Path("-").exists()
    code, out = run("report", str(small), "--period", "2021", "-o", "-")
    assert code == cli.EXIT_OK
    assert out.startswith("<!DOCTYPE html>")


def test_the_demo_goes_to_standard_output_and_reads_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --out -`` prints the JSON document, which ``validate -`` reads back."""
    code, out = run("demo", "--participations", "5", "--out", "-")
    assert code == cli.EXIT_OK
    assert "(5 participations, synthétiques)" in capsys.readouterr().err
    stdin(monkeypatch, out.encode("utf-8"))
    code, out = run("validate", "-", "--lang", "en")
    assert code == cli.EXIT_OK
    assert " 5 participations, " in out


def test_a_folder_format_cannot_go_to_standard_output(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data package (a folder) to ``-o -`` exits 2 and says why."""
    code, out = run("export", str(small), "--format", "datapackage", "-o", "-", "--lang", "en")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "writes a folder" in capsys.readouterr().err


# -- 5. no folder created silently ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "-o", "{missing}/r.html"],
        ["export", "--format", "json", "-o", "{missing}/d.json"],
        ["export", "--what", "indicators", "--format", "datapackage", "-o", "{missing}/pkg"],
        ["indicators", "--ledger", "{missing}/ledger.json"],
        ["demo", "--participations", "10", "--out", "{missing}/d.json"],
        ["new-plugin", "x-y", "--territory", "69123", "--out", "{missing}"],
    ],
    ids=["report", "export", "export-folder", "ledger", "demo", "new-plugin"],
)
def test_no_command_creates_a_missing_folder(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writing into a folder that does not exist exits 2, names it, and creates nothing."""
    missing = tmp_path / "nowhere" / "dir"
    code, out = run(*[a.replace("{missing}", str(missing)) for a in argv], "--lang", "en")
    err = capsys.readouterr().err
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert f"the folder {missing} does not exist" in err
    assert not (tmp_path / "nowhere").exists()


# -- 5. language and plurals ---------------------------------------------------------------------


def test_messages_are_french_by_default_with_plurals(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Summaries and "wrote" lines are French by default, English with --lang en."""
    code, out = run("validate", str(small))
    assert code == cli.EXIT_OK
    assert out.endswith(" : aucun problème (données synthétiques)\n")
    assert " 18 contrats, " in out
    code, out = run("validate", str(TWO_ERRORS))
    assert code == cli.EXIT_DATA
    assert out.endswith(" : 2 erreurs, 0 avertissement (données synthétiques)\n")
    target = tmp_path / "d.json"
    code, out = run("demo", "--participations", "1", "--out", str(target))
    assert code == cli.EXIT_OK
    assert out == f"écrit : {target} (1 participation, synthétiques)\n"
    _, out = run("demo", "--participations", "1", "--out", str(target), "--lang", "en")
    assert out == f"wrote {target} (1 participation, synthetic)\n"


@given(st.integers(0, 10**7))
def test_plurals_follow_each_language(value: int) -> None:
    """French takes the singular for 0 and 1, English for 1 only; numbers get separators."""
    french, english = say("data-errors", "fr", errors=value), say("data-errors", "en", errors=value)
    assert french.endswith(" erreur dans les données") is (value < 2)
    assert english.endswith(" error in the data") is (value == 1)
    assert int(french.split(" ")[0].replace("\u202f", "")) == value
    assert int(english.split(" ")[0].replace(",", "")) == value


def test_every_sentence_exists_in_both_languages() -> None:
    """say() fills a sentence in French and English alike."""
    assert say("data-errors", "fr", errors=1) == "1 erreur dans les données"
    assert say("data-errors", "en", errors=1000) == "1,000 errors in the data"


# -- 5. eligibility's dataset, --level, --territory ----------------------------------------------


def test_eligibility_takes_the_dataset_as_a_positional_argument(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``eligibility PERSONS DATASET`` is ``--data DATASET``, which still works with a warning."""
    positional = run("eligibility", str(PERSONS), str(small), "--on", "2022-09-01")
    assert capsys.readouterr().err == ""
    deprecated = run("eligibility", str(PERSONS), "--data", str(small), "--on", "2022-09-01")
    assert "--data est obsolète" in capsys.readouterr().err
    assert positional == deprecated
    assert positional[0] == cli.EXIT_OK
    code, out = run("eligibility", str(PERSONS), str(small), "--data", str(small))
    assert (code, out) == (cli.EXIT_USAGE, "")


def test_level_has_the_same_default_everywhere(small: Path, tmp_path: Path) -> None:
    """``indicators`` and ``export --what indicators`` give the same rows by default: all levels."""
    _, printed = run("indicators", str(small), "--format", "csv", "--period", "2021")
    target = tmp_path / "i.csv"
    run("export", str(small), "--what", "indicators", "--format", "csv", "--period", "2021",
        "-o", str(target))  # fmt: skip
    assert printed == target.read_text(encoding="utf-8")
    levels = {row["level"] for row in csv.DictReader(io.StringIO(printed))}
    assert levels == {"action", "contract", "territory", "national"}


@pytest.mark.parametrize("given_as", ["Grenoble", "grenoble alpes metropole", "38185"])
def test_territory_accepts_a_name_or_a_commune_within_a_contract(
    given_as: str, small: Path
) -> None:
    """A name, or a commune within the Métropole, selects the rows of Grenoble's contract."""
    argv = ["indicators", str(small), "--format", "csv", "--period", "2021", "--indicator",
            "beneficiaries"]  # fmt: skip
    expected = run(*argv, "--territory", "200040715")
    assert run(*argv, "--territory", given_as) == expected
    contracts = {row["contract"] for row in csv.DictReader(io.StringIO(expected[1]))}
    assert contracts - {""} == {"ctair-grenoble"}


def test_an_unknown_territory_exits_2_with_suggestions(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown name or code exits 2 with the suggestions ``geo`` gives."""
    code, out = run("indicators", str(small), "--territory", "xqzzkwv", "--lang", "en")
    err = capsys.readouterr().err
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "--territory 'xqzzkwv': unknown territory" in err
    code, out = run("report", str(small), "--territory", "242100411", "--lang", "en")
    err = capsys.readouterr().err
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "did you mean Dijon Métropole (242100410)?" in err


def test_a_workbook_says_how_many_errors_its_figures_come_from(tmp_path: Path) -> None:
    """An indicator workbook computed with --allow-invalid counts the errors in its readme."""
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "i.xlsx"
    code, _ = run(
        "export", str(TWO_ERRORS), "--what", "indicators", "--format", "xlsx", "--period",
        "2021", "-o", str(target), "--allow-invalid",
    )  # fmt: skip
    assert code == cli.EXIT_OK
    sheet = openpyxl.load_workbook(target)["À lire"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Erreurs dans les données"] == 2
