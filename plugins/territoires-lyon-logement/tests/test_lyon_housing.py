"""Tests of the territoires-lyon-logement plugin: durable housing six months after entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import metadata

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires_lyon_logement as plugin
from territoires import (
    Action,
    AdministrativeStatus,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    HousingOutcome,
    IndicatorInput,
    Participation,
    Period,
    PublicCategory,
    PublicScope,
    Sex,
    Theme,
)
from territoires.geo import get_geography
from territoires.measures import PersonsRatio
from territoires.testing import plugin_manager

YEAR = Period.year(2023)
BPI = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))
CONTRACT_PERIOD = Period(dt.date(2019, 10, 1), dt.date(2024, 12, 31))

Partials = Mapping[tuple[str, ...], PersonsRatio]


def action(action_id: str, theme: Theme = Theme.HOUSING) -> Action:
    """Return an action running through the contract's period."""
    return Action(id=action_id, title=f"Action {action_id}", theme=theme, period=CONTRACT_PERIOD)


def contract(contract_id: str, territory: str, *actions: Action) -> Contract:
    """Return a signed CTAIR of ``territory`` for refugees, with ``actions``."""
    return Contract(
        id=contract_id,
        kind=ContractKind.CTAIR,
        territory=territory,
        title=f"CTAIR {territory}",
        period=CONTRACT_PERIOD,
        public=BPI,
        signed_on=CONTRACT_PERIOD.start,
        actions=actions,
    )


def row(
    number: int,
    person: str,
    action_id: str,
    entry: str,
    exit_: str | None,
    housing: HousingOutcome | None,
    sex: Sex = Sex.FEMALE,
) -> Participation:
    """Return a refugee's participation; dates in ISO form."""
    return Participation(
        id=f"part-{number:03d}",
        person=person,
        action=action_id,
        entry_date=dt.date.fromisoformat(entry),
        exit_date=None if exit_ is None else dt.date.fromisoformat(exit_),
        status=AdministrativeStatus.REFUGEE,
        sex=sex,
        housing=housing,
    )


DURABLE = HousingOutcome.DURABLE_HOUSING
TEMPORARY = HousingOutcome.TEMPORARY_HOUSING
SHELTER = HousingOutcome.EMERGENCY_SHELTER

LYON = contract("ctair-lyon", "200046977", action("lyon-01"), action("lyon-02", Theme.HEALTH))
GRENOBLE = contract("ctair-grenoble", "200040715", action("grenoble-01"))

ROWS = (
    # Qualify in 2023: left in the year, six months or more after entry, situation recorded.
    row(1, "P-A01", "lyon-01", "2022-09-15", "2023-04-01", DURABLE, Sex.FEMALE),
    row(2, "P-B02", "lyon-01", "2022-10-01", "2023-05-10", TEMPORARY, Sex.FEMALE),
    # P-C03 leaves six months to the day after entry: that counts.
    row(3, "P-C03", "lyon-01", "2023-01-10", "2023-07-10", DURABLE, Sex.MALE),
    # Do not qualify.
    row(4, "P-D04", "lyon-01", "2023-03-01", "2023-08-31", DURABLE),  # left a day before six months
    row(5, "P-E05", "lyon-01", "2023-02-01", None, None),  # still in the action
    row(6, "P-F06", "lyon-01", "2022-01-01", "2023-03-01", None),  # situation not recorded
    row(7, "P-G07", "lyon-01", "2022-01-01", "2022-12-31", DURABLE),  # left before the period
    row(8, "P-H08", "lyon-01", "2023-05-01", "2024-01-15", DURABLE),  # left after the period
    # P-A01 again, in a second action of the contract, leaving into a shelter.
    row(9, "P-A01", "lyon-02", "2022-09-15", "2023-06-01", SHELTER, Sex.FEMALE),
    # Grenoble: would qualify, but the contract is not the Métropole de Lyon's.
    row(10, "P-K10", "grenoble-01", "2022-09-15", "2023-04-01", DURABLE),
    row(11, "P-L11", "grenoble-01", "2022-10-01", "2023-05-10", TEMPORARY),
)

DATA = Dataset(
    info=DatasetInfo(title="Jeu de test (synthétique)", synthetic=True),
    territories=(get_geography().get("200046977"), get_geography().get("200040715")),
    contracts=(LYON, GRENOBLE),
    participations=ROWS,
)


def table(
    data: Dataset,
    contract_id: str,
    action_ids: Sequence[str] | None = None,
    period: Period = YEAR,
) -> IndicatorInput:
    """The table of a contract (or of some of its actions), as an indicator engine builds it."""
    found = data.contract(contract_id)
    assert found is not None
    chosen = tuple(a for a in found.actions if action_ids is None or a.id in action_ids)
    ids = {a.id for a in chosen}
    return IndicatorInput(
        contract=found,
        actions=chosen,
        participations=[p for p in data.participations if p.action in ids],
        reports=(),
        period=period,
        geography=get_geography(),
    )


def merge(*parts: Partials) -> dict[tuple[str, ...], PersonsRatio]:
    """Merge partial aggregates key by key, as an engine merges actions or periods."""
    merged: dict[tuple[str, ...], PersonsRatio] = {}
    for part in parts:
        for key, value in part.items():
            merged[key] = merged[key].merge(value) if key in merged else value
    return merged


def total_of(partials: Partials) -> PersonsRatio:
    """Merge every key's partial: the value without breakdown by sex."""
    total = PersonsRatio(numerator=frozenset(), denominator=frozenset())
    for value in partials.values():
        total = total.merge(value)
    return total


def compute(facts: IndicatorInput) -> Partials:
    """Compute the indicator as registered through a fresh plugin manager."""
    return plugin_manager(plugin).indicators[plugin.NAME].compute(facts)


def test_the_test_dataset_is_sound():
    """The hand-built dataset passes the core checks, so the tests below read valid data."""
    assert DATA.validate(geography=get_geography()) == []


def test_the_indicator_is_registered_under_the_territory_namespace():
    """The plugin registers its indicator under 200046977, and nothing fails."""
    manager = plugin_manager(plugin)
    assert manager.errors == []
    assert plugin.NAME in manager.indicators
    registration = manager.indicators.registration(plugin.NAME)
    assert registration.plugin.name == plugin.__name__
    assert registration.replaced is None
    indicator = registration.item
    assert indicator.namespace == "200046977"
    assert indicator.counts_persons
    assert indicator.unit.value == "percent"
    assert indicator.over_time.value == indicator.over_territory.value == "ratio_of_sums"
    assert [d.value for d in indicator.dimensions] == ["sex"]
    assert "six mois" in indicator.description_fr
    assert "six months" in indicator.description_en


def test_the_entry_point_is_declared_once_installed():
    """Installed, the distribution exposes the plugin under the entry point lyon-logement."""
    try:
        dist = metadata.distribution("territoires-lyon-logement")
    except metadata.PackageNotFoundError:
        pytest.skip("territoires-lyon-logement is not installed (pip install -e it)")
    points = [ep for ep in dist.entry_points if ep.group == "territoires"]
    assert [(ep.name, ep.value) for ep in points] == [("lyon-logement", plugin.__name__)]


def test_the_share_is_two_of_three_on_known_rows():
    """Of the three persons whose exit after six months is known, two left into durable housing."""
    result = compute(table(DATA, "ctair-lyon", ["lyon-01"]))
    assert result == {
        ("female",): PersonsRatio(
            numerator=frozenset({"P-A01"}), denominator=frozenset({"P-A01", "P-B02"})
        ),
        ("male",): PersonsRatio(numerator=frozenset({"P-C03"}), denominator=frozenset({"P-C03"})),
    }
    assert result[("female",)].value == Decimal(1) / Decimal(2)
    assert total_of(result).value == Decimal(2) / Decimal(3)


def test_a_person_in_two_actions_counts_once():
    """P-A01 left two actions of the contract: one person in the denominator, housed once."""
    result = compute(table(DATA, "ctair-lyon"))
    total = total_of(result)
    assert total.denominator == {"P-A01", "P-B02", "P-C03"}
    assert total.numerator == {"P-A01", "P-C03"}
    assert total.value == Decimal(2) / Decimal(3)


def test_the_second_action_alone_has_its_own_share():
    """Alone, the second action has one person, who left into a shelter: 0 %."""
    result = compute(table(DATA, "ctair-lyon", ["lyon-02"]))
    assert total_of(result).value == Decimal(0)


def test_another_territory_gives_nothing():
    """A Grenoble contract's rows give no value, however they look."""
    assert compute(table(DATA, "ctair-grenoble")) == {}


def test_lyon_rows_under_another_contract_give_nothing():
    """The contract's territory decides, not the rows: under a Dijon contract they count none."""
    facts = table(DATA, "ctair-lyon")
    dijon = attrs.evolve(facts.contract, territory="242100410")
    assert compute(attrs.evolve(facts, contract=dijon)) == {}


@pytest.mark.parametrize(
    ("territory", "expected"),
    [("200046977", True), ("69123", True), ("69266", True), ("69381", True), ("dep:69", False)],
)
def test_contracts_of_communes_of_the_metropole_count(territory, expected):
    """Contracts of Lyon, Villeurbanne or a Lyon arrondissement count; the Rhône's do not."""
    facts = table(DATA, "ctair-lyon")
    moved = attrs.evolve(facts.contract, territory=territory)
    assert bool(compute(attrs.evolve(facts, contract=moved))) is expected
    assert plugin.is_lyon(territory) is expected


def test_without_geography_the_bundled_one_decides():
    """A table without geography still recognises Villeurbanne, through the bundled geography."""
    facts = table(DATA, "ctair-lyon")
    moved = attrs.evolve(facts.contract, territory="69266")
    assert compute(attrs.evolve(facts, contract=moved, geography=None)) == compute(facts)


def test_six_months_follow_article_641():
    """Entered on 31 August 2022, six months are reached on 28 February 2023, not before."""
    lyon = table(DATA, "ctair-lyon", ["lyon-01"])
    on_time = row(1, "P-Z01", "lyon-01", "2022-08-31", "2023-02-28", DURABLE)
    too_soon = row(2, "P-Z02", "lyon-01", "2022-08-31", "2023-02-27", DURABLE)
    result = compute(attrs.evolve(lyon, participations=[on_time, too_soon]))
    assert total_of(result).denominator == {"P-Z01"}
    assert plugin.six_months_after(dt.date(2022, 8, 31)) == dt.date(2023, 2, 28)


def test_semesters_merge_into_the_year():
    """Periods split the exits: the two semesters' partials merge into the year's."""
    facts = table(DATA, "ctair-lyon")
    first = compute(attrs.evolve(facts, period=Period.semester(2023, 1)))
    second = compute(attrs.evolve(facts, period=Period.semester(2023, 2)))
    assert merge(first, second) == compute(facts)


def test_rows_of_other_actions_are_ignored():
    """Rows of actions outside the table are not counted, even if handed over."""
    facts = table(DATA, "ctair-lyon", ["lyon-02"])
    everything = attrs.evolve(facts, participations=list(DATA.participations))
    assert compute(everything) == compute(facts)


# -- property ---------------------------------------------------------------------------------

DAY = dt.date(2022, 1, 1)


@st.composite
def participations(draw: st.DrawFn) -> list[Participation]:
    """Draw up to 12 rows of 5 persons in the two Lyon actions, some exited, some housed."""
    rows = []
    for number in range(draw(st.integers(min_value=0, max_value=12))):
        entry = DAY + dt.timedelta(days=draw(st.integers(min_value=0, max_value=700)))
        stay = draw(st.none() | st.integers(min_value=0, max_value=500))
        rows.append(
            Participation(
                id=f"part-{number:03d}",
                person=draw(st.sampled_from(["P-01", "P-02", "P-03", "P-04", "P-05"])),
                action=draw(st.sampled_from(["lyon-01", "lyon-02"])),
                entry_date=entry,
                exit_date=None if stay is None else entry + dt.timedelta(days=stay),
                status=AdministrativeStatus.REFUGEE,
                sex=draw(st.sampled_from(Sex)),
                housing=draw(st.none() | st.sampled_from(HousingOutcome)),
            )
        )
    return rows


INDICATOR = plugin.indicator()


@given(rows=participations())
def test_two_actions_partials_merge_into_the_contract_value(rows):
    """Merging each action's partials gives exactly the computation over both actions' rows."""
    both = IndicatorInput(
        contract=LYON, actions=LYON.actions, participations=rows, reports=(), period=YEAR
    )
    parts = [
        INDICATOR.compute(
            IndicatorInput(
                contract=LYON,
                actions=(a,),
                participations=[r for r in rows if r.action == a.id],
                reports=(),
                period=YEAR,
            )
        )
        for a in LYON.actions
    ]
    whole = INDICATOR.compute(both)
    assert merge(*parts) == whole
    assert {k: v.value for k, v in merge(*parts).items()} == {k: v.value for k, v in whole.items()}
    for value in whole.values():
        assert value.numerator <= value.denominator
        assert value.value is not None
        assert 0 <= value.value <= 1


@given(rows=participations(), half=st.sampled_from([YEAR, Period.semester(2023, 2), None]))
def test_the_columnar_calculator_gives_the_reference_partials(rows, half):
    """The registered calculator (columns) and the one on objects agree on any table."""
    period = half or Period(dt.date(2022, 6, 1), None)
    for actions in ((LYON.actions[0],), LYON.actions):
        facts = IndicatorInput(
            contract=LYON, actions=actions, participations=rows, reports=(), period=period
        )
        fast = plugin.durable_housing_after_six_months_fast(facts)
        assert fast == plugin.durable_housing_after_six_months(facts)
