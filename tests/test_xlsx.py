"""Excel workbooks: datasets round-trip, cells are typed, operators' workbooks read, cells named."""

from __future__ import annotations

import datetime as dt
import sys
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

import territoires
from hostile_inputs_text import brest_dataset
from territoires import (
    ActionReport,
    AdministrativeStatus,
    DataError,
    Dataset,
    FormatError,
    Participation,
    Period,
    ProblemCode,
    PublicCategory,
    ReportCount,
    Sex,
)
from territoires.disclosure import CellStatus
from territoires.indicators import IndicatorRow, IndicatorTable, Level
from territoires.io import _xlsx
from territoires.measures import Dimension, Unit
from territoires.model import AgeBand, Contract, ContractKind, DatasetInfo, PublicScope, TargetKind
from test_io_roundtrip import _participation, folder_datasets, scratch

openpyxl = pytest.importorskip("openpyxl")

# Workbooks are written and fsynced: no deadline. Each example writes and reads a workbook in
# about 60 ms, so the profile's number of examples (dev 50, ci 100) stays within seconds.
WORKBOOKS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
ON = dt.date(2024, 3, 1)


def workbook_datasets() -> SearchStrategy[Dataset]:
    """Datasets a workbook holds: any, with distinct report ids (rows sharing one are one)."""
    return folder_datasets()


def _sample() -> Dataset:
    report = ActionReport(
        id="r1",
        action="dijon-01",
        period=Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31)),
        counts=(
            ReportCount(
                category=PublicCategory.REFUGEE,
                sex=Sex.FEMALE,
                age_band=AgeBand.FROM_18_TO_25,
                count=12,
            ),
        ),
        spent=Decimal("1250.50"),
    )
    return Dataset(
        info=DatasetInfo(title="Essai", synthetic=True),
        participations=(
            _participation(1, exit_date=dt.date(2020, 1, 31), residence="01053"),
            _participation(2),
        ),
        reports=(report,),
    )


def _operator_workbook(
    path: Path,
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    others: Sequence[str] = (),
) -> Path:
    """Write a workbook as an operator would: a Participations sheet typed by hand, and others."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Participations"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for title in others:
        workbook.create_sheet(title)
    workbook.save(path)
    return path


def _problems(path: Path) -> list[Any]:
    with pytest.raises(DataError) as caught:
        territoires.load(path)
    return list(caught.value.problems)


# -- round trips ----------------------------------------------------------------------------------


@WORKBOOKS
@given(workbook_datasets())
def test_a_dataset_written_as_a_workbook_reads_back_exactly(dataset: Dataset) -> None:
    """Any dataset (distinct report ids) dumped to .xlsx loads back equal to itself."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "data.xlsx")
        assert territoires.load(path) == dataset


def test_writing_the_same_dataset_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    """The workbook is reproducible: no clock in the zip entries or the document properties."""
    one = _xlsx.write_dataset_xlsx(_sample(), tmp_path / "a.xlsx", on=ON).read_bytes()
    two = _xlsx.write_dataset_xlsx(_sample(), tmp_path / "b.xlsx", on=ON).read_bytes()
    assert one == two


def test_a_long_document_is_cut_over_neutralised_cells(tmp_path: Path) -> None:
    """A document longer than a cell holds is split over column A, pieces neutralised."""
    dataset = Dataset(info=DatasetInfo(title="Long", description="=" * 40_000))
    path = territoires.dump(dataset, tmp_path / "long.xlsx")
    sheet = openpyxl.load_workbook(path)["territoires"]
    assert sheet["A1"].value == "territoires/1"
    pieces = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(pieces) >= 3
    assert all(len(piece) <= 32_767 for piece in pieces)
    assert pieces[1].startswith("'=")
    assert territoires.load(path) == dataset


def test_values_a_sheet_cannot_hold_as_such_still_read_back(tmp_path: Path) -> None:
    """Dates before 1900, amounts beyond 15 digits and texts XML refuses survive the trip."""
    dataset = Dataset(
        info=DatasetInfo(title="titre\x01\ufffe", description="a\uffffb", synthetic=True),
        participations=(_participation(1, entry_date=dt.date(1850, 1, 1)),),
        reports=(
            ActionReport(
                id="r1",
                action="dijon-01",
                period=Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30)),
                spent=Decimal("123456789012345.67"),
            ),
        ),
    )
    path = territoires.dump(dataset, tmp_path / "data.xlsx")
    assert territoires.load(path) == dataset
    book = openpyxl.load_workbook(path)
    assert book["Participations"]["D2"].value == "1850-01-01"
    assert book["Rapports"]["E2"].value == "123456789012345.67"


# -- typed cells ----------------------------------------------------------------------------------


def test_cells_are_typed_and_the_header_is_bold_frozen_and_filtered(tmp_path: Path) -> None:
    """Dates are dates (DD/MM/YYYY), euros numbers (€ format), counts ints; sheets as promised."""
    path = territoires.dump(_sample(), tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "À lire",
        "Participations",
        "Rapports",
        "Contrats",
        "Actions",
        "Financements",
        "territoires",
    ]
    assert book["territoires"].sheet_state == "hidden"
    people = book["Participations"]
    assert [c.value for c in people[1]] == [
        c.name for c in territoires.io._tables.PARTICIPATION_COLUMNS
    ]
    assert all(c.font.b for c in people[1])
    assert people.freeze_panes == "A2"
    assert people.auto_filter.ref == "A1:M3"
    assert people["D2"].value == dt.datetime(2019, 10, 1)
    assert people["D2"].is_date
    assert people["D2"].number_format == _xlsx.DATE_FORMAT
    assert people["E2"].value == dt.datetime(2020, 1, 31)
    assert people["E3"].value is None
    assert people["I2"].value == "01053"  # a commune code stays a text
    assert people["I2"].data_type == "s"
    assert 8 <= people.column_dimensions["A"].width <= 60
    reports = book["Rapports"]
    assert reports["E2"].value == 1250.5
    assert reports["E2"].number_format == _xlsx.EURO_FORMAT
    assert "€" in _xlsx.EURO_FORMAT
    assert reports["I2"].value == 12
    assert isinstance(reports["I2"].value, int)
    readme = list(book["À lire"].iter_rows(values_only=True))
    assert ("Attention", _xlsx._SYNTHETIC_NOTICE) in [tuple(row[:2]) for row in readme]
    assert _xlsx._SYNTHETIC_NOTICE.startswith("Données synthétiques")
    assert ("Données synthétiques", True) in [tuple(row[:2]) for row in readme]


def test_a_text_starting_with_a_formula_sign_is_neutralised_and_read_back(tmp_path: Path) -> None:
    """A title ``=1+1`` is stored as ``'=1+1`` (never a formula) and loads back as ``=1+1``."""
    contract = Contract(
        id="ctair-dijon",
        kind=ContractKind.CTAIR,
        territory="242100410",
        title="=1+1",
        period=Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)),
        public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
    )
    dataset = Dataset(contracts=(contract,))
    path = territoires.dump(dataset, tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(path)
    titles = [row[4] for row in book["Contrats"].iter_rows(min_row=2, values_only=True)]
    assert titles == ["'=1+1"]
    assert all(
        cell.data_type != "f"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )
    assert territoires.load(path).contracts[0].title == "=1+1"


def test_control_characters_xml_refuses_are_shown_and_still_read_back(tmp_path: Path) -> None:
    """A name with ESC and BEL shows their escapes in a sheet for people and loads back exact."""
    dataset = brest_dataset(territory="Brest \x1b[2J\x07 \u202eexe")
    path = territoires.dump(dataset, tmp_path / "data.xlsx")
    names = [
        row[3]
        for row in openpyxl.load_workbook(path)["Contrats"].iter_rows(min_row=2, values_only=True)
    ]
    assert names == ["Brest \\u001b[2J\\u0007 \u202eexe"]  # the override is allowed in XML: kept
    assert territoires.load(path) == dataset


# -- operators' workbooks -------------------------------------------------------------------------


def test_an_operator_workbook_with_reordered_columns_and_excel_types_loads(tmp_path: Path) -> None:
    """Columns in any order, dates as dates, ids and codes as numbers, blank rows, empty sheets."""
    path = _operator_workbook(
        tmp_path / "operateur.xlsx",
        ["status", "entry_date", "id", "person", "action", "residence", "exit_date"],
        [
            ["refugee", dt.datetime(2019, 6, 12), 12, "X81F2", "lyon-fle", 69123, None],
            [None, None, None, None, None, None, None],
            ["Refugee ", "13/06/2019", 13.0, "X81F3", "lyon-fle", 1053, "2020-01-31"],
            [],
        ],
        others=("Rapports", "Notes"),  # a template's empty sheet, a sheet of the operator's
    )
    dataset = territoires.load(path)
    assert dataset.participations == (
        Participation(
            id="12",
            person="X81F2",
            action="lyon-fle",
            entry_date=dt.date(2019, 6, 12),
            status=AdministrativeStatus.REFUGEE,
            residence="69123",
        ),
        Participation(
            id="13",
            person="X81F3",
            action="lyon-fle",
            entry_date=dt.date(2019, 6, 13),
            exit_date=dt.date(2020, 1, 31),
            status=AdministrativeStatus.REFUGEE,
            residence="01053",
        ),
    )
    assert dataset.info == DatasetInfo()


def test_bad_cells_are_reported_at_their_coordinates(tmp_path: Path) -> None:
    """A wrong date and an unknown status are reported at their cells, e.g. Participations!C14."""
    rows: list[list[object]] = [
        [f"p{n}", f"P{n:04d}", dt.datetime(2019, 10, n), "refugee", "dijon-01"]
        for n in range(1, 14)
    ]
    rows[2][0] = "a bad\nid"  # row 4; a line break in a cell must not shift the rows below
    rows[4] = [None] * 5  # row 6: a blank row is skipped, not renumbered
    rows[7][3] = "martian"  # row 9
    rows[12][2] = "32/13/2021"  # row 14
    header = ["id", "person", "entry_date", "status", "action"]
    path = _operator_workbook(tmp_path / "bad.xlsx", header, rows)
    problems = _problems(path)
    assert [(p.record, p.field, p.code) for p in problems] == [
        ("Participations!A4", "id", ProblemCode.INVALID_VALUE),
        ("Participations!D9", "status", ProblemCode.UNKNOWN_ENUM),
        ("Participations!C14", "entry_date", ProblemCode.INVALID_DATE),
    ]
    assert {p.file for p in problems} == {str(path)}
    assert problems[2].format().startswith(f"{path}:Participations!C14:entry_date: ")


def test_header_problems_point_at_the_header_cells(tmp_path: Path) -> None:
    """An unknown column, a repeated one and a value without a header are each located."""
    path = _operator_workbook(
        tmp_path / "header.xlsx",
        ["id", "person", "action", "entry_date", "status", "two\nlines", "id"],
        [
            ["p1", "P0001", "dijon-01", dt.datetime(2019, 10, 1), "refugee", "x", "p1", None, 3],
            ["p2", "P0002", "dijon-01", "2019-10-02", "lost", None, "p2"],
        ],
    )
    problems = _problems(path)
    assert [(p.record, p.code) for p in problems] == [
        ("Participations!F1", ProblemCode.UNKNOWN_COLUMN),
        ("Participations!G1", ProblemCode.UNKNOWN_COLUMN),
        ("Participations!I2", ProblemCode.UNKNOWN_COLUMN),
    ]


def test_inconsistent_report_rows_name_the_sheet_rows(tmp_path: Path) -> None:
    """A report whose rows disagree is reported at its cell, naming the other row, not a line."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Rapports"
    sheet.append(
        ["id", "action", "period_start", "period_end", "category", "sex", "age_band", "count"]
    )
    sheet.append([])
    sheet.append(
        ["r1", "a1", dt.datetime(2019, 1, 1), dt.datetime(2019, 6, 30), "refugee", "male", "40+", 3]
    )
    sheet.append(
        [
            "r1",
            "a2",
            dt.datetime(2019, 1, 1),
            dt.datetime(2019, 6, 30),
            "refugee",
            "female",
            "40+",
            4,
        ]
    )
    workbook.save(tmp_path / "rapports.xlsx")
    (problem,) = _problems(tmp_path / "rapports.xlsx")
    assert problem.record == "Rapports!A4"
    assert problem.code is ProblemCode.INCONSISTENT_ROWS
    assert "unlike row 3" in problem.message


def test_a_workbook_whose_tables_are_empty_says_so(tmp_path: Path) -> None:
    """A workbook whose only table sheet is empty is a problem, not an empty dataset."""
    path = _operator_workbook(tmp_path / "vide.xlsx", [], [])
    (problem,) = _problems(path)
    assert problem.code is ProblemCode.EMPTY_FILE
    assert problem.record == "Participations!1:1"


def test_a_damaged_hidden_document_is_reported_in_its_sheet(tmp_path: Path) -> None:
    """A hidden sheet of another schema version is reported at territoires!A1."""
    path = territoires.dump(_sample(), tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(path)
    book["territoires"]["A1"] = "territoires/9"
    book.save(path)
    (problem,) = _problems(path)
    assert problem.code is ProblemCode.UNSUPPORTED_SCHEMA
    assert problem.record == "territoires!A1"


# -- what is no dataset workbook ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"id,person\n", "cannot be read as an Excel workbook"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_that_is_no_workbook_is_a_clear_problem(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    """Text or nothing named .xlsx gives one problem saying so, never an openpyxl traceback."""
    path = tmp_path / "faux.xlsx"
    path.write_bytes(content)
    (problem,) = _problems(path)
    assert fragment in problem.message
    assert problem.file == str(path)


def test_a_zip_that_is_no_workbook_is_a_clear_problem(tmp_path: Path) -> None:
    """An archive that holds no workbook is reported as such."""
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    (problem,) = _problems(path)
    assert problem.code is ProblemCode.UNKNOWN_FORMAT
    assert "Excel workbook" in problem.message


def test_a_workbook_without_known_sheets_names_the_sheets_it_has(tmp_path: Path) -> None:
    """A workbook of other sheets says which sheet names are expected and which were found."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Feuil1"
    workbook.save(tmp_path / "autre.xlsx")
    (problem,) = _problems(tmp_path / "autre.xlsx")
    assert problem.code is ProblemCode.UNKNOWN_FORMAT
    assert "Participations" in problem.message
    assert "'Feuil1'" in problem.message


def test_without_openpyxl_workbooks_ask_for_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without openpyxl, reading or writing .xlsx raises FormatError naming the extra."""
    path = territoires.dump(_sample(), tmp_path / "data.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(FormatError, match=r'pip install "territoires\[xlsx\]"'):
        territoires.dump(_sample(), tmp_path / "other.xlsx")
    with pytest.raises(FormatError, match=r'pip install "territoires\[xlsx\]"'):
        territoires.load(path)
    assert not (tmp_path / "other.xlsx").exists()


# -- indicator tables -----------------------------------------------------------------------------


def _indicator_row(**changes: Any) -> IndicatorRow:
    fields: dict[str, Any] = {
        "indicator": "beneficiaries",
        "level": Level.CONTRACT,
        "territory": "242100410",
        "contract": "ctair-dijon",
        "action": None,
        "period": Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        "dimension": None,
        "category": None,
        "value": Decimal(120),
        "unit": Unit.PERSONS,
    }
    fields.update(changes)
    return IndicatorRow(**fields)


def test_an_indicator_table_is_written_with_typed_cells(tmp_path: Path) -> None:
    """Values are numbers formatted by unit, suppressed values empty with their status."""
    rows = (
        _indicator_row(
            target=Decimal(150), target_kind=TargetKind.PERIOD, achievement=Decimal("0.8")
        ),
        _indicator_row(
            dimension=Dimension.SEX, category="female", value=None, status=CellStatus.PRIMARY
        ),
        _indicator_row(indicator="committed_euros", value=Decimal("300000.50"), unit=Unit.EUROS),
        _indicator_row(indicator="share_women", value=Decimal("41.67"), unit=Unit.PERCENT),
    )
    table = IndicatorTable(
        rows=rows,
        period=Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        threshold=11,
        indicators={},
        synthetic=True,
    )
    path = _xlsx.write_indicators_xlsx(table, tmp_path / "indicateurs.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Indicateurs"]
    assert [c.value for c in sheet[1]] == list(rows[0].to_dict())
    assert sheet.freeze_panes == "A2"
    persons, suppressed, euros, percent = (list(sheet[n]) for n in range(2, 6))
    assert persons[9].value == 120
    assert isinstance(persons[9].value, int)
    assert persons[11].value == 150
    assert persons[12].value == "period"  # what the target is for
    assert persons[13].value == 0.8
    assert persons[13].number_format == _xlsx.FRACTION_FORMAT
    assert persons[5].value == dt.datetime(2021, 1, 1)
    assert persons[5].is_date
    assert suppressed[9].value is None
    assert suppressed[14].value == "suppressed"  # never "primary": see CellStatus
    assert euros[9].value == 300000.5
    assert euros[9].number_format == _xlsx.EURO_FORMAT
    assert percent[9].value == 41.67
    assert percent[9].number_format == "0.00"
    readme = [tuple(row[:2]) for row in book["À lire"].iter_rows(values_only=True)]
    assert ("Seuil de diffusion", 11) in readme
    assert ("Données synthétiques", True) in readme
    assert ("suppressed", CellStatus.SUPPRESSED.label_fr) in readme
    assert ("period", TargetKind.PERIOD.label_fr) in readme
    assert not [row for row in readme if row[0] in ("primary", "secondary")]
