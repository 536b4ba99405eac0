"""territoires plugin for Grenoble-Alpes-Métropole (200040715): under 26, living in the métropole.

Registers one local eligibility rule, in the namespace of the métropole's SIREN:

``200040715.moins_de_26_ans_metropole``
    The person is **under 26** (at most 25 in completed years) on the date of the decision
    **and lives in a commune of Grenoble-Alpes-Métropole**.

It concerns the actions reserved to young people, those whose public (the action's own, or
the contract's) has a maximum age of 25 or less, in contracts of Grenoble-Alpes-Métropole.
Grenoble runs programmes for under-26s without income, and refugees under 25 are in practice
not covered by the RSA (Forum réfugiés, "Intégration des réfugiés : les moins de 25 ans en
marge des dispositifs", http://www.forumrefugies.org/s-informer/actualites/integration-des-refugies-les-moins-de-25-ans-en-marge-des-dispositifs).

The verdict never guesses:

- age: from :meth:`territoires.Person.age_on`, in completed years, a year being completed on
  the anniversary as article 641 of the Code de procédure civile defines it (born on
  29 February, a person turns 26 on 28 February of a common year). With only a year of birth
  the age is known only when the whole year gives one answer, except that it can still be
  certain that the person is 26 or older (born in 1990), or 25 or younger;
- residence: the commune of residence must lie within the EPCI, as the official geography of
  the :class:`~territoires.RuleInput` says; without a geography, or for a commune code the
  geography does not know, the residence is unknown.

Both conditions combine as a three-valued "and": not met when either is known to fail; else
unknown when either is missing; else met. The reasons cite the person's own facts.

Example:
    >>> import datetime as dt
    >>> from territoires import AdministrativeStatus, Person
    >>> from territoires.geo import get_geography
    >>> from territoires_grenoble_jeunes import young_resident
    >>> person = Person(id="P-0042", status=AdministrativeStatus.REFUGEE,
    ...                 birth_date=dt.date(1996, 3, 3), residence="38185")
    >>> young_resident(person, dt.date(2023, 4, 1), get_geography()).reason_fr
    'né(e) le 03/03/1996, 27 ans le 01/04/2023 : 26 ans ou plus'
"""

from __future__ import annotations

import datetime as dt

from territoires import (
    Action,
    Contract,
    EligibilityRule,
    Gazetteer,
    Outcome,
    Person,
    RuleInput,
    Source,
    Verdict,
    hookimpl,
)
from territoires.model.dates import completed_years

__all__ = [
    "AGE_LIMIT",
    "NAME",
    "TERRITORY",
    "TERRITORY_NAME",
    "check",
    "concerns_young_public",
    "register_eligibility_rules",
    "rule",
    "young_resident",
]

TERRITORY = "200040715"
"""SIREN of Grenoble-Alpes-Métropole (METRO), the namespace of the plugin."""

TERRITORY_NAME = "Grenoble-Alpes-Métropole"

AGE_LIMIT = 26
"""The first age no longer admitted: "under 26" admits 25-year-olds, not 26-year-olds."""

NAME = f"{TERRITORY}.moins_de_26_ans_metropole"
"""Registered name of the rule."""


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# -- age ----------------------------------------------------------------------------------------

_Part = tuple[Outcome, str, str]
"""One condition's outcome with its reasons in French and English."""


def _age(person: Person, on: dt.date) -> _Part:
    """Say whether ``person`` is under 26 on ``on``, citing the birth date or year."""
    age = person.age_on(on)
    if person.birth_date is not None:
        born_fr, born_en = f"né(e) le {_fr(person.birth_date)}", f"born on {person.birth_date}"
    elif person.birth_year is not None:
        born_fr, born_en = f"né(e) en {person.birth_year}", f"born in {person.birth_year}"
    else:
        return (Outcome.UNKNOWN, "date de naissance inconnue", "date of birth unknown")
    if age is not None:
        age_fr, age_en = f"{age} ans le {_fr(on)}", f"aged {age} on {on}"
        if age >= AGE_LIMIT:
            return (
                Outcome.NOT_MET,
                f"{born_fr}, {age_fr} : {AGE_LIMIT} ans ou plus",
                f"{born_en}, {age_en}: {AGE_LIMIT} or older",
            )
        return (Outcome.MET, f"{born_fr}, {age_fr}", f"{born_en}, {age_en}")
    if person.birth_date is not None:  # the decision date is before the birth
        return (
            Outcome.UNKNOWN,
            f"{born_fr}, après la date de la décision ({_fr(on)})",
            f"{born_en}, after the date of the decision ({on})",
        )
    assert person.birth_year is not None
    last_day = dt.date(person.birth_year, 12, 31)
    if on >= last_day:
        youngest = completed_years(last_day, on)
        oldest = completed_years(dt.date(person.birth_year, 1, 1), on)
        if youngest >= AGE_LIMIT:
            return (
                Outcome.NOT_MET,
                f"{born_fr}, au moins {youngest} ans le {_fr(on)} : {AGE_LIMIT} ans ou plus",
                f"{born_en}, at least {youngest} on {on}: {AGE_LIMIT} or older",
            )
        if oldest < AGE_LIMIT:
            return (
                Outcome.MET,
                f"{born_fr}, au plus {oldest} ans le {_fr(on)}",
                f"{born_en}, at most {oldest} on {on}",
            )
        detail_fr, detail_en = f"{youngest} ou {oldest} ans", f"{youngest} or {oldest}"
    else:
        detail_fr, detail_en = "âge inconnu", "age unknown"
    return (
        Outcome.UNKNOWN,
        f"{born_fr}, {detail_fr} le {_fr(on)} : date de naissance exacte inconnue",
        f"{born_en}, {detail_en} on {on}: exact date of birth unknown",
    )


# -- residence ----------------------------------------------------------------------------------


def _residence(person: Person, geography: Gazetteer | None) -> _Part:
    """Say whether ``person`` lives in a commune of the métropole, citing the commune."""
    commune = person.residence
    if commune is None:
        return (Outcome.UNKNOWN, "commune de résidence inconnue", "commune of residence unknown")
    if geography is None:
        return (
            Outcome.UNKNOWN,
            f"commune de résidence {commune} : géographie officielle non fournie",
            f"commune of residence {commune}: no official geography given",
        )
    found = geography.lookup(commune)
    if found is None:
        return (
            Outcome.UNKNOWN,
            f"commune de résidence {commune} inconnue de la géographie officielle",
            f"commune of residence {commune} is not in the official geography",
        )
    place = f"{found.name} ({commune})"
    if geography.is_within(commune, TERRITORY):
        return (
            Outcome.MET,
            f"réside à {place}, dans {TERRITORY_NAME}",
            f"lives in {place}, within {TERRITORY_NAME}",
        )
    return (
        Outcome.NOT_MET,
        f"réside à {place}, hors de {TERRITORY_NAME} ({TERRITORY})",
        f"lives in {place}, outside {TERRITORY_NAME} ({TERRITORY})",
    )


# -- the rule -----------------------------------------------------------------------------------


def young_resident(person: Person, on: dt.date, geography: Gazetteer | None) -> Verdict:
    """Return whether ``person`` is under 26 on ``on`` and lives in the métropole.

    Args:
        person: The person, with birth date (or year) and commune of residence.
        on: The date of the decision.
        geography: The official geography, to place the commune; None leaves the residence
            unknown.

    Returns:
        Not met when the age or the residence is known to fail (the reasons cite the failing
        facts); otherwise unknown when one is missing (the reasons say which, then what is
        known); otherwise met, citing the age and the commune.
    """
    parts = [_age(person, on), _residence(person, geography)]
    for outcome in (Outcome.NOT_MET, Outcome.UNKNOWN):
        chosen = [part for part in parts if part[0] is outcome]
        if chosen:
            if outcome is Outcome.UNKNOWN:
                chosen += [part for part in parts if part[0] is Outcome.MET]
            return Verdict(
                outcome=outcome,
                reason_fr=" ; ".join(part[1] for part in chosen),
                reason_en="; ".join(part[2] for part in chosen),
            )
    return Verdict.met(" ; ".join(part[1] for part in parts), "; ".join(part[2] for part in parts))


def check(facts: RuleInput) -> Verdict:
    """Check the rule for one person, action and date (the rule's ``check``).

    Args:
        facts: The person, the action and contract as amended on the date, the date and the
            geography.

    Returns:
        The verdict of :func:`young_resident` on the person, the date and the geography.
    """
    return young_resident(facts.person, facts.on, facts.geography)


def concerns_young_public(action: Action, contract: Contract) -> bool:
    """Return True for an action reserved to people aged 25 or less, in a métropole contract.

    Args:
        action: An action of ``contract``.
        contract: The contract.

    Returns:
        Whether the contract is Grenoble-Alpes-Métropole's and the public of the action (its
        own, or the contract's) has a maximum age of 25 or less.
    """
    if contract.territory != TERRITORY:
        return False
    max_age = action.public_in(contract).max_age
    return max_age is not None and max_age < AGE_LIMIT


def rule() -> EligibilityRule:
    """Return the eligibility rule this plugin registers.

    Returns:
        ``200040715.moins_de_26_ans_metropole``.
    """
    return EligibilityRule(
        name=NAME,
        label_fr="Moins de 26 ans et résidant dans Grenoble-Alpes-Métropole",
        label_en="Under 26 and living in Grenoble-Alpes-Métropole",
        source=Source(
            title="Grenoble-Alpes-Métropole, programmes pour les moins de 26 ans (MUST-a-Lab)",
            url="https://www.must-a-lab.eu/grenoble/?lang=fr",
            note=(
                "Example rule: Grenoble runs programmes for under-26s without income; refugees "
                "under 25 are not covered by the RSA (forumrefugies.org). Check the conditions "
                "of the actual action before relying on it."
            ),
        ),
        check=check,
        applies_to=concerns_young_public,
        territories=frozenset({TERRITORY}),
        description=(
            "La personne a moins de 26 ans à la date de la décision et réside dans une commune "
            "de Grenoble-Alpes-Métropole. / The person is under 26 on the date of the decision "
            "and lives in a commune of Grenoble-Alpes-Métropole."
        ),
    )


@hookimpl
def register_eligibility_rules() -> list[EligibilityRule]:
    """Register the plugin's rule (the ``register_eligibility_rules`` hook).

    Returns:
        The one rule of the plugin.
    """
    return [rule()]
