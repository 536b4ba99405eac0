"""Eligibility rules: what ``register_eligibility_rules()`` returns.

A rule looks at one person, one action of a contract (as amended on the date) and a date, and
gives a :class:`Verdict`: met, not met, or unknown when a fact it needs is missing. It never
guesses. Its reasons, in French and English, cite the person's own facts.

Example:
    >>> import datetime as dt
    >>> from territoires import Source
    >>> def has_cir(facts: RuleInput) -> Verdict:
    ...     if facts.person.cir_date is None:
    ...         return Verdict.unknown("date de signature du CIR inconnue", "CIR date unknown")
    ...     return Verdict.met(f"CIR signé le {facts.person.cir_date:%d/%m/%Y}",
    ...                        f"CIR signed on {facts.person.cir_date}")
    >>> rule = EligibilityRule(
    ...     name="69123.cir_signe", label_fr="CIR signé", label_en="CIR signed",
    ...     source=Source(title="Contrat territorial de Lyon, article 3"), check=has_cir)
    >>> rule.namespace
    '69123'

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

import attrs

from territoires._enum import LabelledEnum
from territoires._names import check_name, namespace_of
from territoires.measures import _concerns
from territoires.model import _validators as v
from territoires.model.contract import Action, Contract, Source
from territoires.model.dataset import Gazetteer
from territoires.model.person import Person

__all__ = ["EligibilityRule", "Notice", "Outcome", "RuleInput", "Verdict"]


class Outcome(LabelledEnum):
    """What a rule says about a person: met, not met, or unknown (a needed fact is missing)."""

    MET = ("met", "remplie", "met")
    NOT_MET = ("not_met", "non remplie", "not met")
    UNKNOWN = ("unknown", "indéterminée (information manquante)", "unknown (missing facts)")


@attrs.frozen(kw_only=True)
class Notice:
    """Something a reader of a decision should know, in French and English.

    .. versionadded:: 0.1
    """

    text_fr: str = attrs.field(validator=v.text)
    text_en: str = attrs.field(validator=v.text)

    def text(self, lang: str = "fr") -> str:
        """Return the notice in ``lang`` (``"fr"`` or ``"en"``)."""
        return self.text_fr if lang == "fr" else self.text_en


@attrs.frozen(kw_only=True)
class Verdict:
    """The answer of one rule, with its reason in French and English.

    Attributes:
        outcome: Met, not met or unknown.
        reason_fr: Why, in French, citing the person's facts.
        reason_en: Why, in English.
        notes: What a reader should also know (a threshold past its confirmed dates).

    .. versionadded:: 0.1
    """

    outcome: Outcome = attrs.field(validator=v.member_of(Outcome))
    reason_fr: str = attrs.field(validator=v.text)
    reason_en: str = attrs.field(validator=v.text)
    notes: tuple[Notice, ...] = attrs.field(default=(), validator=v.tuple_of(Notice))

    @classmethod
    def met(cls, reason_fr: str, reason_en: str, *notes: Notice) -> Verdict:
        """Return a verdict saying the rule is met."""
        return cls(outcome=Outcome.MET, reason_fr=reason_fr, reason_en=reason_en, notes=notes)

    @classmethod
    def not_met(cls, reason_fr: str, reason_en: str, *notes: Notice) -> Verdict:
        """Return a verdict saying the rule is not met."""
        return cls(outcome=Outcome.NOT_MET, reason_fr=reason_fr, reason_en=reason_en, notes=notes)

    @classmethod
    def unknown(cls, reason_fr: str, reason_en: str, *notes: Notice) -> Verdict:
        """Return a verdict saying a fact the rule needs is missing."""
        return cls(outcome=Outcome.UNKNOWN, reason_fr=reason_fr, reason_en=reason_en, notes=notes)

    def reason(self, lang: str = "fr") -> str:
        """Return the reason in ``lang`` (``"fr"`` or ``"en"``)."""
        return self.reason_fr if lang == "fr" else self.reason_en


@attrs.frozen(kw_only=True)
class RuleInput:
    """What a rule's check receives.

    Attributes:
        person: The person.
        action: The action, as amended on ``on``.
        contract: The contract, as amended on ``on``.
        on: The date of the decision.
        geography: The official geography, for rules about places.

    .. versionadded:: 0.1
    """

    person: Person
    action: Action
    contract: Contract
    on: dt.date
    geography: Gazetteer | None = None


Check = Callable[[RuleInput], Verdict]
AppliesTo = Callable[[Action, Contract], bool]
Key = Callable[[Person], Hashable]


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise v.fail(attribute, value, "a function")


@attrs.frozen(kw_only=True)
class EligibilityRule:
    """A rule of eligibility to actions, registered by a plugin.

    Attributes:
        name: Unique name; a plugin prefixes it with its namespace, usually the code of its
            territory (``69123.moins_de_26_ans``). Built-in rules have no prefix.
        label_fr: Short label in French.
        label_en: Short label in English.
        source: The legal or contractual text the rule applies.
        check: The function giving the verdict for a :class:`RuleInput`.
        applies_to: Which actions the rule concerns, as a function of the action and its
            contract; None for every action.
        territories: References of the territories whose contracts the rule concerns; empty
            for every territory (see :meth:`concerns`).
        replaces: Name of the built-in rule this one replaces, declared explicitly.
        description: What the rule checks, in a sentence or two.
        key: The facts of the person the verdict depends on, for reuse: when screening many
            persons, two persons with equal keys get the same verdict for the same action,
            date and geography, computed once (a rule about the status gives
            ``lambda person: person.status``; one that ignores the person gives
            ``lambda person: None``). None, the default, computes every verdict.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=check_name)
    label_fr: str = attrs.field(validator=v.text)
    label_en: str = attrs.field(validator=v.text)
    source: Source = attrs.field(validator=v.instance(Source))
    check: Check = attrs.field(validator=_callable, eq=False)
    applies_to: AppliesTo | None = attrs.field(
        default=None, validator=v.optional(_callable), eq=False
    )
    territories: frozenset[str] = attrs.field(
        default=frozenset(), validator=v.territory_reference_set
    )
    replaces: str | None = attrs.field(default=None, validator=v.optional(check_name))
    description: str = attrs.field(default="", validator=v.any_text)
    key: Key | None = attrs.field(default=None, validator=v.optional(_callable), eq=False)

    @property
    def namespace(self) -> str | None:
        """The namespace of the name (a territory code for local rules), if any."""
        return namespace_of(self.name)

    def concerns(
        self, action: Action, contract: Contract, geography: Gazetteer | None = None
    ) -> bool:
        """Return True when the rule applies to ``action`` of ``contract``.

        With ``territories``, the contract's territory must be one of them, or lie within one
        of them when a geography is given (a contract of the city of Grenoble is within
        Grenoble-Alpes-Métropole); then ``applies_to`` decides.
        """
        if not _concerns(self.territories, contract, geography):
            return False
        return self.applies_to is None or self.applies_to(action, contract)
