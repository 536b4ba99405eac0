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
HTML punctuation are backslash-escaped and line breaks become ``<br>``. The contracts and
their euros come from the read model every output shares (:func:`territoires.overview.overview`)
and every figure is written by :mod:`territoires.wording`, so it reads as in the terminal and
the report: amounts in whole euros (rounded half up, after summing). The format does not read
back (``read=None``).

Example:
    >>> print(escape_cell("Lyon | Villeurbanne\nRhône"))
    Lyon \| Villeurbanne<br>Rhône
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from territoires import Dataset, ExportFormat, ExportKind, hookimpl, wording
from territoires.overview import Overview, overview

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
    r"""Format an amount in whole euros, French style (:func:`territoires.wording.euros`).

    Args:
        amount: An amount in euros.

    Returns:
        ``1 234 568 €`` (narrow no-break spaces between thousands, a no-break space before €),
        as the terminal and the report write it.

    Example:
        >>> format_euros(Decimal("1234567.50")) == "1\u202f234\u202f568\u00a0€"
        True
    """
    return wording.euros(amount, "fr")


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


def _fallback_date(dataset: Dataset) -> dt.date:
    """With no situation date: the day the last avenant or contract starts (all applied)."""
    days = [c.period.start for c in dataset.contracts]
    days += [a.effective_on for c in dataset.contracts for a in c.amendments]
    return max(days, default=dt.date(2000, 1, 1))


# -- tables -------------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A Markdown table: cells already escaped; numeric columns right-aligned."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _contracts_table(seen: Overview, dated: bool) -> str:
    """The contracts of the overview: one row each, then a total."""
    rows: list[list[str]] = []
    total_actions = 0
    for line in seen.contracts:
        actions = len(line.actions)
        total_actions += actions
        where = (
            line.territory
            if line.territory_name == line.territory
            else f"{line.territory_name} ({line.territory})"
        )
        rows.append(
            [
                escape_cell(line.id),
                escape_cell(line.kind.value.upper()),
                escape_cell(where),
                wording.approximate_date(line.signature, "fr", short=True),
                wording.period_dates(line.period, "fr"),
                escape_cell(line.status.label_fr if dated else "—"),
                wording.integer(actions, "fr"),
                format_euros(line.committed),
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
            wording.integer(total_actions, "fr"),
            format_euros(seen.budget.committed),
        ]
    )
    on_text = f" au {wording.date_short(seen.on, 'fr')}" if dated else ""
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


def _budget_table(seen: Overview) -> str:
    """Committed and spent euros by theme, over the contracts of the overview."""
    budget = seen.budget

    def spent(value: Decimal | None) -> str:
        return format_euros(value if value is not None else Decimal(0))

    rows = [
        [
            escape_cell(f"{line.category.label_fr} / {line.category.label_en}"),
            format_euros(line.committed),
            spent(line.spent),
            "—" if line.share is None else wording.percent(line.share, "fr"),
        ]
        for line in budget.by_theme
    ]
    rows.append(
        [
            "**Total**",
            format_euros(budget.committed),
            spent(budget.spent),
            wording.percent(Decimal(100), "fr") if budget.committed else "—",
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
            f"Situation au {wording.date_short(on, 'fr')} ({why}), contrats tels qu'amendés à "
            f"cette date / contracts as amended on {wording.date_short(on, 'en')}.\n\n"
        )
    # The read model every output shares; the dataset's own names, no geography to load.
    seen = overview(dataset, on=on or _fallback_date(dataset), geography=None)
    yield "## Contrats / Contracts\n\n"
    yield _contracts_table(seen, dated=on is not None)
    yield "\nMontants engagés arrondis à l'euro / committed amounts rounded to the euro.\n\n"
    yield "## Budget par thème / Budget by theme\n\n"
    yield _budget_table(seen)
    yield "\n## Participants\n\n"
    yield (
        f"{wording.integer(len(dataset.participations), 'fr')} participations et "
        f"{wording.integer(len(dataset.reports), 'fr')} comptes rendus d'opérateurs ; "
        "aucune donnée individuelle n'est exportée dans ce format. / "
        f"{wording.integer(len(dataset.participations), 'en')} participations and "
        f"{wording.integer(len(dataset.reports), 'en')} operator reports; this format exports "
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
