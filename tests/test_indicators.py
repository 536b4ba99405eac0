"""The indicator engine: aggregation, periods, disclosure of its output, filters and plugins.

The traps of aggregation first (domain: "a ratio averaged instead of computed as a ratio of
sums, a cumulative figure summed over years"), then the periods a text names and where their
edges fall, then properties of the disclosure control over the engine's whole output (an
attacker who reads the table as equations, total = sum of parts, recovers no suppressed cell),
the ``level``, ``territories`` and ``indicators`` filters, the table's lookups, and a local
plugin's indicator computed by the same machinery.

Built-in indicators only (``autoload=False``) except where a test is about the example plugin.
"""

from __future__ import annotations

import datetime as dt
import types
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import territoires
from strategies import PLUGIN_EXCEPTIONS, consistent_datasets
from territoires import (
    Action,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    EmploymentOutcome,
    FormatError,
    FrenchLevel,
    Funding,
    FundingSource,
    HousingOutcome,
    IndicatorInput,
    Participation,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Territory,
    TerritoryKind,
    Theme,
    UnknownIndicatorError,
    hookimpl,
)
from territoires.disclosure import CellStatus
from territoires.geo import get_geography
from territoires.indicators import (
    IndicatorRow,
    IndicatorTable,
    Level,
    compute_indicators,
    parse_period,
)
from territoires.measures import (
    Dimension,
    Granularity,
    Indicator,
    Persons,
    ShareOf,
    Unit,
    person_counts,
)
from territoires.plugins import (
    PluginInfo,
    PluginManager,
    describe_exception,
    get_plugin_manager,
)

D = dt.date
BUILTINS = get_plugin_manager(autoload=False)
GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole
GRENOBLE_CITY = "38185"  # the commune of Grenoble, within the métropole
DIJON = "242100410"  # Dijon Métropole
LYON = "200046977"  # Métropole de Lyon
LYON_INDICATOR = f"{LYON}.logement_durable_6_mois"
SUPPRESSED = frozenset({CellStatus.PRIMARY, CellStatus.SECONDARY})
SPAN = Period(D(2019, 1, 1), D(2023, 12, 31))
PUBLIC = PublicScope(
    categories=frozenset(
        {
            PublicCategory.REFUGEE,
            PublicCategory.SUBSIDIARY_PROTECTION,
            PublicCategory.OTHER_NEWCOMER,
        }
    )
)


class Places:
    """A gazetteer of a few territories with round populations; each lies only within itself."""

    def __init__(self, **populations: int) -> None:
        self.territories = {
            code: Territory(code=code, kind=TerritoryKind.METRO, name=f"T{code}", population=n)
            for code, n in populations.items()
        }

    def lookup(self, reference: str) -> Territory | None:
        """Return the territory, if known."""
        return self.territories.get(reference)

    def suggest(self, reference: str) -> list[str]:
        """Suggest nothing."""
        return []

    def is_within(self, member: str, container: str) -> bool:
        """A territory lies only within itself."""
        return member == container


PLACES = Places(**{GRENOBLE: 100_000, DIJON: 50_000})


def action(
    action_id: str, theme: Theme = Theme.FRENCH_LANGUAGE, funding: Sequence[Funding] = ()
) -> Action:
    """An action running from 2019 to 2023."""
    return Action(
        id=action_id, title=f"Action {action_id}", theme=theme, period=SPAN, funding=tuple(funding)
    )


def contract(
    contract_id: str, territory: str, *actions: Action, kind: ContractKind = ContractKind.CTAIR
) -> Contract:
    """A signed contract running from 2019 to 2023 with ``actions``."""
    return Contract(
        id=contract_id,
        kind=kind,
        territory=territory,
        title=f"Contrat {contract_id}",
        period=SPAN,
        public=PUBLIC,
        signed_on=SPAN.start,
        actions=actions,
    )


def line(source: FundingSource, committed: int) -> Funding:
    """A 2021 funding line."""
    return Funding(funder="etat", source=source, year=2021, committed=Decimal(committed))


_COUNTER = iter(range(1, 10**9))


def row(
    person: str,
    action_id: str,
    entry: str = "2021-02-01",
    exit_: str | None = None,
    *,
    sex: Sex = Sex.MALE,
    band: AgeBand = AgeBand.FROM_26_TO_39,
    **facts: Any,
) -> Participation:
    """A refugee's participation; dates in ISO form."""
    return Participation(
        id=f"part-{next(_COUNTER)}",
        person=person,
        action=action_id,
        entry_date=D.fromisoformat(entry),
        exit_date=None if exit_ is None else D.fromisoformat(exit_),
        status=AdministrativeStatus.REFUGEE,
        sex=sex,
        age_band=band,
        **facts,
    )


def people(prefix: str, count: int, action_id: str, **options: Any) -> list[Participation]:
    """``count`` persons named ``prefix``1, ``prefix``2… in ``action_id``."""
    return [row(f"{prefix}{n}", action_id, **options) for n in range(1, count + 1)]


def dataset(
    contracts: Iterable[Contract],
    rows: Iterable[Participation] = (),
    reports: Iterable[ActionReport] = (),
) -> Dataset:
    """A dataset of ``contracts`` with ``rows`` and ``reports``."""
    return Dataset(
        info=DatasetInfo(title="Test (synthétique)", synthetic=True),
        contracts=tuple(contracts),
        participations=tuple(rows),
        reports=tuple(reports),
    )


def compute(data: Dataset, period: str = "2021", **options: Any) -> IndicatorTable:
    """Compute with the built-in indicators and the test gazetteer; threshold 1 by default.

    The datasets here are built for what they count, not to pass every check of ``validate``
    against the test gazetteer (funders declared as parties, say): computed all the same.
    """
    options.setdefault("allow_invalid", True)
    options.setdefault("threshold", 1)
    options.setdefault("plugins", BUILTINS)
    options.setdefault("geography", PLACES)
    return compute_indicators(data, period=period, **options)


def value(table: IndicatorTable, indicator: str, **where: Any) -> Decimal | None:
    """The value of the one row of ``indicator`` matching ``where``."""
    return table.get(indicator, **where).value


# -- aggregation traps ----------------------------------------------------------------------------


def test_the_cofunding_rate_of_a_contract_is_the_ratio_of_its_sums() -> None:
    """A contract's co-funding rate is its local over all its euros, not its actions' mean rate."""
    big = action(
        "big",
        funding=[
            line(FundingSource.P104_ACTION_15, 90_000),
            line(FundingSource.COLLECTIVITE, 10_000),
        ],
    )
    small = action(
        "small",
        Theme.HEALTH,
        [line(FundingSource.P104_ACTION_15, 1_000), line(FundingSource.COLLECTIVITE, 1_000)],
    )
    table = compute(dataset([contract("c", GRENOBLE, big, small)]))
    assert value(table, "cofunding_rate", level="action", action="big") == Decimal("10.00")
    assert value(table, "cofunding_rate", level="action", action="small") == Decimal("50.00")
    # 11,000 / 102,000 = 10.78 %; the mean of the two rates would be 30 %.
    for level in ("contract", "territory", "national"):
        assert value(table, "cofunding_rate", level=level) == Decimal("10.78")
    assert value(table, "committed_euros", level="contract") == Decimal(102_000)


def test_a_person_in_two_actions_counts_once_at_contract_and_national_level() -> None:
    """P1, in two actions of a contract and one elsewhere, is one person above the action level."""
    grenoble = contract("c-grenoble", GRENOBLE, action("a1"), action("a2", Theme.HOUSING))
    dijon = contract("c-dijon", DIJON, action("a3"))
    rows = [
        row("P1", "a1"), row("P2", "a1"),
        row("P1", "a2"), row("P3", "a2"),
        row("P1", "a3"), row("P4", "a3"),
    ]  # fmt: skip
    table = compute(dataset([grenoble, dijon], rows))
    for action_id in ("a1", "a2", "a3"):
        assert value(table, "beneficiaries", level="action", action=action_id) == 2
    assert value(table, "beneficiaries", level="contract", contract="c-grenoble") == 3  # not 4
    assert value(table, "beneficiaries", level="territory", territory=GRENOBLE) == 3
    assert value(table, "beneficiaries", level="national") == 4  # P1, P2, P3, P4: not 6
    # The breakdowns count distinct persons too.
    assert value(table, "beneficiaries", level="national", dimension="sex", category="male") == 4


def test_the_beneficiaries_of_a_year_are_not_the_sum_of_its_semesters() -> None:
    """A person present in both semesters counts once in the year: 3 beneficiaries, not 2 + 2."""
    rows = [
        row("P1", "a1", "2021-01-10"),  # all year
        row("P2", "a1", "2021-01-10", "2021-05-01"),  # first semester only
        row("P3", "a1", "2021-09-01"),  # second semester only
    ]
    data = dataset([contract("c", GRENOBLE, action("a1"))], rows)
    semesters = [value(compute(data, half), "beneficiaries") for half in ("2021-S1", "2021-S2")]
    assert semesters == [2, 2]
    assert value(compute(data, "2021"), "beneficiaries") == 3


@pytest.mark.parametrize(
    ("women", "men", "expected"),
    [(1, 2, "33.33"), (2, 1, "66.67"), (0, 3, "0.00"), (3, 0, "100.00"), (1, 7, "12.50")],
)
def test_percents_run_from_0_to_100_with_two_decimals(women: int, men: int, expected: str) -> None:
    """A share is published in percent (0–100), rounded to two decimals: 1 woman of 3 is 33.33."""
    rows = people("W", women, "a1", sex=Sex.FEMALE) + people("M", men, "a1")
    table = compute(dataset([contract("c", GRENOBLE, action("a1"))], rows))
    published = value(table, "share_women")
    assert published == Decimal(expected)
    assert published is not None
    assert published.as_tuple().exponent == -2


def test_every_percent_of_the_demo_lies_between_0_and_100_with_two_decimals() -> None:
    """On the demo, every published value in percent has two decimals and lies within 0–100."""
    table = compute_indicators(
        territoires.demo.build(participations=600), period="2021", threshold=1, plugins=BUILTINS
    )
    percents = [r.value for r in table if r.unit is Unit.PERCENT and r.value is not None]
    assert len(percents) > 100
    for number in percents:
        assert Decimal(0) <= number <= Decimal(100)
        assert number.as_tuple().exponent == -2


def test_per_10000_counts_a_territorys_population_once_with_two_contracts() -> None:
    """Grenoble (100,000 people) with two contracts of 30 and 20 persons: 5 per 10,000, not 2.5."""
    first = contract("c-ctair", GRENOBLE, action("a1"))
    second = contract("c-ctai", GRENOBLE, action("a2"), kind=ContractKind.CTAI)
    dijon = contract("c-dijon", DIJON, action("a3"))
    rows = people("G", 30, "a1") + people("H", 20, "a2") + people("D", 10, "a3")
    table = compute(dataset([first, second, dijon], rows))
    name = "beneficiaries_per_10000"
    assert value(table, name, level="contract", contract="c-ctair") == Decimal("3.00")
    assert value(table, name, level="contract", contract="c-ctai") == Decimal("2.00")
    assert value(table, name, level="territory", territory=GRENOBLE) == Decimal("5.00")
    # 60 persons over 100,000 + 50,000 inhabitants.
    assert value(table, name, level="national") == Decimal("4.00")
    # Rates per 10,000 are computed for contracts and above, never for an action.
    assert table.select(name, level="action") == []


# -- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021", D(2021, 1, 1), D(2021, 12, 31)),
        (" 2021 ", D(2021, 1, 1), D(2021, 12, 31)),
        ("2021-S1", D(2021, 1, 1), D(2021, 6, 30)),
        ("2021-s2", D(2021, 7, 1), D(2021, 12, 31)),
        ("2021-01-01..2021-06-30", D(2021, 1, 1), D(2021, 6, 30)),
        ("2021-03-15..2021-03-15", D(2021, 3, 15), D(2021, 3, 15)),
        ("01/01/2021..31/03/2021", D(2021, 1, 1), D(2021, 3, 31)),
        ("01/07/2021 .. 2021-12-31", D(2021, 7, 1), D(2021, 12, 31)),
        ("29/02/2024..01/03/2024", D(2024, 2, 29), D(2024, 3, 1)),
    ],
)
def test_a_period_is_read_from_a_year_a_semester_or_a_range(
    text: str, start: dt.date, end: dt.date
) -> None:
    """Years, semesters (any case) and ISO or French ranges name the period a user expects."""
    assert parse_period(text) == Period(start, end)


def test_a_period_is_returned_as_it_is() -> None:
    """A Period passed instead of a text is used unchanged."""
    period = Period(D(2021, 2, 1), D(2021, 4, 30))
    assert parse_period(period) is period


def test_a_reversed_range_is_refused() -> None:
    """A range that ends before it starts is a FormatError that says so."""
    with pytest.raises(FormatError, match="ends before it starts"):
        parse_period("2021-06-30..2021-01-01")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "21",
        "2021-S3",
        "2021-S",
        "S1-2021",
        "last year",
        "2021..2022",
        "2021-01-01..",
        "2021-13-01..2021-12-31",
        "31/02/2021..01/03/2021",
        "2021-01-01..2021-02-01..2021-03-01",
        "0000",
        "0000-S1",
    ],
)
def test_nonsense_is_not_a_period(text: str) -> None:
    """Anything else is a FormatError (a ValueError too), never another exception."""
    with pytest.raises(FormatError):
        parse_period(text)


def test_compute_indicators_refuses_a_bad_period() -> None:
    """compute_indicators raises the same FormatError for a period it cannot read."""
    with pytest.raises(FormatError):
        compute(dataset([]), "2021-S3")


def test_presence_on_the_edges_of_a_period() -> None:
    """Entering on the last day or leaving on the first counts; a day off either side does not."""
    rows = [
        row("IN-LAST", "a1", "2021-06-30"),  # enters on the last day of S1: present
        row("OUT-FIRST", "a1", "2020-06-01", "2021-01-01"),  # leaves on its first day: present
        row("IN-AFTER", "a1", "2021-07-01"),  # enters the day after: not present
        row("OUT-BEFORE", "a1", "2020-06-01", "2020-12-31"),  # left the day before: not present
        row("SPANNING", "a1", "2020-06-01", "2022-01-01"),  # through the whole period
    ]
    data = dataset([contract("c", GRENOBLE, action("a1"))], rows)
    assert value(compute(data, "2021-S1"), "beneficiaries") == 3
    assert value(compute(data, "2020-S2"), "beneficiaries") == 3  # OUT-*, SPANNING
    assert value(compute(data, "2021-S2"), "beneficiaries") == 3  # IN-*, SPANNING


def test_exits_on_the_edges_of_a_period() -> None:
    """An exit counts in the period holding its date: the last day yes, the day before it no."""
    durable: dict[str, Any] = {"employment": EmploymentOutcome.PERMANENT_JOB}
    rows = [
        row("LAST-DAY", "a1", "2021-01-10", "2021-06-30", **durable),
        row("FIRST-DAY", "a1", "2020-10-10", "2021-01-01", **durable),
        row("DAY-BEFORE", "a1", "2020-10-10", "2020-12-31", **durable),
        row("DAY-AFTER", "a1", "2021-01-10", "2021-07-01", employment=EmploymentOutcome.NONE),
    ]
    data = dataset([contract("c", GRENOBLE, action("a1"))], rows)
    # In S1: LAST-DAY and FIRST-DAY left, both durably: 100 %; DAY-AFTER's failure is not there.
    assert value(compute(data, "2021-S1"), "exit_employment_rate") == Decimal("100.00")
    # In S2: only DAY-AFTER left, into nothing: 0 %.
    assert value(compute(data, "2021-S2"), "exit_employment_rate") == Decimal("0.00")
    # DAY-BEFORE is an exit of 2020 alone.
    assert value(compute(data, "2020"), "exit_employment_rate") == Decimal("100.00")
    assert value(compute(data, "2020"), "beneficiaries") == 2  # FIRST-DAY and DAY-BEFORE


# -- disclosure over the engine's output ----------------------------------------------------------

Key = tuple[str, Level, str, Dimension | None, str | None]

# A fixed skeleton: two contracts on Grenoble, one on Dijon, one action with reports only,
# funding lines (one of zero euros, whose co-funding rate is undefined).
SKELETON = (
    contract(
        "ctair-g",
        GRENOBLE,
        action("g1", funding=[line(FundingSource.P104_ACTION_15, 30_000)]),
        action("g2", Theme.EMPLOYMENT_TRAINING, [line(FundingSource.COLLECTIVITE, 5_000)]),
    ),
    contract("ctai-g", GRENOBLE, action("g3", Theme.HOUSING), kind=ContractKind.CTAI),
    contract(
        "ctair-d",
        DIJON,
        action("d1", funding=[line(FundingSource.COLLECTIVITE, 0)]),
        action("d2", Theme.HEALTH),
        action("d3", Theme.HOUSING),  # reports only
    ),
)
_STATUSES = [
    AdministrativeStatus.REFUGEE,
    AdministrativeStatus.SUBSIDIARY_PROTECTION,
    AdministrativeStatus.FAMILY_PERMIT,
    AdministrativeStatus.ASYLUM_SEEKER,  # outside every public category: "none"
]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def activities(draw: st.DrawFn) -> Dataset:
    """Up to 40 participations of 18 persons in five actions of the skeleton, and d3's reports."""
    rows = []
    for number in range(draw(st.integers(0, 40))):
        entry = D(2020, 7, 1) + dt.timedelta(days=draw(st.integers(0, 548)))
        stay = draw(_maybe(st.integers(0, 400)))
        rows.append(
            Participation(
                id=f"part-{number}",
                person=f"P{draw(st.integers(1, 18)):02d}",
                action=draw(st.sampled_from(["g1", "g2", "g3", "d1", "d2"])),
                entry_date=entry,
                exit_date=None if stay is None else entry + dt.timedelta(days=stay),
                status=draw(st.sampled_from(_STATUSES)),
                sex=draw(st.sampled_from(Sex)),
                age_band=draw(st.sampled_from(AgeBand)),
                employment=draw(_maybe(st.sampled_from(EmploymentOutcome))),
                housing=draw(_maybe(st.sampled_from(HousingOutcome))),
                french_entry=draw(_maybe(st.sampled_from(FrenchLevel))),
                french_exit=draw(_maybe(st.sampled_from(FrenchLevel))),
            )
        )
    reports = []
    for number in range(draw(st.integers(0, 3))):
        cells = draw(
            st.lists(
                st.builds(
                    ReportCount,
                    category=st.sampled_from(PublicCategory),
                    sex=st.sampled_from(Sex),
                    age_band=st.sampled_from(AgeBand),
                    count=st.integers(0, 15),
                ),
                max_size=4,
                unique_by=lambda c: (c.category, c.sex, c.age_band),
            )
        )
        period = draw(
            st.sampled_from([Period.semester(2021, 1), Period.semester(2021, 2), Period.year(2021)])
        )
        reports.append(
            ActionReport(id=f"r{number}", action="d3", period=period, counts=tuple(cells))
        )
    return dataset(SKELETON, rows, reports)


def _merge(into: dict[tuple[str, ...], Any], parts: Mapping[tuple[str, ...], Any]) -> None:
    for key, partial in parts.items():
        known = into.get(key)
        into[key] = partial if known is None else known.merge(partial)


def expected_counts(
    data: Dataset, period: Period, manager: PluginManager, geography: Any
) -> dict[Key, tuple[int, ...]]:
    """The counts of persons behind every cell, recomputed from the indicators' calculators."""
    counts: dict[Key, tuple[int, ...]] = {}
    on = period.end or dt.date.max
    for name, indicator in manager.indicators.items():
        if not indicator.counts_persons:
            continue
        parts: dict[tuple[Level, str], dict[tuple[str, ...], Any]] = defaultdict(dict)
        for signed in data.contracts:
            amended = signed.as_of(on)
            if not indicator.concerns(amended, geography):
                continue
            tables = (
                [(a,) for a in amended.actions]
                if indicator.granularity is Granularity.ACTION
                else [amended.actions]
            )
            for actions in tables:
                ids = {a.id for a in actions}
                found = indicator.compute(
                    IndicatorInput(
                        contract=amended,
                        actions=actions,
                        participations=[p for p in data.participations if p.action in ids],
                        reports=[r for r in data.reports if r.action in ids],
                        period=period,
                        geography=geography,
                    )
                )
                entities = [
                    (Level.CONTRACT, amended.id),
                    (Level.TERRITORY, amended.territory),
                    (Level.NATIONAL, "FR"),
                ]
                if indicator.granularity is Granularity.ACTION:
                    entities.append((Level.ACTION, actions[0].id))
                for entity in entities:
                    _merge(parts[entity], found)
        for (level, entity_id), partials in parts.items():
            if not partials:
                continue
            total = None
            for partial in partials.values():
                total = partial if total is None else total.merge(partial)
            counts[name, level, entity_id, None, None] = person_counts(total)
            for index, dimension in enumerate(indicator.dimensions):
                by_category: dict[str, Any] = {}
                for key, partial in partials.items():
                    known = by_category.get(key[index])
                    by_category[key[index]] = partial if known is None else known.merge(partial)
                for category, partial in by_category.items():
                    counts[name, level, entity_id, dimension, category] = person_counts(partial)
    return counts


def key_of(row: IndicatorRow) -> Key:
    """The cell a row is: indicator, level, entity, dimension, category."""
    entity = row.action or row.contract or row.territory
    return row.indicator, row.level, entity, row.dimension, row.category


def groups_of(table: IndicatorTable) -> list[tuple[Key, list[Key]]]:
    """Every group of cells that add up: each breakdown with its total, each entity with its parts.

    Built from the rows alone, as a reader of the table would.
    """
    persons = {name for name, i in table.indicators.items() if i.counts_persons}
    cells = {key_of(r) for r in table if r.indicator in persons}
    breakdowns: dict[Key, list[Key]] = defaultdict(list)
    parts: dict[Key, list[Key]] = defaultdict(list)
    for r in table:
        if r.indicator not in persons:
            continue
        key = key_of(r)
        if r.dimension is not None:
            breakdowns[r.indicator, r.level, key[2], None, None].append(key)
        if r.level is Level.NATIONAL:
            continue
        up = {
            Level.ACTION: (Level.CONTRACT, r.contract or ""),
            Level.CONTRACT: (Level.TERRITORY, r.territory),
            Level.TERRITORY: (Level.NATIONAL, "FR"),
        }[r.level]
        parent = (r.indicator, up[0], up[1], r.dimension, r.category)
        assert parent in cells, f"{key} has no {parent}"
        parts[parent].append(key)
    return [*breakdowns.items(), *parts.items()]


def check_protection(
    table: IndicatorTable, counts: Mapping[Key, tuple[int, ...]], threshold: int
) -> None:
    """Assert what an attacker reading ``table`` must not be able to do."""
    statuses = {key_of(r): r.status for r in table}
    persons = {name for name, i in table.indicators.items() if i.counts_persons}
    for r in table:
        key = key_of(r)
        # A suppressed row keeps its place, with its status and no value.
        assert (r.value is None) is (r.status is not CellStatus.PUBLISHED), r
        if r.indicator not in persons:
            # Euros, numbers of actions and contracts count no one: never suppressed.
            assert r.status in (CellStatus.PUBLISHED, CellStatus.UNDEFINED), r
            continue
        if r.unit is Unit.PERSONS and r.value is not None:
            assert r.value == 0 or r.value >= threshold, r
        small = any(0 < n < threshold for n in counts[key])
        # Primary exactly for the cells with a small count (of persons, numerator or
        # denominator): no published count of persons is below the threshold, but 0.
        assert (r.status is CellStatus.PRIMARY) is small, (r, counts[key])
    for parent, children in groups_of(table):
        hidden = [k for k in (parent, *children) if statuses[k] in SUPPRESSED]
        # A published total with exactly one suppressed part gives it away (total minus the
        # others), and so does a suppressed total whose parts are all published.
        assert len(hidden) != 1, (parent, children, hidden)
    # A total counting the same persons as another's gives it back: both or neither shown.
    for r in table:
        same = table.indicators[r.indicator].counts_as
        if same is None or r.dimension is not None:
            continue
        other = (same, *key_of(r)[1:])
        if other in statuses:
            assert (r.status in SUPPRESSED) == (statuses[other] in SUPPRESSED), (key_of(r), other)
    # A published share reveals its numerator and denominator (the share times a published
    # count): each must not be the sum of categories of its linked breakdown of which
    # exactly one is suppressed.
    for r in table:
        link = table.indicators[r.indicator].share_of
        if link is None or r.dimension is not None or r.status is not CellStatus.PUBLISHED:
            continue
        for categories in (link.numerator, link.denominator):
            entity = key_of(r)[2]
            parts = [
                (link.indicator, r.level, entity, link.dimension, c) for c in sorted(categories)
            ]
            hidden = [k for k in parts if statuses.get(k) in SUPPRESSED]
            assert len(hidden) != 1, (key_of(r), hidden)


@settings(deadline=None, max_examples=30)
@given(
    data=activities(),
    period=st.sampled_from(["2021", "2021-S1", "2021-S2"]),
    threshold=st.integers(1, 15),
    more=st.integers(1, 10),
)
def test_no_table_lets_an_attacker_recover_a_suppressed_cell(
    data: Dataset, period: str, threshold: int, more: int
) -> None:
    """No small count is published, no group has one secret cell, a higher threshold hides more.

    The audit (on by default) only adds suppressions to the rules of one table, so the table
    keeps their guarantees; "a higher threshold hides more" is a guarantee of those rules
    (``audit=False``): the audit may choose other complements at another threshold.
    """
    table = compute(data, period, threshold=threshold)
    everything = compute(data, period, threshold=1)
    counts = expected_counts(data, parse_period(period), BUILTINS, PLACES)
    # Every cell is in the table, suppressed or not, with the counts the calculators give.
    persons = {name for name, i in table.indicators.items() if i.counts_persons}
    assert {key_of(r) for r in table if r.indicator in persons} == set(counts)
    assert [key_of(r) for r in table] == [key_of(r) for r in everything]
    check_protection(table, counts, threshold)
    # Disclosure control hides values, it never changes them.
    for shown, plain in zip(table, everything, strict=True):
        if shown.status is CellStatus.PUBLISHED:
            assert shown.value == plain.value
    # Raising the threshold never publishes a cell that the rules of one table suppressed.
    rules = compute(data, period, threshold=threshold, audit=False)
    stricter = compute(data, period, threshold=threshold + more, audit=False)
    for lower, higher in zip(rules, stricter, strict=True):
        if lower.status in SUPPRESSED:
            assert higher.status in SUPPRESSED, (lower, higher)


@settings(deadline=None)
@given(data=consistent_datasets(max_contracts=2, max_participations=8), threshold=st.integers(1, 6))
def test_consistent_datasets_are_protected_too(data: Dataset, threshold: int) -> None:
    """On random valid datasets (avenants, closed actions, reports), the same protection holds."""
    period = Period(D(1995, 1, 1), D(2100, 12, 31))
    table = compute_indicators(
        data, period=period, threshold=threshold, plugins=BUILTINS, allow_invalid=True
    )  # random datasets need not agree with the official geography
    counts = expected_counts(data, period, BUILTINS, get_geography())
    check_protection(table, counts, threshold)


def test_a_published_share_never_reveals_a_suppressed_age_band() -> None:
    """The share of under-26s and the published age bands must not give back a suppressed band.

    46 persons: 3 under 18 (suppressed, fewer than 11), 12 aged 18-25 (published), 11 aged
    26-39 (suppressed as the complement) and 20 aged 40 and over. If the share of under-26s
    (15/46 = 32.61 %) is published with the total, under-26s = 0.3261 × 46 = 15, and under-18s
    = 15 - 12 = 3: the suppressed cell is recovered. Breakdowns and shares are linked tables.
    """
    bands = (
        [AgeBand.UNDER_18] * 3
        + [AgeBand.FROM_18_TO_25] * 12
        + [AgeBand.FROM_26_TO_39] * 11
        + [AgeBand.FROM_40] * 20
    )
    rows = [row(f"P{n}", "a1", band=band) for n, band in enumerate(bands)]
    table = compute(
        dataset([contract("c", GRENOBLE, action("a1"))], rows),
        threshold=11,
        level="national",
        indicators=["beneficiaries", "share_under_26"],
    )
    under_18 = table.get("beneficiaries", dimension="age_band", category="0-17")
    assert under_18.status is CellStatus.PRIMARY
    total = value(table, "beneficiaries")
    young = value(table, "beneficiaries", dimension="age_band", category="18-25")
    share = value(table, "share_under_26")
    recovered = None
    if None not in (total, young, share):
        assert total is not None
        assert young is not None
        assert share is not None
        recovered = (share * total / 100).to_integral_value() - young
    assert recovered is None, f"under-18s recovered: {recovered}"


# -- levels, territories and indicators -----------------------------------------------------------


def _exits(prefix: str, action_id: str, sex: Sex, durable: int, other: int) -> list[Participation]:
    """Persons leaving ``action_id`` in 2021, ``durable`` of them into a permanent job."""
    return [
        row(
            f"{prefix}{n}",
            action_id,
            "2021-01-10",
            "2021-06-30",
            sex=sex,
            employment=EmploymentOutcome.PERMANENT_JOB if n < durable else EmploymentOutcome.NONE,
        )
        for n in range(durable + other)
    ]


def test_national_rows_alone_keep_the_statuses_of_the_full_computation() -> None:
    """With level="national", national rows come suppressed as when every level is computed.

    Grenoble: 1 woman left (into a job: primary) and 12 of 20 men; its men are the complement.
    Dijon: 11 of 11 women, 0 of 15 men. Nationally the men are 12 of 35, not small; but Dijon's
    men (0 of 15) cannot protect Grenoble's, so the national men must be suppressed, and then
    the national women: lower levels decide national statuses.
    """
    rows = (
        _exits("GF", "a1", Sex.FEMALE, 1, 0)
        + _exits("GM", "a1", Sex.MALE, 12, 8)
        + _exits("DF", "a3", Sex.FEMALE, 11, 0)
        + _exits("DM", "a3", Sex.MALE, 0, 15)
    )
    data = dataset(
        [contract("c-grenoble", GRENOBLE, action("a1")), contract("c-dijon", DIJON, action("a3"))],
        rows,
    )
    full = compute(data, threshold=11)
    national = compute(data, threshold=11, level="national")
    assert {r.level for r in national} == {Level.NATIONAL}
    assert list(national) == [r for r in full if r.level is Level.NATIONAL]

    def status(category: str | None) -> CellStatus:
        dimension = None if category is None else "sex"
        return national.get("exit_employment_rate", dimension=dimension, category=category).status

    assert status("male") is CellStatus.SECONDARY
    assert status("female") is CellStatus.SECONDARY
    assert status(None) is CellStatus.PUBLISHED  # 24 of 47


def test_level_filters_accept_names_and_several_levels() -> None:
    """The level filter accepts a Level, its name, or several, and keeps exactly those rows."""
    data = territoires.demo.build(participations=300)
    full = compute_indicators(data, period="2021", plugins=BUILTINS)
    some = compute_indicators(
        data, period="2021", plugins=BUILTINS, level=["contract", Level.ACTION]
    )
    assert {r.level for r in some} == {Level.CONTRACT, Level.ACTION}
    assert list(some) == [r for r in full if r.level in (Level.CONTRACT, Level.ACTION)]
    territory = compute_indicators(data, period="2021", plugins=BUILTINS, level=Level.TERRITORY)
    assert list(territory) == [r for r in full if r.level is Level.TERRITORY]


def test_a_territory_keeps_its_contracts_only() -> None:
    """territories=["200040715"] keeps Grenoble's rows, as the full table has them.

    National rows still total every contract, for comparison: the restricted table is a
    subset of the full one, so the two together reveal nothing the full one hides.
    """
    data = territoires.demo.build(participations=1_000)
    full = compute_indicators(data, period="2021", plugins=BUILTINS)
    table = compute_indicators(data, period="2021", plugins=BUILTINS, territories=[GRENOBLE])
    assert {r.contract for r in table if r.contract} == {"ctair-grenoble"}
    assert {r.territory for r in table} == {GRENOBLE, "FR"}
    grenoble = data.contract("ctair-grenoble")
    assert grenoble is not None
    assert {r.action for r in table if r.action} <= {a.id for a in grenoble.all_actions()}
    assert list(table) == [r for r in full if r.territory in (GRENOBLE, "FR")]
    assert value(table, "contracts", level="national") == len(data.contracts)


def test_a_contract_of_a_commune_within_the_epci_counts() -> None:
    """Filtering on the métropole keeps the contract of the city of Grenoble, not Dijon's."""
    data = dataset(
        [
            contract("c-metropole", GRENOBLE, action("a1")),
            contract("c-ville", GRENOBLE_CITY, action("a2")),
            contract("c-dijon", DIJON, action("a3")),
        ],
        people("M", 2, "a1") + people("V", 3, "a2") + people("D", 5, "a3"),
    )
    table = compute_indicators(
        data, period="2021", plugins=BUILTINS, threshold=1, territories=[GRENOBLE]
    )
    assert {r.contract for r in table if r.contract} == {"c-metropole", "c-ville"}
    assert value(table, "beneficiaries", level="national") == 10  # every contract
    # The city's contract keeps its own territory.
    assert value(table, "beneficiaries", level="territory", territory=GRENOBLE_CITY) == 3
    city_only = compute_indicators(
        data, period="2021", plugins=BUILTINS, threshold=1, territories=[GRENOBLE_CITY]
    )
    assert {r.contract for r in city_only if r.contract} == {"c-ville"}


def test_restricting_to_a_territory_never_publishes_what_the_full_table_hides() -> None:
    """A cell the full table suppresses is not published in a table restricted to some territories.

    Grenoble has 20 beneficiaries and Dijon 5. At threshold 11 the full table suppresses Dijon
    (primary) and Grenoble (its complement) and publishes the national 25. Restricted to
    Grenoble, the table publishes Grenoble's 20: 25 - 20 gives Dijon's 5 away.
    """
    data = dataset(
        [contract("c-grenoble", GRENOBLE, action("a1")), contract("c-dijon", DIJON, action("a3"))],
        people("G", 20, "a1") + people("D", 5, "a3"),
    )
    full = compute(data, threshold=11)
    restricted = compute(data, threshold=11, territories=[GRENOBLE])
    assert full.get("beneficiaries", level="territory", territory=DIJON).status is (
        CellStatus.PRIMARY
    )
    hidden = {key_of(r) for r in full if r.status in SUPPRESSED}
    revealed = [
        key_of(r)
        for r in restricted
        if r.status is CellStatus.PUBLISHED
        and r.level is not Level.NATIONAL
        and key_of(r) in hidden
    ]
    assert revealed == []


def test_an_unknown_indicator_is_refused_with_the_registered_names() -> None:
    """Asking for an indicator nobody registered is a LookupError that lists the registered ones."""
    with pytest.raises(LookupError) as caught:
        compute(dataset([]), indicators=["beneficiaries", "nope"])
    message = str(caught.value)
    assert "'nope'" in message
    assert "'beneficiaries'" not in message  # the known one is not reported as unknown
    for name in BUILTINS.indicators:
        assert name in message


def test_only_the_indicators_asked_for_are_computed() -> None:
    """indicators=[...] computes those, in every level, and the table describes only them."""
    data = territoires.demo.build(participations=300)
    table = compute_indicators(
        data, period="2021", plugins=BUILTINS, indicators=["actions", "beneficiaries"]
    )
    assert {r.indicator for r in table} == {"actions", "beneficiaries"}
    assert set(table.indicators) == {"actions", "beneficiaries"}
    assert {r.level for r in table} == set(Level)


def test_an_empty_scope_gives_an_empty_table() -> None:
    """Without contracts in scope there is nothing to publish, and no error."""
    table = compute(dataset([]))
    assert len(table) == 0
    assert list(table) == []


# -- the table ------------------------------------------------------------------------------------

SMALL = dataset(
    [
        contract("c-grenoble", GRENOBLE, action("a1"), action("a2", Theme.HOUSING)),
        contract("c-dijon", DIJON, action("a3")),
    ],
    people("F", 4, "a1", sex=Sex.FEMALE)
    + people("M", 20, "a1")
    + people("H", 15, "a2")
    + people("D", 12, "a3", sex=Sex.FEMALE),
)


def test_the_table_tells_its_period_threshold_and_origin() -> None:
    """A table carries its period, threshold, definitions and whether the data is synthetic."""
    table = compute(SMALL, "2021-S1", threshold=5)
    assert table.period == Period.semester(2021, 1)
    assert table.threshold == 5
    assert table.synthetic is True
    assert set(table.indicators) == set(BUILTINS.indicators)
    assert all(r.period == Period.semester(2021, 1) for r in table)
    assert len(table) == len(table.rows) == len(list(table))


def test_get_returns_the_one_matching_row() -> None:
    """The get method finds a total or a category of an entity, and refuses none or several."""
    table = compute(SMALL, threshold=11)
    national = compute(SMALL, threshold=3).get("beneficiaries")
    assert (national.level, national.territory, national.value) == (
        Level.NATIONAL,
        "FR",
        Decimal(51),
    )
    women = table.get(
        "beneficiaries", level="action", action="a1", dimension="sex", category="female"
    )
    assert (women.contract, women.territory, women.status) == (
        "c-grenoble",
        GRENOBLE,
        CellStatus.PRIMARY,
    )
    assert women.value is None
    by_enum = compute(SMALL).get(
        "beneficiaries",
        level=Level.CONTRACT,
        contract="c-dijon",
        dimension=Dimension.SEX,
        category="female",
    )
    assert by_enum.value == 12
    with pytest.raises(LookupError, match="expected one"):
        table.get("beneficiaries", level="action")  # three actions
    with pytest.raises(LookupError):
        table.get("beneficiaries", level="action", action="nowhere")
    with pytest.raises(LookupError):
        table.get("no-such-indicator")


def test_select_filters_on_every_criterion() -> None:
    """The select method keeps the rows matching every criterion; dimension=None means totals."""
    table = compute(SMALL)
    totals = table.select("beneficiaries", dimension=None)
    assert {r.dimension for r in totals} == {None}
    assert len(totals) == 3 + 2 + 2 + 1  # actions, contracts, territories, national
    by_sex = table.select("beneficiaries", level="national", dimension="sex")
    assert {r.category: r.value for r in by_sex} == {"female": 16, "male": 35}
    any_dimension = table.select("beneficiaries", level="national")
    assert len(any_dimension) == 1 + 1 + 2 + 1  # total, category, sexes, age band
    assert {r.action for r in table.select(contract="c-grenoble", level="action")} == {"a1", "a2"}
    assert {r.indicator for r in table.select(territory=DIJON)} >= {"beneficiaries", "actions"}
    assert table.select("beneficiaries", action="a3", dimension=None) == [
        table.get("beneficiaries", level="action", action="a3")
    ]
    assert table.select("nothing") == []


def test_a_suppressed_row_serialises_with_its_status_and_no_value() -> None:
    """to_dict gives strings for amounts, null for a suppressed value, and its published status.

    The engine's row knows it is primary; what to_dict gives (what JSON outputs publish) says
    "suppressed" only.
    """
    table = compute(SMALL, threshold=11)
    secret = table.get(
        "beneficiaries", level="action", action="a1", dimension="sex", category="female"
    )
    assert secret.status is CellStatus.PRIMARY
    record = secret.to_dict()
    assert record["value"] is None
    assert record["status"] == "suppressed"
    assert record["period_start"] == "2021-01-01"
    assert record["period_end"] == "2021-12-31"
    shown = compute(SMALL, threshold=3).get("beneficiaries").to_dict()
    assert (shown["value"], shown["status"], shown["level"], shown["unit"]) == (
        "51",
        "published",
        "national",
        "persons",
    )


# -- a local plugin's indicator -------------------------------------------------------------------


def test_the_lyon_plugin_indicator_is_computed_like_the_national_ones() -> None:
    """The Lyon plugin's indicator is in the same table, for the Lyon contract only, protected."""
    manager = get_plugin_manager()
    if LYON_INDICATOR not in manager.indicators:
        pytest.skip(f"{LYON_INDICATOR} is not registered (install territoires-lyon-logement)")
    durable, temporary = HousingOutcome.DURABLE_HOUSING, HousingOutcome.TEMPORARY_HOUSING
    rows = [
        # Lyon: three persons left in 2021 six months or more after entering; two durably.
        row("LA", "lyon-1", "2020-09-15", "2021-04-01", sex=Sex.FEMALE, housing=durable),
        row("LB", "lyon-1", "2020-10-01", "2021-05-10", sex=Sex.FEMALE, housing=temporary),
        row("LC", "lyon-2", "2021-01-10", "2021-07-10", housing=durable),
        # Grenoble: the same facts, but not the Métropole de Lyon.
        row("GA", "grenoble-1", "2020-09-15", "2021-04-01", housing=durable),
    ]
    data = dataset(
        [
            contract("ctair-lyon", LYON, action("lyon-1", Theme.HOUSING), action("lyon-2")),
            contract("ctair-grenoble", GRENOBLE, action("grenoble-1", Theme.HOUSING)),
        ],
        rows,
    )
    table = compute_indicators(
        data, period="2021", plugins=manager, threshold=1, geography=get_geography()
    )
    mine = table.select(LYON_INDICATOR)
    assert {r.level for r in mine} == set(Level)
    assert {r.contract for r in mine} == {"ctair-lyon", None}
    assert {r.territory for r in mine} == {LYON, "FR"}
    for level in ("contract", "territory", "national"):
        assert value(table, LYON_INDICATOR, level=level) == Decimal("66.67")
        assert value(table, LYON_INDICATOR, level=level, dimension="sex", category="female") == (
            Decimal("50.00")
        )
    assert value(table, LYON_INDICATOR, level="action", action="lyon-2") == Decimal("100.00")
    # The national indicators are in the same table, for both contracts.
    assert value(table, "beneficiaries") == 4
    assert table.indicators[LYON_INDICATOR].counts_persons
    # Disclosure control applies to it like to any count of persons: 2 of 3 is secret at 3.
    protected = compute_indicators(
        data, period="2021", plugins=manager, threshold=3, geography=get_geography()
    )
    assert protected.get(LYON_INDICATOR).status is CellStatus.PRIMARY
    assert protected.get(LYON_INDICATOR).value is None


class _BrokenShare:
    """A plugin whose share points at a breakdown nobody registered."""

    @territoires.hookimpl
    def register_indicators(self) -> list[Indicator]:
        share = BUILTINS.indicators["share_women"]
        return [
            attrs.evolve(
                share,
                name="t.share_women_by_theme",
                share_of=ShareOf(
                    indicator="beneficiaries",
                    dimension=Dimension.THEME,
                    numerator=frozenset({"housing"}),
                    denominator=frozenset({"housing", "health"}),
                ),
            )
        ]


def test_a_share_linked_to_a_missing_breakdown_is_left_out_and_the_rest_computes() -> None:
    """A share whose linked breakdown does not exist cannot be protected: refused, by name.

    It is left out when the registry is built, with an error naming its plugin; the other
    indicators compute as if it had never been registered.
    """
    manager = get_plugin_manager(autoload=False, plugins=[("broken", _BrokenShare())])
    assert "t.share_women_by_theme" not in manager.indicators
    (error,) = manager.errors
    assert (error.plugin, error.hook) == ("broken", "register_indicators")
    assert "'t.share_women_by_theme' is left out: it is a share of 'beneficiaries'" in error.cause
    table = compute_indicators(
        SMALL, period="2021", plugins=manager, indicators=["beneficiaries"], allow_invalid=True
    )
    alone = compute(SMALL, threshold=11, indicators=["beneficiaries"], geography=None)
    # Without a geography, SMALL's undeclared territories are errors: only the count differs.
    assert table == attrs.evolve(alone, data_errors=table.data_errors)
    with pytest.raises(UnknownIndicatorError, match=r"'t\.share_women_by_theme'"):
        compute(SMALL, plugins=manager, indicators=["t.share_women_by_theme"])


def test_asking_for_a_share_alone_gives_the_statuses_of_the_whole_table() -> None:
    """Linked indicators are protected together whichever of them is asked for."""
    whole = compute(SMALL, threshold=11)
    alone = compute(SMALL, threshold=11, indicators=["share_women"])
    assert list(alone) == [r for r in whole if r.indicator == "share_women"]
    counts = compute(SMALL, threshold=11, indicators=["beneficiaries"])
    assert list(counts) == [r for r in whole if r.indicator == "beneficiaries"]


def test_a_rate_per_10000_never_gives_back_a_suppressed_count() -> None:
    """The rate per 10,000 inhabitants of a contract is its count over a known population.

    Grenoble has two contracts: c1 with 20 women, c2 with 4 women and 30 men. c2's women are
    suppressed (fewer than 11), so c1's women are too (Grenoble's women minus c1's would give
    them away), and c1's total with them, since c1 has women only. Its rate per 10,000 (20 /
    100,000 inhabitants) must be suppressed as well, or 0.2 × 10 gives the 20 back.
    """
    data = dataset(
        [contract("c1", GRENOBLE, action("a1")), contract("c2", GRENOBLE, action("a2"))],
        people("W", 20, "a1", sex=Sex.FEMALE)
        + people("X", 4, "a2", sex=Sex.FEMALE)
        + people("M", 30, "a2"),
    )
    table = compute(data, threshold=11)
    women = table.get("beneficiaries", level="contract", contract="c1", dimension="sex",
                      category="female")  # fmt: skip
    assert women.status is CellStatus.SECONDARY
    assert table.get("beneficiaries", level="contract", contract="c1").status in SUPPRESSED
    rate = table.get("beneficiaries_per_10000", level="contract", contract="c1")
    assert rate.status in SUPPRESSED
    assert rate.value is None


def test_common_slips_in_the_arguments_are_understood_or_refused_clearly() -> None:
    """A year as a number and one territory as a text work; an unknown level is named."""
    assert compute(SMALL, 2021).period == Period.year(2021)  # type: ignore[arg-type]
    one = compute(SMALL, territories=GRENOBLE)
    assert one == compute(SMALL, territories=[GRENOBLE])
    with pytest.raises(ValueError, match="level: levels among action, contract"):
        compute(SMALL, level="regional")
    with pytest.raises(FormatError, match="is not a period"):
        compute(SMALL, 2021.5)  # type: ignore[arg-type]


def test_a_territory_nobody_knows_is_refused_with_suggestions() -> None:
    """A restriction to a code that is neither a contract's nor official names the code."""
    with pytest.raises(territoires.UnknownTerritoryError, match="'99999'"):
        compute_indicators(SMALL, period="2021", plugins=BUILTINS, territories=["99999"])


# -- a calculator that fails ----------------------------------------------------------------------


def _failing(name: str, exc: BaseException, **fields: Any) -> Indicator:
    def calculator(facts: IndicatorInput) -> Mapping[tuple[str, ...], Any]:
        raise exc

    fields.setdefault("granularity", Granularity.CONTRACT)  # called once per contract
    base = BUILTINS.indicators["beneficiaries"]
    return attrs.evolve(base, name=name, compute=calculator, **fields)


def _with(*indicators: Indicator) -> PluginManager:
    plugin = types.SimpleNamespace(register_indicators=hookimpl(lambda: list(indicators)))
    return get_plugin_manager(autoload=False, plugins=[("lyon", plugin)])


FAILURES = PLUGIN_EXCEPTIONS


@settings(deadline=None, max_examples=25)
@given(
    data=consistent_datasets(max_contracts=2, max_participations=8),
    exc=st.sampled_from(FAILURES),
    threshold=st.integers(1, 6),
)
def test_a_failing_calculator_leaves_every_other_cell_as_it_would_be(
    data: Dataset, exc: BaseException, threshold: int
) -> None:
    """Whatever a plugin's calculator raises, the table is the one computed without it.

    Its indicator is left out with the error that says why; nothing else changes, national
    indicators included.
    """
    manager = _with(_failing("69123.fragile", exc))
    period = Period(D(1995, 1, 1), D(2100, 12, 31))
    options: dict[str, Any] = {"period": period, "threshold": threshold, "allow_invalid": True}
    table = compute_indicators(data, plugins=manager, **options)
    alone = compute_indicators(data, plugins=BUILTINS, **options)
    assert table.rows == alone.rows
    if not data.contracts:  # nothing to compute: the calculator never ran
        assert table.errors == {}
        return
    error = table.errors["69123.fragile"]
    assert (error.plugin, error.hook) == ("lyon", "calculator of indicator '69123.fragile'")
    assert error.cause == f"raised {describe_exception(exc)}"
    assert error in manager.errors


def test_a_failing_calculator_is_named_when_only_its_table_was_asked_for() -> None:
    """Asking for the failing indicator alone gives an empty table that says it is incomplete."""
    manager = _with(_failing("69123.fragile", SystemExit(3)))
    table = compute(SMALL, plugins=manager, indicators=["69123.fragile"])
    assert table.rows == ()
    assert list(table.errors) == ["69123.fragile"]
    assert str(table.errors["69123.fragile"]) == (
        "plugin 'lyon', calculator of indicator '69123.fragile': raised SystemExit: 3"
    )


def test_keyboard_interrupt_in_a_calculator_stops_the_computation() -> None:
    """Ctrl-C in a calculator is the user's: it propagates, it is not a plugin's fault."""
    manager = _with(_failing("69123.fragile", KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        compute(SMALL, plugins=manager)
    assert manager.errors == []


class _Odd:
    """A partial aggregate of a plugin's own type that cannot tell the persons behind it."""

    value = Decimal(1)

    def merge(self, other: _Odd) -> _Odd:
        return self

    def __repr__(self) -> str:
        return "_Odd()"


class _Shapeless:
    """A partial whose persons change shape from one cell to the next."""

    def __init__(self, counts: tuple[int, ...]) -> None:
        self.counts = counts
        self.value = Decimal(sum(counts))

    def merge(self, other: _Shapeless) -> _Shapeless:
        return _Shapeless(self.counts + other.counts)

    def person_counts(self) -> tuple[int, ...]:
        return self.counts


@pytest.mark.parametrize(
    ("returned", "cause"),
    [
        (None, "raised TypeError: returned a NoneType; expected a mapping of partial aggregates"),
        (
            {("female", "extra"): Persons.of(["P1"])},
            "raised TypeError: returned the key ('female', 'extra'); expected a tuple of 1 "
            "categories (one per dimension, as texts)",
        ),
        (
            {("female",): _Odd()},
            "raised WrongTypeError: partial: a partial aggregate whose persons can be told (one "
            "of territoires.measures, or one with a person_counts() method), got _Odd()",
        ),
        (
            {("female",): _Shapeless((1,)), ("male",): _Shapeless((1, 2))},
            "raised ValueError: its partial aggregates count persons in different shapes "
            "(from 1 to 9 counts): disclosure control cannot add them up",
        ),
    ],
    ids=["none", "wrong-key", "unknown-partial", "shapeless"],
)
def test_a_calculator_returning_what_cannot_be_published_is_left_out(
    returned: object, cause: str
) -> None:
    """Partial aggregates the table cannot protect are the plugin's fault, named; the rest runs."""
    by_sex = attrs.evolve(
        BUILTINS.indicators["beneficiaries"],
        name="69123.bizarre",
        compute=lambda facts: returned,
        dimensions=(Dimension.SEX,),
    )
    table = compute(SMALL, plugins=_with(by_sex))
    assert table.rows == compute(SMALL).rows
    assert table.errors["69123.bizarre"].cause == cause


def test_a_failing_builtin_calculator_is_named_and_takes_down_no_other_indicator() -> None:
    """A fault in a built-in calculator is a bug of ours, named as such; the others compute."""
    from territoires.builtins.indicators import INDICATORS

    def bug(facts: IndicatorInput) -> Mapping[tuple[str, ...], Any]:
        raise ZeroDivisionError("division by zero")

    national = [
        attrs.evolve(item, compute=bug) if item.name == "contracts" else item for item in INDICATORS
    ]
    manager = get_plugin_manager(autoload=False, builtins=False)
    manager.add(
        types.SimpleNamespace(register_indicators=hookimpl(lambda: national)),
        PluginInfo(
            name="territoires.builtins.indicators",
            distribution="territoires",
            version=territoires.__version__,
            builtin=True,
        ),
    )
    table = compute(SMALL, plugins=manager)
    assert table.rows == tuple(row for row in compute(SMALL) if row.indicator != "contracts")
    error = table.errors["contracts"]
    assert (error.plugin, error.distribution, error.hook, error.cause) == (
        "territoires.builtins.indicators",
        "territoires",
        "calculator of indicator 'contracts'",
        "raised ZeroDivisionError: division by zero",
    )


def test_what_follows_a_failing_indicator_is_left_out_with_it() -> None:
    """A share of a failing indicator, and a rate counting as it, are left out for its reason.

    Disclosure control suppresses a share whenever the counts it is a share of are
    suppressed: without those counts it cannot be protected as the published tables need,
    so it is not published. The indicators linked to neither are computed as usual.
    """
    failure = ValueError("no table")
    base = _failing("69123.base", failure, dimensions=(Dimension.SEX,))
    share = attrs.evolve(
        BUILTINS.indicators["share_women"],
        name="69123.part",
        share_of=ShareOf(
            indicator="69123.base",
            dimension=Dimension.SEX,
            numerator=frozenset({"female"}),
            denominator=frozenset({"female", "male"}),
        ),
    )
    rate = attrs.evolve(BUILTINS.indicators["share_women"], name="69123.of_part", share_of=None)
    rate = attrs.evolve(rate, counts_as="69123.part")
    plugins = _with(base, share, rate)
    table = compute(SMALL, plugins=plugins, threshold=11)
    assert sorted(table.errors) == ["69123.base", "69123.of_part", "69123.part"]
    assert {id(error) for error in table.errors.values()} == {id(table.errors["69123.base"])}
    assert str(table.errors["69123.part"]).endswith("raised ValueError: no table")
    assert not [row for row in table if row.indicator.startswith("69123.")]
    assert table.rows == tuple(
        row
        for row in compute(SMALL, plugins=_with(), threshold=11)
        if row.indicator in BUILTINS.indicators
    )


@settings(deadline=None, max_examples=40)
@given(
    data=consistent_datasets(max_contracts=3, max_participations=30),
    threshold=st.integers(2, 11),
    selection=st.lists(st.sampled_from(sorted(BUILTINS.indicators)), min_size=1, unique=True),
)
def test_a_cell_status_never_depends_on_the_indicators_asked_for(
    data: Dataset, threshold: int, selection: list[str]
) -> None:
    """Any selection of indicators, in any order, gives its cells the full table's statuses."""
    full = {_key(row): row.status for row in compute(data, threshold=threshold)}
    chosen = compute(data, threshold=threshold, indicators=selection)
    assert {row.indicator for row in chosen} <= set(selection)
    assert {_key(row): row.status for row in chosen} == {
        key: status for key, status in full.items() if key[0] in selection
    }


def _key(row: IndicatorRow) -> tuple[object, ...]:
    """What identifies a cell in a table."""
    return (
        row.indicator,
        row.level,
        row.territory,
        row.contract,
        row.action,
        row.dimension,
        row.category,
    )


def test_the_share_of_women_alone_has_the_full_tables_statuses_on_the_demo() -> None:
    """Asked alone, the share of women used to get secondary cells the full table publishes."""
    demo = territoires.demo.build()
    for period in ("2021", "2021-S1", "2022"):
        full = {_key(row): row.status for row in compute(demo, period, threshold=11)}
        alone = compute(demo, period, threshold=11, indicators=["share_women"])
        assert {_key(row): row.status for row in alone} == {
            key: status for key, status in full.items() if key[0] == "share_women"
        }
