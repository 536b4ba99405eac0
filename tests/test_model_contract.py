"""Contracts over time: status, avenants applied with as_of, and the steering calendar."""

import calendar
import datetime as dt
from collections import Counter
from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from strategies import contracts, dates
from territoires.model import (
    Action,
    ActionFunding,
    Amendment,
    Contract,
    ContractKind,
    ContractStatus,
    Funding,
    FundingSource,
    GovernanceBody,
    GovernanceKind,
    GovernanceLevel,
    Period,
    PublicCategory,
    PublicScope,
    Theme,
)
from territoires.model.dates import add_months

DAY = dt.timedelta(days=1)
REFUGEES = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))

DIJON = Contract(
    id="dijon-ctair",
    kind=ContractKind.CTAIR,
    territory="242100410",
    title="CTAIR Dijon Métropole",
    signed_on=dt.date(2019, 6, 12),
    period=Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)),
    public=REFUGEES,
)

AVENANT_DAY = dt.date(2022, 6, 29)  # a Wednesday; the préfecture's communiqué is of 30 June
FRENCH = Action(
    id="gre-fle",
    title="Français à visée professionnelle",
    theme=Theme.FRENCH_LANGUAGE,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
    funding=(
        Funding(
            funder="diair",
            source=FundingSource.P104_ACTION_15,
            year=2019,
            committed=Decimal("100000"),
        ),
    ),
)
HOUSING = Action(
    id="gre-logement",
    title="Accès au logement",
    theme=Theme.HOUSING,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
)
NEW_FUNDING = Funding(
    funder="diair", source=FundingSource.P104_ACTION_12, year=2022, committed=Decimal("50000.00")
)
AGIR = Action(
    id="gre-agir",
    title="Déploiement d'AGIR",
    theme=Theme.EMPLOYMENT_TRAINING,
    period=Period(AVENANT_DAY, dt.date(2023, 12, 31)),
)
AVENANT = Amendment(
    id="avenant-1",
    effective_on=AVENANT_DAY,
    signed_on=AVENANT_DAY,
    title="Avenant n° 1",
    new_end=dt.date(2023, 12, 31),
    public_added=frozenset({PublicCategory.OTHER_NEWCOMER}),
    funding_added=(ActionFunding(action="gre-logement", funding=NEW_FUNDING),),
    actions_added=(AGIR,),
    actions_closed=("gre-fle",),
    rationale="AGIR, ouverture aux primo-arrivants, accueil des déplacés d'Ukraine",
)
GRENOBLE = Contract(
    id="grenoble-ctair",
    kind=ContractKind.CTAIR,
    territory="200040715",
    title="CTAIR Grenoble-Alpes-Métropole",
    signed_on=dt.date(2019, 6, 20),
    period=Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31)),
    public=REFUGEES,
    actions=(FRENCH, HOUSING),
    amendments=(AVENANT,),
)


def _pending(contract: Contract) -> tuple[Contract, Counter[Amendment]]:
    """Split a contract into its applied state and the multiset of avenants still pending."""
    return attrs.evolve(contract, amendments=()), Counter(contract.amendments)


# -- status -------------------------------------------------------------------------------------


def test_dijon_is_a_draft_until_its_signature_on_12_june_2019() -> None:
    """The first CTAIR, Dijon's, is a draft on 11 June 2019 and active on 12 June 2019."""
    assert DIJON.status(dt.date(2019, 6, 11)) is ContractStatus.DRAFT
    assert DIJON.status(dt.date(2019, 6, 12)) is ContractStatus.ACTIVE
    assert DIJON.status(dt.date(2021, 12, 31)) is ContractStatus.ACTIVE
    assert DIJON.status(dt.date(2022, 1, 1)) is ContractStatus.ENDED


def test_a_contract_signed_before_its_start_is_signed_in_between() -> None:
    """Between signature and start the contract is signed, not yet active."""
    rouen = attrs.evolve(DIJON, signed_on=dt.date(2021, 11, 23), period=Period(dt.date(2022, 1, 1)))
    assert rouen.status(dt.date(2021, 11, 22)) is ContractStatus.DRAFT
    assert rouen.status(dt.date(2021, 11, 23)) is ContractStatus.SIGNED
    assert rouen.status(dt.date(2021, 12, 31)) is ContractStatus.SIGNED
    assert rouen.status(dt.date(2022, 1, 1)) is ContractStatus.ACTIVE
    assert rouen.status(dt.date(2090, 1, 1)) is ContractStatus.ACTIVE


def test_an_unsigned_contract_stays_a_draft() -> None:
    """Without a signature date a contract is a draft, even during its planned period."""
    draft = attrs.evolve(DIJON, signed_on=None)
    assert draft.status(dt.date(2020, 1, 1)) is ContractStatus.DRAFT


def test_a_ctair_ended_before_its_avenant_is_ended_as_seen_on_that_day() -> None:
    """On 15 Jan 2022 Grenoble's CTAIR is ended, although the June 2022 avenant prolongs it.

    Status follows as_of semantics: it says what the contract was on that day, using only the
    avenants in force then; the prolongation makes it active again from 29 June 2022.
    """
    assert GRENOBLE.status(dt.date(2022, 1, 15)) is ContractStatus.ENDED
    assert GRENOBLE.status(AVENANT_DAY - DAY) is ContractStatus.ENDED
    assert GRENOBLE.status(AVENANT_DAY) is ContractStatus.ACTIVE
    assert GRENOBLE.status(dt.date(2023, 12, 31)) is ContractStatus.ACTIVE
    assert GRENOBLE.status(dt.date(2024, 1, 1)) is ContractStatus.ENDED


# -- as_of ----------------------------------------------------------------------------------------


def test_grenoble_before_and_on_the_day_of_its_avenant() -> None:
    """Before its avenant Grenoble's CTAIR serves refugees to 2021; after it, newcomers to 2023."""
    before = GRENOBLE.as_of(AVENANT_DAY - DAY)
    assert before.public.categories == {PublicCategory.REFUGEE}
    assert before.period == Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31))
    assert before.amendments == (AVENANT,)
    assert before == GRENOBLE

    after = GRENOBLE.as_of(AVENANT_DAY)
    assert after.public.categories == {PublicCategory.REFUGEE, PublicCategory.OTHER_NEWCOMER}
    assert after.period == Period(dt.date(2019, 6, 20), dt.date(2023, 12, 31))
    assert after.amendments == ()
    assert GRENOBLE.final_period == after.period


def test_an_action_without_its_own_public_follows_the_opening() -> None:
    """An action serving the contract's public is opened to newcomers with the contract."""
    assert HOUSING.public_in(GRENOBLE.as_of(AVENANT_DAY - DAY)) == REFUGEES
    opened = HOUSING.public_in(GRENOBLE.as_of(AVENANT_DAY))
    assert PublicCategory.OTHER_NEWCOMER in opened.categories


def test_an_avenant_closes_actions_from_its_effective_date() -> None:
    """Actions closed by an avenant get its effective date as closing date, and close then."""
    assert GRENOBLE.as_of(AVENANT_DAY - DAY).action("gre-fle") == FRENCH
    closed = GRENOBLE.as_of(AVENANT_DAY).action("gre-fle")
    assert closed is not None
    assert closed.closed_on == AVENANT_DAY
    open_ended = attrs.evolve(FRENCH, period=Period(FRENCH.period.start))
    action = attrs.evolve(GRENOBLE, actions=(open_ended,)).as_of(AVENANT_DAY).action("gre-fle")
    assert action is not None
    assert action.is_open(AVENANT_DAY - DAY)
    assert not action.is_open(AVENANT_DAY)


def test_actions_running_to_the_end_are_prolonged_with_the_contract() -> None:
    """A prolongation carries the actions that ran to the former end; others keep their end."""
    early = attrs.evolve(HOUSING, period=Period(dt.date(2019, 9, 1), dt.date(2020, 12, 31)))
    contract = attrs.evolve(
        GRENOBLE, actions=(FRENCH, early), amendments=(attrs.evolve(AVENANT, actions_closed=()),)
    )
    before = contract.as_of(AVENANT_DAY - DAY)
    after = contract.as_of(AVENANT_DAY)
    assert before.action("gre-fle") == FRENCH
    prolonged, kept = after.action("gre-fle"), after.action("gre-logement")
    assert prolonged is not None
    assert kept is not None
    assert prolonged.period == Period(FRENCH.period.start, dt.date(2023, 12, 31))
    assert kept.period == early.period


def test_a_later_closure_keeps_the_first_closing_date() -> None:
    """An action closed twice keeps the date of the first closure."""
    second = Amendment(
        id="avenant-2", effective_on=dt.date(2023, 3, 1), actions_closed=("gre-fle",)
    )
    contract = attrs.evolve(GRENOBLE, amendments=(second, AVENANT))
    action = contract.as_of(dt.date(2023, 6, 1)).action("gre-fle")
    assert action is not None
    assert action.closed_on == AVENANT_DAY


def test_funding_added_goes_to_the_named_action_only() -> None:
    """A funding line added by an avenant is appended to its action, after the existing ones."""
    after = GRENOBLE.as_of(AVENANT_DAY)
    housing, french = after.action("gre-logement"), after.action("gre-fle")
    assert housing is not None
    assert french is not None
    assert housing.funding == (NEW_FUNDING,)
    assert french.funding == FRENCH.funding
    assert housing.committed == Decimal("50000")
    add_to_french = Amendment(
        id="avenant-2",
        effective_on=dt.date(2023, 1, 1),
        funding_added=(ActionFunding(action="gre-fle", funding=NEW_FUNDING),),
    )
    later = attrs.evolve(GRENOBLE, amendments=(AVENANT, add_to_french)).as_of(dt.date(2023, 1, 1))
    french = later.action("gre-fle")
    assert french is not None
    assert french.funding == (*FRENCH.funding, NEW_FUNDING)


def test_actions_added_come_after_the_initial_ones() -> None:
    """Actions added by an avenant appear, after the initial ones, from its effective date."""
    assert [a.id for a in GRENOBLE.as_of(AVENANT_DAY - DAY).actions] == ["gre-fle", "gre-logement"]
    assert [a.id for a in GRENOBLE.as_of(AVENANT_DAY).actions] == [
        "gre-fle",
        "gre-logement",
        "gre-agir",
    ]
    assert [a.id for a in GRENOBLE.all_actions()] == ["gre-fle", "gre-logement", "gre-agir"]
    assert GRENOBLE.action("gre-agir") is None


def test_avenants_apply_in_effective_date_order_not_list_order() -> None:
    """A 2023 prolongation listed before a 2022 one still wins from 2023 on."""
    first = Amendment(id="avenant-1", effective_on=AVENANT_DAY, new_end=dt.date(2023, 12, 31))
    second = Amendment(
        id="avenant-2", effective_on=dt.date(2023, 10, 20), new_end=dt.date(2024, 12, 31)
    )
    contract = attrs.evolve(GRENOBLE, amendments=(second, first))
    assert contract.as_of(dt.date(2023, 1, 1)).period.end == dt.date(2023, 12, 31)
    assert contract.as_of(dt.date(2023, 10, 20)).period.end == dt.date(2024, 12, 31)
    assert contract.amendments_in_force(dt.date(2024, 1, 1)) == (first, second)
    assert contract.final_period.end == dt.date(2024, 12, 31)


def _dates_around(contract: Contract) -> st.SearchStrategy[dt.date]:
    days = [a.effective_on for a in contract.amendments]
    low = min([contract.period.start, *days]) - dt.timedelta(days=400)
    high = max([contract.period.start, *days]) + dt.timedelta(days=400)
    return st.one_of(st.sampled_from(days), dates(low, high)) if days else dates(low, high)


@given(st.data())
def test_the_order_of_avenants_in_the_list_does_not_matter(data: st.DataObject) -> None:
    """Shuffling avenants (distinct dates) changes nothing as of any date but the pending order."""
    contract = data.draw(contracts())
    assume(len({a.effective_on for a in contract.amendments}) == len(contract.amendments))
    shuffled = attrs.evolve(
        contract, amendments=tuple(data.draw(st.permutations(contract.amendments)))
    )
    on = data.draw(_dates_around(contract))
    assert _pending(shuffled.as_of(on)) == _pending(contract.as_of(on))
    assert shuffled.final_period == contract.final_period
    assert shuffled.status(on) is contract.status(on)


@given(st.data())
def test_as_of_two_dates_is_as_of_the_later(data: st.DataObject) -> None:
    """Looking at a contract as of d1 and then as of a later d2 is looking at it as of d2."""
    contract = data.draw(contracts())
    d1, d2 = sorted((data.draw(_dates_around(contract)), data.draw(_dates_around(contract))))
    assert contract.as_of(d1).as_of(d2) == contract.as_of(d2)
    assert contract.as_of(d1).as_of(d1) == contract.as_of(d1)


@given(st.data())
def test_as_of_applies_exactly_the_avenants_in_force(data: st.DataObject) -> None:
    """As of a date, the avenants in force are applied and only the later ones remain pending."""
    contract = data.draw(contracts())
    on = data.draw(_dates_around(contract))
    in_force = contract.amendments_in_force(on)
    assert [a.effective_on for a in in_force] == sorted(a.effective_on for a in in_force)
    assert Counter(contract.as_of(on).amendments) == Counter(
        a for a in contract.amendments if a.effective_on > on
    )
    assert Counter(in_force) + Counter(contract.as_of(on).amendments) == Counter(
        contract.amendments
    )
    applied = contract.as_of(on)
    assert contract.public.is_within(applied.public)
    assert {a.id for a in contract.actions} <= {a.id for a in applied.actions}
    last = max((a.effective_on for a in contract.amendments), default=on)
    assert contract.final_period == contract.as_of(max(on, last)).period


# -- steering calendar ----------------------------------------------------------------------------


def test_the_steering_committee_is_semi_annual_by_default() -> None:
    """Rouen's CTAI (Nov 2021 - Nov 2023) meets every six months from its signature."""
    rouen = Contract(
        id="rouen",
        kind=ContractKind.CTAI,
        territory="200023414",
        title="CTAI Métropole Rouen Normandie",
        signed_on=dt.date(2021, 11, 23),
        period=Period(dt.date(2021, 11, 23), dt.date(2023, 11, 30)),
        public=REFUGEES,
    )
    assert [d.isoformat() for d in rouen.steering_calendar()] == [
        "2021-11-23",
        "2022-05-23",
        "2022-11-23",
        "2023-05-23",
        "2023-11-23",
    ]


def test_the_calendar_runs_to_the_end_as_finally_amended_or_until() -> None:
    """Grenoble's committee meets until the prolonged end of 2023, or until the given date."""
    dates_ = list(GRENOBLE.steering_calendar())
    assert dates_[0] == dt.date(2019, 6, 20)
    assert dates_[-1] == dt.date(2023, 12, 20)
    assert len(dates_) == 10
    until = list(GRENOBLE.steering_calendar(until=dt.date(2020, 12, 20)))
    assert until == [
        dt.date(2019, 6, 20),
        dt.date(2019, 12, 20),
        dt.date(2020, 6, 20),
        dt.date(2020, 12, 20),
    ]
    assert list(GRENOBLE.steering_calendar(until=dt.date(2019, 6, 19))) == []


def test_a_calendar_anchored_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    """A COPIL first held on 31 December meets on 30 June and 31 December."""
    copil = GovernanceBody(
        kind=GovernanceKind.COPIL,
        level=GovernanceLevel.CONTRACT,
        first_meeting=dt.date(2019, 12, 31),
    )
    contract = attrs.evolve(DIJON, governance=(copil,))
    assert list(contract.steering_calendar()) == [
        dt.date(2019, 12, 31),
        dt.date(2020, 6, 30),
        dt.date(2020, 12, 31),
        dt.date(2021, 6, 30),
        dt.date(2021, 12, 31),
    ]


def test_a_calendar_anchored_on_31_august_meets_at_the_end_of_february() -> None:
    """A committee first held on 31 August meets on 29 February in leap years, else the 28th."""
    copil = GovernanceBody(
        kind=GovernanceKind.COPIL,
        level=GovernanceLevel.CONTRACT,
        first_meeting=dt.date(2019, 8, 31),
    )
    contract = attrs.evolve(DIJON, governance=(copil,))
    assert list(contract.steering_calendar(until=dt.date(2021, 8, 31))) == [
        dt.date(2019, 8, 31),
        dt.date(2020, 2, 29),
        dt.date(2020, 8, 31),
        dt.date(2021, 2, 28),
        dt.date(2021, 8, 31),
    ]


def test_the_calendar_follows_the_first_copil_or_the_given_body() -> None:
    """The contract's first COPIL sets the rhythm; a technical committee does not, unless given."""
    cotech = GovernanceBody(
        kind=GovernanceKind.COTECH,
        level=GovernanceLevel.CONTRACT,
        every_months=3,
        first_meeting=dt.date(2020, 1, 15),
    )
    copil = GovernanceBody(
        kind=GovernanceKind.COPIL, level=GovernanceLevel.CONTRACT, every_months=12
    )
    contract = attrs.evolve(DIJON, governance=(cotech, copil))
    assert list(contract.steering_calendar()) == [
        dt.date(2019, 6, 12),
        dt.date(2020, 6, 12),
        dt.date(2021, 6, 12),
    ]
    quarterly = list(contract.steering_calendar(body=cotech, until=dt.date(2020, 12, 31)))
    assert quarterly == [
        dt.date(2020, 1, 15),
        dt.date(2020, 4, 15),
        dt.date(2020, 7, 15),
        dt.date(2020, 10, 15),
    ]


def test_an_open_ended_contract_needs_an_until_date() -> None:
    """A contract without an end has no finite calendar: asking for one without `until` fails."""
    open_ended = attrs.evolve(DIJON, period=Period(dt.date(2025, 10, 1)), signed_on=None)
    with pytest.raises(ValueError, match="no end date"):
        list(open_ended.steering_calendar())
    assert list(open_ended.steering_calendar(until=dt.date(2026, 10, 1))) == [
        dt.date(2025, 10, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 10, 1),
    ]


@given(
    dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)),
    st.integers(1, 24),
    st.integers(0, 8 * 366),
)
def test_steering_dates_are_regular(first: dt.date, every: int, length: int) -> None:
    """Meeting n falls n x `every` months after the first (or at month end), up to `until`."""
    until = first + dt.timedelta(days=length)
    body = GovernanceBody(
        kind=GovernanceKind.COPIL,
        level=GovernanceLevel.CONTRACT,
        every_months=every,
        first_meeting=first,
    )
    meetings = list(attrs.evolve(DIJON, governance=(body,)).steering_calendar(until=until))
    assert meetings[0] == first
    assert all(first <= day <= until for day in meetings)
    for n, day in enumerate(meetings):
        year, month = divmod(first.year * 12 + first.month - 1 + n * every, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        assert day == dt.date(year, month + 1, min(first.day, last_day))
        assert day == add_months(first, n * every)
    assert add_months(first, len(meetings) * every) > until
