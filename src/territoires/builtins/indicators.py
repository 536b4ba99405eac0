"""Built-in plugin: the national set of indicators, each with its definition.

Periods: a participation counts only within its action's window (the action's period as
amended, within the contract's, ended by a closure): it is *present* in a period when the days
from its entry to its exit (or to the window's end) that lie in the window share a day with the
period; an *exit* in a period is a participation whose exit date lies in the period and in the
window (see :class:`~territoires.IndicatorInput`). An action runs in a period when its window
shares a day with it; an operator's report counts when it lies within the period and shares a
day with its action's window. Budget lines are annual: a period counts the lines of every year
it touches. Sources for the definitions: the AGIR programme's published outcomes and the
reporting dimensions of the public sources (each indicator's ``source``).
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from territoires.hookspecs import hookimpl
from territoires.measures import (
    Aggregation,
    Calculator,
    Dimension,
    Granularity,
    Indicator,
    IndicatorInput,
    PerCapita,
    Persons,
    PersonsRatio,
    Ratio,
    ShareOf,
    Total,
    Unit,
)
from territoires.model.columns import Coded
from territoires.model.contract import Source
from territoires.model.enums import AdministrativeStatus, AgeBand, FundingSource, Sex
from territoires.model.period import Period

__all__ = ["INDICATORS", "REFERENCE", "register_indicators"]

_AGIR = Source(
    title="Programme AGIR : sorties en emploi durable, formation qualifiante ou logement",
    url="https://immigration.interieur.gouv.fr/Integration-et-Acces-a-la-nationalite/Lancement-d-AGIR-programme-d-accompagnement-vers-l-emploi-et-le-logement",
    note="exit criteria: CDI, CDD of 6 months or more, qualifying training; durable housing",
)
_REPORTING = Source(
    title="Dimensions of reporting seen in the public sources (AGIR studies, contracts' reports)",
    note="beneficiaries by sex, status and age band; € committed per year",
)
_NONE = "none"  # the category of statuses outside every public (excluded statuses)
_UNDER_26 = frozenset({AgeBand.UNDER_18, AgeBand.FROM_18_TO_25})
_KNOWN_SEX = frozenset({Sex.FEMALE, Sex.MALE})
_DURABLE = operator.attrgetter("is_durable")
_RANK = operator.attrgetter("rank")


def _years(period: Period) -> range:
    end = period.end.year if period.end is not None else 9999
    return range(period.start.year, end + 1)


# -- calculators --------------------------------------------------------------------------------


def _contracts(facts: IndicatorInput) -> Mapping[tuple[str, ...], Total]:
    contract = facts.contract
    on = facts.period.end or facts.period.start
    return {(contract.kind.value, contract.status(on).value): Total(Decimal(1))}


def _actions(facts: IndicatorInput) -> Mapping[tuple[str, ...], Total]:
    counted: dict[tuple[str, ...], Total] = {}
    for action in facts.actions:
        window = facts.windows.get(action.id)
        if window is not None and window.overlaps(facts.period):
            key = (action.theme.value,)
            counted[key] = counted.get(key, Total(Decimal(0))).merge(Total(Decimal(1)))
    return counted


def _money(spent: bool) -> Calculator:
    def money(facts: IndicatorInput) -> Mapping[tuple[str, ...], Total]:
        years = _years(facts.period)
        sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
        for action in facts.actions:
            for line in action.funding:
                if line.year not in years:
                    continue
                amount = line.spent if spent else line.committed
                if amount is not None:
                    sums[action.theme.value, line.source.value] += amount
        return {key: Total(amount) for key, amount in sums.items()}

    return money


def _cofunding(facts: IndicatorInput) -> Mapping[tuple[str, ...], Ratio]:
    years = _years(facts.period)
    local: dict[str, Decimal] = defaultdict(Decimal)
    total: dict[str, Decimal] = defaultdict(Decimal)
    for action in facts.actions:
        for line in action.funding:
            if line.year in years:
                total[action.theme.value] += line.committed
                if line.source is FundingSource.COLLECTIVITE:
                    local[action.theme.value] += line.committed
    return {
        (theme,): Ratio(numerator=local[theme], denominator=amount)
        for theme, amount in total.items()
    }


def _beneficiaries_rows(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    # Keys are enumeration members while scanning (no per-row .value lookup), texts after.
    groups: dict[tuple[AdministrativeStatus, Sex, AgeBand], set[str]] = defaultdict(set)
    for row in facts.present:
        groups[row.status, row.sex, row.age_band].add(row.person)
    merged: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for (status, sex, band), ids in groups.items():
        category = status.public_category
        merged[category.value if category else _NONE, sex.value, band.value] |= ids
    return {key: Persons(frozenset(ids)) for key, ids in merged.items()}


def _share_women_rows(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    known = [row for row in facts.present if row.sex in _KNOWN_SEX]
    women = {row.person for row in known if row.sex is Sex.FEMALE}
    return _ratio(women, {row.person for row in known})


def _share_under_26_rows(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    known = [row for row in facts.present if row.age_band is not AgeBand.UNKNOWN]
    young = {row.person for row in known if row.age_band in _UNDER_26}
    return _ratio(young, {row.person for row in known})


def _ratio(numerator: set[str], denominator: set[str]) -> Mapping[tuple[str, ...], PersonsRatio]:
    if not denominator:
        return {}
    return {(): PersonsRatio(numerator=frozenset(numerator), denominator=frozenset(denominator))}


def _exit_rate_rows(outcome: str) -> Calculator:
    def rate(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
        numerator: dict[Sex, set[str]] = defaultdict(set)
        denominator: dict[Sex, set[str]] = defaultdict(set)
        for row in facts.exits:
            result = getattr(row, outcome)
            if result is None:
                continue
            denominator[row.sex].add(row.person)
            if result.is_durable:
                numerator[row.sex].add(row.person)
        return {
            (sex.value,): PersonsRatio(
                numerator=frozenset(numerator[sex]), denominator=frozenset(persons)
            )
            for sex, persons in denominator.items()
        }

    return rate


def _french_progress_rows(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    assessed = [
        row for row in facts.exits if row.french_entry is not None and row.french_exit is not None
    ]
    progressed = {
        row.person
        for row in assessed
        if row.french_exit is not None
        and row.french_entry is not None
        and row.french_exit.rank > row.french_entry.rank
    }
    return _ratio(progressed, {row.person for row in assessed})


def _per_capita(
    facts: IndicatorInput, persons: Callable[[], frozenset[str]]
) -> Mapping[tuple[str, ...], PerCapita]:
    """The persons of the table over the population of the contract's territory, if known."""
    territory = facts.contract.territory
    population = None
    if facts.geography is not None:
        official = facts.geography.lookup(territory)
        population = official.population if official is not None else None
    if not population:
        return {}
    return {(): PerCapita(persons=persons(), populations=frozenset({(territory, population)}))}


def _per_10000_rows(facts: IndicatorInput) -> Mapping[tuple[str, ...], PerCapita]:
    return _per_capita(facts, lambda: frozenset(row.person for row in facts.present))


def _reported(facts: IndicatorInput) -> Mapping[tuple[str, ...], Total]:
    if facts.participations:
        return {}  # individual rows exist: counted by beneficiaries, never twice
    period = facts.period
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for report in facts.reports:
        window = facts.windows.get(report.action)
        if (
            window is not None
            and window.overlaps(report.period)
            and report.period.start >= period.start
            and (
                period.end is None
                or (report.period.end is not None and report.period.end <= period.end)
            )
        ):
            for cell in report.counts:
                counts[cell.category.value, cell.sex.value, cell.age_band.value] += cell.count
    return {key: Total(Decimal(count)) for key, count in counts.items()}


# -- the same calculators on columns --------------------------------------------------------------
# What the engine runs: each reads the columns of the rows present (or exiting), and groups
# persons by codes in NumPy. The functions above, on objects, are the reference the tests
# compare these with (identical partial aggregates on random datasets).


def _persons_by(
    persons: npt.NDArray[np.object_], keys: npt.NDArray[Any]
) -> dict[int, frozenset[str]]:
    """The distinct persons of each key (keys: one small integer per row)."""
    if not len(keys):
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], cuts)).tolist()
    groups = np.split(persons[order], cuts)
    return {
        int(ordered[start]): frozenset(group.tolist())
        for start, group in zip(starts, groups, strict=True)
    }


def _beneficiaries(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    columns = facts.present_columns
    status, sex, band = columns.status, columns.sex, columns.age_band
    categories = sorted({_category(v) for v in status.values if v is not None})
    category = status.lookup(lambda v: categories.index(_category(v)), 0, dtype=None)
    width_sex, width_band = len(sex.values), len(band.values)
    keys = (category[status.codes] * width_sex + sex.codes) * width_band + band.codes
    found: dict[tuple[str, ...], Persons] = {}
    for key, persons in _persons_by(columns.person, keys).items():
        rest, band_code = divmod(key, width_band)
        category_code, sex_code = divmod(rest, width_sex)
        found[
            categories[category_code], sex.values[sex_code].value, band.values[band_code].value
        ] = Persons(persons)
    return found


def _category(status: AdministrativeStatus) -> str:
    category = status.public_category
    return category.value if category else _NONE


def _persons_ratio(
    persons: npt.NDArray[np.object_], among: npt.NDArray[np.bool_], within: npt.NDArray[np.bool_]
) -> Mapping[tuple[str, ...], PersonsRatio]:
    denominator = frozenset(persons[among].tolist())
    if not denominator:
        return {}
    numerator = frozenset(persons[among & within].tolist())
    return {(): PersonsRatio(numerator=numerator, denominator=denominator)}


def _share_women(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    columns = facts.present_columns
    sex = columns.sex
    return _persons_ratio(columns.person, sex.mask(_KNOWN_SEX), sex.mask([Sex.FEMALE]))


def _share_under_26(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    columns = facts.present_columns
    band = columns.age_band
    known = band.mask(b for b in AgeBand if b is not AgeBand.UNKNOWN)
    return _persons_ratio(columns.person, known, band.mask(_UNDER_26))


def _exit_rate(outcome: str) -> Calculator:
    def rate(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
        columns = facts.exit_columns
        result: Coded = getattr(columns, outcome)
        recorded = result.codes != 0
        durable = result.lookup(_DURABLE, False, dtype=None)[result.codes]
        sex = columns.sex
        found: dict[tuple[str, ...], PersonsRatio] = {}
        for code in np.unique(sex.codes[recorded]).tolist():
            among = recorded & (sex.codes == code)
            found[(sex.values[code].value,)] = PersonsRatio(
                numerator=frozenset(columns.person[among & durable].tolist()),
                denominator=frozenset(columns.person[among].tolist()),
            )
        return found

    return rate


def _french_progress(facts: IndicatorInput) -> Mapping[tuple[str, ...], PersonsRatio]:
    columns = facts.exit_columns
    entry, exit_ = columns.french_entry, columns.french_exit
    assessed = (entry.codes != 0) & (exit_.codes != 0)
    rank_entry = entry.lookup(_RANK, -1, dtype=None)[entry.codes]
    rank_exit = exit_.lookup(_RANK, -1, dtype=None)[exit_.codes]
    return _persons_ratio(columns.person, assessed, rank_exit > rank_entry)


def _per_10000(facts: IndicatorInput) -> Mapping[tuple[str, ...], PerCapita]:
    return _per_capita(facts, lambda: frozenset(facts.present_columns.person.tolist()))


def _rate(
    name: str,
    label_fr: str,
    label_en: str,
    compute: Calculator,
    description_en: str,
    description_fr: str,
    dimensions: tuple[Dimension, ...] = (),
    source: Source | None = None,
    share_of: ShareOf | None = None,
) -> Indicator:
    return Indicator(
        name=name,
        label_fr=label_fr,
        label_en=label_en,
        unit=Unit.PERCENT,
        over_time=Aggregation.RATIO_OF_SUMS,
        over_territory=Aggregation.RATIO_OF_SUMS,
        counts_persons=True,
        compute=compute,
        dimensions=dimensions,
        description_fr=description_fr,
        description_en=description_en,
        source=source or _REPORTING,
        share_of=share_of,
    )


_PERSONS_BY = (Dimension.PUBLIC_CATEGORY, Dimension.SEX, Dimension.AGE_BAND)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        name="contracts",
        label_fr="Contrats",
        label_en="Contracts",
        unit=Unit.COUNT,
        over_time=Aggregation.LAST,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=_contracts,
        dimensions=(Dimension.CONTRACT_KIND, Dimension.CONTRACT_STATUS),
        granularity=Granularity.CONTRACT,
        description_fr="Nombre de contrats, par type et par statut à la fin de la période "
        "(avenants compris).",
        description_en="Number of contracts, by kind and by status at the end of the period "
        "(avenants included).",
    ),
    Indicator(
        name="actions",
        label_fr="Actions",
        label_en="Actions",
        unit=Unit.COUNT,
        over_time=Aggregation.DISTINCT_COUNT,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=_actions,
        dimensions=(Dimension.THEME,),
        description_fr="Actions qui se déroulent pendant la période, par thème : leur période "
        "(avenants compris), dans celle du contrat et avant leur clôture éventuelle, a au moins "
        "un jour dans la période.",
        description_en="Actions running during the period, by theme: their period (as "
        "amended), within the contract's and before their closure if any, shares at least one "
        "day with the period.",
    ),
    Indicator(
        name="committed_euros",
        label_fr="Montants engagés",
        label_en="Amounts committed",
        unit=Unit.EUROS,
        over_time=Aggregation.SUM,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=_money(spent=False),
        dimensions=(Dimension.THEME, Dimension.FUNDER),
        description_fr="Euros engagés sur les lignes de financement des années de la période, "
        "par thème et par financeur.",
        description_en="Euros committed on the funding lines of the period's years, by theme "
        "and by funder.",
        source=_REPORTING,
    ),
    Indicator(
        name="spent_euros",
        label_fr="Montants dépensés",
        label_en="Amounts spent",
        unit=Unit.EUROS,
        over_time=Aggregation.SUM,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=_money(spent=True),
        dimensions=(Dimension.THEME, Dimension.FUNDER),
        description_fr="Euros dépensés sur les lignes de financement des années de la période, "
        "par thème et par financeur (lignes sans dépense connue exclues).",
        description_en="Euros spent on the funding lines of the period's years, by theme and "
        "by funder (lines without a known amount spent left out).",
        source=_REPORTING,
    ),
    Indicator(
        name="cofunding_rate",
        label_fr="Taux de cofinancement de la collectivité",
        label_en="Local authority co-funding rate",
        unit=Unit.PERCENT,
        over_time=Aggregation.RATIO_OF_SUMS,
        over_territory=Aggregation.RATIO_OF_SUMS,
        counts_persons=False,
        compute=_cofunding,
        dimensions=(Dimension.THEME,),
        description_fr="Part des euros engagés par la collectivité dans le total engagé : "
        "rapport des sommes, jamais moyenne des taux.",
        description_en="Share of the euros committed by the local authority in all committed: "
        "a ratio of sums, never an average of rates.",
    ),
    Indicator(
        name="beneficiaries",
        label_fr="Bénéficiaires",
        label_en="Beneficiaries",
        unit=Unit.PERSONS,
        over_time=Aggregation.DISTINCT_COUNT,
        over_territory=Aggregation.DISTINCT_COUNT,
        counts_persons=True,
        compute=_beneficiaries,
        dimensions=_PERSONS_BY,
        description_fr="Personnes distinctes présentes dans une action pendant la période, par "
        "catégorie de public, sexe et tranche d'âge. Une participation est présente lorsque "
        "les jours de son entrée à sa sortie (ou, sans sortie, jusqu'à la fin de l'action) "
        "compris dans la fenêtre de l'action ont au moins un jour dans la période ; la fenêtre "
        "est la période de l'action (avenants compris), dans celle du contrat (avenants "
        "compris), jusqu'à la veille de sa clôture par avenant. Une participation sans date de "
        "sortie cesse donc de compter à la fin de l'action ou du contrat. Une personne suivie "
        "dans deux actions compte une fois.",
        description_en="Distinct persons present in an action during the period, by public "
        "category, sex and age band. A participation is present when the days from its entry "
        "to its exit (or, without an exit, to the action's end) that lie in the action's window "
        "share at least one day with the period; the window is the action's period (as "
        "amended), within the contract's (as amended), up to the day before its closure by an "
        "avenant. A participation without an exit date thus stops counting when its action or "
        "its contract ends. A person in two actions counts once.",
        source=_REPORTING,
    ),
    _rate(
        "share_women",
        "Part des femmes",
        "Share of women",
        _share_women,
        "Women among the beneficiaries whose sex is recorded.",
        "Femmes parmi les bénéficiaires dont le sexe est renseigné.",
        share_of=ShareOf(
            indicator="beneficiaries",
            dimension=Dimension.SEX,
            numerator=frozenset({Sex.FEMALE.value}),
            denominator=frozenset(sex.value for sex in _KNOWN_SEX),
        ),
    ),
    _rate(
        "share_under_26",
        "Part des moins de 26 ans",
        "Share under 26",
        _share_under_26,
        "Beneficiaries under 26 among those whose age band is recorded (a priority: refugees "
        "under 25 have no RSA).",
        "Bénéficiaires de moins de 26 ans parmi ceux dont la tranche d'âge est renseignée (une "
        "priorité : les réfugiés de moins de 25 ans n'ont pas le RSA).",
        share_of=ShareOf(
            indicator="beneficiaries",
            dimension=Dimension.AGE_BAND,
            numerator=frozenset(band.value for band in _UNDER_26),
            denominator=frozenset(band.value for band in AgeBand if band is not AgeBand.UNKNOWN),
        ),
    ),
    _rate(
        "exit_employment_rate",
        "Sorties en emploi durable ou formation qualifiante",
        "Exits into durable employment or qualifying training",
        _exit_rate("employment"),
        "Among persons leaving an action during the period, while it ran, with a recorded "
        "situation, those "
        "leaving for a CDI, a CDD of six months or more, or a qualifying training.",
        "Parmi les personnes sorties d'une action pendant la période, alors qu'elle se "
        "déroulait, avec une situation "
        "renseignée, celles sorties en CDI, CDD de six mois ou plus, ou formation qualifiante.",
        (Dimension.SEX,),
        _AGIR,
    ),
    _rate(
        "exit_housing_rate",
        "Sorties en logement pérenne",
        "Exits into durable housing",
        _exit_rate("housing"),
        "Among persons leaving an action during the period, while it ran, with a recorded "
        "housing "
        "situation, those leaving into durable housing.",
        "Parmi les personnes sorties d'une action pendant la période, alors qu'elle se "
        "déroulait, avec une situation de "
        "logement renseignée, celles sorties en logement pérenne.",
        (Dimension.SEX,),
        _AGIR,
    ),
    _rate(
        "exit_french_progress_rate",
        "Progression en français à la sortie",
        "Progress in French at exit",
        _french_progress,
        "Among persons leaving during the period, while their action ran, with a French level "
        "assessed at entry and "
        "at exit, those whose level rose (CEFR).",
        "Parmi les personnes sorties pendant la période, alors que leur action se déroulait, "
        "dont le niveau de français a été "
        "évalué à l'entrée et à la sortie, celles dont le niveau a progressé (CECRL).",
    ),
    Indicator(
        name="beneficiaries_per_10000",
        label_fr="Bénéficiaires pour 10 000 habitants",
        label_en="Beneficiaries per 10,000 inhabitants",
        unit=Unit.PER_10000,
        over_time=Aggregation.RATIO_OF_SUMS,
        over_territory=Aggregation.RATIO_OF_SUMS,
        counts_persons=True,
        compute=_per_10000,
        granularity=Granularity.CONTRACT,
        counts_as="beneficiaries",
        description_fr="Bénéficiaires distincts pour 10 000 habitants du territoire du contrat "
        "(population municipale INSEE ; un territoire à deux contrats compte une fois).",
        description_en="Distinct beneficiaries per 10,000 inhabitants of the contract's "
        "territory (INSEE municipal population; a territory with two contracts counts once).",
    ),
    Indicator(
        name="reported_beneficiaries",
        label_fr="Bénéficiaires déclarés (comptes rendus)",
        label_en="Reported beneficiaries (operators' reports)",
        unit=Unit.PERSONS,
        over_time=Aggregation.SUM,
        over_territory=Aggregation.SUM,
        counts_persons=True,
        compute=_reported,
        dimensions=_PERSONS_BY,
        description_fr="Pour les actions sans données individuelles : les effectifs des "
        "comptes rendus dont la période est comprise dans la période et touche la fenêtre de "
        "l'action, par catégorie, sexe et "
        "tranche d'âge. Les comptes rendus successifs s'additionnent (une personne suivie sur "
        "deux semestres compte deux fois) ; une action avec des données individuelles n'est "
        "jamais comptée ici.",
        description_en="For actions without individual rows: the counts of the reports whose "
        "period lies within the period and shares a day with the action's window, by category, "
        "sex and age band. Successive reports add "
        "up (a person followed over two semesters counts twice); an action with individual "
        "rows is never counted here.",
        source=_REPORTING,
    ),
)


REFERENCE: dict[str, Calculator] = {
    "beneficiaries": _beneficiaries_rows,
    "share_women": _share_women_rows,
    "share_under_26": _share_under_26_rows,
    "exit_employment_rate": _exit_rate_rows("employment"),
    "exit_housing_rate": _exit_rate_rows("housing"),
    "exit_french_progress_rate": _french_progress_rows,
    "beneficiaries_per_10000": _per_10000_rows,
}
"""The calculators on objects (``facts.present``, ``facts.exits``), by indicator: the
reference implementation of those the national set runs on columns. The tests check that both
give identical partial aggregates, tables and protected tables on random datasets."""


@hookimpl
def register_indicators() -> tuple[Indicator, ...]:
    """Register the national set."""
    return INDICATORS
