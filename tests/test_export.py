"""Exports: every built-in format reads back what it writes, and what it writes is safe.

Round trips are hypothesis properties over the formats and kinds each reader reads back
(``ExportFormat.reads``): datasets and indicator tables, in JSON, CSV (both dialects) and
data packages. Then the safety of what is written: participations only when asked, formula
injection neutralised, the French Excel dialect, data packages valid for the reference
validator, atomic writes, and the command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import territoires
from strategies import consistent_datasets
from territoires import WriteError, cli
from territoires.builtins.formats import _read
from territoires.disclosure import CellStatus
from territoires.eligibility import Decision
from territoires.formats import ExportKind
from territoires.indicators import IndicatorTable, compute_indicators
from territoires.io import load_table
from territoires.io._safe import TRIGGERS, neutralise, restore
from territoires.plugins import get_plugin_manager
from territoires.rules import EligibilityRule, Outcome, Verdict
from test_io_roundtrip import folder_datasets, tables

BUILTINS = get_plugin_manager(autoload=False)
DEMO = territoires.demo.build(participations=600)


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per hypothesis example."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def export(obj: Any, fmt: str, path: Path, **options: Any) -> Path:
    # Random datasets need not agree with the official geography: what is tested here is the
    # form of the files, not the data (test_cli_conventions.py tests the refusal).
    return territoires.export(
        obj, format=fmt, path=path, plugins=BUILTINS, allow_invalid=True, **options
    )


@st.composite
def indicator_tables(draw: st.DrawFn) -> IndicatorTable:
    """Indicator tables computed from random consistent datasets, at random thresholds."""
    data = draw(consistent_datasets(max_contracts=2, max_participations=6))
    period = draw(st.sampled_from(["2021", "2020-S2", "2019-03-01..2024-12-31"]))
    return compute_indicators(
        data,
        period=period,
        threshold=draw(st.integers(1, 12)),
        plugins=BUILTINS,
        level=draw(st.sampled_from([None, "national", ["action", "contract"]])),
        allow_invalid=True,  # data_errors then round-trips too
    )


# -- round trips ----------------------------------------------------------------------------------

SUFFIX = {"json": ".json", "csv": ".csv", "datapackage": ""}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(indicator_tables(), st.sampled_from(["json", "csv", "csv-fr", "datapackage"]))
def test_every_format_reads_back_the_indicator_table_it_wrote(
    table: IndicatorTable, choice: str
) -> None:
    """read(export(table)) is the published table, for JSON, CSV (both dialects), packages."""
    fmt = "csv" if choice == "csv-fr" else choice
    options = {"options": {"dialect": "excel-fr"}} if choice == "csv-fr" else {}
    if fmt == "csv" and not table.rows:
        # A CSV carries the period on its rows: an empty one cannot, and says so.
        with scratch() as folder:
            path = export(table, fmt, folder / "table.csv", **options)
            with pytest.raises(territoires.DataError, match="without rows has no period"):
                _read(path)
        return
    assert ExportKind.INDICATORS in BUILTINS.formats[fmt].reads
    with scratch() as folder:
        path = export(table, fmt, folder / f"table{SUFFIX[fmt]}", **options)
        back = _read(path)
        assert isinstance(back, IndicatorTable)
        assert back == table.published()
        assert [r.to_dict() for r in back] == [r.to_dict() for r in table]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(folder_datasets(), st.sampled_from(["json", "datapackage"]))
def test_every_format_reads_back_the_dataset_it_wrote(
    dataset: territoires.Dataset, fmt: str
) -> None:
    """load(export(dataset, participations=True)) == dataset, for JSON and data packages."""
    with scratch() as folder:
        path = export(dataset, fmt, folder / f"data{SUFFIX[fmt]}", participations=True)
        assert _read(path) == dataset


@given(tables(), st.sampled_from(["default", "excel-fr"]))
def test_a_csv_table_reads_back_in_either_dialect(
    dataset: territoires.Dataset, dialect: str
) -> None:
    """A participations or reports table exported as CSV loads back equal, in both dialects."""
    with scratch() as folder:
        path = export(
            dataset,
            "csv",
            folder / "table.csv",
            participations=True,
            options={"dialect": dialect},
        )
        assert territoires.load(path) == dataset


def test_the_reads_of_each_format_are_declared() -> None:
    """Which kinds each built-in format reads back is part of its registration."""
    reads = {name: fmt.reads for name, fmt in BUILTINS.formats.items()}
    assert reads == {
        "json": {ExportKind.DATASET, ExportKind.INDICATORS},
        "csv": {ExportKind.DATASET, ExportKind.INDICATORS},
        "datapackage": {ExportKind.DATASET, ExportKind.INDICATORS},
        "xlsx": {ExportKind.DATASET},
        "html": set(),
        "scdl": set(),
    }


# -- what may leave ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "datapackage"])
def test_participations_leave_only_when_asked(tmp_path: Path, fmt: str) -> None:
    """A dataset exported without the flag has no participation; the rest is intact."""
    path = export(DEMO, fmt, tmp_path / f"out{SUFFIX[fmt]}")
    written = territoires.load(path)
    assert DEMO.participations
    assert written.participations == ()
    assert written == attrs.evolve(DEMO, participations=())
    again = export(DEMO, fmt, tmp_path / f"again{SUFFIX[fmt]}", participations=True)
    assert territoires.load(again) == DEMO


def test_a_csv_of_participations_needs_the_flag(tmp_path: Path) -> None:
    """Without the flag, a table of participations has nothing left to write."""
    table = territoires.Dataset(participations=DEMO.participations[:5])
    with pytest.raises(territoires.FormatError):
        export(table, "csv", tmp_path / "p.csv")  # nothing to write: an empty dataset
    assert not (tmp_path / "p.csv").exists()
    written = export(table, "csv", tmp_path / "p.csv", participations=True)
    assert territoires.load(written) == table


def test_indicator_exports_carry_only_protected_cells(tmp_path: Path) -> None:
    """The indicators exported are the protected table: suppressed cells have no value.

    And one status for them all: primary and secondary suppression are never told apart.
    """
    table = compute_indicators(DEMO, period="2021", plugins=BUILTINS)
    kinds = {row.status for row in table if row.status.suppressed}
    assert kinds == {CellStatus.PRIMARY, CellStatus.SECONDARY}  # both are in the engine's table
    path = export(table, "csv", tmp_path / "i.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {r["status"] for r in rows} <= {"published", "suppressed", "undefined"}
    suppressed = [r for r in rows if r["status"] == "suppressed"]
    assert len(suppressed) == sum(row.status.suppressed for row in table)
    assert all(r["value"] == "" for r in suppressed)
    assert {r["threshold"] for r in rows} == {"11"}
    assert {r["synthetic"] for r in rows} == {"true"}


# -- formula injection ---------------------------------------------------------------------------


@given(st.text())
def test_neutralising_text_is_undone_exactly(text: str) -> None:
    """restore(neutralise(t)) == t, and a neutralised text never starts a formula."""
    assert restore(neutralise(text)) == text
    assert not neutralise(text)[:1] or neutralise(text)[0] not in TRIGGERS


@attrs.frozen
class _Formula:
    """A plugin whose rule gives reasons that a spreadsheet would run."""

    @territoires.hookimpl
    def register_eligibility_rules(self) -> list[EligibilityRule]:
        def judge(facts: Any) -> Verdict:
            return Verdict(
                outcome=Outcome.MET,
                reason_fr='=HYPERLINK("http://example.invalid","ok")',
                reason_en="+1 then -1 @ sum",
            )

        return [
            EligibilityRule(
                name="test.formula",
                label_fr="Formule",
                label_en="Formula",
                check=judge,
                source=territoires.Source(title="test"),
            )
        ]


def _decisions() -> list[Decision]:
    from territoires.eligibility import screen

    persons = territoires.load_persons(Path(__file__).parent / "data" / "persons" / "document.json")
    manager = get_plugin_manager(autoload=False, plugins=[("formula", _Formula())])
    return list(screen(persons, DEMO, on=dt.date(2022, 9, 1), plugins=manager))


@pytest.mark.parametrize("dialect", ["default", "excel-fr"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path, dialect: str) -> None:
    """Reasons starting with '=' or '+' are written after an apostrophe, in both dialects."""
    decisions = _decisions()
    assert decisions
    path = export(decisions, "csv", tmp_path / "d.csv", options={"dialect": dialect})
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if dialect == "excel-fr" else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    mine = [r for r in rows if r["rule"] == "test.formula"]
    assert mine
    assert {r["reason_fr"] for r in mine} == {'\'=HYPERLINK("http://example.invalid","ok")'}
    assert {r["reason_en"] for r in mine} == {"'+1 then -1 @ sum"}
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in TRIGGERS, cell


def test_decisions_export_as_json(tmp_path: Path) -> None:
    """Decisions in JSON are the decisions' own mapping, with their reasons as written."""
    decisions = _decisions()
    path = export(decisions, "json", tmp_path / "d.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["schema"] == "territoires-decisions/1"
    assert document["decisions"] == [d.to_dict() for d in decisions]


# -- the French Excel dialect --------------------------------------------------------------------


def test_the_excel_fr_dialect_is_what_french_excel_opens(tmp_path: Path) -> None:
    """BOM, semicolons, CRLF, DD/MM/YYYY dates and decimal commas."""
    table = compute_indicators(DEMO, period="2021", plugins=BUILTINS, level="national")
    path = export(table, "csv", tmp_path / "i.csv", options={"dialect": "excel-fr"})
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("indicator;level;territory;")
    assert ";01/01/2021;31/12/2021;" in first
    share = next(r for r in table if r.value is not None and r.value != int(r.value))
    assert f";{format(share.value, 'f').replace('.', ',')};" in text
    assert load_table(path) == table.published()


def test_an_unknown_dialect_or_option_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    """A bad dialect fails inside the writer: the previous file is left as it was."""
    table = compute_indicators(DEMO, period="2021", plugins=BUILTINS, level="national")
    target = export(table, "csv", tmp_path / "i.csv")
    before = target.read_bytes()
    with pytest.raises(territoires.FormatError, match="unknown CSV dialect 'excel-de'"):
        export(table, "csv", target, options={"dialect": "excel-de"})
    with pytest.raises(territoires.FormatError, match="has no option 'sep'"):
        export(table, "csv", target, options={"sep": ";"})
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.csv", "i.csv.certificate.json"]


def test_only_what_a_format_exports_is_accepted() -> None:
    """A format refuses other kinds; kind_of refuses what the library never exports."""
    with pytest.raises(territoires.FormatError, match="cannot export eligibility decisions"):
        export([], "datapackage", Path("never"))
    with pytest.raises(territoires.FormatError, match="cannot export a dict"):
        export({}, "json", Path("never.json"))


# -- data packages -------------------------------------------------------------------------------


def _frictionless_errors(descriptor: Path) -> list[str]:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(descriptor))
    return [str(error) for task in report.tasks for error in task.errors] + [
        str(error) for error in report.errors
    ]


def test_the_dataset_package_is_valid_for_the_reference_validator(tmp_path: Path) -> None:
    """The data package of a dataset passes ``frictionless validate``, fields documented."""
    folder = export(DEMO, "datapackage", tmp_path / "package", participations=True)
    assert _frictionless_errors(folder / "datapackage.json") == []
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in descriptor["resources"] if "schema" in r]
    for resource in tables:
        for field in resource["schema"]["fields"]:
            assert field.get("title"), field
            assert field.get("description"), field


def test_the_indicator_package_is_valid_for_the_reference_validator(tmp_path: Path) -> None:
    """The data package of an indicator table passes ``frictionless validate``."""
    table = compute_indicators(DEMO, period="2021", plugins=BUILTINS)
    folder = export(table, "datapackage", tmp_path / "indicators")
    assert _frictionless_errors(folder / "datapackage.json") == []
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert "synthétiques" in descriptor["title"]


# -- command line --------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(args), out=out)
    return code, out.getvalue()


def test_the_command_exports_indicators_for_french_excel(tmp_path: Path) -> None:
    """``export --what indicators --format csv --dialect excel-fr`` writes the protected table."""
    target = tmp_path / "indicateurs.csv"
    code, out = run(
        "export", "--what", "indicators", "--period", "2021", "--format", "csv",
        "--dialect", "excel-fr", "-o", str(target),
    )  # fmt: skip
    assert code == cli.EXIT_OK
    assert out == f"écrit : {target} au format csv (données synthétiques)\n"  # --lang fr
    table = load_table(target)
    assert table.period == territoires.Period.year(2021)
    assert table.synthetic is True


def test_the_command_exports_decisions(tmp_path: Path) -> None:
    """``export --what decisions --persons FILE`` screens them and writes the verdicts."""
    persons = Path(__file__).parent / "data" / "persons" / "document.json"
    target = tmp_path / "decisions.json"
    code, _ = run(
        "export", "--what", "decisions", "--persons", str(persons), "--on", "2022-09-01",
        "--format", "json", "-o", str(target),
    )  # fmt: skip
    assert code == cli.EXIT_OK
    assert json.loads(target.read_text(encoding="utf-8"))["decisions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--what", "decisions", "--format", "json"], "--what decisions needs --persons FILE"),
        (["--what", "indicators", "--format", "xlsx", "--threshold", "0"], "threshold '0'"),
        (["--what", "decisions", "--format", "datapackage"], "cannot export eligibility"),
    ],
)
def test_the_command_refuses_what_it_cannot_do_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Usage mistakes exit 2 with one line on stderr and write nothing."""
    code, out = run("export", *args, "-o", str(tmp_path / "out"))
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_the_command_exports_only_the_levels_and_indicators_asked_for(tmp_path: Path) -> None:
    """``--level`` and ``--indicator`` narrow an indicator export as they do ``indicators``."""
    target = tmp_path / "national.json"
    code, _ = run(
        "export", "--what", "indicators", "--period", "2021", "--level", "national",
        "--indicator", "beneficiaries", "--format", "json", "-o", str(target),
    )  # fmt: skip
    assert code == cli.EXIT_OK
    table = load_table(target)
    assert {r.level.value for r in table} == {"national"}
    assert {r.indicator for r in table} == {"beneficiaries"}


def test_the_package_has_flat_tables_of_contracts_actions_and_funding(tmp_path: Path) -> None:
    """Open-data readers get one row per contract, action and funding line, adding up."""
    folder = export(DEMO, "datapackage", tmp_path / "package")

    def rows(name: str) -> list[dict[str, str]]:
        text = (folder / f"{name}.csv").read_text(encoding="utf-8")
        return list(csv.DictReader(io.StringIO(text)))

    contracts, actions, funding = rows("contracts"), rows("actions"), rows("funding")
    assert [r["contract"] for r in contracts] == [c.id for c in DEMO.contracts]
    grenoble = next(r for r in contracts if r["contract"] == "ctair-grenoble")
    assert (grenoble["kind"], grenoble["territory"]) == ("ctair", "200040715")
    assert grenoble["signed_on"] == "2019-06-20"
    assert grenoble["end"] == "2021-12-31"
    assert grenoble["end_amended"] > grenoble["end"]  # the June 2022 avenant prolongs it
    assert grenoble["amendments"] == "1"
    for contract in contracts:
        mine = [a for a in actions if a["contract"] == contract["contract"]]
        assert len(mine) == int(contract["actions"])
        committed = sum(Decimal(a["committed"]) for a in mine if a["committed"])
        assert committed == Decimal(contract["committed"])
    for action in actions:
        key = (action["contract"], action["action"])
        lines = [f for f in funding if (f["contract"], f["action"]) == key]
        assert sum(Decimal(f["committed"]) for f in lines) == Decimal(action["committed"])
    assert {f["origin"] for f in funding} >= {"signature"}
    assert all(DEMO.party(f["funder"]) is not None for f in funding)


def test_a_folder_given_for_a_file_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writing a file format over a folder says so, names the folder, and leaves it alone."""
    (tmp_path / "kept.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WriteError, match="is a folder: give the name of a file"):
        export(DEMO, "json", tmp_path)
    code, out = run("report", "--period", "2021", "-o", str(tmp_path))
    assert out == ""
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert (
        err
        == f"territoires: cannot write {tmp_path}: is a folder: give the name of a file to write\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_a_format_declares_only_what_it_can_do() -> None:
    """A format reads back only with a reader and kinds it writes; options are keyword names."""
    from territoires.formats import ExportFormat

    def write(obj: object, path: Path) -> None:
        raise AssertionError("never called")

    common: dict[str, Any] = {
        "name": "demo-format",
        "label_fr": "démo",
        "label_en": "demo",
        "suffix": ".txt",
        "media_type": "text/plain",
        "kinds": frozenset({ExportKind.DATASET}),
        "write": write,
    }
    assert ExportFormat(**common).reads == frozenset()
    assert ExportFormat(**common, read=territoires.load).reads == {ExportKind.DATASET}
    with pytest.raises(ValueError, match="reads: no kinds: the format has no reader"):
        ExportFormat(**common, reads=frozenset({ExportKind.DATASET}))
    with pytest.raises(ValueError, match="reads: kinds the format writes"):
        ExportFormat(**common, read=territoires.load, reads=frozenset({ExportKind.INDICATORS}))
    with pytest.raises(ValueError, match="options: names of keyword arguments"):
        ExportFormat(**common, options=("Dialect!",))


@pytest.mark.parametrize("fmt", ["json", "csv", "datapackage", "xlsx"])
def test_no_published_output_tells_primary_from_secondary(tmp_path: Path, fmt: str) -> None:
    """Every written indicator file says "suppressed" only: the kind of secret would leak."""
    if fmt == "xlsx":
        pytest.importorskip("openpyxl")
    table = compute_indicators(DEMO, period="2021", plugins=BUILTINS)
    assert {r.status for r in table} >= {CellStatus.PRIMARY, CellStatus.SECONDARY}
    path = export(table, fmt, tmp_path / f"out{SUFFIX.get(fmt, '.xlsx')}")
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    texts = []
    for file in files:
        if file.suffix == ".xlsx":
            with zipfile.ZipFile(file) as book:
                texts += [book.read(name).decode("utf-8") for name in book.namelist()]
        else:
            texts.append(file.read_text(encoding="utf-8"))
    written = "\n".join(texts)
    assert "suppressed" in written
    for telling in ("primary", "secondary", "primaire", "secondaire"):
        assert telling not in written
