"""The folder form: a Frictionless data package holding the JSON document and the CSV tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from territoires.io import _cells as cells
from territoires.io import _flat
from territoires.io._tables import PARTICIPATION_COLUMNS, REPORT_COLUMNS
from territoires.model.dataset import Dataset
from territoires.problems import Problem, ProblemCode

__all__ = ["DESCRIPTOR", "RESOURCES", "descriptor_for", "read_descriptor"]

DESCRIPTOR = "datapackage.json"
RESOURCES = {
    "dataset": "dataset.json",
    "participations": "participations.csv",
    "reports": "reports.csv",
}


# Titles, descriptions and examples of the columns, as schema.data.gouv.fr asks of each field.
FIELD_DOCS: dict[str, tuple[str, str, str]] = {
    "id": ("Identifiant", "Identifier of the row, unique in the table.", "P-000001"),
    "person": (
        "Personne (pseudonyme)",
        "Pseudonymous id of the person; never a name or an e-mail address.",
        "X7Q2M9",
    ),
    "action": ("Action", "Id of the action of the contract.", "ctair-grenoble-langue"),
    "entry_date": ("Date d'entrée", "Day the person entered the action.", "2021-03-15"),
    "exit_date": ("Date de sortie", "Day the person left the action; empty if still in.", ""),
    "status": ("Statut administratif", "Status when entering the action.", "refugee"),
    "sex": ("Sexe", "Sex as recorded; unspecified when not recorded.", "female"),
    "age_band": ("Tranche d'âge", "Age band when entering the action.", "18-25"),
    "residence": ("Commune de résidence", "INSEE code of the commune of residence.", "38185"),
    "employment": ("Sortie emploi", "Employment or training situation at exit.", "permanent_job"),
    "housing": ("Sortie logement", "Housing situation at exit.", "durable_housing"),
    "french_entry": ("Niveau de français (entrée)", "CEFR level at entry.", "a1"),
    "french_exit": ("Niveau de français (sortie)", "CEFR level at exit.", "a2"),
    "period_start": ("Début de période", "First day of the reported period.", "2021-01-01"),
    "period_end": ("Fin de période", "Last day of the reported period.", "2021-06-30"),
    "spent": ("Dépenses (€)", "Euros spent during the period.", "12500.00"),
    "category": ("Public", "Public category of the count.", "refugee"),
    "count": ("Effectif", "Number of persons in the cell.", "14"),
}


# Where a report column means something else than the participation column of the same name.
REPORT_FIELD_DOCS: dict[str, tuple[str, str, str]] = {
    "id": (
        "Compte rendu",
        "Identifier of the report, repeated on each row of its counts.",
        "CR-2021-S1-01",
    ),
    "sex": ("Sexe", "Sex of the persons counted in the row.", "female"),
    "age_band": ("Tranche d'âge", "Age band of the persons counted in the row.", "18-25"),
}


def _field(
    column: cells.Column, docs_of: dict[str, tuple[str, str, str]] | None = None
) -> dict[str, Any]:
    parse = column.parse
    field: dict[str, Any] = {"name": column.name}
    docs = (docs_of or {}).get(column.name) or FIELD_DOCS.get(column.name)
    if docs is not None:
        field["title"], field["description"], example = docs
        if example:
            field["example"] = example
    if parse is cells.parse_date:
        field["type"] = "date"
    elif parse is cells.parse_decimal:
        field["type"] = "number"
    elif parse is cells.parse_int:
        field["type"] = "integer"
        field["constraints"] = {"minimum": 0}
    else:
        field["type"] = "string"
        if column.choices:
            field["constraints"] = {"enum": list(column.choices)}
    if column.required:
        field.setdefault("constraints", {})["required"] = True
    return field


def _table_schema(
    columns: tuple[cells.Column, ...],
    primary_key: str | None,
    docs_of: dict[str, tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    fields = [_field(c, docs_of or {}) for c in columns]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = [primary_key]
    return schema


_LICENCES = {
    "etalab-2.0": (
        "Licence Ouverte / Open Licence version 2.0",
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
}


def _licence(name: str) -> dict[str, str]:
    """A licence as Frictionless describes it, with its title and address when known."""
    known = _LICENCES.get(name)
    if known is None:
        return {"name": name}
    return {"name": name, "title": known[0], "path": known[1]}


def descriptor_for(dataset: Dataset, *, schema: str) -> dict[str, Any]:
    """Return the ``datapackage.json`` descriptor of ``dataset`` in folder form."""
    info = dataset.info
    descriptor: dict[str, Any] = {
        "profile": "data-package",
        "name": "territoires-dataset",
        "territoires": {"schema": schema, "synthetic": info.synthetic},
    }
    if info.title:
        descriptor["title"] = info.title
    if info.description:
        descriptor["description"] = info.description
    if info.licence:
        descriptor["licenses"] = [_licence(info.licence)]
    if info.sources:
        descriptor["sources"] = [
            {"title": s.title, **({"path": s.url} if s.url else {})} for s in info.sources
        ]
    tabular = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    descriptor["resources"] = [
        {
            "name": "dataset",
            "path": RESOURCES["dataset"],
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "description": "Territories, parties and contracts (territoires/1 document).",
        },
        {
            "name": "participations",
            "path": RESOURCES["participations"],
            "profile": "tabular-data-resource",
            **tabular,
            "description": "One row per pseudonymous person in an action.",
            "schema": _table_schema(PARTICIPATION_COLUMNS, "id"),
        },
        {
            "name": "reports",
            "path": RESOURCES["reports"],
            "profile": "tabular-data-resource",
            **tabular,
            "description": "Operators' reports: one row per count of a report.",
            "schema": _table_schema(REPORT_COLUMNS, None, REPORT_FIELD_DOCS),
        },
        *(
            {
                "name": table.name,
                "title": table.title,
                "path": table.path,
                "profile": "tabular-data-resource",
                **tabular,
                "description": f"{table.description} Derived from dataset.json for reading; "
                "not read back.",
                "schema": table.schema(),
            }
            for table in _flat.TABLES
        ),
    ]
    return descriptor


def read_descriptor(
    folder: Path, data: bytes
) -> tuple[dict[str, tuple[Path, str | None, str | None]], list[Problem]]:
    """Return the resources of a package as ``name -> (path, encoding, delimiter)``.

    Unknown resources are ignored (a package may carry documentation); missing files and
    resource paths leaving the folder are problems.
    """
    label = str(folder / DESCRIPTOR)
    problems: list[Problem] = []
    try:
        descriptor = json.loads(data)
    except ValueError as exc:
        return {}, [
            Problem(
                code=ProblemCode.INVALID_JSON,
                message=f"invalid JSON in the package descriptor: {exc}",
                file=label,
                expected="a Frictionless data package descriptor",
            )
        ]
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        return {}, [
            Problem(
                code=ProblemCode.WRONG_TYPE,
                message="the package descriptor has no list of resources",
                file=label,
                field="resources",
                expected="a list of resources",
            )
        ]
    found: dict[str, tuple[Path, str | None, str | None]] = {}
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            continue
        name = resource.get("name")
        path = resource.get("path")
        if name not in RESOURCES or not isinstance(path, str):
            continue
        target = (folder / path).resolve()
        if folder.resolve() not in target.parents:
            problems.append(
                Problem(
                    code=ProblemCode.INVALID_VALUE,
                    message=f"resource path {path!r} leaves the package folder",
                    file=label,
                    record=str(name),
                    field=f"resources[{index}].path",
                    expected="a path inside the package folder",
                )
            )
            continue
        dialect = resource.get("dialect")
        delimiter = dialect.get("delimiter") if isinstance(dialect, dict) else None
        encoding = resource.get("encoding")
        found[str(name)] = (
            target,
            encoding if isinstance(encoding, str) else None,
            delimiter if isinstance(delimiter, str) else None,
        )
    if "dataset" not in found and "participations" not in found and "reports" not in found:
        problems.append(
            Problem(
                code=ProblemCode.UNKNOWN_FORMAT,
                message="the package has none of the resources dataset, participations, reports",
                file=label,
                field="resources",
                expected="resources named " + ", ".join(RESOURCES),
            )
        )
    return found, problems
