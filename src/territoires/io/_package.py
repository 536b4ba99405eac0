"""The folder form: a Frictionless data package holding the JSON document and the CSV tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from territoires.exceptions import did_you_mean
from territoires.io import _cells as cells
from territoires.io import _flat
from territoires.io._json import schema_problem
from territoires.io._strict import depth_problem, duplicate_key_problems, too_deep
from territoires.io._tables import PARTICIPATION_COLUMNS, REPORT_COLUMNS
from territoires.model.dataset import Dataset
from territoires.problems import Problem, ProblemCode, Severity, errors

__all__ = ["DESCRIPTOR", "RESOURCES", "Resource", "descriptor_for", "read_descriptor"]

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


_RESOURCE_FIELDS = frozenset(
    {
        "name",
        "path",
        "profile",
        "format",
        "mediatype",
        "encoding",
        "title",
        "description",
        "schema",
        "dialect",
        "bytes",
        "hash",
        "sources",
        "licenses",
    }
)
"""Fields of a resource territoires reads or that do not change what the file holds."""

# Dialect options with the value the CSV reader gives them; any other value changes the rows.
_DIALECT = {"header": True, "doubleQuote": True, "quoteChar": '"', "skipInitialSpace": False}
_DIALECT_FREE = frozenset({"delimiter", "lineTerminator", "caseSensitiveHeader", "csvddfVersion"})

Resource = tuple[tuple[Path, ...], str | None, str | None]
"""What a resource gives the reader: its files in order, their encoding and delimiter."""


def _descriptor_problem(
    label: str,
    code: ProblemCode,
    message: str,
    field: str | None = None,
    record: str | None = None,
    expected: str | None = None,
) -> Problem:
    return Problem(
        code=code, message=message, file=label, record=record, field=field, expected=expected
    )


def _decode(data: bytes, label: str) -> tuple[Any, list[Problem]]:
    """The descriptor's JSON, or the problems of a descriptor that is not strict JSON."""
    try:
        descriptor = json.loads(data)
    except RecursionError:
        return None, [depth_problem(label, "the package descriptor")]
    except ValueError as exc:
        return None, [
            _descriptor_problem(
                label,
                ProblemCode.INVALID_JSON,
                f"invalid JSON in the package descriptor: {exc}",
                expected="a Frictionless data package descriptor",
            )
        ]
    if too_deep(descriptor):
        return None, [depth_problem(label, "the package descriptor")]
    repeated = duplicate_key_problems(data, label)
    return (None, repeated) if repeated else (descriptor, [])


def _schema_problems(descriptor: dict[str, Any], label: str) -> list[Problem]:
    """The problem of a package declaring a territoires schema this version does not read."""
    declared = descriptor.get("territoires")
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return [
            _descriptor_problem(
                label,
                ProblemCode.WRONG_TYPE,
                "the package's territoires entry must be an object",
                "territoires",
                expected='{"schema": "territoires/1", ...}',
            )
        ]
    problem = schema_problem(declared.get("schema"), label)
    return [] if problem is None else [attrs.evolve(problem, field="territoires.schema")]


def _refusal(resource: dict[str, Any], index: int, name: str, label: str) -> Problem | None:
    """Why a resource territoires reads comes in a form it cannot read, or None."""
    where = f"resources[{index}]"

    def refuse(message: str, field: str, expected: str) -> Problem:
        return _descriptor_problem(
            label, ProblemCode.UNKNOWN_FORMAT, message, f"{where}.{field}", name, expected
        )

    if "data" in resource:
        return refuse(
            f"resource {name!r} holds its rows inline (data); territoires reads them from a file",
            "data",
            "a path to a file of the package",
        )
    unknown = sorted(set(resource) - _RESOURCE_FIELDS)
    if unknown:
        return _descriptor_problem(
            label,
            ProblemCode.UNKNOWN_FIELD,
            f"resource {name!r} has fields territoires does not read: {', '.join(unknown)}"
            + did_you_mean(unknown[0], sorted(_RESOURCE_FIELDS)),
            f"{where}.{unknown[0]}",
            name,
            "the fields of a resource territoires writes",
        )
    dialect = resource.get("dialect")
    if dialect is not None:
        if not isinstance(dialect, dict):
            return refuse(f"the dialect of {name!r} must be an object", "dialect", "an object")
        for key, value in dialect.items():
            if key in _DIALECT_FREE or _DIALECT.get(key, object()) == value:
                continue
            return refuse(
                f"resource {name!r} declares dialect {key}={value!r}, which territoires does "
                "not read",
                f"dialect.{key}",
                "a CSV dialect with a header row, double quotes and any delimiter",
            )
    compression = resource.get("compression")
    if compression is not None:  # pragma: no cover - refused above as an unknown field
        return refuse(f"resource {name!r} is compressed", "compression", "a plain file")
    return None


def _paths(
    folder: Path, resource: dict[str, Any], index: int, name: str, label: str
) -> tuple[tuple[Path, ...], Problem | None]:
    """The files of a resource, in order; a list of paths is a multipart resource."""
    raw = resource.get("path")
    parts = raw if isinstance(raw, list) else [raw]
    if not parts or not all(isinstance(part, str) and part for part in parts):
        return (), _descriptor_problem(
            label,
            ProblemCode.WRONG_TYPE,
            f"resource {name!r} needs a path: a file name or a list of them",
            f"resources[{index}].path",
            name,
            "a path inside the package folder, or a list of them (multipart)",
        )
    if name == "dataset" and len(parts) > 1:
        return (), _descriptor_problem(
            label,
            ProblemCode.UNKNOWN_FORMAT,
            "the dataset resource is one JSON document: it cannot be split into parts",
            f"resources[{index}].path",
            name,
            "one path",
        )
    paths: list[Path] = []
    for part_index, part in enumerate(parts):
        field = f"resources[{index}].path" + (f"[{part_index}]" if isinstance(raw, list) else "")
        if "://" in part:
            return (), _descriptor_problem(
                label,
                ProblemCode.UNKNOWN_FORMAT,
                f"resource path {part!r} is a URL; territoires reads files of the package only",
                field,
                name,
                "a path inside the package folder",
            )
        target = (folder / part).resolve()
        if folder.resolve() not in target.parents:
            return (), _descriptor_problem(
                label,
                ProblemCode.INVALID_VALUE,
                f"resource path {part!r} leaves the package folder",
                field,
                name,
                "a path inside the package folder",
            )
        paths.append(target)
    return tuple(paths), None


def read_descriptor(folder: Path, data: bytes) -> tuple[dict[str, Resource], list[Problem]]:
    """Return the resources of a package as ``name -> (paths, encoding, delimiter)``.

    Every resource is read, refused or reported by name, never skipped silently: the three
    territoires reads (``dataset``, ``participations``, ``reports``), from one file or, for a
    table, from several (a Frictionless multipart resource: the parts in order, the header in
    the first only); the derived tables territoires writes beside them, which it does not read
    back. Any other resource is a warning (a publisher may add a notice). Inline data, URLs,
    unknown resource fields and CSV dialects the reader does not follow in the resources it
    reads are errors, as are missing files, resource paths leaving the folder, keys repeated
    in an object and a territoires schema this version does not read.
    """
    label = str(folder / DESCRIPTOR)
    descriptor, problems = _decode(data, label)
    if problems:
        return {}, problems
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(descriptor, dict) or not isinstance(resources, list):
        return {}, [
            _descriptor_problem(
                label,
                ProblemCode.WRONG_TYPE,
                "the package descriptor has no list of resources",
                "resources",
                expected="a list of resources",
            )
        ]
    problems = _schema_problems(descriptor, label)
    if problems:
        return {}, problems
    derived = {table.name for table in _flat.TABLES}
    found: dict[str, Resource] = {}
    for index, resource in enumerate(resources):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(resource, dict) or not isinstance(name, str):
            problems.append(
                _descriptor_problem(
                    label,
                    ProblemCode.WRONG_TYPE,
                    "a resource must be an object with a name",
                    f"resources[{index}]",
                    expected='{"name": ..., "path": ...}',
                )
            )
            continue
        if name in derived:
            continue  # written for people from dataset.json, documented as not read back
        if name not in RESOURCES:
            # A package may carry more than territoires reads (a notice, a map): said, not
            # refused, so that a publisher's additions never make the data unreadable.
            problems.append(
                attrs.evolve(
                    _descriptor_problem(
                        label,
                        ProblemCode.UNKNOWN_FIELD,
                        f"resource {name!r} is not one territoires reads: left aside"
                        + did_you_mean(str(name), RESOURCES),
                        f"resources[{index}].name",
                        name,
                        "resources named " + ", ".join(RESOURCES),
                    ),
                    severity=Severity.WARNING,
                )
            )
            continue
        if name in found:
            problems.append(
                _descriptor_problem(
                    label,
                    ProblemCode.DUPLICATE_ID,
                    f"resource {name!r} is declared twice",
                    f"resources[{index}].name",
                    name,
                    "each resource once",
                )
            )
            continue
        refusal = _refusal(resource, index, name, label)
        paths, wrong_path = _paths(folder, resource, index, name, label)
        if refusal is not None or wrong_path is not None:
            problems.append(refusal or wrong_path)  # type: ignore[arg-type]
            continue
        dialect = resource.get("dialect")
        delimiter = dialect.get("delimiter") if isinstance(dialect, dict) else None
        encoding = resource.get("encoding")
        found[name] = (
            paths,
            encoding if isinstance(encoding, str) else None,
            delimiter if isinstance(delimiter, str) else None,
        )
    if not found and not errors(problems):
        problems.append(
            _descriptor_problem(
                label,
                ProblemCode.UNKNOWN_FORMAT,
                "the package has none of the resources dataset, participations, reports",
                "resources",
                expected="resources named " + ", ".join(RESOURCES),
            )
        )
    return found, problems
