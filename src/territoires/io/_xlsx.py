"""Excel workbooks (``.xlsx``): datasets in and out, indicator tables out.

A dataset workbook holds one sheet per table, ``Participations`` and ``Rapports``, with the
columns of the CSV tables (same names, same order), typed cells (dates, euros, whole numbers)
and a bold, frozen, filterable header. Sheets for people to read give the context
(``Contrats``, ``Actions``, ``Financements``) and ``À lire`` says what the workbook holds and
whether its data is synthetic. A hidden sheet ``territoires`` holds the ``territoires/1``
document of everything else (description, territories, parties, contracts), so that reading
the workbook gives back the whole dataset.

Reading accepts what the CSV reader accepts, and cells that Excel typed: dates as dates,
amounts and ids as numbers. The cells go through the CSV columns' own parsers, so a workbook
is checked exactly as a CSV table is; a problem names the cell, ``Participations!C14``, and
the column. An operator's workbook may hold only a ``Participations`` sheet, its columns in
any order; the context sheets are never read back.

Text cells are neutralised against formula injection (:mod:`territoires.io._safe`). openpyxl
is imported only when a workbook is read or written: it is the optional extra
``territoires[xlsx]``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import math
import operator
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import attrs
import cattrs

from territoires import limits
from territoires._enum import LabelledEnum
from territoires._printable import escape
from territoires.exceptions import DataError, FormatError
from territoires.io import _flat, _json, _tables
from territoires.io._converter import make_converter
from territoires.io._safe import neutralise, restore
from territoires.io._text import ReadFailure, check_regular_file
from territoires.model import _validators as mv
from territoires.model.contract import Contract
from territoires.model.dataset import Dataset
from territoires.model.person import ActionReport, Participation
from territoires.problems import Problem, ProblemCode, format_value

if TYPE_CHECKING:
    from openpyxl import Workbook

    from territoires.indicators import IndicatorTable

# openpyxl's sheets are typed loosely on purpose: a write-only sheet borrows column_dimensions,
# auto_filter and sheet_state from Worksheet at run time, which its stubs do not declare, and
# the stubs type iter_rows for Worksheet only, not for the read-only sheet that shares it.
WriteOnlySheet = Any
ReadOnlySheet = Any

__all__ = [
    "DATE_FORMAT",
    "DOCUMENT_SHEET",
    "EURO_FORMAT",
    "INSTALL_HINT",
    "PARTICIPATIONS_SHEET",
    "README_SHEET",
    "REPORTS_SHEET",
    "SUFFIXES",
    "read_dataset_xlsx",
    "read_workbook",
    "write_dataset_xlsx",
    "write_indicators_xlsx",
]

SUFFIXES = (".xlsx", ".xlsm")
"""Suffixes read as workbooks (``.xlsm``: macros are ignored); ``.xlsx`` is written."""

PARTICIPATIONS_SHEET = "Participations"
REPORTS_SHEET = "Rapports"
DOCUMENT_SHEET = "territoires"
README_SHEET = "À lire"
INDICATORS_SHEET = "Indicateurs"

DATE_FORMAT = "DD/MM/YYYY"
# The euro sign is quoted: a format code shows unquoted only a few literal characters
# ($, -, +, /, spaces...), and a quoted one is valid in every spreadsheet.
EURO_FORMAT = '#,##0.00 "€"'
COUNT_FORMAT = "#,##0"
TWO_DECIMALS_FORMAT = "0.00"
FRACTION_FORMAT = "0.0%"

INSTALL_HINT = 'reading and writing .xlsx workbooks needs openpyxl: pip install "territoires[xlsx]"'

_MAX_ROWS = 1_048_576  # rows of a sheet, header included (Excel's limit)
_MAX_CELL = 32_767  # characters of a cell (Excel's limit)
# The hidden document is cut in pieces of at most this many code points: a character outside
# the Basic Multilingual Plane counts twice in Excel's limit, and the apostrophe that
# neutralises a piece adds one.
_CHUNK = 16_000
_WIDTH_SAMPLE = 1_000  # rows looked at to fit column widths (widths go before the rows)
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_EXCEL_DAY_ONE = dt.date(1900, 3, 1)  # earlier serial numbers are off by Excel's 1900 leap bug
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_LINE = re.compile(r"\bline (\d+)\b")

_DATE_COLUMNS = frozenset({"entry_date", "exit_date", "period_start", "period_end"})
_COMMUNE_COLUMNS = frozenset({"residence"})
_REPORT_SHEET_NAMES = frozenset({"rapports", "reports"})

Kind = Literal["text", "date", "euros", "integer", "boolean", "number"]


def _openpyxl() -> ModuleType:
    """Import openpyxl, or explain how to install it.

    Raises:
        FormatError: openpyxl is not installed.
    """
    try:
        import openpyxl
    except ImportError:
        raise FormatError(INSTALL_HINT) from None
    return openpyxl


# -- writing --------------------------------------------------------------------------------------


@attrs.frozen
class _Column:
    """A column of a written sheet: its header and how its cells are typed."""

    header: str
    kind: Kind = "text"
    number_format: str | None = None


@attrs.frozen
class _Number:
    """A number whose display format is chosen cell by cell (indicators: by unit)."""

    value: Decimal
    number_format: str


def _float_text(value: float) -> str:
    """Return a float as Excel shows it: 15 significant digits, no exponent."""
    if not math.isfinite(value):
        return repr(value)
    return format(Decimal(format(value, ".15g")), "f")


def _as_float(value: Decimal) -> float | None:
    """Return ``value`` as a float that reads back equal, or None when it cannot."""
    try:
        number = float(value)
    except (OverflowError, ValueError):  # pragma: no cover - Decimal gives inf, not errors
        return None
    if not math.isfinite(number):
        return None
    try:
        return number if Decimal(_float_text(number)) == value else None
    except InvalidOperation:  # pragma: no cover - _float_text gives a plain number
        return None


def _display_text(text: str) -> str:
    r"""Return a text a sheet can hold: XML-legal, within a cell's length.

    A character XML refuses (most control characters) is shown as its escape, ``\u001b``,
    as the terminal and the report show it: openpyxl would refuse the whole workbook. Only
    the sheets for people hold such text; the hidden document keeps it exactly.
    """
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub(escape, text)
    if len(text) > _MAX_CELL - 1:
        text = text[: _MAX_CELL - 2] + "…"
    return text


class _Sheets:
    """Writes typed rows to the sheets of one write-only workbook, sharing its styles.

    Args:
        scratch: The folder where openpyxl keeps each sheet until the workbook is saved: the
            work folder of the atomic routine, so that a killed write leaves nothing in the
            system's temporary directory, and the next write to the same target cleans it.
    """

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        openpyxl = _openpyxl()
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.workbook: Workbook = openpyxl.Workbook(write_only=True)
        # Typed loosely: the stubs refuse dates, which openpyxl writes as it does datetimes.
        self.new_cell: Callable[..., Any] = WriteOnlyCell
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.alert = Font(bold=True, color="C00000")
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def __enter__(self) -> _Sheets:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()

    def discard(self) -> None:
        """Close every sheet's pending XML quietly: the workbook will not be saved.

        openpyxl writes each sheet through generators holding an open XML file; left for the
        collector after a failure (a full disk, an interruption), they try to finish their file
        and print "Exception ignored" with a traceback. Closed here, their errors are dropped:
        the failure that stopped the write is the one that matters.
        """
        for sheet in self.workbook.worksheets:
            writer = getattr(sheet, "_writer", None)
            pending = [getattr(sheet, "_rows", None), getattr(writer, "xf", None)]
            for generator in pending:
                if generator is not None:
                    with contextlib.suppress(Exception):
                        generator.close()

    def sheet(self, title: str) -> WriteOnlySheet:
        from openpyxl.worksheet import _writer

        sheet = self.workbook.create_sheet(title)
        out = str(self.scratch / f".sheet{len(self.workbook.worksheets)}.xml")

        def get_writer() -> None:
            # openpyxl's own _get_writer, but for the file: openpyxl keeps each sheet in the
            # system's temporary directory, where a killed process leaves it; it goes to the
            # scratch folder instead, and joins openpyxl's list so that its cleanup finds it.
            if sheet._writer is None:
                _writer.ALL_TEMP_FILES.append(out)
                sheet._writer = _writer.WorksheetWriter(sheet, out=out)
                sheet._writer.write_top()

        sheet._get_writer = get_writer
        return sheet

    def text(self, sheet: WriteOnlySheet, text: str, **style: Any) -> Any:
        """Return a text cell, neutralised so that no spreadsheet runs it as a formula."""
        value = neutralise(_display_text(text))
        if not style and value not in _ERROR_TEXTS:
            return value
        cell = self.new_cell(sheet, value)
        cell.data_type = "s"  # "#N/A" stays a text, not an error value
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def typed(self, sheet: WriteOnlySheet, value: object, column: _Column) -> Any:
        """Return the cell for ``value`` in ``column``: a raw value or a formatted cell."""
        if value is None:
            return None
        if isinstance(value, LabelledEnum):
            value = value.value
        if isinstance(value, str):
            return self.text(sheet, value)
        if isinstance(value, _Number):
            return self.number(sheet, value.value, value.number_format)
        if isinstance(value, bool | int) and column.number_format is None:
            return value
        if isinstance(value, dt.date):
            if isinstance(value, dt.datetime) or value < _EXCEL_DAY_ONE:
                return value.isoformat()  # Excel has no serial number for it: ISO text reads
            cell = self.new_cell(sheet, value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, Decimal | int):
            return self.number(sheet, value, column.number_format)
        raise TypeError(f"no cell for {type(value).__name__}")  # pragma: no cover - a bug

    def number(self, sheet: WriteOnlySheet, value: Decimal | int, fmt: str | None) -> Any:
        number: object = value
        if isinstance(value, Decimal):
            exact = _as_float(value)
            if exact is None:
                return format(value, "f")  # more digits than Excel keeps: a text reads back
            number = int(exact) if exact.is_integer() and fmt == COUNT_FORMAT else exact
        if fmt is None:
            return number
        cell = self.new_cell(sheet, number)
        cell.number_format = fmt
        return cell

    def table(
        self,
        title: str,
        columns: Sequence[_Column],
        rows: Iterable[Sequence[object]],
        *,
        size: int | None = None,
    ) -> None:
        """Write a table: bold frozen header, autofilter, widths fitted to the first rows."""
        if size is not None and size + 1 > _MAX_ROWS:
            raise FormatError(
                f"the {title} sheet would need {size + 1:,} rows, more than the "
                f"{_MAX_ROWS:,} a sheet holds: write a .json document or a folder instead"
            )
        from openpyxl.utils import get_column_letter

        sheet = self.sheet(title)
        iterator = iter(rows)
        head = list(itertools.islice(iterator, _WIDTH_SAMPLE))
        for index, column in enumerate(columns):
            width = max(
                [_MIN_WIDTH, len(column.header) + 3, *(_width(row[index], column) for row in head)]
            )
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(width, _MAX_WIDTH)
        sheet.freeze_panes = "A2"
        sheet.append([self.text(sheet, c.header, font=self.bold) for c in columns])
        count = 0
        for row in itertools.chain(head, iterator):
            sheet.append(
                [
                    self.typed(sheet, value, column)
                    for value, column in zip(row, columns, strict=True)
                ]
            )
            count += 1
        last = get_column_letter(max(1, len(columns)))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"

    def save(self, path: Path) -> None:
        """Write the workbook to ``path``, the same bytes for the same content."""
        from openpyxl.writer.excel import ExcelWriter

        with open(path, "wb") as stream:
            archive = _StableZip(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
            try:
                # Workbook.save would stamp the clock in the document properties.
                ExcelWriter(self.workbook, archive).save()
            except BaseException:
                with contextlib.suppress(Exception):
                    archive.close()
                raise


def _width(value: object, column: _Column) -> int:
    """Return roughly how many characters ``value`` takes on screen."""
    if value is None:
        return 0
    if isinstance(value, _Number):
        value = value.value
    if isinstance(value, LabelledEnum):
        value = value.value
    if isinstance(value, str):
        return max(map(len, value.splitlines() or [""])) + 1
    if isinstance(value, dt.date):
        return 12
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}") + (4 if column.kind == "euros" else 2)
    return len(str(value)) + 2


class _StableZip(zipfile.ZipFile):
    """A zip archive whose entries carry a fixed date: the same workbook gives the same bytes."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_EPOCH)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        info = zipfile.ZipInfo.from_file(filename, arcname)
        info.date_time = _ZIP_EPOCH
        info.external_attr = 0o600 << 16
        info.compress_type = self.compression if compress_type is None else compress_type
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _table_column(name: str) -> _Column:
    if name in _DATE_COLUMNS:
        return _Column(name, "date")
    if name == "spent":
        return _Column(name, "euros", EURO_FORMAT)
    if name == "count":
        return _Column(name, "integer")
    return _Column(name)


_PARTICIPATION_SHEET_COLUMNS = tuple(_table_column(c.name) for c in _tables.PARTICIPATION_COLUMNS)
_REPORT_SHEET_COLUMNS = tuple(_table_column(c.name) for c in _tables.REPORT_COLUMNS)


def _participation_rows(rows: Sequence[Participation]) -> Iterator[tuple[object, ...]]:
    return map(operator.attrgetter(*(c.header for c in _PARTICIPATION_SHEET_COLUMNS)), rows)


def _report_rows(reports: Sequence[ActionReport]) -> Iterator[list[object]]:
    """Reports in long form, as the CSV table: one row per count, report fields repeated."""
    for report in reports:
        head = [report.id, report.action, report.period.start, report.period.end, report.spent]
        if not report.counts:
            yield [*head, None, None, None, None]
        for count in report.counts:
            yield [*head, count.category, count.sex, count.age_band, count.count]


def _final(contract: Contract) -> Contract:
    """The contract with every avenant applied (prolongations, added and closed actions)."""
    return contract.as_of(dt.date.max)


def _contract_columns(on: dt.date) -> tuple[_Column, ...]:
    return (
        _Column("contrat"),
        _Column("type"),
        _Column("territoire"),
        _Column("territoire (nom)"),
        _Column("intitulé"),
        _Column("signé le", "date"),
        _Column("signature connue"),
        _Column("début", "date"),
        _Column("fin initiale", "date"),
        _Column("fin, avenants compris", "date"),
        _Column(f"statut au {on:%d/%m/%Y}"),
        _Column("avenants", "integer"),
        _Column("actions", "integer"),
        _Column("engagé (€)", "euros", EURO_FORMAT),
    )


def _contract_rows(dataset: Dataset, on: dt.date) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        final = _final(contract)
        territory = dataset.territory(contract.territory)
        yield [
            contract.id,
            contract.kind.value.upper(),
            contract.territory,
            territory.name if territory is not None else None,
            contract.title,
            contract.signed_on,
            contract.signed_precision.label_fr if contract.is_signed else None,
            contract.period.start,
            contract.period.end,
            final.period.end,
            contract.status(on).label_fr,
            len(contract.amendments),
            len(final.actions),
            _flat.total(a.committed for a in final.actions),
        ]


_ACTION_COLUMNS = (
    _Column("contrat"),
    _Column("action"),
    _Column("intitulé"),
    _Column("thème"),
    _Column("début", "date"),
    _Column("fin", "date"),
    _Column("clôturée le", "date"),
    _Column("ajoutée par l'avenant"),
    _Column("opérateurs"),
    _Column("engagé (€)", "euros", EURO_FORMAT),
    _Column("dépensé (€)", "euros", EURO_FORMAT),
)


def _action_rows(dataset: Dataset) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        added_by = {a.id: m.id for m in contract.amendments for a in m.actions_added}
        for action in _final(contract).actions:
            yield [
                contract.id,
                action.id,
                action.title,
                action.theme.label_fr,
                action.period.start,
                action.period.end,
                action.closed_on,
                added_by.get(action.id),
                ", ".join(action.operators) or None,
                action.committed,
                _flat.total(f.spent for f in action.funding),
            ]


_FUNDING_COLUMNS = (
    _Column("contrat"),
    _Column("action"),
    _Column("année", "integer"),
    _Column("financeur"),
    _Column("financeur (nom)"),
    _Column("source"),
    _Column("engagé (€)", "euros", EURO_FORMAT),
    _Column("dépensé (€)", "euros", EURO_FORMAT),
    _Column("origine"),
)


def _funding_rows(dataset: Dataset) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        for action, line, amendment in _flat.funding_lines(contract):
            funder = dataset.party(line.funder)
            yield [
                contract.id,
                action,
                line.year,
                line.funder,
                funder.name if funder is not None else None,
                line.source.label_fr,
                line.committed,
                line.spent,
                f"avenant {amendment}" if amendment else "signature",
            ]


_SHEET_GUIDE = (
    (
        PARTICIPATIONS_SHEET,
        "une ligne par participation, colonnes du tableau CSV ; relue par territoires",
    ),
    (
        REPORTS_SHEET,
        "une ligne par effectif déclaré (catégorie, sexe, tranche d'âge), colonnes du tableau "
        "CSV ; relue par territoires",
    ),
    ("Contrats", "un contrat par ligne, pour lecture : n'est pas relue"),
    ("Actions", "une action par ligne, avenants appliqués, pour lecture : n'est pas relue"),
    ("Financements", "une ligne de financement par ligne, pour lecture : n'est pas relue"),
    (
        DOCUMENT_SHEET,
        "feuille masquée : le document territoires/1 (description, territoires, parties, "
        "contrats) ; ne pas la modifier",
    ),
)
_SYNTHETIC_NOTICE = (
    "Données synthétiques : ces enregistrements sont générés pour la démonstration, "
    "ils ne décrivent aucune personne réelle."
)


def _readme(sheets: _Sheets, rows: Iterable[Sequence[object]], *, synthetic: bool) -> None:
    """Write the ``À lire`` sheet: a title, then label/value rows, a synthetic notice in red."""
    sheet = sheets.sheet(README_SHEET)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    for index, row in enumerate(rows):
        cells: list[Any] = []
        for position, value in enumerate(row):
            if isinstance(value, str):
                if index == 0:  # the title overflows into the empty cells on its right
                    cells.append(sheets.text(sheet, value, font=sheets.title))
                    continue
                font = sheets.bold if position == 0 else None
                if synthetic and value == _SYNTHETIC_NOTICE:
                    font = sheets.alert
                style = {"alignment": sheets.wrap, **({"font": font} if font else {})}
                cells.append(sheets.text(sheet, value, **style))
            else:
                cells.append(sheets.typed(sheet, value, _Column("", _kind_of(value))))
        sheet.append(cells)


def _kind_of(value: object) -> Kind:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int):
        return "integer"
    return "text"


def _dataset_readme(dataset: Dataset, on: dt.date) -> Iterator[Sequence[object]]:
    info = dataset.info
    yield [info.title or "Jeu de données territoires"]
    if info.synthetic:
        yield ["Attention", _SYNTHETIC_NOTICE]
    yield ["Données synthétiques", info.synthetic]
    if info.description:
        yield ["Description", info.description]
    if info.licence:
        yield ["Licence", info.licence]
    if info.created:
        yield ["Produit le", info.created]
    yield ["Écrit le", on]
    for source in info.sources:
        yield ["Source", " — ".join(t for t in (source.title, source.url, source.note) if t)]
    yield ["Schéma", _json.SCHEMA]
    yield ["Contrats", len(dataset.contracts)]
    yield ["Participations", len(dataset.participations)]
    yield ["Rapports", len(dataset.reports)]
    yield []
    yield ["Feuille", "Contenu"]
    yield from ([name, text] for name, text in _SHEET_GUIDE)
    yield []
    yield ["Dates", "JJ/MM/AAAA ; les montants sont en euros"]


def _document_sheet(sheets: _Sheets, dataset: Dataset, converter: cattrs.Converter) -> None:
    """Write the hidden sheet: the schema in A1, then the JSON document cut over column A."""
    stream = io.StringIO()
    _json.write_json(attrs.evolve(dataset, participations=(), reports=()), stream, converter)
    # XML refuses U+FFFE and U+FFFF even in a text: JSON writes them as escapes instead, which
    # is safe here since every character outside ASCII lies within a JSON string.
    text = stream.getvalue().replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    sheet = sheets.sheet(DOCUMENT_SHEET)
    sheet.sheet_state = "hidden"
    sheet.column_dimensions["A"].width = 100
    sheet.append([_json.SCHEMA])
    for start in range(0, len(text), _CHUNK):
        piece = neutralise(text[start : start + _CHUNK])
        cell = sheets.new_cell(sheet, piece)
        cell.data_type = "s"
        sheet.append([cell])


def _stamp(
    sheets: _Sheets, title: str, *, created: dt.date | None, on: dt.date, synthetic: bool
) -> None:
    """Set the document properties, dated by the day rather than the clock.

    ``Workbook.save`` would stamp the time of writing: the same content written the same day
    gives the same bytes instead.
    """
    properties = sheets.workbook.properties
    properties.creator = "territoires"
    properties.title = _display_text(title) if title else None
    properties.created = dt.datetime.combine(created or on, dt.time())
    properties.modified = dt.datetime.combine(on, dt.time())
    if synthetic:
        properties.keywords = "Données synthétiques"
        properties.subject = "Données synthétiques"


def write_dataset_xlsx(
    dataset: Dataset,
    path: str | Path,
    *,
    converter: cattrs.Converter | None = None,
    on: dt.date | None = None,
) -> Path:
    """Write ``dataset`` as an Excel workbook at ``path`` (inside the atomic routine's folder).

    The sheets are ``À lire`` (what the workbook holds, whether the data is synthetic),
    ``Participations`` and ``Rapports`` (the CSV tables, typed), ``Contrats``, ``Actions`` and
    ``Financements`` (for people, not read back) and the hidden ``territoires`` (the rest of
    the dataset as a ``territoires/1`` document), so that :func:`read_dataset_xlsx` gives
    back an equal dataset.

    Args:
        dataset: The dataset to write.
        path: The ``.xlsx`` file to write.
        converter: The converter writing the hidden document (the project's by default).
        on: The date contract statuses are given on and the workbook is dated (today by
            default).

    Returns:
        The path written.

    Raises:
        FormatError: openpyxl is missing; two reports share an id; a table has more rows
            than a sheet holds.

    .. versionadded:: 0.1
    """
    target = Path(path)
    on = on or dt.date.today()
    repeated = mv.unique(report.id for report in dataset.reports)
    if repeated:
        raise FormatError(
            f"reports {', '.join(map(repr, repeated[:5]))} share an id: a Rapports sheet cannot "
            "keep them apart; give each report its own id or write a .json document"
        )
    report_size = sum(max(1, len(r.counts)) for r in dataset.reports)
    with _Sheets(scratch=target.parent) as sheets:
        _stamp(
            sheets,
            dataset.info.title,
            created=dataset.info.created,
            on=on,
            synthetic=dataset.info.synthetic,
        )
        _readme(sheets, _dataset_readme(dataset, on), synthetic=dataset.info.synthetic)
        sheets.table(
            PARTICIPATIONS_SHEET,
            _PARTICIPATION_SHEET_COLUMNS,
            _participation_rows(dataset.participations),
            size=len(dataset.participations),
        )
        sheets.table(
            REPORTS_SHEET, _REPORT_SHEET_COLUMNS, _report_rows(dataset.reports), size=report_size
        )
        sheets.table("Contrats", _contract_columns(on), _contract_rows(dataset, on))
        sheets.table("Actions", _ACTION_COLUMNS, _action_rows(dataset))
        sheets.table("Financements", _FUNDING_COLUMNS, _funding_rows(dataset))
        _document_sheet(sheets, dataset, converter or make_converter())
        sheets.save(target)
    return target


# -- indicator tables -----------------------------------------------------------------------------

_INDICATOR_COLUMNS = (
    _Column("indicator"),
    _Column("level"),
    _Column("territory"),
    _Column("contract"),
    _Column("action"),
    _Column("period_start", "date"),
    _Column("period_end", "date"),
    _Column("dimension"),
    _Column("category"),
    _Column("value", "number"),
    _Column("unit"),
    _Column("target", "number"),
    _Column("target_kind"),
    _Column("achievement", "number", FRACTION_FORMAT),
    _Column("status"),
)


def write_indicators_xlsx(
    table: IndicatorTable, path: str | Path, *, on: dt.date | None = None
) -> Path:
    """Write an indicator table as an Excel workbook at ``path`` (see :func:`write_dataset_xlsx`).

    The sheet ``Indicateurs`` has the columns of :meth:`IndicatorRow.to_dict
    <territoires.indicators.IndicatorRow.to_dict>`, typed: periods as dates, values and
    targets as numbers (whole persons and counts, euros with the € format, percents and rates
    with two decimals), achievement as a percentage. A suppressed cell is left empty, its
    status saying why. The sheet ``À lire`` gives the period, the disclosure threshold, the
    legend of statuses and units, the indicators' labels and whether the data is synthetic.

    Args:
        table: The table to write.
        path: The ``.xlsx`` file to write.
        on: The date the workbook is dated (today by default).

    Returns:
        The path written.

    Raises:
        FormatError: openpyxl is missing, or the table has more rows than a sheet holds.

    .. versionadded:: 0.1
    """
    from territoires.disclosure import CellStatus
    from territoires.measures import Unit
    from territoires.model.enums import TargetKind

    formats = {
        Unit.PERSONS: COUNT_FORMAT,
        Unit.COUNT: COUNT_FORMAT,
        Unit.EUROS: EURO_FORMAT,
        Unit.PERCENT: TWO_DECIMALS_FORMAT,
        Unit.PER_10000: TWO_DECIMALS_FORMAT,
    }

    def number(value: Decimal | None, unit: Unit) -> _Number | None:
        return None if value is None else _Number(value, formats.get(unit, TWO_DECIMALS_FORMAT))

    def rows() -> Iterator[list[object]]:
        for row in table.rows:
            yield [
                row.indicator,
                row.level,
                row.territory,
                row.contract,
                row.action,
                row.period.start,
                row.period.end,
                row.dimension,
                row.category,
                number(row.value, row.unit),
                row.unit,
                number(row.target, row.unit),
                row.target_kind,
                row.achievement,
                row.status.published,  # never primary or secondary: see CellStatus
            ]

    def readme() -> Iterator[Sequence[object]]:
        yield ["Indicateurs territoires"]
        if table.synthetic:
            yield ["Attention", _SYNTHETIC_NOTICE]
        yield ["Données synthétiques", table.synthetic]
        if table.data_errors:
            yield [
                "Attention",
                f"calculés sur des données comportant {table.data_errors} erreur(s) "
                "(territoires validate les liste)",
            ]
        yield ["Erreurs dans les données", table.data_errors]
        yield ["Début de la période", table.period.start]
        yield ["Fin de la période", table.period.end]
        yield [
            "Seuil de diffusion",
            table.threshold,
            "un effectif de personnes inférieur au seuil est masqué, de même que les cases qui "
            "permettraient de le recalculer (secret statistique)",
        ]
        yield []
        yield ["Statut (colonne status)", "Signification"]
        yield from (
            [status.value, status.label_fr]
            for status in (CellStatus.PUBLISHED, CellStatus.SUPPRESSED, CellStatus.UNDEFINED)
        )
        yield []
        yield ["Unité (colonne unit)", "Signification"]
        yield from ([unit.value, unit.label_fr] for unit in Unit)
        yield []
        yield ["Cible (colonne target_kind)", "Signification"]
        yield from ([kind.value, kind.label_fr] for kind in TargetKind)
        yield [
            "achievement",
            "valeur rapportée à la cible (100 % : cible atteinte) ; vide quand la cible de "
            "l'action ou du contrat entier ne se compare pas à la période (elle ne part pas "
            "de son début)",
        ]
        yield []
        yield ["Indicateur", "Libellé"]
        yield from ([name, ind.label_fr] for name, ind in sorted(table.indicators.items()))

    target = Path(path)
    with _Sheets(scratch=target.parent) as sheets:
        _stamp(
            sheets,
            "Indicateurs territoires",
            created=None,
            on=on or dt.date.today(),
            synthetic=table.synthetic,
        )
        _readme(sheets, readme(), synthetic=table.synthetic)
        sheets.table(INDICATORS_SHEET, _INDICATOR_COLUMNS, rows(), size=len(table.rows))
        sheets.save(target)
    return target


# -- reading --------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """Internal: openpyxl failed on a damaged workbook; carries the reason."""


def _cell_text(value: object) -> str:
    """Return a cell as the CSV reader would see it: text, ISO dates, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = restore(value)
        # The CSV text handed to the table reader must keep one record per line break it
        # counts; an XML reader turns a carriage return into a newline anyway.
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if value.bit_length() > 256:  # str() fails past 4,300 digits; no cell means that
            return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time() and value.tzinfo is None
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _commune_text(value: object) -> str:
    """A commune code Excel took for a number lost its leading zero: 1053 is 01053."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return f"{value:05d}"
    return _cell_text(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_letter(index: int) -> str:
    """Return the letter of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@attrs.define
class _SheetText:
    """A sheet turned into CSV text, with what is needed to point problems back at cells."""

    title: str
    label: str
    text: str = ""
    rows_at: list[int] = attrs.Factory(list)  # text line number → sheet row
    header_row: int = 1
    letters: dict[str, list[str]] = attrs.Factory(dict)  # header text → column letters
    problems: list[tuple[tuple[int, int], Problem]] = attrs.Factory(list)  # (row, col), problem

    def where(self, row: int | None, letter: str | None) -> str:
        if row is None:
            return self.title
        return f"{self.title}!{letter}{row}" if letter else f"{self.title}!{row}:{row}"


def _rows(sheet: ReadOnlySheet) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield (row number, values) of a sheet, openpyxl's failures as :class:`_Unreadable`."""
    try:
        # The dimension a workbook declares may be wrong (other tools write "A1"): read every
        # cell there is rather than trust it.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged sheet
        raise _Unreadable(_reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _sheet_text(sheet: ReadOnlySheet, title: str, label: str) -> _SheetText | None:
    """Turn a sheet into CSV text for the table reader; None when the sheet is empty."""
    result = _SheetText(title, label)
    rows = _rows(sheet)
    for number, values in rows:
        if not all(map(_blank, values)):
            result.header_row, header = number, values
            break
    else:
        return None
    kept = [i for i, value in enumerate(header) if not _blank(value)]
    names = [_cell_text(header[i]) for i in kept]
    for index, name in zip(kept, names, strict=True):
        letter = _column_letter(index)
        result.letters.setdefault(name, []).append(letter)
        if name.strip() != name:
            result.letters.setdefault(name.strip(), []).append(letter)
    converters: list[Callable[[object], str]] = [
        _commune_text if name.strip() in _COMMUNE_COLUMNS else _cell_text for name in names
    ]
    kept_set = set(kept)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    header_lines = 1 + sum(name.count("\n") for name in names)
    result.rows_at = [0, *itertools.repeat(result.header_row, header_lines)]
    for number, values in rows:
        if all(map(_blank, values)):
            continue  # an empty row is no record, as a blank line in a CSV file
        width = len(values)
        cells = [
            convert(values[i]) if i < width else ""
            for i, convert in zip(kept, converters, strict=True)
        ]
        for index, value in enumerate(values):
            if index not in kept_set and not _blank(value):
                result.problems.append(
                    (
                        (number, index),
                        Problem(
                            code=ProblemCode.UNKNOWN_COLUMN,
                            message="a value in a column without a name in the header row",
                            file=label,
                            record=result.where(number, _column_letter(index)),
                            value=format_value(_cell_text(value)),
                            expected="values only under a header naming the column",
                        ),
                    )
                )
        writer.writerow(cells)
        lines = 1 + sum(cell.count("\n") for cell in cells if "\n" in cell)
        result.rows_at.extend(itertools.repeat(number, lines))
    result.text = out.getvalue()
    return result


def _column_index(letters: str) -> int:
    """Return the 0-based index of column ``letters`` (A → 0, AA → 26)."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _relocate(
    problem: Problem, sheet: _SheetText, known: frozenset[str], used: dict[str, int]
) -> tuple[tuple[int, int], Problem]:
    """Point a problem of the table reader (``line 14``) at the sheet's cell (``C14``).

    Returns the problem with its sort key (row, column). ``used`` counts the header problems
    already placed per column name, so that repeated unknown columns, or the repeats of a
    known one, are each pointed at in turn.
    """
    row: int | None = None
    record = problem.record or ""
    if record.startswith("line ") and record[5:].isdigit():
        line = int(record[5:])
        row = sheet.rows_at[line] if line < len(sheet.rows_at) else None
    letter: str | None = None
    field = problem.field
    if field is not None:
        letters = sheet.letters.get(field) or sheet.letters.get(field.strip()) or []
        if row == sheet.header_row and letters:
            # the table reader takes the first of repeated columns and reports the others
            candidates = letters[1:] if field.strip() in known and len(letters) > 1 else letters
            turn = used.get(field, 0)
            used[field] = turn + 1
            letter = candidates[min(turn, len(candidates) - 1)]
        elif letters:
            letter = letters[0]

    def row_of(match: re.Match[str]) -> str:
        line = int(match.group(1))
        return f"row {sheet.rows_at[line]}" if line < len(sheet.rows_at) else match.group(0)

    relocated = attrs.evolve(
        problem,
        record=sheet.where(row, letter),
        message=_LINE.sub(row_of, problem.message),
    )
    return (row or 0, _column_index(letter) if letter else -1), relocated


def _read_sheet(
    sheet: ReadOnlySheet, title: str, table: str, label: str
) -> tuple[tuple[Any, ...] | None, list[Problem]]:
    """Read a Participations or Rapports sheet with the CSV table reader.

    Returns None for the records of a sheet without any value: a template's empty sheet
    holds no records, which is no problem when another sheet holds some.
    """
    converted = _sheet_text(sheet, title, label)
    if converted is None:
        return None, []
    read = _tables.read_participations if table == "participations" else _tables.read_reports
    records, problems = read(converted.text, label, ",")
    known = frozenset(c.name for c in _tables.table_columns(table))
    used: dict[str, int] = {}
    located = [_relocate(p, converted, known, used) for p in problems]
    located.extend(converted.problems)
    if located:
        return (), [p for _, p in sorted(located, key=operator.itemgetter(0))]
    return tuple(records), []


def _read_document(
    sheet: ReadOnlySheet, label: str, converter: cattrs.Converter
) -> tuple[Dataset | None, list[Problem]]:
    """Read the hidden sheet: the schema in A1, the document over the cells below."""
    pieces: list[str] = []
    schema: object = None
    for number, values in _rows(sheet):
        value = values[0] if values else None
        if number == 1:
            schema = value
        elif value is not None:
            pieces.append(restore(value) if isinstance(value, str) else _cell_text(value))
    problem = _json.schema_problem(schema, label)
    if problem is not None:
        return None, [attrs.evolve(problem, record=f"{DOCUMENT_SHEET}!A1")]
    dataset, problems = _json.read_json("".join(pieces).encode("utf-8"), label, converter)
    return dataset, [
        attrs.evolve(p, record=f"{DOCUMENT_SHEET}!{p.record}" if p.record else DOCUMENT_SHEET)
        for p in problems
    ]


_MAX_PARTS = 10_000


def _bounded_parts(data: bytes) -> str | None:
    """Why the workbook's parts would inflate beyond the limits, or None when they do not.

    The sizes the zip declares are checked first (a bomb is refused without inflating
    anything); then every part is inflated once, by chunks, counting what comes out, since
    declared sizes can lie. openpyxl keeps the shared strings of a workbook in memory: a
    2.7 MB workbook whose strings inflate to 1 GB used to be read for minutes.
    """
    part_limit, total_limit = limits.MAX_WORKBOOK_PART_BYTES, limits.MAX_WORKBOOK_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None  # no zip at all: openpyxl says why
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_PARTS:
            return f"the workbook has {len(infos):,} parts, more than {_MAX_PARTS:,}"
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > part_limit:
                return (
                    f"its part {info.filename!r} would inflate to {info.file_size:,} bytes, "
                    f"more than the {part_limit:,} of territoires.limits.MAX_WORKBOOK_PART_BYTES"
                )
        if total > total_limit:
            return (
                f"its parts would inflate to {total:,} bytes, more than the {total_limit:,} "
                "of territoires.limits.MAX_WORKBOOK_BYTES"
            )
        for info in infos:
            size = 0
            try:
                with archive.open(info) as part:
                    while chunk := part.read(2**20):
                        size += len(chunk)
                        if size > part_limit:
                            return (
                                f"its part {info.filename!r} inflates to more than "
                                f"{part_limit:,} bytes, although it declares "
                                f"{info.file_size:,} (territoires.limits."
                                "MAX_WORKBOOK_PART_BYTES)"
                            )
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
                return None  # a damaged part: openpyxl says why
    return None


def _load(data: bytes) -> Any:
    openpyxl = _openpyxl()
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on what is no workbook
        raise _Unreadable(_reason(exc)) from exc


def read_workbook(
    path: Path, converter: cattrs.Converter | None = None
) -> tuple[Dataset | None, list[Problem]]:
    """Read a workbook; return the dataset, or None and every problem found.

    Raises:
        FormatError: openpyxl is missing.
    """
    label = str(path)
    _openpyxl()
    try:
        check_regular_file(path)
    except ReadFailure as failure:
        return None, [failure.problem]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(code=ProblemCode.UNREADABLE, message="no such file", file=label)]
    except OSError as exc:
        return None, [
            Problem(
                code=ProblemCode.UNREADABLE,
                message=f"cannot be read: {exc.strerror or exc}",
                file=label,
            )
        ]
    if not data:
        return None, [
            Problem(
                code=ProblemCode.EMPTY_FILE,
                message="the file is empty",
                file=label,
                expected="an .xlsx workbook",
            )
        ]
    oversized = _bounded_parts(data)
    if oversized is not None:
        return None, [
            Problem(
                code=ProblemCode.TOO_LARGE,
                message=f"the workbook is refused: {oversized}",
                file=label,
                expected="a workbook whose parts inflate to at most "
                f"{limits.MAX_WORKBOOK_PART_BYTES:,} bytes each",
            )
        ]
    with warnings.catch_warnings():
        # openpyxl warns about parts of a workbook it drops (data validation, conditional
        # formatting...): none holds data territoires reads.
        warnings.simplefilter("ignore")
        try:
            workbook = _load(data)
            try:
                return _read_sheets(workbook, label, converter or make_converter())
            finally:
                workbook.close()
        except _Unreadable as exc:
            return None, [
                Problem(
                    code=ProblemCode.UNKNOWN_FORMAT,
                    message=f"cannot be read as an Excel workbook ({exc})",
                    file=label,
                    expected="an .xlsx workbook (Excel 2007 or later)",
                )
            ]


def _read_sheets(
    workbook: Any, label: str, converter: cattrs.Converter
) -> tuple[Dataset | None, list[Problem]]:
    names: dict[str, str] = {}
    for name in workbook.sheetnames:
        key = name.strip().casefold()
        if key in _REPORT_SHEET_NAMES:
            key = "reports"
        names.setdefault(key, name)
    tables = [(t, names[t]) for t in ("participations", "reports") if t in names]
    document = names.get(DOCUMENT_SHEET)
    if not tables and document is None:
        found = ", ".join(map(repr, workbook.sheetnames))
        return None, [
            Problem(
                code=ProblemCode.UNKNOWN_FORMAT,
                message=f"the workbook has no {PARTICIPATIONS_SHEET} or {REPORTS_SHEET} sheet "
                f"(its sheets: {found})",
                file=label,
                expected=f"a sheet named {PARTICIPATIONS_SHEET} or {REPORTS_SHEET} with the "
                "columns of the CSV tables",
            )
        ]
    dataset = Dataset()
    problems: list[Problem] = []
    if document is not None:
        read, more = _read_document(_worksheet(workbook, document), label, converter)
        problems.extend(more)
        dataset = read or dataset
    parts: dict[str, tuple[Any, ...]] = {}
    for table, name in tables:
        records, more = _read_sheet(_worksheet(workbook, name), name, table, label)
        problems.extend(more)
        if records is not None:
            parts[table] = records
    if tables and not parts and document is None:
        sheets = " and ".join(name for _, name in tables)
        problems.append(
            Problem(
                code=ProblemCode.EMPTY_FILE,
                message=f"the {sheets} sheet{'s are' if len(tables) > 1 else ' is'} empty",
                file=label,
                record=f"{tables[0][1]}!1:1",
                expected="a header row with the column names, then one row per record",
            )
        )
    if problems:
        return None, problems
    return attrs.evolve(
        dataset,
        participations=dataset.participations + parts.get("participations", ()),
        reports=dataset.reports + parts.get("reports", ()),
    ), []


def _worksheet(workbook: Any, name: str) -> ReadOnlySheet:
    sheet = workbook[name]
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        raise _Unreadable(f"{name!r} is a chart, not a sheet of cells")
    return sheet


def read_dataset_xlsx(path: str | Path, *, converter: cattrs.Converter | None = None) -> Dataset:
    """Read a workbook written by :func:`write_dataset_xlsx`, or an operator's workbook.

    The ``Participations`` and ``Rapports`` sheets (either may be absent) are read with the
    CSV tables' columns and parsers, in any column order, cells typed by Excel or not; the
    hidden ``territoires`` sheet, when present, gives the rest of the dataset.

    Raises:
        DataError: the workbook cannot be read or holds problems; each names the file, the
            cell (``Participations!C14``) and the column.
        FormatError: openpyxl is missing.

    .. versionadded:: 0.1
    """
    dataset, problems = read_workbook(Path(path), converter)
    if dataset is None:
        raise DataError(problems)
    return dataset
