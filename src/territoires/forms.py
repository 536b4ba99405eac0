"""Operators' forms, out and back in: one workbook per operator, collected in one step.

:func:`write_templates` writes, for one contract, one workbook per operator holding that
operator's actions only: a sheet ``Participations`` and a sheet ``Rapports`` with the columns
of the tables territoires reads, typed cells (dates, texts that keep their leading zeros),
drop-down lists for every enumeration and for the operator's actions (data validation), a
protected header row, and a first sheet ``À lire`` that explains each column and the rule of
pseudonymous ids. :func:`collect` reads the filled forms back (workbooks, or CSV in the
excel-fr dialect) and merges them into the dataset:

- every problem of every file is reported at once, at its cell (``Participations!C7``) or
  line, and nothing is merged while there is one;
- personal data is refused where a pseudonym or a code is expected: a name, an e-mail
  address or a phone number is reported with its value masked, never echoed;
- a row for an action the operator does not run, a formula in a data cell, a sheet or a
  column the form does not have are refused;
- the same participation (same person, same action, same entry date) sent in two forms is
  reported with both places;
- a form's row replaces the dataset's row with the same id, when that row is one of the
  operator's actions: collecting the same forms twice gives the same dataset;
- the forms are only read, never written.

Which operator sent a form: its hidden ``formulaire`` sheet says it, for a workbook written by
:func:`write_templates`; otherwise its name, ``CONTRACT--OPERATOR.xlsx`` or ``.csv``, the
name the templates have.

.. versionadded:: 0.2
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from territoires.exceptions import DataError, FormatError, UnknownContractError
from territoires.io import load
from territoires.io._atomic import atomic_output
from territoires.io._tables import PARTICIPATION_COLUMNS, REPORT_COLUMNS
from territoires.io._xlsx import _column_letter, _openpyxl, _StableZip
from territoires.model.contract import Action, Contract
from territoires.model.dataset import Dataset
from territoires.model.person import ActionReport, Participation
from territoires.problems import Problem, ProblemCode

__all__ = [
    "FORM_ROWS",
    "Collected",
    "collect",
    "form_name",
    "operators_of",
    "write_templates",
]

FORM_ROWS: Final = 2000
"""Rows an operator can fill in a form's sheets (the cells below are locked)."""

README_SHEET: Final = "À lire"
PARTICIPATIONS: Final = "Participations"
REPORTS: Final = "Rapports"
LISTS: Final = "Listes"
META: Final = "formulaire"
_KNOWN_SHEETS: Final = frozenset({README_SHEET, PARTICIPATIONS, REPORTS, LISTS, META})

_DATES: Final = frozenset({"entry_date", "exit_date", "period_start", "period_end"})
_TEXTS: Final = frozenset({"id", "person", "action", "residence"})

# What each column holds, for the "À lire" sheet: (meaning, example).
_EXPLAINED: Final[dict[str, tuple[str, str]]] = {
    "id": (
        "identifiant de la ligne, unique dans le formulaire ; gardez-le d'un envoi à l'autre",
        "p-0001",
    ),
    "person": (
        "identifiant pseudonyme de la personne, le même à chaque ligne et à chaque envoi ; "
        "jamais un nom, une adresse électronique ni un numéro de téléphone",
        "P7F3A9C",
    ),
    "action": ("identifiant de l'action (liste déroulante : vos actions seulement)", ""),
    "entry_date": ("date d'entrée dans l'action (JJ/MM/AAAA)", "11/01/2021"),
    "exit_date": ("date de sortie ; vide tant que la personne suit l'action", "25/06/2021"),
    "status": ("statut administratif à l'entrée (liste déroulante)", "refugee"),
    "sex": ("sexe (liste déroulante ; vide : non renseigné)", "female"),
    "age_band": ("tranche d'âge à l'entrée (liste déroulante)", "26-39"),
    "residence": ("code INSEE de la commune de résidence, 5 caractères", "44109"),
    "employment": ("situation d'emploi à la sortie (liste déroulante)", ""),
    "housing": ("situation de logement à la sortie (liste déroulante)", ""),
    "french_entry": ("niveau de français à l'entrée (CECRL, liste déroulante)", "a1"),
    "french_exit": ("niveau de français à la sortie (CECRL, liste déroulante)", "a2"),
    "period_start": ("premier jour de la période du compte rendu", "01/01/2021"),
    "period_end": ("dernier jour de la période du compte rendu", "30/06/2021"),
    "spent": ("euros dépensés sur la période (sur une seule ligne par période)", "12000"),
    "category": ("catégorie de public comptée (liste déroulante)", "refugee"),
    "count": ("nombre de personnes de la catégorie, du sexe et de la tranche d'âge", "7"),
}

_EMAIL: Final = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# A French number (06 12 34 56 78, 0612345678, 06.12.34.56.78) or an international one
# (+33 6 12 34 56 78, 0033...): a pseudonym never starts with "+", and ten digits starting with
# 0 are a phone number's shape, refused rather than risked.
_PHONE: Final = re.compile(r"^(?:0[1-9](?:[ .\-]?\d{2}){4}|(?:\+|00)\d[\d .\-()]{7,})$")
# Two words or more, each a capital and letters ("Jean Dupont", "DUPONT Jean", "Marie-Claire
# Dubois"): no code, id or enumeration value looks like that, and a pseudonym has no space.
_NAME: Final = re.compile(r"^[A-ZÀ-Þ][A-Za-zÀ-ÿ'’\-]+(?: +[A-ZÀ-Þ][A-Za-zÀ-ÿ'’\-]+)+$")
_SEPARATOR: Final = "--"


def form_name(contract_id: str, operator: str, suffix: str = ".xlsx") -> str:
    """The file name of an operator's form: ``CONTRACT--OPERATOR.xlsx``."""
    return f"{contract_id}{_SEPARATOR}{operator}{suffix}"


def operators_of(contract: Contract) -> dict[str, list[Action]]:
    """Return the operators of a contract (avenants included), each with its actions, in order.

    These are the forms :func:`write_templates` writes, and the actions each may report on.
    """
    final = contract.as_of(dt.date.max)
    found: dict[str, list[Any]] = {}
    for action in final.actions:
        for operator in action.operators:
            found.setdefault(operator, []).append(action)
    return found


# -- writing ---------------------------------------------------------------------------------------


def write_templates(
    dataset: Dataset,
    contract_id: str,
    folder: str | Path,
    *,
    operators: Sequence[str] | None = None,
    csv_forms: bool = False,
) -> list[Path]:
    """Write one form per operator of ``contract_id`` into ``folder`` (which must exist).

    Args:
        dataset: The dataset that holds the contract.
        contract_id: The contract.
        folder: Where to write the forms.
        operators: Only these operators; every operator of the contract by default.
        csv_forms: Also write each form as a CSV header in the excel-fr dialect, for
            operators who work without Excel.

    Returns:
        The paths written, one per operator (two with ``csv_forms``).

    Raises:
        UnknownContractError: no contract has this id.
        FormatError: openpyxl is missing (the ``xlsx`` extra), or ``folder`` is no folder.
    """
    contract = dataset.contract(contract_id)
    if contract is None:
        raise UnknownContractError(
            contract_id, [c.id for c in dataset.contracts], " in the dataset"
        )
    target = Path(folder)
    if not target.is_dir():
        raise FormatError(f"{target}: no such folder")
    found = operators_of(contract)
    chosen = list(found) if operators is None else list(operators)
    unknown = [o for o in chosen if o not in found]
    if unknown:
        from territoires.exceptions import UnknownNameError

        raise UnknownNameError(unknown, list(found), f" among the operators of {contract_id!r}")
    written: list[Path] = []
    names = {p.id: p.name for p in dataset.parties}
    for operator in chosen:
        path = target / form_name(contract.id, operator)
        with atomic_output(path) as where:
            _write_workbook(
                where, contract, operator, names.get(operator, operator), found[operator], dataset
            )
        written.append(path)
        if csv_forms:
            path = target / form_name(contract.id, operator, ".csv")
            with (
                atomic_output(path) as where,
                open(where, "w", encoding="utf-8-sig", newline="") as stream,
            ):
                csv.writer(stream, delimiter=";", lineterminator="\r\n").writerow(
                    c.name for c in PARTICIPATION_COLUMNS
                )
            written.append(path)
    return written


def _write_workbook(
    path: Path,
    contract: Contract,
    operator: str,
    operator_name: str,
    actions: Sequence[Any],
    dataset: Dataset,
) -> None:
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    readme = workbook.active
    readme.title = README_SHEET
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")

    lists = workbook.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    columns_of_lists: dict[str, str] = {}
    # The action's list, then each enumeration as the table reader knows it (its choices).
    values_by_list: dict[str, tuple[str, ...]] = {"action": tuple(a.id for a in actions)}
    for column in (*PARTICIPATION_COLUMNS, *REPORT_COLUMNS):
        if column.choices:
            values_by_list.setdefault(column.name, column.choices)
    for index, (name, values) in enumerate(values_by_list.items(), start=1):
        letter = openpyxl.utils.get_column_letter(index)
        lists.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        columns_of_lists[name] = f"{LISTS}!${letter}$2:${letter}${len(values) + 1}"

    for title, columns in ((PARTICIPATIONS, PARTICIPATION_COLUMNS), (REPORTS, REPORT_COLUMNS)):
        sheet = workbook.create_sheet(title)
        last = FORM_ROWS + 1
        for index, column in enumerate(columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            cell = sheet.cell(row=1, column=index, value=column.name)
            cell.font = bold
            cell.fill = header_fill
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            # The column's style, not each cell's: every row below the header is typed and
            # open to the operator, while the header keeps its own locked style.
            dimension = sheet.column_dimensions[letter]
            dimension.protection = unlocked
            if column.name in _DATES:
                dimension.number_format = "DD/MM/YYYY"
            elif column.name in _TEXTS:
                dimension.number_format = "@"
            cell.protection = Protection(locked=True)
            area = f"{letter}2:{letter}{last}"
            rule = _validation(column.name, columns_of_lists, DataValidation)
            if rule is not None:
                rule.add(area)
                sheet.add_data_validation(rule)
        sheet.freeze_panes = "A2"
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False

    meta = workbook.create_sheet(META)
    meta.sheet_state = "hidden"
    for row, (key, value) in enumerate(
        (("schema", "territoires-form/1"), ("contract", contract.id), ("operator", operator)),
        start=1,
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value)

    _readme(readme, contract, operator, operator_name, actions, dataset, bold, wrap)
    properties = workbook.properties
    properties.creator = "territoires"
    properties.title = f"Formulaire {contract.id} — {operator}"
    day = dataset.info.created or contract.period.start
    properties.created = dt.datetime.combine(day, dt.time())
    properties.modified = dt.datetime.combine(day, dt.time())
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    with open(path, "wb") as stream:
        archive = _StableZip(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(workbook, archive).save()


def _validation(name: str, lists: dict[str, str], rule_type: Any) -> Any:
    if name in lists:
        rule = rule_type(type="list", formula1=f"={lists[name]}", allow_blank=True)
        rule.error = "Choisissez une valeur de la liste (feuille « À lire »)."
    elif name in _DATES:
        rule = rule_type(
            type="date",
            operator="between",
            formula1="DATE(2000,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
        )
        rule.error = "Une date entre 2000 et 2100, au format JJ/MM/AAAA."
    elif name == "residence":
        rule = rule_type(type="textLength", operator="equal", formula1="5", allow_blank=True)
        rule.error = "Le code INSEE de la commune : 5 caractères (44109, 2A004)."
    elif name in ("count",):
        rule = rule_type(
            type="whole", operator="between", formula1="0", formula2="1000000", allow_blank=True
        )
        rule.error = "Un nombre entier de personnes."
    elif name == "spent":
        rule = rule_type(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="1000000000",
            allow_blank=True,
        )
        rule.error = "Un montant en euros."
    else:
        return None
    rule.errorTitle = "Valeur refusée"
    rule.showErrorMessage = True
    return rule


def _readme(
    sheet: Any,
    contract: Contract,
    operator: str,
    operator_name: str,
    actions: Sequence[Any],
    dataset: Dataset,
    bold: Any,
    wrap: Any,
) -> None:
    rows: list[tuple[Any, ...]] = [
        (f"Formulaire de suivi — {contract.title}",),
        (),
        ("Contrat", contract.id),
        ("Opérateur", f"{operator_name} ({operator})"),
        (),
        ("Vos actions",),
        *(
            (
                a.id,
                a.title,
                f"du {a.period.start:%d/%m/%Y}"
                + (f" au {a.period.end:%d/%m/%Y}" if a.period.end else ""),
            )
            for a in actions
        ),
        (),
        ("Règle : des identifiants pseudonymes, jamais de données personnelles",),
        (
            "Chaque personne a un identifiant pseudonyme (colonne person), le même à chaque "
            "ligne et à chaque envoi : un code que vous tenez, jamais son nom, son adresse "
            "électronique ni son numéro de téléphone. Un formulaire qui en contient est refusé "
            "en entier.",
        ),
        (),
        ("Comment remplir",),
        (
            "Une ligne par personne et par action dans la feuille Participations ; les comptes "
            "rendus chiffrés (si vous ne transmettez pas de données individuelles) dans la "
            "feuille Rapports. Ne modifiez pas la ligne d'en-tête ni les noms des feuilles ; "
            "n'écrivez pas de formule. Renvoyez le fichier tel quel : il est lu sans être "
            "modifié.",
        ),
        (),
        ("Colonne", "Feuille", "Contenu", "Valeurs permises", "Exemple"),
    ]
    for title, columns in ((PARTICIPATIONS, PARTICIPATION_COLUMNS), (REPORTS, REPORT_COLUMNS)):
        for column in columns:
            meaning, example = _EXPLAINED.get(column.name, ("", ""))
            if column.choices:
                allowed = ", ".join(column.choices)
            elif column.name == "action":
                allowed = ", ".join(a.id for a in actions)
            elif column.name in _DATES:
                allowed = "date JJ/MM/AAAA"
            else:
                allowed = "obligatoire" if column.required else ""
            if column.required and column.name not in ("id",) and allowed != "obligatoire":
                allowed = f"obligatoire ; {allowed}"
            rows.append((column.name, title, meaning, allowed, example))
    if dataset.info.synthetic:
        rows += [(), ("Données de démonstration : synthétiques.",)]
    for number, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=index, value=value)
            cell.alignment = wrap
            if index == 1 and len(values) == 1:
                cell.font = bold
    sheet["A1"].font = bold
    for letter, width in zip("ABCDE", (22, 16, 60, 40, 14), strict=True):
        sheet.column_dimensions[letter].width = width


# -- collecting ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Collected:
    """What :func:`collect` merged.

    Attributes:
        dataset: The dataset with the forms' rows merged in.
        forms: How many forms were read.
        added: Participation and report rows that were not in the dataset.
        replaced: Rows that replaced the dataset's row with the same id.
        unchanged: Rows already in the dataset as they are.
    """

    dataset: Dataset
    forms: int
    added: int
    replaced: int
    unchanged: int


@attrs.define
class _Form:
    path: Path
    label: str
    contract: str | None = None
    operator: str | None = None
    participations: Sequence[Participation] = ()
    reports: tuple[ActionReport, ...] = ()
    rows: list[tuple[str, int]] = attrs.Factory(list)  # (sheet, row) of each participation
    report_rows: list[tuple[str, int]] = attrs.Factory(list)  # ("", line) for a CSV form

    def where(self, place: tuple[str, int], column: str | None = None) -> str:
        """The cell (``Participations!C7``), the row (``Participations!7:7``) or ``line 7``."""
        sheet, number = place
        if not sheet:
            return f"line {number}"
        if column is None:
            return f"{sheet}!{number}:{number}"
        names = [
            c.name for c in (PARTICIPATION_COLUMNS if sheet == PARTICIPATIONS else REPORT_COLUMNS)
        ]
        letter = _column_letter(names.index(column)) if column in names else ""
        return f"{sheet}!{letter}{number}"


def _mask(text: str) -> str:
    """Show the shape of a value, not the value: ``J*** D***``, ``j***@e***``, ``06 ** 78``."""
    if _EMAIL.search(text):
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    digits = [c for c in text if c.isdigit()]
    if len(digits) >= 9:
        return f"{''.join(digits[:2])}{'*' * (len(digits) - 4)}{''.join(digits[-2:])}"
    return " ".join(f"{word[:1]}***" for word in text.split())


def _personal(text: str) -> str | None:
    """What kind of personal data ``text`` looks like, or None."""
    value = text.strip()
    if _EMAIL.search(value):
        return "an e-mail address"
    if _PHONE.match(value):
        return "a phone number"
    if _NAME.match(value):
        return "a name"
    return None


def _problem(
    code: ProblemCode, message: str, file: str, record: str | None, field: str | None = None,
    value: str | None = None, expected: str | None = None,
) -> Problem:  # fmt: skip
    return Problem(
        code=code, message=message, file=file, record=record, field=field, value=value,
        expected=expected,
    )  # fmt: skip


def _personal_data(
    form: _Form, where: str, field: str | None, kind: str, value: str, cell: str = "this cell"
) -> Problem:
    """A cell holding personal data, its value masked: the problem never repeats it."""
    return _problem(
        ProblemCode.PERSONAL_DATA,
        f"personal data: {cell} holds {kind} ({_mask(value)})",
        form.label,
        where,
        field,
        expected="a pseudonymous id or a code, never a name, an e-mail address or a phone number",
    )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scan_workbook(form: _Form, problems: list[Problem]) -> tuple[set[str], dict[str, list[Any]]]:
    """Check a workbook's sheets, formulas and personal data, in one reading.

    Returns the cells whose problems are already said (the reader's own problem about them
    would repeat the value), and for each data sheet the row of every record.
    """
    openpyxl = _openpyxl()
    import warnings

    silenced: set[str] = set()
    rows: dict[str, list[Any]] = {PARTICIPATIONS: [], REPORTS: []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(form.path, read_only=True, data_only=False)
        except Exception:
            return silenced, rows  # the table reader says why it cannot be read
    try:
        for name in workbook.sheetnames:
            if name not in _KNOWN_SHEETS:
                problems.append(
                    _problem(
                        ProblemCode.UNKNOWN_SHEET,
                        f"a sheet the form does not have: {name!r}",
                        form.label,
                        name,
                        expected=f"only the sheets {PARTICIPATIONS} and {REPORTS} filled in",
                    )
                )
        if META in workbook.sheetnames:
            for row in workbook[META].iter_rows(min_row=1, max_row=5, values_only=True):
                if row and row[0] == "contract" and isinstance(row[1], str):
                    form.contract = row[1]
                if row and row[0] == "operator" and isinstance(row[1], str):
                    form.operator = row[1]
        for title in (PARTICIPATIONS, REPORTS):
            if title in workbook.sheetnames:
                _scan_sheet(form, workbook[title], title, problems, silenced, rows[title])
    finally:
        workbook.close()
    return silenced, rows


def _scan_sheet(
    form: _Form,
    sheet: Any,
    title: str,
    problems: list[Problem],
    silenced: set[str],
    records: list[Any],
) -> None:
    header: dict[int, str] = {}
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > 1 and not all(_blank(getattr(cell, "value", None)) for cell in row):
            records.append((title, number))
        for index, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if value is None:
                continue
            if number == 1:
                header[index] = str(value)
                continue
            where = f"{title}!{_column_letter(index)}{number}"
            field = header.get(index)
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                silenced.add(where)
                problems.append(
                    _problem(
                        ProblemCode.INVALID_VALUE,
                        "a formula in a data cell",
                        form.label,
                        where,
                        field,
                        expected="a value typed in the cell, not a formula",
                    )
                )
            elif isinstance(value, str) and (kind := _personal(value)) is not None:
                silenced.add(where)
                problems.append(_personal_data(form, where, field, kind, value))


def _scan_csv(
    form: _Form, problems: list[Problem], encoding: str | None
) -> tuple[set[str], list[Any]]:
    """Check a CSV form for personal data; return the lines said, and each record's line."""
    silenced: set[str] = set()
    records: list[Any] = []
    try:
        text = form.path.read_bytes().decode(encoding or "utf-8-sig")
    except (UnicodeDecodeError, LookupError):
        return silenced, records  # the table reader says why it cannot be read
    first = text.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ","
    )
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1  # a record may span lines (quoted breaks)
        if line == 1:
            continue
        if not all(_blank(value) for value in row):
            records.append(("", line))
        for value in row:
            if (kind := _personal(value)) is not None:
                silenced.add(f"line {line}")
                problems.append(
                    _personal_data(form, f"line {line}", None, kind, value, cell="a cell")
                )
    return silenced, records


def _read_form(path: Path, problems: list[Problem], encoding: str | None = None) -> _Form:
    form = _Form(path=path, label=str(path))
    stem = path.stem
    if _SEPARATOR in stem:
        form.contract, form.operator = stem.split(_SEPARATOR, 1)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        problems.append(
            _problem(
                ProblemCode.UNKNOWN_FORMAT,
                "a form is an .xlsx workbook or a .csv table",
                form.label,
                None,
                expected="a file written by territoires template, or its CSV form",
            )
        )
        return form
    found: list[Problem] = []
    if suffix == ".xlsx":
        silenced, rows = _scan_workbook(form, found)
    else:
        silenced, records = _scan_csv(form, found, encoding)
        rows = {PARTICIPATIONS: records, REPORTS: records}
    try:
        read = load(path, encoding=encoding if suffix == ".csv" else None)
    except DataError as exc:
        read = None
        # A cell already reported as personal data or a formula is not reported twice (and
        # its value is never echoed by the reader's problem).
        found.extend(p for p in exc.problems if (p.record or "") not in silenced)
    except FormatError as exc:
        read = None
        found.append(_problem(ProblemCode.UNKNOWN_FORMAT, str(exc), form.label, None))
    problems.extend(found)
    if read is not None and not found:
        form.participations = read.participations
        form.reports = read.reports
        form.rows = rows[PARTICIPATIONS]
        form.report_rows = rows[REPORTS]
    return form


def _foreign_actions(form: _Form, actions: set[str]) -> Iterator[Problem]:
    """A row of the form for an action its operator does not run."""
    tables: tuple[tuple[Sequence[Participation | ActionReport], list[tuple[str, int]]], ...] = (
        (form.participations, form.rows),
        (form.reports, form.report_rows),
    )
    for records, places in tables:
        for record, place in zip(records, places, strict=False):
            if record.action not in actions:
                yield _problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"action {record.action!r} is not one of {form.operator!r}'s actions",
                    form.label,
                    form.where(place, "action"),
                    "action",
                    record.action,
                    ", ".join(sorted(actions)),
                )


_Row = TypeVar("_Row", Participation, ActionReport)


def _merged(
    existing: dict[str, _Row], forms: Sequence[Sequence[_Row]]
) -> tuple[tuple[_Row, ...], tuple[int, int, int]]:
    """The rows with each form's rows merged by id; how many were added, replaced, unchanged."""
    table = dict(existing)
    added = replaced = unchanged = 0
    for rows in forms:
        for row in rows:
            before = table.get(row.id)
            if before is None:
                added += 1
            elif before == row:
                unchanged += 1
            else:
                replaced += 1
            table[row.id] = row
    return tuple(table.values()), (added, replaced, unchanged)


_ROW: Final = re.compile(r"^(participations|reports)\[(\d+)\](?:\.(\w+))?")


def _checked_against(merged: Dataset, forms: Sequence[_Form]) -> list[Problem]:
    """The errors :func:`territoires.validate` finds in the forms' rows, at their cells.

    A row can be well formed and still wrong for the dataset: an entry after its action ended,
    a commune outside the geography. Problems of rows that came from no form are not the
    forms' to fix, and are left to ``territoires validate``.
    """
    from territoires._validate import validate
    from territoires.problems import Severity

    origin: dict[tuple[str, str], tuple[_Form, tuple[str, int]]] = {}
    for form in forms:
        for row, place in zip(form.participations, form.rows, strict=False):
            origin[("participations", row.id)] = (form, place)
        for report, place in zip(form.reports, form.report_rows, strict=False):
            origin[("reports", report.id)] = (form, place)
    if not origin:
        return []
    tables: dict[str, Sequence[Participation | ActionReport]] = {
        "participations": merged.participations,
        "reports": merged.reports,
    }
    found = []
    for problem in validate(merged):
        match = _ROW.match(problem.field or "")
        if problem.severity is not Severity.ERROR or match is None:
            continue
        table, index, column = match.group(1), int(match.group(2)), match.group(3)
        rows = tables[table]
        if index >= len(rows):
            continue
        source = origin.get((table, rows[index].id))
        if source is None:
            continue
        form, place = source
        found.append(
            attrs.evolve(
                problem,
                file=form.label,
                record=form.where(place, column),
                field=column,
            )
        )
    return found


def collect(
    dataset: Dataset, forms: Iterable[str | Path], *, encoding: str | None = None
) -> Collected:
    """Merge the rows of operators' forms into ``dataset``.

    Args:
        dataset: The dataset the forms were written for.
        forms: The forms: workbooks written by :func:`write_templates`, or CSV tables in
            the excel-fr dialect named ``CONTRACT--OPERATOR.csv``.
        encoding: The encoding of CSV forms when it is not UTF-8 (``cp1252``).

    Returns:
        What was merged, with the new dataset.

    Raises:
        DataError: any form holds a problem; ``problems`` lists every problem of every form,
            each at its file and cell (``form.xlsx``, ``Participations!C7``), the errors
            :func:`territoires.validate` finds in the forms' rows once merged (an entry after
            its action ended) included. Nothing is merged.
    """
    problems: list[Problem] = []
    read = [_read_form(Path(path), problems, encoding) for path in forms]
    contracts = {c.id: c for c in dataset.contracts}
    own: dict[str, set[str]] = {}
    for form in read:
        if form.contract is None or form.operator is None:
            problems.append(
                _problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    "cannot tell which operator sent this form",
                    form.label,
                    None,
                    expected=f"a form written by territoires template, or a file named "
                    f"{form_name('CONTRACT', 'OPERATOR', form.path.suffix)}",
                )
            )
            continue
        contract = contracts.get(form.contract)
        if contract is None:
            problems.append(
                _problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"the form is for contract {form.contract!r}, which the dataset does not have",
                    form.label,
                    None,
                    expected="a form of a contract of the dataset",
                )
            )
            continue
        actions = {a.id for a in operators_of(contract).get(form.operator, [])}
        own[form.label] = actions
        if not actions:
            problems.append(
                _problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"{form.operator!r} runs no action of contract {form.contract!r}",
                    form.label,
                    None,
                    expected="a form of an operator of the contract",
                )
            )
            continue
        problems.extend(_foreign_actions(form, actions))
    # The same participation, or the same row id, in two forms.
    seen: dict[object, tuple[str, str]] = {}
    for form in read:
        for row, place in zip(form.participations, form.rows, strict=False):
            here = form.where(place)
            key = (row.person, row.action, row.entry_date)
            for index, label in (
                (key, "participation (person, action, entry date)"),
                (("id", row.id), "row id"),
            ):
                first = seen.get(index)
                if first is not None and first[0] != form.label:
                    problems.append(
                        _problem(
                            ProblemCode.DUPLICATE_PARTICIPATION,
                            f"the same {label} is in {first[0]} ({first[1]})",
                            form.label,
                            here,
                            expected="each participation sent by one operator only",
                        )
                    )
                else:
                    seen.setdefault(index, (form.label, here))
    # A form may only replace rows of its operator's actions.
    existing = {p.id: p for p in dataset.participations}
    existing_reports = {r.id: r for r in dataset.reports}
    for form in read:
        actions = own.get(form.label, set())
        checks: tuple[
            tuple[
                Sequence[Participation | ActionReport],
                list[tuple[str, int]],
                dict[str, Participation] | dict[str, ActionReport],
            ],
            ...,
        ] = (
            (form.participations, form.rows, existing),
            (form.reports, form.report_rows, existing_reports),
        )
        for entries, spots, known in checks:
            for entry, spot in zip(entries, spots, strict=False):
                before = known.get(entry.id)
                if before is not None and before.action not in actions:
                    problems.append(
                        _problem(
                            ProblemCode.DUPLICATE_ID,
                            f"id {entry.id!r} is already used by action {before.action!r} in the "
                            "dataset, which is not one of this operator's",
                            form.label,
                            form.where(spot, "id"),
                            "id",
                            entry.id,
                            "an id of its own",
                        )
                    )
    if problems:
        raise DataError(problems)
    participations, p_counts = _merged(existing, [f.participations for f in read])
    reports, r_counts = _merged(existing_reports, [f.reports for f in read])
    added, replaced, unchanged = (a + b for a, b in zip(p_counts, r_counts, strict=True))
    merged = attrs.evolve(dataset, participations=participations, reports=reports)
    problems = _checked_against(merged, read)
    if problems:
        raise DataError(problems)
    return Collected(
        dataset=merged, forms=len(read), added=added, replaced=replaced, unchanged=unchanged
    )
