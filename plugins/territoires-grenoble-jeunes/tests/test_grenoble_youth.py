"""Tests of the territoires-grenoble-jeunes plugin: under 26 and living in the métropole."""

from __future__ import annotations

import datetime as dt
from importlib import metadata

import pytest

import territoires_grenoble_jeunes as plugin
from territoires import (
    Action,
    AdministrativeStatus,
    Contract,
    ContractKind,
    Outcome,
    Period,
    Person,
    PublicCategory,
    PublicScope,
    RuleInput,
    Theme,
    Verdict,
)
from territoires.geo import get_geography
from territoires.testing import plugin_manager

GRENOBLE = "38185"  # Grenoble, in Grenoble-Alpes-Métropole
ECHIROLLES = "38151"  # Échirolles, in the métropole too
VOIRON = "38563"  # Voiron: in Isère, outside the métropole
LYON = "69123"  # Lyon

BPI = frozenset({PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION})
PERIOD = Period(dt.date(2019, 6, 20), dt.date(2026, 12, 31))
YOUNG = PublicScope(categories=BPI, min_age=16, max_age=25)


def action(public: PublicScope | None = YOUNG) -> Action:
    """Return an employment action, for ``public`` (the contract's when None)."""
    return Action(
        id="grenoble-jeunes-01",
        title="Accompagnement vers l'emploi des moins de 26 ans",
        theme=Theme.EMPLOYMENT_TRAINING,
        period=PERIOD,
        public=public,
    )


def contract(territory: str = "200040715", *, public: PublicScope | None = None) -> Contract:
    """Return a signed CTAIR of ``territory`` holding the youth action."""
    return Contract(
        id="ctair-test",
        kind=ContractKind.CTAIR,
        territory=territory,
        title="CTAIR de test",
        period=PERIOD,
        public=public or PublicScope(categories=BPI),
        signed_on=PERIOD.start,
        actions=(action(),),
    )


def person(
    birth_date: dt.date | None = dt.date(2000, 5, 17),
    residence: str | None = GRENOBLE,
    birth_year: int | None = None,
) -> Person:
    """Return a refugee (pseudonymous id) born and living as given."""
    return Person(
        id="P-7F3A",
        status=AdministrativeStatus.REFUGEE,
        status_date=dt.date(2021, 9, 1),
        birth_date=birth_date,
        birth_year=birth_year,
        residence=residence,
    )


def decide(someone: Person, on: dt.date, *, geography: object = "official") -> Verdict:
    """Check the rule as registered, with the bundled geography unless told otherwise."""
    rule = plugin_manager(plugin).rules[plugin.NAME]
    the_contract = contract()
    return rule.check(
        RuleInput(
            person=someone,
            action=the_contract.actions[0],
            contract=the_contract,
            on=on,
            geography=get_geography() if geography == "official" else None,
        )
    )


# -- registration -------------------------------------------------------------------------------


def test_the_rule_is_registered_under_the_territory_namespace():
    """The plugin registers its rule under 200040715, and nothing fails."""
    manager = plugin_manager(plugin)
    assert manager.errors == []
    assert plugin.NAME in manager.rules
    registration = manager.rules.registration(plugin.NAME)
    assert registration.plugin.name == plugin.__name__
    assert registration.item.namespace == "200040715"
    assert registration.item.territories == frozenset({"200040715"})


def test_the_entry_point_is_declared_once_installed():
    """Installed, the distribution exposes the plugin under the entry point grenoble-jeunes."""
    try:
        dist = metadata.distribution("territoires-grenoble-jeunes")
    except metadata.PackageNotFoundError:
        pytest.skip("territoires-grenoble-jeunes is not installed (pip install -e it)")
    points = [ep for ep in dist.entry_points if ep.group == "territoires"]
    assert [(ep.name, ep.value) for ep in points] == [("grenoble-jeunes", plugin.__name__)]


# -- which actions ------------------------------------------------------------------------------


def test_the_rule_concerns_youth_actions_of_the_metropole():
    """A métropole action for 16-25-year-olds is concerned."""
    rule = plugin.rule()
    the_contract = contract()
    assert rule.concerns(the_contract.actions[0], the_contract)


@pytest.mark.parametrize("max_age", [17, 21, 25])
def test_any_maximum_age_up_to_25_counts(max_age):
    """Publics capped at 25 or below are reserved to young people."""
    the_contract = contract()
    capped = action(PublicScope(categories=BPI, max_age=max_age))
    assert plugin.rule().concerns(capped, the_contract)


@pytest.mark.parametrize("public", [None, PublicScope(categories=BPI, max_age=30)])
def test_actions_open_to_older_people_are_not_concerned(public):
    """An action with no age cap, or one above 25, is not for this rule."""
    the_contract = contract()
    assert not plugin.rule().concerns(action(public), the_contract)


def test_the_contract_public_counts_when_the_action_has_none():
    """An action without a public of its own takes the contract's, capped at 25 here."""
    young_contract = contract(public=PublicScope(categories=BPI, max_age=25))
    assert plugin.rule().concerns(action(None), young_contract)


@pytest.mark.parametrize("territory", ["200046977", "38185", "dep:38"])
def test_other_territories_are_not_concerned(territory):
    """The same youth action in Lyon's, Grenoble-city's or Isère's contract is not concerned."""
    other = contract(territory)
    assert not plugin.rule().concerns(other.actions[0], other)
    assert not plugin.concerns_young_public(other.actions[0], other)


# -- age ----------------------------------------------------------------------------------------


def test_a_young_resident_of_grenoble_is_eligible():
    """Aged 22 and living in Grenoble: met, citing the age and the commune."""
    verdict = decide(person(), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.MET
    assert "22 ans le 01/04/2023" in verdict.reason_fr
    assert "Grenoble (38185)" in verdict.reason_fr
    assert "lives in Grenoble (38185)" in verdict.reason_en


def test_a_27_year_old_is_not_eligible_and_the_reason_cites_her_facts():
    """Born on 3 March 1996, she is 27 on 1 April 2023: not met, with her own dates."""
    verdict = decide(person(dt.date(1996, 3, 3)), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.NOT_MET
    assert verdict.reason_fr == "né(e) le 03/03/1996, 27 ans le 01/04/2023 : 26 ans ou plus"
    assert verdict.reason_en == "born on 1996-03-03, aged 27 on 2023-04-01: 26 or older"


def test_the_26th_birthday_ends_eligibility():
    """A 25-year-old is eligible the day before the 26th birthday, not on it."""
    born = dt.date(1997, 4, 1)
    assert decide(person(born), dt.date(2023, 3, 31)).outcome is Outcome.MET
    on_birthday = decide(person(born), dt.date(2023, 4, 1))
    assert on_birthday.outcome is Outcome.NOT_MET
    assert "26 ans le 01/04/2023" in on_birthday.reason_fr


def test_born_on_29_february_turns_26_on_28_february():
    """Born on 29 February 2000, a person turns 26 on 28 February 2026 (article 641)."""
    born = dt.date(2000, 2, 29)
    assert decide(person(born), dt.date(2026, 2, 27)).outcome is Outcome.MET
    verdict = decide(person(born), dt.date(2026, 2, 28))
    assert verdict.outcome is Outcome.NOT_MET
    assert verdict.reason_fr.startswith("né(e) le 29/02/2000, 26 ans le 28/02/2026")


def test_the_26th_birthday_of_a_29_february_birth_is_never_in_a_leap_year():
    """Born 29 February 1996, a person turns 26 on 28 February 2022: 26 is no multiple of 4."""
    leap_born = dt.date(1996, 2, 29)
    assert decide(person(leap_born), dt.date(2022, 2, 27)).outcome is Outcome.MET
    assert decide(person(leap_born), dt.date(2022, 2, 28)).outcome is Outcome.NOT_MET
    assert decide(person(leap_born), dt.date(2022, 3, 1)).outcome is Outcome.NOT_MET


def test_a_missing_birth_date_is_unknown_not_not_met():
    """Without a date or year of birth, the verdict is unknown, never not met."""
    verdict = decide(person(None), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.reason_fr.startswith("date de naissance inconnue")
    assert "Grenoble (38185)" in verdict.reason_fr
    assert verdict.reason_en.startswith("date of birth unknown")


def test_a_year_of_birth_that_leaves_25_or_26_open_is_unknown():
    """Born in 1997, a person is 25 or 26 on 1 June 2023: unknown."""
    verdict = decide(person(None, birth_year=1997), dt.date(2023, 6, 1))
    assert verdict.outcome is Outcome.UNKNOWN
    assert "25 ou 26 ans le 01/06/2023" in verdict.reason_fr


def test_a_year_of_birth_can_be_enough():
    """Born in 1990 a person is surely 26 or older in 2023; born in 2001, surely under 26."""
    old = decide(person(None, birth_year=1990), dt.date(2023, 6, 1))
    assert old.outcome is Outcome.NOT_MET
    assert "né(e) en 1990, au moins 32 ans le 01/06/2023" in old.reason_fr
    young = decide(person(None, birth_year=2001), dt.date(2023, 6, 1))
    assert young.outcome is Outcome.MET
    assert young.reason_fr.startswith("né(e) en 2001, au plus 22 ans")


def test_a_decision_before_the_birth_is_unknown():
    """A date of decision before the birth date is a data error: unknown, not met."""
    verdict = decide(person(dt.date(2024, 1, 1)), dt.date(2023, 6, 1))
    assert verdict.outcome is Outcome.UNKNOWN


# -- residence ----------------------------------------------------------------------------------


def test_living_in_echirolles_counts():
    """Échirolles is a commune of the métropole: met."""
    verdict = decide(person(residence=ECHIROLLES), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.MET
    assert "Échirolles (38151), dans Grenoble-Alpes-Métropole" in verdict.reason_fr


@pytest.mark.parametrize(("commune", "name"), [(LYON, "Lyon"), (VOIRON, "Voiron")])
def test_living_outside_the_metropole_is_not_met(commune, name):
    """Lyon, or Voiron in Isère, lie outside the métropole: not met, citing the commune."""
    verdict = decide(person(residence=commune), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.NOT_MET
    assert verdict.reason_fr == (
        f"réside à {name} ({commune}), hors de Grenoble-Alpes-Métropole (200040715)"
    )
    assert f"lives in {name} ({commune}), outside" in verdict.reason_en


def test_a_missing_residence_is_unknown():
    """Without a commune of residence, the verdict is unknown."""
    verdict = decide(person(residence=None), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.reason_fr.startswith("commune de résidence inconnue")
    assert "22 ans le 01/04/2023" in verdict.reason_fr


def test_without_geography_the_residence_is_unknown():
    """With no geography to place the commune, the rule says unknown rather than guess."""
    verdict = decide(person(), dt.date(2023, 4, 1), geography=None)
    assert verdict.outcome is Outcome.UNKNOWN
    assert "géographie officielle non fournie" in verdict.reason_fr


def test_a_commune_code_unknown_to_the_geography_is_unknown():
    """A well-formed but unknown code (38999) is unknown, not outside."""
    verdict = decide(person(residence="38999"), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.UNKNOWN
    assert "38999 inconnue" in verdict.reason_fr


def test_a_known_failure_wins_over_a_missing_fact():
    """Living in Lyon with no birth date: not met, since the residence alone decides."""
    verdict = decide(person(None, residence=LYON), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.NOT_MET
    assert "date de naissance" not in verdict.reason_fr


def test_both_failures_are_cited():
    """Too old and living in Lyon: both facts are in the reason."""
    verdict = decide(person(dt.date(1990, 1, 1), residence=LYON), dt.date(2023, 4, 1))
    assert verdict.outcome is Outcome.NOT_MET
    assert "33 ans" in verdict.reason_fr
    assert "Lyon (69123)" in verdict.reason_fr
