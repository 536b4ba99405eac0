"""Eligibility that explains itself: is this person eligible to this action on this date, and why?

:func:`check_eligibility` takes the contract as amended on the date, runs every registered rule
that concerns the action (the national rules of ``territoires.builtins.eligibility`` and those
of local plugins) and combines their verdicts: any rule not met makes the person not eligible;
otherwise any unknown makes the decision undetermined; otherwise the person is eligible.
:func:`screen` does it for many persons against every open action.

A rule whose code fails (its ``check``, ``key`` or ``applies_to`` raises, or ``check``
returns something other than a :class:`~territoires.Verdict`) gives an **unknown** verdict,
whose reason names the plugin and the cause; the fault is recorded in the plugin manager's
``errors`` (once per rule and function). So a failing rule never makes anyone eligible: the
decision is undetermined, or not eligible when another rule is not met. A rule whose
``applies_to`` fails is taken to concern the action, for the same reason.

Example:
    >>> import datetime as dt
    >>> import territoires
    >>> from territoires.plugins import get_plugin_manager
    >>> demo = territoires.demo.build(participations=0)
    >>> contract = demo.contract("ctair-dijon")
    >>> person = territoires.Person(
    ...     id="P1", status=territoires.AdministrativeStatus.REFUGEE,
    ...     status_date=dt.date(2019, 3, 3), birth_year=1990, residence="21231")
    >>> decision = check_eligibility(person, contract.actions[0], contract,
    ...     on=dt.date(2021, 4, 1), plugins=get_plugin_manager(autoload=False))
    >>> decision.outcome.value
    'eligible'
    >>> [v.rule for v in decision.verdicts][:3]
    ['action_open', 'not_excluded', 'residence_in_territory']

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator

import attrs

from territoires._bulk import paused_gc
from territoires._enum import LabelledEnum, Lang
from territoires._validate import OFFICIAL_GEOGRAPHY, _Official, resolve_geography
from territoires.exceptions import PluginError, UnknownActionError, WrongTypeError
from territoires.model._validators import is_date, not_a_date
from territoires.model.contract import Action, Contract, Source
from territoires.model.dataset import Dataset, Gazetteer
from territoires.model.enums import ContractStatus
from territoires.model.person import Person
from territoires.plugins import PluginInfo, PluginManager, default_plugin_manager
from territoires.rules import EligibilityRule, Notice, Outcome, RuleInput, Verdict

__all__ = [
    "Decision",
    "Eligibility",
    "RuleVerdict",
    "Screening",
    "check_eligibility",
    "iter_screen",
    "screen",
]


class Eligibility(LabelledEnum):
    """The overall answer of a decision."""

    ELIGIBLE = ("eligible", "éligible", "eligible")
    NOT_ELIGIBLE = ("not_eligible", "non éligible", "not eligible")
    UNDETERMINED = ("undetermined", "indéterminé (information manquante)", "undetermined")


@attrs.frozen(kw_only=True)
class RuleVerdict:
    """The verdict of one rule in a decision, with the rule's labels and source.

    .. versionadded:: 0.1
    """

    rule: str
    label_fr: str
    label_en: str
    source: Source
    verdict: Verdict

    @property
    def outcome(self) -> Outcome:
        """The rule's outcome."""
        return self.verdict.outcome

    def label(self, lang: Lang = "fr") -> str:
        """Return the rule's label in ``lang``."""
        return self.label_fr if lang == "fr" else self.label_en


@attrs.frozen(kw_only=True)
class Decision:
    """Whether a person is eligible to an action on a date, and every rule's verdict.

    Attributes:
        person: Pseudonymous id of the person.
        action: Id of the action.
        contract: Id of the contract.
        on: Date of the decision.
        outcome: Eligible, not eligible or undetermined.
        verdicts: One verdict per rule that concerns the action, sorted by rule name.
        notices: What a reader should also know (thresholds past their confirmed dates).

    .. versionadded:: 0.1
    """

    person: str
    action: str
    contract: str
    on: dt.date
    outcome: Eligibility
    verdicts: tuple[RuleVerdict, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def eligible(self) -> bool:
        """True when the person is eligible."""
        return self.outcome is Eligibility.ELIGIBLE

    def reasons(self, outcome: Outcome, lang: Lang = "fr") -> list[str]:
        """Return the reasons of the verdicts with ``outcome``, in ``lang``."""
        return [v.verdict.reason(lang) for v in self.verdicts if v.outcome is outcome]

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping of the whole decision."""
        return {
            "person": self.person,
            "action": self.action,
            "contract": self.contract,
            "on": self.on.isoformat(),
            "outcome": self.outcome.value,
            "verdicts": [
                {
                    "rule": v.rule,
                    "label_fr": v.label_fr,
                    "label_en": v.label_en,
                    "outcome": v.outcome.value,
                    "reason_fr": v.verdict.reason_fr,
                    "reason_en": v.verdict.reason_en,
                    "source": v.source.title,
                    "source_url": v.source.url,
                }
                for v in self.verdicts
            ],
            "notices": [{"fr": n.text_fr, "en": n.text_en} for n in self.notices],
        }


def combine(outcomes: Iterable[Outcome]) -> Eligibility:
    """Combine rule outcomes: any not met → not eligible; any unknown → undetermined.

    Example:
        >>> combine([Outcome.MET, Outcome.UNKNOWN]).value
        'undetermined'
        >>> combine([Outcome.UNKNOWN, Outcome.NOT_MET]).value
        'not_eligible'
    """
    seen = set(outcomes)
    if Outcome.NOT_MET in seen:
        return Eligibility.NOT_ELIGIBLE
    if Outcome.UNKNOWN in seen:
        return Eligibility.UNDETERMINED
    return Eligibility.ELIGIBLE


def _ordered_rules(manager: PluginManager) -> list[EligibilityRule]:
    # Sorted by name: a decision never depends on the order plugins were registered in.
    return sorted(manager.rules.values(), key=lambda rule: rule.name)


def _unknown_because(error: PluginError) -> Verdict:
    """The verdict of a rule whose code failed: unknown, naming the plugin and the cause."""
    who = f"{error.plugin!r} ({error.distribution})" if error.distribution else repr(error.plugin)
    return Verdict.unknown(
        f"non évaluée : le plugin {who} a échoué ({error.cause})",
        f"not evaluated: the plugin {who} failed ({error.cause})",
    )


def _no_key(person: Person) -> None:
    return None


def _always(verdict: Verdict, facts: RuleInput) -> Verdict:
    return verdict


class _Judge:
    """Decides for one date and geography, reusing what does not change between persons.

    The rules that concern an action are found once per action, and a verdict is computed
    once per action and per value of the rule's ``key`` (the facts of the person it reads):
    screening 100,000 persons against 100 actions evaluates each rule only for the distinct
    facts it sees. Every call into a rule's code is a plugin boundary (see the module).
    """

    def __init__(self, manager: PluginManager, on: dt.date, geography: Gazetteer | None) -> None:
        self.manager = manager
        self.rules = _ordered_rules(manager)
        self.on = on
        self.geography = geography
        self._concerned: dict[tuple[str, str], list[EligibilityRule]] = {}
        self._verdicts: dict[tuple[str, str, str, object], RuleVerdict] = {}

    def _plugin(self, rule: EligibilityRule) -> PluginInfo:
        return self.manager.rules.registration(rule.name).plugin

    def _failed(self, rule: EligibilityRule, part: str, exc: BaseException) -> RuleVerdict | None:
        """The unknown verdict of ``rule`` whose ``part`` raised; None if ``exc`` must go on."""
        error = self.manager.absorb(self._plugin(rule), f"{part} of rule {rule.name!r}", exc)
        return None if error is None else self._judged(rule, _unknown_because(error))

    def _judged(self, rule: EligibilityRule, verdict: Verdict) -> RuleVerdict:
        return RuleVerdict(
            rule=rule.name,
            label_fr=rule.label_fr,
            label_en=rule.label_en,
            source=rule.source,
            verdict=verdict,
        )

    def concerned(self, action: Action, contract: Contract) -> list[EligibilityRule]:
        key = (contract.id, action.id)
        found = self._concerned.get(key)
        if found is None:
            found = []
            for rule in self.rules:
                try:
                    if rule.concerns(action, contract, self.geography):
                        found.append(rule)
                except BaseException as exc:
                    failed = self._failed(rule, "applies_to", exc)
                    if failed is None:
                        raise
                    # Whether it applies is unknown: it does, with an unknown verdict for all.
                    found.append(
                        attrs.evolve(
                            rule,
                            check=functools.partial(_always, failed.verdict),
                            key=_no_key,
                            applies_to=None,
                        )
                    )
            self._concerned[key] = found
        return found

    def _verdict(
        self,
        rule: EligibilityRule,
        person: Person,
        action: Action,
        contract: Contract,
        memo: tuple[str, str, str, object] | None,
    ) -> RuleVerdict:
        facts = RuleInput(
            person=person, action=action, contract=contract, on=self.on, geography=self.geography
        )
        try:
            verdict: object = rule.check(facts)
        except BaseException as exc:
            failed = self._failed(rule, "check", exc)
            if failed is None:
                raise
            judged = failed
        else:
            if isinstance(verdict, Verdict):
                judged = self._judged(rule, verdict)
            else:
                error = self._plugin(rule).error(
                    f"check of rule {rule.name!r}",
                    f"returned {verdict!r:.60} (a {type(verdict).__name__}); expected a Verdict",
                )
                self.manager.record(error)
                judged = self._judged(rule, _unknown_because(error))
        if memo is not None:
            self._verdicts[memo] = judged
        return judged

    def decide(self, person: Person, action: Action, contract: Contract) -> Decision:
        # The hot path of screening: one pass over the rules, no intermediate collections.
        memo = self._verdicts
        contract_id, action_id = contract.id, action.id
        verdicts = []
        not_met = unknown = noted = False
        for rule in self.concerned(action, contract):
            key = rule.key
            judged = seen = None
            if key is not None:
                try:
                    seen = (rule.name, contract_id, action_id, key(person))
                    judged = memo.get(seen)
                except BaseException as exc:  # the key's fault, or an unhashable key
                    judged = self._failed(rule, "key", exc)
                    if judged is None:
                        raise
            if judged is None:
                judged = self._verdict(rule, person, action, contract, seen)
            verdicts.append(judged)
            outcome = judged.verdict.outcome
            if outcome is Outcome.NOT_MET:
                not_met = True
            elif outcome is Outcome.UNKNOWN:
                unknown = True
            if judged.verdict.notes:
                noted = True
        notices: list[Notice] = []
        if noted:
            for judged in verdicts:
                notices.extend(n for n in judged.verdict.notes if n not in notices)
        return Decision(
            person=person.id,
            action=action_id,
            contract=contract_id,
            on=self.on,
            outcome=Eligibility.NOT_ELIGIBLE
            if not_met
            else Eligibility.UNDETERMINED
            if unknown
            else Eligibility.ELIGIBLE,
            verdicts=tuple(verdicts),
            notices=tuple(notices),
        )


def _action_on(action: Action | str, contract: Contract, on: dt.date) -> tuple[Action, Contract]:
    """Return the action and the contract as amended on ``on``."""
    amended = contract.as_of(on)
    action_id = action if isinstance(action, str) else action.id
    found = amended.action(action_id)
    if found is not None:
        return found, amended
    # Not (yet) part of the contract on that date: judge the action as it will be added, so
    # the "action open" rule says why.
    later = next((a for a in contract.all_actions() if a.id == action_id), None)
    if later is None:
        known = [a.id for a in contract.all_actions()]
        raise UnknownActionError(action_id, known, f" in contract {contract.id!r}")
    return later, amended


def _check_arguments(
    on: object, *, person: object = None, contract: object = None, dataset: object = None
) -> None:
    """Refuse, with a message that says what to give, what the engine cannot decide on.

    The Python API does not parse: a date is a ``datetime.date``, a contract a
    :class:`~territoires.Contract` (an id is resolved only where a dataset is given).
    """
    if not is_date(on):
        raise not_a_date("on", on)
    if person is not None and not isinstance(person, Person):
        raise WrongTypeError(
            "person", person, "a territoires.Person (territoires.load_persons() reads a file)"
        )
    if contract is not None and not isinstance(contract, Contract):
        hint = (
            f"a territoires.Contract, not its id: look it up with dataset.contract({contract!r})"
            if isinstance(contract, str)
            else "a territoires.Contract"
        )
        raise WrongTypeError("contract", contract, hint)
    if dataset is not None and not isinstance(dataset, Dataset):
        raise WrongTypeError(
            "dataset", dataset, "a territoires.Dataset (territoires.load(path) reads one)"
        )


def check_eligibility(
    person: Person,
    action: Action | str,
    contract: Contract,
    *,
    on: dt.date,
    plugins: PluginManager | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
) -> Decision:
    """Decide whether ``person`` is eligible to ``action`` of ``contract`` on ``on``, and why.

    Args:
        person: The person.
        action: The action, or its id.
        contract: The contract; it is taken as amended on ``on`` (:meth:`.Contract.as_of`).
        on: The date of the decision.
        plugins: The plugin manager whose rules apply; the default one otherwise.
        geography: The geography for rules about places; the official one by default.

    Returns:
        The decision, with every concerned rule's verdict sorted by rule name.

    Raises:
        UnknownActionError: the contract has no such action (also a ``LookupError``).
        WrongTypeError: ``on`` is not a ``datetime.date`` (a text, say), ``contract`` not a
            :class:`~territoires.Contract` (its id, say: there is no dataset here to look it
            up in) or ``person`` not a :class:`~territoires.Person` (also a ``TypeError``).

    .. versionadded:: 0.1
    """
    _check_arguments(on, person=person, contract=contract)
    manager = plugins if plugins is not None else default_plugin_manager()
    found, amended = _action_on(action, contract, on)
    judge = _Judge(manager, on, resolve_geography(geography))
    return judge.decide(person, found, amended)


@attrs.frozen
class Screening:
    """The decisions of a batch: one per person and open action.

    .. versionadded:: 0.1
    """

    decisions: tuple[Decision, ...]

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.decisions)

    def eligible(self) -> list[Decision]:
        """Return the decisions where the person is eligible."""
        return [d for d in self.decisions if d.eligible]

    def for_person(self, person: str) -> list[Decision]:
        """Return the decisions about person ``person``."""
        return [d for d in self.decisions if d.person == person]

    def table(self) -> list[tuple[str, str, str, str]]:
        """Return rows ``(person, contract, action, outcome)``."""
        return [(d.person, d.contract, d.action, d.outcome.value) for d in self.decisions]


def open_actions(dataset: Dataset, on: dt.date) -> list[tuple[Action, Contract]]:
    """Return the actions open on ``on`` in active contracts, with their contract as amended."""
    found: list[tuple[Action, Contract]] = []
    for contract in dataset.contracts:
        if contract.status(on) is not ContractStatus.ACTIVE:
            continue
        amended = contract.as_of(on)
        found.extend((action, amended) for action in amended.actions if action.is_open(on))
    return found


def iter_screen(
    persons: Iterable[Person],
    dataset: Dataset,
    *,
    on: dt.date,
    actions: Iterable[str] | None = None,
    plugins: PluginManager | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
) -> Iterator[Decision]:
    """Yield the decisions of :func:`screen` one at a time, person by person.

    For batches too large to keep every decision in memory: decisions share the verdicts
    they have in common, but a million decisions still take hundreds of megabytes.

    Raises:
        UnknownActionError: an id of ``actions`` is no action of the dataset.
        WrongTypeError: ``on`` is not a ``datetime.date``, ``dataset`` not a
            :class:`~territoires.Dataset`, or a person not a :class:`~territoires.Person`.

    .. versionadded:: 0.1
    """
    # Checked now, not when the first decision is asked for: a mistake shows where it is made.
    _check_arguments(on, dataset=dataset)
    if isinstance(persons, Person):
        raise WrongTypeError("persons", persons, "a list of persons ([person] for one)")
    manager = plugins if plugins is not None else default_plugin_manager()
    judge = _Judge(manager, on, resolve_geography(geography))
    if actions is None:
        pairs = open_actions(dataset, on)
    else:
        pairs = []
        # One id is a common slip for a list of one.
        for action_id in [actions] if isinstance(actions, str) else actions:
            contract = dataset.contract_of(action_id)
            if contract is None:
                known = [a.id for c in dataset.contracts for a in c.all_actions()]
                raise UnknownActionError(action_id, known, " in the dataset")
            pairs.append(_action_on(action_id, contract, on))
    return _decisions(judge, persons, pairs)


def _decisions(
    judge: _Judge, persons: Iterable[Person], pairs: list[tuple[Action, Contract]]
) -> Iterator[Decision]:
    for person in persons:
        if not isinstance(person, Person):
            raise WrongTypeError("persons", person, "territoires.Person objects")
        for action, contract in pairs:
            yield judge.decide(person, action, contract)


def screen(
    persons: Iterable[Person],
    dataset: Dataset,
    *,
    on: dt.date,
    actions: Iterable[str] | None = None,
    plugins: PluginManager | None = None,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
) -> Screening:
    """Decide for every person against every action open on ``on`` (or the given ones).

    Verdicts that depend on the same facts are computed once (see
    :attr:`.EligibilityRule.key`), so screening scales with the variety of the persons rather
    than their number; :func:`iter_screen` gives the same decisions without keeping them.

    Args:
        persons: The persons to screen.
        dataset: The contracts to screen against.
        on: The date of the decisions.
        actions: Ids of the actions to consider; by default every open action.
        plugins: The plugin manager whose rules apply; the default one otherwise.
        geography: The geography for rules about places; the official one by default.

    Raises:
        UnknownActionError: an id of ``actions`` is no action of the dataset.
        WrongTypeError: ``on`` is not a ``datetime.date``, ``dataset`` not a
            :class:`~territoires.Dataset`, or a person not a :class:`~territoires.Person`.

    .. versionadded:: 0.1
    """
    with paused_gc():
        decisions = tuple(
            iter_screen(
                persons, dataset, on=on, actions=actions, plugins=plugins, geography=geography
            )
        )
    return Screening(decisions)
