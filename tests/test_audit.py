"""The auditor against an attacker written here, independently: exhaustive search, no solver.

:func:`territoires.disclosure.audit` builds the attacker's linear programme from published
rows and solves it with HiGHS. The attacker of this module knows the same facts, written
down again from the documentation of disclosure control (what each relation tells), and
finds every hidden count's interval by exhaustive search over whole numbers: constraint
propagation on bounds, then trying values one by one, with no linear programming. The
properties: on random small tables and random suppression patterns, the auditor's exact
intervals are the attacker's, and its verdicts (exposed or not) are those of the exposure
rule applied to the attacker's intervals.

The tables: one territory, one contract of two or three actions, one indicator broken down
by sex into two or three categories, at every level, for the year alone or for the year and
its two semesters. Two indicators: ``reported_beneficiaries`` (a sum: exact over territory
and breakdowns, the year at least the sum of its semesters) and ``beneficiaries`` (a
distinct count: every whole between its largest part and the sum of its parts). The true
counts make every equality hold, as they do when no person is in two places at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from territoires import Period, _audit, _linked
from territoires._audit import LARGE_COUNT
from territoires.disclosure import CellStatus, audit
from territoires.exceptions import InconsistentError
from territoires.indicators import IndicatorRow, IndicatorTable, Level
from territoires.measures import Dimension, Unit
from territoires.plugins import get_plugin_manager

BUILTINS = get_plugin_manager(autoload=False)
TERRITORY = "200040715"
SEXES = ("female", "male", "unspecified")
YEAR, S1, S2 = Period.year(2022), Period.semester(2022, 1), Period.semester(2022, 2)

# A cell: (level, entity, category or None for the total, period).
Cell = tuple[str, str, str | None, Period]


# -- the world ----------------------------------------------------------------------------------


@attrs.frozen
class World:
    """Small tables: their true counts, which cells are hidden, and how relations bind."""

    indicator: str  # reported_beneficiaries (sum) or beneficiaries (distinct count)
    actions: tuple[str, ...]
    sexes: tuple[str, ...]
    periods: tuple[Period, ...]
    national: bool
    base: Mapping[tuple[str, str, Period], int]  # action, sex, semester (or year) -> persons
    hidden: frozenset[Cell]
    threshold: int

    @property
    def additive(self) -> bool:
        """Whether the indicator is a sum (else a distinct count)."""
        return self.indicator == "reported_beneficiaries"

    def levels(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """Every (level, entity, actions under it), from the actions up."""
        for action in self.actions:
            yield "action", action, (action,)
        yield "contract", "c1", self.actions
        yield "territory", TERRITORY, self.actions
        if self.national:
            yield "national", "FR", self.actions

    def cells(self) -> list[Cell]:
        """Every cell of the tables, in a fixed order."""
        return [
            (level, entity, category, period)
            for period in self.periods
            for level, entity, _ in self.levels()
            for category in (None, *self.sexes)
        ]

    def value(self, cell: Cell) -> int:
        """The true count of a cell (every relation holds as an equality)."""
        level, entity, category, period = cell
        under = next(
            actions for lvl, ent, actions in self.levels() if (lvl, ent) == (level, entity)
        )
        semesters = (S1, S2) if period == YEAR and S1 in self.periods else (period,)
        return sum(
            self.base[action, sex, semester]
            for action in under
            for sex in (self.sexes if category is None else (category,))
            for semester in semesters
        )

    def tables(self) -> dict[str, IndicatorTable]:
        """The published tables, one per period, as files give them back (no labels)."""
        found: dict[str, list[IndicatorRow]] = {str(period): [] for period in self.periods}
        for cell in self.cells():
            level, entity, category, period = cell
            hidden = cell in self.hidden
            found[str(period)].append(
                IndicatorRow(
                    indicator=self.indicator,
                    level=Level.from_value(level),
                    territory="FR" if level == "national" else TERRITORY,
                    contract="c1" if level in ("action", "contract") else None,
                    action=entity if level == "action" else None,
                    period=period,
                    dimension=None if category is None else Dimension.SEX,
                    category=category,
                    value=None if hidden else Decimal(self.value(cell)),
                    unit=Unit.PERSONS,
                    status=CellStatus.SUPPRESSED if hidden else CellStatus.PUBLISHED,
                )
            )
        return {
            name: IndicatorTable(
                rows=tuple(rows), period=rows[0].period, threshold=self.threshold, indicators={}
            )
            for name, rows in found.items()
        }


@st.composite
def worlds(draw: st.DrawFn, *, national: bool) -> World:
    """Random small tables and a random suppression pattern of one to five cells."""
    indicator = draw(st.sampled_from(["reported_beneficiaries", "beneficiaries"]))
    actions = tuple(f"a{n}" for n in range(1, draw(st.integers(2, 3)) + 1))
    sexes = SEXES[: draw(st.integers(2, 3))]
    periods = (YEAR, S1, S2) if draw(st.booleans()) else (YEAR,)
    semesters = (S1, S2) if len(periods) == 3 else (YEAR,)
    base = {key: draw(st.integers(0, 6)) for key in itertools.product(actions, sexes, semesters)}
    world = World(indicator, actions, sexes, periods, national, base, frozenset(), 0)
    hidden = draw(st.sets(st.sampled_from(world.cells()), min_size=1, max_size=4))
    if draw(st.booleans()):
        # Each table protected on its own, the old way: no relation within a period with
        # exactly one hidden cell. What gives a cell away is then across periods, if anything.
        while lonely := [
            cells
            for whole, parts, over_time in relations(world)
            if not over_time and len(hidden & (cells := {whole, *parts})) == 1
        ]:
            cells = lonely[0]
            hidden.add(draw(st.sampled_from(sorted(cells - hidden, key=str))))
    threshold = draw(st.sampled_from([3, 5, 8]))
    return attrs.evolve(world, hidden=frozenset(hidden), threshold=threshold)


# -- the attacker -------------------------------------------------------------------------------

# sum(coefficient * count) + constant <sense> 0, the counts named by their cell.
Constraint = tuple[tuple[tuple[Cell, int], ...], int, str]


def knowledge(world: World, *, equalities: bool) -> list[Constraint]:
    """What the attacker knows, relation by relation, published counts as constants.

    With ``equalities``, every whole is the sum of its parts. Without, what always holds:
    a sum is the sum of its parts over territory and breakdowns and at least the sum of its
    parts over time; a distinct count lies between its largest part and the sum of its parts.
    """
    found: list[Constraint] = []
    for whole, parts, over_time in relations(world):
        difference = [(whole, 1), *((part, -1) for part in parts)]
        if equalities or (world.additive and not over_time):
            found.append(_constraint(world, difference, "=="))
        elif world.additive:
            found.append(_constraint(world, difference, ">="))
        else:
            found.append(_constraint(world, difference, "<="))
            found += [_constraint(world, [(whole, 1), (part, -1)], ">=") for part in parts]
    return found


def relations(world: World) -> list[tuple[Cell, list[Cell], bool]]:
    """Every whole with its parts, and whether they are periods (else places or categories)."""
    relations: list[tuple[Cell, list[Cell], bool]] = []
    for period in world.periods:
        for level, entity, _ in world.levels():
            total: Cell = (level, entity, None, period)
            relations.append((total, [(level, entity, sex, period) for sex in world.sexes], False))
        for category in (None, *world.sexes):
            for child, parent in _parents(world):
                parts = [
                    (child_level, child_entity, category, period)
                    for child_level, child_entity in child
                ]
                relations.append(((*parent, category, period), parts, False))
    if len(world.periods) == 3:
        for level, entity, _ in world.levels():
            for category in (None, *world.sexes):
                parts = [(level, entity, category, half) for half in (S1, S2)]
                relations.append(((level, entity, category, YEAR), parts, True))
    return relations


def _parents(world: World) -> Iterator[tuple[list[tuple[str, str]], tuple[str, str]]]:
    """Each parent with its children: actions → contract → territory (→ national)."""
    yield [("action", action) for action in world.actions], ("contract", "c1")
    yield [("contract", "c1")], ("territory", TERRITORY)
    if world.national:
        yield [("territory", TERRITORY)], ("national", "FR")


def _constraint(world: World, terms: Sequence[tuple[Cell, int]], sense: str) -> Constraint:
    """Move the published counts of ``terms`` to the constant."""
    constant = sum(factor * world.value(cell) for cell, factor in terms if cell not in world.hidden)
    variables = tuple((cell, factor) for cell, factor in terms if cell in world.hidden)
    return variables, constant, sense


Domains = dict[Cell, tuple[int, int]]


def _propagate(constraints: Sequence[Constraint], domains: Domains) -> bool:
    """Narrow every domain to what each constraint allows, until nothing changes; False if empty.

    Every coefficient is 1 or -1: ``factor * x + rest <sense> 0`` bounds ``x`` by the range
    of the rest.
    """
    changed = True
    while changed:
        changed = False
        for terms, constant, sense in constraints:
            for cell, factor in terms:
                rest = [(c, f) for c, f in terms if c != cell]
                rest_low = constant + sum(
                    domains[c][0] if f > 0 else -domains[c][1] for c, f in rest
                )
                rest_high = constant + sum(
                    domains[c][1] if f > 0 else -domains[c][0] for c, f in rest
                )
                # factor * x lies within [at_least, at_most]
                at_least = -rest_high if sense in ("==", ">=") else None
                at_most = -rest_low if sense in ("==", "<=") else None
                if factor < 0:
                    at_least, at_most = (
                        None if at_most is None else -at_most,
                        None if at_least is None else -at_least,
                    )
                low, high = domains[cell]
                new = (
                    low if at_least is None else max(low, at_least),
                    high if at_most is None else min(high, at_most),
                )
                if new[0] > new[1]:
                    return False
                if new != (low, high):
                    domains[cell] = new
                    changed = True
    return True


def _holds(total: int, sense: str) -> bool:
    return total == 0 if sense == "==" else total >= 0 if sense == ">=" else total <= 0


def _feasible(constraints: Sequence[Constraint], domains: Domains) -> bool:
    """Whether whole numbers within ``domains`` satisfy every constraint: search them all."""
    domains = dict(domains)
    if not _propagate(constraints, domains):
        return False
    open_ = [cell for cell, (low, high) in domains.items() if low < high]
    if not open_:
        return all(
            _holds(constant + sum(f * domains[c][0] for c, f in terms), sense)
            for terms, constant, sense in constraints
        )
    cell = min(open_, key=lambda c: domains[c][1] - domains[c][0])
    low, high = domains[cell]
    return any(
        _feasible(constraints, {**domains, cell: (value, value)}) for value in range(low, high + 1)
    )


def brute_force(world: World, *, equalities: bool) -> dict[Cell, tuple[int, int | None]]:
    """Each hidden cell's interval, by exhaustive search; None above: nothing bounds it.

    A bounded count is at most the sum of every published count (each relation bounds a
    whole by its parts or a part by its whole), so a count that can reach that sum plus one,
    ``ceiling``, is unbounded. The search needs finite domains: every count within
    ``[0, (hidden + 1) * ceiling]``, room enough for the other counts to follow one that
    reaches the ceiling.
    """
    constraints = knowledge(world, equalities=equalities)
    ceiling = sum(world.value(cell) for cell in world.cells() if cell not in world.hidden) + 1
    room = (len(world.hidden) + 1) * ceiling
    domains: Domains = dict.fromkeys(sorted(world.hidden, key=str), (0, room))
    assert _propagate(constraints, domains), "the true counts satisfy every constraint"
    found: dict[Cell, tuple[int, int | None]] = {}
    for cell, (low, high) in domains.items():
        while not _feasible(constraints, {**domains, cell: (low, low)}):
            low += 1
        if high >= ceiling and _feasible(constraints, {**domains, cell: (ceiling, high)}):
            found[cell] = (low, None)
            continue
        high = min(high, ceiling - 1)
        while not _feasible(constraints, {**domains, cell: (high, high)}):
            high -= 1
        found[cell] = (low, high)
    return found


def exposed(interval: tuple[int, int | None], threshold: int) -> bool:
    """The exposure rule: known exactly, or known to lie in [1, threshold - 1]."""
    low, high = interval
    return high == low or (low >= 1 and high is not None and high <= threshold - 1)


# -- the properties -----------------------------------------------------------------------------


def audited(world: World, *, equalities: bool | None, exact: bool) -> dict[Cell, Any]:
    """The auditor's report on the world's tables, by cell."""
    report = audit(
        world.tables(),
        threshold=world.threshold,
        plugins=BUILTINS,
        equalities=equalities,
        exact=exact,
    )
    found = {}
    for cell in report.hidden:
        entity = {
            "action": cell.action,
            "contract": cell.contract,
            "territory": cell.territory,
            "national": "FR",
        }[cell.level]
        found[cell.level, entity, cell.category, cell.period] = cell
    assert set(found) == set(world.hidden)
    return found


def _check(world: World, *, equalities: bool | None) -> None:
    truth = brute_force(world, equalities=equalities is not False)
    for cell, audit_cell in audited(world, equalities=equalities, exact=True).items():
        (count,) = audit_cell.counts
        if count.exact:
            assert (count.low, count.high) == truth[cell], cell
        else:  # a bound the work limit left: it must contain the true interval
            low, high = truth[cell]
            assert count.low <= low
            assert count.high is None or (high is not None and high <= count.high)
        assert audit_cell.exposed == exposed(truth[cell], world.threshold), cell
    verdicts = audited(world, equalities=equalities, exact=False)
    assert {cell for cell, found in verdicts.items() if found.exposed} == {
        cell for cell, interval in truth.items() if exposed(interval, world.threshold)
    }


@given(worlds(national=True))
def test_the_auditor_finds_what_an_exhaustive_attacker_finds(world: World) -> None:
    """Exact intervals and verdicts equal an exhaustive search's, the equalities assumed."""
    _check(world, equalities=None)


@given(worlds(national=False))
def test_without_equalities_the_auditor_finds_what_the_inequalities_allow(world: World) -> None:
    """With only the relations that always hold, intervals and verdicts are the search's."""
    _check(world, equalities=False)


# -- examples ------------------------------------------------------------------------------------


def rows(*cells: tuple[str, str | None, int | str | None], period: Period = YEAR) -> IndicatorTable:
    """A table of action a1: (indicator, sex or None, persons, a percent, or a status)."""
    found = []
    for indicator, sex, value in cells:
        status = CellStatus.from_value(value) if isinstance(value, str) else CellStatus.PUBLISHED
        found.append(
            IndicatorRow(
                indicator=indicator,
                level=Level.ACTION,
                territory=TERRITORY,
                contract="c1",
                action="a1",
                period=period,
                dimension=None if sex is None else Dimension.SEX,
                category=sex,
                value=None if isinstance(value, str) else Decimal(value),
                unit=Unit.PERCENT if indicator == "share_women" else Unit.PERSONS,
                status=status,
            )
        )
    return IndicatorTable(rows=tuple(found), period=period, threshold=11, indicators={})


def by_label(report: Any) -> dict[str, Any]:
    """The report's hidden cells by label."""
    return {cell.label: cell for cell in report.hidden}


def test_the_year_minus_the_second_semester_gives_the_first_back() -> None:
    """The issue's case: 25 in 2022, S1 suppressed, 20 in S2: S1 = 5, exposed, by that relation."""
    tables = {
        "2022.csv": rows(("reported_beneficiaries", None, 25)),
        "2022-S1.csv": rows(("reported_beneficiaries", None, "suppressed"), period=S1),
        "2022-S2.csv": rows(("reported_beneficiaries", None, 20), period=S2),
    }
    report = audit(tables, plugins=BUILTINS, exact=True)
    (cell,) = report.hidden
    assert cell.label == "reported_beneficiaries action a1 2022-S1"
    assert [(count.low, count.high, count.exact) for count in cell.counts] == [(5, 5, True)]
    assert [exposure.value for exposure in cell.exposures] == ["exact", "small"]
    assert cell.sources == (
        "reported_beneficiaries action a1 2022 and 2022-S1 + 2022-S2 "
        "[2022.csv, 2022-S1.csv, 2022-S2.csv]",
    )
    # Successive reports add up, but one spanning both semesters counts in the year only:
    # without the equality, S1 is anywhere in [0, 5], which still tells it is small or zero.
    (cautious,) = audit(tables, plugins=BUILTINS, equalities=False, exact=True).hidden
    assert (cautious.counts[0].low, cautious.counts[0].high) == (0, 5)
    assert not cautious.exposed


def test_a_share_whose_denominator_is_a_published_total_is_not_exposed_by_it() -> None:
    """A hidden share whose denominator is known (40 of known sex) but not its numerator.

    Women and men are hidden: the numerator is anywhere in [0, 40], the share protected.
    """
    report = audit(
        {
            "2022.csv": rows(
                ("beneficiaries", None, 40),
                ("beneficiaries", "female", "suppressed"),
                ("beneficiaries", "male", "suppressed"),
                ("beneficiaries", "unspecified", 0),
                ("share_women", None, "suppressed"),
            )
        },
        plugins=BUILTINS,
        exact=True,
    )
    share = by_label(report)["share_women action a1 2022"]
    assert [(c.count, c.low, c.high) for c in share.counts] == [
        ("numerator", 0, 40),
        ("denominator", 40, 40),
    ]
    assert report.protected


def test_a_share_whose_numerator_is_known_to_be_small_is_exposed() -> None:
    """The same share, women labelled primary (1 to 10) and read so: its numerator is small."""
    report = audit(
        {
            "2022.csv": rows(
                ("beneficiaries", None, 40),
                ("beneficiaries", "female", "primary"),
                ("beneficiaries", "male", "secondary"),
                ("beneficiaries", "unspecified", 0),
                ("share_women", None, "primary"),
            )
        },
        plugins=BUILTINS,
        labels=True,
        exact=True,
    )
    share = by_label(report)["share_women action a1 2022"]
    assert [(c.count, c.low, c.high) for c in share.counts] == [
        ("numerator", 1, 10),
        ("denominator", 40, 40),
    ]
    assert [exposure.value for exposure in share.exposures] == ["small"]


def test_a_revision_is_audited_as_another_state_of_the_data() -> None:
    """A year revised from 25 to 27 is no contradiction: each state is audited with its own."""
    earlier = [
        ("S1", rows(("reported_beneficiaries", None, "suppressed"), period=S1)),
        ("S2", rows(("reported_beneficiaries", None, 20), period=S2)),
        ("year", rows(("reported_beneficiaries", None, 25))),
    ]
    revised = {"year revised": rows(("reported_beneficiaries", None, 27))}
    with pytest.raises(ValueError, match="25 in year, 27 in year revised"):
        audit({**dict(earlier), **revised}, plugins=BUILTINS)
    report = audit(revised, earlier=earlier, plugins=BUILTINS, exact=True)
    assert report.states == (("S1", "S2", "year revised"), ("year",))
    (cell,) = report.hidden
    # The newest state first: 27 - 20.
    assert (cell.counts[0].low, cell.counts[0].high) == (7, 7)
    assert cell.tables == ("S1",)


# -- the protector's audit, which knows the true counts -----------------------------------------


def protector_exposed(world: World) -> set[Cell]:
    """The hidden cells the protector's audit finds exposed, knowing the true counts.

    The protector searches for whole-number solutions near the true counts as well as over
    the whole system (``territoires._audit``); whatever it finds, its verdicts must be the
    exhaustive attacker's, the equalities that hold in truth given to the attacker.
    """
    rows = [row for table in world.tables().values() for row in table.rows]
    cells = {}
    truth = {}
    for row in rows:
        entity = {
            "action": row.action,
            "contract": row.contract,
            "territory": row.territory,
            "national": "FR",
        }[row.level.value]
        cell: Cell = (row.level.value, entity, row.category, row.period)
        cells[_linked.cell_id(row)] = cell
        truth[_linked.cell_id(row)] = (world.value(cell),)
    pattern = _linked.audit_pattern(
        rows,
        _linked.Prior(),
        BUILTINS.indicators,
        threshold=world.threshold,
        truth=truth,
        geography=None,
    )
    return {cells[found] for found in pattern.exposed}


@given(worlds(national=True))
def test_the_protectors_verdicts_are_the_exhaustive_attackers(world: World) -> None:
    """Small counts: the verdicts of the audit that knows the truth are the search's."""
    truth = brute_force(world, equalities=True)
    assert protector_exposed(world) == {
        cell for cell, interval in truth.items() if exposed(interval, world.threshold)
    }


@given(worlds(national=False))
def test_the_protectors_verdicts_on_large_counts_are_the_exhaustive_attackers(
    world: World,
) -> None:
    """Counts of LARGE_COUNT or more (searched near the truth only): still the search's."""
    large = {key: LARGE_COUNT + value for key, value in world.base.items()}
    world = attrs.evolve(world, base=large)
    truth = brute_force(world, equalities=True)
    assert protector_exposed(world) == {
        cell for cell, interval in truth.items() if exposed(interval, world.threshold)
    }


@given(worlds(national=False))
def test_when_the_relaxation_cannot_be_solved_the_verdicts_still_hold(world: World) -> None:
    """No relaxation solved (HiGHS in numerical trouble): the search's verdicts all the same.

    The audit then falls back on the integer programme's bounds and never crashes.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_audit._Model, "_solve", lambda *_, **__: _audit._UNKNOWN)
        _check(world, equalities=None)


def test_tables_that_contradict_a_relation_are_refused_with_a_public_error() -> None:
    """A breakdown that does not add up to its published total: not one dataset."""
    table = rows(
        ("reported_beneficiaries", None, 10),
        ("reported_beneficiaries", "female", 3),
        ("reported_beneficiaries", "male", 4),
    )
    with pytest.raises(InconsistentError) as caught:
        audit({"2022": table}, plugins=BUILTINS, threshold=11)
    assert isinstance(caught.value, ValueError)
    assert any("reported_beneficiaries" in source for source in caught.value.sources)
    assert "contradict" in str(caught.value)
