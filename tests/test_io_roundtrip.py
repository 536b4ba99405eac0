"""Every file form reads back exactly what it wrote, byte-stable, and French Excel files read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

import territoires
from strategies import action_reports, datasets, participations
from territoires import (
    ActionReport,
    AdministrativeStatus,
    Dataset,
    FormatError,
    Participation,
    Period,
    ProblemCode,
    PublicCategory,
    ReportCount,
    Sex,
)
from territoires.model import AgeBand

DATE_COLUMNS = frozenset({"entry_date", "exit_date", "period_start", "period_end"})
ENUM_COLUMNS = frozenset(
    {
        "status",
        "sex",
        "age_band",
        "employment",
        "housing",
        "french_entry",
        "french_exit",
        "category",
    }
)
# Files are written and fsynced: no deadline, since a slow disk must not fail a test.
FILES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(FILES, max_examples=25)


# -- strategies of datasets each form can hold -----------------------------------------------------


def _unique_report_ids(dataset: Dataset) -> Dataset:
    """Give reports distinct ids: in a table, rows sharing an id are one report by design."""
    reports = tuple(attrs.evolve(r, id=f"{r.id[:90]}-{i}") for i, r in enumerate(dataset.reports))
    return attrs.evolve(dataset, reports=reports)


def folder_datasets() -> SearchStrategy[Dataset]:
    """Datasets a data-package folder holds (any, with distinct report ids)."""
    return datasets().map(_unique_report_ids)


def participation_tables() -> SearchStrategy[Dataset]:
    """Datasets holding only participations, as a participations CSV does."""
    return st.lists(participations(), max_size=8).map(
        lambda rows: Dataset(participations=tuple(rows))
    )


def report_tables() -> SearchStrategy[Dataset]:
    """Datasets holding only reports with distinct ids, as a reports CSV does."""
    return st.lists(action_reports(), max_size=4, unique_by=lambda r: r.id).map(
        lambda rows: Dataset(reports=tuple(rows))
    )


def tables() -> SearchStrategy[Dataset]:
    """Datasets a CSV file holds: only participations or only reports."""
    return st.one_of(participation_tables(), report_tables())


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per hypothesis example (tmp_path is shared across examples)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def tree_bytes(path: Path) -> dict[str, bytes]:
    """The bytes of a file, or of every file of a folder by relative name."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))}


# -- round trips -----------------------------------------------------------------------------------


@SLOW
@given(datasets())
def test_the_json_document_reads_back_exactly(dataset: Dataset) -> None:
    """Any dataset written as a .json document loads back equal to itself."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "data.json")
        assert territoires.load(path) == dataset


@SLOW
@given(folder_datasets())
def test_the_data_package_folder_reads_back_exactly(dataset: Dataset) -> None:
    """Any dataset written as a data-package folder loads back equal, via folder or descriptor."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "package")
        assert path.is_dir()
        assert territoires.load(path) == dataset
        assert territoires.load(path / "datapackage.json") == dataset


@FILES
@given(participation_tables())
def test_the_participations_csv_reads_back_exactly(dataset: Dataset) -> None:
    """Participations written as a .csv table load back equal, row for row."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "participations.csv")
        assert territoires.load(path) == dataset


@FILES
@given(report_tables())
def test_the_reports_csv_reads_back_exactly(dataset: Dataset) -> None:
    """Reports written as a .csv table (long form) load back equal, counts included."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "reports.csv")
        assert territoires.load(path) == dataset


@SLOW
@given(folder_datasets(), tables())
def test_writing_twice_gives_byte_identical_files(dataset: Dataset, table: Dataset) -> None:
    """Writing the same dataset twice, to any form and any name, gives the same bytes."""
    with scratch() as folder:
        for first, second, data in (
            ("a.json", "b.json", dataset),
            ("a", "b", dataset),
            ("a.csv", "b.csv", table),
        ):
            one = tree_bytes(territoires.dump(data, folder / first))
            two = tree_bytes(territoires.dump(data, folder / second))
            again = tree_bytes(territoires.dump(data, folder / first))
            assert one == two == again


@SLOW
@given(datasets())
def test_the_json_document_declares_its_schema(dataset: Dataset) -> None:
    """A written document starts with ``"schema": "territoires/1"``, which tools can rely on."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "data.json")
        assert path.read_bytes().startswith(b'{\n  "schema": "territoires/1",\n')
        assert json.loads(path.read_bytes())["schema"] == territoires.io.SCHEMA


def test_the_data_package_descriptor_declares_its_schema_and_resources(tmp_path: Path) -> None:
    """A folder's datapackage.json names the schema and its resources, UTF-8.

    The document and the two tables are read back; the contracts, actions and funding lines
    are derived flat tables for open-data portals.
    """
    path = territoires.dump(Dataset(), tmp_path / "package")
    descriptor = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["territoires"]["schema"] == "territoires/1"
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {n: r["path"] for n, r in resources.items()} == {
        "dataset": "dataset.json",
        "participations": "participations.csv",
        "reports": "reports.csv",
        "contracts": "contracts.csv",
        "actions": "actions.csv",
        "funding": "funding.csv",
    }
    assert {r["encoding"] for r in resources.values()} == {"utf-8"}
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["datapackage.json", *(r["path"] for r in resources.values())]
    )


# -- forms that cannot hold a dataset refuse it ----------------------------------------------------


def _participation(n: int, **changes: object) -> Participation:
    fields: dict[str, object] = {
        "id": f"p{n}",
        "person": f"P{n:04d}",
        "action": "dijon-01",
        "entry_date": dt.date(2019, 10, n),
        "status": AdministrativeStatus.REFUGEE,
    }
    fields.update(changes)
    return Participation(**fields)  # type: ignore[arg-type]


def _report(rid: str, *counts: ReportCount, spent: str | None = "1250.50") -> ActionReport:
    return ActionReport(
        id=rid,
        action="dijon-01",
        period=Period(dt.date(2020, 1, 1), dt.date(2020, 6, 30)),
        counts=counts,
        spent=None if spent is None else Decimal(spent),
    )


def _count(sex: Sex, count: int) -> ReportCount:
    return ReportCount(
        category=PublicCategory.REFUGEE, sex=sex, age_band=AgeBand.FROM_18_TO_25, count=count
    )


@pytest.mark.parametrize(
    "dataset",
    [
        Dataset(participations=(_participation(1),), reports=(_report("r1"),)),
        territoires.load(Path(__file__).parent / "data" / "bad" / "spent-above-committed.json"),
    ],
    ids=["two-tables", "contracts"],
)
def test_a_csv_refuses_a_dataset_it_cannot_hold(tmp_path: Path, dataset: Dataset) -> None:
    """Writing contracts, or two tables, to one .csv raises FormatError and writes nothing."""
    with pytest.raises(FormatError):
        territoires.dump(dataset, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_csv_never_silently_drops_the_dataset_description(tmp_path: Path) -> None:
    """A table with a title and the synthetic flag is refused by .csv, or read back with them.

    ``info.synthetic`` promises that every output says the data is synthetic; a CSV that
    quietly drops it turns demonstration records into data that looks real.
    """
    dataset = Dataset(
        info=territoires.DatasetInfo(title="Démonstration", synthetic=True),
        participations=(_participation(1),),
    )
    try:
        path = territoires.dump(dataset, tmp_path / "participations.csv")
    except FormatError:
        assert list(tmp_path.iterdir()) == []
        return
    assert territoires.load(path) == dataset


@pytest.mark.parametrize("existing", [False, True], ids=["new", "over-a-package"])
def test_a_target_named_datapackage_json_reads_back(tmp_path: Path, existing: bool) -> None:
    """Dumping to ``.../datapackage.json`` either is refused or gives a path ``load`` reads back.

    ``read`` takes a path named datapackage.json for the descriptor of a package, so a JSON
    document written there must not make the file, or the package around it, unreadable.
    """
    folder = tmp_path / "package"
    previous = Dataset(participations=(_participation(2),))
    if existing:
        territoires.dump(previous, folder)
    dataset = Dataset(participations=(_participation(1),), reports=(_report("r1"),))
    try:
        path = territoires.dump(dataset, folder / "datapackage.json")
    except FormatError:
        if existing:
            assert territoires.load(folder) == previous
        return
    assert territoires.load(path) == dataset


def test_an_unknown_suffix_is_refused(tmp_path: Path) -> None:
    """A target whose suffix names no form raises FormatError instead of guessing."""
    with pytest.raises(FormatError, match=r"\.ods"):
        territoires.dump(Dataset(), tmp_path / "out.ods")
    assert list(tmp_path.iterdir()) == []


def test_reports_sharing_an_id_are_never_silently_merged(tmp_path: Path) -> None:
    """Two distinct reports with the same id either are refused or read back as two.

    In the long CSV form, rows sharing an id are one report: writing two reports with one
    id and reading them back must not quietly turn them into one with the counts of both.
    """
    dataset = Dataset(
        reports=(_report("r1", _count(Sex.FEMALE, 3)), _report("r1", _count(Sex.MALE, 4)))
    )
    for target in (tmp_path / "reports.csv", tmp_path / "package"):
        try:
            path = territoires.dump(dataset, target)
        except FormatError:
            continue
        loaded, problems = territoires.read(path)
        assert loaded == dataset or (loaded is None and problems), (target.name, loaded)


# -- French spreadsheets ---------------------------------------------------------------------------


def french_excel(canonical: str, *, padded: bool = True) -> str:
    """Rewrite a canonical CSV as French Excel saves it.

    ``;`` separator, a byte-order mark, CRLF line ends, ``dd/mm/yyyy`` dates (``d/m/yyyy``
    unless ``padded``), decimal commas and enumeration values in capitals.
    """
    rows = list(csv.reader(io.StringIO(canonical, newline="")))
    header = rows[0]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows[1:]:
        cells = []
        for name, cell in zip(header, row, strict=True):
            if cell and name in DATE_COLUMNS:
                day = dt.date.fromisoformat(cell)
                cell = day.strftime("%d/%m/%Y") if padded else f"{day.day}/{day.month}/{day.year}"
            elif cell and name == "spent":
                cell = cell.replace(".", ",")
            elif name in ENUM_COLUMNS:
                cell = cell.upper()
            cells.append(cell)
        writer.writerow(cells)
    return "\ufeff" + out.getvalue()


@FILES
@given(tables(), st.booleans())
def test_a_csv_saved_by_french_excel_reads_back_the_same(dataset: Dataset, padded: bool) -> None:
    """A table re-saved by French Excel (;, BOM, CRLF, 12/06/2019, 1250,5, REFUGEE) reads alike."""
    with scratch() as folder:
        path = territoires.dump(dataset, folder / "table.csv")
        excel = french_excel(path.read_text(encoding="utf-8"), padded=padded)
        path.write_bytes(excel.encode("utf-8"))
        assert territoires.load(path) == dataset


def test_the_french_excel_rewrite_really_is_french() -> None:
    """The simulated Excel file has the separator, dates, decimals and BOM the tests claim."""
    text = french_excel(
        "id,action,period_start,period_end,spent,category,sex,age_band,count\n"
        "r1,dijon-01,2020-01-01,2020-06-30,1250.50,refugee,female,18-25,3\n"
    )
    assert text == (
        "\ufeffid;action;period_start;period_end;spent;category;sex;age_band;count\r\n"
        "r1;dijon-01;01/01/2020;30/06/2020;1250,50;REFUGEE;FEMALE;18-25;3\r\n"
    )


# -- encodings -------------------------------------------------------------------------------------

NBSP = "\u00a0"


def _cp1252_participations(folder: Path) -> tuple[Dataset, Path]:
    """A participations table saved by Excel in cp1252, a non-breaking space on line 3.

    Ids, codes and values of these tables are ASCII; the one non-ASCII character a valid
    cell may hold is the non-breaking space Excel leaves around values, which cells ignore.
    """
    dataset = Dataset(participations=(_participation(1), _participation(2), _participation(3)))
    path = territoires.dump(dataset, folder / "participations.csv")
    lines = french_excel(path.read_text(encoding="utf-8")).split("\r\n")
    lines[2] = lines[2].replace("REFUGEE", f"REFUGEE{NBSP}")
    path.write_bytes("\r\n".join(lines).lstrip("\ufeff").encode("cp1252"))
    assert b"\xa0" in path.read_bytes()
    return dataset, path


def test_a_cp1252_table_reads_with_its_encoding_declared(tmp_path: Path) -> None:
    """A Windows Excel (cp1252) table reads as the same dataset with ``encoding="cp1252"``."""
    dataset, path = _cp1252_participations(tmp_path)
    assert territoires.load(path, encoding="cp1252") == dataset


def test_a_cp1252_table_without_its_encoding_names_the_line(tmp_path: Path) -> None:
    """Read as UTF-8, a cp1252 table gives one encoding problem naming its line and the fix."""
    _, path = _cp1252_participations(tmp_path)
    dataset, problems = territoires.read(path)
    assert dataset is None
    assert [(p.code, p.record, p.file) for p in problems] == [
        (ProblemCode.ENCODING, "line 3", str(path))
    ]
    assert "cp1252" in problems[0].message


def test_a_cp1252_value_is_decoded_before_it_is_checked(tmp_path: Path) -> None:
    """With cp1252 declared, a bad accented value is reported as written (``réfugié``)."""
    path = tmp_path / "p.csv"
    path.write_bytes(
        "id;person;action;entry_date;status\r\np1;P1;a;01/10/2019;réfugié\r\n".encode("cp1252")
    )
    _, problems = territoires.read(path, encoding="cp1252")
    assert [(p.code, p.record, p.field) for p in problems] == [
        (ProblemCode.UNKNOWN_ENUM, "line 2", "status")
    ]
    assert "'réfugié'" in problems[0].message


def test_a_cp1252_reports_table_with_excel_thousands_separators_reads(tmp_path: Path) -> None:
    """Amounts as French Excel writes them in cp1252 (``1 250,50``, a no-break space) read."""
    dataset = Dataset(reports=(_report("r1", _count(Sex.FEMALE, 1250), spent="1250.50"),))
    path = tmp_path / "reports.csv"
    path.write_bytes(
        (
            "id;action;period_start;period_end;spent;category;sex;age_band;count\r\n"
            f"r1;dijon-01;01/01/2020;30/06/2020;1{NBSP}250,50;refugee;female;18-25;1{NBSP}250\r\n"
        ).encode("cp1252")
    )
    assert territoires.load(path, encoding="cp1252") == dataset


def _reencode_package(folder: Path, declared: str | None) -> Path:
    """Re-save a package's participations.csv in cp1252; declare ``declared`` in its resource."""
    descriptor_path = folder / "datapackage.json"
    _, table = _cp1252_participations(folder)
    assert table == folder / "participations.csv"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "participations":
            if declared is None:
                del resource["encoding"]
            else:
                resource["encoding"] = declared
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    return table


def _package_with_participations(folder: Path) -> Dataset:
    dataset = Dataset(participations=(_participation(1), _participation(2), _participation(3)))
    territoires.dump(dataset, folder)
    return dataset


def test_a_data_package_resource_encoding_is_honoured(tmp_path: Path) -> None:
    """A package resource declaring ``"encoding": "cp1252"`` is decoded as cp1252."""
    folder = tmp_path / "package"
    dataset = _package_with_participations(folder)
    _reencode_package(folder, "cp1252")
    assert territoires.load(folder) == dataset


@pytest.mark.parametrize("declared", ["utf-8", None], ids=["declared-utf-8", "undeclared"])
def test_a_data_package_resource_in_another_encoding_names_the_file_and_line(
    tmp_path: Path, declared: str | None
) -> None:
    """A cp1252 resource declared (or defaulting to) UTF-8 gives an encoding problem on its line."""
    folder = tmp_path / "package"
    _package_with_participations(folder)
    table = _reencode_package(folder, declared)
    dataset, problems = territoires.read(folder)
    assert dataset is None
    assert [(p.code, p.record) for p in problems] == [(ProblemCode.ENCODING, "line 3")]
    assert Path(problems[0].file or "").resolve() == table.resolve()


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark (Excel's "CSV UTF-8") does not change the first column's name."""
    dataset = Dataset(participations=(_participation(1),))
    path = territoires.dump(dataset, tmp_path / "p.csv")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert territoires.load(path) == dataset
