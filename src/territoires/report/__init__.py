"""The steering-committee report: one self-contained HTML file for a period.

:func:`build_report` computes once what the report shows, answering the committee's question
"how is each contract doing": first a **scorecard** of the contracts (status, euros committed
and spent, actions on track, well behind or without report); then **a section per contract**
(a printed page each): its dates and avenants (each with its date and what it changed), its
budget by funder, and every action, with or without a target, with its value over the
previous period, the period and since its start, its target and what the target is for, a
progress bar and flags (well behind the prorated target, no operator report for the period,
participations still open after the action's end). Then the cohorts, the budget by theme and
by funder, the beneficiaries by public category, sex and age band, the next steering
committees, the provenance of the data and the rules the report applies.

The contracts, their cohorts and their next committees come from the read model every output
shares (:func:`territoires.overview.overview`); numbers and dates are written by
:mod:`territoires.wording`. :func:`render_html` turns a :class:`Report` into a single HTML
page, in French or in English, that loads nothing from the network (inline CSS and inline SVG
charts and bars, no JavaScript) and prints legibly in black and white;
:func:`territoires.export` writes it (format ``html``), as ``territoires report`` does.

Counts of persons come from :func:`~territoires.indicators.compute_indicators`, protected by
disclosure control: a suppressed cell reaches the report with its status and **no value**,
so neither a table, a chart nor a progress bar can show it. The period's table, the previous
period's and the cumulative one are protected **together**: each is computed with a ledger
holding the releases of those before it (:class:`territoires.publication.Ledger`), so that no
difference of two published figures gives a hidden one back; :attr:`Report.tables` holds the
three, to record in a ledger.

Rules (also written at the end of the report): an action's *window* is its period as amended
within its contract's, ended the day before an avenant closed it; a target for a period is
compared with the period's value, a target for the whole action with the value from the
action's start to the end of the period; the *prorated* target is the target times the
elapsed share of the action's window (of the target's year, for a period's target) at the end
of the period; an action is *well behind* when its value is below :data:`WELL_BEHIND` (75 %) of
the prorated target; a suppressed value is *not assessed*.

Charts need matplotlib, an optional dependency (``pip install "territoires[report]"``);
without it the report has the same tables and a note in place of each chart.

Example:
    >>> import datetime as dt, territoires
    >>> from territoires.plugins import get_plugin_manager
    >>> report = build_report(
    ...     territoires.demo.build(participations=300), period="2021",
    ...     plugins=get_plugin_manager(autoload=False), today=dt.date(2022, 1, 15))
    >>> len(report.contracts), report.synthetic
    (18, True)
    >>> page = render_html(report)
    >>> page.startswith("<!DOCTYPE html>"), "DONNÉES SYNTHÉTIQUES" in page
    (True, True)

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs
import numpy as np

from territoires._enum import LabelledEnum, Lang
from territoires._validate import OFFICIAL_GEOGRAPHY, _Official
from territoires._version import __version__
from territoires.disclosure import DEFAULT_THRESHOLD, AuditReport, CellStatus
from territoires.exceptions import InvalidArgumentError
from territoires.indicators import (
    NATIONAL,
    IndicatorRow,
    IndicatorTable,
    Level,
    _indicator_table,
    compute_indicators,
    parse_period,
)
from territoires.measures import Dimension, Unit, category_label
from territoires.model._validators import (
    DATASET_EXPECTED,
    check_instance,
    is_date,
    not_a_date,
)
from territoires.model.columns import NO_DATE
from territoires.model.contract import Action, Contract, Target
from territoires.model.dataset import Dataset, DatasetInfo, Gazetteer
from territoires.model.enums import (
    AgeBand,
    FundingSource,
    PublicCategory,
    Sex,
    TargetKind,
    Theme,
)
from territoires.model.period import Period
from territoires.overview import CohortYear, ContractLine, Overview, SteeringLine, overview
from territoires.plugins import PluginManager, default_plugin_manager
from territoires.publication import Ledger, release_of
from territoires.report._text import words

__all__ = [
    "WELL_BEHIND",
    "ActionLine",
    "ActionProgress",
    "Breakdown",
    "Budget",
    "BudgetLine",
    "ContractSection",
    "Count",
    "Definition",
    "Figure",
    "Place",
    "ProgressState",
    "Report",
    "build_report",
    "render_html",
]

BUDGET_INDICATORS = ("committed_euros", "spent_euros", "cofunding_rate")
PERSONS_INDICATORS = ("beneficiaries", "reported_beneficiaries")
PERSONS_DIMENSIONS = (Dimension.PUBLIC_CATEGORY, Dimension.SEX, Dimension.AGE_BAND)
_ORDER: dict[Dimension, type[LabelledEnum]] = {
    Dimension.THEME: Theme,
    Dimension.FUNDER: FundingSource,
    Dimension.PUBLIC_CATEGORY: PublicCategory,
    Dimension.SEX: Sex,
    Dimension.AGE_BAND: AgeBand,
}
_NEXT_MEETINGS = 2


@attrs.frozen(kw_only=True)
class Place:
    """Where the figures of a section are totalled: every contract, or one territory.

    Attributes:
        reference: ``FR`` for every contract in the dataset, else a territory reference.
        name: Its name in the report's language.

    .. versionadded:: 0.1
    """

    reference: str
    name: str


@attrs.frozen(kw_only=True)
class BudgetLine:
    """Euros of one theme or one funder over the period.

    Attributes:
        category: Value of the theme or funding source (``housing``, ``p104_15``...).
        label: Its label in the report's language.
        committed: Euros committed.
        spent: Euros spent, None when no amount spent is known.
        cofunding: Share committed by the local authority, in percent, for a theme.

    .. versionadded:: 0.1
    """

    category: str
    label: str
    committed: Decimal
    spent: Decimal | None
    cofunding: Decimal | None = None


@attrs.frozen(kw_only=True)
class Budget:
    """The budget of a place: totals, then by theme and by funder.

    Attributes:
        place: Where the euros are totalled.
        committed: Euros committed.
        spent: Euros spent, None when no amount spent is known.
        cofunding: Share committed by the local authority, in percent.
        by_theme: One line per theme, largest commitment first.
        by_funder: One line per funding source, largest commitment first.

    .. versionadded:: 0.1
    """

    place: Place
    committed: Decimal
    spent: Decimal | None
    cofunding: Decimal | None
    by_theme: tuple[BudgetLine, ...]
    by_funder: tuple[BudgetLine, ...]


class ProgressState(LabelledEnum):
    """How an action stands against its target at the end of the period.

    .. versionadded:: 0.2
    """

    ON_TRACK = ("on_track", "dans la trajectoire", "on track")
    BEHIND = ("behind", "très en retard", "well behind")
    NOT_ASSESSED = ("not_assessed", "non évaluable", "not assessed")
    NO_TARGET = ("no_target", "sans objectif", "no target")


WELL_BEHIND = Decimal("0.75")
"""An action is *well behind* when its value is below this share of its prorated target."""


@attrs.frozen(kw_only=True)
class Figure:
    """One published-or-suppressed value: a suppressed cell carries no value.

    Attributes:
        value: The value; always None unless the cell is published.
        status: Published, suppressed or undefined.

    .. versionadded:: 0.2
    """

    value: Decimal | None
    status: CellStatus

    @property
    def shown(self) -> bool:
        """Whether the value can be shown."""
        return self.value is not None and not self.status.suppressed


@attrs.frozen(kw_only=True)
class ActionProgress:
    """One indicator of an action: the period, the previous one, since the start, the target.

    Attributes:
        indicator: Name of the indicator.
        indicator_label: Its label in the report's language.
        unit: Unit of the values and target.
        previous: Its value over the previous period (None when the period has none).
        current: Its value over the period.
        cumulative: Its value from the start of the action to the end of the period.
        target: The target that applies, None when none does.
        target_kind: What the target is for (:class:`~territoires.TargetKind`): one period
            (compared with the period's value), the whole action or the whole contract
            (compared with the value since its start); None without target.
        prorated: The target times the elapsed share of its span at the end of the period
            (the action's window for a whole-action target); None without target.
        achievement: The compared value over the whole target, as a fraction, when the value
            is published.
        state: On track, well behind, not assessed (value suppressed) or no target.

    .. versionadded:: 0.2
    """

    indicator: str
    indicator_label: str
    unit: Unit
    previous: Figure | None
    current: Figure
    cumulative: Figure | None
    target: Decimal | None
    target_kind: TargetKind | None
    prorated: Decimal | None
    achievement: Decimal | None
    state: ProgressState

    @property
    def compared(self) -> Figure | None:
        """The value compared with the target (the period's, or since the action's start)."""
        if self.target_kind in (TargetKind.ACTION, TargetKind.CONTRACT):
            return self.cumulative
        return self.current


@attrs.frozen(kw_only=True)
class ActionLine:
    """An action in its contract's section: every action, with or without a target.

    Attributes:
        id: Id of the action.
        title: Its title.
        theme: Its theme.
        window: The days a participation can count: the action's period as amended within
            the contract's, ended the day before the action was closed.
        indicators: Its indicators: those of its targets, else the count of beneficiaries;
            an action known by its operator's reports also shows the count reported.
        no_report: Flag: it runs in the period, its operator reports counts (or nothing at
            all was received for it), and no report covers its days of the period.
        open_after_end: Flag: its window ended by the end of the period and participations
            are still open after that end (no exit date, or an exit after it).

    .. versionadded:: 0.2
    """

    id: str
    title: str
    theme: Theme
    window: Period
    indicators: tuple[ActionProgress, ...]
    no_report: bool
    open_after_end: bool

    @property
    def state(self) -> ProgressState:
        """The action's worst state over its indicators with a target."""
        states = {progress.state for progress in self.indicators}
        for state in (ProgressState.BEHIND, ProgressState.NOT_ASSESSED, ProgressState.ON_TRACK):
            if state in states:
                return state
        return ProgressState.NO_TARGET


@attrs.frozen(kw_only=True)
class ContractSection:
    """What the report says about one contract (a printed page of its own).

    Attributes:
        line: The contract on the report's date (:class:`territoires.overview.ContractLine`):
            status, period and avenants in force, euros.
        actions: Every action of the contract as amended, in the contract's order.
        targets: The contract's own targets (:attr:`Contract.targets
            <territoires.Contract.targets>`) against its value at contract level.

    .. versionadded:: 0.2
    """

    line: ContractLine
    actions: tuple[ActionLine, ...]
    targets: tuple[ActionProgress, ...] = ()

    def count(self, state: ProgressState) -> int:
        """Return the number of actions in ``state``."""
        return sum(1 for action in self.actions if action.state is state)

    @property
    def without_report(self) -> int:
        """The number of actions without an operator report for the period (a flag)."""
        return sum(1 for action in self.actions if action.no_report)


@attrs.frozen(kw_only=True)
class Count:
    """One cell of a count of persons: published with its value, or suppressed without it.

    Attributes:
        category: Value of the category (``female``, ``18-25``...), None for the total.
        label: Its label in the report's language.
        value: The count; always None unless the cell is published.
        status: Published, primary or secondary suppression, or undefined.

    .. versionadded:: 0.1
    """

    category: str | None
    label: str
    value: Decimal | None
    status: CellStatus


@attrs.frozen(kw_only=True)
class Breakdown:
    """A count of persons of a place broken down by one dimension.

    Attributes:
        place: Where the persons are counted.
        indicator: Name of the indicator (``beneficiaries``, ``reported_beneficiaries``).
        indicator_label: Its label in the report's language.
        dimension: Public category, sex or age band.
        total: The total of the place.
        cells: One count per category, in the order of the categories' enumeration.

    .. versionadded:: 0.1
    """

    place: Place
    indicator: str
    indicator_label: str
    dimension: Dimension
    total: Count
    cells: tuple[Count, ...]


@attrs.frozen(kw_only=True)
class Definition:
    """What an indicator of the report measures.

    Attributes:
        name: Name of the indicator.
        label: Its label in the report's language.
        description: Its definition in the report's language.

    .. versionadded:: 0.1
    """

    name: str
    label: str
    description: str


@attrs.frozen(kw_only=True)
class Report:
    """Everything a steering-committee report shows, computed once by :func:`build_report`.

    Attributes:
        lang: Language of the labels (``fr`` or ``en``).
        info: Title, description, licence and sources of the dataset.
        version: Version of territoires that computed the report.
        period: The period reported on.
        on: The date of the contracts' status: the end of the period.
        generated_on: The day the report was produced.
        threshold: The smallest count of persons published.
        scope: Territory references the report is restricted to; None for every contract.
        places: Where the budget and the beneficiaries are totalled.
        contracts: The contracts in scope, by date of signature.
        cohorts: The contracts by year of signature.
        budgets: The budget of each place.
        previous: The period before, of the same length, shown beside it; None for an
            open period.
        sections: One section per contract: its actions against their targets, flags.
        beneficiaries: Counts of persons of each place, by dimension.
        steering: Next steering committees of each contract.
        definitions: What each indicator shown measures.
        audit: The audit of the counts of persons shown (the certificate the report
            summarises in one paragraph and writes beside itself), None if not audited.
        table: The engine's table of the period, with the persons behind each cell:
            private, for the publication ledger (:func:`territoires.publication.release_of`);
            never shown.
        tables: Every engine table the report shows (the period, the previous period, the
            cumulative values), protected together: record them all in a ledger.
        data_errors: How many errors :func:`territoires.validate` found in the data the
            report was built from: 0 normally, more only when built with
            ``allow_invalid=True``, and then the report says so at the top.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``data_errors``.
    """

    lang: Lang
    info: DatasetInfo
    version: str
    period: Period
    on: dt.date
    generated_on: dt.date
    threshold: int
    scope: tuple[str, ...] | None
    places: tuple[Place, ...]
    contracts: tuple[ContractLine, ...]
    cohorts: tuple[CohortYear, ...]
    budgets: tuple[Budget, ...]
    previous: Period | None
    sections: tuple[ContractSection, ...]
    beneficiaries: tuple[Breakdown, ...]
    steering: tuple[SteeringLine, ...]
    definitions: tuple[Definition, ...]
    audit: AuditReport | None = attrs.field(default=None, eq=False)
    table: IndicatorTable | None = attrs.field(default=None, eq=False, repr=False)
    tables: tuple[IndicatorTable, ...] = attrs.field(default=(), eq=False, repr=False)
    data_errors: int = 0

    @property
    def synthetic(self) -> bool:
        """Whether the data is synthetic, in which case the report says so at the top and end."""
        return self.info.synthetic


def build_report(
    dataset: Dataset,
    *,
    period: Period | str,
    territories: Iterable[str] | None = None,
    lang: Lang = "fr",
    threshold: int = DEFAULT_THRESHOLD,
    plugins: PluginManager | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    today: dt.date | None = None,
    ledger: Ledger | None = None,
    fingerprint: str | None = None,
    allow_invalid: bool = False,
) -> Report:
    """Compute what the steering-committee report of ``period`` shows.

    Only from valid data: a dataset with errors (those :func:`territoires.validate` finds)
    is refused unless ``allow_invalid`` is True; warnings never block.

    Args:
        dataset: The data.
        period: A :class:`~territoires.Period`, or a text: ``2021``, ``2021-S1``,
            ``2021-01-01..2021-06-30``.
        territories: References of the territories to report on (a contract of a commune
            within a listed EPCI counts); every contract by default. The budget and the
            beneficiaries are then given territory by territory.
        lang: ``fr`` (default) or ``en``.
        threshold: The smallest count of persons published (11 by default).
        plugins: The plugin manager whose indicators to use; the default one otherwise.
        geography: The geography (names, memberships, populations); the official one by
            default.
        today: The date the report is produced (today by default).
        ledger: What was published before: the counts are protected together with it (see
            :func:`~territoires.indicators.compute_indicators`); record the report's
            release afterwards from :attr:`Report.table`.
        fingerprint: The dataset's fingerprint (:func:`territoires.io.fingerprint`), which
            tells the ledger's releases computed from the same data.
        allow_invalid: True builds the report from a dataset with errors anyway; it then
            counts them in :attr:`Report.data_errors` and says so at the top.

    Returns:
        The report, ready for :func:`render_html`.

    Raises:
        InvalidDataError: the dataset has errors and ``allow_invalid`` is False; its
            ``problems`` are the errors.
        FormatError: The period cannot be read.
        UnknownTerritoryError: A territory is neither in the geography nor a contract's.
        UnknownIndicatorError: The plugins do not register the national indicators the
            report needs (budget and beneficiaries).
        InvalidArgumentError: ``lang`` is neither ``fr`` nor ``en`` (also a ``ValueError``).
        WrongTypeError: ``today`` is not a ``datetime.date``, or ``dataset`` not a
            :class:`~territoires.Dataset`.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``allow_invalid``; a dataset with errors is refused.
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    if lang not in ("fr", "en"):
        raise InvalidArgumentError("lang", lang, "'fr' or 'en'")
    if today is not None and not is_date(today):
        raise not_a_date("today", today)
    chosen = parse_period(period)
    generated_on = today or dt.date.today()
    on = chosen.end or generated_on
    seen = overview(dataset, on=on, territories=territories, geography=geography)
    scope = seen.scope.references
    manager = plugins if plugins is not None else default_plugin_manager()
    registry = manager.indicators
    target_names = sorted(
        {
            target.indicator
            for line in seen.contracts
            for action in line.actions
            for target in (*action.targets, *line.contract.targets)
            if target.indicator in registry
        }
    )
    persons = [name for name in PERSONS_INDICATORS if name in registry]
    wanted = list(dict.fromkeys([*BUDGET_INDICATORS, *persons, *target_names]))
    per_action = list(dict.fromkeys([*persons, *target_names]))
    # The three tables are protected together: each is computed with a ledger holding the
    # releases of those before it, so no difference of published figures gives back a
    # hidden one (the year minus the cumulative, the period minus the previous...).
    mark = fingerprint or _SAME_DATA
    together = ledger if ledger is not None else Ledger()
    levels = (
        Level.ACTION,
        Level.CONTRACT,  # the contracts' own targets
        Level.NATIONAL if scope is None else Level.TERRITORY,
    )
    engine = compute_indicators(
        dataset,
        period=chosen,
        territories=scope,
        level=levels,
        indicators=wanted,
        threshold=threshold,
        plugins=manager,
        geography=geography,
        ledger=together,
        fingerprint=mark,
        allow_invalid=allow_invalid,  # the one check of the dataset: the engine's
    )
    engines = [engine]
    previous = _previous(chosen)
    since = _since(seen, chosen)
    extra: dict[str, IndicatorTable] = {}
    for key, extra_period in (("previous", previous), ("cumulative", since)):
        if extra_period is None or not per_action:
            continue
        together = together.with_release(release_of(engines[-1], fingerprint=mark))
        extra[key] = _indicator_table(
            dataset,
            period=extra_period,
            territories=scope,
            # The levels of the period's table: the attacker relates each cell over time
            # with the same cell of the other tables.
            level=levels,
            indicators=per_action,
            threshold=threshold,
            plugins=manager,
            geography=geography,
            ledger=together,
            fingerprint=mark,
            audit=True,
            allow_invalid=allow_invalid,
            # The dataset was checked once, for the period's table: not twice more.
            data_errors=engine.data_errors,
        )
        engines.append(extra[key])
    table = engine.published()  # what a report shows: one status for every suppressed cell
    names = {line.territory: line.territory_name for line in seen.contracts}
    if scope is None:
        places: tuple[Place, ...] = (Place(reference=NATIONAL, name=words("national", lang)),)
    else:
        references = sorted(names, key=lambda r: (names[r], r))
        places = tuple(Place(reference=r, name=names[r]) for r in references)
    progress = _Progress(
        dataset,
        chosen,
        table,
        extra["previous"].published() if "previous" in extra else None,
        extra["cumulative"].published() if "cumulative" in extra else None,
        lang,
    )
    audits = [e.audit for e in engines if e.audit is not None]
    audit = next((a for a in audits if a.exposed), engine.audit)
    return Report(
        lang=lang,
        info=dataset.info,
        version=__version__,
        period=chosen,
        on=on,
        generated_on=generated_on,
        threshold=threshold,
        scope=scope,
        places=places,
        contracts=seen.contracts,
        cohorts=seen.cohorts,
        budgets=tuple(_budget(table, place, lang) for place in places),
        previous=previous,
        sections=tuple(
            ContractSection(
                line=line, actions=progress.actions(line), targets=progress.contract(line)
            )
            for line in seen.contracts
        ),
        beneficiaries=tuple(
            breakdown
            for place in places
            for name in persons
            for breakdown in _breakdowns(table, place, name, lang)
        ),
        steering=seen.steering,
        definitions=tuple(
            Definition(
                name=name,
                label=_label(table, name, lang),
                description=(
                    table.indicators[name].description_fr
                    if lang == "fr"
                    else table.indicators[name].description_en
                ),
            )
            for name in wanted
        ),
        audit=audit,
        table=engine,
        tables=tuple(engines),
        data_errors=engine.data_errors,
    )


def render_html(report: Report) -> str:
    """Return the report as one self-contained HTML page.

    The page loads nothing: its style and its charts (SVG, drawn by matplotlib when it is
    installed) are inline, and it runs no script. The same report always gives the same
    text. Without matplotlib, each chart is replaced by a note saying how to get it.

    Args:
        report: What :func:`build_report` computed.

    Returns:
        The page, starting with ``<!DOCTYPE html>``.

    Raises:
        WrongTypeError: ``report`` is not a :class:`Report` (a dataset, say).

    .. versionadded:: 0.1
    """
    check_instance("report", report, Report, "a Report, which build_report(dataset) returns")
    from territoires.report._html import render

    return render(report)


# -- building -----------------------------------------------------------------------------------

_SAME_DATA = "territoires:report:same-data"  # marks the report's own tables as one data state


def _previous(period: Period) -> Period | None:
    """The period of the same length just before ``period``: the year, semester or days before."""
    if period.end is None:
        return None
    start, end = period.start, period.end
    if period == Period.year(start.year):
        return Period.year(start.year - 1)
    for half in (1, 2):
        if period == Period.semester(start.year, half):
            return Period.semester(start.year - (half == 1), 2 if half == 1 else 1)
    days = (end - start).days + 1
    before = start - dt.timedelta(days=1)
    return Period(before - dt.timedelta(days=days - 1), before)


def _since(seen: Overview, period: Period) -> Period | None:
    """From the earliest start of an action in scope to the end of ``period``."""
    if period.end is None:
        return None
    starts = [action.period.start for line in seen.contracts for action in line.actions]
    first = min(starts, default=period.start)
    return Period(min(first, period.start), period.end)


def _days(period: Period, until: dt.date | None = None) -> int:
    """Days of ``period`` up to ``until`` (inclusive); 0 when it starts after."""
    end = period.end if until is None or (period.end is not None and period.end < until) else until
    if end is None or end < period.start:
        return 0
    return (end - period.start).days + 1


class _Progress:
    """Builds the action lines of the sections from the three published tables."""

    def __init__(
        self,
        dataset: Dataset,
        period: Period,
        current: IndicatorTable,
        previous: IndicatorTable | None,
        cumulative: IndicatorTable | None,
        lang: Lang,
    ) -> None:
        self.dataset, self.period, self.lang = dataset, period, lang
        self.current = current
        found = (current, previous, cumulative)
        self.tables = tuple(
            _by_entity(table, Level.ACTION) if table is not None else None for table in found
        )
        self.contracts = tuple(
            _by_entity(table, Level.CONTRACT) if table is not None else None for table in found
        )
        self.reports: dict[str, list[Period]] = defaultdict(list)
        for report in dataset.reports:
            self.reports[report.action].append(report.period)
        self.with_rows: set[str] = set()
        # The latest exit of each action's rows (an open row: the end of time), all that
        # "participations open after the action's end" needs: no list of a million dates.
        self._last_exit: dict[str, dt.date] = {}
        columns = dataset.participations.columns
        action = columns.action
        if len(columns):
            # An open row is the end of time; the latest exit of each action's rows, on columns.
            exits = np.where(columns.exit == NO_DATE, dt.date.max.toordinal(), columns.exit)
            latest = np.zeros(len(action.values), dtype=np.int32)
            np.maximum.at(latest, action.codes, exits)
            for code in np.flatnonzero(latest).tolist():
                self._last_exit[action.values[code]] = dt.date.fromordinal(int(latest[code]))
        self.with_rows.update(self._last_exit)

    def actions(self, line: ContractLine) -> tuple[ActionLine, ...]:
        return tuple(self.action(action, line.contract) for action in line.actions)

    def contract(self, line: ContractLine) -> tuple[ActionProgress, ...]:
        """The contract's own targets against its values at contract level."""
        contract = line.contract
        targets = {t.indicator: t for t in contract.targets if self.applies(t)}
        return tuple(
            self.progress(contract.id, contract.period, name, target, self.contracts)
            for name, target in targets.items()
            if name in self.current.indicators
        )

    def action(self, action: Action, contract: Contract) -> ActionLine:
        window = action.window_in(contract)
        targets = {t.indicator: t for t in action.targets if self.applies(t)}
        names = [n for n in targets if n in self.current.indicators]
        # Every action shows its persons: those its operator reports when it reports counts.
        reported = action.id in self.reports and action.id not in self.with_rows
        default = "reported_beneficiaries" if reported else "beneficiaries"
        if default in self.current.indicators and (not names or reported):
            names = list(dict.fromkeys([*names, default]))
        return ActionLine(
            id=action.id,
            title=action.title,
            theme=action.theme,
            window=window,
            indicators=tuple(
                self.progress(action.id, window, n, targets.get(n), self.tables) for n in names
            ),
            no_report=self.no_report(action, window),
            open_after_end=self.open_after_end(action, window),
        )

    def applies(self, target: Target) -> bool:
        """A whole-action or whole-contract target always; one period's, on that period only.

        The engine's rule (:class:`~territoires.TargetKind`): a target of 2021 is not
        compared with a semester of 2021, nor with 2022.
        """
        if target.kind is not TargetKind.PERIOD:
            return True
        return target.period == self.period

    @staticmethod
    def figure(
        tables: Sequence[dict[tuple[str, str], IndicatorRow] | None],
        index: int,
        entity: str,
        name: str,
    ) -> Figure | None:
        table = tables[index]
        if table is None:
            return None
        row = table.get((entity, name))
        if row is None:  # no row: nothing in the period, a zero that reveals no one
            return Figure(value=Decimal(0), status=CellStatus.PUBLISHED)
        shown = row.value if not row.status.suppressed else None
        return Figure(value=shown, status=row.status)

    def progress(
        self,
        entity: str,
        window: Period,
        name: str,
        target: Target | None,
        tables: Sequence[dict[tuple[str, str], IndicatorRow] | None],
    ) -> ActionProgress:
        """One indicator of an action (or a contract, ``window`` its period) and its target."""
        current = self.figure(tables, 0, entity, name)
        assert current is not None
        previous = self.figure(tables, 1, entity, name)
        cumulative = self.figure(tables, 2, entity, name)
        definition = self.current.indicators[name]
        progress = ActionProgress(
            indicator=name,
            indicator_label=definition.label_fr if self.lang == "fr" else definition.label_en,
            unit=definition.unit,
            previous=previous,
            current=current,
            cumulative=cumulative,
            target=None,
            target_kind=None,
            prorated=None,
            achievement=None,
            state=ProgressState.NO_TARGET,
        )
        if target is None:
            return progress
        kind = target.kind
        span = window
        if target.period is not None:  # one period's target: prorated over its days of work
            span = Period(
                max(target.period.start, window.start), _earliest(target.period.end, window.end)
            )
        total = _days(span)
        elapsed = _days(span, self.period.end)
        prorated = target.value * elapsed / total if total else target.value
        progress = attrs.evolve(progress, target=target.value, target_kind=kind, prorated=prorated)
        compared = progress.compared
        if compared is None or not compared.shown or compared.value is None:
            return attrs.evolve(progress, state=ProgressState.NOT_ASSESSED)
        achievement = compared.value / target.value if target.value else None
        behind = compared.value < WELL_BEHIND * prorated
        return attrs.evolve(
            progress,
            achievement=achievement,
            state=ProgressState.BEHIND if behind else ProgressState.ON_TRACK,
        )

    def no_report(self, action: Action, window: Period) -> bool:
        """Runs in the period, reports by counts (or nothing received), not covered."""
        start = max(window.start, self.period.start)
        end = _earliest(window.end, self.period.end)
        if end is None or end < start:
            return False  # it does not run in the period
        if action.id in self.with_rows and action.id not in self.reports:
            return False  # individual data: no report expected
        day = start
        for covered in sorted(self.reports.get(action.id, ()), key=lambda p: p.start):
            if covered.start > day:
                break
            if covered.end is not None and covered.end >= day:
                day = covered.end + dt.timedelta(days=1)
            if day > end:
                return False
        return True

    def open_after_end(self, action: Action, window: Period) -> bool:
        """Its window ended by the end of the period, and participations are open after."""
        end = window.end
        if end is None or self.period.end is None or end > self.period.end:
            return False
        return self._last_exit.get(action.id, dt.date.min) > end


def _earliest(one: dt.date | None, other: dt.date | None) -> dt.date | None:
    ends = [d for d in (one, other) if d is not None]
    return min(ends, default=None)


def _by_entity(table: IndicatorTable, level: Level) -> dict[tuple[str, str], IndicatorRow]:
    """The totals of ``table`` at ``level``, by action (or contract) and indicator."""
    return {
        (entity, row.indicator): row
        for row in table.select(level=level, dimension=None)
        if (entity := row.action if level is Level.ACTION else row.contract) is not None
    }


def _place_rows(table: IndicatorTable, indicator: str, place: Place) -> list[IndicatorRow]:
    if place.reference == NATIONAL:
        return table.select(indicator, level=Level.NATIONAL)
    return table.select(indicator, level=Level.TERRITORY, territory=place.reference)


def _order(dimension: Dimension, category: str | None) -> tuple[int, str]:
    values = _ORDER[dimension].values() if dimension in _ORDER else ()
    position = values.index(category) if category in values else len(values)
    return position, category or ""


def _label(table: IndicatorTable, name: str, lang: Lang) -> str:
    definition = table.indicators[name]
    return definition.label_fr if lang == "fr" else definition.label_en


def _budget(table: IndicatorTable, place: Place, lang: Lang) -> Budget:
    def by(indicator: str) -> dict[tuple[Dimension | None, str | None], Decimal | None]:
        return {(r.dimension, r.category): r.value for r in _place_rows(table, indicator, place)}

    committed, spent, cofunding = (by(name) for name in BUDGET_INDICATORS)

    def lines(dimension: Dimension) -> tuple[BudgetLine, ...]:
        found = [
            BudgetLine(
                category=category,
                label=category_label(dimension, category, lang),
                committed=value or Decimal(0),
                spent=spent.get((dimension, category)),
                cofunding=cofunding.get((dimension, category)),
            )
            for (d, category), value in committed.items()
            if d is dimension and category is not None
        ]
        found.sort(key=lambda line: (-line.committed, _order(dimension, line.category)))
        return tuple(found)

    return Budget(
        place=place,
        committed=committed.get((None, None)) or Decimal(0),
        spent=spent.get((None, None)),
        cofunding=cofunding.get((None, None)),
        by_theme=lines(Dimension.THEME),
        by_funder=lines(Dimension.FUNDER),
    )


def _count(row: IndicatorRow | None, label: str, category: str | None) -> Count:
    if row is None:  # no one in the category: an empty cell, which reveals no one
        return Count(category=category, label=label, value=Decimal(0), status=CellStatus.PUBLISHED)
    published = not row.status.suppressed and row.value is not None
    return Count(
        category=category,
        label=label,
        value=row.value if published else None,
        status=row.status,
    )


def _breakdowns(table: IndicatorTable, place: Place, name: str, lang: Lang) -> list[Breakdown]:
    rows = _place_rows(table, name, place)
    if not rows:
        return []
    total = next((r for r in rows if r.dimension is None), None)
    indicator = table.indicators[name]
    found = []
    for dimension in PERSONS_DIMENSIONS:
        if dimension not in indicator.dimensions:
            continue
        cells = sorted(
            (r for r in rows if r.dimension is dimension and r.category is not None),
            key=lambda r: _order(dimension, r.category),
        )
        found.append(
            Breakdown(
                place=place,
                indicator=name,
                indicator_label=_label(table, name, lang),
                dimension=dimension,
                total=_count(total, words("total", lang), None),
                cells=tuple(
                    _count(r, category_label(dimension, r.category or "", lang), r.category)
                    for r in cells
                ),
            )
        )
    return found
