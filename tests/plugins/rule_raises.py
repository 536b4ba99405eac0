"""A plugin whose eligibility rule raises on every person."""

from __future__ import annotations

from territoires import EligibilityRule, RuleInput, Source, Verdict, hookimpl

RULE = "69123.quartier"


def in_priority_area(facts: RuleInput) -> Verdict:
    """Fail the way a rule reading a field persons do not have would."""
    raise KeyError("quartier")


@hookimpl
def register_eligibility_rules() -> list[EligibilityRule]:
    """Register the rule that fails."""
    return [
        EligibilityRule(
            name=RULE,
            label_fr="Quartier prioritaire",
            label_en="Priority area",
            source=Source(title="Contrat territorial de Lyon, article 4"),
            check=in_priority_area,
        )
    ]
