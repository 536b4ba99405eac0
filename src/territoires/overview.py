"""The contracts on a date: one read model shared by ``territoires show``, the report and plugins.

:func:`overview` computes, once, what every output says about "the contracts on a date":
one line per contract (its kind, territory, signature, period and status as amended on the
date, its avenants in force, its open actions and its euros), the cohorts of contracts by
year of signature, the budget by theme and by funder, and the next steering committees. It
does no I/O and formats nothing: the terminal, the HTML report and the Markdown plugin turn
the same figures into words with :mod:`territoires.wording`.

Rules every output shares, stated once here:

- **Amended on the date**: each contract is read as the avenants in force on ``on`` leave it
  (:meth:`~territoires.Contract.as_of`); an avenant effective later is not applied yet.
- **Budget**: every funding line of the actions of the contract as amended on the date (the
  lines avenants add included), whatever its year. ``spent`` sums the amounts spent that are
  known; it is None when no line of the group says what was spent.
- **Open actions**: the actions that run on the date and were not closed before it.
- **Next steering committees**: the meetings of the contract's calendar
  (:meth:`~territoires.Contract.steering_calendar`) **on or after** the date, at most
  ``committees`` of them; a contract with no end is followed for two years after the date.
- **Territory scope**: a contract counts when its territory is one of the references, or lies
  within one of them in the geography (a commune inside a listed EPCI or département); see
  :class:`TerritoryScope`, which the indicators use too.

Example:
    >>> import datetime as dt, territoires
    >>> seen = overview(territoires.demo.build(participations=0), on=dt.date(2021, 12, 31))
    >>> len(seen.contracts), [c.year for c in seen.cohorts]
    (18, [2019, 2021])

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from territoires._validate import OFFICIAL_GEOGRAPHY, _Official, resolve_geography
from territoires.exceptions import InvalidValueError, UnknownTerritoryError
from territoires.model.contract import Action, Amendment, Contract
from territoires.model.dataset import Dataset, Gazetteer
from territoires.model.dates import ApproximateDate
from territoires.model.enums import ContractKind, ContractStatus, FundingSource, Theme
from territoires.model.period import Period

__all__ = [
    "Budget",
    "BudgetLine",
    "CohortYear",
    "ContractLine",
    "Overview",
    "SteeringLine",
    "TerritoryScope",
    "overview",
]

NEXT_COMMITTEES = 2
"""How many next steering committees a line lists by default."""

_OPEN_HORIZON = relativedelta(years=2)  # how far the calendar of a contract with no end is read


@attrs.frozen(kw_only=True)
class TerritoryScope:
    """Which contracts' territories a restriction keeps: the test the report and indicators share.

    Attributes:
        references: The territory references asked for; None keeps every territory.
        geography: The geography that says what lies within what; None: only exact matches.

    Example:
        >>> TerritoryScope(references=None).contains("69123")
        True
        >>> TerritoryScope(references=("69123",)).contains("75056")
        False

    .. versionadded:: 0.2
    """

    references: tuple[str, ...] | None
    geography: Gazetteer | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        territories: Iterable[str] | None,
        geography: Gazetteer | None,
    ) -> TerritoryScope:
        """Return the scope of ``territories`` in ``dataset``, refusing unknown references.

        Args:
            dataset: The data whose contracts and territories are known.
            territories: References (INSEE, SIREN, ``dep:69``...); None for every territory.
            geography: The geography to find references and memberships in.

        Raises:
            UnknownTerritoryError: A reference is neither a contract's, the dataset's nor in
                the geography; the error suggests the nearest names.
        """
        if territories is None:
            return cls(references=None, geography=geography)
        references = tuple(dict.fromkeys(territories))
        known = {contract.territory for contract in dataset.contracts}
        for reference in references:
            if reference in known or dataset.territory(reference) is not None:
                continue
            if geography is not None and geography.lookup(reference) is None:
                raise UnknownTerritoryError(reference, geography.suggest(reference))
        return cls(references=references, geography=geography)

    def contains(self, reference: str) -> bool:
        """Return whether ``reference`` is in scope: listed, or within a listed territory."""
        if self.references is None or reference in self.references:
            return True
        geography = self.geography
        return geography is not None and any(
            geography.is_within(reference, place) for place in self.references
        )


@attrs.frozen(kw_only=True)
class BudgetLine:
    """The euros of one theme or one funding source.

    Attributes:
        category: The theme or the funding source.
        committed: Euros committed.
        spent: Euros spent that are known; None when no line says.
        share: Part of the group's committed euros, in percent; None when nothing is committed.

    .. versionadded:: 0.2
    """

    category: Theme | FundingSource
    committed: Decimal
    spent: Decimal | None
    share: Decimal | None


@attrs.frozen(kw_only=True)
class Budget:
    """Euros committed and spent, in total, by theme and by funding source.

    Attributes:
        committed: Euros committed.
        spent: Euros spent that are known; None when no funding line says.
        by_theme: One line per theme, largest commitment first.
        by_funder: One line per funding source, largest commitment first.

    .. versionadded:: 0.2
    """

    committed: Decimal
    spent: Decimal | None
    by_theme: tuple[BudgetLine, ...]
    by_funder: tuple[BudgetLine, ...]


@attrs.frozen(kw_only=True)
class ContractLine:
    """A contract as amended on the date, with its status, open actions and euros.

    Attributes:
        id: Id of the contract.
        kind: CTAIR, CTAI or PTAI.
        territory: Reference of its territory.
        territory_name: Name of its territory (the dataset's, else the geography's).
        signed_on: Date of signature, None when not signed or signed on an unknown date.
        cohort: Year of signature (of start, for a contract not signed or signed on an
            unknown date).
        period: Its period with the avenants in force on the date.
        prolonged: Whether an avenant in force moved its end.
        amendments: Number of avenants in force on the date.
        in_force: Those avenants, in the order they apply.
        status: Draft, signed, active or ended on the date.
        open_actions: Number of its actions open on the date.
        budget: Its euros (every funding line of its actions as amended).
        next_committees: Its next steering committees on or after the date.
        ends_on: Its end once every avenant, future ones included, applies.
        contract: The contract as amended on the date.
        signature: The signing date with its precision (day, month, year or unknown); None
            when not signed.
        status_approximate: Whether ``status`` depends on a signing day the sources do not
            give (see :meth:`~territoires.Contract.status_is_approximate`).
        committees_approximate: Whether ``next_committees`` start from such a day.

    .. versionadded:: 0.2
    """

    id: str
    kind: ContractKind
    territory: str
    territory_name: str
    signed_on: dt.date | None
    cohort: int
    period: Period
    prolonged: bool
    amendments: int
    in_force: tuple[Amendment, ...] = attrs.field(eq=False, repr=False)
    status: ContractStatus
    open_actions: int
    budget: Budget
    next_committees: tuple[dt.date, ...]
    ends_on: dt.date | None
    contract: Contract = attrs.field(eq=False, repr=False)
    signature: ApproximateDate | None = None
    status_approximate: bool = False
    committees_approximate: bool = False

    @property
    def committed(self) -> Decimal:
        """Euros committed on the contract."""
        return self.budget.committed

    @property
    def spent(self) -> Decimal | None:
        """Euros spent on the contract, when known."""
        return self.budget.spent

    @property
    def actions(self) -> tuple[Action, ...]:
        """Its actions as amended on the date."""
        return self.contract.actions


@attrs.frozen(kw_only=True)
class CohortYear:
    """The contracts signed in one year (a cohort: 2019, 2021...).

    Attributes:
        year: Year of signature (of start, for a contract not signed).
        kinds: Number of contracts of each kind, in the order of :class:`~territoires.ContractKind`.
        statuses: Number of contracts of each status on the date, in the order of
            :class:`~territoires.ContractStatus` (statuses with no contract left out).
        territories: Names of their territories, sorted.

    .. versionadded:: 0.1
    """

    year: int
    kinds: tuple[tuple[ContractKind, int], ...]
    territories: tuple[str, ...]
    statuses: tuple[tuple[ContractStatus, int], ...] = ()

    @property
    def total(self) -> int:
        """Number of contracts of the year."""
        return sum(count for _, count in self.kinds)


@attrs.frozen(kw_only=True)
class SteeringLine:
    """The next steering committees of a contract, on or after the date.

    Attributes:
        contract: Id of the contract.
        territory_name: Name of its territory.
        dates: The next meetings on or after the date (at most ``committees``).
        ends_on: End of the contract as finally amended.
        approximate: Whether the dates start from a signing day the sources do not give.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``approximate``.
    """

    contract: str
    territory_name: str
    dates: tuple[dt.date, ...]
    ends_on: dt.date | None
    approximate: bool = False


@attrs.frozen(kw_only=True)
class Overview:
    """The contracts on a date, computed once by :func:`overview`.

    Attributes:
        on: The date.
        scope: The territories kept.
        contracts: One line per contract in scope, by date of signature then id.
        cohorts: The contracts by year of signature.
        budget: The euros of every contract in scope.
        steering: The next steering committees, earliest first.

    .. versionadded:: 0.2
    """

    on: dt.date
    scope: TerritoryScope
    contracts: tuple[ContractLine, ...]
    cohorts: tuple[CohortYear, ...]
    budget: Budget
    steering: tuple[SteeringLine, ...]

    def contract(self, contract_id: str) -> ContractLine | None:
        """Return the line of the contract ``contract_id``, if it is in scope."""
        return next((line for line in self.contracts if line.id == contract_id), None)


def overview(
    dataset: Dataset,
    *,
    on: dt.date,
    territories: Iterable[str] | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    committees: int = NEXT_COMMITTEES,
) -> Overview:
    """Return the contracts of ``dataset`` on the date ``on``.

    Args:
        dataset: The data.
        on: The date: the contracts are read as amended on it, their status is theirs on it.
        territories: References of the territories to keep (a contract of a commune within a
            listed EPCI counts); every contract by default.
        geography: The geography giving names and memberships; the official one by default.
        committees: How many next steering committees each line lists.

    Returns:
        The overview, with the rules stated in :mod:`territoires.overview`.

    Raises:
        UnknownTerritoryError: A territory is neither in the geography nor a contract's.
        InvalidValueError: ``on`` is not a date.

    .. versionadded:: 0.2
    """
    if not isinstance(on, dt.date):
        raise InvalidValueError("on", on, "a datetime.date")
    places = resolve_geography(geography)
    scope = TerritoryScope.of(dataset, territories, places)
    names = _names(dataset, places)
    contracts = sorted(
        (c for c in dataset.contracts if scope.contains(c.territory)),
        key=lambda c: (c.signed_from or dt.date.max, c.id),
    )
    lines = tuple(_line(contract, on, names, committees) for contract in contracts)
    steering = tuple(
        sorted(
            (
                SteeringLine(
                    contract=line.id,
                    territory_name=line.territory_name,
                    dates=line.next_committees,
                    ends_on=line.ends_on,
                    approximate=line.committees_approximate,
                )
                for line in lines
            ),
            key=lambda s: (s.dates[:1] or (dt.date.max,), s.territory_name, s.contract),
        )
    )
    return Overview(
        on=on,
        scope=scope,
        contracts=lines,
        cohorts=_cohorts(lines),
        budget=_budget([action for line in lines for action in line.actions]),
        steering=steering,
    )


# -- building -----------------------------------------------------------------------------------


def _names(dataset: Dataset, geography: Gazetteer | None) -> Callable[[str], str]:
    """Names of territories: the dataset's, else the geography's, else the reference."""

    def name(reference: str) -> str:
        territory = dataset.territory(reference)
        if territory is None and geography is not None:
            territory = geography.lookup(reference)
        return territory.name if territory is not None else reference

    return name


def _line(
    contract: Contract, on: dt.date, names: Callable[[str], str], committees: int
) -> ContractLine:
    amended = contract.as_of(on)
    in_force = contract.amendments_in_force(on)
    return ContractLine(
        id=contract.id,
        kind=contract.kind,
        territory=contract.territory,
        territory_name=names(contract.territory),
        signed_on=contract.signed_on,
        cohort=(contract.signed_from or contract.period.start).year,
        period=amended.period,
        prolonged=amended.period.end != contract.period.end,
        amendments=len(in_force),
        in_force=in_force,
        status=contract.status(on),
        open_actions=sum(1 for action in amended.actions if action.is_open(on)),
        budget=_budget(amended.actions),
        next_committees=_next_committees(contract, on, committees),
        ends_on=contract.final_period.end,
        contract=amended,
        signature=contract.signature,
        status_approximate=contract.status_is_approximate(on),
        committees_approximate=contract.calendar_is_approximate(),
    )


def _next_committees(contract: Contract, on: dt.date, committees: int) -> tuple[dt.date, ...]:
    until = None if contract.final_period.end is not None else on + _OPEN_HORIZON
    upcoming: list[dt.date] = []
    if committees <= 0:
        return ()
    for meeting in contract.steering_calendar(until=until):
        if meeting >= on:
            upcoming.append(meeting)
            if len(upcoming) == committees:
                break
    return tuple(upcoming)


def _budget(actions: Sequence[Action]) -> Budget:
    committed: dict[Theme | FundingSource, Decimal] = defaultdict(Decimal)
    spent: dict[Theme | FundingSource, Decimal | None] = {}
    total = Decimal(0)
    total_spent: Decimal | None = None
    for action in actions:
        for line in action.funding:
            total += line.committed
            for key in (action.theme, line.source):
                committed[key] += line.committed
                spent.setdefault(key, None)
                if line.spent is not None:
                    spent[key] = (spent[key] or Decimal(0)) + line.spent
            if line.spent is not None:
                total_spent = (total_spent or Decimal(0)) + line.spent

    def lines(kind: type[Theme] | type[FundingSource]) -> tuple[BudgetLine, ...]:
        order = list(kind)
        found = [
            BudgetLine(
                category=key,
                committed=value,
                spent=spent[key],
                share=100 * value / total if total else None,
            )
            for key, value in committed.items()
            if isinstance(key, kind)
        ]
        found.sort(key=lambda line: (-line.committed, order.index(line.category)))
        return tuple(found)

    return Budget(
        committed=total,
        spent=total_spent,
        by_theme=lines(Theme),
        by_funder=lines(FundingSource),
    )


def _cohorts(lines: Sequence[ContractLine]) -> tuple[CohortYear, ...]:
    by_year: dict[int, list[ContractLine]] = defaultdict(list)
    for line in lines:
        by_year[line.cohort].append(line)
    return tuple(
        CohortYear(
            year=year,
            kinds=tuple(
                (kind, n)
                for kind in ContractKind
                if (n := sum(1 for c in by_year[year] if c.kind is kind))
            ),
            statuses=tuple(
                (status, n)
                for status in ContractStatus
                if (n := sum(1 for c in by_year[year] if c.status is status))
            ),
            territories=tuple(sorted(c.territory_name for c in by_year[year])),
        )
        for year in sorted(by_year)
    )
