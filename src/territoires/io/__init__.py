"""Files in and out: the versioned JSON document, CSV tables, data-package folders, workbooks.

:func:`load` reads any of the four forms and reports every problem at once;
:func:`dump` writes them atomically.

========================  ================================================================
Form                      What it holds
========================  ================================================================
``*.json``                a ``"schema": "territoires/1"`` document with every table
``*.csv``                 one table: participations or action reports (detected by header)
a folder                  ``datapackage.json`` + ``dataset.json`` + ``participations.csv`` +
                          ``reports.csv`` (a Frictionless data package)
``*.xlsx``                an Excel workbook: ``Participations`` and ``Rapports`` sheets (the
                          CSV tables, typed), context sheets for people, and the rest of the
                          dataset in a hidden sheet; needs ``territoires[xlsx]`` (openpyxl)
========================  ================================================================
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from territoires._bulk import paused_gc
from territoires.exceptions import DataError, FormatError, WrongTypeError
from territoires.io import _json, _package, _persons, _tables, writers
from territoires.io._atomic import atomic_output
from territoires.io._converter import make_converter
from territoires.io._text import ReadFailure, decode_text, read_bytes
from territoires.io.writers import default_converter as _converter
from territoires.model._validators import DATASET_EXPECTED, check_instance
from territoires.model.dataset import Dataset
from territoires.model.person import Person
from territoires.problems import Problem, ProblemCode, errors

# A signature naming a type imported for type checking only says pathlib.Path, not Path:
# autodoc then reads its annotations as text, and finds pathlib.Path in the docs, not Path.
if TYPE_CHECKING:
    from territoires.indicators import IndicatorTable
    from territoires.publication import Ledger, Release

__all__ = [
    "SCHEMA",
    "Format",
    "atomic_output",
    "dump",
    "fingerprint",
    "holds_indicators",
    "load",
    "load_ledger",
    "load_persons",
    "load_table",
    "make_converter",
    "overlapping_input",
    "read",
    "record_release",
    "writers",
]

SCHEMA = _json.SCHEMA
"""The schema a JSON document declares in its ``"schema"`` key, ``"territoires/1"``."""

Format = writers.Format
"""The forms :func:`dump` writes, named by its ``format`` argument."""


def read(path: str | Path, *, encoding: str | None = None) -> tuple[Dataset | None, list[Problem]]:
    """Read ``path`` and return the dataset with every problem found, without raising.

    The dataset is None whenever a problem of severity error was found: nothing is
    half-loaded. :func:`load` is the raising form.

    Args:
        path: A ``.json`` document, a ``.csv`` table, a data-package folder or its
            ``datapackage.json``, or an ``.xlsx`` workbook.
        encoding: Encoding of CSV files when it is not UTF-8 (e.g. ``"cp1252"``); a data
            package declares it per resource instead.

    Raises:
        FormatError: a workbook is given and openpyxl, which reads it, is not installed.
        WrongTypeError: ``path`` is not a path (a str or a :class:`~pathlib.Path`).

    .. versionadded:: 0.1
    """
    target = _path(path)
    try:
        with paused_gc():
            if target.is_dir() or target.name == _package.DESCRIPTOR:
                folder = target if target.is_dir() else target.parent
                return _read_folder(folder)
            if target.suffix.lower() in _WORKBOOK_SUFFIXES:
                from territoires.io import _xlsx

                return _xlsx.read_workbook(target, _converter())
            data = read_bytes(target, lines=target.suffix.lower() in _TABLE_SUFFIXES)
            return _read_file(target, data, encoding)
    except ReadFailure as failure:
        return None, [failure.problem]


def load(path: str | Path, *, encoding: str | None = None) -> Dataset:
    r"""Load a dataset from ``path``.

    Example:
        >>> import territoires, tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "p.csv").write_text(
        ...     "id;person;action;entry_date;status\np1;X81F2;lyon-fle;12/06/2019;refugee\n")
        >>> territoires.load(folder / "p.csv").participations[0].entry_date
        datetime.date(2019, 6, 12)

    Raises:
        DataError: the file cannot be read or holds problems; ``.problems`` lists them all,
            each with file, record, field and a stable code (in a workbook, the record is
            the cell, e.g. ``Participations!C14``).
        FormatError: a workbook is given and openpyxl is not installed.

    .. versionadded:: 0.1
    """
    dataset, problems = read(path, encoding=encoding)
    if dataset is None:
        raise DataError(problems)
    return dataset


def load_persons(path: str | Path, *, encoding: str | None = None) -> tuple[Person, ...]:
    """Load the persons of an eligibility check from a JSON or CSV file.

    JSON may hold one person object, a list of them, or a ``territoires/1`` document with a
    ``persons`` list; CSV has the columns ``id, status, status_date, first_permit_date,
    cir_date, birth_date, birth_year, residence`` (French spreadsheet habits accepted).

    Raises:
        DataError: the file cannot be read or holds problems, each with file, record, field
            and a stable code, as for datasets.

    .. versionadded:: 0.1
    """
    persons, problems = _persons.read_persons(_path(path), _converter(), encoding)
    if persons is None:
        raise DataError(problems)
    return persons


_TABLE_SUFFIXES = (".csv", ".tsv", ".txt")


def _path(path: object) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path`; a value that names no file is refused."""
    if not isinstance(path, (str, os.PathLike)):
        raise WrongTypeError("path", path, "a file path, as a str or a pathlib.Path")
    return Path(path)


def _sniff(data: bytes) -> Format | None:
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return "json"
    return None


def _read_file(
    path: Path, data: bytes, encoding: str | None
) -> tuple[Dataset | None, list[Problem]]:
    label = str(path)
    suffix = path.suffix.lower()
    kind: Format | None = (
        "json" if suffix == ".json" else "csv" if suffix in _TABLE_SUFFIXES else _sniff(data)
    )
    if kind == "json":
        return _json.read_json(data, label, _converter())
    text = decode_text(data, label, encoding)
    first_line = _tables.first_line(text).lstrip("\ufeff")
    delimiter = _tables.sniff_delimiter(first_line)
    too_wide = _tables.too_many_columns(first_line, delimiter, label)
    if too_wide is not None:  # before splitting the header into ten million names
        return None, [too_wide]
    table = _tables.detect_table(first_line.split(delimiter))
    if table is None:
        return None, [
            Problem(
                code=ProblemCode.UNKNOWN_FORMAT,
                message="not a territoires file: a CSV table needs the header of participations "
                "(id, person, action, entry_date, status, …) or of reports (id, action, "
                "period_start, period_end, …), and a document must be JSON",
                file=label,
                record="line 1",
                expected="a .json document, a participations or reports CSV, or a folder",
            )
        ]
    return _read_table(table, text, label, delimiter)


def _read_table(
    table: str, text: str, label: str, delimiter: str | None
) -> tuple[Dataset | None, list[Problem]]:
    if table == "participations":
        rows, problems = _tables.read_participations(text, label, delimiter)
        return (None, problems) if problems else (Dataset(participations=rows), [])
    reports, problems = _tables.read_reports(text, label, delimiter)
    return (None, problems) if problems else (Dataset(reports=reports), [])


def _read_folder(folder: Path) -> tuple[Dataset | None, list[Problem]]:
    descriptor = folder / _package.DESCRIPTOR
    if not descriptor.is_file():
        return None, [
            Problem(
                code=ProblemCode.UNREADABLE,
                message=f"the folder holds no {_package.DESCRIPTOR}",
                file=str(folder),
                expected="a data-package folder written by territoires",
            )
        ]
    resources, problems = _package.read_descriptor(folder, read_bytes(descriptor))
    dataset = Dataset()
    if "dataset" in resources:
        (path,), _, _ = resources["dataset"]
        try:
            document, more = _json.read_json(read_bytes(path), str(path), _converter())
        except ReadFailure as failure:
            document, more = None, [failure.problem]
        problems.extend(more)
        dataset = document or dataset
    for table in ("participations", "reports"):
        if table not in resources:
            continue
        paths, encoding, delimiter = resources[table]
        try:
            texts = [decode_text(read_bytes(p, lines=True), str(p), encoding) for p in paths]
        except ReadFailure as failure:
            problems.append(failure.problem)
            continue
        # A multipart resource is its parts end to end, the header in the first only
        # (Frictionless). Each part is read on its own, under the first part's header, so
        # that a problem names the part and its line there.
        header = _tables.first_line(texts[0])
        for index, (path, text) in enumerate(zip(paths, texts, strict=True)):
            if index:
                text = f"{header}\n{text}"
            part, more = _read_table(table, text, str(path), delimiter)
            problems.extend(more if not index else [_line_before(p) for p in more])
            if part is not None:
                dataset = attrs.evolve(
                    dataset, **{table: getattr(dataset, table) + getattr(part, table)}
                )
    # Warnings (a resource territoires does not read) leave the dataset usable.
    return (None, problems) if errors(problems) else (dataset, problems)


def _line_before(problem: Problem) -> Problem:
    """The problem of a later part of a multipart table, read under the first part's header."""
    record = problem.record or ""
    if record.startswith("line ") and record[5:].isdigit() and int(record[5:]) > 1:
        return attrs.evolve(problem, record=f"line {int(record[5:]) - 1}")
    return problem


# Workbooks are read by territoires.io._xlsx, imported only when one is met (it is large).
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _format_of(path: Path, format: Format | None) -> Format:
    if path.name == _package.DESCRIPTOR:
        raise FormatError(
            f"{path} names a data-package descriptor: give the folder to write a data package"
        )
    if format is not None:
        return format
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == "" or path.is_dir():
        return "datapackage"
    raise FormatError(
        f"cannot tell the format of {path} from its suffix {suffix!r}: "
        "use .json, .csv, .xlsx or a folder, or pass format="
    )


def dump(dataset: Dataset, path: str | Path, *, format: Format | None = None) -> Path:
    """Write ``dataset`` to ``path``, atomically, in the form its suffix names.

    ``.json`` writes the whole document; ``.csv`` writes the dataset's one table (it must
    hold only participations or only reports); ``.xlsx`` writes a workbook holding the whole
    dataset (with ``territoires[xlsx]``); a path without suffix becomes a data-package
    folder. A reader never sees a half-written file and a failure, an interruption or a
    killed process leaves any previous file intact.

    Returns:
        The path written.

    Raises:
        FormatError: the format cannot hold the dataset, or cannot be told from the path;
            a workbook is asked for and openpyxl is not installed.
        WriteError: the target cannot be written (a folder that was not written by
            territoires, no room left on the device...), naming it.
        WrongTypeError: ``dataset`` is not a :class:`~territoires.Dataset`, or ``path`` is
            not a path.

    .. versionadded:: 0.1
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    target = _path(path)
    kind = _format_of(target, format)
    if kind == "csv":
        writers.single_table(dataset)  # refused before anything is written
    folder = kind == "datapackage"
    with atomic_output(target, folder=folder, marker=_package.DESCRIPTOR) as where:
        writers.write_dataset(dataset, where, format=kind)
    return target


def overlapping_input(target: str | Path, inputs: Iterable[str | Path]) -> str | None:
    """Return the first of ``inputs`` that writing ``target`` would replace, if any.

    Writing replaces ``target`` whole: an input is at risk when it is the target itself (the
    same file, through any link), lies inside a target folder, or holds the target (a file of
    a data-package folder being read). A target that does not exist yet replaces nothing.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "d.json").write_text("{}")
        >>> overlapping_input(folder / "d.json", [folder / "d.json"]) is not None
        True
        >>> overlapping_input(folder / "out.json", [folder / "d.json"]) is None
        True

    .. versionadded:: 0.1
    """
    written = Path(target)
    if not (written.exists() or written.is_symlink()):
        return None
    replaced = written.resolve()
    for source in inputs:
        read_from = Path(source)
        if not read_from.exists():
            continue
        if read_from.resolve() == replaced or _same_file(read_from, written):
            return str(source)
        resolved = read_from.resolve()
        if replaced in resolved.parents or resolved in replaced.parents:
            return str(source)
    return None


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return False


def holds_indicators(path: str | Path) -> bool:
    """Return whether ``path`` holds an indicator table (JSON, CSV or data package).

    .. versionadded:: 0.1
    """
    from territoires.io._outputs import holds_indicators as holds

    return holds(_path(path))


def load_table(path: str | pathlib.Path) -> IndicatorTable:
    """Read back an indicator table that :func:`territoires.export` wrote.

    JSON (``territoires-indicators/1``), CSV in either dialect, or a data-package folder (or
    its ``datapackage.json``). What was written is the published view
    (:meth:`IndicatorTable.published <territoires.indicators.IndicatorTable.published>`): a
    suppressed cell reads back as suppressed, without telling primary from secondary. The
    indicators' definitions are not stored with the values:
    :attr:`IndicatorTable.indicators <territoires.indicators.IndicatorTable.indicators>` is
    empty; look them up in the plugin manager's registry.

    Example:
        >>> import pathlib, tempfile, territoires
        >>> from territoires.indicators import compute_indicators
        >>> from territoires.plugins import get_plugin_manager
        >>> plugins = get_plugin_manager(autoload=False)
        >>> table = compute_indicators(territoires.demo.build(participations=500),
        ...                            period="2021", level="national", plugins=plugins)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "indicators.csv"
        >>> _ = territoires.export(table, format="csv", path=path, plugins=plugins)
        >>> load_table(path) == table.published()
        True

    Raises:
        DataError: the file cannot be read as an indicator table; every problem names its
            file, row and field.

    .. versionadded:: 0.1
    """
    from territoires.io._outputs import read_indicators

    return read_indicators(_path(path))


def fingerprint(dataset: Dataset) -> str:
    """Return the fingerprint of ``dataset``: the SHA-256 of its ``territoires/1`` document.

    Two datasets with the same content have the same fingerprint; the ledger records it with
    each release (:class:`~territoires.publication.Release`).

    Example:
        >>> import territoires
        >>> one = territoires.demo.build(participations=50)
        >>> fingerprint(one) == fingerprint(territoires.demo.build(participations=50))
        True
        >>> fingerprint(one)[:7]
        'sha256:'

    .. versionadded:: 0.1
    """
    from territoires.io import _ledger

    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    return _ledger.fingerprint(dataset, _converter())


def load_ledger(path: str | pathlib.Path) -> Ledger:
    """Read the publication ledger at ``path``; a path where nothing is yet is an empty ledger.

    Raises:
        DataError: the file cannot be read, is not a ledger, or its history was edited (a
            release does not follow the releases before it); every problem names the file,
            record and field.

    .. versionadded:: 0.1
    """
    from territoires.io import _ledger
    from territoires.publication import Ledger

    target = _path(path)
    if not (target.exists() or target.is_symlink()):
        return Ledger()
    try:
        data = read_bytes(target)
    except ReadFailure as failure:
        raise DataError([failure.problem]) from None
    ledger, problems = _ledger.read_ledger(data, str(target), _converter())
    if ledger is None:
        raise DataError(problems)
    return ledger


def record_release(path: str | pathlib.Path, release: Release) -> Ledger:
    """Append ``release`` to the ledger at ``path`` (created if absent), atomically.

    The release is chained to the ledger it follows (:attr:`Release.previous
    <territoires.publication.Release.previous>`).

    Returns:
        The ledger written.

    Raises:
        DataError: the ledger at ``path`` cannot be read (see :func:`load_ledger`).
        WriteError: it cannot be written, naming it.
        WrongTypeError: ``release`` is not a :class:`~territoires.publication.Release`.

    .. versionadded:: 0.1
    """
    from territoires.io import _ledger
    from territoires.publication import Release

    check_instance("release", release, Release, "a Release (territoires.publication.release_of)")
    target = _path(path)
    before = load_ledger(target)
    previous = _ledger.digest(before, _converter()) if len(before) else None
    after = before.with_release(attrs.evolve(release, previous=previous))
    with atomic_output(target) as where, open(where, "w", encoding="utf-8", newline="") as out:
        _ledger.write_ledger(after, out, _converter())
    return after
