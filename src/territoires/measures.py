"""Indicators: what ``register_indicators()`` returns, and the partial aggregates they compute.

An indicator's calculator works on a whole table at once (all the participations and reports
of one action, or of one contract) and returns **partial aggregates** keyed by the values of
its dimensions. Partial aggregates merge: two actions' :class:`Persons` merge into the distinct
persons of both, two :class:`Ratio` add numerators and denominators. So the same calculator
gives action, contract, territory and national results, and a ratio is always a ratio of
sums, never an average of ratios.

Example:
    >>> a = Persons.of(["P1", "P2"])
    >>> b = Persons.of(["P2", "P3"])
    >>> a.merge(b).value
    Decimal('3')
    >>> Ratio(numerator=Decimal(1), denominator=Decimal(4)).merge(
    ...     Ratio(numerator=Decimal(3), denominator=Decimal(4))).value
    Decimal('0.5')

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, Self

import attrs
import numpy as np
import numpy.typing as npt

from territoires._enum import LabelledEnum, Lang
from territoires._names import check_name, namespace_of
from territoires.exceptions import InvalidArgumentError, WrongTypeError
from territoires.model import _validators as v
from territoires.model.columns import NO_DATE, ParticipationColumns, Participations
from territoires.model.contract import Action, Contract, Source, window_bounds
from territoires.model.dataset import Gazetteer
from territoires.model.enums import (
    AgeBand,
    ContractKind,
    ContractStatus,
    FundingSource,
    PublicCategory,
    Sex,
    Theme,
)
from territoires.model.period import Period
from territoires.model.person import ActionReport, Participation

__all__ = [
    "Aggregation",
    "Calculator",
    "Dimension",
    "Granularity",
    "Indicator",
    "IndicatorInput",
    "Latest",
    "Partial",
    "PerCapita",
    "Persons",
    "PersonsRatio",
    "Ratio",
    "ShareOf",
    "Total",
    "Unit",
    "category_label",
    "entries_in",
    "entry_rows_in",
    "exit_rows_in",
    "exits_in",
    "merge_all",
    "person_counts",
    "present_in",
    "present_rows_in",
    "windows_of",
]


class Unit(LabelledEnum):
    """Unit of an indicator's values.

    Ratios (:class:`Ratio`, :class:`PersonsRatio`) give fractions (``0.25``); an indicator
    in :attr:`PERCENT` is shown multiplied by 100 (``25``) wherever it is published.
    """

    PERSONS = ("persons", "personnes", "persons")
    COUNT = ("count", "nombre", "count")
    EUROS = ("euros", "euros", "euros")
    PERCENT = ("percent", "pourcentage", "percent")  # partials give fractions; shown × 100
    PER_10000 = ("per_10000", "pour 10 000 habitants", "per 10,000 inhabitants")


class Aggregation(LabelledEnum):
    """How values combine over time (periods) and over territory (actions, contracts...)."""

    SUM = ("sum", "somme", "sum")
    DISTINCT_COUNT = ("distinct_count", "décompte sans doublon", "distinct count")
    RATIO_OF_SUMS = ("ratio_of_sums", "rapport des sommes", "ratio of sums")
    LAST = ("last", "dernière valeur", "last value")


class Dimension(LabelledEnum):
    """What an indicator can be broken down by."""

    THEME = ("theme", "thème", "theme")
    PUBLIC_CATEGORY = ("public_category", "catégorie de public", "public category")
    SEX = ("sex", "sexe", "sex")
    AGE_BAND = ("age_band", "tranche d'âge", "age band")
    FUNDER = ("funder", "financeur", "funder")
    CONTRACT_KIND = ("contract_kind", "type de contrat", "contract kind")
    CONTRACT_STATUS = ("contract_status", "statut du contrat", "contract status")


def category_label(dimension: Dimension, value: str, lang: Lang = "fr") -> str:
    """Return the label of a category of ``dimension`` (``"female"`` → ``"femme"``).

    Categories that are not values of the dimension's enumeration are returned as they are.

    Example:
        >>> category_label(Dimension.SEX, "female"), category_label(Dimension.AGE_BAND, "18-25")
        ('femme', '18 à 25 ans')
    """
    enum_type = _CATEGORIES.get(dimension)
    member = enum_type._value2member_map_.get(value) if enum_type is not None else None
    if isinstance(member, LabelledEnum):
        return member.label(lang)
    if value == "none":
        return "hors public" if lang == "fr" else "outside every public"
    return value


_CATEGORIES: dict[Dimension, type[LabelledEnum]] = {
    Dimension.THEME: Theme,
    Dimension.PUBLIC_CATEGORY: PublicCategory,
    Dimension.SEX: Sex,
    Dimension.AGE_BAND: AgeBand,
    Dimension.FUNDER: FundingSource,
    Dimension.CONTRACT_KIND: ContractKind,
    Dimension.CONTRACT_STATUS: ContractStatus,
}


class Granularity(LabelledEnum):
    """The table a calculator receives at once: one action's rows, or one contract's."""

    ACTION = ("action", "action", "action")
    CONTRACT = ("contract", "contrat", "contract")


class Partial(Protocol):
    """A partial aggregate: it merges with another of its kind and has a value.

    A partial type may also offer a ``combine(parts)`` class method merging many parts at
    once; the engine uses it when present (a union of a hundred sets in one pass rather than a
    hundred copies).
    """

    def merge(self, other: Self) -> Self:
        """Return the aggregate of both parts."""

    @property
    def value(self) -> Decimal | None:
        """The value, or None when it is undefined (a ratio over zero)."""


@attrs.frozen
class Total:
    """A sum (euros, counts of actions...)."""

    amount: Decimal

    def merge(self, other: Total) -> Total:
        """Add the two totals."""
        return Total(self.amount + other.amount)

    @classmethod
    def combine(cls, parts: Sequence[Total]) -> Total:
        """Add many totals at once."""
        return cls(sum((part.amount for part in parts), Decimal(0)))

    @property
    def value(self) -> Decimal:
        """The sum."""
        return self.amount


@attrs.frozen
class Persons:
    """Distinct persons (by pseudonymous id): a person in two actions counts once."""

    ids: frozenset[str]

    @classmethod
    def of(cls, ids: Iterable[str]) -> Persons:
        """Return the distinct persons among ``ids``."""
        return cls(frozenset(ids))

    def merge(self, other: Persons) -> Persons:
        """Return the persons of either part."""
        return Persons(self.ids | other.ids)

    @classmethod
    def combine(cls, parts: Sequence[Persons]) -> Persons:
        """Unite many parts at once (one pass, not one copy per part)."""
        return cls(frozenset().union(*(part.ids for part in parts)))

    @property
    def value(self) -> Decimal:
        """The number of distinct persons."""
        return Decimal(len(self.ids))


@attrs.frozen(kw_only=True)
class Ratio:
    """A ratio of sums: numerators and denominators add up before dividing."""

    numerator: Decimal
    denominator: Decimal

    def merge(self, other: Ratio) -> Ratio:
        """Add numerators and denominators."""
        return Ratio(
            numerator=self.numerator + other.numerator,
            denominator=self.denominator + other.denominator,
        )

    @classmethod
    def combine(cls, parts: Sequence[Ratio]) -> Ratio:
        """Add the numerators and denominators of many parts at once."""
        return cls(
            numerator=sum((part.numerator for part in parts), Decimal(0)),
            denominator=sum((part.denominator for part in parts), Decimal(0)),
        )

    @property
    def value(self) -> Decimal | None:
        """Numerator over denominator, None when the denominator is zero."""
        return self.numerator / self.denominator if self.denominator else None


@attrs.frozen(kw_only=True)
class PersonsRatio:
    """A share of distinct persons: those of the numerator among those of the denominator."""

    numerator: frozenset[str]
    denominator: frozenset[str]

    def merge(self, other: PersonsRatio) -> PersonsRatio:
        """Unite the persons of both parts."""
        return PersonsRatio(
            numerator=self.numerator | other.numerator,
            denominator=self.denominator | other.denominator,
        )

    @classmethod
    def combine(cls, parts: Sequence[PersonsRatio]) -> PersonsRatio:
        """Unite the persons of many parts at once."""
        return cls(
            numerator=frozenset().union(*(part.numerator for part in parts)),
            denominator=frozenset().union(*(part.denominator for part in parts)),
        )

    @property
    def value(self) -> Decimal | None:
        """Share of the denominator's persons in the numerator, None when there are none."""
        if not self.denominator:
            return None
        return Decimal(len(self.numerator & self.denominator)) / Decimal(len(self.denominator))


@attrs.frozen(kw_only=True)
class PerCapita:
    """Distinct persons per inhabitant: persons united, populations of distinct territories added.

    A territory with two contracts counts its population once.
    """

    persons: frozenset[str]
    populations: frozenset[tuple[str, int]]

    def merge(self, other: PerCapita) -> PerCapita:
        """Unite persons and territories."""
        return PerCapita(
            persons=self.persons | other.persons,
            populations=self.populations | other.populations,
        )

    @classmethod
    def combine(cls, parts: Sequence[PerCapita]) -> PerCapita:
        """Unite the persons and territories of many parts at once."""
        return cls(
            persons=frozenset().union(*(part.persons for part in parts)),
            populations=frozenset().union(*(part.populations for part in parts)),
        )

    @property
    def value(self) -> Decimal | None:
        """Persons per inhabitant (None without population)."""
        inhabitants = sum(population for _, population in self.populations)
        return Decimal(len(self.persons)) / Decimal(inhabitants) if inhabitants else None


@attrs.frozen(kw_only=True)
class Latest:
    """The last known value, by date."""

    on: dt.date
    amount: Decimal

    def merge(self, other: Latest) -> Latest:
        """Keep the later value."""
        return other if other.on > self.on else self

    @property
    def value(self) -> Decimal:
        """The last value."""
        return self.amount


@attrs.frozen(kw_only=True)
class IndicatorInput:
    """The table a calculator works on: one action's (or one contract's) rows for a period.

    **Present during a period.** A participation counts only within its action's *window*
    (:meth:`Action.window_in <territoires.Action.window_in>`): the action's period as amended,
    within the contract's period as amended, ended the day before the action's closure by an
    avenant. Its *counted span* runs from its entry (or the window's start, if later) to its
    exit (or the window's end, if earlier; with neither, it is still running). It is
    *present* in a period when its counted span shares at least one day with the period. So a
    participation without an exit date stops counting when its action ends, when its contract
    ends, or when an avenant closes the action; a prolongation by avenant keeps it counting.
    The contract is the one as amended at the end of the period: an avenant not yet in force
    on that day neither prolongs nor closes anything.

    **Exits.** An exit counts in the period holding its exit date, provided that date lies
    within the action's window. A participation left after its window ended (the operator
    recorded a late exit, or the action was closed early) has no exit in any period: the
    action had stopped, so the exit is not an outcome of it. ``territoires validate`` warns
    about such participations (``participation-open-after-action``).

    Attributes:
        contract: The contract, as amended at the end of the period.
        actions: The actions in the table: one for action granularity, the contract's
            actions for contract granularity.
        participations: Every participation in those actions, unclipped (the calculator
            decides which ones the period concerns; use :attr:`windows` to stay within the
            actions' windows).
        reports: Every report on those actions.
        period: The period the values are for.
        geography: The official geography (populations, memberships).
        windows: For each action of the table, by id, its window within the contract, or None
            when the action never ran within it. Derived from ``contract`` and ``actions``.

    Two ways to read the rows: as objects (:attr:`participations`, :attr:`present`,
    :attr:`exits`, built on demand), or as columns (:attr:`columns`,
    :attr:`present_columns`, :attr:`exit_columns`), which is what the built-in calculators
    read and what a calculator over millions of rows should read.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       Presence and exits stay within each action's window (:attr:`windows`); the columns.
    """

    contract: Contract
    actions: tuple[Action, ...]
    participations: Sequence[Participation]
    reports: Sequence[ActionReport]
    period: Period
    geography: Gazetteer | None = None
    windows: Mapping[str, Period | None] = attrs.field(
        init=False,
        default=attrs.Factory(lambda facts: windows_of(facts.contract, facts.actions), True),
    )
    _cache: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    def _cached(self, name: str, make: Callable[[], Any]) -> Any:
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = make()
        return found

    @property
    def columns(self) -> ParticipationColumns:
        """:attr:`participations` as columns, in the same order.

        See :class:`~territoires.model.columns.ParticipationColumns`.

        .. versionadded:: 0.2
        """
        return self._cached("columns", self._columns)  # type: ignore[no-any-return]

    def _columns(self) -> ParticipationColumns:
        rows = self.participations
        if isinstance(rows, Participations):
            return rows.columns
        return ParticipationColumns.from_rows(rows)

    def _row_based(self) -> bool:
        """Whether the rows were given as objects (then selections keep those objects)."""
        rows = self.participations
        return not isinstance(rows, Participations) or rows.built

    @property
    def present_rows(self) -> npt.NDArray[np.intp]:
        """The positions in :attr:`columns` of the rows :attr:`present` holds, in its order.

        .. versionadded:: 0.2
        """
        return self._cached(  # type: ignore[no-any-return]
            "present_rows",
            lambda: present_rows_in(self.columns, self.period, windows=self.windows),
        )

    @property
    def exit_rows(self) -> npt.NDArray[np.intp]:
        """The positions in :attr:`columns` of the rows :attr:`exits` holds, in its order.

        .. versionadded:: 0.2
        """
        return self._cached(  # type: ignore[no-any-return]
            "exit_rows", lambda: exit_rows_in(self.columns, self.period, windows=self.windows)
        )

    @property
    def present_columns(self) -> ParticipationColumns:
        """The columns of the rows :attr:`present` holds: what a fast calculator reads.

        .. versionadded:: 0.2
        """
        return self._cached(  # type: ignore[no-any-return]
            "present_columns", lambda: self.columns.take(self.present_rows)
        )

    @property
    def exit_columns(self) -> ParticipationColumns:
        """The columns of the rows :attr:`exits` holds.

        .. versionadded:: 0.2
        """
        return self._cached(  # type: ignore[no-any-return]
            "exit_columns", lambda: self.columns.take(self.exit_rows)
        )

    @property
    def present(self) -> Sequence[Participation]:
        """The participations *present* in the period, as defined above.

        Selected once for every indicator: :func:`present_in` with :attr:`windows`.

        .. versionchanged:: 0.2
           Built on demand from :attr:`present_columns` when the rows are columns.
        """
        return self._cached("present", self._present)  # type: ignore[no-any-return]

    def _present(self) -> Sequence[Participation]:
        if self._row_based():
            return present_in(self.participations, self.period, windows=self.windows)
        return Participations(columns=self.present_columns)

    @property
    def exits(self) -> Sequence[Participation]:
        """The participations that exit in the period, within their action's window.

        :func:`exits_in` with :attr:`windows`.

        .. versionchanged:: 0.2
           Built on demand from :attr:`exit_columns` when the rows are columns.
        """
        return self._cached("exits", self._exits)  # type: ignore[no-any-return]

    def _exits(self) -> Sequence[Participation]:
        if self._row_based():
            return exits_in(self.participations, self.period, windows=self.windows)
        return Participations(columns=self.exit_columns)


Calculator = Callable[[IndicatorInput], Mapping[tuple[str, ...], Any]]
"""The calculator of an indicator, which returns from an :class:`IndicatorInput` the partial
aggregates keyed by the values of the indicator's dimensions (the empty tuple without any)."""


def windows_of(contract: Contract, actions: Iterable[Action]) -> dict[str, Period | None]:
    """Return the window of each action within ``contract``, by id (None: it never ran).

    Give the contract as amended on the date of interest and its actions as amended (see
    :meth:`Action.window_in <territoires.Action.window_in>`).

    .. versionadded:: 0.2
    """
    found: dict[str, Period | None] = {}
    for action in actions:
        bounds = window_bounds(action, contract)
        found[action.id] = None if bounds is None else Period(*bounds)
    return found


_NO_END = dt.date.max


def _within(period: Period, window: Period | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of ``period`` ∩ ``window``, None when they share no day."""
    if window is None:
        return None
    start = max(period.start, window.start)
    end = min(period.end or _NO_END, window.end or _NO_END)
    return None if end < start else (start, end)


def _select(
    rows: Sequence[Participation],
    period: Period,
    windows: Mapping[str, Period | None] | None,
    keep: Callable[[Sequence[Participation], dt.date, dt.date], list[Participation]],
) -> list[Participation]:
    """Apply ``keep`` to the rows of each action with the days of ``period`` in its window."""
    if windows is None:
        return keep(rows, period.start, period.end or _NO_END)
    if len(windows) == 1:
        # One action, the usual table: one pass, no grouping.
        ((action, window),) = windows.items()
        days = _within(period, window)
        if days is None:
            return []
        return [row for row in keep(rows, *days) if row.action == action]
    by_action: dict[str, list[Participation]] = {}
    for row in rows:
        by_action.setdefault(row.action, []).append(row)
    found: list[Participation] = []
    for action, window in windows.items():
        days = _within(period, window)
        if days is not None and action in by_action:
            found.extend(keep(by_action[action], *days))
    return found


def _present(rows: Sequence[Participation], start: dt.date, end: dt.date) -> list[Participation]:
    return [
        row
        for row in rows
        if row.entry_date <= end and (row.exit_date is None or row.exit_date >= start)
    ]


def _exited(rows: Sequence[Participation], start: dt.date, end: dt.date) -> list[Participation]:
    return [row for row in rows if row.exit_date is not None and start <= row.exit_date <= end]


def _entered(rows: Sequence[Participation], start: dt.date, end: dt.date) -> list[Participation]:
    return [row for row in rows if start <= row.entry_date <= end]


def present_in(
    rows: Sequence[Participation],
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> list[Participation]:
    """Return the participations present in ``period`` (see :class:`IndicatorInput`).

    Args:
        rows: The participations.
        period: The period.
        windows: The window of each action, by id (:func:`windows_of`, or
            :attr:`IndicatorInput.windows`): a row counts only while within its action's
            window, and rows of actions not in ``windows`` never count. None: no window (every
            row counts from its entry to its exit, as before version 0.2).

    Example:
        >>> import datetime as dt
        >>> from territoires import Participation, Sex, AgeBand, AdministrativeStatus
        >>> row = Participation(id="p1", person="P1", action="a1",
        ...     entry_date=dt.date(2020, 3, 1), status=AdministrativeStatus.REFUGEE,
        ...     sex=Sex.FEMALE, age_band=AgeBand.FROM_26_TO_39)
        >>> window = Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
        >>> len(present_in([row], Period.year(2021)))
        1
        >>> len(present_in([row], Period.year(2021), windows={"a1": window}))
        0

    .. versionchanged:: 0.2
       ``windows``.
    """
    return _select(rows, period, windows, _present)


def exits_in(
    rows: Sequence[Participation],
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> list[Participation]:
    """Return the participations whose exit date lies in ``period`` (and in their window).

    ``windows`` as for :func:`present_in`: an exit after its action's window ended is no
    exit of any period.

    .. versionchanged:: 0.2
       ``windows``.
    """
    return _select(rows, period, windows, _exited)


def entries_in(
    rows: Sequence[Participation],
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> list[Participation]:
    """Return the participations whose entry date lies in ``period`` (and in their window).

    ``windows`` as for :func:`present_in`.

    .. versionadded:: 0.2
    """
    return _select(rows, period, windows, _entered)


_NEVER: Final = np.iinfo(np.int32).max


def _rows_in(
    columns: ParticipationColumns,
    period: Period,
    windows: Mapping[str, Period | None] | None,
    kind: str,
) -> npt.NDArray[np.intp]:
    """The positions of the rows selected by ``kind``, in the order of the object functions.

    Each action's first and last day (the period within its window) are looked up by the
    rows' action codes, so one comparison over each column selects every action's rows.
    """
    codes = columns.action.codes
    if windows is None:
        first = np.full(len(columns.action.values), period.start.toordinal(), dtype=np.int32)
        last = np.full(first.shape, (period.end or _NO_END).toordinal(), dtype=np.int32)
        rank = None
    else:
        first = np.full(len(columns.action.values), _NEVER, dtype=np.int32)
        last = np.full(first.shape, NO_DATE, dtype=np.int32)
        # The object functions list the rows action by action, in the windows' order.
        rank = np.zeros(first.shape, dtype=np.int32) if len(windows) > 1 else None
        for position, (action, window) in enumerate(windows.items()):
            code = columns.action.code(action)
            days = _within(period, window)
            if code is not None and days is not None:
                first[code], last[code] = days[0].toordinal(), days[1].toordinal()
                if rank is not None:
                    rank[code] = position
    starts, ends = first[codes], last[codes]
    entry, exit_ = columns.entry, columns.exit
    if kind == "present":
        keep = (entry <= ends) & ((exit_ == NO_DATE) | (exit_ >= starts))
    elif kind == "exits":
        keep = (exit_ != NO_DATE) & (exit_ >= starts) & (exit_ <= ends)
    else:
        keep = (entry >= starts) & (entry <= ends)
    found = np.flatnonzero(keep)
    if rank is not None:
        found = found[np.argsort(rank[codes[found]], kind="stable")]
    return found


def present_rows_in(
    columns: ParticipationColumns,
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> npt.NDArray[np.intp]:
    """Return the positions of the rows present in ``period``: :func:`present_in` on columns.

    The positions index ``columns`` (``columns.take(positions)`` gives their columns), in the
    order in which :func:`present_in` lists the same rows.

    Example:
        >>> import datetime as dt
        >>> from territoires import Participation, Sex, AgeBand, AdministrativeStatus
        >>> from territoires.model.columns import ParticipationColumns
        >>> row = Participation(id="p1", person="P1", action="a1",
        ...     entry_date=dt.date(2020, 3, 1), status=AdministrativeStatus.REFUGEE,
        ...     sex=Sex.FEMALE, age_band=AgeBand.FROM_26_TO_39)
        >>> columns = ParticipationColumns.from_rows([row])
        >>> window = Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
        >>> present_rows_in(columns, Period.year(2020), windows={"a1": window}).tolist()
        [0]
        >>> present_rows_in(columns, Period.year(2021), windows={"a1": window}).tolist()
        []

    .. versionadded:: 0.2
    """
    return _rows_in(columns, period, windows, "present")


def exit_rows_in(
    columns: ParticipationColumns,
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> npt.NDArray[np.intp]:
    """Return the positions of the rows that exit in ``period``: :func:`exits_in` on columns.

    .. versionadded:: 0.2
    """
    return _rows_in(columns, period, windows, "exits")


def entry_rows_in(
    columns: ParticipationColumns,
    period: Period,
    *,
    windows: Mapping[str, Period | None] | None = None,
) -> npt.NDArray[np.intp]:
    """Return the positions of the rows that enter in ``period``: :func:`entries_in` on columns.

    .. versionadded:: 0.2
    """
    return _rows_in(columns, period, windows, "entries")


def merge_all(parts: Sequence[Any]) -> Any:
    """Merge partial aggregates of one kind, all at once when their type can.

    Example:
        >>> merge_all([Persons.of(["P1"]), Persons.of(["P1", "P2"])]).value
        Decimal('2')
    """
    if not parts:
        raise InvalidArgumentError("parts", parts, "at least one partial aggregate to merge")
    if len(parts) == 1:
        return parts[0]
    kind = type(parts[0])
    combine = getattr(kind, "combine", None)
    if combine is not None and all(type(part) is kind for part in parts):
        return combine(parts)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    return merged


def person_counts(partial: object) -> tuple[int, ...]:
    """Return the additive counts of persons behind a partial aggregate, for disclosure control.

    ``(n,)`` for distinct persons, ``(numerator, denominator)`` for a share of persons, the
    amount for a total or a ratio of counts (reports count persons without ids). A partial of
    a plugin's own type may define ``person_counts()``.

    Example:
        >>> person_counts(PersonsRatio(numerator=frozenset({"P1"}),
        ...                            denominator=frozenset({"P1", "P2"})))
        (1, 2)
    """
    own = getattr(partial, "person_counts", None)
    if callable(own):
        return tuple(own())
    if isinstance(partial, Persons):
        return (len(partial.ids),)
    if isinstance(partial, PersonsRatio):
        return (len(partial.numerator & partial.denominator), len(partial.denominator))
    if isinstance(partial, PerCapita):
        return (len(partial.persons),)
    if isinstance(partial, Ratio):
        return (int(partial.numerator), int(partial.denominator))
    if isinstance(partial, Total):
        return (int(partial.amount),)
    if isinstance(partial, Latest):
        return (int(partial.amount),)
    raise WrongTypeError(
        "partial",
        partial,
        "a partial aggregate whose persons can be told (one of territoires.measures, or one "
        "with a person_counts() method)",
    )


def _concerns(territories: frozenset[str], contract: Contract, geography: Gazetteer | None) -> bool:
    if not territories or contract.territory in territories:
        return True
    if geography is None:
        return False
    return any(geography.is_within(contract.territory, place) for place in territories)


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise v.fail(attribute, value, "a function")


def _dimensions(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.tuple_of(Dimension)(_, attribute, value)
    assert isinstance(value, tuple)
    if len(set(value)) != len(value):
        raise v.fail(attribute, value, "each dimension once")


def _categories(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, frozenset)
        or not value
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise v.fail(attribute, value, "a non-empty frozenset of category values")


@attrs.frozen(kw_only=True)
class ShareOf:
    """Where the persons behind a share appear in another indicator's breakdown.

    A share of persons reveals its numerator and denominator to anyone who knows one of them
    (the denominator is often a published count). Declaring the link lets disclosure control
    treat both tables together: the share is suppressed when publishing it would give back a
    suppressed cell of the breakdown, and the reverse. Computing either indicator computes the
    other for that purpose, so that statuses never depend on which indicators are asked for.

    Attributes:
        indicator: Name of the indicator that counts the persons (``beneficiaries``).
        dimension: The dimension of its breakdown the share is about (``age_band``).
        numerator: The categories whose persons make the numerator (``0-17``, ``18-25``).
        denominator: The categories whose persons make the denominator (the known ages).

    Example:
        >>> ShareOf(indicator="beneficiaries", dimension=Dimension.SEX,
        ...         numerator=frozenset({"female"}),
        ...         denominator=frozenset({"female", "male"})).dimension.value
        'sex'

    .. versionadded:: 0.1
    """

    indicator: str = attrs.field(validator=check_name)
    dimension: Dimension = attrs.field(validator=v.member_of(Dimension))
    numerator: frozenset[str] = attrs.field(validator=_categories)
    denominator: frozenset[str] = attrs.field(validator=_categories)


@attrs.frozen(kw_only=True)
class Indicator:
    """An indicator followed by steering committees, registered by a plugin.

    Attributes:
        name: Unique name; a plugin prefixes it with its namespace, usually the code of its
            territory (``200046977.logement_durable_6_mois``). Built-in indicators have none.
        label_fr: Short label in French.
        label_en: Short label in English.
        unit: Unit of the values.
        over_time: How values of successive periods combine.
        over_territory: How values of actions, contracts and territories combine.
        counts_persons: Whether values count persons; then disclosure control applies.
        compute: The calculator: from an :class:`IndicatorInput`, partial aggregates keyed by
            the values of ``dimensions`` (in that order; the empty tuple without dimensions).
        dimensions: What the values can be broken down by.
        granularity: Whether the calculator receives one action's rows or one contract's.
        description_fr: Definition in French, as the catalogue shows it.
        description_en: Definition in English.
        source: Where the definition comes from, if anywhere.
        territories: References of the territories whose contracts the indicator concerns
            (empty: all); see :meth:`concerns`.
        replaces: Name of the built-in indicator this one replaces, declared explicitly.
        share_of: For a share of persons, where its numerator and denominator appear in
            another indicator's breakdown (see :class:`ShareOf`); applies to the share's
            totals.
        counts_as: Name of an indicator whose totals count the same persons (a rate per
            10,000 inhabitants gives its count back): disclosure control publishes or
            suppresses the two totals together.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=check_name)
    label_fr: str = attrs.field(validator=v.text)
    label_en: str = attrs.field(validator=v.text)
    unit: Unit = attrs.field(validator=v.member_of(Unit))
    over_time: Aggregation = attrs.field(validator=v.member_of(Aggregation))
    over_territory: Aggregation = attrs.field(validator=v.member_of(Aggregation))
    counts_persons: bool = attrs.field(validator=v.boolean)
    compute: Calculator = attrs.field(validator=_callable, eq=False)
    dimensions: tuple[Dimension, ...] = attrs.field(default=(), validator=_dimensions)
    granularity: Granularity = attrs.field(
        default=Granularity.ACTION, validator=v.member_of(Granularity)
    )
    description_fr: str = attrs.field(default="", validator=v.any_text)
    description_en: str = attrs.field(default="", validator=v.any_text)
    source: Source | None = attrs.field(default=None, validator=v.optional(v.instance(Source)))
    territories: frozenset[str] = attrs.field(
        default=frozenset(), validator=v.territory_reference_set
    )
    replaces: str | None = attrs.field(default=None, validator=v.optional(check_name))
    share_of: ShareOf | None = attrs.field(default=None, validator=v.optional(v.instance(ShareOf)))
    counts_as: str | None = attrs.field(default=None, validator=v.optional(check_name))

    @property
    def namespace(self) -> str | None:
        """The namespace of the name (a territory code for local indicators), if any."""
        return namespace_of(self.name)

    def concerns(self, contract: Contract, geography: Gazetteer | None = None) -> bool:
        """Return True when the indicator is computed for ``contract``.

        Without ``territories``, every contract; otherwise the contracts whose territory is
        one of them, or lies within one of them when a geography is given (a contract of
        the city of Grenoble, within Grenoble-Alpes-Métropole).
        """
        return _concerns(self.territories, contract, geography)
