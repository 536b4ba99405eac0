"""Built-in plugin: the national eligibility rules, one rule per condition, each with its source.

Every rule answers met, not met or unknown (a fact it needs is missing; it never guesses), and
its reasons cite the person's own facts. Where sources disagree, the contract decides
(:class:`~territoires.EligibilityTerms`, :attr:`PublicScope.cir_required`) and the rule says
which choice it applied. Each rule names its source: the national call for projects
DIAIR-DGEF of 20 January 2021, the budget documents of P104, the calls for projects of its
action 12, the CESEDA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from territoires._enum import Lang
from territoires.hookspecs import hookimpl
from territoires.model.contract import Action, Contract, Source
from territoires.model.dates import add_years, completed_years, is_within_years
from territoires.model.enums import (
    AdministrativeStatus,
    ContractStatus,
    PublicCategory,
    WindowStart,
)
from territoires.model.person import Person
from territoires.model.scope import PublicScope
from territoires.parameters import NEWCOMER_WINDOW_YEARS
from territoires.rules import EligibilityRule, RuleInput, Verdict
from territoires.wording import date_en, date_fr, short_en, short_fr

__all__ = ["RULES", "register_eligibility_rules"]

_CALL_2021 = Source(
    title="Appel à projets national DIAIR-DGEF du 20 janvier 2021 (définition du primo-arrivant)",
    url="https://www.coordinationsud.org/financement/direction-generale-des-etrangers-en-france-integration-des-etrangers-primo-arrivants/",
    note="non-EU, permit for less than five years on family, work or protection grounds; "
    "students, asylum seekers, unaccompanied minors and irregular stay excluded",
)
_CTAI_PUBLIC = Source(
    title="Maire-info, Territoires d'intégration : comment signer un contrat",
    url="https://maire-info.com/international/territoires-d'integration-comment-signer-un-contrat-ou-elaborer-un-projet-d'accueil-et-d'integration-article-25388",
    note="réfugiés, apatrides, protection subsidiaire; some contracts add temporary protection",
)
_CIR = Source(
    title="CESEDA, art. L413-2 et suivants (contrat d'intégration républicaine)",
    url="https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000006070158/LEGISCTA000042800844/",
    note="required only where the contract says so (P104 action-12 calls)",
)
_CONTRACT = Source(
    title="Le contrat territorial et ses avenants",
    note="the action's public, its period and the contract's territory",
)

_PERMITS = (AdministrativeStatus.FAMILY_PERMIT, AdministrativeStatus.WORK_PERMIT)


def _public(facts: RuleInput) -> PublicScope:
    return facts.action.public_in(facts.contract)


def _categories(public: PublicScope, lang: Lang) -> str:
    return ", ".join(sorted(c.label(lang) for c in public.categories))


# -- the rules ----------------------------------------------------------------------------------


def _action_open(facts: RuleInput) -> Verdict:
    action, contract, on = facts.action, facts.contract, facts.on
    status = contract.status(on)
    if status is not ContractStatus.ACTIVE:
        return Verdict.not_met(
            f"le contrat « {contract.title} » n'est pas en cours le {short_fr(on)} "
            f"({status.label_fr})",
            f"contract '{contract.title}' is not active on {short_en(on)} ({status.label_en})",
        )
    if contract.action(action.id) is None:
        adding = next(
            (a for a in contract.amendments if any(x.id == action.id for x in a.actions_added)),
            None,
        )
        when_fr = f" qui prend effet le {short_fr(adding.effective_on)}" if adding else ""
        when_en = f" effective on {short_en(adding.effective_on)}" if adding else ""
        return Verdict.not_met(
            f"l'action « {action.title} » n'est ajoutée au contrat que par un avenant{when_fr}",
            f"action '{action.title}' joins the contract only through an avenant{when_en}",
        )
    period = action.period
    end_fr = f" au {short_fr(period.end)}" if period.end else ""
    end_en = f" to {short_en(period.end)}" if period.end else ""
    if action.closed_on is not None and on >= action.closed_on:
        return Verdict.not_met(
            f"l'action « {action.title} » est close depuis le {short_fr(action.closed_on)}",
            f"action '{action.title}' was closed on {short_en(action.closed_on)}",
        )
    if on not in period:
        return Verdict.not_met(
            f"l'action « {action.title} » se déroule du {short_fr(period.start)}{end_fr} : "
            f"le {short_fr(on)} est en dehors",
            f"action '{action.title}' runs from {short_en(period.start)}{end_en}: "
            f"{short_en(on)} is outside",
        )
    return Verdict.met(
        f"l'action « {action.title} » est ouverte le {short_fr(on)}",
        f"action '{action.title}' is open on {short_en(on)}",
    )


def _status_in_public(facts: RuleInput) -> Verdict:
    status = facts.person.status
    public = _public(facts)
    category = status.public_category
    if category is not None and category in public.categories:
        return Verdict.met(
            f"statut « {status.label_fr} » : public « {category.label_fr} » de l'action",
            f"status '{status.label_en}': public '{category.label_en}' of the action",
        )
    return Verdict.not_met(
        f"statut « {status.label_fr} » hors du public de l'action ({_categories(public, 'fr')})",
        f"status '{status.label_en}' is outside the action's public ({_categories(public, 'en')})",
    )


def _not_excluded(facts: RuleInput) -> Verdict:
    status = facts.person.status
    if status.is_excluded:
        return Verdict.not_met(
            f"statut « {status.label_fr} » : jamais éligible (ni primo-arrivant, ni BPI)",
            f"status '{status.label_en}': never eligible (neither a newcomer nor a BPI)",
        )
    return Verdict.met(
        f"statut « {status.label_fr} » : pas un statut exclu",
        f"status '{status.label_en}': not an excluded status",
    )


_WINDOW_DATES = {
    WindowStart.FIRST_PERMIT: ("first_permit_date", "premier titre obtenu", "first permit issued"),
    WindowStart.PERMIT: ("status_date", "titre obtenu", "permit issued"),
    WindowStart.CIR: ("cir_date", "CIR signé", "CIR signed"),
}


def _newcomer_window(facts: RuleInput) -> Verdict:
    person, on = facts.person, facts.on
    if person.status not in _PERMITS:
        return Verdict.met(
            f"sans objet : le statut « {person.status.label_fr} » n'est pas un titre de séjour "
            "familial ou professionnel",
            f"not applicable: status '{person.status.label_en}' is not a family or work permit",
        )
    start = facts.contract.terms.newcomer_window_from
    attribute, what_fr, what_en = _WINDOW_DATES[start]
    since: dt.date | None = getattr(person, attribute)
    parameter = NEWCOMER_WINDOW_YEARS.at(on)
    years = parameter.value
    notes = tuple(n for n in (NEWCOMER_WINDOW_YEARS.notice(on),) if n is not None)
    if since is None:
        return Verdict.unknown(
            f"date « {what_fr} » inconnue (le contrat compte le délai depuis : {start.label_fr})",
            f"date '{what_en}' unknown (the contract counts the window from: {start.label_en})",
            *notes,
        )
    if since > on:
        return Verdict.not_met(
            f"{what_fr} le {date_fr(since)}, après le {date_fr(on)}",
            f"{what_en} on {date_en(since)}, after {date_en(on)}",
            *notes,
        )
    if is_within_years(since, on, years):
        return Verdict.met(
            f"{what_fr} le {date_fr(since)}, moins de {years} ans avant le {date_fr(on)}",
            f"{what_en} on {date_en(since)}, less than {years} years before {date_en(on)}",
            *notes,
        )
    return Verdict.not_met(
        f"{what_fr} le {date_fr(since)}, {years} ans ou plus avant le {date_fr(on)} "
        f"(délai échu le {date_fr(add_years(since, years))})",
        f"{what_en} on {date_en(since)}, {years} years or more before {date_en(on)} "
        f"(window closed on {date_en(add_years(since, years))})",
        *notes,
    )


def _years_since_status(facts: RuleInput) -> Verdict:
    years = _public(facts).max_years_since_status
    assert years is not None
    person, on = facts.person, facts.on
    since = person.status_date
    if since is None:
        return Verdict.unknown(
            f"date d'obtention du statut inconnue (l'action exige moins de {years} ans)",
            f"date the status was obtained unknown (the action requires less than {years} years)",
        )
    if since <= on and is_within_years(since, on, years):
        return Verdict.met(
            f"statut obtenu le {date_fr(since)}, moins de {years} ans avant le {date_fr(on)}",
            f"status obtained on {date_en(since)}, less than {years} years before {date_en(on)}",
        )
    return Verdict.not_met(
        f"statut obtenu le {date_fr(since)}, {years} ans ou plus avant le {date_fr(on)}"
        if since <= on
        else f"statut obtenu le {date_fr(since)}, après le {date_fr(on)}",
        f"status obtained on {date_en(since)}, {years} years or more before {date_en(on)}"
        if since <= on
        else f"status obtained on {date_en(since)}, after {date_en(on)}",
    )


def _cir_signed(facts: RuleInput) -> Verdict:
    cir, on = facts.person.cir_date, facts.on
    if cir is None:
        return Verdict.unknown(
            "signature du CIR non renseignée (le contrat l'exige)",
            "CIR signature not recorded (the contract requires it)",
        )
    if cir > on:
        return Verdict.not_met(
            f"CIR signé le {date_fr(cir)}, après le {date_fr(on)}",
            f"CIR signed on {date_en(cir)}, after {date_en(on)}",
        )
    return Verdict.met(f"CIR signé le {date_fr(cir)}", f"CIR signed on {date_en(cir)}")


def _age_range(facts: RuleInput) -> tuple[int, int] | None:
    """The youngest and oldest the person can be on the date, or None when unknown.

    A person not yet born on the date is "aged" -1.
    """
    person, on = facts.person, facts.on
    if person.birth_date is not None:
        if on < person.birth_date:
            return -1, -1
        age = completed_years(person.birth_date, on)
        return age, age
    if person.birth_year is None:
        return None
    first, last = dt.date(person.birth_year, 1, 1), dt.date(person.birth_year, 12, 31)
    if on < first:
        return None
    oldest = completed_years(first, on)
    youngest = completed_years(last, on) if on >= last else 0
    return youngest, oldest


def _age_bounds(facts: RuleInput) -> Verdict:
    public = _public(facts)
    low, high = public.min_age, public.max_age
    bounds_fr = (
        f"de {low} à {high} ans"
        if low is not None and high is not None
        else f"{low} ans ou plus"
        if low is not None
        else f"{high} ans au plus"
    )
    bounds_en = (
        f"{low} to {high}"
        if low is not None and high is not None
        else f"{low} or over"
        if low is not None
        else f"{high} at most"
    )
    ages = _age_range(facts)
    person, on = facts.person, facts.on
    if ages is None:
        return Verdict.unknown(
            f"date de naissance inconnue (l'action est ouverte {bounds_fr})",
            f"birth date unknown (the action is for ages {bounds_en})",
        )
    born_fr = (
        f"né(e) le {short_fr(person.birth_date)}"
        if person.birth_date
        else f"né(e) en {person.birth_year}"
    )
    born_en = (
        f"born on {short_en(person.birth_date)}"
        if person.birth_date
        else f"born in {person.birth_year}"
    )
    youngest, oldest = ages
    if oldest < 0:
        assert person.birth_date is not None
        return Verdict.not_met(
            f"né(e) le {short_fr(person.birth_date)}, après le {short_fr(on)}",
            f"born on {short_en(person.birth_date)}, after {short_en(on)}",
        )
    age_fr = f"{youngest} ans" if youngest == oldest else f"{youngest} ou {oldest} ans"
    age_en = f"aged {youngest}" if youngest == oldest else f"aged {youngest} or {oldest}"

    def inside(age: int) -> bool:
        return (low is None or age >= low) and (high is None or age <= high)

    facts_fr = f"{born_fr}, {age_fr} le {short_fr(on)}"
    facts_en = f"{born_en}, {age_en} on {short_en(on)}"
    if inside(youngest) and inside(oldest):
        return Verdict.met(f"{facts_fr} : {bounds_fr}", f"{facts_en}: {bounds_en}")
    if not inside(youngest) and not inside(oldest):
        return Verdict.not_met(
            f"{facts_fr} : hors de l'âge de l'action ({bounds_fr})",
            f"{facts_en}: outside the action's ages ({bounds_en})",
        )
    return Verdict.unknown(
        f"{facts_fr} : l'année de naissance ne suffit pas ({bounds_fr})",
        f"{facts_en}: the birth year is not enough ({bounds_en})",
    )


def _residence(facts: RuleInput) -> Verdict:
    person, contract, geography = facts.person, facts.contract, facts.geography
    places = sorted(_public(facts).residence) or [contract.territory]
    where = person.residence
    if where is None:
        return Verdict.unknown("commune de résidence inconnue", "commune of residence unknown")
    names = ", ".join(places)
    if geography is None:
        if where in places:
            return Verdict.met(f"réside à {where}", f"lives in {where}")
        return Verdict.unknown(
            f"réside à {where} : sans la géographie officielle, impossible de dire si c'est "
            f"dans {names}",
            f"lives in {where}: without the official geography, cannot tell whether it is in "
            f"{names}",
        )
    commune = geography.lookup(where)
    label = f"{commune.name} ({where})" if commune else where
    if commune is None:
        return Verdict.unknown(
            f"commune de résidence {where} inconnue de la géographie officielle",
            f"commune of residence {where} is not in the official geography",
        )

    def named(place: str) -> str:
        territory = geography.lookup(place) if geography is not None else None
        return f"{territory.name} ({place})" if territory else place

    for place in places:
        if geography.is_within(where, place):
            return Verdict.met(
                f"réside à {label}, dans {named(place)}", f"lives in {label}, in {named(place)}"
            )
    outside = ", ".join(named(place) for place in places)
    return Verdict.not_met(
        f"réside à {label}, hors du territoire de l'action : {outside}",
        f"lives in {label}, outside the action's territory: {outside}",
    )


def _has_newcomers(action: Action, contract: Contract) -> bool:
    return PublicCategory.OTHER_NEWCOMER in action.public_in(contract).categories


def _has_window(action: Action, contract: Contract) -> bool:
    return action.public_in(contract).max_years_since_status is not None


def _needs_cir(action: Action, contract: Contract) -> bool:
    return action.public_in(contract).cir_required


def _has_ages(action: Action, contract: Contract) -> bool:
    public = action.public_in(contract)
    return public.min_age is not None or public.max_age is not None


# What each verdict depends on in the person, so screening reuses verdicts (see key).
def _nothing(person: Person) -> None:
    return None


def _status(person: Person) -> Hashable:
    return person.status


def _window_facts(person: Person) -> Hashable:
    if person.status not in _PERMITS:
        return person.status
    return (person.status, person.first_permit_date, person.status_date, person.cir_date)


def _status_date(person: Person) -> Hashable:
    return person.status_date


def _cir_date(person: Person) -> Hashable:
    return person.cir_date


def _birth(person: Person) -> Hashable:
    return (person.birth_date, person.birth_year)


def _residence_of(person: Person) -> Hashable:
    return person.residence


RULES: tuple[EligibilityRule, ...] = (
    EligibilityRule(
        name="action_open",
        label_fr="action ouverte à la date",
        label_en="action open on the date",
        source=_CONTRACT,
        check=_action_open,
        description="The contract is active and the action runs on the date (avenants "
        "included) and was not closed.",
        key=_nothing,
    ),
    EligibilityRule(
        name="status_in_public",
        label_fr="statut dans le public de l'action",
        label_en="status within the action's public",
        source=_CTAI_PUBLIC,
        check=_status_in_public,
        description="The person's status belongs to a category of the action's public as "
        "amended on the date (temporary protection only where the contract includes it).",
        key=_status,
    ),
    EligibilityRule(
        name="not_excluded",
        label_fr="statut non exclu",
        label_en="status not excluded",
        source=_CALL_2021,
        check=_not_excluded,
        description="Asylum seekers, foreign students, unaccompanied minors and people in "
        "irregular stay are never eligible. A programme that admits some of them (RISING in "
        "Grenoble admits asylum seekers waiting more than six months) replaces this rule "
        "with a plugin declaring replaces='not_excluded', and 'status_in_public' too when "
        "the action's public does not list them.",
        key=_status,
    ),
    EligibilityRule(
        name="newcomer_window",
        label_fr="primo-arrivant depuis moins de 5 ans",
        label_en="newcomer for less than 5 years",
        source=_CALL_2021,
        check=_newcomer_window,
        applies_to=_has_newcomers,
        description="For actions open to newcomers: a family or work permit obtained less "
        "than five years before the date (a dated parameter), counted from the first "
        "permit, the permit held or the CIR as the contract says. Counting from the CIR "
        "approximates the P104 action-12 calls, which target CIR signatories present in "
        "France for less than five years. BPI have no window unless the action's public "
        "sets one (years_since_status): no source gives one for CTAIR refugees.",
        key=_window_facts,
    ),
    EligibilityRule(
        name="years_since_status",
        label_fr="statut obtenu depuis moins de N ans",
        label_en="status obtained less than N years ago",
        source=_CONTRACT,
        check=_years_since_status,
        applies_to=_has_window,
        description="Where the action's public limits the years since the status was obtained.",
        key=_status_date,
    ),
    EligibilityRule(
        name="cir_signed",
        label_fr="CIR signé",
        label_en="CIR signed",
        source=_CIR,
        check=_cir_signed,
        applies_to=_needs_cir,
        description="Where the contract requires it: the republican integration contract "
        "was signed on or before the date.",
        key=_cir_date,
    ),
    EligibilityRule(
        name="age_bounds",
        label_fr="âge de l'action",
        label_en="age of the action",
        source=_CONTRACT,
        check=_age_bounds,
        applies_to=_has_ages,
        description="The person's age on the date lies within the action's bounds; with only "
        "a birth year, unknown unless the year settles it.",
        key=_birth,
    ),
    EligibilityRule(
        name="residence_in_territory",
        label_fr="résidence dans le territoire",
        label_en="residence in the territory",
        source=_CONTRACT,
        check=_residence,
        description="The person lives in the contract's territory (a commune within its "
        "EPCI counts), or in the places the action's public names.",
        key=_residence_of,
    ),
)


@hookimpl
def register_eligibility_rules() -> tuple[EligibilityRule, ...]:
    """Register the national rules."""
    return RULES
