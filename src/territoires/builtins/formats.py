"""Built-in plugin: the export formats (json, csv, datapackage, xlsx, html, scdl).

Each format with a reader reads back what it writes: :func:`territoires.load` reads datasets,
:func:`territoires.io.load_table` indicator tables.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoires.exceptions import FormatError
from territoires.formats import ExportFormat, ExportKind
from territoires.hookspecs import hookimpl

if TYPE_CHECKING:
    from territoires.io.writers import Format

_DATASET, _INDICATORS, _DECISIONS, _REPORT, _SUBSIDIES = (
    ExportKind.DATASET,
    ExportKind.INDICATORS,
    ExportKind.DECISIONS,
    ExportKind.REPORT,
    ExportKind.SUBSIDIES,
)


def _kind(obj: object) -> ExportKind:
    from territoires.export import kind_of

    return kind_of(obj)


# Each writer writes where export() tells it, inside the one atomic routine: it calls the
# inner writers of territoires.io.writers, never dump(), which is atomic itself.


def _write_in(form: Format) -> Callable[..., None]:
    def write(obj: Any, path: Path, dialect: str = "default") -> None:
        from territoires.io import writers

        kind = _kind(obj)
        if kind is _DATASET:
            writers.write_dataset(obj, path, format=form, dialect=dialect)
        elif kind is _INDICATORS:
            writers.write_indicators(obj, path, format=form, dialect=dialect)
        elif form == "json" or form == "csv":
            writers.write_decisions(obj, path, format=form, dialect=dialect)
        else:  # pragma: no cover - export() checks the kinds a format declares
            raise FormatError(f"{form} cannot hold {kind.label_en}s")

    return write


def _read(path: Path) -> Any:
    """Read back a dataset or an indicator table, whichever the file holds."""
    from territoires.io import holds_indicators, load, load_table

    if holds_indicators(path):
        return load_table(path)
    return load(path)


def _read_xlsx(path: Path) -> Any:
    from territoires.io import load

    return load(path)


def _write_html(obj: Any, path: Path) -> None:
    from territoires.io import writers

    writers.write_report(obj, path)


def _write_scdl(obj: Any, path: Path) -> None:
    """Write a subsidy table as SCDL "subventions" 2.1.1: UTF-8, comma, one row per subsidy.

    Every cell is written as the text the schema expects (the SIRET as its 14 digits, dates
    as YYYY-MM-DD, amounts with a decimal point): a CSV holds text only, and it is the
    spreadsheet that may read a SIRET as a number when opening the file (see the how-to).
    """
    import csv

    from territoires.subsidies import FIELDS

    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for subsidy in obj.rows:
            writer.writerow(subsidy.row().values())


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register the built-in formats."""
    return [
        ExportFormat(
            name="json",
            label_fr="document JSON",
            label_en="JSON document",
            suffix=".json",
            media_type="application/json",
            kinds=frozenset({_DATASET, _INDICATORS, _DECISIONS}),
            write=_write_in("json"),
            read=_read,
            reads=frozenset({_DATASET, _INDICATORS}),
            description=(
                "A dataset as the native, versioned territoires/1 document; an indicator "
                "table as territoires-indicators/1; decisions as territoires-decisions/1."
            ),
        ),
        ExportFormat(
            name="csv",
            label_fr="tableau CSV",
            label_en="CSV table",
            suffix=".csv",
            media_type="text/csv",
            kinds=frozenset({_DATASET, _INDICATORS, _DECISIONS}),
            write=_write_in("csv"),
            read=_read,
            reads=frozenset({_DATASET, _INDICATORS}),
            options=("dialect",),
            description=(
                "One table (participations, reports, indicator cells or verdicts) with stable "
                "column names; dialect 'default' (UTF-8, comma, ISO dates) or 'excel-fr' "
                "(UTF-8 with BOM, semicolon, DD/MM/YYYY, decimal comma) for French Excel. "
                "Text cells that a spreadsheet would run as a formula are neutralised."
            ),
        ),
        ExportFormat(
            name="datapackage",
            label_fr="paquet de données Frictionless",
            label_en="Frictionless data package",
            suffix="",
            media_type="application/vnd.datapackage+json",
            kinds=frozenset({_DATASET, _INDICATORS}),
            write=_write_in("datapackage"),
            read=_read,
            folder=True,
            description=(
                "A folder with datapackage.json (a Table Schema per table, licence, sources) "
                "and its CSV tables, following schema.data.gouv.fr conventions."
            ),
        ),
        ExportFormat(
            name="xlsx",
            label_fr="classeur Excel",
            label_en="Excel workbook",
            suffix=".xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            kinds=frozenset({_DATASET, _INDICATORS}),
            write=_write_in("xlsx"),
            read=_read_xlsx,
            reads=frozenset({_DATASET}),
            description=(
                "One sheet per table, typed cells (dates, euros), frozen header; needs the "
                "'xlsx' extra (openpyxl)."
            ),
        ),
        ExportFormat(
            name="html",
            label_fr="rapport de comité de pilotage",
            label_en="steering-committee report",
            suffix=".html",
            media_type="text/html",
            kinds=frozenset({_REPORT}),
            write=_write_html,
            description=(
                "A self-contained HTML page: contracts, budget, indicators against targets, "
                "protected counts; charts with the 'report' extra (matplotlib)."
            ),
        ),
        ExportFormat(
            name="scdl",
            label_fr="subventions au format SCDL 2.1.1",
            label_en="subsidies in the SCDL 2.1.1 format",
            suffix=".csv",
            media_type="text/csv",
            kinds=frozenset({_SUBSIDIES}),
            write=_write_scdl,
            person_level=False,
            description=(
                "The subsidies a collectivité grants to operators, as the national SCDL "
                "'subventions' 2.1.1 CSV (schema.data.gouv.fr): UTF-8, comma, ISO dates, "
                "decimal point, SIRET as 14 digits."
            ),
        ),
    ]
