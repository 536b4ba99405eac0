"""The sentences of the report, in French and English (numbers and dates: ``wording``)."""

from __future__ import annotations

from territoires._enum import Lang
from territoires.disclosure import CellStatus
from territoires.wording import SYNTHETIC_BANNER

__all__ = ["BANNER", "CHARTS_MISSING", "secret", "words"]

BANNER: dict[Lang, str] = SYNTHETIC_BANNER
"""The banner every output of a synthetic dataset carries (the same as the command line's)."""

CHARTS_MISSING: dict[Lang, str] = {
    "fr": 'Graphique non disponible : pip install "territoires[report]" ajoute les graphiques.',
    "en": 'Chart not available: pip install "territoires[report]" adds the charts.',
}

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Rapport au comité de pilotage", "Steering committee report"),
    "contents": ("Sommaire", "Contents"),
    "period": ("Période", "Period"),
    "scope": ("Périmètre", "Scope"),
    "all_contracts": ("tous les contrats du jeu de données", "every contract of the dataset"),
    "national": ("Ensemble des contrats", "All contracts"),
    "generated": ("Rapport produit le", "Report produced on"),
    "threshold": ("Secret statistique", "Disclosure control"),
    "threshold_rule": (
        "aucun effectif de moins de {n} personnes n'est publié",
        "no count of fewer than {n} persons is published",
    ),
    "contracts": ("Contrat par contrat", "Contract by contract"),
    "scorecard": ("Tableau de bord des contrats", "Contracts at a glance"),
    "scorecard_intro": (
        "Statut au {day}, avenants en vigueur compris ; budget du contrat tel qu'amendé ; "
        "état des actions à la fin de la période (définitions en fin de rapport).",
        "Status on {day}, avenants in force included; budget of the contract as amended; "
        "state of the actions at the end of the period (definitions at the end).",
    ),
    "on_track": ("Dans la trajectoire", "On track"),
    "behind": ("Très en retard", "Well behind"),
    "without_report": ("Sans compte rendu", "Without report"),
    "not_assessed": ("Non évaluables", "Not assessed"),
    "no_target": ("Sans objectif", "No target"),
    "open_actions": ("Actions ouvertes", "Open actions"),
    "dates_avenants": ("Dates et avenants", "Dates and avenants"),
    "period_as_amended": (
        "Période (avenants compris) : {dates}",
        "Period (avenants included): {dates}",
    ),
    "no_avenant": ("Aucun avenant en vigueur.", "No avenant in force."),
    "avenant_line": ("{title}, en vigueur le {day}", "{title}, in force on {day}"),
    "avenant_signed": (" (signé le {day})", " (signed on {day})"),
    "changes_end": ("fin reportée au {day}", "end moved to {day}"),
    "changes_public": ("public élargi : {publics}", "public widened: {publics}"),
    "changes_funding": ("financements ajoutés : {amount}", "funding added: {amount}"),
    "changes_added": ("actions ajoutées : {actions}", "actions added: {actions}"),
    "changes_closed": ("actions fermées : {actions}", "actions closed: {actions}"),
    "changes_none": ("sans changement chiffré", "no quantified change"),
    "contract_budget": ("Budget par financeur", "Budget by funder"),
    "actions_heading": ("Actions", "Actions"),
    "contract_targets": ("Objectifs du contrat", "The contract's targets"),
    "no_action": ("Aucune action.", "No action."),
    "since_start": ("Depuis le début", "Since the start"),
    "target_kind": ("Objectif pour", "Target for"),
    "kind_period": ("la période", "the period"),
    "kind_action": ("l'action entière", "the whole action"),
    "kind_contract": ("le contrat", "the contract"),
    "progress": ("Avancement", "Progress"),
    "flags": ("Signalements", "Flags"),
    "flag_behind": ("très en retard sur l'objectif proratisé", "well behind the prorated target"),
    "flag_no_report": (
        "aucun compte rendu reçu pour la période",
        "no operator report for the period",
    ),
    "flag_open": (
        "participations encore ouvertes après la fin de l'action",
        "participations still open after the action's end",
    ),
    "bar_label": (
        "{value} sur un objectif de {target} ({share}) ; attendu à la fin de la période : "
        "{prorated}",
        "{value} of a target of {target} ({share}); expected by the end of the period: {prorated}",
    ),
    "rules": ("Règles de lecture", "How to read the report"),
    "rule_window": (
        "Fenêtre d'une action : sa période (avenants compris) à l'intérieur de celle du "
        "contrat, arrêtée la veille de sa fermeture par avenant.",
        "Window of an action: its period (avenants included) within the contract's, ended the "
        "day before an avenant closed it.",
    ),
    "rule_kinds": (
        "Un objectif de la période se compare à la valeur de la période ; un objectif de "
        "l'action entière, à la valeur cumulée depuis le début de l'action jusqu'à la fin de "
        "la période.",
        "A target for the period is compared with the period's value; a target for the whole "
        "action, with the cumulative value from the action's start to the end of the period.",
    ),
    "rule_prorated": (
        "Objectif proratisé : l'objectif multiplié par la part écoulée, à la fin de la période, "
        "de la fenêtre de l'action (de l'année de l'objectif, pour un objectif de la période).",
        "Prorated target: the target times the elapsed share, at the end of the period, of the "
        "action's window (of the target's year, for a target for the period).",
    ),
    "rule_behind": (
        "Très en retard : une valeur inférieure à {share} de l'objectif proratisé. Une valeur "
        "couverte par le secret statistique n'est pas évaluée (le dire en révélerait trop).",
        "Well behind: a value below {share} of the prorated target. A value under statistical "
        "confidentiality is not assessed (saying so would reveal too much).",
    ),
    "rule_no_report": (
        "Sans compte rendu : l'action se déroule pendant la période, son opérateur transmet des "
        "effectifs (ou rien n'a été reçu pour elle) et aucun compte rendu ne couvre ses jours "
        "de la période.",
        "Without report: the action runs during the period, its operator reports counts (or "
        "nothing was received for it) and no report covers its days of the period.",
    ),
    "rule_open": (
        "Participations ouvertes après la fin : la fenêtre de l'action s'est terminée avant la "
        "fin de la période et des participations n'ont pas de date de sortie antérieure.",
        "Open after the end: the action's window ended by the end of the period and some "
        "participations have no exit date before that end.",
    ),
    "data_errors": (
        "Rapport construit à partir de données comportant {errors} : ses chiffres ne sont pas "
        "fiables. Lancez territoires validate.",
        "Report built from data with {errors}: its figures cannot be trusted. Run territoires "
        "validate.",
    ),
    "contracts_on": (
        "Statut au {day}, avenants en vigueur compris.",
        "Status on {day}, avenants in force included.",
    ),
    "no_contract": ("Aucun contrat dans le périmètre.", "No contract in scope."),
    "kind": ("Type", "Kind"),
    "territory": ("Territoire", "Territory"),
    "code": ("Code", "Code"),
    "signed": ("Signature", "Signed"),
    "contract_period": ("Période (avenants compris)", "Period (avenants included)"),
    "avenants": ("Avenants en vigueur", "Avenants in force"),
    "status": ("Statut", "Status"),
    "not_signed": ("non signé", "not signed"),
    "signing_day_unknown": ("jour de signature non publié", "signing day not published"),
    "approximate": ("approximatif", "approximate"),
    "prolonged": ("prolongé par avenant", "prolonged by an avenant"),
    "cohorts": ("Cohortes de contrats", "Cohorts of contracts"),
    "cohorts_caption": (
        "Contrats par année de signature (année de début s'ils ne sont pas signés)",
        "Contracts by year of signature (year of start when not signed)",
    ),
    "year": ("Année", "Year"),
    "cohort_n": ("{rank} cohorte", "{rank} cohort"),
    "count_contracts": ("Contrats", "Contracts"),
    "territories": ("Territoires", "Territories"),
    "budget": ("Budget par thème et par financeur", "Budget by theme and by funder"),
    "budget_intro": (
        "Euros des lignes de financement des années de la période ; « engagé » et « dépensé » "
        "sont des montants, jamais soumis au secret statistique.",
        "Euros of the funding lines of the period's years; committed and spent are amounts, "
        "never subject to disclosure control.",
    ),
    "by_theme": ("Par thème", "By theme"),
    "by_funder": ("Par financeur", "By funder"),
    "theme": ("Thème", "Theme"),
    "funder": ("Financeur", "Funder"),
    "committed": ("Engagé", "Committed"),
    "spent": ("Dépensé", "Spent"),
    "share": ("Part de l'engagé", "Share of committed"),
    "cofunding": ("Cofinancement de la collectivité", "Local authority co-funding"),
    "total": ("Total", "Total"),
    "no_budget": ("Aucune ligne de financement sur la période.", "No funding line in the period."),
    "spent_unknown": ("non connu", "not known"),
    "targets": ("Indicateurs et objectifs", "Indicators against targets"),
    "targets_intro": (
        "Valeur de la période rapportée à l'objectif de l'action.",
        "The period's value against the action's target.",
    ),
    "no_targets": (
        "Aucun objectif chiffré ne s'applique à la période.",
        "No quantified target applies to the period.",
    ),
    "action": ("Action", "Action"),
    "indicator": ("Indicateur", "Indicator"),
    "value": ("Valeur", "Value"),
    "target": ("Objectif", "Target"),
    "achievement": ("Réalisation", "Achievement"),
    "beneficiaries": ("Bénéficiaires", "Beneficiaries"),
    "beneficiaries_intro": (
        "Personnes distinctes présentes dans les actions pendant la période, et effectifs "
        "déclarés par les opérateurs qui ne transmettent pas de données individuelles.",
        "Distinct persons present in the actions during the period, and counts reported by the "
        "operators that share no individual data.",
    ),
    "category": ("Catégorie", "Category"),
    "no_beneficiaries": ("Aucun bénéficiaire sur la période.", "No beneficiary in the period."),
    "secret_legend": ("Légende du secret statistique", "Disclosure control legend"),
    "secret_meaning": (
        "secret statistique : un effectif de moins de {n} personnes, ou une case masquée pour "
        "qu'un tel effectif ne puisse pas être recalculé à partir des totaux ; les deux ne sont "
        "pas distingués, ce qui en dirait trop.",
        "statistical confidentiality: fewer than {n} persons, or a cell hidden so that such a "
        "count cannot be recomputed from the totals; the two are not told apart, which would "
        "say too much.",
    ),
    "audit_protected": (
        "Contrôle du secret : les {cells} cases de cette publication{against} ont été vérifiées "
        "ensemble, comme le ferait quelqu'un qui résout toutes leurs équations à la fois "
        "(solveur {solver}) : aucune des {hidden} cases secrètes ne peut être recalculée, ni "
        "située entre 1 et {small} personnes.{more}",
        "Disclosure check: the {cells} cells of this publication{against} were checked "
        "together, as someone solving all their equations at once would ({solver}): none of "
        "the {hidden} suppressed cells can be recomputed, nor placed between 1 and {small} "
        "persons.{more}",
    ),
    "audit_exposed": (
        "Contrôle du secret : {exposed} des {hidden} cases secrètes de cette publication "
        "restent exposées (recalculables ou situées entre 1 et {small} personnes), à cause de "
        "diffusions précédentes : {cells_list}. Le certificat joint donne le détail.",
        "Disclosure check: {exposed} of the {hidden} suppressed cells of this publication "
        "remain exposed (recomputable, or placed between 1 and {small} persons) because of "
        "earlier releases: {cells_list}. The attached certificate gives the details.",
    ),
    "audit_against": (
        " et des {releases} diffusions précédentes du registre",
        " and of the {releases} earlier releases in the ledger",
    ),
    "audit_more": (
        " Pour cela, {withheld} cases ont été masquées en plus des règles d'un seul tableau.",
        " To that end, {withheld} cells were suppressed beyond the rules of a single table.",
    ),
    "secret_chart": (
        "Dans les graphiques, une case secrète n'a pas de barre : elle est marquée « secret ».",
        "In the charts, a suppressed cell has no bar: it is marked “suppressed”.",
    ),
    "steering": ("Prochains comités de pilotage", "Next steering committees"),
    "steering_intro": (
        "Dates suivant la fin de la période, selon le calendrier de chaque contrat.",
        "Dates after the end of the period, from each contract's calendar.",
    ),
    "next_dates": ("Prochaines dates", "Next dates"),
    "none_after": (
        "aucune : le contrat se termine le {day}",
        "none: the contract ends on {day}",
    ),
    "none_calendar": ("aucune", "none"),
    "provenance": ("Provenance", "Provenance"),
    "dataset": ("Jeu de données", "Dataset"),
    "description": ("Description", "Description"),
    "licence": ("Licence", "Licence"),
    "created": ("Produit le", "Produced on"),
    "sources": ("Sources", "Sources"),
    "software": ("Logiciel", "Software"),
    "definitions": ("Définitions des indicateurs", "Definitions of the indicators"),
    "synthetic_note": (
        "Données synthétiques : ce rapport ne décrit ni des personnes ni des actions réelles.",
        "Synthetic data: this report describes no real person and no real action.",
    ),
    "real_note": ("Données déclarées par les signataires.", "Data declared by the signatories."),
    "offline": (
        "Ce fichier est autonome : il ne charge aucune ressource extérieure.",
        "This file is self-contained: it loads no external resource.",
    ),
    "chart_budget_theme": (
        "Montants engagés et dépensés par thème",
        "Amounts committed and spent by theme",
    ),
    "chart_budget_funder": (
        "Montants engagés et dépensés par financeur",
        "Amounts committed and spent by funder",
    ),
    "chart_beneficiaries": (
        "Bénéficiaires par catégorie de public, sexe et tranche d'âge",
        "Beneficiaries by public category, sex and age band",
    ),
}


def words(key: str, lang: Lang, **values: object) -> str:
    """Return the sentence ``key`` in ``lang``, its ``{placeholders}`` filled."""
    fr, en = _WORDS[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text


def secret(status: CellStatus, lang: Lang) -> str:
    """Return how a cell that may be suppressed is shown: ``secret``, or ``—``.

    One word for primary and secondary suppression alike: telling them apart would say which
    cells hold fewer persons than the threshold (see :class:`~territoires.disclosure.CellStatus`).
    """
    if status.suppressed:
        return "secret" if lang == "fr" else "suppressed"
    return "—"
