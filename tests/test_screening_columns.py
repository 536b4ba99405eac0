"""Screening on columns gives the decisions of the person-by-person path, explanations included.

``screen()`` evaluates each rule once per action and distinct key among the persons and
combines outcomes as arrays; ``iter_screen()`` decides person by person and is the reference.
Both must give the same decisions (outcome, every verdict and reason, notices), in the same
order, for any persons, date and rules, including rules whose key or check fails.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import territoires
from territoires import (
    EligibilityRule,
    Person,
    RuleInput,
    Source,
    Verdict,
    hookimpl,
    iter_screen,
    screen,
)
from territoires.eligibility import Eligibility
from territoires.plugins import PluginManager, get_plugin_manager

from . import strategies

DATASET = territoires.demo.build(participations=0)
DAYS = st.sampled_from(
    [dt.date(2020, 1, 15), dt.date(2021, 6, 30), dt.date(2022, 9, 1), dt.date(2023, 3, 1)]
)
SOURCE = Source(title="Test rules (not a real contract)")


def _by_initial(person: Person) -> str:
    if person.id.startswith(("A", "a")):
        raise LookupError("no key for this one")  # a key failing for some persons only
    return person.id[:1]


def _unhashable(person: Person) -> list[str]:
    return [person.status.value]


def _first_letter_check(facts: RuleInput) -> Verdict:
    letter = facts.person.id[:1]
    if letter.isdigit():
        return Verdict.not_met(f"l'id commence par {letter}", f"id starts with {letter}")
    return Verdict.met("l'id commence par une lettre", "id starts with a letter")


def _raises(facts: RuleInput) -> Verdict:
    raise KeyError("quartier")


class _Tricky:
    """Rules of a plugin whose keys fail, are unhashable, or whose check raises."""

    @hookimpl
    def register_eligibility_rules(self) -> list[EligibilityRule]:
        return [
            EligibilityRule(
                name="69123.initiale",
                label_fr="Initiale",
                label_en="Initial",
                source=SOURCE,
                check=_first_letter_check,
                key=_by_initial,
            ),
            EligibilityRule(
                name="69123.statut_liste",
                label_fr="Statut",
                label_en="Status",
                source=SOURCE,
                check=_first_letter_check,
                key=_unhashable,
            ),
            EligibilityRule(
                name="69123.sans_cle",
                label_fr="Sans clé",
                label_en="No key",
                source=SOURCE,
                check=_first_letter_check,
            ),
            EligibilityRule(
                name="69123.quartier",
                label_fr="Quartier",
                label_en="Area",
                source=SOURCE,
                check=_raises,
                key=lambda person: None,
            ),
        ]


def _managers() -> list[PluginManager]:
    national = get_plugin_manager(autoload=False)
    tricky = get_plugin_manager(autoload=False, plugins=[("tricky", _Tricky())])
    assert {"69123.initiale", "69123.statut_liste", "69123.sans_cle", "69123.quartier"} <= set(
        tricky.rules
    )
    return [national, tricky]


_PERSONS = st.lists(strategies.persons(), max_size=25, unique_by=lambda p: p.id)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_PERSONS, DAYS, st.booleans())
def test_screening_on_columns_gives_the_reference_decisions(
    persons: list[Person], on: dt.date, tricky: bool
) -> None:
    manager = _managers()[tricky]
    reference = list(iter_screen(persons, DATASET, on=on, plugins=manager))
    screening = screen(persons, DATASET, on=on, plugins=manager)
    assert len(screening) == len(reference)
    assert list(screening) == reference  # outcomes, verdicts, reasons, notices, order
    assert screening.decisions == tuple(reference)
    assert screening.table() == [
        (d.person, d.contract, d.action, d.outcome.value) for d in reference
    ]
    assert screening.counts() == {
        outcome: Counter(d.outcome for d in reference)[outcome] for outcome in Eligibility
    }
    assert screening.eligible() == [d for d in reference if d.eligible]
    if persons:
        one = persons[-1].id
        assert screening.for_person(one) == [d for d in reference if d.person == one]


def test_any_single_decision_is_explained_on_demand() -> None:
    persons = [
        Person(id=f"P{n:03d}", status=status)
        for n, status in enumerate(territoires.AdministrativeStatus)
    ]
    on = dt.date(2022, 9, 1)
    screening = screen(persons, DATASET, on=on, plugins=get_plugin_manager(autoload=False))
    rows, columns = screening.outcomes.shape
    assert (rows, columns) == (len(persons), len(screening) // len(persons))
    for i in range(rows):
        for j in (0, columns - 1):
            decision = screening.decision(i, j)
            assert decision.person == persons[i].id
            assert (
                decision.outcome
                is (
                    Eligibility.ELIGIBLE,
                    Eligibility.UNDETERMINED,
                    Eligibility.NOT_ELIGIBLE,
                )[int(screening.outcomes[i, j])]
            )
            # The same explanation as deciding that one pair alone.
            alone = territoires.check_eligibility(
                persons[i],
                decision.action,
                DATASET.contract(decision.contract),  # type: ignore[arg-type]
                on=on,
                plugins=get_plugin_manager(autoload=False),
            )
            assert alone == decision


def test_a_wrong_person_is_refused_before_anything_is_computed() -> None:
    with pytest.raises(territoires.WrongTypeError, match="persons"):
        screen(["P1"], DATASET, on=dt.date(2022, 9, 1))  # type: ignore[list-item]
