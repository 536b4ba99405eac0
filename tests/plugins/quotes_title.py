"""An innocent plugin for Brest (29019) whose rule quotes the action's title in its reasons.

The title comes from the data: a hostile one reaches the decisions' CSV through the reasons.
"""

from territoires import EligibilityRule, RuleInput, Source, Verdict, hookimpl


def quotes_title(facts: RuleInput) -> Verdict:
    """Always met, saying which action the decision is about."""
    title = facts.action.title
    return Verdict.met(f"action « {title} »", f"action “{title}”")


@hookimpl
def register_eligibility_rules() -> list[EligibilityRule]:
    """Register the rule."""
    return [
        EligibilityRule(
            name="29019.intitule",
            label_fr="Intitulé de l'action",
            label_en="Title of the action",
            source=Source(title="Contrat territorial de Brest"),
            check=quotes_title,
        )
    ]
