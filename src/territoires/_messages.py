"""The sentences of the command line, in French and English, with their plurals.

Every line the ``territoires`` command writes for people (summaries, "wrote …" lines, refusals,
hints) is a template here, under a key, in both languages: :func:`say` fills it in the
language of ``--lang``. A number given to a template is a :class:`Count`, whose format spec
names the singular and plural forms of the word that follows it: ``{errors:erreur|erreurs}``
writes ``0 erreur``, ``1 erreur``, ``2 erreurs`` in French (where 0 and 1 take the singular)
and ``{errors:error|errors}`` writes ``0 errors``, ``1 error`` in English. A spec without
``|`` writes the number alone; ``{n:|s}`` adds only an ending.

Problems found in the data (``file:record:field: message [code]``) are the library's, with a
stable code for machines; they are not translated here.

Example:
    >>> say("data-errors", "fr", errors=1)
    '1 erreur dans les données'
    >>> say("data-errors", "en", errors=0)
    '0 errors in the data'
"""

from __future__ import annotations

from typing import Final

from territoires._enum import Lang
from territoires.wording import integer, plural

__all__ = ["Count", "say"]


class Count:
    """A number in a sentence: :mod:`territoires.wording` writes it and picks its word's form.

    Args:
        value: The number.
        lang: ``fr`` (0 and 1 singular, thousands separated by a narrow no-break space) or
            ``en``.
    """

    def __init__(self, value: int, lang: Lang) -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        number = integer(self.value, self.lang)
        if "|" not in spec:
            return number + spec
        one, many = spec.split("|", 1)
        word = plural(self.value, one, many, self.lang)
        if not one or not many or not word[:1].isalpha():
            return number + word  # an ending ("{n:|s}"), glued to the number
        return f"{number} {word}"


_CATALOGUE: Final[dict[str, tuple[str, str]]] = {
    # The table of `territoires plugins` (the JSON keeps its English keys and statuses).
    "plugins-plugin": ("Extension", "Plugin"),
    "plugins-distribution": ("Distribution", "Distribution"),
    "plugins-status": ("État", "Status"),
    "plugins-hooks": ("Points d'accroche", "Hooks"),
    "plugins-registers": ("Enregistre", "Registers"),
    "plugin-ok": ("en service", "ok"),
    "plugin-faulty": ("en défaut", "faulty"),
    "plugin-failed": ("non chargée", "failed"),
    # Progress on a terminal (standard error), while a step runs.
    "progress-demo": ("construction du jeu de démonstration", "building the demo dataset"),
    "progress-reading": ("lecture de {path}", "reading {path}"),
    "progress-checking": (
        "contrôle des références, des périodes et des publics",
        "checking references, periods and publics",
    ),
    "progress-generating": (
        "génération du jeu de démonstration ({rows:participation|participations})",
        "generating the demo dataset ({rows:participation|participations})",
    ),
    "progress-writing": ("écriture de {path}", "writing {path}"),
    "progress-indicators": ("calcul des indicateurs", "computing indicators"),
    "progress-screening": (
        "examen de {persons:personne|personnes}",
        "screening {persons:person|persons}",
    ),
    "progress-report": ("calcul du rapport", "computing the report"),
    "progress-subsidies": (
        "lignes de subvention au format SCDL",
        "subsidy rows in the SCDL format",
    ),
    "progress-ledger": ("lecture du registre {path}", "reading the ledger {path}"),
    "progress-recording": (
        "inscription de la publication dans {path}",
        "recording the release in {path}",
    ),
    "progress-auditing": (
        "audit de {tables:tableau|tableaux}",
        "auditing {tables:table|tables}",
    ),
    # key: (French, English)
    "data-errors": (
        "{errors:erreur|erreurs} dans les données",
        "{errors:error|errors} in the data",
    ),
    "invalid-data": (
        "{label} : {errors:erreur|erreurs} dans les données ; rien n'est écrit. Lancez "
        "`territoires validate{path}` pour les lister toutes, ou ajoutez --allow-invalid "
        "pour produire le résultat quand même",
        "{label}: {errors:error|errors} in the data; nothing was written. Run "
        "`territoires validate{path}` to list them all, or add --allow-invalid to produce "
        "the output anyway",
    ),
    "invalid-data-shown": (
        "(les {shown} premières ci-dessous)",
        "(the first {shown} below)",
    ),
    "allowed-invalid": (
        "attention : résultat calculé sur des données comportant {errors:erreur|erreurs} "
        "(--allow-invalid ; territoires validate les liste)",
        "warning: output computed from data with {errors:error|errors} (--allow-invalid; "
        "territoires validate lists them)",
    ),
    "dataset-counts": (
        "{territories:territoire|territoires}, {parties:partie|parties}, "
        "{contracts:contrat|contrats}, {actions:action|actions}, "
        "{participations:participation|participations}, {reports:rapport|rapports}",
        "{territories:territory|territories}, {parties:party|parties}, "
        "{contracts:contract|contracts}, {actions:action|actions}, "
        "{participations:participation|participations}, {reports:report|reports}",
    ),
    "validate-summary": ("{label} : {counts} : {verdict}", "{label}: {counts}: {verdict}"),
    "no-problems": ("aucun problème", "no problems"),
    "problems-found": (
        "{errors:erreur|erreurs}, {warnings:avertissement|avertissements}",
        "{errors:error|errors}, {warnings:warning|warnings}",
    ),
    "synthetic-note": (" (données synthétiques)", " (synthetic data)"),
    "incomplete-checks": (
        " ; incomplet : les contrôles de {plugins:extension|extensions} ont échoué",
        "; incomplete: the checks of {plugins:plugin|plugins} failed",
    ),
    "more-problems": (
        "… et {rest:autre problème|autres problèmes} ({shown:affiché|affichés})",
        "… and {rest:more problem|more problems} ({shown} shown)",
    ),
    "wrote": (
        "écrit : {path} au format {format}{notes}",
        "wrote {path} as {format}{notes}",
    ),
    "wrote-report": ("écrit : {path} ({notes})", "wrote {path} ({notes})"),
    "synthetic": ("données synthétiques", "synthetic data"),
    "form-wrote": (
        "écrit : {path} (formulaire de {operator}, {actions:action|actions})",
        "wrote {path} (form of {operator}, {actions:action|actions})",
    ),
    "collect-wrote": (
        "écrit : {path} ({forms:formulaire lu|formulaires lus} ; {added:ligne ajoutée|lignes "
        "ajoutées}, {replaced:remplacée|remplacées}, {unchanged:inchangée|inchangées})",
        "wrote {path} ({forms:form|forms} read; {added:row|rows} added, {replaced} replaced, "
        "{unchanged} unchanged)",
    ),
    "subsidy-rows": (
        "{rows:subvention|subventions}",
        "{rows:subsidy|subsidies}",
    ),
    "report-details": (
        "{period}, {contracts:contrat|contrats}",
        "{period}, {contracts:contract|contracts}",
    ),
    "participations-left-out": (
        " ; participations laissées de côté (--with-participations pour les inclure)",
        "; participations left out (--with-participations to include them)",
    ),
    "no-certificate-on-stdout": (
        "attention : le certificat de secret statistique n'est pas écrit quand le résultat va "
        "sur la sortie standard ; écrivez dans un fichier (-o FICHIER) pour l'avoir à côté",
        "warning: the disclosure certificate is not written when the output goes to standard "
        "output; write to a file (-o FILE) to have it beside",
    ),
    "folder-output-on-stdout": (
        "le format {format} écrit un dossier, qui ne peut pas aller sur la sortie standard : "
        "donnez un dossier à -o",
        "format {format} writes a folder, which cannot go to standard output: give -o a folder",
    ),
    "missing-folder": (
        "impossible d'écrire {path} : le dossier {folder} n'existe pas (territoires ne crée "
        "pas de dossier ; créez-le d'abord)",
        "cannot write {path}: the folder {folder} does not exist (territoires creates no "
        "folder; create it first)",
    ),
    "stdin-twice": (
        "l'entrée standard (-) ne peut être lue qu'une fois : donnez un fichier pour les autres",
        "standard input (-) can be read once only: give a file for the others",
    ),
    "data-deprecated": (
        "attention : --data est obsolète ; donnez le jeu de données après le fichier des "
        "personnes : territoires eligibility PERSONNES JEU",
        "warning: --data is deprecated; give the dataset after the persons file: "
        "territoires eligibility PERSONS DATASET",
    ),
    "data-twice": (
        "le jeu de données est donné deux fois ({first} et --data {second})",
        "the dataset is given twice ({first} and --data {second})",
    ),
    "demo-summary": (
        "{title}\n{counts}\nÉcrivez-le avec --out DOSSIER (paquet de données) ou --out "
        "FICHIER.json.",
        "{title}\n{counts}\nUse --out DIR (a data package) or --out FILE.json to write it.",
    ),
    "demo-wrote": (
        "écrit : {path} ({participations:participation|participations}, synthétiques)",
        "wrote {path} ({participations:participation|participations}, synthetic)",
    ),
    "new-plugin-wrote": (
        "écrit : {path} ; installez-le avec `pip install -e {path}`, puis `territoires plugins`",
        "wrote {path}: install it with `pip install -e {path}`, then `territoires plugins`",
    ),
    "no-territory-match": (
        "aucun territoire ne correspond à {query!r}{hint}",
        "no territory matches {query!r}{hint}",
    ),
    "did-you-mean": (" ; vouliez-vous dire {names} ?", "; did you mean {names}?"),
    "unknown-territory": (
        "--territory {query!r} : territoire inconnu{hint}",
        "--territory {query!r}: unknown territory{hint}",
    ),
    "no-contract-territory": (
        "--territory {query!r} : aucun contrat du jeu de données ne porte sur ce territoire "
        "ni ne le contient{hint}",
        "--territory {query!r}: no contract of the dataset lies in or around this territory{hint}",
    ),
    "no-contract-there": (
        "--territory {territories} : aucun contrat du jeu de données ne s'y trouve",
        "--territory {territories}: no contract of the dataset lies there",
    ),
    "territory-resolved": (
        "--territory {query!r} : {name} ({reference})",
        "--territory {query!r}: {name} ({reference})",
    ),
    "hidden-decisions": (
        "{hidden:décision non éligible non affichée|décisions non éligibles non affichées} "
        "(--all pour tout voir)",
        "{hidden:not eligible decision|not eligible decisions} not shown (--all shows every one)",
    ),
    "eligible-decisions": (
        "{eligible:décision éligible|décisions éligibles} sur {total}",
        "{eligible:eligible decision|eligible decisions} out of {total}",
    ),
    "no-open-action": ("aucune action ouverte le {date}", "no action open on {date}"),
    "no-plugin": (
        "aucune extension installée (--all liste aussi les extensions intégrées)",
        "no plugin installed (--all lists the built-ins too)",
    ),
    "exposed-by-releases": (
        "attention : {exposed:case masquée reste exposée|cases masquées restent exposées} par "
        "des diffusions antérieures (le certificat donne chaque intervalle) : {shown}",
        "warning: {exposed:suppressed cell remains|suppressed cells remain} exposed by earlier "
        "releases (the certificate gives each interval): {shown}",
    ),
    "and-more": (" ; … et {more} autres", "; … and {more} more"),
    "audit-summary": (
        "{tables:tableau|tableaux}, {cells:case|cases}, {hidden:masquée|masquées} : {verdict}",
        "{tables:table|tables}, {cells:cell|cells}, {hidden} suppressed: {verdict}",
    ),
    "audit-states": (
        "audité comme {states} états des données (chiffres révisés), du plus récent au plus "
        "ancien : {listed}",
        "audited as {states} states of the data (revised figures), newest first: {listed}",
    ),
    "audit-exposed-cell": (
        "{cell} : {why} ; {counts} ; par : {by}",
        "{cell}: {why}; {counts}; by: {by}",
    ),
    "audit-exposed": ("{exposed:exposée|exposées}", "{exposed} exposed"),
    "audit-protected": ("protégées", "protected"),
}


def say(key: str, lang: Lang, /, **values: object) -> str:
    """Return the sentence ``key`` in ``lang``, filled with ``values``.

    Whole numbers among ``values`` become :class:`Count` objects (plurals, thousands).

    Raises:
        KeyError: no sentence has that key (a bug of the command line).
    """
    french, english = _CATALOGUE[key]
    template = french if lang == "fr" else english
    filled = {
        name: Count(value, lang)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in values.items()
    }
    return template.format(**filled)
