"""Files of what the library computes: indicator tables and eligibility decisions.

Indicator tables are written as JSON (``territoires-indicators/1``), CSV (one row per cell,
stable column names, the period, threshold and synthetic flag on every row so that a row
copied elsewhere keeps them) and data packages (``indicators.csv`` with its Table Schema);
all three read back into an equal :class:`~territoires.indicators.IndicatorTable`, without
the indicators' definitions, which live in the registry. Decisions are written as JSON and
as CSV (one row per verdict); they are outputs and are not read back.

CSV follows one of two dialects: ``default`` (UTF-8, comma, ISO dates, decimal point) or
``excel-fr`` (UTF-8 with a byte-order mark, semicolon, DD/MM/YYYY dates, decimal comma), which
French Excel opens right with a double click. Text cells are neutralised against formula
injection (:mod:`territoires.io._safe`) in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from territoires.disclosure import CellStatus
from territoires.exceptions import DataError, FormatError
from territoires.io import _cells, _tables
from territoires.io._safe import RowWriter, csv_writer, restore
from territoires.problems import Problem, ProblemCode

if TYPE_CHECKING:
    from territoires.eligibility import Decision
    from territoires.indicators import IndicatorRow, IndicatorTable

__all__ = [
    "DECISION_COLUMNS",
    "DIALECTS",
    "INDICATOR_COLUMNS",
    "INDICATOR_REQUIRED",
    "INDICATOR_SCHEMA",
    "Dialect",
    "check_dialect",
    "holds_indicators",
    "read_indicators",
    "write_decisions_csv_to",
    "write_decisions_json_to",
    "write_indicators_csv_to",
    "write_indicators_json_to",
    "write_indicators_package",
]

Dialect = Literal["default", "excel-fr"]
DIALECTS: Final[tuple[Dialect, ...]] = ("default", "excel-fr")
INDICATOR_SCHEMA: Final = "territoires-indicators/1"
PACKAGE_TABLE: Final = "indicators.csv"

INDICATOR_COLUMNS: Final[tuple[tuple[str, str, str], ...]] = (
    ("indicator", "string", "Name of the indicator (see the indicator catalogue)."),
    ("level", "string", "action, contract, territory or national."),
    ("territory", "string", "Reference of the territory (SIREN of an EPCI, INSEE code); FR."),
    ("contract", "string", "Id of the contract, at action and contract level."),
    ("action", "string", "Id of the action, at action level."),
    ("period_start", "date", "First day of the period."),
    ("period_end", "date", "Last day of the period."),
    ("dimension", "string", "Dimension of a breakdown (sex, age_band...); empty for a total."),
    ("category", "string", "Category of the breakdown (female, 18-25...); empty for a total."),
    ("value", "number", "The value; empty when suppressed or undefined."),
    ("unit", "string", "persons, count, euros, percent (0-100) or per_10000."),
    ("target", "number", "The target compared with the row (an action's or a contract's), if any."),
    (
        "target_kind",
        "string",
        "What the target is for: period (this year or semester), action (the whole action) or "
        "contract (the whole contract); empty without a target.",
    ),
    (
        "achievement",
        "number",
        "Value over target, as a fraction; empty unless the value and the target compare like "
        "with like (a whole-action or whole-contract target needs a period from its start).",
    ),
    ("status", "string", "published, suppressed (secret statistique) or undefined."),
    ("threshold", "integer", "Smallest number of persons a published count may have."),
    ("synthetic", "boolean", "Whether the figures come from synthetic data."),
    (
        "data_errors",
        "integer",
        "Errors in the data the figures come from (territoires validate): 0 unless computed "
        "with --allow-invalid.",
    ),
)
"""The columns of an indicator table: name, Table Schema type, description."""

INDICATOR_REQUIRED: Final = (
    "indicator",
    "level",
    "territory",
    "period_start",
    "value",
    "unit",
    "status",
    "threshold",
)
"""The columns a CSV indicator table must have (in any order); the others may be left out."""

DECISION_COLUMNS: Final = (
    "person",
    "action",
    "contract",
    "on",
    "outcome",
    "rule",
    "rule_outcome",
    "reason_fr",
    "reason_en",
)
"""The columns of decisions in CSV: one row per verdict, the decision repeated."""


def _refuse(
    code: ProblemCode,
    message: str,
    *,
    file: str,
    record: str | None = None,
    field: str | None = None,
) -> DataError:
    """The error of one problem with a whole file."""
    return DataError([Problem(code=code, message=message, file=file, record=record, field=field)])


def check_dialect(dialect: str) -> Dialect:
    """Return ``dialect`` if it is a known CSV dialect.

    Raises:
        FormatError: it is not.
    """
    if dialect not in DIALECTS:
        raise FormatError(f"unknown CSV dialect {dialect!r} (choose {', '.join(DIALECTS)})")
    return dialect


class _Cells:
    """Turns values into the text cells of a dialect (those of the dataset tables)."""

    def __init__(self, dialect: Dialect) -> None:
        self.french = dialect == "excel-fr"

    def text(self, value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return _tables._french_cell(value) if self.french else _tables._cell(value)


def _csv_writer(stream: Any, dialect: Dialect) -> RowWriter:
    return csv_writer(stream, french=dialect == "excel-fr")


def _open(path: Path) -> io.TextIOWrapper:
    return open(path, "w", encoding="utf-8", newline="")


# -- indicator tables ---------------------------------------------------------------------------


_PUBLISHED_STATUSES = (CellStatus.PUBLISHED, CellStatus.SUPPRESSED, CellStatus.UNDEFINED)

_Fallback = tuple[str, str, str, str, str]
"""What a file records for the whole table: period start and end, threshold, synthetic flag,
data errors (as text)."""

SECRET: Final = "s"
"""What a data package's ``indicators.csv`` holds in place of a suppressed value: a missing
value labelled "secret statistique" in its Table Schema (Data Package v2 ``missingValues``)."""


def _row_values(row: IndicatorRow, table: IndicatorTable, secret: str | None) -> list[object]:
    # Published: primary and secondary suppression are one status (see CellStatus).
    status = row.status.published
    value = secret if secret is not None and status is CellStatus.SUPPRESSED else row.value
    return [
        row.indicator,
        row.level.value,
        row.territory,
        row.contract,
        row.action,
        row.period.start,
        row.period.end,
        row.dimension.value if row.dimension else None,
        row.category,
        value,
        row.unit.value,
        row.target,
        row.target_kind.value if row.target_kind else None,
        row.achievement,
        status.value,
        table.threshold,
        table.synthetic,
        table.data_errors,
    ]


def write_indicators_csv_to(
    table: IndicatorTable, stream: Any, dialect: str = "default", *, secret: str | None = None
) -> None:
    """Write an indicator table as CSV to an open text stream, one row per cell.

    A suppressed value is an empty cell, or ``secret`` when given (data packages).
    """
    chosen = check_dialect(dialect)
    cells = _Cells(chosen)
    writer = _csv_writer(stream, chosen)
    writer.writerow([name for name, _, _ in INDICATOR_COLUMNS])
    writer.writerows([cells.text(v) for v in _row_values(row, table, secret)] for row in table)


def write_indicators_json_to(table: IndicatorTable, stream: Any) -> None:
    """Write an indicator table as a ``territoires-indicators/1`` document to a text stream."""
    document = {
        "schema": INDICATOR_SCHEMA,
        "period": {"start": table.period.start.isoformat(), "end": _iso(table.period.end)},
        "threshold": table.threshold,
        "synthetic": table.synthetic,
        "data_errors": table.data_errors,
        "rows": [row.to_dict() for row in table],
    }
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def write_indicators_package(table: IndicatorTable, folder: Path) -> None:
    """Write an indicator table as a Frictionless data package (``indicators.csv``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with _open(folder / PACKAGE_TABLE) as stream:
        write_indicators_csv_to(table, stream, secret=SECRET)
    title = "Indicateurs des contrats territoriaux d'accueil et d'intégration"
    if table.synthetic:
        title += " (données synthétiques)"
    if table.data_errors:
        title += f" (calculés sur des données comportant {table.data_errors} erreur(s))"
    descriptor = {
        # Data Package v2: its labelled missing values say why a value is missing.
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "territoires-indicators",
        "title": title,
        "description": (
            "Indicateurs agrégés, protégés par le secret statistique (cases de moins de "
            f"{table.threshold} personnes masquées, avec les cases qui permettraient de les "
            f"recalculer ; valeur « {SECRET} »). "
            f"Période du {table.period.start.isoformat()} au {_iso(table.period.end)}."
        ),
        "territoires": {
            "schema": INDICATOR_SCHEMA,
            "synthetic": table.synthetic,
            "data_errors": table.data_errors,
            "threshold": table.threshold,
            "period": {"start": table.period.start.isoformat(), "end": _iso(table.period.end)},
        },
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "resources": [
            {
                "name": "indicators",
                "title": "Indicateurs",
                "path": PACKAGE_TABLE,
                "type": "table",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": indicator_table_schema(),
            }
        ],
    }
    with _open(folder / "datapackage.json") as stream:
        json.dump(descriptor, stream, ensure_ascii=False, indent=2)
        stream.write("\n")


def indicator_table_schema() -> dict[str, Any]:
    """Return the Table Schema of ``indicators.csv`` (schema.data.gouv.fr conventions)."""
    enums = {
        "level": ["action", "contract", "territory", "national"],
        "status": [status.value for status in _PUBLISHED_STATUSES],
        "unit": ["persons", "count", "euros", "percent", "per_10000"],
    }
    required = {"indicator", "level", "territory", "period_start", "unit", "status"}
    fields = []
    for name, kind, description in INDICATOR_COLUMNS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        constraints: dict[str, Any] = {}
        if name in required:
            constraints["required"] = True
        if name in enums:
            constraints["enum"] = enums[name]
        if kind == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        # Data Package v2 labelled missing values: why a value is missing travels with it.
        "missingValues": [
            {"value": "", "label": "sans objet, ou non défini (division par zéro)"},
            {"value": SECRET, "label": CellStatus.SUPPRESSED.label_fr},
        ],
    }


def holds_indicators(path: Path) -> bool:
    """Return True when ``path`` holds an indicator table written by this module."""
    if path.is_dir():
        return (path / PACKAGE_TABLE).is_file()
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    if head.lstrip().startswith("{"):
        return f'"{INDICATOR_SCHEMA}"' in head
    first = head.split("\n", 1)[0].strip().replace(";", ",")
    names = [name for name, _, _ in INDICATOR_COLUMNS]
    # Tables written before version 0.2 have no data_errors column.
    return first in (",".join(names), ",".join(n for n in names if n != "data_errors"))


def read_indicators(path: Path) -> IndicatorTable:
    """Read back an indicator table from JSON, CSV (either dialect) or a data package.

    Raises:
        DataError: a row or field cannot be read; every problem names its file, row and field.
    """
    fallback = None
    if path.is_dir() or path.name == "datapackage.json":
        folder = path if path.is_dir() else path.parent
        fallback = _package_fallback(folder / "datapackage.json")
        path = folder / PACKAGE_TABLE
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refuse(ProblemCode.UNREADABLE, str(exc), file=label) from None
    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        return _indicators_from_json(text, label)
    return _indicators_from_csv(text, label, fallback)


def _package_fallback(descriptor: Path) -> _Fallback | None:
    """The period, threshold, synthetic flag and data errors a package descriptor records."""
    try:
        found = json.loads(descriptor.read_text(encoding="utf-8"))["territoires"]
        period = found["period"]
        return (
            str(period["start"] or ""),
            str(period["end"] or ""),
            str(found["threshold"]),
            "true" if found["synthetic"] else "false",
            str(found.get("data_errors", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _indicators_from_json(text: str, label: str) -> IndicatorTable:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(ProblemCode.INVALID_JSON, f"not JSON: {exc}", file=label) from None
    if not isinstance(document, dict) or document.get("schema") != INDICATOR_SCHEMA:
        raise _refuse(
            ProblemCode.UNKNOWN_FORMAT,
            f"not an indicator table: expected schema {INDICATOR_SCHEMA!r}",
            file=label,
            field="schema",
        )
    rows = document.get("rows") or []
    records: list[dict[str, str]] = []
    for record in rows:
        flat = {key: "" if value is None else str(value) for key, value in record.items()}
        flat["threshold"] = str(document.get("threshold", ""))
        flat["synthetic"] = "true" if document.get("synthetic") else "false"
        flat["data_errors"] = str(document.get("data_errors", 0))
        records.append(flat)
    period = document.get("period") or {}
    return _table(
        records,
        label,
        lambda index: f"rows[{index}]",
        fallback=(
            str(period.get("start") or ""),
            str(period.get("end") or ""),
            str(document.get("threshold", "")),
            "true" if document.get("synthetic") else "false",
            str(document.get("data_errors", 0)),
        ),
        escaped=False,
    )


def _indicators_from_csv(
    text: str, label: str, fallback: _Fallback | None = None
) -> IndicatorTable:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    names = [h.strip() for h in header or ()]
    known = [name for name, _, _ in INDICATOR_COLUMNS]
    # A table written elsewhere may order the columns as it likes and leave optional ones out;
    # a column not documented is refused rather than ignored (a misspelt "category" would
    # otherwise read every breakdown as a total).
    missing = [name for name in INDICATOR_REQUIRED if name not in names]
    unknown = [name for name in names if name not in known]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or repeated:
        wrong = (
            (f"missing {', '.join(missing)}; " if missing else "")
            + (f"unknown {', '.join(unknown)}; " if unknown else "")
            + (f"repeated {', '.join(repeated)}; " if repeated else "")
        )
        raise _refuse(
            ProblemCode.UNKNOWN_FORMAT,
            f"not an indicator table ({wrong}the columns are "
            f"{', '.join(known)}; {', '.join(INDICATOR_REQUIRED)} required)",
            file=label,
            record="line 1",
        )
    records = [dict(zip(names, row, strict=False)) for row in reader if any(row)]
    if not records and fallback is None:
        raise _refuse(
            ProblemCode.EMPTY_FILE,
            "an indicator table in CSV without rows has no period: export it as JSON or as a "
            "data package to keep it",
            file=label,
        )
    return _table(
        records, label, lambda index: f"line {index + 2}", fallback=fallback, escaped=True
    )


def _table(
    records: Sequence[Mapping[str, str]],
    label: str,
    where: Any,
    *,
    fallback: _Fallback | None,
    escaped: bool,
) -> IndicatorTable:
    from territoires.indicators import IndicatorRow, IndicatorTable, Level
    from territoires.measures import Dimension, Unit
    from territoires.model.enums import TargetKind
    from territoires.model.period import Period

    problems: list[Problem] = []

    def fail(index: int, field: str, value: str, expected: str) -> None:
        problems.append(
            Problem(
                code=ProblemCode.INVALID_VALUE,
                message=f"{field}: expected {expected}",
                file=label,
                record=where(index),
                field=field,
                value=value,
                expected=expected,
            )
        )

    def text(record: Mapping[str, str], field: str) -> str:
        value = record.get(field, "").strip()
        return restore(value) if escaped else value

    def day(index: int, record: Mapping[str, str], field: str) -> dt.date | None:
        value = text(record, field)
        if not value:
            return None
        try:
            return _cells.parse_date(value)
        except Exception:
            fail(index, field, value, _cells.DATE_EXPECTED)
            return None

    def number(index: int, record: Mapping[str, str], field: str) -> Decimal | None:
        value = text(record, field)
        if not value or (field == "value" and value == SECRET):
            return None
        try:
            return Decimal(value.replace(",", "."))
        except InvalidOperation:
            fail(index, field, value, "a number")
            return None

    def member(index: int, record: Mapping[str, str], field: str, enum: Any) -> Any:
        value = text(record, field)
        if not value:
            return None
        try:
            return enum.from_value(value)
        except Exception:
            fail(index, field, value, "one of " + ", ".join(enum.values()))
            return None

    rows: list[IndicatorRow] = []
    periods: set[tuple[dt.date | None, dt.date | None]] = set()
    thresholds: set[str] = set()
    synthetic: set[str] = set()
    data_errors: set[str] = set()
    for index, record in enumerate(records):
        start, end = day(index, record, "period_start"), day(index, record, "period_end")
        level = member(index, record, "level", Level)
        unit = member(index, record, "unit", Unit)
        status = member(index, record, "status", CellStatus)
        dimension = member(index, record, "dimension", Dimension)
        value, target = number(index, record, "value"), number(index, record, "target")
        achievement = number(index, record, "achievement")
        target_kind = member(index, record, "target_kind", TargetKind)
        for field in ("indicator", "territory"):
            if not text(record, field):
                fail(index, field, "", "a value")
        if start is None or level is None or unit is None or status is None:
            if start is None and not text(record, "period_start"):
                fail(index, "period_start", "", "a value")
            continue
        periods.add((start, end))
        thresholds.add(text(record, "threshold"))
        synthetic.add(text(record, "synthetic"))
        data_errors.add(text(record, "data_errors") or "0")  # absent before version 0.2
        rows.append(
            IndicatorRow(
                indicator=text(record, "indicator"),
                level=level,
                territory=text(record, "territory"),
                contract=text(record, "contract") or None,
                action=text(record, "action") or None,
                period=Period(start, end),
                dimension=dimension,
                category=text(record, "category") or None,
                value=value,
                unit=unit,
                target=target,
                target_kind=target_kind,
                achievement=achievement,
                status=status,
            )
        )
    if problems:
        raise DataError(problems)
    if fallback is not None:
        start_text, end_text, threshold_text, synthetic_text, errors_text = fallback
        try:
            periods.add(
                (
                    _cells.parse_date(start_text) if start_text else None,
                    _cells.parse_date(end_text) if end_text else None,
                )
            )
        except Exception:
            raise _refuse(
                ProblemCode.INVALID_DATE,
                f"period: expected {_cells.DATE_EXPECTED}",
                file=label,
                field="period",
            ) from None
        thresholds.add(threshold_text)
        synthetic.add(synthetic_text)
        data_errors.add(errors_text)
    for name, found in (
        ("period", periods),
        ("threshold", thresholds),
        ("synthetic", synthetic),
        ("data_errors", data_errors),
    ):
        if len(found) != 1:
            raise DataError(
                [
                    Problem(
                        code=ProblemCode.INVALID_VALUE,
                        message=f"the rows of one table share one {name}; found {len(found)}",
                        file=label,
                        field=name,
                    )
                ]
            )
    ((start, end),) = periods
    (threshold,) = thresholds
    (errors_found,) = data_errors
    if not errors_found.isdigit():
        raise _refuse(
            ProblemCode.INVALID_VALUE,
            "data_errors: expected a whole number",
            file=label,
            field="data_errors",
        )
    if start is None or not threshold.isdigit():
        raise DataError(
            [Problem(code=ProblemCode.INVALID_VALUE, message="no period or threshold", file=label)]
        )
    return IndicatorTable(
        rows=tuple(rows),
        period=Period(start, end),
        threshold=int(threshold),
        indicators={},
        synthetic=synthetic == {"true"},
        data_errors=int(errors_found),
    )


# -- decisions ----------------------------------------------------------------------------------


def _decision_rows(decisions: Iterable[Decision]) -> Iterator[list[object]]:
    for decision in decisions:
        head: list[object] = [
            decision.person,
            decision.action,
            decision.contract,
            decision.on,
            decision.outcome.value,
        ]
        if not decision.verdicts:
            yield [*head, None, None, None, None]
        for verdict in decision.verdicts:
            yield [
                *head,
                verdict.rule,
                verdict.outcome.value,
                verdict.verdict.reason("fr"),
                verdict.verdict.reason("en"),
            ]


def write_decisions_csv_to(
    decisions: Sequence[Decision], stream: Any, dialect: str = "default"
) -> None:
    """Write eligibility decisions as CSV to a text stream: one row per rule's verdict."""
    chosen = check_dialect(dialect)
    cells = _Cells(chosen)
    writer = _csv_writer(stream, chosen)
    writer.writerow(DECISION_COLUMNS)
    writer.writerows([cells.text(v) for v in row] for row in _decision_rows(decisions))


def write_decisions_json_to(decisions: Sequence[Decision], stream: Any) -> None:
    """Write eligibility decisions as a ``territoires-decisions/1`` document to a text stream."""
    document = {
        "schema": "territoires-decisions/1",
        "decisions": [d.to_dict() for d in decisions],
    }
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
