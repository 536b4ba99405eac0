"""Built-in plugin: the native file forms as export formats (``json``, ``csv``, ``datapackage``).

Each reads back what it writes: :func:`territoires.load` reads all three.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from territoires.formats import ExportFormat, ExportKind, Writer
from territoires.hookspecs import hookimpl
from territoires.io import Format, dump, load


def _writer(form: Format) -> Writer:
    def write(obj: Any, path: Path) -> None:
        dump(obj, path, format=form)

    return write


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register the three file forms of a dataset."""
    return [
        ExportFormat(
            name="json",
            label_fr="document JSON territoires/1",
            label_en="territoires/1 JSON document",
            suffix=".json",
            media_type="application/json",
            kinds=frozenset({ExportKind.DATASET}),
            write=_writer("json"),
            read=load,
            description="The whole dataset in the native, versioned JSON document.",
        ),
        ExportFormat(
            name="csv",
            label_fr="tableau CSV",
            label_en="CSV table",
            suffix=".csv",
            media_type="text/csv",
            kinds=frozenset({ExportKind.DATASET}),
            write=_writer("csv"),
            read=load,
            description="One table (participations or reports) as UTF-8 CSV with a comma.",
        ),
        ExportFormat(
            name="datapackage",
            label_fr="paquet de données Frictionless",
            label_en="Frictionless data package",
            suffix="",
            media_type="application/vnd.datapackage+json",
            kinds=frozenset({ExportKind.DATASET}),
            write=_writer("datapackage"),
            read=load,
            folder=True,
            description="A folder with datapackage.json, dataset.json and the CSV tables.",
        ),
    ]
