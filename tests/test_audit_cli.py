"""``territoires audit``: published files audited together and against a ledger, exit codes.

The cases are those of issue 12: three periods each protected on its own (the year minus the
second semester gives the first back), a single table whose labels tell primary from
secondary suppression, files written by another tool, and inputs that cannot be audited.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import territoires
from territoires import (
    Action,
    ActionReport,
    AgeBand,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Theme,
    cli,
)
from territoires.indicators import compute_indicators
from territoires.io import fingerprint, record_release
from territoires.plugins import get_plugin_manager
from territoires.publication import release_of

D = dt.date
BUILTINS = get_plugin_manager(autoload=False)
GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole
YEAR = "2022"
PERIODS = ("2022", "2022-S1", "2022-S2")
COLUMNS = (
    "indicator,level,territory,contract,action,period_start,period_end,dimension,category,"
    "value,unit,target,achievement,status,threshold,synthetic"
)


def reported(first: int, second: int) -> Dataset:
    """One action without individual rows, ``first`` persons reported in S1, ``second`` in S2.

    They are refugee men aged 26-39; the year counts ``first + second``.
    """
    action = Action(id="a1", title="Logement", theme=Theme.HOUSING, period=Period.year(2022))
    contract = Contract(
        id="c1",
        kind=ContractKind.CTAIR,
        territory=GRENOBLE,
        title="CTAIR",
        period=Period.year(2022),
        public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
        signed_on=D(2021, 12, 1),
        actions=(action,),
    )

    def report(number: int, count: int) -> ActionReport:
        cell = ReportCount(
            category=PublicCategory.REFUGEE,
            sex=Sex.MALE,
            age_band=AgeBand.FROM_26_TO_39,
            count=count,
        )
        return ActionReport(
            id=f"r{number}", action="a1", period=Period.semester(2022, number), counts=(cell,)
        )

    return Dataset(
        info=DatasetInfo(title="Trois périodes (synthétique)", synthetic=True),
        contracts=(contract,),
        reports=(report(1, first), report(2, second)),
    )


def table(dataset: Dataset, period: str) -> territoires.IndicatorTable:
    """The operator-reported beneficiaries of ``period``, protected on their own (today's way)."""
    return compute_indicators(
        dataset, period=period, indicators=["reported_beneficiaries"], plugins=BUILTINS
    )


def write_periods(folder: Path, dataset: Dataset, periods: tuple[str, ...] = PERIODS) -> list[str]:
    """Write each period's table as CSV, each protected alone; return their paths."""
    folder.mkdir(exist_ok=True)
    paths = []
    for period in periods:
        path = folder / f"{period}.csv"
        territoires.export(table(dataset, period), format="csv", path=path, plugins=BUILTINS)
        paths.append(str(path))
    return paths


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process, in English; return its exit code and what it printed."""
    out = io.StringIO()
    # The summaries asserted here are the English ones (French is the default, tested in
    # test_cli_conventions.py).
    code = cli.main([*argv, "--lang", "en"], out=out)
    return code, out.getvalue()


def errors_of(capsys: pytest.CaptureFixture[str], out: str) -> str:
    """What went to standard error, after checking that nothing printed holds a traceback."""
    captured = capsys.readouterr()
    for text in (out, captured.out, captured.err):
        assert "Traceback" not in text
    return captured.err


# -- the three periods ---------------------------------------------------------------------------


def test_three_periods_protected_alone_expose_the_first_semester(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The year (25) minus S2 (20) gives S1 (5) back: the audit names that cell, exits 1."""
    paths = write_periods(tmp_path, reported(5, 20))
    code, out = run("audit", *paths)
    assert errors_of(capsys, out) == ""
    assert code == cli.EXIT_DATA
    lines = out.splitlines()
    assert lines[0] == "3 tables, 48 cells, 16 suppressed: 16 exposed"
    line = next(line for line in lines if line.startswith("reported_beneficiaries action a1 2"))
    assert line == (
        "reported_beneficiaries action a1 2022-S1: recovered exactly, known to count between "
        "1 person and the threshold minus one; persons [5, 5]; by: reported_beneficiaries "
        "action a1 2022 and 2022-S1 + 2022-S2 [2022.csv, 2022-S1.csv, 2022-S2.csv]"
    )
    # Every level gives it away, in every breakdown: nothing of S1 is protected.
    assert all("2022-S1" in line and "[5, 5]" in line for line in lines[1:])


def test_two_periods_out_of_three_leave_the_first_semester_protected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The year and S1 alone do not tell S1 (anywhere from 0 to 25): exit 0, "protected"."""
    paths = write_periods(tmp_path, reported(5, 20), ("2022", "2022-S1"))
    code, out = run("audit", *paths)
    assert errors_of(capsys, out) == ""
    assert (code, out) == (cli.EXIT_OK, "2 tables, 32 cells, 16 suppressed: protected\n")


def test_json_output_is_the_audit_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format json`` prints the report's document: counts, verdict, each cell's interval."""
    paths = write_periods(tmp_path, reported(5, 20))
    code, out = run("audit", *paths, "--format", "json")
    errors_of(capsys, out)
    document = json.loads(out)
    assert code == cli.EXIT_DATA
    assert document["tables"] == ["2022.csv", "2022-S1.csv", "2022-S2.csv"]
    assert (document["cells"], document["suppressed"], document["exposed"]) == (48, 16, 16)
    assert document["protected"] is False
    assert document["threshold"] == 11
    first = next(cell for cell in document["hidden"] if cell["level"] == "action")
    assert first["counts"] == [
        {"count": "persons", "low": 5, "high": 5, "exact": True, "witnessed": False}
    ]
    assert first["exposures"] == ["exact", "small"]


def test_the_threshold_given_is_the_one_the_rule_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At ``--threshold 3`` S1 = 5 is recovered exactly but not "small"; a bad one exits 2."""
    paths = write_periods(tmp_path, reported(5, 20))
    code, out = run("audit", *paths, "--threshold", "3")
    assert code == cli.EXIT_DATA
    assert out.splitlines()[1].startswith(
        "reported_beneficiaries action a1 2022-S1: recovered exactly; persons [5, 5]; by: "
    )
    code, out = run("audit", *paths, "--threshold", "nonsense")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert "threshold 'nonsense'" in errors_of(capsys, out)


# -- the ledger ----------------------------------------------------------------------------------


def record(ledger: Path, dataset: Dataset, period: str, released: dt.date) -> None:
    """Record the release of ``period`` (protected alone) in the ledger at ``ledger``."""
    release = release_of(
        table(dataset, period), fingerprint=fingerprint(dataset), released=released, label=period
    )
    record_release(ledger, release)


def test_a_new_file_is_audited_against_what_the_ledger_released(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """S1 and S2 in the ledger, the year as the new file: the audit finds S1 given back."""
    dataset = reported(5, 20)
    ledger = tmp_path / "ledger.json"
    record(ledger, dataset, "2022-S1", D(2022, 9, 1))
    record(ledger, dataset, "2022-S2", D(2023, 2, 1))
    (year,) = write_periods(tmp_path, dataset, ("2022",))
    code, out = run("audit", year, "--ledger", str(ledger))
    assert errors_of(capsys, out) == ""
    assert code == cli.EXIT_DATA
    assert out.splitlines()[0] == "3 tables, 48 cells, 16 suppressed: 16 exposed"
    assert (
        "reported_beneficiaries action a1 2022-S1: recovered exactly, known to count between "
        "1 person and the threshold minus one; persons [5, 5]; by: reported_beneficiaries "
        "action a1 2022 and 2022-S1 + 2022-S2 [2022.csv, 2022-S1 (2022-01-01..2022-06-30), "
        "2022-S2 (2022-07-01..2022-12-31)]"
    ) in out.splitlines()


def test_a_revised_file_is_audited_apart_from_the_figures_it_revises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A revised year is no contradiction: the ledger's older figures are an older data state.

    The ledger holds S1 (suppressed), S2 = 20 and the year = 25, which give S1 = 5 back; the
    new file revises the year to 27 after late reports. The old state is still exposed (it
    was published), and the new year is audited with S1 and S2 that it does not revise.
    """
    ledger = tmp_path / "ledger.json"
    before = reported(5, 20)
    for number, period in enumerate(PERIODS):
        record(ledger, before, period, D(2023, 1, 1 + number))
    (revised,) = write_periods(tmp_path, reported(7, 20), ("2022",))
    code, out = run("audit", revised, "--ledger", str(ledger), "--format", "json")
    assert errors_of(capsys, out) == ""
    document = json.loads(out)
    assert code == cli.EXIT_DATA
    assert document["states"] == [
        [
            "2022-S1 (2022-01-01..2022-06-30)",
            "2022-S2 (2022-07-01..2022-12-31)",
            "2022.csv",
        ],
        ["2022 (2022-01-01..2022-12-31)"],
    ]
    # In the newest state, 27 - 20: the first semester is 7 as far as the attacker can tell.
    first = next(
        cell
        for cell in document["hidden"]
        if cell["level"] == "action" and cell["dimension"] is None
    )
    assert (first["counts"][0]["low"], first["counts"][0]["high"]) == (7, 7)


def test_a_ledger_that_is_not_there_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--ledger`` naming nothing exits 2 rather than audit against an empty ledger."""
    paths = write_periods(tmp_path, reported(5, 20), ("2022",))
    code, out = run("audit", *paths, "--ledger", str(tmp_path / "nowhere.json"))
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert errors_of(capsys, out) == f"territoires: {tmp_path / 'nowhere.json'}: no ledger there\n"


# -- labels --------------------------------------------------------------------------------------

LABELLED = (
    # One table of 2021, as files were written before issue 12: 46 beneficiaries of an action,
    # 34 men; women (11) secondary, unspecified (1) primary.
    f"{COLUMNS}\n"
    "beneficiaries,action,200040715,c1,a1,2021-01-01,2021-12-31,,,46,persons,,,published,11,false\n"
    "beneficiaries,action,200040715,c1,a1,2021-01-01,2021-12-31,sex,male,34,persons,,,"
    "published,11,false\n"
    "beneficiaries,action,200040715,c1,a1,2021-01-01,2021-12-31,sex,female,,persons,,,"
    "secondary,11,false\n"
    "beneficiaries,action,200040715,c1,a1,2021-01-01,2021-12-31,sex,unspecified,,persons,,,"
    "primary,11,false\n"
)


def test_labels_give_a_single_table_away(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Labels give a breakdown away: with ``--labels`` both hidden cells, without them neither.

    Female + unspecified = 46 - 34 = 12, one secondary (0 or ≥ 11), one primary (1-10): 11
    and 1.
    """
    path = tmp_path / "2021.csv"
    path.write_text(LABELLED, encoding="utf-8")
    code, out = run("audit", str(path), "--labels")
    assert errors_of(capsys, out) == ""
    assert code == cli.EXIT_DATA
    lines = out.splitlines()
    assert lines[0] == "1 table, 4 cells, 2 suppressed: 2 exposed"
    assert lines[1].startswith(
        "beneficiaries action a1 sex=female 2021: recovered exactly; persons [11, 11]; by: "
    )
    assert lines[2].startswith(
        "beneficiaries action a1 sex=unspecified 2021: recovered exactly, known to count "
        "between 1 person and the threshold minus one; persons [1, 1]; by: "
    )
    assert lines[2].endswith(
        "beneficiaries action a1 2021: total and its breakdown by sex [2021.csv]; "
        "label 'secondary' of beneficiaries action a1 sex=female 2021"
    )
    code, out = run("audit", str(path))
    assert (code, out) == (cli.EXIT_OK, "1 table, 4 cells, 2 suppressed: protected\n")
    assert "audit with --labels" in errors_of(capsys, out)


# -- files from elsewhere, and files that cannot be audited ------------------------------------


def test_a_csv_written_by_another_tool_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A foreign CSV is audited like the library's: the three periods give S1 back.

    Its columns come in another order, optional ones are left out, with ``;``, French dates
    and a decimal comma.
    """
    header = (
        "status;indicator;level;territory;action;contract;period_start;period_end;value;unit;"
        "threshold"
    )
    rows = [
        ("published", "2021-01-01", "2021-12-31", "25"),
        ("suppressed", "01/01/2021", "30/06/2021", ""),
        ("published", "2021-07-01", "2021-12-31", "20,0"),
    ]
    path = tmp_path / "reported.csv"
    paths = []
    for number, (status, start, end, value) in enumerate(rows):
        path = tmp_path / f"period-{number}.csv"
        path.write_text(
            f"{header}\n{status};reported_beneficiaries;action;{GRENOBLE};a1;c1;{start};{end};"
            f"{value};persons;11\n",
            encoding="utf-8",
        )
        paths.append(str(path))
    code, out = run("audit", *paths)
    assert errors_of(capsys, out) == ""
    assert code == cli.EXIT_DATA
    assert out.splitlines() == [
        "3 tables, 3 cells, 1 suppressed: 1 exposed",
        "reported_beneficiaries action a1 2021-S1: recovered exactly, known to count between "
        "1 person and the threshold minus one; persons [5, 5]; by: reported_beneficiaries "
        "action a1 2021 and 2021-S1 + 2021-S2 [period-0.csv, period-1.csv, period-2.csv]",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            COLUMNS.replace("category", "categorie") + "\n",
            "bad.csv:line 1:: not an indicator table (unknown categorie; the columns are ",
            id="misspelt-column",
        ),
        pytest.param(
            "id,person,action,entry_date,status\np1,X81F2,a1,2022-01-01,refugee\n",
            "bad.csv:line 1:: not an indicator table (missing indicator, level, territory",
            id="participations",
        ),
        pytest.param(
            COLUMNS
            + "\nbeneficiaries,regional,FR,,,2022-01-01,2022-12-31,,,3,persons,,,published,11,\n",
            "bad.csv:line 2:level: level: expected one of action, contract, territory, national",
            id="bad-level",
        ),
        pytest.param("", "bad.csv:line 1:: not an indicator table", id="empty"),
    ],
)
def test_input_that_is_not_an_indicator_table_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    """A file that cannot be read as a table exits 2 (never 1, "exposed"), naming file and row."""
    (tmp_path / "bad.csv").write_text(content, encoding="utf-8")
    good = write_periods(tmp_path, reported(5, 20), ("2022",))
    code, out = run("audit", *good, str(tmp_path / "bad.csv"))
    errors = errors_of(capsys, out).replace(str(tmp_path) + "/", "")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert errors.startswith(expected), errors


def test_a_missing_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FILE that does not exist exits 2, naming it, without a traceback."""
    code, out = run("audit", str(tmp_path / "absent.csv"))
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert errors_of(capsys, out).startswith(f"{tmp_path / 'absent.csv'}::: ")


def test_a_cell_published_twice_with_two_values_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two new files disagreeing on a published cell are no one state of the data: exit 2."""
    first = write_periods(tmp_path / "a", reported(5, 20), ("2022",))
    second = write_periods(tmp_path / "b", reported(7, 20), ("2022",))
    code, out = run("audit", *first, *second)
    assert (code, out) == (cli.EXIT_USAGE, "")
    errors = errors_of(capsys, out)
    assert "reported_beneficiaries action a1 2022" in errors
    assert "25 in 2022.csv, 27 in 2022.csv [" in errors
