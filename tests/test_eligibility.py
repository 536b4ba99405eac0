"""The eligibility engine: properties of decisions, ``combine``, and screening many persons.

Properties first (STYLE.md, Tests): a decision does not depend on the order rules and plugins
are registered in, removing a plugin never makes a decision worse, a decision is deterministic,
``combine`` follows its three laws and verdicts are sorted by rule name. Then :func:`screen`:
one decision per person and open action, only actions open in active contracts, ``actions=``
restricting the batch. The built-in rules are used alone (``autoload=False``) so that the
example plugins installed in the environment do not take part.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from collections.abc import Callable, Sequence

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from strategies import PLUGIN_EXCEPTIONS, persons
from territoires import (
    Action,
    AdministrativeStatus,
    Amendment,
    Contract,
    ContractKind,
    ContractStatus,
    EligibilityRule,
    Outcome,
    Period,
    Person,
    PublicCategory,
    PublicScope,
    RuleInput,
    Source,
    Theme,
    Verdict,
    hookimpl,
)
from territoires.builtins.eligibility import RULES
from territoires.eligibility import (
    Decision,
    Eligibility,
    Screening,
    check_eligibility,
    combine,
    screen,
)
from territoires.plugins import PluginManager, describe_exception, get_plugin_manager

D = dt.date
BUILTINS = get_plugin_manager(autoload=False)
DEMO = territoires.demo.build(participations=0)
GRENOBLE = DEMO.contract("ctair-grenoble")
assert GRENOBLE is not None
GRENOBLE_ACTIONS = sorted(a.id for a in GRENOBLE.all_actions())
RANK = {Eligibility.NOT_ELIGIBLE: 0, Eligibility.UNDETERMINED: 1, Eligibility.ELIGIBLE: 2}
BPI = frozenset(
    {PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION, PublicCategory.STATELESS}
)

# Persons whose facts make the rules say different things: the strategy of the model, and
# a few real-looking ones living in the métropole.
_LOCAL = st.builds(
    Person,
    id=st.sampled_from(["P-0001", "P-0002", "P-0003"]),
    status=st.sampled_from(AdministrativeStatus),
    status_date=st.none() | st.dates(D(2015, 1, 1), D(2024, 12, 31)),
    first_permit_date=st.none() | st.dates(D(2015, 1, 1), D(2024, 12, 31)),
    cir_date=st.none() | st.dates(D(2015, 1, 1), D(2024, 12, 31)),
    birth_date=st.none() | st.dates(D(1960, 1, 1), D(2010, 12, 31)),
    residence=st.sampled_from([None, "38421", "38185", "69123", "21231", "38999"]),
)
PERSONS = persons() | _LOCAL
DATES = st.dates(D(2019, 6, 1), D(2025, 6, 30))


def _test_rule(name: str, check: Callable[[RuleInput], Verdict]) -> EligibilityRule:
    return EligibilityRule(
        name=name,
        label_fr=f"règle de test {name}",
        label_en=f"test rule {name}",
        source=Source(title="tests/test_eligibility.py"),
        check=check,
    )


def _constant(name: str, outcome: Outcome) -> EligibilityRule:
    """A test rule that always answers ``outcome``."""
    verdict = Verdict(outcome=outcome, reason_fr=f"{name} : test", reason_en=f"{name}: test")
    return _test_rule(name, lambda facts: verdict)


def _cir_known(facts: RuleInput) -> Verdict:
    if facts.person.cir_date is None:
        return Verdict.unknown("CIR inconnu (test)", "CIR unknown (test)")
    return Verdict.met("CIR connu (test)", "CIR known (test)")


def _young_action(facts: RuleInput) -> Verdict:
    if facts.action.public_in(facts.contract).max_age is not None:
        return Verdict.not_met("action pour les jeunes (test)", "action for the young (test)")
    return Verdict.met("action pour tous (test)", "action for everyone (test)")


TEST_RULES = (
    _test_rule("200040715.cir_connu", _cir_known),
    _test_rule("tests.pas_les_jeunes", _young_action),
    _constant("zz.toujours", Outcome.MET),
)


def _plugin(rules: Sequence[EligibilityRule]) -> object:
    """A plugin object whose hook returns ``rules`` in the given order."""
    listed = list(rules)
    return types.SimpleNamespace(register_eligibility_rules=hookimpl(lambda: listed))


def _national(rule: EligibilityRule) -> EligibilityRule:
    """A built-in rule under a namespace, so that a third-party plugin may register it."""
    return attrs.evolve(rule, name=f"national.{rule.name}")


def _decide(
    person: Person,
    action_id: str,
    on: dt.date,
    manager: PluginManager,
    contract: Contract = GRENOBLE,
) -> Decision:
    return check_eligibility(person, action_id, contract, on=on, plugins=manager)


# -- properties of decisions --------------------------------------------------------------------


@given(
    person=PERSONS,
    action_id=st.sampled_from(GRENOBLE_ACTIONS),
    on=DATES,
    order=st.permutations([*map(_national, RULES), *TEST_RULES]),
    split=st.integers(0, len(RULES) + len(TEST_RULES)),
)
def test_a_decision_does_not_depend_on_the_order_rules_are_registered_in(
    person: Person,
    action_id: str,
    on: dt.date,
    order: list[EligibilityRule],
    split: int,
) -> None:
    """Rules returned in any order, by plugins registered in any order, give the same decision."""
    first, second = _plugin(order[:split]), _plugin(order[split:])
    forward = get_plugin_manager(
        autoload=False, builtins=False, plugins=[("one", first), ("two", second)]
    )
    backward = get_plugin_manager(
        autoload=False, builtins=False, plugins=[("two", second), ("one", first)]
    )
    canonical = get_plugin_manager(
        autoload=False,
        builtins=False,
        plugins=[("all", _plugin(sorted(order, key=lambda rule: rule.name)))],
    )
    assert forward.errors == backward.errors == canonical.errors == []
    decision = _decide(person, action_id, on, forward)
    assert _decide(person, action_id, on, backward) == decision
    assert _decide(person, action_id, on, canonical) == decision
    # The renamed national rules say what the built-in ones say.
    builtin = _decide(person, action_id, on, BUILTINS)
    national = {v.rule.removeprefix("national."): v.verdict for v in decision.verdicts}
    assert {v.rule: v.verdict for v in builtin.verdicts}.items() <= national.items()


@given(
    person=PERSONS,
    action_id=st.sampled_from(GRENOBLE_ACTIONS),
    on=DATES,
    order=st.permutations(TEST_RULES),
)
def test_test_plugins_and_builtins_in_any_order_give_the_same_decision(
    person: Person, action_id: str, on: dt.date, order: list[EligibilityRule]
) -> None:
    """Plugins registered after the built-ins, one rule each, in any order: one decision."""
    drawn = [(rule.name, _plugin([rule])) for rule in order]
    shuffled = get_plugin_manager(autoload=False, plugins=drawn)
    reference = get_plugin_manager(
        autoload=False, plugins=[(rule.name, _plugin([rule])) for rule in TEST_RULES]
    )
    assert _decide(person, action_id, on, shuffled) == _decide(person, action_id, on, reference)


@given(
    person=PERSONS,
    action_id=st.sampled_from(GRENOBLE_ACTIONS),
    on=DATES,
    removed=st.sampled_from(Outcome),
    kept=st.sampled_from(Outcome),
)
def test_removing_a_plugin_never_makes_a_decision_worse(
    person: Person, action_id: str, on: dt.date, removed: Outcome, kept: Outcome
) -> None:
    """Without a plugin whose rule is not met, eligible stays eligible; nothing gets worse."""
    gone = ("gone", _plugin([_constant("gone.rule", removed)]))
    stays = ("stays", _plugin([_constant("stays.rule", kept)]))
    manager = get_plugin_manager(autoload=False, plugins=[gone, stays])
    with_it = _decide(person, action_id, on, manager)
    if removed is Outcome.NOT_MET:
        assert with_it.outcome is Eligibility.NOT_ELIGIBLE
    manager.unregister(name="gone")
    assert "gone.rule" not in manager.rules
    without = _decide(person, action_id, on, manager)
    assert RANK[without.outcome] >= RANK[with_it.outcome]
    assert without.outcome in (Eligibility.ELIGIBLE, Eligibility.UNDETERMINED, with_it.outcome)
    assert without.verdicts == tuple(v for v in with_it.verdicts if v.rule != "gone.rule")
    rebuilt = get_plugin_manager(autoload=False, plugins=[stays])
    assert _decide(person, action_id, on, rebuilt) == without


@given(person=PERSONS, action_id=st.sampled_from(GRENOBLE_ACTIONS), on=DATES)
def test_a_decision_is_deterministic(person: Person, action_id: str, on: dt.date) -> None:
    """Deciding twice on the same facts gives equal decisions, with equal JSON forms."""
    one = _decide(person, action_id, on, BUILTINS)
    two = _decide(person, action_id, on, get_plugin_manager(autoload=False))
    assert one == two
    assert one.to_dict() == two.to_dict()


@given(person=PERSONS, action_id=st.sampled_from(GRENOBLE_ACTIONS), on=DATES)
def test_verdicts_are_sorted_by_rule_name_and_combined(
    person: Person, action_id: str, on: dt.date
) -> None:
    """Verdicts come sorted by rule name and the outcome is ``combine`` of theirs."""
    manager = get_plugin_manager(
        autoload=False, plugins=[("tests", _plugin(list(reversed(TEST_RULES))))]
    )
    decision = _decide(person, action_id, on, manager)
    names = [v.rule for v in decision.verdicts]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert {"200040715.cir_connu", "tests.pas_les_jeunes", "zz.toujours"} <= set(names)
    assert decision.outcome is combine(v.outcome for v in decision.verdicts)
    assert decision.eligible is (decision.outcome is Eligibility.ELIGIBLE)
    for outcome in Outcome:
        assert decision.reasons(outcome, "en") == [
            v.verdict.reason_en for v in decision.verdicts if v.outcome is outcome
        ]


@given(outcomes=st.lists(st.sampled_from(Outcome), max_size=12))
def test_combine_follows_its_three_laws(outcomes: list[Outcome]) -> None:
    """Any not met → not eligible; else any unknown → undetermined; else eligible."""
    combined = combine(outcomes)
    if Outcome.NOT_MET in outcomes:
        assert combined is Eligibility.NOT_ELIGIBLE
    elif Outcome.UNKNOWN in outcomes:
        assert combined is Eligibility.UNDETERMINED
    else:
        assert combined is Eligibility.ELIGIBLE
    assert combine(reversed(outcomes)) is combined  # order does not matter
    assert combine(iter(outcomes)) is combined  # a one-shot iterator is enough


@given(
    outcomes=st.lists(st.sampled_from(Outcome), max_size=8),
    extra=st.sampled_from(Outcome),
)
def test_adding_a_verdict_never_improves_the_combination(
    outcomes: list[Outcome], extra: Outcome
) -> None:
    """One more verdict can only keep or lower the combined outcome."""
    assert RANK[combine([*outcomes, extra])] <= RANK[combine(outcomes)]


def test_combine_of_no_verdict_is_eligible() -> None:
    """With no rule concerned, nothing stands in the way: eligible."""
    assert combine([]) is Eligibility.ELIGIBLE


# -- the engine ---------------------------------------------------------------------------------


def test_an_action_may_be_given_by_id_or_as_an_object() -> None:
    """``check_eligibility`` gives the same decision for an action and for its id."""
    person = Person(id="P1", status=AdministrativeStatus.REFUGEE, residence="38421")
    action = GRENOBLE.action("grenoble-02")
    assert action is not None
    on = D(2021, 4, 1)
    assert _decide(person, "grenoble-02", on, BUILTINS) == check_eligibility(
        person, action, GRENOBLE, on=on, plugins=BUILTINS
    )


def test_an_unknown_action_raises_lookup_error_naming_it() -> None:
    """Asking about an action the contract does not have raises LookupError with its id."""
    person = Person(id="P1", status=AdministrativeStatus.REFUGEE)
    with pytest.raises(LookupError, match="'dijon-01'"):
        _decide(person, "dijon-01", D(2021, 4, 1), BUILTINS)


def test_a_rule_returning_something_else_than_a_verdict_is_unknown_naming_the_plugin() -> None:
    """A plugin rule that returns a string instead of a Verdict: unknown, and a recorded fault."""
    broken = _test_rule("tests.casse", lambda facts: "oui")  # type: ignore[arg-type,return-value]
    manager = get_plugin_manager(autoload=False, plugins=[("broken", _plugin([broken]))])
    person = Person(id="P1", status=AdministrativeStatus.REFUGEE, residence="38421")
    decision = _decide(person, "grenoble-02", D(2021, 4, 1), manager)
    assert decision.outcome is Eligibility.UNDETERMINED
    (verdict,) = [v for v in decision.verdicts if v.rule == "tests.casse"]
    assert verdict.outcome is Outcome.UNKNOWN
    cause = "returned 'oui' (a str); expected a Verdict"
    assert verdict.verdict.reason_en == f"not evaluated: the plugin 'broken' failed ({cause})"
    assert verdict.verdict.reason_fr == f"non évaluée : le plugin 'broken' a échoué ({cause})"
    (error,) = manager.errors
    assert (error.plugin, error.hook, error.cause) == (
        "broken",
        "check of rule 'tests.casse'",
        cause,
    )


FAILURES = PLUGIN_EXCEPTIONS


def _failing_rule(part: str, exc: BaseException) -> EligibilityRule:
    """A rule met by everyone, except that its ``part`` (check, key or applies_to) raises."""

    def fail(*args: object) -> Verdict:
        raise exc

    rule = _constant("tests.fragile", Outcome.MET)
    if part == "check":
        return attrs.evolve(rule, check=fail)
    if part == "key":
        return attrs.evolve(rule, key=fail)
    return attrs.evolve(rule, applies_to=fail)


@given(
    person=PERSONS,
    action_id=st.sampled_from(GRENOBLE_ACTIONS),
    on=st.dates(D(2019, 1, 1), D(2026, 12, 31)),
    part=st.sampled_from(["check", "key", "applies_to"]),
    exc=st.sampled_from(FAILURES),
)
def test_a_failing_rule_is_unknown_and_never_makes_anyone_eligible(
    person: Person, action_id: str, on: dt.date, part: str, exc: BaseException
) -> None:
    """Whatever part of a rule raises, its verdict is unknown and the others are unchanged.

    The decision is then undetermined, or not eligible when another rule is not met; never
    eligible. The fault is recorded once, naming the plugin, the rule and the part.
    """
    manager = get_plugin_manager(
        autoload=False, plugins=[("lyon", _plugin([_failing_rule(part, exc)]))]
    )
    decision = _decide(person, action_id, on, manager)
    alone = _decide(person, action_id, on, BUILTINS)
    others = [v for v in decision.verdicts if v.rule != "tests.fragile"]
    assert others == list(alone.verdicts)
    (failed,) = [v for v in decision.verdicts if v.rule == "tests.fragile"]
    assert failed.outcome is Outcome.UNKNOWN
    cause = f"raised {describe_exception(exc)}"
    assert failed.verdict.reason_en == f"not evaluated: the plugin 'lyon' failed ({cause})"
    assert decision.outcome is not Eligibility.ELIGIBLE
    expected = (
        Eligibility.NOT_ELIGIBLE
        if alone.outcome is Eligibility.NOT_ELIGIBLE
        else Eligibility.UNDETERMINED
    )
    assert decision.outcome is expected
    (error,) = manager.errors
    assert (error.plugin, error.hook, error.cause) == (
        "lyon",
        f"{part} of rule 'tests.fragile'",
        cause,
    )


@pytest.mark.parametrize("part", ["check", "key", "applies_to"])
def test_a_rule_failing_for_every_person_is_one_fault(part: str) -> None:
    """Screening many persons with a rule that always fails records one fault, not one each."""
    manager = get_plugin_manager(
        autoload=False, plugins=[("lyon", _plugin([_failing_rule(part, ValueError("no table"))]))]
    )
    persons = [
        Person(id=f"P{n}", status=AdministrativeStatus.REFUGEE, birth_year=1950 + n)
        for n in range(40)
    ]
    screening = screen(persons, DEMO, on=D(2021, 4, 1), plugins=manager)
    assert len(screening) > 40
    assert not screening.eligible()
    assert [error.hook for error in manager.errors] == [f"{part} of rule 'tests.fragile'"]


@pytest.mark.parametrize("part", ["check", "key", "applies_to"])
def test_keyboard_interrupt_in_a_rule_stops_the_decision(part: str) -> None:
    """Ctrl-C in a rule is the user's: it propagates, and is not recorded as a fault."""
    manager = get_plugin_manager(
        autoload=False, plugins=[("lyon", _plugin([_failing_rule(part, KeyboardInterrupt())]))]
    )
    person = Person(id="P1", status=AdministrativeStatus.REFUGEE)
    with pytest.raises(KeyboardInterrupt):
        _decide(person, "grenoble-02", D(2021, 4, 1), manager)
    assert manager.errors == []


def test_a_rule_limited_to_other_territories_is_not_applied() -> None:
    """A rule registered for Lyon's territory does not take part in a Grenoble decision."""
    lyon_only = attrs.evolve(
        _constant("69123.jamais", Outcome.NOT_MET), territories=frozenset({"69123"})
    )
    manager = get_plugin_manager(autoload=False, plugins=[("lyon", _plugin([lyon_only]))])
    person = Person(id="P1", status=AdministrativeStatus.REFUGEE, residence="38421")
    decision = _decide(person, "grenoble-02", D(2021, 4, 1), manager)
    assert "69123.jamais" not in [v.rule for v in decision.verdicts]
    assert decision.outcome is Eligibility.ELIGIBLE


def test_a_decision_to_dict_is_json_with_every_verdict() -> None:
    """``Decision.to_dict`` is JSON-ready and carries each verdict's reasons and source."""
    person = Person(
        id="P1",
        status=AdministrativeStatus.FAMILY_PERMIT,
        first_permit_date=D(2020, 2, 29),
        residence="38185",
    )
    decision = _decide(person, "grenoble-02", D(2025, 1, 2), BUILTINS)
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["person"] == "P1"
    assert data["action"] == "grenoble-02"
    assert data["contract"] == "ctair-grenoble"
    assert data["on"] == "2025-01-02"
    assert data["outcome"] == decision.outcome.value
    assert [v["rule"] for v in data["verdicts"]] == [v.rule for v in decision.verdicts]
    for entry, verdict in zip(data["verdicts"], decision.verdicts, strict=True):
        assert entry["outcome"] == verdict.outcome.value
        assert entry["reason_fr"] == verdict.verdict.reason_fr
        assert entry["reason_en"] == verdict.verdict.reason_en
        assert entry["label_fr"] == verdict.label_fr
        assert entry["label_en"] == verdict.label_en
        assert entry["source"] == verdict.source.title
        assert entry["source_url"] == verdict.source.url
    assert len(data["notices"]) == 1  # 2025: five years is not confirmed any more


# -- screening ----------------------------------------------------------------------------------

SCREENED = (
    Person(
        id="P-REF",
        status=AdministrativeStatus.REFUGEE,
        status_date=D(2019, 3, 3),
        birth_date=D(1990, 5, 1),
        residence="38421",
    ),
    Person(id="P-STU", status=AdministrativeStatus.STUDENT, residence="38185"),
    Person(
        id="P-FAM",
        status=AdministrativeStatus.FAMILY_PERMIT,
        first_permit_date=D(2020, 2, 29),
        birth_year=1995,
        residence="38185",
    ),
)


def _open_pairs(dataset: territoires.Dataset, on: dt.date) -> set[tuple[str, str]]:
    """(contract, action) open on ``on``, from the contracts' own answers."""
    return {
        (contract.id, action.id)
        for contract in dataset.contracts
        if contract.status(on) is ContractStatus.ACTIVE
        for action in contract.as_of(on).actions
        if action.is_open(on)
    }


@pytest.mark.parametrize("on", [D(2020, 3, 1), D(2021, 4, 1), D(2022, 3, 1), D(2022, 9, 1)])
def test_screen_gives_one_decision_per_person_and_open_action(on: dt.date) -> None:
    """Each person is judged once against each action open on the date in an active contract."""
    screening = screen(SCREENED, DEMO, on=on, plugins=BUILTINS)
    assert isinstance(screening, Screening)
    pairs = _open_pairs(DEMO, on)
    assert pairs
    assert len(screening) == len(SCREENED) * len(pairs)
    seen = [(d.person, d.contract, d.action) for d in screening]
    assert len(set(seen)) == len(seen)
    for person in SCREENED:
        mine = screening.for_person(person.id)
        assert {(d.contract, d.action) for d in mine} == pairs
    for decision in screening:
        (opened,) = [v for v in decision.verdicts if v.rule == "action_open"]
        assert opened.outcome is Outcome.MET


def test_screen_follows_the_contracts_avenants() -> None:
    """Grenoble's actions are out between its end in 2021 and its avenant, in again after."""
    gap = screen(SCREENED[:1], DEMO, on=D(2022, 3, 1), plugins=BUILTINS)
    assert "ctair-grenoble" not in {d.contract for d in gap}
    assert "ctair-brest" not in {d.contract for d in gap}  # ended, never prolonged
    after = screen(SCREENED[:1], DEMO, on=D(2022, 9, 1), plugins=BUILTINS)
    grenoble = {d.action for d in after if d.contract == "ctair-grenoble"}
    assert grenoble == set(GRENOBLE_ACTIONS)  # the added action and the prolonged ones


def test_screen_decisions_are_those_of_check_eligibility() -> None:
    """A screening's decisions equal deciding one by one with ``check_eligibility``."""
    on = D(2022, 9, 1)
    screening = screen(SCREENED, DEMO, on=on, plugins=BUILTINS)
    for decision in screening:
        contract = DEMO.contract(decision.contract)
        assert contract is not None
        person = next(p for p in SCREENED if p.id == decision.person)
        assert decision == check_eligibility(
            person, decision.action, contract, on=on, plugins=BUILTINS
        )


def test_screening_helpers_list_eligible_decisions_and_rows() -> None:
    """``eligible()``, ``for_person()`` and ``table()`` agree with the decisions."""
    screening = screen(SCREENED, DEMO, on=D(2022, 9, 1), plugins=BUILTINS)
    eligible = screening.eligible()
    assert eligible
    assert all(d.eligible for d in eligible)
    assert {d.person for d in eligible} == {"P-REF", "P-FAM"}
    assert screening.for_person("P-STU")
    assert all(d.outcome is Eligibility.NOT_ELIGIBLE for d in screening.for_person("P-STU"))
    assert screening.table() == [
        (d.person, d.contract, d.action, d.outcome.value) for d in screening.decisions
    ]
    assert list(screening) == list(screening.decisions)


SIGNED = D(2020, 1, 1)
RUNNING = Period(SIGNED, D(2024, 12, 31))


def _contract(
    contract_id: str,
    *actions: Action,
    signed_on: dt.date | None = SIGNED,
    period: Period = RUNNING,
    amendments: tuple[Amendment, ...] = (),
) -> Contract:
    return Contract(
        id=contract_id,
        kind=ContractKind.CTAI,
        territory="200040715",
        title=f"Contrat {contract_id}",
        period=period,
        public=PublicScope(categories=BPI),
        signed_on=signed_on,
        actions=actions,
        amendments=amendments,
    )


def _action(action_id: str, start: dt.date, end: dt.date | None = None) -> Action:
    return Action(id=action_id, title=action_id, theme=Theme.HOUSING, period=Period(start, end))


ON = D(2022, 9, 1)
SMALL = territoires.Dataset(
    contracts=(
        _contract(
            "active",
            _action("open", D(2020, 2, 1)),
            _action("not-started", D(2023, 1, 1)),
            _action("finished", D(2020, 2, 1), D(2021, 12, 31)),
            _action("closed", D(2020, 2, 1)),
            amendments=(
                Amendment(
                    id="avenant-1",
                    effective_on=D(2022, 6, 29),
                    actions_closed=("closed",),
                ),
                Amendment(
                    id="avenant-2",
                    effective_on=D(2022, 10, 1),
                    actions_added=(_action("added-later", D(2022, 10, 1)),),
                ),
            ),
        ),
        _contract(
            "ended",
            _action("ended-action", D(2019, 2, 1)),
            period=Period(D(2019, 1, 1), D(2021, 12, 31)),
        ),
        _contract("draft", _action("draft-action", D(2020, 2, 1)), signed_on=None),
        _contract(
            "future",
            _action("future-action", D(2023, 2, 1)),
            signed_on=D(2022, 6, 1),
            period=Period(D(2023, 1, 1), D(2025, 12, 31)),
        ),
    )
)


def test_screen_considers_only_open_actions_of_active_contracts() -> None:
    """Actions not started, finished, closed or not yet added, and inactive contracts, are out."""
    assert [c.status(ON) for c in SMALL.contracts] == [
        ContractStatus.ACTIVE,
        ContractStatus.ENDED,
        ContractStatus.DRAFT,
        ContractStatus.SIGNED,
    ]
    screening = screen(SCREENED, SMALL, on=ON, plugins=BUILTINS)
    assert {(d.contract, d.action) for d in screening} == {("active", "open")}
    assert len(screening) == len(SCREENED)
    assert [d.person for d in screening] == [p.id for p in SCREENED]


def test_screen_with_actions_judges_only_those_even_when_closed() -> None:
    """``actions=[...]`` restricts the batch to those actions, and says why a closed one is out."""
    screening = screen(
        SCREENED[:1], SMALL, on=ON, actions=["closed", "open", "added-later"], plugins=BUILTINS
    )
    assert [d.action for d in screening] == ["closed", "open", "added-later"]
    closed, opened, later = screening.decisions
    assert opened.eligible
    for decision, fr in (
        (closed, "l'action « closed » est close depuis le 29/06/2022"),
        (
            later,
            "l'action « added-later » n'est ajoutée au contrat que par un avenant qui prend "
            "effet le 01/10/2022",
        ),
    ):
        assert decision.outcome is Eligibility.NOT_ELIGIBLE
        assert decision.reasons(Outcome.NOT_MET, "fr") == [fr]


def test_screen_with_actions_of_the_demo_restricts_to_them() -> None:
    """Restricting the demo to two actions gives two decisions per person, in that order."""
    screening = screen(
        SCREENED, DEMO, on=D(2022, 9, 1), actions=["grenoble-02", "dijon-01"], plugins=BUILTINS
    )
    assert [(d.person, d.action) for d in screening] == [
        (p.id, a) for p in SCREENED for a in ("grenoble-02", "dijon-01")
    ]


def test_screen_with_an_unknown_action_raises_lookup_error() -> None:
    """An action id that is in no contract of the dataset raises LookupError naming it."""
    with pytest.raises(LookupError, match="'nulle-part'"):
        screen(SCREENED, DEMO, on=ON, actions=["grenoble-02", "nulle-part"], plugins=BUILTINS)


def test_screen_of_no_person_is_empty() -> None:
    """Screening nobody gives an empty screening, not an error."""
    screening = screen([], DEMO, on=ON, plugins=BUILTINS)
    assert len(screening) == 0
    assert screening.eligible() == []


_GRENOBLE_PLACES = st.sampled_from(["38185", "38421", "69123", "21231", None])


@given(
    people=st.lists(
        persons().map(lambda p: attrs.evolve(p, residence=None)),
        min_size=1,
        max_size=6,
        unique_by=lambda p: p.id,
    ),
    places=st.lists(_GRENOBLE_PLACES, min_size=6, max_size=6),
)
def test_screening_reuses_verdicts_without_changing_any_decision(
    people: list[territoires.Person], places: list[str | None]
) -> None:
    """Screening, which reuses verdicts persons share, decides exactly as one check at a time."""
    people = [attrs.evolve(p, residence=place) for p, place in zip(people, places, strict=False)]
    on = D(2022, 9, 1)
    contract = DEMO.contract("ctair-grenoble")
    assert contract is not None
    screened = list(
        screen(people, DEMO, on=on, actions=["grenoble-02", "grenoble-jeunes"], plugins=BUILTINS)
    )
    one_by_one = [
        check_eligibility(person, action, contract, on=on, plugins=BUILTINS)
        for person in people
        for action in ("grenoble-02", "grenoble-jeunes")
    ]
    assert screened == one_by_one
