"""The steering-committee report: one self-contained HTML file for a period.

:func:`build_report` computes once what the report shows: the contracts and their status at
the end of the period, the cohorts of contracts, the budget by theme and by funder, the
indicators against their targets, the beneficiaries by public category, sex and age band,
the next steering committees and the provenance of the data. :func:`render_html` turns a
:class:`Report` into a single HTML page, in French or in English, that loads nothing from
the network (inline CSS and inline SVG charts, no JavaScript) and prints legibly in black
and white; :func:`territoires.export` writes it (format ``html``), as ``territoires report``
does.

Counts of persons come from :func:`~territoires.indicators.compute_indicators`, protected by
disclosure control: a suppressed cell reaches the report with its status and **no value**,
so neither a table nor a chart can show it.

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
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import attrs

from territoires._enum import LabelledEnum, Lang
from territoires._validate import OFFICIAL_GEOGRAPHY, _Official, resolve_geography
from territoires._version import __version__
from territoires.disclosure import DEFAULT_THRESHOLD, AuditReport, CellStatus
from territoires.indicators import (
    NATIONAL,
    IndicatorRow,
    IndicatorTable,
    Level,
    check_territories,
    compute_indicators,
    parse_period,
)
from territoires.measures import Dimension, Unit, category_label
from territoires.model.contract import Contract
from territoires.model.dataset import Dataset, DatasetInfo, Gazetteer
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
from territoires.plugins import PluginManager, default_plugin_manager
from territoires.publication import Ledger
from territoires.report._text import words

__all__ = [
    "Breakdown",
    "Budget",
    "BudgetLine",
    "CohortYear",
    "ContractLine",
    "Count",
    "Definition",
    "Place",
    "Report",
    "SteeringLine",
    "TargetLine",
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
class ContractLine:
    """A contract as the report lists it, amended and with its status on the report's date.

    Attributes:
        id: Id of the contract.
        kind: CTAIR, CTAI or PTAI.
        territory: Reference of its territory.
        territory_name: Name of its territory.
        signed_on: Date of signature, None when not signed.
        period: Its period with the avenants in force on the date.
        prolonged: Whether an avenant in force moved its end.
        amendments: Number of avenants in force on the date.
        status: Draft, signed, active or ended on the date.

    .. versionadded:: 0.1
    """

    id: str
    kind: ContractKind
    territory: str
    territory_name: str
    signed_on: dt.date | None
    period: Period
    prolonged: bool
    amendments: int
    status: ContractStatus


@attrs.frozen(kw_only=True)
class CohortYear:
    """The contracts signed in one year (a cohort: 2019, 2021...).

    Attributes:
        year: Year of signature (of start, for a contract not signed).
        kinds: Number of contracts of each kind, in the order of :class:`~territoires.ContractKind`.
        territories: Names of their territories.

    .. versionadded:: 0.1
    """

    year: int
    kinds: tuple[tuple[ContractKind, int], ...]
    territories: tuple[str, ...]

    @property
    def total(self) -> int:
        """Number of contracts of the year."""
        return sum(count for _, count in self.kinds)


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


@attrs.frozen(kw_only=True)
class TargetLine:
    """An action's indicator for the period beside the action's target.

    Attributes:
        territory_name: Name of the contract's territory.
        contract: Id of the contract.
        action: Id of the action.
        action_title: Title of the action.
        indicator: Name of the indicator.
        indicator_label: Its label in the report's language.
        unit: Unit of the value and target.
        value: The value; None when suppressed or undefined.
        status: Published, suppressed (primary or secondary) or undefined.
        target: The target.
        achievement: Value over target, as a fraction, when the value is published.

    .. versionadded:: 0.1
    """

    territory_name: str
    contract: str
    action: str
    action_title: str
    indicator: str
    indicator_label: str
    unit: Unit
    value: Decimal | None
    status: CellStatus
    target: Decimal
    achievement: Decimal | None


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
class SteeringLine:
    """The next steering committees of a contract after the period.

    Attributes:
        contract: Id of the contract.
        territory_name: Name of its territory.
        dates: The next meetings after the end of the period (at most two).
        ends_on: End of the contract as finally amended.

    .. versionadded:: 0.1
    """

    contract: str
    territory_name: str
    dates: tuple[dt.date, ...]
    ends_on: dt.date | None


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
        targets: Actions' indicators against their targets.
        beneficiaries: Counts of persons of each place, by dimension.
        steering: Next steering committees of each contract.
        definitions: What each indicator shown measures.
        audit: The audit of the counts of persons shown (the certificate the report
            summarises in one paragraph and writes beside itself), None if not audited.
        table: The engine's table the figures come from, with the persons behind each cell:
            private, for the publication ledger (:func:`territoires.publication.release_of`);
            never shown.
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
    targets: tuple[TargetLine, ...]
    beneficiaries: tuple[Breakdown, ...]
    steering: tuple[SteeringLine, ...]
    definitions: tuple[Definition, ...]
    audit: AuditReport | None = attrs.field(default=None, eq=False)
    table: IndicatorTable | None = attrs.field(default=None, eq=False, repr=False)
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
        ValueError: ``lang`` is neither ``fr`` nor ``en``.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``allow_invalid``; a dataset with errors is refused.
    """
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    chosen = parse_period(period)
    generated_on = today or dt.date.today()
    on = chosen.end or generated_on
    places_geo = resolve_geography(geography)
    scope = None if territories is None else tuple(dict.fromkeys(territories))
    contracts = _in_scope(dataset, scope, places_geo)
    names = _Names(dataset, places_geo)
    manager = plugins if plugins is not None else default_plugin_manager()
    registry = manager.indicators
    amended = {contract.id: contract.as_of(on) for contract in contracts}
    target_names = sorted(
        {
            target.indicator
            for contract in amended.values()
            for action in contract.actions
            for target in action.targets
            if target.indicator in registry
        }
    )
    persons = [name for name in PERSONS_INDICATORS if name in registry]
    wanted = list(dict.fromkeys([*BUDGET_INDICATORS, *persons, *target_names]))
    engine = compute_indicators(
        dataset,
        period=chosen,
        territories=scope,
        level=(Level.ACTION, Level.NATIONAL if scope is None else Level.TERRITORY),
        indicators=wanted,
        threshold=threshold,
        plugins=manager,
        geography=geography,
        ledger=ledger,
        fingerprint=fingerprint,
        allow_invalid=allow_invalid,  # the one check of the dataset: the engine's
    )
    table = engine.published()  # what a report shows: one status for every suppressed cell
    if scope is None:
        places: tuple[Place, ...] = (Place(reference=NATIONAL, name=words("national", lang)),)
    else:
        references = sorted({c.territory for c in contracts}, key=lambda r: (names(r), r))
        places = tuple(Place(reference=r, name=names(r)) for r in references)
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
        contracts=tuple(_contract_line(c, amended[c.id], on, names) for c in contracts),
        cohorts=_cohorts(contracts, names),
        budgets=tuple(_budget(table, place, lang) for place in places),
        targets=_targets(table, amended, names, lang),
        beneficiaries=tuple(
            breakdown
            for place in places
            for name in persons
            for breakdown in _breakdowns(table, place, name, lang)
        ),
        steering=tuple(
            sorted(
                (_steering(c, on, names) for c in contracts),
                key=lambda line: (line.dates[:1] or (dt.date.max,), line.territory_name),
            )
        ),
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
        audit=engine.audit,
        table=engine,
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

    .. versionadded:: 0.1
    """
    from territoires.report._html import render

    return render(report)


# -- building -----------------------------------------------------------------------------------


def _in_scope(
    dataset: Dataset, scope: tuple[str, ...] | None, geography: Gazetteer | None
) -> list[Contract]:
    """The contracts of the scope, by date of signature (the same test as the indicators)."""
    contracts = list(dataset.contracts)
    if scope is not None:
        check_territories(dataset, scope, geography)

        def within(reference: str) -> bool:
            return reference in scope or (
                geography is not None
                and any(geography.is_within(reference, place) for place in scope)
            )

        contracts = [c for c in contracts if within(c.territory)]
    return sorted(contracts, key=lambda c: (c.signed_on or dt.date.max, c.id))


class _Names:
    """Names of territories: the dataset's, else the geography's, else the reference."""

    def __init__(self, dataset: Dataset, geography: Gazetteer | None) -> None:
        self.dataset = dataset
        self.geography = geography

    def __call__(self, reference: str) -> str:
        territory = self.dataset.territory(reference)
        if territory is None and self.geography is not None:
            territory = self.geography.lookup(reference)
        return territory.name if territory is not None else reference


def _contract_line(
    contract: Contract, amended: Contract, on: dt.date, names: Callable[[str], str]
) -> ContractLine:
    return ContractLine(
        id=contract.id,
        kind=contract.kind,
        territory=contract.territory,
        territory_name=names(contract.territory),
        signed_on=contract.signed_on,
        period=amended.period,
        prolonged=amended.period.end != contract.period.end,
        amendments=len(contract.amendments_in_force(on)),
        status=contract.status(on),
    )


def _cohorts(contracts: Sequence[Contract], names: Callable[[str], str]) -> tuple[CohortYear, ...]:
    by_year: dict[int, list[Contract]] = defaultdict(list)
    for contract in contracts:
        by_year[(contract.signed_on or contract.period.start).year].append(contract)
    return tuple(
        CohortYear(
            year=year,
            kinds=tuple(
                (kind, count)
                for kind in ContractKind
                if (count := sum(1 for c in by_year[year] if c.kind is kind))
            ),
            territories=tuple(sorted(names(c.territory) for c in by_year[year])),
        )
        for year in sorted(by_year)
    )


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


def _targets(
    table: IndicatorTable,
    amended: dict[str, Contract],
    names: Callable[[str], str],
    lang: Lang,
) -> tuple[TargetLine, ...]:
    titles = {a.id: a.title for c in amended.values() for a in c.actions}
    found = [
        TargetLine(
            territory_name=names(row.territory),
            contract=row.contract or "",
            action=row.action or "",
            action_title=titles.get(row.action or "", row.action or ""),
            indicator=row.indicator,
            indicator_label=_label(table, row.indicator, lang),
            unit=row.unit,
            value=row.value,
            status=row.status,
            target=row.target,
            achievement=row.achievement,
        )
        for row in table.select(level=Level.ACTION, dimension=None)
        if row.target is not None and row.contract in amended
    ]
    return tuple(sorted(found, key=lambda t: (t.territory_name, t.action, t.indicator)))


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


def _steering(contract: Contract, on: dt.date, names: Callable[[str], str]) -> SteeringLine:
    ends_on = contract.final_period.end
    until = None
    if ends_on is None:
        from dateutil.relativedelta import relativedelta

        until = on + relativedelta(years=2)
    upcoming: list[dt.date] = []
    for meeting in contract.steering_calendar(until=until):
        if meeting > on:
            upcoming.append(meeting)
            if len(upcoming) == _NEXT_MEETINGS:
                break
    return SteeringLine(
        contract=contract.id,
        territory_name=names(contract.territory),
        dates=tuple(upcoming),
        ends_on=ends_on,
    )
