"""The national eligibility rules on real cases: real dates and communes, reasons in FR and EN.

Decisions use the built-in rules only (``get_plugin_manager(autoload=False)``), so the example
plugins installed in the environment do not take part, except in the test that checks the
Grenoble example plugin's rule shows up. Places come from the official geography.

Sources of the expected answers are in ``domain.md`` §2: the primo-arrivant definition of the
2021 national call (less than five years, students, asylum seekers, unaccompanied minors and
irregular stay excluded), BPI and temporary protection, the CIR, article 641 of the Code de
procédure civile for anniversaries (a window opened on 29 February closes on 28 February).
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from strategies import persons
from territoires import (
    Action,
    AdministrativeStatus,
    Amendment,
    Contract,
    ContractKind,
    EligibilityTerms,
    Outcome,
    Period,
    Person,
    PublicCategory,
    PublicScope,
    RuleInput,
    Theme,
    WindowStart,
)
from territoires.eligibility import Decision, Eligibility, check_eligibility
from territoires.geo import get_geography
from territoires.plugins import PluginManager, get_plugin_manager

D = dt.date
GRENOBLE_METRO = "200040715"  # Grenoble-Alpes-Métropole (SIREN)
SAINT_MARTIN_D_HERES = "38421"  # a commune of Grenoble-Alpes-Métropole
GRENOBLE = "38185"
LYON = "69123"
DIJON = "21231"
AVENANT = D(2022, 6, 29)  # Grenoble's avenant opening the CTAIR to primo-arrivants
BPI = frozenset(
    {PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION, PublicCategory.STATELESS}
)
EVERYONE = frozenset(PublicCategory)
EXCLUDED = (
    AdministrativeStatus.STUDENT,
    AdministrativeStatus.ASYLUM_SEEKER,
    AdministrativeStatus.UNACCOMPANIED_MINOR,
    AdministrativeStatus.IRREGULAR_STAY,
)
PLUGIN_RULE = "200040715.moins_de_26_ans_metropole"
ACTION_START = D(2019, 7, 1)
ACTION_END = D(2026, 12, 31)


@pytest.fixture(scope="module")
def manager() -> PluginManager:
    """The built-in rules only: installed example plugins take no part."""
    return get_plugin_manager(autoload=False)


@pytest.fixture(scope="module")
def demo() -> territoires.Dataset:
    """The demo dataset: the real Grenoble CTAIR, its real avenant, synthetic actions."""
    return territoires.demo.build(participations=0)


@pytest.fixture(scope="module")
def grenoble(demo: territoires.Dataset) -> Contract:
    """The Grenoble CTAIR of the demo (2019-2021, prolonged on 29 June 2022)."""
    contract = demo.contract("ctair-grenoble")
    assert contract is not None
    return contract


# -- helpers ------------------------------------------------------------------------------------


def action(
    action_id: str,
    start: dt.date = ACTION_START,
    end: dt.date | None = ACTION_END,
    public: PublicScope | None = None,
) -> Action:
    """An action of theme housing running from ``start`` to ``end``."""
    return Action(
        id=action_id,
        title=f"Action {action_id}",
        theme=Theme.HOUSING,
        period=Period(start, end),
        public=public,
    )


def ctai(
    *actions: Action,
    public: PublicScope | None = None,
    window: WindowStart = WindowStart.FIRST_PERMIT,
    amendments: tuple[Amendment, ...] = (),
) -> Contract:
    """A CTAI of Grenoble-Alpes-Métropole, signed on 20 June 2019, running to 2026."""
    return Contract(
        id="ctai-grenoble",
        kind=ContractKind.CTAI,
        territory=GRENOBLE_METRO,
        title="CTAI Grenoble-Alpes-Métropole",
        period=Period(D(2019, 6, 20), D(2026, 12, 31)),
        public=public or PublicScope(categories=EVERYONE),
        signed_on=D(2019, 6, 20),
        actions=actions or (action("a-01"),),
        amendments=amendments,
        terms=EligibilityTerms(newcomer_window_from=window),
    )


def person(status: AdministrativeStatus = AdministrativeStatus.REFUGEE, **facts: object) -> Person:
    """A person living in Saint-Martin-d'Hères unless said otherwise."""
    facts.setdefault("residence", SAINT_MARTIN_D_HERES)
    return Person(id="P-0001", status=status, **facts)  # type: ignore[arg-type]


def newcomer(first_permit: dt.date, **facts: object) -> Person:
    """A holder of a family permit whose first permit was issued on ``first_permit``."""
    facts.setdefault("status_date", first_permit)
    return person(AdministrativeStatus.FAMILY_PERMIT, first_permit_date=first_permit, **facts)


def verdict(decision: Decision, rule: str) -> territoires.Verdict:
    """The verdict of ``rule`` in ``decision`` (the rule must have been applied)."""
    (found,) = [v.verdict for v in decision.verdicts if v.rule == rule]
    return found


def rules_of(decision: Decision) -> list[str]:
    """The names of the rules that gave a verdict."""
    return [v.rule for v in decision.verdicts]


def decide(
    who: Person,
    what: Action | str,
    contract: Contract,
    on: dt.date,
    manager: PluginManager,
) -> Decision:
    """Decide with the built-in rules and the official geography."""
    return check_eligibility(who, what, contract, on=on, plugins=manager)


# -- BPI ----------------------------------------------------------------------------------------


def test_a_refugee_protected_in_2019_is_eligible_to_a_ctair_action_in_2021(
    grenoble: Contract, manager: PluginManager
) -> None:
    """A refugee protected in March 2019 in the métropole is eligible to its CTAIR in 2021."""
    refugee = person(status_date=D(2019, 3, 3), birth_date=D(1990, 5, 1))
    decision = decide(refugee, "grenoble-02", grenoble, D(2021, 4, 1), manager)
    assert decision.outcome is Eligibility.ELIGIBLE
    assert decision.eligible
    assert {v.outcome for v in decision.verdicts} == {Outcome.MET}
    assert rules_of(decision) == [
        "action_open",
        "not_excluded",
        "residence_in_territory",
        "status_in_public",
    ]
    status = verdict(decision, "status_in_public")
    assert status.reason_fr == "statut « réfugié » : public « réfugié » de l'action"
    assert status.reason_en == "status 'refugee': public 'refugee' of the action"
    residence = verdict(decision, "residence_in_territory")
    assert residence.reason_fr == (
        "réside à Saint-Martin-d'Hères (38421), dans Grenoble-Alpes-Métropole (200040715)"
    )
    assert residence.reason_en == (
        "lives in Saint-Martin-d'Hères (38421), in Grenoble-Alpes-Métropole (200040715)"
    )
    assert decision.notices == ()


@pytest.mark.parametrize(
    "status",
    [
        AdministrativeStatus.REFUGEE,
        AdministrativeStatus.SUBSIDIARY_PROTECTION,
    ],
)
def test_every_bpi_status_is_in_the_public_of_a_ctair(
    status: AdministrativeStatus, grenoble: Contract, manager: PluginManager
) -> None:
    """Refugees and beneficiaries of subsidiary protection are the BPI of a 2019 CTAIR."""
    decision = decide(person(status), "grenoble-02", grenoble, D(2021, 4, 1), manager)
    assert decision.outcome is Eligibility.ELIGIBLE


def test_a_stateless_person_is_in_a_contract_only_where_its_public_says_so(
    grenoble: Contract, manager: PluginManager
) -> None:
    """Stateless persons are in a contract's public only where it lists them (CTAI texts may)."""
    stateless = person(AdministrativeStatus.STATELESS)
    before = decide(stateless, "grenoble-02", grenoble, D(2021, 4, 1), manager)
    assert before.outcome is Eligibility.NOT_ELIGIBLE
    assert verdict(before, "status_in_public").outcome is Outcome.NOT_MET
    listed = attrs.evolve(
        grenoble, public=grenoble.public.with_categories(PublicCategory.STATELESS)
    )
    after = decide(stateless, "grenoble-02", listed, D(2021, 4, 1), manager)
    assert after.outcome is Eligibility.ELIGIBLE


# -- statuses that are never eligible -----------------------------------------------------------

OPEN_TO_ALL = ctai(
    action("all"),
    action("young", public=PublicScope(categories=EVERYONE, min_age=16, max_age=25)),
    action("cir", public=PublicScope(categories=EVERYONE, cir_required=True)),
    action("recent", public=PublicScope(categories=EVERYONE, max_years_since_status=5)),
)


@pytest.mark.parametrize("status", EXCLUDED, ids=lambda s: s.value)
@given(
    someone=persons(),
    action_id=st.sampled_from(["all", "young", "cir", "recent"]),
    on=st.dates(D(2019, 1, 1), D(2027, 12, 31)),
)
def test_an_excluded_status_is_never_eligible_whatever_else(
    status: AdministrativeStatus, someone: Person, action_id: str, on: dt.date
) -> None:
    """Students, asylum seekers, unaccompanied minors and irregular stay are never eligible."""
    excluded = attrs.evolve(someone, status=status)
    decision = check_eligibility(
        excluded, action_id, OPEN_TO_ALL, on=on, plugins=get_plugin_manager(autoload=False)
    )
    assert decision.outcome is Eligibility.NOT_ELIGIBLE
    assert verdict(decision, "not_excluded").outcome is Outcome.NOT_MET
    assert verdict(decision, "status_in_public").outcome is Outcome.NOT_MET


@pytest.mark.parametrize(
    ("status", "label_fr", "label_en"),
    [
        (AdministrativeStatus.STUDENT, "étudiant étranger", "foreign student"),
        (AdministrativeStatus.ASYLUM_SEEKER, "demandeur d'asile", "asylum seeker"),
        (AdministrativeStatus.UNACCOMPANIED_MINOR, "mineur non accompagné", "unaccompanied minor"),
        (AdministrativeStatus.IRREGULAR_STAY, "en situation irrégulière", "irregular stay"),
    ],
)
def test_an_excluded_status_is_named_in_the_reason(
    status: AdministrativeStatus, label_fr: str, label_en: str, manager: PluginManager
) -> None:
    """The reason of an excluded status names it and says "never eligible", in both languages."""
    someone = person(status, status_date=D(2021, 9, 1), birth_date=D(2001, 5, 1))
    decision = decide(someone, "all", OPEN_TO_ALL, D(2022, 9, 1), manager)
    excluded = verdict(decision, "not_excluded")
    assert excluded.reason_fr == (
        f"statut « {label_fr} » : jamais éligible (ni primo-arrivant, ni BPI)"
    )
    assert excluded.reason_en == (
        f"status '{label_en}': never eligible (neither a newcomer nor a BPI)"
    )


# -- the five-year window of newcomers ----------------------------------------------------------

NEWCOMERS = ctai(public=PublicScope(categories=EVERYONE))


@pytest.mark.parametrize(
    ("first_permit", "on", "expected"),
    [
        (D(2018, 3, 15), D(2023, 3, 14), Eligibility.ELIGIBLE),  # 5 years - 1 day
        (D(2018, 3, 15), D(2023, 3, 15), Eligibility.NOT_ELIGIBLE),  # the anniversary
        (D(2018, 3, 15), D(2023, 3, 16), Eligibility.NOT_ELIGIBLE),  # 5 years + 1 day
        (D(2020, 9, 1), D(2020, 9, 1), Eligibility.ELIGIBLE),  # the day it is issued
        (D(2020, 2, 29), D(2025, 2, 27), Eligibility.ELIGIBLE),
        (D(2020, 2, 29), D(2025, 2, 28), Eligibility.NOT_ELIGIBLE),  # art. 641 CPC
        (D(2020, 2, 29), D(2025, 3, 1), Eligibility.NOT_ELIGIBLE),
    ],
)
def test_a_newcomer_is_eligible_for_less_than_five_years_after_the_first_permit(
    first_permit: dt.date, on: dt.date, expected: Eligibility, manager: PluginManager
) -> None:
    """The window opens on the first permit and closes on its fifth anniversary, excluded."""
    decision = decide(newcomer(first_permit), "a-01", NEWCOMERS, on, manager)
    assert decision.outcome is expected
    met = expected is Eligibility.ELIGIBLE
    assert verdict(decision, "newcomer_window").outcome is (Outcome.MET if met else Outcome.NOT_MET)


def test_a_window_opened_on_29_february_closes_on_28_february_with_the_dates_in_the_reasons(
    manager: PluginManager,
) -> None:
    """The reasons cite the first permit of 29 February 2020 and the closing on 28 February 2025."""
    closed = verdict(
        decide(newcomer(D(2020, 2, 29)), "a-01", NEWCOMERS, D(2025, 2, 28), manager),
        "newcomer_window",
    )
    assert "29 février 2020" in closed.reason_fr
    assert "29 February 2020" in closed.reason_en
    assert closed.reason_fr == (
        "premier titre obtenu le 29 février 2020, 5 ans ou plus avant le 28 février 2025 "
        "(délai échu le 28 février 2025)"
    )
    assert closed.reason_en == (
        "first permit issued on 29 February 2020, 5 years or more before 28 February 2025 "
        "(window closed on 28 February 2025)"
    )
    still_open = verdict(
        decide(newcomer(D(2020, 2, 29)), "a-01", NEWCOMERS, D(2025, 2, 27), manager),
        "newcomer_window",
    )
    assert still_open.reason_fr == (
        "premier titre obtenu le 29 février 2020, moins de 5 ans avant le 27 février 2025"
    )
    assert still_open.reason_en == (
        "first permit issued on 29 February 2020, less than 5 years before 27 February 2025"
    )


def test_a_first_permit_after_the_date_is_not_met_and_says_so(manager: PluginManager) -> None:
    """A first permit issued after the date of the decision does not open the window yet."""
    decision = decide(newcomer(D(2022, 5, 1)), "a-01", NEWCOMERS, D(2022, 4, 1), manager)
    window = verdict(decision, "newcomer_window")
    assert window.outcome is Outcome.NOT_MET
    assert window.reason_fr == "premier titre obtenu le 1er mai 2022, après le 1er avril 2022"
    assert window.reason_en == "first permit issued on 1 May 2022, after 1 April 2022"


def test_the_window_does_not_apply_to_bpi(manager: PluginManager) -> None:
    """For a refugee the newcomer window is "not applicable" (met), in both languages."""
    decision = decide(person(), "a-01", NEWCOMERS, D(2022, 4, 1), manager)
    window = verdict(decision, "newcomer_window")
    assert window.outcome is Outcome.MET
    assert window.reason_fr.startswith("sans objet : le statut « réfugié »")
    assert window.reason_en.startswith("not applicable: status 'refugee'")


def test_the_window_concerns_only_actions_open_to_newcomers(
    grenoble: Contract, manager: PluginManager
) -> None:
    """An action for BPI only has no newcomer window rule in its decision."""
    decision = decide(person(), "grenoble-02", grenoble, D(2021, 4, 1), manager)
    assert "newcomer_window" not in rules_of(decision)


# The same person: first permit 2017 (more than five years), permit renewed 2020, no CIR.
THREE_DATES = newcomer(D(2017, 1, 10), status_date=D(2020, 1, 10))


@pytest.mark.parametrize(
    ("window", "expected", "outcome", "fr", "en"),
    [
        (
            WindowStart.FIRST_PERMIT,
            Eligibility.NOT_ELIGIBLE,
            Outcome.NOT_MET,
            "premier titre obtenu le 10 janvier 2017, 5 ans ou plus avant le 1er mars 2023 "
            "(délai échu le 10 janvier 2022)",
            "first permit issued on 10 January 2017, 5 years or more before 1 March 2023 "
            "(window closed on 10 January 2022)",
        ),
        (
            WindowStart.PERMIT,
            Eligibility.ELIGIBLE,
            Outcome.MET,
            "titre obtenu le 10 janvier 2020, moins de 5 ans avant le 1er mars 2023",
            "permit issued on 10 January 2020, less than 5 years before 1 March 2023",
        ),
        (
            WindowStart.CIR,
            Eligibility.UNDETERMINED,
            Outcome.UNKNOWN,
            "date « CIR signé » inconnue (le contrat compte le délai depuis : signature du CIR)",
            "date 'CIR signed' unknown (the contract counts the window from: signature of the CIR)",
        ),
    ],
    ids=lambda value: value.value if isinstance(value, WindowStart) else "",
)
def test_the_contract_chooses_where_the_window_starts(
    window: WindowStart,
    expected: Eligibility,
    outcome: Outcome,
    fr: str,
    en: str,
    manager: PluginManager,
) -> None:
    """First permit, permit held or CIR: the contract's choice changes the verdict and reason."""
    contract = ctai(window=window)
    decision = decide(THREE_DATES, "a-01", contract, D(2023, 3, 1), manager)
    assert decision.outcome is expected
    found = verdict(decision, "newcomer_window")
    assert found.outcome is outcome
    assert (found.reason_fr, found.reason_en) == (fr, en)


def test_a_window_counted_from_the_cir_uses_the_cir_date(manager: PluginManager) -> None:
    """With the CIR as start, a CIR signed in June 2021 keeps an old permit holder eligible."""
    signed = attrs.evolve(THREE_DATES, cir_date=D(2021, 6, 1))
    contract = ctai(window=WindowStart.CIR)
    decision = decide(signed, "a-01", contract, D(2023, 3, 1), manager)
    assert decision.outcome is Eligibility.ELIGIBLE
    assert verdict(decision, "newcomer_window").reason_fr == (
        "CIR signé le 1er juin 2021, moins de 5 ans avant le 1er mars 2023"
    )


# -- the five-year parameter and its notice -----------------------------------------------------


@pytest.mark.parametrize(
    ("on", "noticed"),
    [(D(2024, 12, 31), False), (D(2025, 1, 1), True), (D(2023, 6, 1), False)],
)
def test_a_date_past_the_confirmed_five_years_carries_a_notice(
    on: dt.date, noticed: bool, manager: PluginManager
) -> None:
    """After 31 December 2024, the last date sources confirm five years for, decisions say so."""
    decision = decide(newcomer(D(2021, 3, 1)), "a-01", NEWCOMERS, on, manager)
    assert decision.outcome is Eligibility.ELIGIBLE  # the value still applies
    if not noticed:
        assert decision.notices == ()
        return
    (notice,) = decision.notices
    assert notice.text_fr == (
        "délai primo-arrivant (années) : la valeur 5 n'est confirmée par ses sources que "
        "jusqu'au 31 décembre 2024"
    )
    assert notice.text_en == (
        "newcomer window (years): the value 5 is confirmed by its sources until "
        "31 December 2024 only"
    )
    assert decision.to_dict()["notices"] == [{"fr": notice.text_fr, "en": notice.text_en}]


# -- avenants -----------------------------------------------------------------------------------


def test_grenoble_avenant_opens_the_ctair_to_newcomers_on_its_effective_date(
    grenoble: Contract, manager: PluginManager
) -> None:
    """A newcomer is out of Grenoble's CTAIR on 28 June 2022 and in from 29 June 2022."""
    someone = newcomer(D(2020, 2, 29), residence=GRENOBLE)
    before = decide(someone, "grenoble-02", grenoble, AVENANT - dt.timedelta(days=1), manager)
    after = decide(someone, "grenoble-02", grenoble, AVENANT, manager)
    assert before.outcome is Eligibility.NOT_ELIGIBLE
    status = verdict(before, "status_in_public")
    assert status.outcome is Outcome.NOT_MET
    assert status.reason_fr.startswith(
        "statut « titre de séjour pour motif familial » hors du public de l'action"
    )
    assert status.reason_en.startswith(
        "status 'residence permit on family grounds' is outside the action's public"
    )
    assert after.outcome is Eligibility.ELIGIBLE
    assert verdict(after, "status_in_public").reason_fr == (
        "statut « titre de séjour pour motif familial » : public « autre étranger "
        "primo-arrivant » de l'action"
    )
    assert "newcomer_window" in rules_of(after)


def test_an_avenant_opening_the_public_changes_only_the_public_verdict(
    manager: PluginManager,
) -> None:
    """In a contract running across the avenant, only the public rule differs on D - 1 and D."""
    contract = ctai(
        public=PublicScope(categories=BPI),
        amendments=(
            Amendment(
                id="avenant-1",
                effective_on=AVENANT,
                public_added=frozenset({PublicCategory.OTHER_NEWCOMER}),
            ),
        ),
    )
    someone = newcomer(D(2020, 2, 29))
    before = decide(someone, "a-01", contract, AVENANT - dt.timedelta(days=1), manager)
    after = decide(someone, "a-01", contract, AVENANT, manager)
    assert before.outcome is Eligibility.NOT_ELIGIBLE
    assert before.reasons(Outcome.NOT_MET, "en") == [
        "status 'residence permit on family grounds' is outside the action's public "
        "(refugee, stateless person, subsidiary protection)"
    ]
    assert after.outcome is Eligibility.ELIGIBLE


def test_an_action_closed_by_an_avenant_is_not_open_from_its_closing_date(
    manager: PluginManager,
) -> None:
    """An action closed by an avenant effective on D is open on D - 1 and closed from D."""
    contract = ctai(
        action("a-01"),
        amendments=(Amendment(id="avenant-1", effective_on=AVENANT, actions_closed=("a-01",)),),
    )
    for day, open_ in (
        (AVENANT - dt.timedelta(days=1), True),
        (AVENANT, False),
        (D(2023, 1, 1), False),
    ):
        decision = decide(person(), "a-01", contract, day, manager)
        assert decision.eligible is open_, day
        assert (verdict(decision, "action_open").outcome is Outcome.MET) is open_
    closed = verdict(decide(person(), "a-01", contract, D(2023, 1, 1), manager), "action_open")
    assert closed.reason_fr == "l'action « Action a-01 » est close depuis le 29/06/2022"
    assert closed.reason_en == "action 'Action a-01' was closed on 2022-06-29"


def test_an_action_added_by_an_avenant_is_not_open_before_it(manager: PluginManager) -> None:
    """An action an avenant adds from D, starting on D, is not open on D - 1 and open on D."""
    added = action("a-02", start=AVENANT)
    contract = ctai(
        action("a-01"),
        amendments=(Amendment(id="avenant-1", effective_on=AVENANT, actions_added=(added,)),),
    )
    before = decide(person(), "a-02", contract, AVENANT - dt.timedelta(days=1), manager)
    assert before.outcome is Eligibility.NOT_ELIGIBLE
    assert verdict(before, "action_open").reason_fr == (
        "l'action « Action a-02 » n'est ajoutée au contrat que par un avenant qui prend effet "
        "le 29/06/2022"
    )
    assert verdict(before, "action_open").reason_en == (
        "action 'Action a-02' joins the contract only through an avenant effective on 2022-06-29"
    )
    assert decide(person(), "a-02", contract, AVENANT, manager).outcome is Eligibility.ELIGIBLE


def test_an_action_added_by_an_avenant_is_not_open_before_the_avenant_takes_effect(
    manager: PluginManager,
) -> None:
    """Even when its period starts earlier, an action is not open before the avenant adding it."""
    added = action("a-02", start=D(2022, 1, 1))  # the avenant dates the action back to January
    contract = ctai(
        action("a-01"),
        amendments=(Amendment(id="avenant-1", effective_on=AVENANT, actions_added=(added,)),),
    )
    assert contract.as_of(D(2022, 3, 1)).action("a-02") is None  # not yet in the contract
    decision = decide(person(), "a-02", contract, D(2022, 3, 1), manager)
    assert verdict(decision, "action_open").outcome is Outcome.NOT_MET
    assert decision.outcome is Eligibility.NOT_ELIGIBLE


def test_grenoble_ukraine_action_is_open_only_from_the_avenant(
    grenoble: Contract, manager: PluginManager
) -> None:
    """The action for displaced Ukrainians added by Grenoble's avenant is open from 29 June 2022."""
    displaced = person(AdministrativeStatus.TEMPORARY_PROTECTION, status_date=D(2022, 3, 20))
    before = decide(displaced, "grenoble-ukraine", grenoble, D(2022, 6, 28), manager)
    assert verdict(before, "action_open").outcome is Outcome.NOT_MET
    after = decide(displaced, "grenoble-ukraine", grenoble, AVENANT, manager)
    assert after.outcome is Eligibility.ELIGIBLE


# -- temporary protection -----------------------------------------------------------------------


def test_temporary_protection_is_eligible_only_where_the_contract_includes_it(
    demo: territoires.Dataset, grenoble: Contract, manager: PluginManager
) -> None:
    """A displaced Ukrainian is in Grenoble's CTAIR after its avenant, never in Dijon's."""
    displaced = person(AdministrativeStatus.TEMPORARY_PROTECTION, status_date=D(2022, 3, 20))
    after = decide(displaced, "grenoble-02", grenoble, D(2022, 9, 1), manager)
    assert after.outcome is Eligibility.ELIGIBLE
    assert verdict(after, "status_in_public").reason_en == (
        "status 'temporary protection': public 'temporary protection' of the action"
    )
    dijon = demo.contract("ctair-dijon")
    assert dijon is not None
    in_dijon = attrs.evolve(displaced, residence=DIJON)
    elsewhere = decide(in_dijon, "dijon-01", dijon, D(2022, 9, 1), manager)
    assert elsewhere.outcome is Eligibility.NOT_ELIGIBLE
    assert [v.rule for v in elsewhere.verdicts if v.outcome is Outcome.NOT_MET] == [
        "status_in_public"
    ]
    assert verdict(elsewhere, "status_in_public").reason_fr == (
        "statut « protection temporaire » hors du public de l'action (bénéficiaire "
        "de la protection subsidiaire, réfugié)"
    )


def test_a_refugee_is_not_in_an_action_for_temporary_protection_only(
    grenoble: Contract, manager: PluginManager
) -> None:
    """The action for displaced Ukrainians has its own public: a refugee is outside it."""
    decision = decide(person(), "grenoble-ukraine", grenoble, D(2022, 9, 1), manager)
    assert decision.outcome is Eligibility.NOT_ELIGIBLE
    assert verdict(decision, "status_in_public").outcome is Outcome.NOT_MET


# -- age ----------------------------------------------------------------------------------------


def test_an_unknown_birth_date_leaves_the_age_unknown_and_the_decision_undetermined(
    grenoble: Contract, manager: PluginManager
) -> None:
    """Without a birth date the age rule is unknown, not "not met": the decision is undetermined."""
    decision = decide(person(), "grenoble-jeunes", grenoble, D(2021, 4, 1), manager)
    age = verdict(decision, "age_bounds")
    assert age.outcome is Outcome.UNKNOWN
    assert age.reason_fr == "date de naissance inconnue (l'action est ouverte de 16 à 25 ans)"
    assert age.reason_en == "birth date unknown (the action is for ages 16 to 25)"
    assert decision.outcome is Eligibility.UNDETERMINED
    assert decision.reasons(Outcome.UNKNOWN, "fr") == [age.reason_fr]


def test_an_unknown_age_does_not_hide_a_rule_that_is_not_met(
    grenoble: Contract, manager: PluginManager
) -> None:
    """A student without birth date is not eligible: a rule not met outweighs an unknown one."""
    student = person(AdministrativeStatus.STUDENT)
    decision = decide(student, "grenoble-jeunes", grenoble, D(2021, 4, 1), manager)
    assert verdict(decision, "age_bounds").outcome is Outcome.UNKNOWN
    assert decision.outcome is Eligibility.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("birth_year", "outcome", "fr", "en"),
    [
        (
            2000,
            Outcome.MET,
            "né(e) en 2000, 20 ou 21 ans le 01/04/2021 : de 16 à 25 ans",
            "born in 2000, aged 20 or 21 on 2021-04-01: 16 to 25",
        ),
        (
            1990,
            Outcome.NOT_MET,
            "né(e) en 1990, 30 ou 31 ans le 01/04/2021 : hors de l'âge de l'action "
            "(de 16 à 25 ans)",
            "born in 1990, aged 30 or 31 on 2021-04-01: outside the action's ages (16 to 25)",
        ),
        (
            1995,
            Outcome.UNKNOWN,
            "né(e) en 1995, 25 ou 26 ans le 01/04/2021 : l'année de naissance ne suffit pas "
            "(de 16 à 25 ans)",
            "born in 1995, aged 25 or 26 on 2021-04-01: the birth year is not enough (16 to 25)",
        ),
        (
            2005,
            Outcome.UNKNOWN,
            "né(e) en 2005, 15 ou 16 ans le 01/04/2021 : l'année de naissance ne suffit pas "
            "(de 16 à 25 ans)",
            "born in 2005, aged 15 or 16 on 2021-04-01: the birth year is not enough (16 to 25)",
        ),
    ],
)
def test_a_birth_year_decides_the_age_when_the_year_settles_it(
    birth_year: int,
    outcome: Outcome,
    fr: str,
    en: str,
    grenoble: Contract,
    manager: PluginManager,
) -> None:
    """With only a birth year the age rule is met or not met when every birthday agrees."""
    someone = person(birth_year=birth_year)
    age = verdict(
        decide(someone, "grenoble-jeunes", grenoble, D(2021, 4, 1), manager), "age_bounds"
    )
    assert age.outcome is outcome
    assert (age.reason_fr, age.reason_en) == (fr, en)


def test_the_age_bounds_are_inclusive_in_completed_years(
    grenoble: Contract, manager: PluginManager
) -> None:
    """An action for 16 to 25 admits the day before the 26th birthday, not the birthday."""
    someone = person(birth_date=D(1995, 4, 1))
    on_eve = decide(someone, "grenoble-jeunes", grenoble, D(2021, 3, 31), manager)
    assert verdict(on_eve, "age_bounds").outcome is Outcome.MET
    on_birthday = decide(someone, "grenoble-jeunes", grenoble, D(2021, 4, 1), manager)
    age = verdict(on_birthday, "age_bounds")
    assert age.outcome is Outcome.NOT_MET
    assert age.reason_fr == (
        "né(e) le 01/04/1995, 26 ans le 01/04/2021 : hors de l'âge de l'action (de 16 à 25 ans)"
    )
    assert age.reason_en == (
        "born on 1995-04-01, aged 26 on 2021-04-01: outside the action's ages (16 to 25)"
    )


AGE_ACTION = action("young", public=PublicScope(categories=EVERYONE, min_age=16, max_age=25))
AGE_CONTRACT = ctai(AGE_ACTION)
AGE_RULE = get_plugin_manager(autoload=False).rules["age_bounds"]


def _age_outcome(someone: Person, on: dt.date) -> Outcome:
    facts = RuleInput(person=someone, action=AGE_ACTION, contract=AGE_CONTRACT, on=on)
    return AGE_RULE.check(facts).outcome


@given(
    year=st.integers(1990, 2015),
    on=st.dates(D(2005, 1, 1), D(2045, 12, 31)),
    day_of_year=st.integers(0, 364),
)
def test_a_birth_year_verdict_agrees_with_every_birth_date_of_that_year(
    year: int, on: dt.date, day_of_year: int
) -> None:
    """A settled birth-year verdict is the verdict of every birthday; else two birthdays differ."""
    by_year = _age_outcome(
        Person(id="P1", status=AdministrativeStatus.REFUGEE, birth_year=year), on
    )
    first, last = D(year, 1, 1), D(year, 12, 31)
    some_day = first + dt.timedelta(days=day_of_year)

    def on_birth_date(birth: dt.date) -> Outcome:
        return _age_outcome(
            Person(id="P1", status=AdministrativeStatus.REFUGEE, birth_date=birth), on
        )

    if on < first:
        assert by_year is Outcome.UNKNOWN  # not born yet, perhaps
    elif by_year is not Outcome.UNKNOWN:
        for birth in (first, some_day, last):
            if birth <= on:
                assert on_birth_date(birth) is by_year
    elif on >= last:
        assert on_birth_date(first) is not on_birth_date(last)


def test_a_birth_date_after_the_decision_date_is_cited_not_called_unknown(
    grenoble: Contract, manager: PluginManager
) -> None:
    """A person born after the date of the decision is outside any age, and the reason says so."""
    someone = person(birth_date=D(2021, 6, 1))
    age = verdict(
        decide(someone, "grenoble-jeunes", grenoble, D(2021, 4, 1), manager), "age_bounds"
    )
    assert age.outcome is Outcome.NOT_MET
    assert "01/06/2021" in age.reason_fr
    assert "2021-06-01" in age.reason_en


# -- CIR ----------------------------------------------------------------------------------------

CIR_CONTRACT = ctai(
    action("cir", public=PublicScope(categories=EVERYONE, cir_required=True)), action("free")
)


@pytest.mark.parametrize(
    ("cir_date", "outcome", "fr", "en"),
    [
        (
            None,
            Outcome.UNKNOWN,
            "signature du CIR non renseignée (le contrat l'exige)",
            "CIR signature not recorded (the contract requires it)",
        ),
        (
            D(2021, 5, 2),
            Outcome.NOT_MET,
            "CIR signé le 2 mai 2021, après le 1er avril 2021",
            "CIR signed on 2 May 2021, after 1 April 2021",
        ),
        (D(2021, 4, 1), Outcome.MET, "CIR signé le 1er avril 2021", "CIR signed on 1 April 2021"),
    ],
)
def test_a_public_requiring_the_cir_checks_its_signature(
    cir_date: dt.date | None, outcome: Outcome, fr: str, en: str, manager: PluginManager
) -> None:
    """No CIR is unknown, a CIR signed after the date is not met, on or before it is met."""
    someone = person(cir_date=cir_date)
    decision = decide(someone, "cir", CIR_CONTRACT, D(2021, 4, 1), manager)
    cir = verdict(decision, "cir_signed")
    assert cir.outcome is outcome
    assert (cir.reason_fr, cir.reason_en) == (fr, en)
    assert (
        decision.outcome
        is {
            Outcome.MET: Eligibility.ELIGIBLE,
            Outcome.NOT_MET: Eligibility.NOT_ELIGIBLE,
            Outcome.UNKNOWN: Eligibility.UNDETERMINED,
        }[outcome]
    )


def test_the_cir_is_not_checked_where_the_public_does_not_require_it(
    manager: PluginManager,
) -> None:
    """A person without CIR is eligible to an action that does not require it."""
    decision = decide(person(), "free", CIR_CONTRACT, D(2021, 4, 1), manager)
    assert "cir_signed" not in rules_of(decision)
    assert decision.outcome is Eligibility.ELIGIBLE


# -- years since the status ---------------------------------------------------------------------

RECENT = ctai(action("recent", public=PublicScope(categories=EVERYONE, max_years_since_status=5)))


def test_a_public_limiting_years_since_status_counts_them_to_the_anniversary(
    manager: PluginManager,
) -> None:
    """A status obtained on 3 March 2019 is within five years on 2 March 2024, not on 3 March."""
    refugee = person(status_date=D(2019, 3, 3))
    inside = verdict(
        decide(refugee, "recent", RECENT, D(2024, 3, 2), manager), "years_since_status"
    )
    assert inside.outcome is Outcome.MET
    assert inside.reason_fr == ("statut obtenu le 3 mars 2019, moins de 5 ans avant le 2 mars 2024")
    outside = verdict(
        decide(refugee, "recent", RECENT, D(2024, 3, 3), manager), "years_since_status"
    )
    assert outside.outcome is Outcome.NOT_MET
    assert (
        outside.reason_en == "status obtained on 3 March 2019, 5 years or more before 3 March 2024"
    )
    unknown = verdict(
        decide(person(), "recent", RECENT, D(2024, 3, 3), manager), "years_since_status"
    )
    assert unknown.outcome is Outcome.UNKNOWN


def test_the_french_reason_on_the_anniversary_says_five_years_or_more_like_the_english_one(
    manager: PluginManager,
) -> None:
    """On the fifth anniversary exactly, the French reason must not claim "plus de 5 ans"."""
    refugee = person(status_date=D(2019, 3, 3))
    outside = verdict(
        decide(refugee, "recent", RECENT, D(2024, 3, 3), manager), "years_since_status"
    )
    assert outside.reason_fr == ("statut obtenu le 3 mars 2019, 5 ans ou plus avant le 3 mars 2024")


# -- residence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("residence", "outcome", "fr", "en"),
    [
        (
            SAINT_MARTIN_D_HERES,
            Outcome.MET,
            "réside à Saint-Martin-d'Hères (38421), dans Grenoble-Alpes-Métropole (200040715)",
            "lives in Saint-Martin-d'Hères (38421), in Grenoble-Alpes-Métropole (200040715)",
        ),
        (
            LYON,
            Outcome.NOT_MET,
            "réside à Lyon (69123), hors du territoire de l'action : Grenoble-Alpes-Métropole "
            "(200040715)",
            "lives in Lyon (69123), outside the action's territory: Grenoble-Alpes-Métropole "
            "(200040715)",
        ),
        (None, Outcome.UNKNOWN, "commune de résidence inconnue", "commune of residence unknown"),
    ],
)
def test_residence_must_be_a_commune_of_the_contract_territory(
    residence: str | None,
    outcome: Outcome,
    fr: str,
    en: str,
    grenoble: Contract,
    manager: PluginManager,
) -> None:
    """A commune of the métropole is met, Lyon is not met, a missing commune is unknown."""
    someone = Person(id="P-0001", status=AdministrativeStatus.REFUGEE, residence=residence)
    decision = decide(someone, "grenoble-02", grenoble, D(2021, 4, 1), manager)
    found = verdict(decision, "residence_in_territory")
    assert found.outcome is outcome
    assert (found.reason_fr, found.reason_en) == (fr, en)


def test_a_commune_code_unknown_to_the_geography_is_unknown_not_outside(
    grenoble: Contract, manager: PluginManager
) -> None:
    """A well-formed code the official geography does not know leaves the residence unknown."""
    someone = person(residence="38999")
    found = verdict(
        decide(someone, "grenoble-02", grenoble, D(2021, 4, 1), manager), "residence_in_territory"
    )
    assert found.outcome is Outcome.UNKNOWN
    assert found.reason_fr == "commune de résidence 38999 inconnue de la géographie officielle"


def test_without_geography_only_an_exact_match_is_met(
    grenoble: Contract, manager: PluginManager
) -> None:
    """Without a geography a commune of the EPCI cannot be placed: unknown, never not met."""
    decision = check_eligibility(
        person(), "grenoble-02", grenoble, on=D(2021, 4, 1), plugins=manager, geography=None
    )
    found = verdict(decision, "residence_in_territory")
    assert found.outcome is Outcome.UNKNOWN
    assert found.reason_en == (
        "lives in 38421: without the official geography, cannot tell whether it is in 200040715"
    )


# -- rules of the action, sources ---------------------------------------------------------------


def test_every_verdict_carries_the_rule_labels_and_source(
    grenoble: Contract, manager: PluginManager
) -> None:
    """Each verdict of a decision names its rule in French and English and cites its source."""
    decision = decide(person(), "grenoble-jeunes", grenoble, D(2021, 4, 1), manager)
    for found in decision.verdicts:
        rule = manager.rules[found.rule]
        assert (found.label_fr, found.label_en, found.source) == (
            rule.label_fr,
            rule.label_en,
            rule.source,
        )
        assert found.label("fr") == rule.label_fr
        assert found.label("en") == rule.label_en
        assert found.source.title
    excluded = next(v for v in decision.verdicts if v.rule == "not_excluded")
    assert excluded.source.url is not None
    assert "20 janvier 2021" in excluded.source.title


def test_grenoble_plugin_rule_joins_the_decisions_on_young_actions_of_the_metropole(
    grenoble: Contract, demo: territoires.Dataset
) -> None:
    """The installed Grenoble example plugin adds its rule to grenoble-jeunes, not elsewhere."""
    installed = get_plugin_manager()
    if PLUGIN_RULE not in installed.rules:
        pytest.skip(f"the Grenoble example plugin ({PLUGIN_RULE}) is not installed")
    young = person(birth_date=D(2001, 5, 1), status_date=D(2019, 3, 3))
    decision = decide(young, "grenoble-jeunes", grenoble, D(2021, 4, 1), installed)
    assert rules_of(decision)[0] == PLUGIN_RULE  # digits sort before letters
    plugin = verdict(decision, PLUGIN_RULE)
    assert plugin.outcome is Outcome.MET
    assert "Saint-Martin-d'Hères (38421)" in plugin.reason_fr
    assert decision.outcome is Eligibility.ELIGIBLE
    other = decide(young, "grenoble-02", grenoble, D(2021, 4, 1), installed)
    assert PLUGIN_RULE not in rules_of(other)
    dijon = demo.contract("ctair-dijon")
    assert dijon is not None
    assert PLUGIN_RULE not in rules_of(decide(young, "dijon-01", dijon, D(2021, 4, 1), installed))


def test_the_official_geography_is_the_default(grenoble: Contract, manager: PluginManager) -> None:
    """Without a geography argument, places are judged with the official geography."""
    assert get_geography().is_within(SAINT_MARTIN_D_HERES, GRENOBLE_METRO)
    decision = check_eligibility(
        person(), "grenoble-02", grenoble, on=D(2021, 4, 1), plugins=manager
    )
    assert verdict(decision, "residence_in_territory").outcome is Outcome.MET
