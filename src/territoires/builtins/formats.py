"""Built-in plugin: the export formats (``json``, ``csv``, ``datapackage``, ``xlsx``, ``html``).

Each format with a reader reads back what it writes: :func:`territoires.load` reads datasets,
:func:`territoires.indicators.load_table` indicator tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from territoires.formats import ExportFormat, ExportKind
from territoires.hookspecs import hookimpl

_DATASET, _INDICATORS, _DECISIONS, _REPORT = (
    ExportKind.DATASET,
    ExportKind.INDICATORS,
    ExportKind.DECISIONS,
    ExportKind.REPORT,
)


def _kind(obj: object) -> ExportKind:
    from territoires.export import kind_of

    return kind_of(obj)


def _write_json(obj: Any, path: Path) -> None:
    from territoires.io import _outputs, dump

    kind = _kind(obj)
    if kind is _DATASET:
        dump(obj, path, format="json")
    elif kind is _INDICATORS:
        _outputs.write_indicators_json(obj, path)
    else:
        _outputs.write_decisions_json(obj, path)


def _write_csv(obj: Any, path: Path, dialect: str = "default") -> None:
    from territoires.io import _outputs

    kind = _kind(obj)
    if kind is _DATASET:
        _outputs.write_dataset_csv(obj, path, dialect)
    elif kind is _INDICATORS:
        _outputs.write_indicators_csv(obj, path, dialect)
    else:
        _outputs.write_decisions_csv(obj, path, dialect)


def _write_package(obj: Any, path: Path) -> None:
    from territoires.io import _outputs, dump

    if _kind(obj) is _DATASET:
        dump(obj, path, format="datapackage")
    else:
        _outputs.write_indicators_package(obj, path)


def _read(path: Path) -> Any:
    """Read back a dataset or an indicator table, whichever the file holds."""
    from territoires.io import _outputs, load

    if _outputs.holds_indicators(path):
        return _outputs.read_indicators(path)
    return load(path)


def _write_xlsx(obj: Any, path: Path) -> None:
    from territoires.io import _xlsx

    if _kind(obj) is _DATASET:
        _xlsx.write_dataset_xlsx(obj, path)
    else:
        _xlsx.write_indicators_xlsx(obj, path)


def _read_xlsx(path: Path) -> Any:
    from territoires.io import _xlsx

    return _xlsx.read_dataset_xlsx(path)


def _write_html(obj: Any, path: Path) -> None:
    from territoires.report import write_html

    write_html(obj, path)


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
            write=_write_json,
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
            write=_write_csv,
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
            write=_write_package,
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
            write=_write_xlsx,
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
    ]
