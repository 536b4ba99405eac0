"""Flat tables of a dataset's contracts, actions and funding lines, for open-data portals.

The ``dataset.json`` resource of a data package holds contracts whole (avenants, publics,
targets), which a portal's table preview cannot show. These three CSV tables repeat what an
open-data reader looks for, one row per contract, per action (as amended by every avenant)
and per funding line, with codes rather than labels and a Table Schema each. They are derived:
reading a package back uses ``dataset.json`` and ignores them.

Text cells are neutralised against formula injection and a cell holding a line break is quoted
(:mod:`territoires.io._safe`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from territoires.io import _tables
from territoires.io._safe import csv_writer
from territoires.model.contract import Contract, Funding
from territoires.model.dataset import Dataset

__all__ = ["TABLES", "FlatTable", "funding_lines", "total", "write_tables"]


@attrs.frozen
class FlatColumn:
    """A column: name, Table Schema type, title (French) and description (English)."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False


@attrs.frozen
class FlatTable:
    """A derived table: its resource name, file, description, columns and row builder."""

    name: str
    path: str
    title: str
    description: str
    columns: tuple[FlatColumn, ...]
    primary_key: tuple[str, ...]

    def schema(self) -> dict[str, Any]:
        """Return the Table Schema of the table."""
        fields = []
        for column in self.columns:
            field: dict[str, Any] = {
                "name": column.name,
                "type": column.type,
                "title": column.title,
                "description": column.description,
            }
            if column.required:
                field["constraints"] = {"required": True}
            fields.append(field)
        return {"fields": fields, "missingValues": [""], "primaryKey": list(self.primary_key)}


def _col(name: str, kind: str, title: str, description: str, required: bool = False) -> FlatColumn:
    return FlatColumn(name, kind, title, description, required)


CONTRACTS = FlatTable(
    name="contracts",
    path="contracts.csv",
    title="Contrats",
    description="One row per contract, with its dates as signed and as prolonged by avenants.",
    columns=(
        _col("contract", "string", "Contrat", "Id of the contract.", required=True),
        _col("kind", "string", "Type", "ctair, ctai or ptai.", required=True),
        _col(
            "territory",
            "string",
            "Territoire",
            "Reference of the territory (INSEE, SIREN).",
            required=True,
        ),
        _col("title", "string", "Intitulé", "Title of the contract."),
        _col(
            "signed_on",
            "date",
            "Signé le",
            "Date of signature (any day of its month or year when signed_precision says so); "
            "empty if not signed or signed on an unknown date.",
        ),
        _col(
            "signed_precision",
            "string",
            "Précision de la date de signature",
            "day, month, year or unknown (signed, date unknown); empty if not signed.",
        ),
        _col("start", "date", "Début", "First day of the contract.", required=True),
        _col("end", "date", "Fin initiale", "Last day as signed; empty if open-ended."),
        _col("end_amended", "date", "Fin, avenants compris", "Last day with every avenant."),
        _col("amendments", "integer", "Avenants", "Number of avenants.", required=True),
        _col(
            "actions", "integer", "Actions", "Number of actions with every avenant.", required=True
        ),
        _col("committed", "number", "Engagé (€)", "Euros committed, every action and year."),
    ),
    primary_key=("contract",),
)

ACTIONS = FlatTable(
    name="actions",
    path="actions.csv",
    title="Actions",
    description="One row per action of a contract, as amended by every avenant.",
    columns=(
        _col("contract", "string", "Contrat", "Id of the contract.", required=True),
        _col("action", "string", "Action", "Id of the action.", required=True),
        _col("title", "string", "Intitulé", "Title of the action."),
        _col(
            "theme", "string", "Thème", "Theme code (see the data format reference).", required=True
        ),
        _col("start", "date", "Début", "First day of the action.", required=True),
        _col("end", "date", "Fin", "Last day of the action; empty if open-ended."),
        _col("closed_on", "date", "Clôturée le", "Day an avenant closed it, if any."),
        _col("added_by", "string", "Ajoutée par", "Id of the avenant that added it, if any."),
        _col("operators", "string", "Opérateurs", "Ids of its operators, separated by spaces."),
        _col("committed", "number", "Engagé (€)", "Euros committed, every year."),
        _col("spent", "number", "Dépensé (€)", "Euros spent, as reported."),
    ),
    primary_key=("contract", "action"),
)

FUNDING = FlatTable(
    name="funding",
    path="funding.csv",
    title="Financements",
    description="One row per funding line: an action's money from one funder for one year.",
    columns=(
        _col("contract", "string", "Contrat", "Id of the contract.", required=True),
        _col("action", "string", "Action", "Id of the action.", required=True),
        _col(
            "line",
            "integer",
            "Ligne",
            "Position of the line among the action's lines.",
            required=True,
        ),
        _col("year", "integer", "Année", "Year of the line.", required=True),
        _col("funder", "string", "Financeur", "Id of the funding party.", required=True),
        _col(
            "source",
            "string",
            "Source",
            "Funding source code (P104 action 12 or 15...).",
            required=True,
        ),
        _col("committed", "number", "Engagé (€)", "Euros committed.", required=True),
        _col("spent", "number", "Dépensé (€)", "Euros spent; empty if not reported."),
        _col(
            "origin",
            "string",
            "Origine",
            "signature, or the id of the avenant adding it.",
            required=True,
        ),
    ),
    primary_key=("contract", "action", "line"),
)

TABLES: Final = (CONTRACTS, ACTIONS, FUNDING)
"""The derived tables, in the order a data package lists them."""


def total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of the known amounts; None when none is known."""
    known = [a for a in amounts if a is not None]
    return sum(known, Decimal(0)) if known else None


def _contract_rows(dataset: Dataset) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        final = contract.as_of(dt.date.max)
        yield [
            contract.id,
            contract.kind.value,
            contract.territory,
            contract.title,
            contract.signed_on,
            contract.signed_precision.value if contract.is_signed else None,
            contract.period.start,
            contract.period.end,
            final.period.end,
            len(contract.amendments),
            len(final.actions),
            total(a.committed for a in final.actions),
        ]


def _action_rows(dataset: Dataset) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        added_by = {a.id: m.id for m in contract.amendments for a in m.actions_added}
        for action in contract.as_of(dt.date.max).actions:
            yield [
                contract.id,
                action.id,
                action.title,
                action.theme.value,
                action.period.start,
                action.period.end,
                action.closed_on,
                added_by.get(action.id),
                " ".join(action.operators) or None,
                action.committed,
                total(f.spent for f in action.funding),
            ]


def _funding_row(
    contract: Contract, action: str, number: int, line: Funding, origin: str
) -> list[object]:
    return [
        contract.id,
        action,
        number,
        line.year,
        line.funder,
        line.source.value,
        line.committed,
        line.spent,
        origin,
    ]


def funding_lines(contract: Contract) -> Iterator[tuple[str, Funding, str | None]]:
    """Every funding line of ``contract`` as ``(action id, line, avenant id or None)``.

    The lines signed with the contract first, then those each avenant adds (with new actions
    or to existing ones), in the order of the avenants.
    """
    for action in contract.actions:
        for line in action.funding:
            yield action.id, line, None
    for amendment in contract.amendments:
        for action in amendment.actions_added:
            for line in action.funding:
                yield action.id, line, amendment.id
        for added in amendment.funding_added:
            yield added.action, added.funding, amendment.id


def _funding_rows(dataset: Dataset) -> Iterator[list[object]]:
    for contract in dataset.contracts:
        numbers: dict[str, int] = {}
        for action_id, line, amendment in funding_lines(contract):
            numbers[action_id] = numbers.get(action_id, 0) + 1
            origin = amendment or "signature"
            yield _funding_row(contract, action_id, numbers[action_id], line, origin)


_ROWS = {"contracts": _contract_rows, "actions": _action_rows, "funding": _funding_rows}


def write_tables(dataset: Dataset, folder: Path) -> None:
    """Write the derived tables of ``dataset`` into ``folder`` (UTF-8, comma, ISO dates)."""
    for table in TABLES:
        with open(folder / table.path, "w", encoding="utf-8", newline="") as stream:
            writer = csv_writer(stream)
            writer.writerow([c.name for c in table.columns])
            writer.writerows([_tables._cell(v) for v in row] for row in _ROWS[table.name](dataset))
