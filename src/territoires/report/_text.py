"""The words and numbers of the report, in French and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from territoires._enum import Lang
from territoires._terminal import euros, integer
from territoires._wording import SYNTHETIC_BANNER, date_en, date_fr
from territoires.disclosure import CellStatus
from territoires.measures import Unit
from territoires.model.period import Period

__all__ = [
    "BANNER",
    "CHARTS_MISSING",
    "amount",
    "compact_euros",
    "day",
    "percent",
    "period_label",
    "rank",
    "secret",
    "words",
]

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
    "contracts": ("Contrats et statut", "Contracts and status"),
    "contracts_on": (
        "Statut au {day}, avenants en vigueur compris.",
        "Status on {day}, avenants in force included.",
    ),
    "no_contract": ("Aucun contrat dans le périmètre.", "No contract in scope."),
    "kind": ("Type", "Kind"),
    "territory": ("Territoire", "Territory"),
    "code": ("Code", "Code"),
    "signed": ("Signé le", "Signed on"),
    "contract_period": ("Période (avenants compris)", "Period (avenants included)"),
    "avenants": ("Avenants en vigueur", "Avenants in force"),
    "status": ("Statut", "Status"),
    "not_signed": ("non signé", "not signed"),
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


def rank(number: int, lang: Lang) -> str:
    """Return an ordinal: ``1re``, ``2e`` / ``1st``, ``2nd``."""
    if lang == "fr":
        return "1re" if number == 1 else f"{number}e"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number if number < 20 else number % 10, "th")
    return f"{number}{suffix}"


def day(value: dt.date, lang: Lang) -> str:
    """Return a date as prose writes it: ``1er avril 2024`` / ``1 April 2024``."""
    return date_fr(value) if lang == "fr" else date_en(value)


def period_label(period: Period, lang: Lang) -> str:
    """Return a period as a title says it: ``année 2021``, ``1er semestre 2021``, or its dates."""
    start, end = period.start, period.end
    fr = lang == "fr"
    if end is None:
        return f"depuis le {day(start, lang)}" if fr else f"from {day(start, lang)}"
    if period == Period.year(start.year):
        return f"année {start.year}" if fr else f"year {start.year}"
    for half in (1, 2):
        if period == Period.semester(start.year, half):
            if fr:
                return f"{'1er' if half == 1 else '2e'} semestre {start.year}"
            return f"{'first' if half == 1 else 'second'} half of {start.year}"
    if fr:
        return f"du {day(start, lang)} au {day(end, lang)}"
    return f"{day(start, lang)} to {day(end, lang)}"


def percent(value: Decimal, lang: Lang, digits: int = 1) -> str:
    """Return ``45,3 %`` / ``45.3%`` (``value`` already multiplied by 100)."""
    text = f"{value:.{digits}f}"
    return f"{text.replace('.', ',')} %" if lang == "fr" else f"{text}%"


def amount(value: Decimal, unit: Unit, lang: Lang) -> str:
    """Return a value in its unit: euros, persons, percent, rate per 10,000."""
    if unit is Unit.EUROS:
        return euros(value, lang)
    if unit is Unit.PERCENT:
        return percent(value, lang)
    if unit is Unit.PER_10000:
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang == "fr" else text
    if value == value.to_integral_value():
        return integer(int(value), lang)
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def compact_euros(value: Decimal | float, lang: Lang) -> str:
    """Return an amount for a chart label: ``1,2 M€``, ``152 k€`` / ``€1.2M``, ``€152k``."""
    number = float(value)
    if abs(number) >= 1_000_000:
        text, suffix = f"{number / 1_000_000:.1f}", "M"
    elif abs(number) >= 1_000:
        text, suffix = f"{number / 1_000:.0f}", "k"
    else:
        text, suffix = f"{number:.0f}", ""
    if lang == "fr":
        return f"{text.replace('.', ',')} {suffix}€"
    return f"€{text}{suffix}"


def secret(status: CellStatus, lang: Lang) -> str:
    """Return how a cell that may be suppressed is shown: ``secret``, or ``—``.

    One word for primary and secondary suppression alike: telling them apart would say which
    cells hold fewer persons than the threshold (see :class:`~territoires.disclosure.CellStatus`).
    """
    if status.suppressed:
        return "secret" if lang == "fr" else "suppressed"
    return "—"
