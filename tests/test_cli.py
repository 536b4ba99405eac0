"""The ``territoires`` command: exit codes, one line per problem, no traceback, demo output."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import territoires
from territoires import cli
from test_io_errors import BAD, CASES, Case


@pytest.fixture(scope="module")
def demo() -> territoires.Dataset:
    """The embedded demo dataset, as the commands without a path see it."""
    return territoires.demo.build()


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def assert_no_traceback(capsys: pytest.CaptureFixture[str], *texts: str) -> str:
    """Check that nothing printed holds a traceback; return what went to standard error."""
    captured = capsys.readouterr()
    for text in (*texts, captured.out, captured.err):
        assert "Traceback" not in text
    return captured.err


# -- validate --------------------------------------------------------------------------------------


def test_validate_accepts_the_demo(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``territoires validate`` on the embedded demo exits 0 and says there are no problems."""
    code, out = run("validate", "--lang", "en")
    assert code == cli.EXIT_OK
    (line,) = out.splitlines()
    assert line.startswith("demo: ")
    assert line.endswith(": no problems (synthetic data)")
    assert " 18 contracts, " in line
    assert f" {len(demo.participations):,} participations, " in line
    assert_no_traceback(capsys, out)


def _line_of(problem: Any, case: Case, lines: list[str]) -> str:
    """The one output line showing an expected problem of ``case``."""
    file = str(BAD / problem.file) if problem.file else str(case.path)
    prefix = f"{file}:{problem.record or ''}:{problem.field or ''}: "
    found = [
        line for line in lines if line.startswith(prefix) and line.endswith(f"[{problem.code}]")
    ]
    assert len(found) == 1, (prefix, lines)
    assert problem.fragment in found[0]
    return found[0]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_validate_prints_one_line_per_problem_and_the_right_exit_code(
    case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each malformed file exits 1 (data problems) or 2 (unreadable), one line per problem."""
    code, out = run("validate", str(case.path), "--lang", "en")
    assert_no_traceback(capsys, out)
    assert code == case.exit
    lines = out.splitlines()
    shown = {_line_of(problem, case, lines) for problem in case.problems}
    if case.check == "read":
        assert sorted(shown) == sorted(lines)
    else:
        assert sorted(shown) == sorted(lines[:-1])
        errors = len(case.problems)
        assert lines[-1].startswith(f"{case.path}: ")
        assert (
            lines[-1]
            .removesuffix(" (synthetic data)")
            .endswith(f": {errors} error{'s' if errors > 1 else ''}, 0 warnings")
        )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_validate_json_output_lists_the_problems(
    case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format json`` prints one JSON object whose problems carry code, record and field."""
    code, out = run("validate", str(case.path), "--format", "json")
    assert_no_traceback(capsys, out)
    assert code == case.exit
    document = json.loads(out)
    got = Counter((p["record"], p["field"], p["code"]) for p in document["problems"])
    assert got == Counter((p.record, p.field, p.code) for p in case.problems)
    assert all(p["severity"] == "error" and p["message"] for p in document["problems"])
    if case.check == "validate":
        assert document["summary"]["contracts"] == 1


def test_validate_reads_cp1252_with_the_encoding_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--encoding cp1252`` decodes a Windows Excel table, so its real problem shows."""
    code, out = run("validate", str(BAD / "cp1252-excel.csv"), "--encoding", "cp1252")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_DATA
    assert out.endswith(" [unknown-enum]\n")
    assert "'réfugié'" in out


def test_validate_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that does not exist is an unreadable input: exit 2 and one line naming it."""
    path = tmp_path / "absent.json"
    code, out = run("validate", str(path))
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert out == f"{path}::: no such file [unreadable]\n"


def test_validate_a_very_long_line_prints_a_short_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 2 MB line (standing for a 1 GB one, same code path) exits 2 with one short line."""
    path = tmp_path / "long.csv"
    path.write_text(
        "id,person,action,entry_date,status\np1,P1,dijon-01,2019-10-01,refugee\n"
        + "x" * 2_000_000
        + "\n",
        encoding="utf-8",
    )
    code, out = run("validate", str(path))
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert out.endswith(" [line-too-long]\n")
    assert out.count("\n") == 1
    assert len(out) < 500


# -- show ------------------------------------------------------------------------------------------


def test_show_prints_the_demo_contracts_in_french(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``show`` prints the synthetic banner, the 18 contracts, Dijon signed on 12/06/2019."""
    code, out = run("show")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert "*** DONNÉES SYNTHÉTIQUES" in out
    ids = [c.id for c in demo.contracts]
    assert len(ids) == 18
    assert all(re.search(rf"\s{re.escape(i)}\s", out) for i in ids)
    dijon = next(line for line in out.splitlines() if "ctair-dijon" in line)
    assert "Dijon" in dijon
    assert "12/06/2019" in dijon


def test_show_prints_in_english_on_a_given_date(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``show --lang en --on 2024-06-30`` prints English labels, ISO dates and that date."""
    code, out = run("show", "--lang", "en", "--on", "2024-06-30")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert "*** SYNTHETIC DATA" in out
    assert "DONNÉES" not in out
    assert "Situation on 2024-06-30" in out
    assert "Contracts by cohort" in out
    dijon = next(line for line in out.splitlines() if "ctair-dijon" in line)
    assert "Dijon" in dijon
    assert "2019-06-12" in dijon
    assert sum(1 for c in demo.contracts if re.search(rf"\s{re.escape(c.id)}\s", out)) == 18


def test_show_accepts_a_french_date(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--on 30/06/2024`` means the same day as ``--on 2024-06-30``."""
    assert run("show", "--on", "30/06/2024") == run("show", "--on", "2024-06-30")
    assert_no_traceback(capsys)


def test_show_json_lists_the_contracts(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``show --format json`` gives the contracts, the date and the synthetic flag to machines."""
    code, out = run("show", "--format", "json", "--on", "2024-06-30")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    document = json.loads(out)
    assert document["synthetic"] is True
    assert document["on"] == "2024-06-30"
    assert len(document["contracts"]) == 18
    dijon = next(c for c in document["contracts"] if c["contract"] == "ctair-dijon")
    assert dijon["signed_on"] == "2019-06-12"
    assert dijon["territory_name"] == "Dijon Métropole"
    assert document["budget_by_theme"]
    assert document["budget_by_funder"]


# -- geo -------------------------------------------------------------------------------------------


def test_geo_finds_clermont_ferrand_and_its_metropole(capsys: pytest.CaptureFixture[str]) -> None:
    """``geo "clermont ferrand"`` lists the commune 63113 and its métropole 246300701."""
    code, out = run("geo", "clermont ferrand")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    first_columns = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "63113" in first_columns
    assert "246300701" in first_columns


def test_geo_json_lists_references(capsys: pytest.CaptureFixture[str]) -> None:
    """``geo --format json`` gives ids, kinds and names."""
    code, out = run("geo", "clermont ferrand", "--format", "json", "--limit", "3")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    results = json.loads(out)["results"]
    assert len(results) <= 3
    assert {"63113", "246300701"} <= {r["id"] for r in results}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_geo_with_nonsense_exits_1(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A query matching no territory exits 1 (and says so in text, on standard error)."""
    code, out = run("geo", "xqzzkwv", "--format", fmt, "--lang", "en")
    err = assert_no_traceback(capsys, out)
    assert code == cli.EXIT_DATA
    if fmt == "text":
        assert "no territory matches 'xqzzkwv'" in err
        assert out == ""
    else:
        assert json.loads(out)["results"] == []


# -- demo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["package", "demo.json"], ids=["folder", "json"])
def test_demo_writes_a_dataset_that_validates(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --participations 500 --out X`` writes a folder or document ``validate`` accepts."""
    target = tmp_path / name
    code, out = run("demo", "--participations", "500", "--out", str(target), "--lang", "en")
    assert code == cli.EXIT_OK
    assert out == f"wrote {target} (500 participations, synthetic)\n"
    code, out = run("validate", str(target), "--lang", "en")
    assert_no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert " 500 participations, " in out
    assert out.endswith(": no problems (synthetic data)\n")


def test_demo_refuses_to_overwrite_a_user_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --out`` on a non-empty folder not written by territoires exits 2, touching nothing."""
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "rapport.txt").write_text("à garder\n", encoding="utf-8")
    code, out = run("demo", "--participations", "10", "--out", str(folder))
    err = assert_no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert err.startswith("territoires: ")
    assert "datapackage.json" in err
    assert [p.name for p in folder.iterdir()] == ["rapport.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


def test_demo_refuses_an_unknown_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``demo --out demo.ods`` exits 2 with a one-line message naming the accepted forms."""
    code, out = run("demo", "--participations", "10", "--out", str(tmp_path / "demo.ods"))
    err = assert_no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert err.startswith("territoires: ")
    assert ".json" in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# -- usage errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["show", "--on", "2024-02-30"],
        ["show", "--on", "demain"],
        ["show", "--lang", "de"],
        ["demo", "--participations", "-5"],
        ["demo", "--participations", "beaucoup"],
        ["validate", "--format", "xml"],
        ["geo"],
    ],
    ids=lambda argv: " ".join(argv) or "nothing",
)
def test_a_usage_error_exits_2_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong command line exits 2 with the usage and an error line, never a traceback."""
    with pytest.raises(SystemExit) as raised:
        cli.main(argv, out=io.StringIO())
    assert raised.value.code == cli.EXIT_USAGE
    err = assert_no_traceback(capsys)
    assert err.startswith("usage: territoires")
    assert "error: " in err


# -- progress --------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    """Standard error as if it were a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stderr", "shown"), [(io.StringIO, False), (_Terminal, True)], ids=["piped", "terminal"]
)
def test_progress_appears_only_on_a_terminal(
    stderr: Callable[[], io.StringIO],
    shown: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Progress goes to standard error, in the language asked, when it is a terminal only."""
    monkeypatch.delenv("TERRITOIRES_NO_PROGRESS", raising=False)
    stream = stderr()
    monkeypatch.setattr(sys, "stderr", stream)
    code, _ = run("validate", str(BAD / "duplicate-ids.json"))
    assert code == cli.EXIT_DATA
    assert (f"lecture de {BAD / 'duplicate-ids.json'}" in stream.getvalue()) is shown
    code, _ = run("validate", str(BAD / "duplicate-ids.json"), "--lang", "en")
    assert (f"reading {BAD / 'duplicate-ids.json'}" in stream.getvalue()) is shown
    if not shown:
        assert stream.getvalue() == ""


# -- the installed command -------------------------------------------------------------------------


def test_the_installed_console_script_validates_the_demo() -> None:
    """The ``territoires`` entry point installed with the package runs and exits 0 on the demo."""
    script = Path(sys.executable).with_name("territoires")
    assert script.is_file()
    done = subprocess.run(
        [str(script), "validate", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("demo: ")
    assert done.stdout.endswith(": no problems (synthetic data)\n")
    assert done.stderr == ""  # not a terminal: no progress, and no traceback


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path, fmt: str) -> None:
    """``validate ... | head`` on many problems stops quietly and still exits 1 (problems)."""
    header = "id,person,action,entry_date,status"
    rows = [f"p{n},P{n},a,32/13/2021,refugee" for n in range(20_000)]
    table = tmp_path / "many.csv"
    table.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "territoires", "validate", str(table), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.read(200)
    process.stdout.close()  # what `| head` does once it has its lines
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == cli.EXIT_DATA
    assert "Traceback" not in error


def test_importing_the_library_leaves_the_heavy_optional_parts_unloaded() -> None:
    """``import territoires`` loads neither the workbook, report and chart code nor entry points.

    Every command pays for the import; these load only when a workbook, a report or the
    installed plugins are asked for.
    """
    heavy = ["territoires.io._xlsx", "openpyxl", "territoires.report", "matplotlib"]
    heavy.append("importlib.metadata")
    script = f"import sys, territoires; print([m for m in {heavy!r} if m in sys.modules])"
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"


def test_workbooks_are_recognised_by_the_suffixes_the_workbook_reader_knows() -> None:
    """``load`` sends exactly the workbook suffixes to the workbook reader."""
    from territoires.io import _WORKBOOK_SUFFIXES, _xlsx

    assert _WORKBOOK_SUFFIXES == _xlsx.SUFFIXES
