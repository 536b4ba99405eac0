"""Protection of a table together with everything published before: the audit loop.

:func:`territoires.indicators.compute_indicators` first protects a table with the rules of
:func:`territoires.disclosure.protect` (primary secrecy, then no group with a single
suppressed cell). Those rules look at one equation at a time; an attacker solves them all at
once, with the tables published before. So the table is then **audited** as the attacker
would (:mod:`territoires._attack`, :mod:`territoires._audit`), together with the releases of
the publication ledger computed from the same data, and while a suppressed cell is exposed
(known exactly, or known to count between 1 and the threshold minus one), one more published
cell of a relation that exposes it is suppressed, the groups are repaired and the audit runs
again. Which cell: among the published cells of the current table that share a relation with
the exposed one, the one with no zero count and the smallest counts, the first in the
table's order on a tie, or when every cell it shares a relation with is hidden, the nearest
published ones of the hidden cells around it. When that helps no exposed cell any more, the
nearest published cells further away through hidden cells (up to :data:`REACH` relations:
what pins an action's count may be its contract's total). Suppressions only grow, so the
loop ends.

The attacker audited against is the strongest this library models: it knows every relation
between cells (breakdowns, levels, periods, shares, rates), and for relations that only
sometimes hold as equalities (distinct counts, sums over time) it knows which do, since the
protector, which knows the true counts, asserts each equality that holds and leaves out
each that does not (an attacker who always guesses right).

Releases of the ledger computed from **other data** (a revision after late reports: another
fingerprint) are not in the same system, since their values describe another state of the
data. Two rules link them to the new table: a cell hidden in any release stays hidden
(``hidden before``), and a cell whose counts moved by 1 to the threshold minus one persons
since a release published it is withheld (``revision``): the difference would be a small
count of persons.

This module imports nothing of the engine's tables: it reads rows by their attributes
(shaped like :class:`~territoires.indicators.IndicatorRow`) and the ledger likewise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

import attrs

from territoires import _attack, _audit
from territoires._attack import CellId
from territoires._enum import LabelledEnum
from territoires.disclosure import CellStatus

if TYPE_CHECKING:
    from territoires.measures import Indicator
    from territoires.model.dataset import Gazetteer

__all__ = [
    "LedgerLike",
    "Prior",
    "Reason",
    "Withheld",
    "audit_pattern",
    "cell_id",
    "complements",
    "implied_periods",
]

ROUNDS: Final = 200
"""Rounds of the audit loop at most: each suppresses at least one more cell, so it ends long
before on any real table; the bound keeps a pathological one from running forever."""


REACH: Final = 6
"""How many relations away from an exposed cell its complement is looked for, through hidden
cells (see :func:`complements`)."""


class Reason(LabelledEnum):
    """Why a cell is suppressed beyond the rules of one table (see the module documentation)."""

    HIDDEN_BEFORE = (
        "hidden_before",
        "masquée dans une diffusion précédente",
        "hidden in an earlier release",
    )
    REVISION = (
        "revision",
        "révision d'un petit nombre de personnes depuis une diffusion précédente",
        "revised by a small number of persons since an earlier release",
    )
    LINKED = (
        "linked",
        "protège une cellule masquée d'une table liée (périodes, niveaux, diffusions)",
        "protects a hidden cell of a linked table (periods, levels, releases)",
    )


@attrs.frozen
class Withheld:
    """A cell suppressed beyond the rules of one table, and why.

    Attributes:
        cell: The cell.
        reason: Why.
        detail: What it protects or which release it follows, in words.
    """

    cell: CellId
    reason: Reason
    detail: str

    @property
    def label(self) -> str:
        """The cell in a few words."""
        return _attack.cell_label(self.cell)


def cell_id(row: Any) -> CellId:
    """The cell of a row (an :class:`~territoires.indicators.IndicatorRow` or a ledger cell).

    Raises:
        ValueError: the row's level names no entity (never for the engine's rows).
    """
    found = _attack.cell_id(row)
    if found is None:
        raise ValueError(f"a row of level {row.level!r} names no cell")
    return found


class LedgerLike(Protocol):
    """What the protection reads of a :class:`~territoires.publication.Ledger`."""

    @property
    def releases(self) -> Sequence[Any]:
        """The releases, oldest first."""


@attrs.frozen
class _Table:
    """Rows under a name, as :func:`territoires._attack.attack` reads them."""

    rows: tuple[Any, ...]


@attrs.frozen
class Prior:
    """What the ledger tells the protection of a new table.

    Attributes:
        tables: The published tables of the releases computed from the same data, by name.
        truth: The counts of the cells of those releases.
        hidden: The cells hidden in any release, each with the first release hiding it.
        published: The cells published in any release, each with its counts then and the
            release (the last one publishing it).
        releases: Every release checked against: its name and its data's fingerprint.
        implied: The names of the tables nobody published whose cells published ones imply
            (:func:`implied_periods`): known exactly they give nothing away, known to count
            between 1 and the threshold minus one they do.
    """

    tables: tuple[tuple[str, _Table], ...] = ()
    truth: Mapping[CellId, tuple[int, ...]] = attrs.field(factory=dict)
    hidden: Mapping[CellId, str] = attrs.field(factory=dict)
    published: Mapping[CellId, tuple[tuple[int, ...], str]] = attrs.field(factory=dict)
    releases: tuple[tuple[str, str], ...] = ()
    implied: frozenset[str] = frozenset()

    @classmethod
    def of(cls, ledger: LedgerLike, fingerprint: str | None) -> Prior:
        """Read a :class:`~territoires.publication.Ledger` for the data of ``fingerprint``.

        Without a fingerprint no release is known to come from the same data: only the
        rules across data states apply (hidden before, revisions).
        """
        tables: list[tuple[str, _Table]] = []
        truth: dict[CellId, tuple[int, ...]] = {}
        hidden: dict[CellId, str] = {}
        published: dict[CellId, tuple[tuple[int, ...], str]] = {}
        releases = []
        for release in ledger.releases:
            name = release.name
            releases.append((name, release.fingerprint))
            same = fingerprint is not None and release.fingerprint == fingerprint
            for table in release.published_tables() if same else ():
                tables.append((f"{name} {_attack.period_label(*_span(table.period))}", table))
            for cell in release.cells:
                key = cell_id(cell)
                if same:
                    truth[key] = cell.counts
                if cell.status.suppressed:
                    hidden.setdefault(key, name)
                elif cell.value is not None:
                    published[key] = (cell.counts, name)
        return cls(tuple(tables), truth, hidden, published, tuple(releases))

    @property
    def periods(self) -> set[tuple[dt.date, dt.date | None]]:
        """The periods of the linked releases' tables."""
        return {
            (table.rows[0].period.start, table.rows[0].period.end)
            for _, table in self.tables
            if table.rows
        }

    def with_implied(self, name: str, rows: Iterable[Any]) -> Prior:
        """Add a table nobody published whose cells the published ones imply (hidden)."""
        hidden = tuple(attrs.evolve(row, status=CellStatus.SUPPRESSED, value=None) for row in rows)
        truth = {**self.truth, **{cell_id(row): row.counts for row in hidden if row.counts}}
        return attrs.evolve(
            self,
            tables=(*self.tables, (name, _Table(hidden))),
            truth=truth,
            implied=self.implied | {name},
        )


def implied_periods(
    current: tuple[dt.date, dt.date | None], published: Iterable[tuple[dt.date, dt.date | None]]
) -> list[tuple[dt.date, dt.date]]:
    """The semesters and years nobody published that published ones give away by difference.

    A year and one of its semesters give the other semester; two semesters give their year
    (a sum, for additive quantities; bounds for distinct persons). Those cells are hidden
    cells of the publication like any other: a new table must not let them be recovered.
    """
    known = {*published, current}
    years = {start.year for start, _ in known}
    found: list[tuple[dt.date, dt.date]] = []
    for year in sorted(years):
        whole = (dt.date(year, 1, 1), dt.date(year, 12, 31))
        halves = [
            (dt.date(year, 1, 1), dt.date(year, 6, 30)),
            (dt.date(year, 7, 1), dt.date(year, 12, 31)),
        ]
        present = [half for half in halves if half in known]
        if whole in known and len(present) == 1:
            found.extend(half for half in halves if half not in known)
        elif whole not in known and len(present) == 2:
            found.append(whole)
    return found


def _span(period: Any) -> tuple[Any, Any]:
    return period.start, period.end


def revised(counts: Sequence[int], before: Sequence[int], threshold: int) -> bool:
    """Whether counts moved by a small number of persons (1 to the threshold minus one)."""
    return len(counts) == len(before) and any(
        0 < abs(now - then) < threshold for now, then in zip(counts, before, strict=True)
    )


@attrs.frozen
class Pattern:
    """An audit of a suppression pattern: the attacker's system and every hidden cell's fate.

    Attributes:
        attack: The attacker's system.
        intervals: The interval of each count of each hidden cell.
        exposed: The exposed hidden cells, of the new table and of the linked releases (not
            published elsewhere).
        given_away: Hidden cells that a table or release publishes: nothing can hide them
            again.
    """

    attack: _attack.Attack
    intervals: Mapping[Any, _audit.Interval]
    exposed: tuple[CellId, ...]
    given_away: tuple[CellId, ...]


def audit_pattern(
    rows: Iterable[Any],
    prior: Prior,
    definitions: Mapping[str, Indicator],
    *,
    threshold: int,
    truth: Mapping[CellId, tuple[int, ...]],
    geography: Gazetteer | None,
    known: Mapping[Any, _audit.Interval] | None = None,
    name: str = "new table",
    cache: dict[Any, Any] | None = None,
) -> Pattern:
    """Audit the current rows (published view) with the linked releases, as the attacker would.

    ``known`` holds the intervals of counts an earlier audit of the same table showed
    protected by witnesses: they are not solved again. Suppressing more cells only turns
    constants into variables, so a whole-number solution of the earlier system, with each
    new variable at its published value, solves the new one: a count two such solutions set
    apart stays so, and so protected.

    Raises:
        Inconsistent: the relations contradict the true counts (a bug, never the data's).
    """
    tables = [*prior.tables, (name, _Table(tuple(rows)))]
    attacker = _attack.attack(
        tables,
        definitions,
        threshold=threshold,
        geography=geography,
        truth={**prior.truth, **truth},
    )

    system = attacker.system
    known = known or {}
    variables = []
    loose = []
    # Every hidden cell, of the new table and of the linked releases: a new figure must not
    # give back a cell hidden before.
    for hidden in attacker.hidden:
        if hidden.published_in:
            continue
        implied = set(hidden.tables) <= prior.implied
        for part, quantity in hidden.parts:
            if quantity in system and quantity not in known:
                variables.append(quantity)
                if part == "denominator" or implied:
                    loose.append(quantity)
    every = {**prior.truth, **truth}
    true_values = {}
    for key in system.keys:
        cell, part = cast("_attack.Quantity", key)
        counts = every.get(cell, ())
        index = 1 if part == "denominator" else 0
        if index < len(counts):
            true_values[key] = counts[index]
    intervals = {
        **{key: value for key, value in known.items() if key in system},
        **system.intervals(
            variables, threshold=threshold, loose=loose, truth=true_values, cache=cache
        ),
    }
    exposed = []
    given_away = []
    for hidden in attacker.hidden:
        if hidden.published_in:
            if not set(hidden.tables) <= prior.implied:
                given_away.append(hidden.cell)
            continue
        implied = set(hidden.tables) <= prior.implied
        for part, quantity in hidden.parts:
            found = intervals.get(quantity) if quantity in system else None
            if found is None:
                # A count published elsewhere (a rate's persons): known exactly.
                value = quantity if not isinstance(quantity, tuple) else None
                small = value is not None and 1 <= value < threshold
                if value is not None and part != "denominator" and (small or not implied):
                    exposed.append(hidden.cell)
                    break
                continue
            why = _attack.exposure(part, found, hidden.parts, intervals, threshold)
            if why is not None and not (implied and why == "exact"):
                exposed.append(hidden.cell)
                break
    return Pattern(attacker, intervals, tuple(exposed), tuple(given_away))


def complements(
    pattern: Pattern,
    candidates: Mapping[CellId, tuple[tuple[int, ...], int]],
    reach: int = 2,
) -> dict[CellId, CellId]:
    """For each exposed cell, the published cell to suppress next (see the module).

    Args:
        pattern: The audit.
        candidates: The published cells of the current table that may be suppressed, each
            with its counts and its position in the table.
        reach: How many relations away, through hidden cells, to look for them.

    Returns:
        The chosen cell for each exposed cell that has one; an exposed cell with none is
        left out (nothing in the current table can protect it).
    """
    neighbours: dict[CellId, list[CellId]] = {}
    for link in pattern.attack.links:
        for cell in link:
            neighbours.setdefault(cell, []).extend(other for other in link if other != cell)
    hidden = {found.cell for found in pattern.attack.hidden}

    def cost(cell: CellId) -> tuple[bool, tuple[int, ...], int]:
        counts, position = candidates[cell]
        return (0 in counts, counts, position)

    chosen: dict[CellId, CellId] = {}
    for cell in pattern.exposed:
        # The published cells nearest to it, through hidden cells only: its own neighbours,
        # else those of the hidden cells around it, and so on (what pins a count may be a
        # few relations away, a contract's total bounding an action's category).
        seen = {cell}
        frontier = [cell]
        near: list[CellId] = []
        for _ in range(reach):
            step = [
                other
                for each in frontier
                for other in neighbours.get(each, ())
                if other not in seen
            ]
            step = list(dict.fromkeys(step))
            seen.update(step)
            near = [other for other in step if other in candidates]
            if near:
                break
            frontier = [other for other in step if other in hidden]
            if not frontier:
                break
        if near:
            chosen[cell] = min(near, key=cost)
    return chosen


def protect_linked(
    reprotect: Callable[[Mapping[CellId, Withheld | None]], Sequence[Any]],
    prior: Prior,
    definitions: Mapping[str, Indicator],
    *,
    threshold: int,
    geography: Gazetteer | None,
    name: str = "new table",
) -> tuple[Sequence[Any], dict[CellId, Withheld], Pattern | None]:
    """Run the audit loop (see the module documentation).

    Args:
        reprotect: Protects the table with the given cells forced hidden (each with why it is
            withheld, or None when the previous pattern hid it already); returns its rows
            (every level and indicator, the engine's statuses and counts).
        prior: What the ledger tells.
        definitions: The indicators' definitions.
        threshold: The threshold.
        geography: Where the populations of rates come from.
        name: The name of the new table in the audit (its period, say).

    Returns:
        The final rows, the cells withheld beyond the rules of one table, and the last
        audit (None when no cell is hidden and no release is linked: nothing to audit).
    """
    withheld: dict[CellId, Withheld] = {}
    known: dict[Any, _audit.Interval] = {}
    cache: dict[Any, Any] = {}
    rows = reprotect(withheld)
    ids = [cell_id(row) for row in rows]
    truth = {key: row.counts for key, row in zip(ids, rows, strict=True) if row.counts}
    for key in ids:
        if key in prior.hidden:
            withheld[key] = Withheld(key, Reason.HIDDEN_BEFORE, prior.hidden[key])
    for _ in range(ROUNDS):
        if withheld:
            was_hidden = {key for key, row in zip(ids, rows, strict=True) if row.status.suppressed}
            rows = reprotect(withheld)
            if any(
                key in was_hidden and not row.status.suppressed
                for key, row in zip(ids, rows, strict=True)
            ):
                # The rules of one table chose other complements around the new cells and
                # publish one hidden before: the pattern did not only grow, so what earlier
                # audits showed protected must be shown again.
                known.clear()
        grown = False
        for key, row in zip(ids, rows, strict=True):
            before = prior.published.get(key)
            if (
                before is not None
                and key not in withheld
                and row.status.value == "published"
                and revised(row.counts, before[0], threshold)
            ):
                withheld[key] = Withheld(key, Reason.REVISION, before[1])
                grown = True
        if grown:
            continue
        if not prior.tables and not any(row.status.suppressed for row in rows):
            return rows, withheld, None
        pattern = audit_pattern(
            (_published(row) for row in rows),
            prior,
            definitions,
            threshold=threshold,
            truth=truth,
            geography=geography,
            known=known,
            name=name,
            cache=cache,
        )
        unsafe = set(pattern.exposed)
        for hidden in pattern.attack.hidden:
            if hidden.cell not in unsafe:
                for _, quantity in hidden.parts:
                    found = pattern.intervals.get(quantity)
                    if found is not None and found.witnessed:
                        known[quantity] = found
        candidates = {
            key: (row.counts, position)
            for position, (key, row) in enumerate(zip(ids, rows, strict=True))
            if row.counts and row.status.value == "published" and key not in prior.published
        }
        chosen = complements(pattern, candidates)
        fresh = {cell: exposed for exposed, cell in chosen.items() if cell not in withheld}
        if not fresh:
            # Nothing near helps any more: look further, through hidden cells.
            chosen = complements(pattern, candidates, reach=REACH)
            fresh = {cell: exposed for exposed, cell in chosen.items() if cell not in withheld}
        if not fresh:
            return rows, withheld, pattern
        for cell, exposed in fresh.items():
            withheld[cell] = Withheld(cell, Reason.LINKED, _attack.cell_label(exposed))
    return rows, withheld, pattern  # pragma: no cover - see ROUNDS


def given_back(pattern: Pattern, rows: Sequence[Any], threshold: int) -> set[CellId]:
    """The secondary cells of the new table that what is published elsewhere gives back.

    A cell suppressed as a complement whose counts the linked releases determine exactly
    (the year when both its semesters were published, say), none of them small, hides
    nothing: suppressing it only says less. Those are published after all; the attacker's
    system stays the same, since their values were known.
    """
    secondary = {cell_id(row) for row in rows if row.status.value == "secondary"}
    found = set()
    for hidden in pattern.attack.hidden:
        if hidden.cell not in secondary or hidden.cell not in set(pattern.exposed):
            continue
        intervals = [pattern.intervals.get(quantity) for _, quantity in hidden.parts]
        if intervals and all(
            found_ is not None
            and found_.single
            and found_.settled
            and not found_.witnessed
            and not found_.small(threshold)
            for found_ in intervals
        ):
            found.add(hidden.cell)
    return found


def _published(row: Any) -> Any:
    """The row as published: one "suppressed" status, no value nor counts."""
    status = row.status.published
    if status is row.status:
        return row
    return attrs.evolve(row, status=status)
