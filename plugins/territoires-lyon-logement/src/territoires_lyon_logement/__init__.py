"""territoires plugin for the Métropole de Lyon (200046977): durable housing after six months.

Registers one local indicator, in the namespace of the Métropole's SIREN:

``200046977.logement_durable_6_mois``
    Among the distinct persons who **left** an action of the contract **during the period**,
    **at least six months after entering it**, with a recorded housing situation at exit, the
    share whose situation at exit is durable housing (:attr:`HousingOutcome.DURABLE_HOUSING
    <territoires.HousingOutcome.DURABLE_HOUSING>`).

Why this wording rather than "housed six months after entry": participation data records the
housing situation **at exit only**. The situation six months after entry is therefore known
only for persons who were still in the action six months after entering it and whose exit
situation was recorded; their situation at exit (six months or more after entry) stands for
it. Persons who left before six months, are still in the action, or left without a recorded
situation are not in the denominator. Six months follow article 641 of the Code de procédure
civile (:func:`territoires.model.dates.add_months`): entered on 31 August, six months are
reached on 28 (or 29) February.

A person counted by two participations (two actions, or twice in one) is one person: in the
denominator when at least one participation qualifies, in the numerator when at least one
qualifying participation ends in durable housing. This "at least one" rule is what makes the
:class:`~territoires.measures.PersonsRatio` of two actions merge into the value over both.

The indicator concerns the Métropole de Lyon only: its calculator returns nothing for a
contract whose territory is not within ``200046977`` (the Métropole itself, or one of its
communes such as Lyon 69123 or Villeurbanne 69266), judged with the geography of the
:class:`~territoires.IndicatorInput`, or the bundled one when none is given.

Example:
    >>> from territoires_lyon_logement import NAME, is_lyon
    >>> NAME
    '200046977.logement_durable_6_mois'
    >>> is_lyon("69266"), is_lyon("38185")
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from territoires import (
    Aggregation,
    Dimension,
    Gazetteer,
    HousingOutcome,
    Indicator,
    IndicatorInput,
    Participation,
    Source,
    Unit,
    hookimpl,
)
from territoires.measures import PersonsRatio, exit_rows_in, exits_in
from territoires.model.dates import add_months

__all__ = [
    "MONTHS",
    "NAME",
    "TERRITORY",
    "durable_housing_after_six_months",
    "durable_housing_after_six_months_fast",
    "indicator",
    "is_lyon",
    "register_indicators",
    "six_months_after",
]

TERRITORY = "200046977"
"""SIREN of the Métropole de Lyon (MET69), the namespace of the plugin."""

MONTHS = 6
"""How long after entry the housing situation is looked at."""

NAME = f"{TERRITORY}.logement_durable_6_mois"
"""Registered name of the indicator."""

DESCRIPTION_FR = (
    "Parmi les personnes distinctes sorties pendant la période d'une action du contrat, au "
    "moins six mois après leur entrée (article 641 du Code de procédure civile) et dont la "
    "situation de logement à la sortie est renseignée, part de celles sorties en logement "
    "pérenne. Les données ne renseignent le logement qu'à la sortie : la situation à la sortie, "
    "six mois ou plus après l'entrée, tient lieu de situation à six mois ; les personnes sorties "
    "avant six mois, encore présentes ou sorties sans situation renseignée ne sont pas "
    "comptées. Une personne sortie de plusieurs actions compte une fois, en logement pérenne "
    "si l'une au moins de ses sorties l'est. Contrats de la Métropole de Lyon (200046977) et de "
    "ses communes seulement."
)
DESCRIPTION_EN = (
    "Among the distinct persons who left an action of the contract during the period, at "
    "least six months after entering it (article 641 of the Code de procédure civile), with a "
    "recorded housing situation at exit, the share who left into durable housing. Housing is "
    "recorded at exit only: the situation at exit, six months or more after entry, stands for "
    "the situation at six months; persons who left before six months, are still in the action "
    "or left without a recorded situation are not counted. A person who left several actions "
    "counts once, as durably housed if at least one of those exits was. Contracts of the "
    "Métropole de Lyon (200046977) and its communes only."
)


def six_months_after(entry: dt.date) -> dt.date:
    """Return the day six months after ``entry``, clipped to the end of a shorter month.

    Args:
        entry: Date of entry into the action.

    Returns:
        The date from which the person has been in the action for six months.

    Example:
        >>> six_months_after(dt.date(2023, 8, 31))
        datetime.date(2024, 2, 29)
    """
    return add_months(entry, MONTHS)


def is_lyon(territory: str, geography: Gazetteer | None = None) -> bool:
    """Return True when ``territory`` is the Métropole de Lyon or lies within it.

    Args:
        territory: A territory reference (the contract's territory).
        geography: The geography to judge with; the one bundled with territoires when None.

    Returns:
        Whether contracts of ``territory`` concern the indicator.
    """
    if territory == TERRITORY:
        return True
    if geography is None:
        # Imported here: the bundled geography is loaded only for a contract of another
        # reference than the Métropole's own.
        from territoires.geo import get_geography

        geography = get_geography()
    return geography.is_within(territory, TERRITORY)


def _qualifies(row: Participation) -> bool:
    """Whether the row (an exit of the period) left six months or more after entry, known."""
    exit_date = row.exit_date
    if exit_date is None or row.housing is None:
        return False
    return exit_date >= six_months_after(row.entry_date)


def durable_housing_after_six_months(
    facts: IndicatorInput,
) -> Mapping[tuple[str, ...], PersonsRatio]:
    """Compute the indicator's partial aggregates for one table, by sex.

    Args:
        facts: One action's (or one contract's) rows for a period.

    Returns:
        A :class:`~territoires.measures.PersonsRatio` per ``(sex,)`` key: the persons in
        durable housing (numerator) among those whose situation is known (denominator). Empty
        when the contract is not within the Métropole de Lyon, or nobody qualifies.
    """
    if not is_lyon(facts.contract.territory, facts.geography):
        return {}
    known: dict[tuple[str, ...], set[str]] = {}
    housed: dict[tuple[str, ...], set[str]] = {}
    # The exits of the period while their action ran (rows of other actions never count):
    # recomputed from the rows, so that a table evolved to another period stays right.
    for row in exits_in(facts.participations, facts.period, windows=facts.windows):
        if not _qualifies(row):
            continue
        key = (row.sex.value,)
        known.setdefault(key, set()).add(row.person)
        if row.housing is HousingOutcome.DURABLE_HOUSING:
            housed.setdefault(key, set()).add(row.person)
    return {
        key: PersonsRatio(
            numerator=frozenset(housed.get(key, ())),
            denominator=frozenset(persons),
        )
        for key, persons in sorted(known.items())
    }


def durable_housing_after_six_months_fast(
    facts: IndicatorInput,
) -> Mapping[tuple[str, ...], PersonsRatio]:
    """The same partial aggregates as :func:`durable_housing_after_six_months`, on columns.

    What the plugin registers: the exits of the period are selected on the table's columns
    (:func:`~territoires.measures.exit_rows_in`), each condition is one comparison over a
    whole column, and six months are added once per distinct entry date. The version on
    objects stays the reference, and the plugin's tests check that both agree.

    Args:
        facts: One action's (or one contract's) rows for a period.

    Returns:
        The same mapping as :func:`durable_housing_after_six_months`.
    """
    if not is_lyon(facts.contract.territory, facts.geography):
        return {}
    columns = facts.columns
    exits = columns.take(exit_rows_in(columns, facts.period, windows=facts.windows))
    entries, inverse = np.unique(exits.entry, return_inverse=True)
    reached = np.array(
        [six_months_after(dt.date.fromordinal(day)).toordinal() for day in entries.tolist()],
        dtype=np.int32,
    )
    housing = exits.housing
    qualifies = (housing.codes != 0) & (exits.exit >= reached[inverse.reshape(-1)])
    housed = housing.mask([HousingOutcome.DURABLE_HOUSING])
    found: dict[tuple[str, ...], PersonsRatio] = {}
    for code, sex in sorted(enumerate(exits.sex.values), key=lambda pair: str(pair[1])):
        among = qualifies & (exits.sex.codes == code)
        if sex is None or not among.any():
            continue
        found[(sex.value,)] = PersonsRatio(
            numerator=frozenset(exits.person[among & housed].tolist()),
            denominator=frozenset(exits.person[among].tolist()),
        )
    return found


def indicator() -> Indicator:
    """Return the indicator this plugin registers.

    Returns:
        ``200046977.logement_durable_6_mois``: a share of distinct persons, by sex.
    """
    return Indicator(
        name=NAME,
        label_fr="Part des participants en logement pérenne six mois après l'entrée",
        label_en="Share of participants in durable housing six months after entry",
        unit=Unit.PERCENT,
        over_time=Aggregation.RATIO_OF_SUMS,
        over_territory=Aggregation.RATIO_OF_SUMS,
        counts_persons=True,
        compute=durable_housing_after_six_months_fast,
        dimensions=(Dimension.SEX,),
        description_fr=DESCRIPTION_FR,
        description_en=DESCRIPTION_EN,
        source=Source(
            title="Plugin territoires-lyon-logement (Métropole de Lyon)",
            note=(
                "Local indicator modelled on the AGIR housing outcome (80% of BPI into "
                "housing, Forum réfugiés on the AGIR programme); the six-month horizon is a "
                "local choice."
            ),
        ),
    )


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the plugin's indicator (the ``register_indicators`` hook).

    Returns:
        The one indicator of the plugin.
    """
    return [indicator()]
