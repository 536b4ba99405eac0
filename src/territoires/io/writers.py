"""The writers of what the library outputs: each writes one file or folder where it is told.

These writers are not atomic on their own, on purpose: :func:`territoires.dump` and
:func:`territoires.export` call them through the library's one atomic routine, which gives
them a path in a private work folder and moves the result over the target in one step once
they have finished. Call :func:`~territoires.dump` or :func:`~territoires.export` to write a
file; a plugin's export format (whose writer :func:`~territoires.export` calls the same way)
may call these to write one of the built-in shapes into the path it was given.

========================  ==========================================  =======================
What                      Forms                                       Writer
========================  ==========================================  =======================
a dataset                 json, csv, datapackage, xlsx                :func:`write_dataset`
an indicator table        json, csv, datapackage, xlsx                :func:`write_indicators`
eligibility decisions     json, csv                                   :func:`write_decisions`
a report                  html                                        :func:`write_report`
========================  ==========================================  =======================

CSV is written in one of two dialects: ``default`` (UTF-8, comma, ISO dates) or ``excel-fr``
(UTF-8 with a byte-order mark, semicolon, DD/MM/YYYY dates, decimal comma).

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pathlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

import attrs
import cattrs

from territoires.exceptions import FormatError
from territoires.io import _flat, _json, _outputs, _package, _tables
from territoires.io._converter import make_converter
from territoires.model.dataset import Dataset, DatasetInfo

# A signature naming a type imported for type checking only says pathlib.Path, not Path:
# autodoc then reads its annotations as text, and finds pathlib.Path in the docs, not Path.
if TYPE_CHECKING:
    from territoires.eligibility import Decision
    from territoires.indicators import IndicatorTable
    from territoires.report import Report

__all__ = [
    "Format",
    "write_dataset",
    "write_decisions",
    "write_indicators",
    "write_indicators_to",
    "write_report",
]

Format = Literal["json", "csv", "datapackage", "xlsx"]
"""The forms a dataset or an indicator table is written in."""


@functools.cache
def default_converter() -> cattrs.Converter:
    """The project's converter, built once (see :func:`territoires.io.make_converter`)."""
    return make_converter()


def _text(path: Path) -> TextIO:
    return open(path, "w", encoding="utf-8", newline="")


def single_table(dataset: Dataset) -> str:
    """Return the one table a CSV file of ``dataset`` holds: participations or reports.

    Raises:
        FormatError: the dataset holds more than one table, or anything but tables.
    """
    has = {
        "participations": bool(dataset.participations),
        "reports": bool(dataset.reports),
        "other": bool(dataset.contracts or dataset.parties or dataset.territories)
        or dataset.info != DatasetInfo(),
    }
    if has["other"] or (has["participations"] and has["reports"]):
        raise FormatError(
            "a CSV file holds one table (participations or reports) and nothing else; write a "
            ".json document or a folder to keep contracts, parties, territories and the "
            "dataset's description (including whether it is synthetic)"
        )
    return "reports" if has["reports"] else "participations"


def write_dataset(
    dataset: Dataset,
    path: Path,
    *,
    format: Format,
    dialect: str = "default",
    converter: cattrs.Converter | None = None,
    on: dt.date | None = None,
) -> None:
    """Write ``dataset`` at ``path`` (an existing empty folder for a data package).

    Args:
        dataset: What to write.
        path: Where (see the module: a path the atomic routine gives).
        format: ``json`` (the ``territoires/1`` document), ``csv`` (its one table),
            ``datapackage`` (a Frictionless folder) or ``xlsx`` (a workbook).
        dialect: The CSV dialect, for ``csv``.
        converter: The converter of the document (the project's by default).
        on: For workbooks: the date contract statuses are given on (today by default).

    Raises:
        FormatError: the format cannot hold the dataset; openpyxl is missing for ``xlsx``.
    """
    chosen = converter or default_converter()
    if format == "json":
        with _text(path) as stream:
            _json.write_json(dataset, stream, chosen)
    elif format == "csv":
        french = _outputs.check_dialect(dialect) == "excel-fr"
        table = single_table(dataset)
        with _text(path) as stream:
            _write_table(dataset, table, stream, french=french)
    elif format == "xlsx":
        from territoires.io import _xlsx

        _xlsx.write_dataset_xlsx(dataset, path, converter=chosen, on=on)
    elif format == "datapackage":
        _write_package(dataset, path, chosen)
    else:
        raise FormatError(f"no dataset form named {format!r} (json, csv, datapackage, xlsx)")


def _write_table(dataset: Dataset, table: str, stream: TextIO, *, french: bool = False) -> None:
    if table == "participations":
        _tables.write_participations(dataset.participations, stream, french=french)
    else:
        _tables.write_reports(dataset.reports, stream, french=french)


def _write_package(dataset: Dataset, folder: Path, converter: cattrs.Converter) -> None:
    descriptor = _package.descriptor_for(dataset, schema=_json.SCHEMA)
    with _text(folder / _package.DESCRIPTOR) as stream:
        stream.write(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")
    document = attrs.evolve(dataset, participations=(), reports=())
    with _text(folder / _package.RESOURCES["dataset"]) as stream:
        _json.write_json(document, stream, converter)
    for table in ("participations", "reports"):
        with _text(folder / _package.RESOURCES[table]) as stream:
            _write_table(dataset, table, stream)
    _flat.write_tables(dataset, folder)


def write_indicators(
    table: IndicatorTable, path: pathlib.Path, *, format: Format, dialect: str = "default"
) -> None:
    """Write an indicator table at ``path`` (an existing empty folder for a data package).

    ``json`` is a ``territoires-indicators/1`` document; ``csv`` one row per cell with the
    period, threshold and synthetic flag on every row; ``datapackage`` ``indicators.csv`` with
    its Table Schema; ``xlsx`` a workbook with typed cells. All but ``xlsx`` read back with
    :func:`territoires.io.load_table`.

    Raises:
        FormatError: an unknown form or dialect; openpyxl is missing for ``xlsx``.
    """
    if format == "json" or format == "csv":
        with _text(path) as stream:
            write_indicators_to(table, stream, format=format, dialect=dialect)
    elif format == "datapackage":
        _outputs.write_indicators_package(table, path)
    elif format == "xlsx":
        from territoires.io import _xlsx

        _xlsx.write_indicators_xlsx(table, path)
    else:
        raise FormatError(f"no indicator form named {format!r} (json, csv, datapackage, xlsx)")


def write_indicators_to(
    table: IndicatorTable,
    stream: TextIO,
    *,
    format: Literal["json", "csv"],
    dialect: str = "default",
) -> None:
    """Write an indicator table to an open text stream, as :func:`write_indicators` would.

    Raises:
        FormatError: an unknown form or dialect.
    """
    if format == "json":
        _outputs.write_indicators_json_to(table, stream)
    elif format == "csv":
        _outputs.write_indicators_csv_to(table, stream, dialect)
    else:
        raise FormatError(f"no streamed indicator form named {format!r} (json, csv)")


def write_decisions(
    decisions: Sequence[Decision],
    path: pathlib.Path,
    *,
    format: Literal["json", "csv"],
    dialect: str = "default",
) -> None:
    """Write eligibility decisions: ``json`` (``territoires-decisions/1``) or ``csv``.

    Raises:
        FormatError: an unknown form or dialect.
    """
    if format == "json":
        with _text(path) as stream:
            _outputs.write_decisions_json_to(decisions, stream)
    elif format == "csv":
        with _text(path) as stream:
            _outputs.write_decisions_csv_to(decisions, stream, dialect)
    else:
        raise FormatError(f"no decision form named {format!r} (json, csv)")


def write_report(report: Report, path: pathlib.Path) -> None:
    """Write the steering-committee report as one self-contained HTML page."""
    from territoires.report import render_html

    page = render_html(report)
    with _text(path) as stream:
        stream.write(page)
