r"""territoires plugin: the ``markdown`` export format, readable tables of a dataset.

Registers one export format, ``markdown`` (suffix ``.md``, media type ``text/markdown``), for
datasets. It writes, in French with English headings:

- a title (the dataset's), with a notice in both languages when the data is synthetic;
- the date of the situation: the date the dataset was produced (``info.created``), or, when
  it has none, the latest end of its contracts as amended. Never today's date, so the same
  dataset always gives the same file;
- a table of contracts: id, kind, territory, signature date, period and status as amended on
  that date, number of actions and euros committed;
- a table of the budget by theme (committed, spent, share), over the same contracts;
- the number of participations and reports, and nothing else about them: no person-level
  data is ever written.

Cells are escaped so that no text can break a table: ``|``, backslashes and the Markdown and
HTML punctuation are backslash-escaped and line breaks become ``<br>``. Amounts are in whole
euros (rounded half up, after summing). The format does not read back (``read=None``).

Example:
    >>> print(escape_cell("Lyon | Villeurbanne\nRhône"))
    Lyon \| Villeurbanne<br>Rhône
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from territoires import (
    Contract,
    Dataset,
    ExportFormat,
    ExportKind,
    Theme,
    hookimpl,
)

__all__ = [
    "NAME",
    "escape_cell",
    "escape_text",
    "format_euros",
    "register_export_formats",
    "render",
    "situation_date",
    "write_markdown",
]

NAME = "markdown"
"""Name of the format (``territoires export --format markdown``)."""

SYNTHETIC_NOTICE = (
    "> **Données synthétiques / synthetic data.** Les activités, montants et bénéficiaires de "
    "ce jeu de données ont été générés pour la démonstration ; ils ne décrivent aucune personne "
    "ni organisation réelle. / Activity, amounts and beneficiaries in this dataset were "
    "generated for demonstration; they describe no real person or organisation."
)

# One pass of re.sub escapes each character once, backslashes included: escapes never double.
_CELL_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
_TEXT_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#])")
_NBSP = "\u00a0"
_THIN_NBSP = "\u202f"  # French thousands separator (espace fine insécable)


# -- escaping -----------------------------------------------------------------------------------


def escape_cell(text: str) -> str:
    r"""Return ``text`` safe inside a Markdown table cell.

    Backslashes, ``|`` and the punctuation that Markdown or HTML would interpret are
    backslash-escaped; each line break (``\n``, ``\r\n``, and the other breaks of
    :meth:`str.splitlines`) becomes ``<br>``, the only raw HTML the format writes.

    Args:
        text: Any text.

    Returns:
        One line that renders as ``text`` and never splits or ends a table row.
    """
    return "<br>".join(_CELL_SPECIAL.sub(r"\\\1", line) for line in text.splitlines())


def escape_text(text: str) -> str:
    """Return ``text`` safe as one line of Markdown (a title, a paragraph).

    Like :func:`escape_cell`, with ``#`` escaped too and line breaks turned into spaces, so a
    title stays one heading.

    Args:
        text: Any text.

    Returns:
        One line that renders as ``text``.
    """
    lines = (_TEXT_SPECIAL.sub(r"\\\1", line).strip() for line in text.splitlines())
    return " ".join(line for line in lines if line)


# -- values -------------------------------------------------------------------------------------


def format_euros(amount: Decimal) -> str:
    r"""Format an amount in whole euros, French style.

    Args:
        amount: An amount in euros.

    Returns:
        ``1 234 568 €`` (thin no-break spaces between thousands, no-break space before €).

    Example:
        >>> format_euros(Decimal("1234567.50")) == "1\u202f234\u202f568\u00a0€"
        True
    """
    whole = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:,}".replace(",", _THIN_NBSP) + f"{_NBSP}€"


def _integer(value: int) -> str:
    return f"{value:,}".replace(",", _THIN_NBSP)


def _date(day: dt.date | None) -> str:
    return "—" if day is None else day.strftime("%d/%m/%Y")


def _share(part: Decimal, total: Decimal) -> str:
    if not total:
        return "—"
    percent = (100 * part / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent}".replace(".", ",") + f"{_NBSP}%"


def situation_date(dataset: Dataset) -> dt.date | None:
    """Return the date the tables describe: never today, so that output is deterministic.

    Args:
        dataset: The dataset exported.

    Returns:
        ``dataset.info.created`` when set; otherwise the latest end of the contracts' periods
        as finally amended; None when there is neither.
    """
    if dataset.info.created is not None:
        return dataset.info.created
    ends = [c.final_period.end for c in dataset.contracts if c.final_period.end is not None]
    return max(ends, default=None)


def _amended(contract: Contract, on: dt.date | None) -> Contract:
    return contract if on is None else contract.as_of(on)


# -- tables -------------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A Markdown table: cells already escaped; numeric columns right-aligned."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _contracts_table(dataset: Dataset, on: dt.date | None) -> str:
    """The contracts as amended on ``on``: one row each, then a total."""
    rows: list[list[str]] = []
    total_actions = 0
    total_committed = Decimal(0)
    for contract in dataset.contracts:
        amended = _amended(contract, on)
        actions = amended.actions if on is not None else contract.all_actions()
        committed = sum((a.committed for a in actions), Decimal(0))
        total_actions += len(actions)
        total_committed += committed
        territory = dataset.territory(contract.territory)
        where = contract.territory if territory is None else f"{territory.name} ({territory.id})"
        period = amended.period
        status = "—" if on is None else contract.status(on).label_fr
        rows.append(
            [
                escape_cell(contract.id),
                escape_cell(contract.kind.value.upper()),
                escape_cell(where),
                _date(contract.signed_on),
                f"{_date(period.start)} – {'…' if period.end is None else _date(period.end)}",
                escape_cell(status),
                _integer(len(actions)),
                format_euros(committed),
            ]
        )
    rows.append(
        [
            "**Total**",
            "",
            "",
            "",
            "",
            "",
            _integer(total_actions),
            format_euros(total_committed),
        ]
    )
    on_text = "" if on is None else f" au {_date(on)}"
    return _table(
        [
            "Contrat / Contract",
            "Type",
            "Territoire / Territory",
            "Signé le / Signed",
            "Période / Period",
            f"Statut{on_text} / Status",
            "Actions",
            "Engagé / Committed",
        ],
        rows,
        [False, False, False, False, False, False, True, True],
    )


def _budget_table(dataset: Dataset, on: dt.date | None) -> str:
    """Committed and spent euros by theme, over the contracts as amended on ``on``."""
    committed: dict[Theme, Decimal] = {}
    spent: dict[Theme, Decimal] = {}
    for contract in dataset.contracts:
        amended = _amended(contract, on)
        actions = amended.actions if on is not None else contract.all_actions()
        for action in actions:
            for line in action.funding:
                committed[action.theme] = committed.get(action.theme, Decimal(0)) + line.committed
                spent[action.theme] = spent.get(action.theme, Decimal(0)) + (
                    line.spent or Decimal(0)
                )
    total_committed = sum(committed.values(), Decimal(0))
    total_spent = sum(spent.values(), Decimal(0))
    ordered = sorted(committed, key=lambda theme: (-committed[theme], theme.value))
    rows = [
        [
            escape_cell(f"{theme.label_fr} / {theme.label_en}"),
            format_euros(committed[theme]),
            format_euros(spent[theme]),
            _share(committed[theme], total_committed),
        ]
        for theme in ordered
    ]
    rows.append(
        [
            "**Total**",
            format_euros(total_committed),
            format_euros(total_spent),
            "100,0\u00a0%" if total_committed else "—",
        ]
    )
    return _table(
        [
            "Thème / Theme",
            "Engagé / Committed",
            "Dépensé (connu) / Spent (known)",
            "Part de l'engagé / Share",
        ],
        rows,
        [False, True, True, True],
    )


# -- the document -------------------------------------------------------------------------------


def _chunks(dataset: Dataset) -> Iterator[str]:
    """The document, piece by piece (the writer writes each piece as it comes)."""
    info = dataset.info
    title = escape_text(info.title) or "Jeu de données territoires / territoires dataset"
    yield f"# {title}\n\n"
    if info.synthetic:
        yield SYNTHETIC_NOTICE + "\n\n"
    description = escape_text(info.description)
    if description:
        yield f"Description : {description}\n\n"
    on = situation_date(dataset)
    if on is None:
        yield "Contrats tels que signés, sans avenant / Contracts as signed, without avenants.\n\n"
    else:
        why = (
            "date de production du jeu de données / date the dataset was produced"
            if info.created is not None
            else "fin du dernier contrat / end of the last contract"
        )
        yield (
            f"Situation au {_date(on)} ({why}), contrats tels qu'amendés à cette date / "
            f"contracts as amended on {on.isoformat()}.\n\n"
        )
    yield "## Contrats / Contracts\n\n"
    yield _contracts_table(dataset, on)
    yield "\nMontants engagés arrondis à l'euro / committed amounts rounded to the euro.\n\n"
    yield "## Budget par thème / Budget by theme\n\n"
    yield _budget_table(dataset, on)
    yield "\n## Participants\n\n"
    yield (
        f"{_integer(len(dataset.participations))} participations et "
        f"{_integer(len(dataset.reports))} comptes rendus d'opérateurs ; aucune donnée "
        f"individuelle n'est exportée dans ce format. / {len(dataset.participations):,} "
        f"participations and {len(dataset.reports):,} operator reports; this format exports "
        "no individual data.\n"
    )


def render(dataset: Dataset) -> str:
    r"""Return the Markdown document for ``dataset``.

    Args:
        dataset: The dataset to describe.

    Returns:
        The whole document (UTF-8 text, ``\n`` line ends); the same dataset always gives the
        same text.
    """
    return "".join(_chunks(dataset))


def write_markdown(dataset: Dataset, path: Path) -> None:
    r"""Write the Markdown document for ``dataset`` to ``path`` (the format's writer).

    The export engine hands over a temporary path and moves it into place only once this
    returns, so a failure halfway leaves any previous file intact.

    Args:
        dataset: The dataset to describe.
        path: The file to write, in UTF-8 with ``\n`` line ends.
    """
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for chunk in _chunks(dataset):
            out.write(chunk)


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register the ``markdown`` format (the ``register_export_formats`` hook).

    Returns:
        The one format of the plugin.
    """
    return [
        ExportFormat(
            name=NAME,
            label_fr="tableaux Markdown",
            label_en="Markdown tables",
            suffix=".md",
            media_type="text/markdown",
            kinds=frozenset({ExportKind.DATASET}),
            write=write_markdown,
            read=None,
            person_level=False,  # it counts participations, never copies them
            description=(
                "Readable Markdown tables of a dataset: contracts and budget by theme, with a "
                "notice for synthetic data; no person-level data. Does not read back."
            ),
        )
    ]
