"""The attacker's system from published indicator rows: what the tables tell about hidden cells.

:func:`attack` reads the rows of one or several published tables (several periods, levels,
territory restrictions) and the indicators' definitions, and builds the
:class:`~territoires._audit.System` an attacker holding those tables can write: the hidden
counts of persons as variables, published counts as constants, and every relation between
cells as linear constraints. :func:`territoires.disclosure.audit` solves it and applies the
exposure rule; the documentation page on disclosure control says in words what is assumed.

The quantities. A cell that counts persons stands for one count (``persons``); a share or a
rate in percent for two, its ``numerator`` and ``denominator``; a rate per 10,000
inhabitants for one count over a population the attacker knows (the official geography).
A published count is a constant; a published share is an interval on its numerator over its
denominator (its value rounded to two decimals, read as an interval closed at both ends,
which holds whatever the rounding convention); every other count is a variable.

The relations, each of which holds in the engine by construction:

* **breakdowns**: a total and the categories of one dimension at the same entity;
* **levels**: an entity and its children (action → contract → territory → national);
* **time**: a cell and the same cell over periods that partition its period (the year and
  its semesters, or any chain of published periods without gap or overlap);
* **shares** (:class:`~territoires.measures.ShareOf`): a share's numerator and denominator and
  the categories of the breakdown they are made of, and that breakdown's total;
* **counts_as**: a rate per 10,000 counts the persons of the indicator it counts as.

How each relation binds depends on how the quantity combines (the definition's
``over_territory`` or ``over_time``). A **sum** (reported counts) is exactly the sum of its
parts over territory and breakdowns; over time, successive reports add up but a report
spanning two periods counts only in the longer one, so the whole is at least the sum of its
parts. A **distinct count** (persons) lies between its largest part and the sum of its parts
(a person in two actions counts once in their contract). Those inequalities always hold.
The equality "the whole is the sum of its parts" often holds too, and an attacker who
guesses it is right in most tables: with ``equalities=None`` (the default, for files whose
true values nobody knows here) it is *assumed*, unless every term of the relation is
published and they disagree; a component of the system whose assumptions contradict what
is published is solved again without them. ``equalities=True`` asserts them (whoever knows
the true counts and has checked them); ``equalities=False`` keeps only the inequalities.

Completeness. A parent equals the sum of its children only when every child is in the
tables. A table restricted to some territories keeps whole contracts and whole territories,
but its national rows still total everything: the national cell is then only *at least*
the sum of the territories shown. A table is known complete when a fully published sum
(numbers of contracts or actions, reported counts) adds up from the territories to the
national total, restricted when one does not, and otherwise assumed complete.

Labels (``labels=True``): a cell published as "primary" holds between 1 and the threshold
minus one persons, a "secondary" one none or at least the threshold; an attacker reading
the labels knows it. With a single "suppressed" status nothing is learnt from it.

Indicators whose definition is unknown (a file from elsewhere, a plugin not installed):
counts in persons or numbers are read as counts of persons, percents as a share of two
counts, rates per 10,000 as a count over a population; all combine as distinct counts with
the equalities assumed (an attacker who guesses right), which is what a sum would give too.
Amounts in euros are left out: the library never suppresses them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from territoires._audit import Inconsistent, Interval, System
from territoires.exceptions import InvalidValueError

if TYPE_CHECKING:
    from territoires.measures import Indicator
    from territoires.model.dataset import Gazetteer

__all__ = [
    "Attack",
    "CellId",
    "HiddenCell",
    "Inconsistent",
    "attack",
    "cell_id",
    "cell_label",
    "exposure",
    "period_label",
    "published_values",
]

PUBLISHED: Final = "published"
UNDEFINED: Final = "undefined"
NATIONAL: Final = "FR"
_LEVELS: Final = ("action", "contract", "territory", "national")
_HUNDRED: Final = Fraction(100)
_TEN_THOUSAND: Final = Fraction(10_000)

# indicator, level, entity, dimension, category, period start, period end
CellId = tuple[str, str, str, str | None, str | None, dt.date, dt.date | None]
Part = Literal["persons", "numerator", "denominator"]
Quantity = tuple[CellId, Part]
Combine = Literal["sum", "distinct"] | None


def _text(value: Any) -> Any:
    """The value of an enumeration member, or the value itself (a text, None)."""
    return getattr(value, "value", value)


def period_label(start: dt.date, end: dt.date | None) -> str:
    """Name a period as people do: ``2022``, ``2022-S1``, or ``start..end``."""
    if end is not None and start.day == 1 and start.year == end.year:
        if (start.month, end.month, end.day) == (1, 12, 31):
            return str(start.year)
        if (start.month, end.month, end.day) == (1, 6, 30):
            return f"{start.year}-S1"
        if (start.month, end.month, end.day) == (7, 12, 31):
            return f"{start.year}-S2"
    return f"{start.isoformat()}..{end.isoformat() if end else ''}"


def _where(level: str, entity: str) -> str:
    return "national" if level == "national" else f"{level} {entity}"


def cell_label(cell: CellId) -> str:
    """Name a cell: ``beneficiaries action a1 sex=female 2022-S1``."""
    indicator, level, entity, dimension, category, start, end = cell
    parts = [indicator, _where(level, entity)]
    if dimension is not None:
        parts.append(f"{dimension}={category}")
    parts.append(period_label(start, end))
    return " ".join(parts)


def cell_id(row: Any) -> CellId | None:
    """The cell a row is about, the same in every table; None for a row with no entity."""
    level = _text(row.level)
    entity = {
        "action": row.action,
        "contract": row.contract,
        "territory": row.territory,
        "national": NATIONAL,
    }.get(level)
    if entity is None:
        return None
    period = row.period
    return (
        row.indicator,
        level,
        entity,
        _text(row.dimension),
        row.category,
        period.start,
        period.end,
    )


def published_values(table: Any) -> dict[CellId, tuple[Decimal | None, str]]:
    """The cells a table publishes (or says undefined), each with its value and status."""
    found: dict[CellId, tuple[Decimal | None, str]] = {}
    for row in table.rows:
        cell = cell_id(row)
        status = str(_text(row.status))
        if cell is not None and status in (PUBLISHED, UNDEFINED):
            found[cell] = (row.value if status == PUBLISHED else None, status)
    return found


@attrs.frozen
class _Meta:
    """What a cell's rows say besides its value: where it sits and how it is measured."""

    territory: str
    contract: str | None
    action: str | None
    unit: str


@attrs.frozen
class HiddenCell:
    """A cell hidden in at least one table, with the variables that stand for its counts.

    Attributes:
        cell: The cell.
        territory: Its territory (``FR`` at national level).
        contract: Its contract, at action and contract level.
        action: Its action, at action level.
        status: Its status where hidden (``primary``, ``secondary``, ``suppressed``...).
        tables: The tables where it is hidden.
        parts: Its counts, each with the variable (or the value published elsewhere).
        published_in: The tables that publish it, when another one hides it (then every
            part is a value, and the cell is given away).
    """

    cell: CellId
    territory: str
    contract: str | None
    action: str | None
    status: str
    tables: tuple[str, ...]
    parts: tuple[tuple[Part, Quantity | Fraction], ...]
    published_in: tuple[str, ...] = ()


@attrs.frozen
class Attack:
    """The attacker's system and the hidden cells it is about.

    Attributes:
        system: The variables and constraints.
        hidden: Every hidden cell, in the order first met in the tables.
        cells: How many distinct cells the tables hold.
        threshold: The threshold the labels were read with.
        links: The cells of each relation between cells (a whole and its parts), in the
            order the relations were written: who can protect whom.
    """

    system: System
    hidden: tuple[HiddenCell, ...]
    cells: int
    threshold: int
    links: tuple[tuple[CellId, ...], ...] = ()


def _definition_kind(definition: Indicator | None, unit: str) -> str | None:
    """``count``, ``ratio`` or ``per_capita`` for a cell that counts persons, else None."""
    if definition is not None:
        if not definition.counts_persons:
            return None
        unit = _text(definition.unit)
    if unit == "percent":
        return "ratio"
    if unit == "per_10000":
        return "per_capita"
    if unit in ("persons", "count"):
        return "count"
    return None


def _combine(definition: Indicator | None, over: str) -> Combine:
    """How parts combine into a whole: ``sum``, ``distinct``, or None (nothing to say)."""
    if definition is None:
        return "distinct"  # with the equalities assumed: see the module documentation
    aggregation = _text(getattr(definition, over))
    if aggregation == "sum":
        return "sum"
    if aggregation in ("distinct_count", "ratio_of_sums"):
        return "distinct"
    return None


class _Builder:
    def __init__(
        self,
        tables: Sequence[tuple[str, Any]],
        definitions: Mapping[str, Indicator],
        *,
        threshold: int,
        labels: bool,
        equalities: bool | None,
        geography: Gazetteer | None,
        truth: Mapping[CellId, tuple[int, ...]] | None = None,
    ) -> None:
        self.definitions = definitions
        self.truth = truth
        self.links: list[tuple[CellId, ...]] = []
        self._territories: dict[tuple[Any, ...], str] | None = None
        self.threshold = threshold
        self.labels = labels
        self.equalities = equalities
        self.geography = geography
        self.system = System()
        self.meta: dict[CellId, _Meta] = {}
        self.published: dict[CellId, tuple[Decimal | None, str]] = {}  # value, status
        self.published_in: dict[CellId, list[str]] = defaultdict(list)
        self.hidden_in: dict[CellId, list[str]] = defaultdict(list)
        self.hidden_status: dict[CellId, str] = {}
        self.tables_of: dict[CellId, list[str]] = defaultdict(list)
        self.kinds: dict[str, str | None] = {}
        self.table_periods: dict[str, set[tuple[dt.date, dt.date | None]]] = defaultdict(set)
        self.complete: dict[tuple[str, dt.date, dt.date | None], bool | None] = {}
        for name, table in tables:
            self._read(name, table)
        self._completeness(tables)

    # -- reading ------------------------------------------------------------------------------

    def _read(self, name: str, table: Any) -> None:
        for row in table.rows:
            cell = cell_id(row)
            if cell is None:
                continue
            period = row.period
            unit = _text(row.unit)
            if row.indicator not in self.kinds:
                self.kinds[row.indicator] = _definition_kind(
                    self.definitions.get(row.indicator), unit
                )
            self.meta.setdefault(cell, _Meta(row.territory, row.contract, row.action, unit))
            if name not in self.tables_of[cell]:
                self.tables_of[cell].append(name)
            self.table_periods[name].add((period.start, period.end))
            status = str(_text(row.status))
            if status in (PUBLISHED, UNDEFINED):
                value = row.value if status == PUBLISHED else None
                known = self.published.get(cell)
                if known is not None and known != (value, status):
                    raise InvalidValueError(
                        cell_label(cell),
                        f"{known[0]} in {self.published_in[cell][0]}, {value} in {name}",
                        "one value across the tables audited together (a revision is "
                        "audited against the ledger of what was published before)",
                    )
                self.published[cell] = (value, status)
                self.published_in[cell].append(name)
            else:
                self.hidden_in[cell].append(name)
                self.hidden_status.setdefault(cell, status)

    def _completeness(self, tables: Sequence[tuple[str, Any]]) -> None:
        """Whether each table's territories add up to its national rows (see the module).

        The evidence: a sum over territory (numbers of contracts or actions, reported
        counts) published at national level and at every territory of the table.
        """
        verdicts: dict[tuple[str, dt.date, dt.date | None], list[bool | None]] = defaultdict(list)
        for name, table in tables:
            sums: dict[tuple[Any, ...], list[Decimal | None]] = defaultdict(list)
            totals: dict[tuple[Any, ...], Decimal | None] = {}
            for row in table.rows:
                definition = self.definitions.get(row.indicator)
                if definition is None or _text(definition.over_territory) != "sum":
                    continue
                key = (row.indicator, _text(row.dimension), row.category, row.period)
                published = str(_text(row.status)) == PUBLISHED
                value = row.value if published else None
                level = _text(row.level)
                if level == "territory":
                    sums[key].append(value)
                elif level == "national":
                    totals[key] = value
            found: bool | None = None
            for key, total in totals.items():
                parts = sums.get(key, [])
                if total is None or any(part is None for part in parts):
                    continue
                if sum((part for part in parts if part is not None), Decimal(0)) != total:
                    found = False
                    break
                found = True
            for start, end in self.table_periods[name]:
                for indicator in self.kinds:
                    verdicts[indicator, start, end].append(found)
        for where, found_list in verdicts.items():
            if any(found_list):
                self.complete[where] = True
            elif found_list and all(found is False for found in found_list):
                self.complete[where] = False
            else:
                self.complete[where] = None

    # -- quantities ---------------------------------------------------------------------------

    def _alias(self, cell: CellId) -> CellId:
        """The cell whose persons a rate per 10,000 counts (``counts_as``), or the cell itself."""
        definition = self.definitions.get(cell[0])
        other = definition.counts_as if definition is not None else None
        if other is not None and cell[3] is None and self.kinds.get(other, "count") == "count":
            return (other, *cell[1:])
        return cell

    def quantity(self, cell: CellId, part: Part) -> Quantity | Fraction:
        """A count of a cell: its published value, or the variable that stands for it."""
        if part == "persons":
            cell = self._alias(cell)
        known = self.published.get(cell)
        kind = self.kinds.get(cell[0])
        if known is not None:
            value, status = known
            if kind == "count" and value is not None:
                whole = int(value)
                # Whole counts stay ints: Fractions cost ten times more, and add up the same.
                return whole if whole == value else Fraction(value)  # type: ignore[return-value]
            if kind == "ratio" and status == UNDEFINED:
                return Fraction(0)  # a share over no one: zero persons in both counts
        key: Quantity = (cell, part)
        if key not in self.system:
            if kind == "ratio":
                self.system.variable((cell, "numerator"))
                self.system.variable((cell, "denominator"))
                self._ratio(cell)
            else:
                self.system.variable(key)
        return key

    def _ratio(self, cell: CellId) -> None:
        """The numerator is among the denominator's persons; a published share bounds both."""
        numerator: Quantity = (cell, "numerator")
        denominator: Quantity = (cell, "denominator")
        label = cell_label(cell)
        self.add([(numerator, 1), (denominator, -1)], "<=", f"{label}: numerator ≤ denominator")
        known = self.published.get(cell)
        if known is None or known[0] is None:
            return
        value = known[0]
        half = Fraction(5, 10 ** (1 - min(0, _exponent(value))))
        low, high = (Fraction(value) - half) / _HUNDRED, (Fraction(value) + half) / _HUNDRED
        source = f"{label} = {value} % (rounded) [{', '.join(self.published_in[cell])}]"
        self.add([(denominator, 1)], ">=", source, bound=1)
        self.add([(numerator, 1), (denominator, -low)], ">=", source)
        self.add([(numerator, 1), (denominator, -high)], "<=", source)

    # -- constraints --------------------------------------------------------------------------

    def add(
        self,
        terms: Sequence[tuple[Quantity | Fraction, Fraction | int]],
        sense: Literal["==", "<=", ">="],
        source: str,
        *,
        bound: Fraction | int = 0,
        when: Literal["always", "assumed"] = "always",
    ) -> None:
        """Add ``sum(factor * term) <sense> bound``; constant terms move to the bound."""
        if when == "assumed":
            if self.equalities is False:
                return
            if self.equalities:
                when = "always"
            elif self.truth is not None:
                holds = self._holds(terms, sense, Fraction(bound))
                if holds is False:
                    return  # an attacker who guesses right does not guess this one
                if holds:
                    when = "always"
        coefficients: list[tuple[Any, Fraction | int]] = []
        rest: Fraction | int = bound
        for term, factor in terms:
            if isinstance(term, tuple):
                coefficients.append((term, factor))
            else:
                rest -= term * factor
        self.system.constrain(coefficients, sense, rest, source=source, when=when)

    def _holds(
        self,
        terms: Sequence[tuple[Quantity | Fraction, Fraction | int]],
        sense: Literal["==", "<=", ">="],
        bound: Fraction,
    ) -> bool | None:
        """Whether a constraint holds for the true counts; None when one is not known."""
        assert self.truth is not None
        total = Fraction(0)
        for term, factor in terms:
            if not isinstance(term, tuple):
                total += term * factor
                continue
            cell, part = term
            counts = self.truth.get(cell)
            index = 1 if part == "denominator" else 0
            if counts is None or index >= len(counts):
                return None
            total += counts[index] * Fraction(factor)
        if sense == "==":
            return total == bound
        return total <= bound if sense == "<=" else total >= bound

    def relate(
        self,
        whole: Quantity | Fraction,
        parts: Sequence[Quantity | Fraction],
        combine: Combine,
        source: str,
        *,
        complete: bool | None,
        over_time: bool = False,
        cells: Sequence[CellId] = (),
    ) -> None:
        """Add what a whole and its parts tell (see the module documentation).

        ``cells`` are the cells the relation is about, kept in :attr:`Attack.links`.
        """
        if combine is None or not parts:
            return
        if cells:
            self.links.append(tuple(cells))
        difference = [(whole, 1), *((part, -1) for part in parts)]
        if combine == "sum" and complete is True and not over_time:
            self.add(difference, "==", source)
            return
        if combine == "sum" or complete is False:
            self.add(difference, ">=", source)
        if combine == "distinct":
            for part in parts:
                self.add([(whole, 1), (part, -1)], ">=", source)
            if complete is True:
                self.add(difference, "<=", source)
        if complete is not False:
            self.add(difference, "==", source, when="assumed")

    # -- the relations ------------------------------------------------------------------------

    def build(self) -> Attack:
        cells = list(self.meta)
        hidden = [cell for cell in cells if cell in self.hidden_in]
        for cell in hidden:
            self._parts(cell)
        self._breakdowns(cells)
        self._levels(cells)
        self._time(cells)
        self._shares(cells)
        self._per_capita(cells)
        found = []
        for cell in hidden:
            meta = self.meta[cell]
            parts = tuple((part, self.quantity(cell, part)) for part in self._parts(cell))
            if self.labels:
                self._label(cell, parts)
            found.append(
                HiddenCell(
                    cell=cell,
                    territory=meta.territory,
                    contract=meta.contract,
                    action=meta.action,
                    status=self.hidden_status[cell],
                    tables=tuple(self.hidden_in[cell]),
                    parts=parts,
                    published_in=tuple(self.published_in.get(cell, ())),
                )
            )
        return Attack(
            system=self.system,
            hidden=tuple(found),
            cells=len(cells),
            threshold=self.threshold,
            links=tuple(self.links),
        )

    def _parts(self, cell: CellId) -> tuple[Part, ...]:
        kind = self.kinds.get(cell[0])
        if kind == "ratio":
            return ("numerator", "denominator")
        if kind in ("count", "per_capita"):
            return ("persons",)
        return ()

    def _breakdowns(self, cells: Sequence[CellId]) -> None:
        groups: dict[tuple[Any, ...], list[CellId]] = defaultdict(list)
        for cell in cells:
            if cell[3] is not None:
                groups[cell[0], cell[1], cell[2], cell[3], cell[5], cell[6]].append(cell)
        for (indicator, level, entity, dimension, start, end), members in groups.items():
            definition = self.definitions.get(indicator)
            combine = _combine(definition, "over_territory")
            total: CellId = (indicator, level, entity, None, None, start, end)
            if total not in self.meta:
                continue  # a total no table holds: a free count, which binds nothing
            tables = self._tables([total, *members])
            source = (
                f"{indicator} {_where(level, entity)} {period_label(start, end)}: total and "
                f"its breakdown by {dimension} [{tables}]"
            )
            for part in self._parts(total):
                self.relate(
                    self.quantity(total, part),
                    [self.quantity(member, part) for member in members],
                    combine,
                    source,
                    complete=True,
                    cells=(total, *members),
                )

    def _parent(self, cell: CellId) -> tuple[str, str] | None:
        meta = self.meta[cell]
        level = cell[1]
        if level == "action" and meta.contract:
            return "contract", meta.contract
        if level == "contract":
            return "territory", meta.territory
        if level == "territory":
            return "national", NATIONAL
        return None

    def _levels(self, cells: Sequence[CellId]) -> None:
        children: dict[CellId, list[CellId]] = defaultdict(list)
        for cell in cells:
            parent = self._parent(cell)
            if parent is not None:
                up: CellId = (cell[0], parent[0], parent[1], cell[3], cell[4], cell[5], cell[6])
                children[up].append(cell)
        for up, down in children.items():
            if up not in self.meta:
                continue  # a parent no table holds: a free count, which binds nothing
            indicator, level, entity, dimension, category, start, end = up
            if self.kinds.get(indicator) == "per_capita":
                # Persons per inhabitant: a territory with two contracts counts once, and a
                # level lists only the places with a population. The persons they count are
                # those of the indicator they count as, whose own cells relate them.
                continue
            combine = _combine(self.definitions.get(indicator), "over_territory")
            complete = True if level != "national" else self.complete.get((indicator, start, end))
            breakdown = f" {dimension}={category}" if dimension is not None else ""
            source = (
                f"{indicator}{breakdown} {period_label(start, end)}: {_where(level, entity)} "
                f"and its {down[0][1]}s [{self._tables([up, *down])}]"
            )
            for part in self._parts(up):
                self.relate(
                    self.quantity(up, part),
                    [self.quantity(cell, part) for cell in down],
                    combine,
                    source,
                    complete=complete,
                    cells=(up, *down),
                )

    def _time(self, cells: Sequence[CellId]) -> None:
        periods_of: dict[str, set[tuple[dt.date, dt.date]]] = defaultdict(set)
        territories: dict[tuple[str, dt.date, dt.date | None], set[str]] = defaultdict(set)
        by_identity: dict[tuple[Any, ...], set[tuple[dt.date, dt.date]]] = defaultdict(set)
        for cell in cells:
            start, end = cell[5], cell[6]
            territories[cell[0], start, end].add(self.meta[cell].territory)
            if end is not None:
                periods_of[cell[0]].add((start, end))
                by_identity[cell[:5]].add((start, end))
        for identity in by_identity:
            indicator = identity[0]
            combine = _combine(self.definitions.get(indicator), "over_time")
            if combine is None:
                continue
            known = sorted(periods_of[indicator])
            for whole in sorted(by_identity[identity]):
                for chain in _partitions(whole, known):
                    territory = self._territory(identity)
                    if any(
                        territory is not None
                        and territory not in territories[indicator, start, end]
                        for start, end in chain
                    ):
                        continue  # a restricted table: its absent cells are not zeros
                    whole_cell: CellId = (*identity, *whole)
                    part_cells: list[CellId] = [(*identity, *period) for period in chain]
                    present = [cell for cell in part_cells if cell in self.meta]
                    source = (
                        f"{cell_label(whole_cell)} and "
                        f"{' + '.join(period_label(*period) for period in chain)} "
                        f"[{self._tables([whole_cell, *present])}]"
                    )
                    for part in self._parts(whole_cell):
                        self.relate(
                            self.quantity(whole_cell, part),
                            [self.quantity(cell, part) for cell in present],
                            combine,
                            source,
                            complete=True,
                            over_time=True,
                            cells=(whole_cell, *present),
                        )

    def _territory(self, identity: tuple[Any, ...]) -> str | None:
        """The territory whose rows a period must hold for an absent cell to be zero."""
        level = identity[1]
        if level == "national":
            return None
        if self._territories is None:
            # Built once: looked up for every identity, a scan each time was quadratic.
            self._territories = {}
            for cell, meta in self.meta.items():
                self._territories.setdefault(cell[:5], meta.territory)
        return self._territories.get(identity)

    def _shares(self, cells: Sequence[CellId]) -> None:
        categories: dict[tuple[Any, ...], list[CellId]] = defaultdict(list)
        present: set[tuple[Any, ...]] = set()
        for cell in cells:
            present.add((cell[0], cell[1], cell[2], cell[5], cell[6]))
            if cell[3] is not None:
                categories[cell[0], cell[1], cell[2], cell[3], cell[5], cell[6]].append(cell)
        for cell in cells:
            definition = self.definitions.get(cell[0])
            link = definition.share_of if definition is not None else None
            if link is None or cell[3] is not None or self.kinds.get(cell[0]) != "ratio":
                continue
            _, level, entity, _, _, start, end = cell
            base = link.indicator
            if (base, level, entity, start, end) not in present:
                continue
            dimension = _text(link.dimension)
            breakdown = categories.get((base, level, entity, dimension, start, end), [])
            combine = _combine(self.definitions.get(base), "over_territory")
            label = cell_label(cell)
            tables = self._tables([cell, *breakdown])
            for part, chosen in (
                ("numerator", link.numerator),
                ("denominator", link.denominator),
            ):
                inside = [c for c in breakdown if c[4] in chosen]
                self.relate(
                    self.quantity(cell, part),  # type: ignore[arg-type]
                    [self.quantity(c, "persons") for c in inside],
                    combine,
                    f"{label}: {part} and {base} by {dimension} [{tables}]",
                    complete=True,
                    cells=(cell, *inside),
                )
            total: CellId = (base, level, entity, None, None, start, end)
            left_out = [c for c in breakdown if c[4] not in link.denominator]
            self.relate(
                self.quantity(total, "persons"),
                [
                    self.quantity(cell, "denominator"),
                    *(self.quantity(c, "persons") for c in left_out),
                ],
                combine,
                f"{label}: denominator and {base} total [{self._tables([cell, total])}]",
                complete=True,
                cells=(total, cell, *left_out),
            )

    def _per_capita(self, cells: Sequence[CellId]) -> None:
        if self.geography is None:
            return
        places: dict[tuple[str, dt.date, dt.date | None], dict[str, int]] = defaultdict(dict)
        for cell in cells:
            if self.kinds.get(cell[0]) != "per_capita" or cell[1] not in ("contract", "territory"):
                continue
            territory = self.meta[cell].territory
            population = self._population(territory)
            if population:
                places[cell[0], cell[5], cell[6]][territory] = population
        for cell in cells:
            if self.kinds.get(cell[0]) != "per_capita" or cell[3] is not None:
                continue
            known = self.published.get(cell)
            if known is None or known[0] is None:
                continue
            when: Literal["always", "assumed"] = "always"
            if cell[1] == "national":
                # The population in scope is that of the contracts' territories, each once,
                # which a commune inside an EPCI of the table would count twice: not used.
                # The national persons are those of the national count, most often published.
                continue
            population = self._population(self.meta[cell].territory) or 0
            if not population:
                continue
            value = known[0]
            half = Fraction(5, 10 ** (1 - min(0, _exponent(value))))
            persons = self.quantity(cell, "persons")
            source = (
                f"{cell_label(cell)} = {value} per 10,000 of {population} inhabitants "
                f"[{', '.join(self.published_in[cell])}]"
            )
            scale = Fraction(population) / _TEN_THOUSAND
            low = (Fraction(value) - half) * scale
            high = (Fraction(value) + half) * scale
            self.add([(persons, 1)], ">=", source, bound=low, when=when)
            self.add([(persons, 1)], "<=", source, bound=high, when=when)

    def _population(self, territory: str) -> int | None:
        assert self.geography is not None
        found = self.geography.lookup(territory)
        return None if found is None else found.population

    def _label(self, cell: CellId, parts: Sequence[tuple[Part, Quantity | Fraction]]) -> None:
        status = self.hidden_status[cell]
        source = f"label '{status}' of {cell_label(cell)}"
        variables = {part: q for part, q in parts if isinstance(q, tuple)}
        small = self.threshold - 1
        if status == "primary":
            if "persons" in variables:
                self.system.variable(variables["persons"], low=1, high=small)
            if "numerator" in variables:
                self.system.variable(variables["numerator"], high=small)
            if "denominator" in variables:
                self.system.variable(variables["denominator"], low=1)
        elif status == "secondary" and self.threshold > 1:
            for quantity in variables.values():
                self.system.exclude(quantity, 0, self.threshold, source=source)

    def _tables(self, cells: Iterable[CellId]) -> str:
        names: dict[str, None] = {}
        for cell in cells:
            names.update(dict.fromkeys(self.tables_of.get(cell, ())))
        return ", ".join(names)


def exposure(
    part: str,
    found: Interval,
    parts: Sequence[tuple[str, Any]],
    intervals: Mapping[Any, Interval],
    threshold: int,
) -> Literal["unsettled", "small", "exact"] | None:
    """The exposure rule for one count of a hidden cell: why it exposes the cell, or None.

    A count known to lie in ``[1, threshold - 1]`` exposes the cell (``small``), and so
    does a count the solver could not settle (``unsettled``). A count known exactly exposes
    it (``exact``), except a share's denominator (most often a published total: the share
    is not recovered without its numerator) and a share's numerator known to be zero while
    its denominator may be zero too (the share may be undefined: it is not recovered).
    """
    if not found.settled:
        return "unsettled"
    if found.small(threshold):
        return "small"
    if not found.single or found.witnessed or part == "denominator":
        return None
    if part == "numerator" and found.low == 0:
        denominator = dict(parts).get("denominator")
        below = intervals.get(denominator) if isinstance(denominator, tuple) else None
        if below is not None and below.low == 0:
            return None
    return "exact"


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _partitions(
    whole: tuple[dt.date, dt.date], known: Sequence[tuple[dt.date, dt.date]]
) -> Iterator[list[tuple[dt.date, dt.date]]]:
    """Every chain of known periods, other than ``whole``, that partitions ``whole``.

    Depth-first from the start of ``whole``: each step takes a known period starting the day
    after the last one ends, inside ``whole``. At most 64 chains, in date order.
    """
    start, end = whole
    found = 0
    stack: list[tuple[dt.date, list[tuple[dt.date, dt.date]]]] = [(start, [])]
    while stack and found < 64:
        day, chain = stack.pop()
        for period in sorted(known, reverse=True):
            if period[0] != day or period[1] > end or period == whole:
                continue
            extended = [*chain, period]
            if period[1] == end:
                found += 1
                yield extended
            else:
                stack.append((period[1] + dt.timedelta(days=1), extended))


def attack(
    tables: Sequence[tuple[str, Any]],
    definitions: Mapping[str, Indicator],
    *,
    threshold: int,
    labels: bool = False,
    equalities: bool | None = None,
    geography: Gazetteer | None = None,
    truth: Mapping[CellId, tuple[int, ...]] | None = None,
) -> Attack:
    """Build the attacker's system from published tables (see the module documentation).

    Args:
        tables: ``(name, table)`` pairs; a table has ``rows`` shaped like
            :class:`~territoires.indicators.IndicatorRow`.
        definitions: The indicators' definitions by name; names not in it are unknown.
        threshold: The threshold the labels are read with.
        labels: Whether the attacker reads "primary" and "secondary" labels.
        equalities: True to assert, None to assume, False to leave out the equalities
            "the whole is the sum of its parts" of distinct counts and of sums over time.
        geography: Where the populations of rates per 10,000 come from (None: no population
            known, so such rates tell nothing).
        truth: The true counts of the cells (what the publisher knows): an equality that
            would be assumed is then asserted where it holds and left out where it does not,
            which is what an attacker who always guesses right knows. The protector audits
            its patterns against that attacker.

    Raises:
        InvalidValueError: a cell is published with two values (a revision).
        Inconsistent: published values contradict a relation that always holds.
    """
    builder = _Builder(
        tables,
        definitions,
        threshold=threshold,
        labels=labels,
        equalities=equalities,
        geography=geography,
        truth=truth,
    )
    return builder.build()
