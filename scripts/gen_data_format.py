"""Generate the data-format reference, docs/reference/data-format.md, from the model.

The page describes what the files hold, from the code that reads and writes them:

- the ``territoires/1`` JSON document: every attrs class reachable from ``Dataset``, in the
  order a reader meets them (depth first), each field with its type in the file's terms, its
  default and the description from the ``Attributes:`` section of the class docstring;
- the rules of the converter, quoted from the docstring of ``territoires.make_converter``;
- every enumeration of ``territoires.model`` with each value and its French and English labels;
- the columns of the CSV tables of a data package (``PARTICIPATION_COLUMNS``, ``REPORT_COLUMNS``)
  as the Table Schema of ``datapackage.json`` declares them, of a file of persons
  (``PERSON_COLUMNS``) and of the indicator tables (``INDICATOR_COLUMNS``).

Usage (from the repository, with territoires installed)::

    python scripts/gen_data_format.py            # write docs/reference/data-format.md
    python scripts/gen_data_format.py --check    # exit 1 with a diff if it is stale

``tests/test_docs_site.py`` fails while the committed page differs from what this writes, and
when a field of the document has no description.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _generated
from gen_hook_reference import inline

import territoires
from territoires import model
from territoires.io import _outputs, _package, _persons, _tables
from territoires.model.columns import Participations
from territoires.model.enums import LabelledEnum

ROOT = _generated.ROOT
OUTPUT = ROOT / "docs" / "reference" / "data-format.md"
SCRIPT = "gen_data_format.py"

INTRO = """\
# Data format

A dataset is one document, `territoires/1`, which territoires reads and writes in four forms:

- a `.json` file: the whole document, as below;
- a folder, a [Frictionless data package](https://specs.frictionlessdata.io/data-package/):
  `datapackage.json` (the descriptor), `dataset.json` (the document without participations
  and reports), `participations.csv` and `reports.csv` (the [CSV tables](#csv-tables));
- a `.csv` file: one of the CSV tables alone, told apart by its header;
- an `.xlsx` workbook: the two tables as typed sheets, and the rest of the document in a
  hidden sheet (needs the `xlsx` extra).

`territoires.load()` reads any of them and reports every problem at once (see
[problems and errors](errors.md)); `territoires.dump()` writes them. The Python classes are in
the [API reference](api/model.md); this page describes the same classes as a file holds them.
"""


# The example of a file of persons the page shows; tests/test_persons_io.py reads it from the
# page and runs it through the command line, so it must stay a valid file.
PERSONS_EXAMPLE = """\
{
  "persons": [
    {"id": "P-0001", "status": "refugee", "status_date": "2019-03-03",
     "birth_date": "1990-05-01", "residence": "38421"},
    {"id": "P-0002", "status": "subsidiary_protection", "status_date": "2021-01-10",
     "cir_date": "2021-04-15", "birth_year": 1995, "residence": "38185"}
  ]
}"""


# -- docstrings -----------------------------------------------------------------------------------


def attribute_docs(cls: type) -> dict[str, str]:
    """Return the descriptions of the ``Attributes:`` section of ``cls`` and its bases."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        lines = inspect.cleandoc(klass.__dict__.get("__doc__") or "").splitlines()
        try:
            start = lines.index("Attributes:") + 1
        except ValueError:
            continue
        name = None
        for line in lines[start:]:
            if line.strip() and not line.startswith(" "):
                break  # the next section
            match = re.match(r"^    (\w+)(?: \([^)]*\))?: (.*)$", line)
            if match:
                name = match[1]
                found[name] = match[2].strip()
            elif name is not None and line.strip():
                found[name] += " " + line.strip()
    return {key: inline(text) for key, text in found.items()}


def summary(obj: object) -> str:
    """Return the first paragraph of the docstring of ``obj``, in Markdown."""
    text = inspect.cleandoc(getattr(obj, "__doc__", None) or "").split("\n\n", 1)[0]
    return inline(" ".join(text.split()))


def converter_rules() -> list[str]:
    """Return the bullet list of rules in the docstring of ``make_converter``, in Markdown."""
    lines = inspect.cleandoc(territoires.make_converter.__doc__ or "").splitlines()
    start = lines.index("Rules:") + 1
    rules: list[str] = []
    for line in lines[start:]:
        if line.startswith("* "):
            rules.append("- " + line[2:].strip())
        elif line.startswith("  ") and rules:
            rules[-1] += " " + line.strip()
        elif line.strip() and rules:
            break
    return [inline(rule) for rule in rules]


# -- walking the document -------------------------------------------------------------------------


def _as_file_holds(annotation: Any) -> Any:
    """The type a file holds for ``annotation``: participations are a list of records."""
    if annotation is Participations:
        return tuple[model.Participation, ...]
    return annotation


def _nested(annotation: Any) -> Iterator[type]:
    """Yield the attrs classes and enumerations an annotation refers to, in order."""
    annotation = _as_file_holds(annotation)
    if typing.get_origin(annotation) is None:
        if isinstance(annotation, type) and (
            attrs.has(annotation) or issubclass(annotation, enum.Enum)
        ):
            yield annotation
        return
    for argument in typing.get_args(annotation):
        if argument is not Ellipsis:
            yield from _nested(argument)


def document_classes(root: type = model.Dataset) -> tuple[list[type], list[type]]:
    """Return the attrs classes reachable from ``root`` (depth first) and their enumerations."""
    classes: list[type] = []
    enums: list[type] = []

    def visit(cls: type) -> None:
        if cls in classes or cls in enums:
            return
        if issubclass(cls, enum.Enum):
            enums.append(cls)
            return
        classes.append(cls)
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            if field.init:
                for nested in _nested(hints[field.name]):
                    visit(nested)

    visit(root)
    return classes, enums


def _anchor(name: str) -> str:
    return name.lower()


def type_text(annotation: Any, *, plural: bool = False) -> str:
    """Say how a file holds a value of ``annotation`` (or, ``plural``, values), in Markdown."""
    annotation = _as_file_holds(annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    s = "s" if plural else ""
    if origin in {typing.Union, types.UnionType}:
        kept = [a for a in arguments if a is not type(None)]
        text = " or ".join(type_text(a, plural=plural) for a in kept)
        return f"{text}, or `null`" if len(kept) < len(arguments) else text
    if origin is tuple:
        return f"list of {type_text(arguments[0], plural=True)}"
    if origin is frozenset:
        return f"list of {type_text(arguments[0], plural=True)} (sorted, no repeats)"
    if origin is not None:
        raise ValueError(f"{SCRIPT} does not describe the type {annotation!r}")
    if isinstance(annotation, type) and issubclass(annotation, LabelledEnum):
        return f"[`{annotation.__name__}`](#{_anchor(annotation.__name__)}) value{s}"
    if attrs.has(annotation):
        return f"[`{annotation.__name__}`](#{_anchor(annotation.__name__)}) object{s}"
    simple = {
        str: ("text", "texts"),
        int: ("whole number", "whole numbers"),
        bool: ("`true` or `false`", "`true` or `false`"),
        Decimal: ('decimal, as a string (`"1500.00"`) or a number', "decimals"),
        dt.date: ("date, `YYYY-MM-DD`", "dates, `YYYY-MM-DD`"),
    }
    if annotation in simple:
        return simple[annotation][plural]
    raise ValueError(f"{SCRIPT} does not describe the type {annotation!r}")


def default_text(field: attrs.Attribute[Any]) -> str:
    """Return the default of a field as the file would hold it, or ``required``."""
    default = field.default
    if default is attrs.NOTHING:
        return "required"
    if isinstance(default, attrs.Factory):
        if default.takes_self:  # derived from the record's other fields
            return "from the other fields (see the description)"
        default = default.factory()
    value = territoires.make_converter().unstructure(default)
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def class_section(cls: type) -> list[str]:
    """Return the section of one class of the document: its fields as a table."""
    docs = attribute_docs(cls)
    hints = typing.get_type_hints(cls)
    lines = [f"### `{cls.__name__}`", "", summary(cls), ""]
    lines += [
        f"Python: {{class}}`territoires.{cls.__name__}`.",
        "",
        "| Field | Type | Default | Description |",
        "| --- | --- | --- | --- |",
    ]
    if cls is model.Dataset:
        lines.append(
            f'| `schema` | text | required | Always `"{territoires.io.SCHEMA}"`: the version of '
            "the format, first in the document. |"
        )
    for field in attrs.fields(cls):
        if not field.init:
            continue
        cells = (
            f"`{field.name}`",
            type_text(hints[field.name]),
            default_text(field),
            docs.get(field.name, ""),
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def undocumented_fields(root: type = model.Dataset) -> list[str]:
    """Return ``Class.field`` for every field of the document without a description."""
    missing = []
    classes, _ = document_classes(root)
    for cls in [*classes, model.Person]:
        docs = attribute_docs(cls)
        missing += [
            f"{cls.__name__}.{f.name}" for f in attrs.fields(cls) if f.init and f.name not in docs
        ]
    return missing


# -- enumerations ---------------------------------------------------------------------------------


def all_enums(first: Sequence[type]) -> list[type]:
    """Return ``first``, then every other enumeration of ``territoires.model``, by name."""
    rest = sorted(
        (
            obj
            for name in model.__all__
            if isinstance(obj := getattr(model, name), type)
            and issubclass(obj, LabelledEnum)
            and obj is not LabelledEnum
            and obj not in first
        ),
        key=lambda cls: cls.__name__,
    )
    return [*first, *rest]


def enum_section(cls: type) -> list[str]:
    """Return the section of one enumeration: every value with its labels."""
    lines = [f"### `{cls.__name__}`", "", summary(cls), ""]
    lines += [
        f"Python: {{class}}`territoires.{cls.__name__}`.",
        "",
        "| Value | French | English |",
        "| --- | --- | --- |",
    ]
    for member in cls:
        lines.append(f"| `{member.value}` | {_cell(member.label_fr)} | {_cell(member.label_en)} |")
    return [*lines, ""]


# -- tables ---------------------------------------------------------------------------------------


def _enum_of(choices: Sequence[str]) -> type | None:
    for cls in all_enums([]):
        if tuple(cls.values()) == tuple(choices):
            return cls
    return None


def columns_table(columns: Sequence[Any], *classes: type) -> list[str]:
    """Return the table of CSV columns, typed as a data package's Table Schema declares them.

    A column is described by the ``Attributes:`` docs of the first of ``classes`` that has a
    field of its name, else by the Table Schema's description; its French title is the one
    ``datapackage.json`` gives it.
    """
    docs: dict[str, str] = {}
    for cls in reversed(classes):
        docs.update(attribute_docs(cls))
    rows = [
        "| Column | Type | Required | Title | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for column in columns:
        field = _package._field(column)
        kind = field["type"]
        if column.choices:
            enum_type = _enum_of(column.choices)
            if enum_type is None:
                raise ValueError(f"column {column.name!r}: its choices match no enumeration")
            kind = f"[`{enum_type.__name__}`](#{_anchor(enum_type.__name__)}) value"
        description = docs.get(column.name) or field.get("description", "")
        if not description:
            raise ValueError(f"column {column.name!r} has no description")
        cells = (
            f"`{column.name}`",
            kind,
            "yes" if column.required else "no",
            f"*{field['title']}*" if field.get("title") else "",
            description,
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def indicator_columns() -> list[str]:
    """Return the table of the columns of an indicator table."""
    rows = ["| Column | Type | Description |", "| --- | --- | --- |"]
    for name, kind, description in _outputs.INDICATOR_COLUMNS:
        rows.append(f"| `{name}` | {kind} | {_cell(description)} |")
    return rows


# -- the page -------------------------------------------------------------------------------------


def _limit_docs() -> dict[str, str]:
    """The docstring under each constant of ``territoires.limits``, read from its source."""
    import ast
    import itertools

    from territoires import limits

    tree = ast.parse(inspect.getsource(limits))
    docs: dict[str, str] = {}
    body = tree.body
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            text = " ".join(after.value.value.split())
            docs[node.targets[0].id] = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return docs


def limits_section() -> list[str]:
    """The limits readers check, from ``territoires.limits``: name, value, why."""
    from territoires import limits

    docs = _limit_docs()
    lines = [
        "## Limits",
        "",
        "Readers check these bounds before doing the work they bound, and refuse input beyond "
        "them with one problem naming the file (codes `too-large`, `too-deep`, "
        "`line-too-long`, `too-many-problems`). The reading limits are attributes of "
        "`territoires.limits`, which a library user may raise for a trusted file before "
        "reading; the bounds of amounts and counts are invariants of the model.",
        "",
        "| Limit | Value | What it bounds |",
        "| --- | --- | --- |",
    ]
    for name in limits.__all__:
        value = getattr(limits, name)
        shown = f"{value:,}" if isinstance(value, int | Decimal) else repr(value)
        lines.append(f"| `{name}` | {shown} | {docs.get(name, '').replace('|', '/')} |")
    lines.append("")
    return lines


def render() -> str:
    """Return the whole data-format page."""
    classes, enums = document_classes()
    lines = [_generated.header(SCRIPT, "src/territoires/model and src/territoires/io"), INTRO]
    lines += ["## The `territoires/1` document", ""]
    lines += [
        "A JSON object whose keys are the fields of `Dataset`, below, with `schema` first. "
        "Files follow these rules, those of the converter territoires reads and writes them "
        "with:",
        "",
        *converter_rules(),
        "",
        "Identifiers (`id`) are unique within their list; references between records use them "
        "(`Action.operators` lists ids of `Party`, `Funding.funder` is one). Territories are "
        "referred to by their reference: an INSEE commune code (`69123`), an EPCI SIREN "
        "(`200046977`), `dep:69` or `reg:84`.",
        "",
    ]
    for cls in classes:
        lines += class_section(cls)
    lines += [
        "## Enumerations",
        "",
        "Files hold the value; the labels are what people read, in reports and messages.",
        "",
    ]
    for cls in all_enums(enums):
        lines += enum_section(cls)
    lines += [
        "## CSV tables",
        "",
        "The participations and the reports are tables: `participations.csv` and `reports.csv` "
        "in a data package, sheets in a workbook, or a `.csv` file on its own. The first line "
        "is the header; columns may come in any order, and an absent optional column is "
        "empty. `datapackage.json` declares the same columns as a Table Schema, with the "
        "titles below.",
        "",
        "### `participations.csv`",
        "",
        "One row per pseudonymous person in an action: the fields of "
        "[`Participation`](#participation).",
        "",
        *columns_table(_tables.PARTICIPATION_COLUMNS, model.Participation),
        "",
        "### `reports.csv`",
        "",
        "One row per count of an [`ActionReport`](#actionreport): the report's `id`, `action`, "
        "period and `spent` are repeated on each of its rows, and `category`, `sex`, "
        "`age_band` and `count` make one [`ReportCount`](#reportcount). A report without "
        "counts is one row with those four cells empty.",
        "",
        *columns_table(_tables.REPORT_COLUMNS, model.ActionReport, model.ReportCount),
        "",
        "### A file of persons",
        "",
        "`territoires eligibility` and `territoires.load_persons()` read persons, the facts an "
        'eligibility decision needs, from a JSON file (`{"persons": [...]}`, each object a '
        "[`Person`](#person)) or a CSV file with the columns below. In JSON, dates are written "
        "`YYYY-MM-DD`; the file may also hold a single person object, or a list of them, and "
        'may name its schema (`"schema": "territoires/1"`), which is then checked. For '
        "instance, `persons.json`:",
        "",
        "```json",
        *PERSONS_EXAMPLE.splitlines(),
        "```",
        "",
        "A CSV file of persons has these columns:",
        "",
        *columns_table(_persons.PERSON_COLUMNS, model.Person),
        "",
        *class_section(model.Person),
        "### Indicator tables",
        "",
        "What `territoires indicators --format csv` and the `csv`, `json` and `datapackage` "
        "export formats write for indicators, one row per cell, after disclosure control:",
        "",
        *indicator_columns(),
        "",
        "`territoires.io.load_table()` and `territoires audit` read such a table back, and one "
        "written by another tool too: in CSV the columns may come in any order, and those "
        "that are not required may be left out ("
        + ", ".join(f"`{name}`" for name in _outputs.INDICATOR_REQUIRED)
        + " are required); a column not in the table above is refused.",
        "",
        *limits_section(),
    ]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the data-format page, or with ``--check`` compare it."""
    return _generated.main(
        argv, render=render, output=OUTPUT, script=SCRIPT, description=__doc__.split("\n", 1)[0]
    )


if __name__ == "__main__":
    sys.exit(main())
