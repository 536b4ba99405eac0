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
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

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

    def decide_rule(
        self, rule: EligibilityRule, person: Person, action: Action, contract: Contract
    ) -> RuleVerdict:
        """The verdict of one rule, reused for persons of the same key."""
        key = rule.key
        judged = seen = None
        if key is not None:
            try:
                seen = (rule.name, contract.id, action.id, key(person))
                judged = self._verdicts.get(seen)
            except BaseException as exc:  # the key's fault, or an unhashable key
                judged = self._failed(rule, "key", exc)
                if judged is None:
                    raise
        if judged is None:
            judged = self._verdict(rule, person, action, contract, seen)
        return judged

    def decision(
        self, person: Person, action: Action, contract: Contract, verdicts: list[RuleVerdict]
    ) -> Decision:
        """The decision the verdicts of the rules that concern the action make."""
        not_met = unknown = noted = False
        for judged in verdicts:
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
            action=action.id,
            contract=contract.id,
            on=self.on,
            outcome=Eligibility.NOT_ELIGIBLE
            if not_met
            else Eligibility.UNDETERMINED
            if unknown
            else Eligibility.ELIGIBLE,
            verdicts=tuple(verdicts),
            notices=tuple(notices),
        )

    def decide(self, person: Person, action: Action, contract: Contract) -> Decision:
        """The decision about one person and one action (the reference of the columns)."""
        verdicts = [
            self.decide_rule(rule, person, action, contract)
            for rule in self.concerned(action, contract)
        ]
        return self.decision(person, action, contract, verdicts)


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


_MET, _UNKNOWN, _NOT_MET = 0, 1, 2
"""Outcome codes, in the order in which they combine (the largest wins)."""
_OUTCOME_CODE: Final = {Outcome.MET: _MET, Outcome.UNKNOWN: _UNKNOWN, Outcome.NOT_MET: _NOT_MET}
_ELIGIBILITY: Final = (Eligibility.ELIGIBLE, Eligibility.UNDETERMINED, Eligibility.NOT_ELIGIBLE)


class Screening:
    """The decisions of a batch: one per person and open action, person by person.

    Screening computes every rule once per action and per distinct value of its
    :attr:`~territoires.EligibilityRule.key` among the persons, then combines the outcomes
    over whole columns (:attr:`outcomes`). A :class:`Decision`, with every rule's verdict and
    reasons, is built when you reach it (iteration, :meth:`decision`, :attr:`decisions`): the
    same decision :func:`iter_screen` gives for that person and action.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       Outcomes as an array (:attr:`outcomes`, :meth:`counts`), decisions built on demand.
    """

    __slots__ = ("_decisions", "_explain", "_pairs", "_persons", "outcomes")

    def __init__(
        self,
        decisions: Iterable[Decision] | None = None,
        *,
        outcomes: npt.NDArray[np.int8] | None = None,
        persons: Sequence[str] = (),
        pairs: Sequence[tuple[str, str]] = (),
        explain: Callable[[int, int], Decision] | None = None,
    ) -> None:
        self._decisions = None if decisions is None else tuple(decisions)
        self._persons = tuple(persons)
        self._pairs = tuple(pairs)
        self._explain = explain
        if outcomes is None:
            known = self._decisions or ()
            codes = [_ELIGIBILITY.index(d.outcome) for d in known]
            outcomes = np.array(codes, dtype=np.int8).reshape(len(codes), 1 if codes else 0)
        self.outcomes: npt.NDArray[np.int8] = outcomes
        """The outcome of each person (a row) and action (a column), coded 0 for eligible,
        1 for undetermined and 2 for not eligible; an empty array without persons or actions,
        and one column for decisions given as objects."""

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """Every decision, person by person and, for each, action by action (built once)."""
        if self._decisions is None:
            self._decisions = tuple(self)
        return self._decisions

    def decision(self, person: int, action: int) -> Decision:
        """Return the decision about the ``person``-th person and the ``action``-th action."""
        if self._explain is None:
            assert self._decisions is not None
            found: Decision = self._decisions[person * self.outcomes.shape[1] + action]
            return found
        return self._explain(person, action)

    def __iter__(self) -> Iterator[Decision]:
        if self._decisions is not None:
            return iter(self._decisions)
        rows, columns = self.outcomes.shape
        return (self.decision(i, j) for i in range(rows) for j in range(columns))

    def __len__(self) -> int:
        if self._decisions is not None:
            return len(self._decisions)
        return int(self.outcomes.size)

    def counts(self) -> dict[Eligibility, int]:
        """Return how many decisions have each outcome (no decision is built)."""
        found = np.bincount(self.outcomes.reshape(-1), minlength=3).tolist()
        return {eligibility: found[code] for code, eligibility in enumerate(_ELIGIBILITY)}

    def eligible(self) -> list[Decision]:
        """Return the decisions where the person is eligible."""
        if self._decisions is not None:
            return [d for d in self._decisions if d.eligible]
        rows, columns = np.nonzero(self.outcomes == 0)
        return [self.decision(i, j) for i, j in zip(rows.tolist(), columns.tolist(), strict=True)]

    def for_person(self, person: str) -> list[Decision]:
        """Return the decisions about person ``person``."""
        if self._decisions is not None:
            return [d for d in self._decisions if d.person == person]
        columns = range(self.outcomes.shape[1])
        return [
            self.decision(i, j)
            for i, seen in enumerate(self._persons)
            if seen == person
            for j in columns
        ]

    def table(self) -> list[tuple[str, str, str, str]]:
        """Return rows ``(person, contract, action, outcome)``."""
        if self._decisions is not None:
            return [(d.person, d.contract, d.action, d.outcome.value) for d in self._decisions]
        values = [eligibility.value for eligibility in _ELIGIBILITY]
        return [
            (person, contract, action, values[code])
            for person, row in zip(self._persons, self.outcomes.tolist(), strict=True)
            for (contract, action), code in zip(self._pairs, row, strict=True)
        ]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Screening):
            return NotImplemented
        return self.decisions == other.decisions

    def __hash__(self) -> int:
        return hash(self.decisions)

    def __repr__(self) -> str:
        return f"<Screening of {len(self):,} decisions>"


class _Columns:
    """Screening over whole columns: each rule once per action and distinct key.

    For each rule with a :attr:`~territoires.EligibilityRule.key`, the key of every person
    is computed once (not once per action) and coded; the verdict of each action and code is
    the one :class:`_Judge` gives the first person with that key (the same memo, filled in
    the same order). A rule without a key, or whose key fails for some person, is checked
    person by person, as :func:`iter_screen` does. Outcomes then combine as arrays.
    """

    def __init__(
        self, judge: _Judge, persons: Sequence[Person], pairs: list[tuple[Action, Contract]]
    ) -> None:
        self.judge = judge
        self.persons = persons
        self.pairs = pairs
        self.keys: dict[str, tuple[npt.NDArray[np.intp], list[int]] | None] = {}
        # (rule, pair) -> verdicts by key code, or by person when the rule has no usable key
        self.verdicts: dict[tuple[str, int], list[RuleVerdict]] = {}

    def _coded(self, rule: EligibilityRule) -> tuple[npt.NDArray[np.intp], list[int]] | None:
        """Each person's key code and, by code, the first person with it (None: no key)."""
        if rule.name in self.keys:
            return self.keys[rule.name]
        found: tuple[npt.NDArray[np.intp], list[int]] | None = None
        key = rule.key
        if key is not None:
            try:
                codes: dict[object, int] = {}
                first: list[int] = []
                numbers = []
                for index, person in enumerate(self.persons):
                    value = key(person)
                    code = codes.get(value)
                    if code is None:
                        code = codes[value] = len(first)
                        first.append(index)
                    numbers.append(code)
                found = (np.array(numbers, dtype=np.intp), first)
            except Exception:
                found = None
        self.keys[rule.name] = found
        return found

    def outcomes(self) -> npt.NDArray[np.int8]:
        result = np.zeros((len(self.persons), len(self.pairs)), dtype=np.int8)
        for column, (action, contract) in enumerate(self.pairs):
            for rule in self.judge.concerned(action, contract):
                coded = self._coded(rule)
                # Without a usable key every person is judged; with one, a person per key.
                judging = range(len(self.persons)) if coded is None else coded[1]
                judged = [
                    self.judge.decide_rule(rule, self.persons[i], action, contract) for i in judging
                ]
                codes = np.array([_OUTCOME_CODE[j.outcome] for j in judged], dtype=np.int8)
                if coded is not None:
                    codes = codes[coded[0]]
                self.verdicts[rule.name, column] = judged
                np.maximum(result[:, column], codes, out=result[:, column])
        return result

    def explain(self, person: int, column: int) -> Decision:
        """The decision about one person and one action, from the verdicts computed."""
        action, contract = self.pairs[column]
        verdicts = []
        for rule in self.judge.concerned(action, contract):
            judged = self.verdicts[rule.name, column]
            coded = self.keys.get(rule.name)
            verdicts.append(judged[person] if coded is None else judged[int(coded[0][person])])
        return self.judge.decision(self.persons[person], action, contract, verdicts)


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
    judge, pairs = _screening(persons, dataset, on, actions, plugins, geography)
    return _decisions(judge, persons, pairs)


def _screening(
    persons: Iterable[Person],
    dataset: Dataset,
    on: dt.date,
    actions: Iterable[str] | None,
    plugins: PluginManager | None,
    geography: Gazetteer | _Official | None,
) -> tuple[_Judge, list[tuple[Action, Contract]]]:
    """Check the arguments of a screening; return its judge and the actions to screen."""
    _check_arguments(on, dataset=dataset)
    if isinstance(persons, Person):
        raise WrongTypeError("persons", persons, "a list of persons ([person] for one)")
    manager = plugins if plugins is not None else default_plugin_manager()
    judge = _Judge(manager, on, resolve_geography(geography))
    return judge, _pairs(dataset, on, actions)


def _pairs(
    dataset: Dataset, on: dt.date, actions: Iterable[str] | None
) -> list[tuple[Action, Contract]]:
    """The actions to screen against, with their contracts as amended on ``on``."""
    if actions is None:
        return open_actions(dataset, on)
    pairs = []
    # One id is a common slip for a list of one.
    for action_id in [actions] if isinstance(actions, str) else actions:
        contract = dataset.contract_of(action_id)
        if contract is None:
            known = [a.id for c in dataset.contracts for a in c.all_actions()]
            raise UnknownActionError(action_id, known, " in the dataset")
        pairs.append(_action_on(action_id, contract, on))
    return pairs


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
    judge, pairs = _screening(persons, dataset, on, actions, plugins, geography)
    chosen = list(persons)
    for person in chosen:
        if not isinstance(person, Person):
            raise WrongTypeError("persons", person, "territoires.Person objects")
    columns = _Columns(judge, chosen, pairs)
    with paused_gc():
        outcomes = columns.outcomes()
    return Screening(
        outcomes=outcomes,
        persons=[person.id for person in chosen],
        pairs=[(contract.id, action.id) for action, contract in pairs],
        explain=columns.explain,
    )
