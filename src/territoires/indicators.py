"""Indicators at action, contract, territory and national level, protected before publication.

:func:`compute_indicators` runs each registered indicator's calculator on whole tables (the
rows of one action, or of one contract), merges the partial aggregates up the hierarchy
(action → contract → territory → national) and down to each dimension's breakdown, and
applies disclosure control to every cell that counts persons before any value leaves: counts
below the threshold are suppressed, and so are the cells that would let a suppressed one be
recomputed from its row, its breakdown or the level above (see :mod:`territoires.disclosure`).

Breakdowns are published one dimension at a time (by sex, by age band…, each with the total),
never crossed: crossing dimensions multiplies small cells.

Example:
    >>> import territoires
    >>> from territoires.plugins import get_plugin_manager
    >>> table = compute_indicators(
    ...     territoires.demo.build(participations=2_000), period="2021",
    ...     level="national", plugins=get_plugin_manager(autoload=False))
    >>> row = table.get("beneficiaries", level="national")
    >>> row.status.value, row.value > 100
    ('published', True)

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from territoires import _linked as linking
from territoires._attack import CellId, period_label
from territoires._audit import solver_version
from territoires._bulk import paused_gc
from territoires._enum import LabelledEnum
from territoires._linked import LedgerLike, Withheld
from territoires._validate import (
    OFFICIAL_GEOGRAPHY,
    _Official,
    count_errors,
    resolve_geography,
)
from territoires.disclosure import (
    DEFAULT_THRESHOLD,
    AuditReport,
    Cell,
    CellStatus,
    Group,
    _report,
    protect,
)
from territoires.exceptions import (
    FormatError,
    InvalidArgumentError,
    InvalidValueError,
    PluginError,
    RowLookupError,
    UnknownIndicatorError,
    did_you_mean,
)
from territoires.measures import (
    Dimension,
    Granularity,
    Indicator,
    IndicatorInput,
    Unit,
    merge_all,
    person_counts,
)
from territoires.model._validators import DATASET_EXPECTED, check_instance
from territoires.model.columns import Participations
from territoires.model.contract import Action, Contract, Target
from territoires.model.dataset import Dataset, Gazetteer
from territoires.model.enums import TargetKind
from territoires.model.period import Period
from territoires.model.person import ActionReport
from territoires.overview import TerritoryScope
from territoires.plugins import PluginManager, default_plugin_manager

__all__ = [
    "IndicatorRow",
    "IndicatorTable",
    "Level",
    "check_territories",
    "compute_indicators",
    "default_period",
    "parse_period",
    "since_start",
]

NATIONAL = "FR"
"""The territory column of national rows: every contract in scope."""


class Level(LabelledEnum):
    """Where a value is computed: an action, a contract, a territory, or everything in scope."""

    ACTION = ("action", "action", "action")
    CONTRACT = ("contract", "contrat", "contract")
    TERRITORY = ("territory", "territoire", "territory")
    NATIONAL = ("national", "national", "national")


_PERIOD_YEAR = re.compile(r"(\d{4})", re.ASCII)
_PERIOD_SEMESTER = re.compile(r"(\d{4})-S([12])", re.ASCII | re.IGNORECASE)
_PERIOD_RANGE = re.compile(r"(.+)\.\.(.+)")


def _day(text: str) -> dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise FormatError(f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)") from None


def default_period(today: dt.date | None = None) -> Period:
    """Return the period used when none is named: the last full calendar year.

    Example:
        >>> str(default_period(dt.date(2022, 3, 1)))
        '2021-01-01..2021-12-31'

    .. versionadded:: 0.1
    """
    return Period.year((today or dt.date.today()).year - 1)


_E = TypeVar("_E", bound=LabelledEnum)


def _choice(enum_type: type[_E], value: str, argument: str) -> _E:
    """The member of ``enum_type`` that an argument names, or an error naming the argument."""
    try:
        return enum_type.from_value(value)
    except ValueError:
        values = enum_type.values()
        raise InvalidArgumentError(
            argument, value, f"one of {', '.join(values)}", hint=did_you_mean(value, values)
        ) from None


def parse_period(text: str | int | Period | None) -> Period:
    """Return the period a text names: ``2021``, ``2021-S1``, ``2021-01-01..2021-06-30``.

    A whole number is a calendar year; None is :func:`default_period`. This is the grammar
    of ``--period`` on the command line.

    Example:
        >>> str(parse_period("2021-S2")), str(parse_period("01/01/2021..31/03/2021"))
        ('2021-07-01..2021-12-31', '2021-01-01..2021-03-31')

    Raises:
        FormatError: the text names no period.
    """
    if isinstance(text, Period):
        return text
    if text is None:
        return default_period()
    if isinstance(text, int) and not isinstance(text, bool):
        text = f"{text:04d}" if text >= 0 else str(text)
    if not isinstance(text, str):
        raise FormatError(f"{text!r} is not a period: give a text such as '2021' or '2021-S1'")
    value = text.strip()
    try:
        if match := _PERIOD_YEAR.fullmatch(value):
            return Period.year(int(match.group(1)))
        if match := _PERIOD_SEMESTER.fullmatch(value):
            return Period.semester(int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise FormatError(f"{text!r} is not a period: year out of range") from None
    if match := _PERIOD_RANGE.fullmatch(value):
        start, end = _day(match.group(1)), _day(match.group(2))
        if end < start:
            raise FormatError(f"period {text!r} ends before it starts")
        return Period(start, end)
    raise FormatError(
        f"{text!r} is not a period: use a year (2021), a semester (2021-S1) or a range "
        "(2021-01-01..2021-06-30)"
    )


def since_start(dataset: Dataset, end: dt.date | Period | str | int) -> Period:
    """Return the period from the earliest start of a contract of ``dataset`` to ``end``.

    The values of such a period are cumulative since the contracts began: the period a target
    of a whole action or contract is compared with (see :func:`compute_indicators`).
    ``territoires indicators --cumulative`` uses it.

    Args:
        dataset: The data; its contracts' starts (as signed: avenants prolong, never start
            earlier).
        end: The last day, or a period (its end is taken), or a text :func:`parse_period`
            reads (``2021`` ends on 31 December 2021).

    Example:
        >>> import territoires
        >>> str(since_start(territoires.demo.build(participations=0), "2021"))
        '2019-06-12..2021-12-31'

    Raises:
        InvalidValueError: the dataset has no contract, or ``end`` is before every start.
        FormatError: ``end`` is a text that names no period.
        WrongTypeError: ``dataset`` is not a :class:`~territoires.Dataset`.

    .. versionadded:: 0.2
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    last = end if isinstance(end, dt.date) else parse_period(end).end
    if last is None:
        raise InvalidValueError("end", end, "a period with an end date")
    starts = [contract.period.start for contract in dataset.contracts]
    if not starts:
        raise InvalidValueError("dataset", "no contract", "a dataset with at least one contract")
    first = min(starts)
    if last < first:
        raise InvalidValueError(
            "end", last.isoformat(), f"a date on or after the first contract's start ({first})"
        )
    return Period(first, last)


@attrs.frozen(kw_only=True)
class IndicatorRow:
    """One cell of an indicator table.

    Attributes:
        indicator: Name of the indicator.
        level: Action, contract, territory or national.
        territory: Reference of the territory (``FR`` at national level).
        contract: Id of the contract, at action and contract level.
        action: Id of the action, at action level.
        period: The period of the value.
        dimension: The dimension of a breakdown, or None for the total.
        category: The value of that dimension (``female``, ``18-25``…), None for the total.
        value: The value, None when suppressed or undefined.
        unit: Unit of the value (a percent is 0–100).
        target: The target compared with this row, if any (see :func:`compute_indicators`):
            a target of the action on an action's total, of the contract on a contract's.
        target_kind: What that target is for (:class:`~territoires.TargetKind`): the period,
            the whole action or the whole contract; None without a target.
        achievement: Value over target, as a fraction, when both are known and compare like
            with like: a target of the whole action (or contract) only when the period starts
            on or before the action's (or contract's) start, so that the value is cumulative
            from that start to the end of the period; None otherwise.
        status: Published, suppressed (primary or secondary) or undefined.
        counts: The persons behind the value, as disclosure control sees them: ``(n,)`` for
            a count of persons, ``(numerator, denominator)`` for a share or a rate, ``()``
            for a value that counts no persons. Known to the engine's table only (audits,
            the publication ledger): never published, not compared, not read back.

    .. versionadded:: 0.1
    """

    indicator: str
    level: Level
    territory: str
    contract: str | None
    action: str | None
    period: Period
    dimension: Dimension | None
    category: str | None
    value: Decimal | None
    unit: Unit
    target: Decimal | None = None
    achievement: Decimal | None = None
    status: CellStatus = CellStatus.PUBLISHED
    target_kind: TargetKind | None = None
    counts: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping (amounts as strings), as published.

        The status is the published one (:attr:`CellStatus.published
        <territoires.disclosure.CellStatus.published>`): a suppressed cell says
        ``suppressed``, never whether it is primary or secondary.
        """

        def text(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")

        return {
            "indicator": self.indicator,
            "level": self.level.value,
            "territory": self.territory,
            "contract": self.contract,
            "action": self.action,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat() if self.period.end else None,
            "dimension": self.dimension.value if self.dimension else None,
            "category": self.category,
            "value": text(self.value),
            "unit": self.unit.value,
            "target": text(self.target),
            "target_kind": self.target_kind.value if self.target_kind else None,
            "achievement": text(self.achievement),
            "status": self.status.published.value,
        }


@attrs.frozen(kw_only=True)
class IndicatorTable:
    """The cells of a computation, every person count protected.

    Attributes:
        rows: The cells, indicator by indicator, level by level.
        period: The period of the values.
        threshold: The disclosure threshold applied.
        indicators: The definitions of the indicators asked for, by name.
        synthetic: Whether the dataset is synthetic (every output says so).
        errors: The indicators left out, each with the :class:`~territoires.PluginError`
            that says why: their calculator raised or returned what is not partial aggregates,
            or they follow such an indicator in disclosure control (a share of it, a rate
            counting as it), which cannot protect them without it. Their cells are absent
            from :attr:`rows`. Empty when the table is complete. Not written by exports, so
            not read back.
        audit: The audit of the suppression pattern (:class:`~territoires.disclosure.AuditReport`):
            every suppressed cell with what an attacker can tell about it, the releases
            checked against and the cells withheld beyond the rules of one table. Every
            export writes it beside the values, as the table's certificate. None for a table
            read back from a file, or computed with ``audit=False``.
        data_errors: How many errors :func:`territoires.validate` found in the data the
            table was computed from: 0 normally, more only when computed with
            ``allow_invalid=True``. Every export writes it.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``data_errors``.
    """

    rows: tuple[IndicatorRow, ...]
    period: Period
    threshold: int
    indicators: Mapping[str, Indicator] = attrs.field(eq=False)
    synthetic: bool = False
    errors: Mapping[str, PluginError] = attrs.field(factory=dict, eq=False)
    audit: AuditReport | None = attrs.field(default=None, eq=False)
    data_errors: int = 0

    def __iter__(self) -> Iterator[IndicatorRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def published(self) -> IndicatorTable:
        """Return the table as it is published: primary and secondary suppression are one.

        Every export writes this view (the status of a suppressed cell is
        :attr:`~territoires.disclosure.CellStatus.SUPPRESSED`, "secret statistique"), and
        :func:`territoires.io.load_table` reads it back. The engine's table keeps the two
        kinds of suppression apart, for audits and tests only.

        Example:
            >>> import territoires
            >>> from territoires.plugins import get_plugin_manager
            >>> table = compute_indicators(territoires.demo.build(participations=300),
            ...     period="2021", plugins=get_plugin_manager(autoload=False))
            >>> sorted({row.status.value for row in table.published()})
            ['published', 'suppressed']

        .. versionadded:: 0.1
        """
        rows = tuple(
            row
            if row.status.published is row.status
            else attrs.evolve(row, status=row.status.published)
            for row in self.rows
        )
        return attrs.evolve(self, rows=rows)

    def select(
        self,
        indicator: str | None = None,
        *,
        level: Level | str | None = None,
        dimension: Dimension | str | bool | None = False,
        territory: str | None = None,
        contract: str | None = None,
        action: str | None = None,
    ) -> list[IndicatorRow]:
        """Return the rows matching every criterion given.

        ``dimension=None`` selects the totals; ``dimension=False`` (the default) any
        dimension.
        """
        wanted_level = _choice(Level, level, "level") if isinstance(level, str) else level
        wanted_dimension: Dimension | bool | None = (
            _choice(Dimension, dimension, "dimension") if isinstance(dimension, str) else dimension
        )
        return [
            row
            for row in self.rows
            if (indicator is None or row.indicator == indicator)
            and (wanted_level is None or row.level is wanted_level)
            and (wanted_dimension is False or row.dimension is wanted_dimension)
            and (territory is None or row.territory == territory)
            and (contract is None or row.contract == contract)
            and (action is None or row.action == action)
        ]

    def get(
        self,
        indicator: str,
        *,
        level: Level | str = Level.NATIONAL,
        dimension: Dimension | str | None = None,
        category: str | None = None,
        territory: str | None = None,
        contract: str | None = None,
        action: str | None = None,
    ) -> IndicatorRow:
        """Return the one row of ``indicator`` at ``level`` (the total unless a category).

        Raises:
            UnknownIndicatorError: the table has no row of ``indicator``; the message
                suggests the closest names (also a ``LookupError``).
            RowLookupError: no row, or several rows, of ``indicator`` match (also a
                ``LookupError``).

        .. versionchanged:: 0.2
            Raises :class:`~territoires.UnknownIndicatorError` or
            :class:`~territoires.RowLookupError` rather than a bare ``LookupError``.
        """
        names = dict.fromkeys(row.indicator for row in self.rows)
        if indicator not in names:
            raise UnknownIndicatorError(indicator, names, " in the table")
        found = [
            row
            for row in self.select(
                indicator,
                level=level,
                dimension=dimension,
                territory=territory,
                contract=contract,
                action=action,
            )
            if row.category == category
        ]
        if len(found) != 1:
            asked = {
                "level": level,
                "dimension": dimension,
                "category": category,
                "territory": territory,
                "contract": contract,
                "action": action,
            }
            criteria = ", ".join(f"{k}={str(v)!r}" for k, v in asked.items() if v is not None)
            raise RowLookupError(indicator, len(found), criteria)
        return found[0]


# -- computation --------------------------------------------------------------------------------

Partials = dict[tuple[str, ...], Any]
EntityKey = tuple[Level, str]  # (level, id): action id, contract id, territory ref, "FR"


def _merged(sources: Sequence[Mapping[tuple[str, ...], Any]]) -> Partials:
    """Merge the partials of several entities key by key, each key all at once."""
    grouped: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for source in sources:
        for key, partial in source.items():
            grouped[key].append(partial)
    return {key: merge_all(parts) for key, parts in grouped.items()}


def check_territories(
    dataset: Dataset, territories: Iterable[str], geography: Gazetteer | None
) -> None:
    """Refuse a territory reference that is neither a contract's, the dataset's nor official.

    Raises:
        UnknownTerritoryError: with the nearest known names, when a geography is given.
        WrongTypeError: ``dataset`` is not a :class:`~territoires.Dataset`.
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    TerritoryScope.of(dataset, territories, geography)  # one test for every output


def _levels(level: Level | str | Iterable[Level | str] | None) -> set[Level]:
    if level is None:
        return set(Level)
    items = [level] if isinstance(level, Level | str) else list(level)
    found: set[Level] = set()
    for item in items:
        if isinstance(item, Level):
            found.add(item)
        elif isinstance(item, str) and item in Level.values():
            found.add(_choice(Level, item, "level"))
        else:
            raise InvalidValueError(
                "level", level, "levels among " + ", ".join(Level.values()) + " (or None for all)"
            )
    return found


class _Scope:
    """Every contract, amended at the end of the period, and their rows by action.

    Every contract is computed even when the output is restricted to some territories: the
    rows of a restricted table are the full table's, so that two outputs never reveal together
    what one of them hides.
    """

    def __init__(self, dataset: Dataset, period: Period, geography: Gazetteer | None) -> None:
        on = period.end or dt.date.max
        self.contracts: list[Contract] = [contract.as_of(on) for contract in dataset.contracts]
        actions = {a.id for c in self.contracts for a in c.actions}
        self.participations = dataset.participations
        self.columns = dataset.participations.columns
        # The rows of each action, as positions in the columns (in row order): one sort.
        coded = self.columns.action
        order = np.argsort(coded.codes, kind="stable")
        bounds = np.cumsum(np.bincount(coded.codes, minlength=len(coded.values)))
        self.rows: dict[str, npt.NDArray[np.intp]] = {}
        for code, name in enumerate(coded.values):
            start = bounds[code - 1] if code else 0
            if name in actions and bounds[code] > start:
                self.rows[name] = order[start : bounds[code]]
        self.reports: dict[str, list[ActionReport]] = defaultdict(list)
        for report in dataset.reports:
            if report.action in actions:
                self.reports[report.action].append(report)
        self.geography = geography
        self._facts: dict[tuple[str, tuple[str, ...]], IndicatorInput] = {}

    def _table(self, positions: npt.NDArray[np.intp]) -> Participations:
        """The rows at ``positions``: the given objects when the dataset holds objects."""
        columns = self.columns.take(positions)
        if self.participations.built:
            rows = self.participations
            return Participations([rows[i] for i in positions.tolist()], columns=columns)
        return Participations(columns=columns)

    def within(self, territories: Iterable[str] | None) -> Callable[[str], bool]:
        """The test of a territory reference against a restriction (None: everything)."""
        return TerritoryScope(
            references=None if territories is None else tuple(territories),
            geography=self.geography,
        ).contains

    def facts(
        self, contract: Contract, actions: tuple[Action, ...], period: Period
    ) -> IndicatorInput:
        """The table of ``actions``, built once for every indicator (present rows, exits)."""
        key = (contract.id, tuple(action.id for action in actions))
        found = self._facts.get(key)
        if found is None:
            positions = [self.rows[a.id] for a in actions if a.id in self.rows]
            taken = np.concatenate(positions) if positions else np.empty(0, dtype=np.intp)
            reports: list[ActionReport] = []
            for action in actions:
                reports.extend(self.reports.get(action.id, ()))
            found = IndicatorInput(
                contract=contract,
                actions=actions,
                participations=self._table(taken),
                reports=reports,
                period=period,
                geography=self.geography,
            )
            self._facts[key] = found
        return found


def _partials(indicator: Indicator, facts: IndicatorInput) -> Partials:
    """What the calculator returns for ``facts``, refused unless shaped as it must be."""
    found = indicator.compute(facts)
    if not isinstance(found, Mapping):
        raise TypeError(
            f"returned a {type(found).__name__}; expected a mapping of partial aggregates"
        )
    width = len(indicator.dimensions)
    for key in found:
        if (
            not isinstance(key, tuple)
            or len(key) != width
            or not all(isinstance(part, str) for part in key)
        ):
            raise TypeError(
                f"returned the key {key!r}; expected a tuple of {width} categories (one per "
                "dimension, as texts)"
            )
    return dict(found)


def _compute(
    indicator: Indicator, scope: _Scope, period: Period, geography: Gazetteer | None
) -> dict[EntityKey, Partials]:
    """Partial aggregates of ``indicator`` for every entity, full keys of its dimensions."""
    results: dict[EntityKey, Partials] = {}
    by_territory: dict[str, list[Partials]] = defaultdict(list)
    for contract in scope.contracts:
        if not indicator.concerns(contract, geography):
            continue
        if indicator.granularity is Granularity.ACTION:
            action_parts = []
            for action in contract.actions:
                parts = _partials(indicator, scope.facts(contract, (action,), period))
                if parts:
                    results[Level.ACTION, action.id] = parts
                    action_parts.append(parts)
            contract_parts = _merged(action_parts)
        else:
            contract_parts = _partials(indicator, scope.facts(contract, contract.actions, period))
        if not contract_parts:
            continue
        results[Level.CONTRACT, contract.id] = contract_parts
        by_territory[contract.territory].append(contract_parts)
    territories = []
    for territory, parts_list in by_territory.items():
        merged = _merged(parts_list)
        results[Level.TERRITORY, territory] = merged
        territories.append(merged)
    if territories:
        results[Level.NATIONAL, NATIONAL] = _merged(territories)
    return results


CellKey = tuple[str, Level, str, Dimension | None, str | None]


class _Computed(NamedTuple):
    """A cell once computed: what is published if it may be, and what disclosure control sees."""

    indicator: Indicator
    entity: EntityKey
    value: Decimal | None
    cell: Cell | None  # None when the indicator counts no persons


def _cells(
    indicator: Indicator, scope: _Scope, period: Period, geography: Gazetteer | None
) -> list[tuple[CellKey, _Computed]]:
    """Every cell of ``indicator``: totals and breakdowns of every entity.

    Runs everything that calls the plugin's code (the calculator, and the merging, values and
    person counts of its partial aggregates, which may be its own types), so that a fault is
    caught here, at the indicator's boundary, rather than while the table is protected.
    """
    found: list[tuple[CellKey, _Computed]] = []
    arities: set[int] = set()
    for entity, parts in _compute(indicator, scope, period, geography).items():
        for dimension, category, partial in _breakdowns(indicator, parts):
            value = _value(indicator, partial)
            cell = None
            if indicator.counts_persons:
                cell = Cell(counts=person_counts(partial), defined=value is not None)
                arities.add(len(cell.counts))
            key = (indicator.name, entity[0], entity[1], dimension, category)
            found.append((key, _Computed(indicator, entity, value, cell)))
    if len(arities) > 1:
        raise ValueError(
            "its partial aggregates count persons in different shapes (from "
            f"{min(arities)} to {max(arities)} counts): disclosure control cannot add them up"
        )
    return found


def _breakdowns(
    indicator: Indicator, parts: Partials
) -> Iterator[tuple[Dimension | None, str | None, Any]]:
    """The total and each single dimension's breakdown of an entity's partials."""
    yield None, None, merge_all(list(parts.values()))
    for index, dimension in enumerate(indicator.dimensions):
        grouped: dict[str, list[Any]] = defaultdict(list)
        for key, partial in parts.items():
            grouped[key[index]].append(partial)
        for category in sorted(grouped):
            yield dimension, category, merge_all(grouped[category])


_HUNDREDTH = Decimal("0.01")


def _value(indicator: Indicator, partial: Any) -> Decimal | None:
    """The published value: percents and rates per 10,000 rounded to two decimals."""
    value = partial.value
    if value is None:
        return None
    if indicator.unit is Unit.PERCENT:
        return (Decimal(value) * 100).quantize(_HUNDREDTH)
    if indicator.unit is Unit.PER_10000:
        return (Decimal(value) * 10_000).quantize(_HUNDREDTH)
    return Decimal(value)


def compute_indicators(
    dataset: Dataset,
    *,
    period: Period | str | int,
    territories: Iterable[str] | str | None = None,
    level: Level | str | Iterable[Level | str] | None = None,
    indicators: Iterable[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    plugins: PluginManager | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    ledger: LedgerLike | None = None,
    fingerprint: str | None = None,
    audit: bool = True,
    allow_invalid: bool = False,
) -> IndicatorTable:
    """Compute indicators for ``period``, protected by disclosure control.

    Only from valid data: the dataset is checked first as :func:`territoires.validate`
    checks it (with ``geography`` and the plugins' checks), and a dataset with errors is
    refused unless ``allow_invalid`` is True; warnings never block.

    The cells are protected in two steps (see the page on disclosure control): the rules
    of one table (:func:`territoires.disclosure.protect`), then an **audit** that solves the
    table's equations together as an attacker would, with every release of ``ledger``, and
    suppresses more cells until no suppressed cell can be recovered nor known to count
    between 1 and the threshold minus one persons. The table's :attr:`IndicatorTable.audit`
    is that audit's report: the certificate every export carries.

    Targets are compared like with like (:class:`~territoires.TargetKind`). An action's
    targets go on its total rows, a contract's on the contract's: a target of one period
    only when ``period`` is exactly its year or semester; a target of the whole action (or
    contract) always, with an achievement only when ``period`` starts on or before the
    action's (or contract's) start, so that the value is cumulative from that start (use
    :func:`since_start`); otherwise the target is shown and the achievement is None.
    :attr:`IndicatorRow.target_kind` says which kind a row shows.

    Args:
        dataset: The data.
        period: A :class:`~territoires.Period`, or a text: ``2021``, ``2021-S1``,
            ``2021-01-01..2021-06-30``.
        territories: References of the territories whose rows to return (a contract of a
            commune within a listed EPCI counts); all by default. The rows are those of the
            full table, protected over the whole dataset, and the national rows still total
            every contract: a restricted table never publishes a cell the full table hides.
        level: The levels to return (all by default). Disclosure control always considers
            every level, so that no combination of outputs reveals a suppressed cell.
        indicators: Names of the indicators to return; every registered one by default.
            Indicators linked to them (:attr:`.Indicator.share_of`) are computed too, for
            disclosure control only.
        threshold: The smallest count of persons published (11 by default; see
            :data:`territoires.disclosure.THRESHOLDS`).
        plugins: The plugin manager whose indicators to use; the default one otherwise.
        geography: The geography (populations, memberships); the official one by default.
        ledger: What was published before (:class:`~territoires.publication.Ledger`, read
            with :func:`territoires.io.load_ledger`): the new table is protected together
            with its releases computed from the same data (same ``fingerprint``); a cell any
            release hid stays hidden, and a cell revised by a few persons since a release
            published it is withheld. Record the new release afterwards with
            :func:`territoires.io.record_release`. None (the default): the table is
            protected on its own, and nothing stops a later table from giving back a cell it
            hides (for instance the year minus a semester published before).
        fingerprint: The fingerprint of ``dataset`` (:func:`territoires.io.fingerprint`),
            which tells the releases computed from the same data; without it, no release
            is, and only the rules across data states apply.
        audit: False skips the audit (the rules of one table only, as before version 0.2):
            faster, for tests and comparisons, but not safe to publish: an attacker solving
            the table's equations together may recover suppressed cells.
        allow_invalid: True computes the table from a dataset with errors anyway; the
            table then counts them in :attr:`IndicatorTable.data_errors`, which every
            export writes.

    Returns:
        The table of every cell, suppressed ones included with their status and no value.

    Raises:
        InvalidDataError: the dataset has errors and ``allow_invalid`` is False; its
            ``problems`` are the errors.
        FormatError: the period cannot be read.
        UnknownIndicatorError: an indicator name is not registered (also a
            :class:`LookupError`).
        UnknownTerritoryError: a territory is neither a contract's nor in the geography.
        WrongTypeError: ``dataset`` is not a :class:`~territoires.Dataset` (a path, say).

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``allow_invalid``; a dataset with errors is refused.
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    return _indicator_table(
        dataset,
        period=parse_period(period),
        territories=territories,
        level=level,
        indicators=indicators,
        threshold=threshold,
        plugins=plugins if plugins is not None else default_plugin_manager(),
        geography=geography,
        ledger=ledger,
        fingerprint=fingerprint,
        audit=audit,
        allow_invalid=allow_invalid,
        data_errors=None,
    )


def _indicator_table(
    dataset: Dataset,
    *,
    period: Period,
    territories: Iterable[str] | str | None,
    level: Level | str | Iterable[Level | str] | None,
    indicators: Iterable[str] | None,
    threshold: int,
    plugins: PluginManager,
    geography: Gazetteer | _Official | None,
    ledger: LedgerLike | None,
    fingerprint: str | None,
    audit: bool,
    allow_invalid: bool,
    data_errors: int | None,
) -> IndicatorTable:
    """:func:`compute_indicators`; ``data_errors`` None checks the dataset (after the request)."""
    chosen_period = period
    manager = plugins
    registry = manager.indicators
    names = list(registry) if indicators is None else list(dict.fromkeys(indicators))
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise UnknownIndicatorError(unknown, registry, known_as="registered")
    places = resolve_geography(geography)
    if territories is not None:
        # A single reference is a common slip for a list of one.
        territories = [territories] if isinstance(territories, str) else list(territories)
        check_territories(dataset, territories, places)
    wanted_levels = _levels(level)
    if data_errors is None:
        data_errors = count_errors(
            dataset, allow_invalid=allow_invalid, geography=places, plugins=manager
        )
    errors: dict[str, PluginError] = {}
    with paused_gc():
        scope = _Scope(dataset, chosen_period, places)
        cells: dict[CellKey, _Computed] = {}
        # In the registry's order, whatever the order asked: the order of the cells breaks
        # ties in disclosure control, and a cell's status must not depend on what is asked.
        linked = set(_linked(registry, names))
        for name in [name for name in registry if name in linked]:
            indicator = registry[name]
            computed = manager.guarded(
                registry.registration(name).plugin,
                f"calculator of indicator {name!r}",
                functools.partial(_cells, indicator, scope, chosen_period, places),
            )
            if isinstance(computed, PluginError):
                errors[name] = computed
                continue
            cells.update(computed)
        # What follows a failed indicator in disclosure control (a share of it, a rate that
        # gives back its counts) was to be suppressed with its cells: without them it cannot
        # be protected, so it is left out too, for the same reason.
        for follower, leader in _followers(registry, errors).items():
            errors[follower] = errors[leader]
        cells = {key: value for key, value in cells.items() if key[0] not in errors}
        if audit or ledger is not None:
            prior = linking.Prior.of(ledger, fingerprint) if ledger is not None else linking.Prior()
            if prior.tables:
                # A semester nobody published is the year minus the other one: its cells are
                # hidden cells of the publication too.
                span = (chosen_period.start, chosen_period.end)
                for start, end in linking.implied_periods(span, prior.periods):
                    implied = _indicator_table(
                        dataset,
                        period=Period(start, end),
                        territories=None,
                        level=None,
                        indicators=names,
                        threshold=threshold,
                        plugins=manager,
                        geography=geography,
                        ledger=None,
                        fingerprint=None,
                        audit=False,
                        allow_invalid=True,
                        data_errors=data_errors,
                    )
                    label = period_label(start, end)
                    prior = prior.with_implied(f"{label} (unpublished)", implied.rows)
            statuses, report = _protect_linked(
                cells,
                scope,
                threshold,
                chosen_period,
                registry,
                places,
                prior,
            )
        else:
            statuses, report = _protect(cells, scope, threshold), None
        rows = tuple(
            _rows(
                cells,
                statuses,
                scope,
                chosen_period,
                _Wanted(set(names), wanted_levels, scope.within(territories)),
            )
        )
        # Freed by reference counting while the collector is still paused: otherwise its
        # first pass after the pause walks every set and partial built here (~0.6 s at 1M rows).
        del cells, statuses, scope
    return IndicatorTable(
        rows=rows,
        period=chosen_period,
        threshold=threshold,
        indicators={name: registry[name] for name in names},
        synthetic=dataset.info.synthetic,
        errors=errors,
        audit=report,
        data_errors=data_errors,
    )


def _protect_linked(
    cells: Mapping[CellKey, _Computed],
    scope: _Scope,
    threshold: int,
    period: Period,
    registry: Mapping[str, Indicator],
    places: Gazetteer | None,
    prior: linking.Prior,
) -> tuple[dict[CellKey, CellStatus], AuditReport]:
    """Protect the cells with the audit loop of :mod:`territoires._linked`; the report too."""
    everything = _Wanted(set(registry), set(Level), lambda _: True)
    keys = list(cells)
    ids = [(key[0], key[1].value, key[2], key[3].value if key[3] else None, key[4]) for key in keys]
    engine_key = {
        (*cell, period.start, period.end): key for cell, key in zip(ids, keys, strict=True)
    }
    found: dict[str, dict[CellKey, CellStatus]] = {}

    def reprotect(withheld: Mapping[CellId, Withheld | None]) -> list[IndicatorRow]:
        forced = [engine_key[cell] for cell in withheld if cell in engine_key]
        found["statuses"] = _protect(cells, scope, threshold, forced)
        return list(_rows(cells, found["statuses"], scope, period, everything))

    name = period_label(period.start, period.end)
    rows, withheld, pattern = linking.protect_linked(
        reprotect, prior, registry, threshold=threshold, geography=places, name=name
    )
    tables = (*(table for table, _ in prior.tables), name)
    skip: set[CellId] = set()
    if pattern is not None:
        skip = linking.given_back(pattern, rows, threshold)
        for cell in skip:
            found["statuses"][engine_key[cell]] = CellStatus.PUBLISHED
            withheld.pop(cell, None)
        # Cells of periods nobody published were audited for small counts only (see
        # linking.implied_periods); they are not in any certified file.
        skip |= {
            hidden.cell for hidden in pattern.attack.hidden if set(hidden.tables) <= prior.implied
        }
    if pattern is None:
        report = AuditReport(
            tables=tables,
            threshold=threshold,
            cells=len(keys),
            hidden=(),
            solver=solver_version(),
            releases=prior.releases,
        )
    else:
        report = _report(
            pattern.attack,
            pattern.intervals,
            tables=tables,
            threshold=threshold,
            skip=skip,
            releases=prior.releases,
            withheld=tuple(
                (entry.label, entry.reason.value, entry.detail) for entry in withheld.values()
            ),
        )
    return found["statuses"], report


def _followers(registry: Mapping[str, Indicator], failed: Iterable[str]) -> dict[str, str]:
    """The indicators that follow a failed one in disclosure control, each with that one.

    A share follows the indicator it is a share of, a rate the indicator it counts as: their
    cells are suppressed whenever the leader's are. Followers of followers follow too.
    """
    leaders = {
        name: {other for other in (share.indicator if share else None, ind.counts_as) if other}
        for name, ind in registry.items()
        for share in (ind.share_of,)
    }
    found: dict[str, str] = {}
    pending = list(failed)
    roots = {name: name for name in pending}
    while pending:
        leader = pending.pop()
        for name, leading in sorted(leaders.items()):
            if leader in leading and name not in roots:
                roots[name] = found[name] = roots[leader]
                pending.append(name)
    return found


def _linked(registry: Mapping[str, Indicator], names: Sequence[str]) -> list[str]:
    """``names`` and the indicators linked to them (``share_of``, ``counts_as``), recursively.

    Disclosure control sees linked tables together whichever of them is asked for, so that
    a cell's status does not depend on the indicators requested. The registry has left out
    every indicator whose link points nowhere (see :class:`~territoires.plugins.PluginManager`).
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    for name, indicator in registry.items():
        share = indicator.share_of
        for other in (share.indicator if share else None, indicator.counts_as):
            if other is not None and other in registry:
                neighbours[name].add(other)
                neighbours[other].add(name)
    chosen = dict.fromkeys(names)
    pending = list(names)
    while pending:
        for other in sorted(neighbours.get(pending.pop(), ())):
            if other not in chosen:
                chosen[other] = None
                pending.append(other)
    return list(chosen)


@attrs.frozen
class _Wanted:
    """Which computed cells the caller asked for."""

    names: set[str]
    levels: set[Level]
    within: Callable[[str], bool]


def _protect(
    cells: Mapping[CellKey, _Computed],
    scope: _Scope,
    threshold: int,
    forced: Iterable[CellKey] = (),
) -> dict[CellKey, CellStatus]:
    """Disclosure control over the cells that count persons, with their additive groups."""
    protected: dict[Any, Cell] = {
        key: computed.cell for key, computed in cells.items() if computed.cell is not None
    }
    groups: list[Group] = []
    # Breakdowns add up to their total.
    breakdowns: dict[tuple[str, Level, str, Dimension], list[CellKey]] = defaultdict(list)
    for key in protected:
        name, level, entity, dimension, _ = key
        if dimension is not None:
            breakdowns[name, level, entity, dimension].append(key)
    for (name, level, entity, _), children in breakdowns.items():
        groups.append(Group(parent=(name, level, entity, None, None), children=tuple(children)))
    # Levels add up to the level above.
    parents: dict[EntityKey, EntityKey] = {}
    for contract in scope.contracts:
        for action in contract.actions:
            parents[Level.ACTION, action.id] = (Level.CONTRACT, contract.id)
        parents[Level.CONTRACT, contract.id] = (Level.TERRITORY, contract.territory)
        parents[Level.TERRITORY, contract.territory] = (Level.NATIONAL, NATIONAL)
    family: dict[CellKey, list[CellKey]] = defaultdict(list)
    for key in protected:
        name, level, entity, dimension, category = key
        parent = parents.get((level, entity))
        if parent is not None:
            up = (name, parent[0], parent[1], dimension, category)
            if up in protected:
                family[up].append(key)
    groups.extend(Group(parent=up, children=tuple(down)) for up, down in family.items())
    # A total that counts the same persons as another indicator's gives it back.
    for key, computed in cells.items():
        same = computed.indicator.counts_as
        if same is not None and key[3] is None and key in protected:
            other = (same, *key[1:])
            if other in protected and len(protected[other].counts) == len(protected[key].counts):
                groups.append(Group(parent=other, children=(key,)))
    follows = list(_shares(cells, protected, groups))
    statuses: dict[Any, CellStatus] = protect(
        protected, groups, threshold=threshold, follows=follows, forced=forced
    )
    for _, virtual in follows:
        del statuses[virtual]
    for key, computed in cells.items():
        if key not in statuses:
            statuses[key] = (
                CellStatus.PUBLISHED if computed.value is not None else (CellStatus.UNDEFINED)
            )
    return statuses


def _shares(
    cells: Mapping[CellKey, _Computed],
    protected: dict[Any, Cell],
    groups: list[Group],
) -> Iterator[tuple[Any, Any]]:
    """Link each share's total to the breakdown its persons appear in (:class:`ShareOf`).

    A published share gives back its numerator and denominator. Both become cells of their
    own, each the sum of its categories in the breakdown, and the denominator plus the
    categories it leaves out (unknown age, unspecified sex) make the breakdown's total. The
    share follows them: it is suppressed whenever either must stay hidden. Yields the pairs
    ``(share, virtual cell)``.
    """
    categories_of: dict[tuple[Any, ...], list[CellKey]] = defaultdict(list)
    for key in cells:
        if key[3] is not None:
            categories_of[key[:4]].append(key)
    for key, computed in cells.items():
        link = computed.indicator.share_of
        _, level, entity, dimension, _ = key
        if link is None or dimension is not None or key not in protected:
            continue
        counts = protected[key].counts
        if len(counts) != 2:
            continue
        breakdown = categories_of.get((link.indicator, level, entity, link.dimension), [])
        for part, categories, count in (
            ("numerator", link.numerator, counts[0]),
            ("denominator", link.denominator, counts[1]),
        ):
            virtual = (part, key)
            protected[virtual] = Cell((count,))
            inside = tuple(cell for cell in breakdown if cell[4] in categories)
            groups.append(Group(parent=virtual, children=inside))
            yield key, virtual
        total = (link.indicator, level, entity, None, None)
        if total in protected:
            left_out = tuple(cell for cell in breakdown if cell[4] not in link.denominator)
            groups.append(Group(parent=total, children=(("denominator", key), *left_out)))


def _compared(
    goals: Iterable[Target], whole: TargetKind, start: dt.date, period: Period
) -> dict[str, tuple[Target, bool]]:
    """The target each indicator's row shows, and whether its achievement is comparable.

    A target of one period is shown only when the table's period is exactly its year or
    semester, and is then comparable. A target of the whole action (or contract) is always
    shown, and comparable only when the period starts on or before ``start`` (the action's or
    the contract's), so that the value counts everything since the start. A target of the
    period wins over one of the whole when both exist.
    """
    found: dict[str, tuple[Target, bool]] = {}
    for goal in goals:
        if goal.kind is TargetKind.PERIOD:
            if goal.period == period:
                found[goal.indicator] = (goal, True)
        elif goal.kind is whole:
            current = found.get(goal.indicator)
            if current is None or current[0].kind is not TargetKind.PERIOD:
                found[goal.indicator] = (goal, period.start <= start)
    return found


def _rows(
    cells: Mapping[CellKey, _Computed],
    statuses: Mapping[CellKey, CellStatus],
    scope: _Scope,
    period: Period,
    wanted: _Wanted,
) -> Iterator[IndicatorRow]:
    contract_of_action = {a.id: c for c in scope.contracts for a in c.actions}
    territory_of_contract = {c.id: c.territory for c in scope.contracts}
    targets: dict[tuple[str, Level, str], tuple[Target, bool]] = {}
    for owner in scope.contracts:
        found = _compared(owner.targets, TargetKind.CONTRACT, owner.period.start, period)
        targets.update(((name, Level.CONTRACT, owner.id), it) for name, it in found.items())
        for run in owner.actions:
            found = _compared(run.targets, TargetKind.ACTION, run.period.start, period)
            targets.update(((name, Level.ACTION, run.id), it) for name, it in found.items())
    for key, (indicator, _, computed_value, cell) in cells.items():
        name, level, entity_id, dimension, category = key
        if level not in wanted.levels or name not in wanted.names:
            continue
        status = statuses[key]
        value = computed_value if status is CellStatus.PUBLISHED else None
        contract = action = None
        territory = NATIONAL
        if level is Level.ACTION:
            action = entity_id
            owner = contract_of_action[entity_id]
            contract, territory = owner.id, owner.territory
        elif level is Level.CONTRACT:
            contract = entity_id
            territory = territory_of_contract[entity_id]
        elif level is Level.TERRITORY:
            territory = entity_id
        if level is not Level.NATIONAL and not wanted.within(territory):
            continue
        target = achievement = target_kind = None
        if dimension is None and level in (Level.ACTION, Level.CONTRACT):
            compared = targets.get((name, level, entity_id))
            if compared is not None:
                goal, comparable = compared
                target, target_kind = goal.value, goal.kind
                if comparable and value is not None and target:
                    achievement = value / target
        yield IndicatorRow(
            indicator=name,
            level=level,
            territory=territory,
            contract=contract,
            action=action,
            period=period,
            dimension=dimension,
            category=category,
            value=value,
            unit=indicator.unit,
            target=target,
            achievement=achievement,
            status=status,
            target_kind=target_kind,
            counts=cell.counts if cell is not None else (),
        )
