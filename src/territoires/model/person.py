"""Persons, their participation in actions, and operators' aggregated reports.

Data about refugees is sensitive: persons are known only by a pseudonymous id, and only the
facts an eligibility decision or an indicator needs are kept (no name, no nationality, no
health data).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from territoires.model import _validators as v
from territoires.model.dates import completed_years
from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    EmploymentOutcome,
    FrenchLevel,
    HousingOutcome,
    PublicCategory,
    Sex,
)
from territoires.model.period import Period

__all__ = ["ActionReport", "Participation", "ParticipationSlots", "Person", "ReportCount"]


def _birth_year_matches(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional(v.year_of_birth)(instance, attribute, value)
    birth = getattr(instance, "birth_date", None)
    if value is not None and v.is_date(birth) and birth.year != value:
        raise v.fail(attribute, value, f"the year of the birth date ({birth.year})")


@attrs.frozen(kw_only=True)
class Person:
    """The facts about one person that an eligibility decision needs.

    Attributes:
        id: Pseudonymous id (never a name).
        status: Administrative status, including the excluded ones (asylum seeker, student,
            unaccompanied minor, irregular stay).
        status_date: Date the status was obtained (protection granted, permit issued).
        first_permit_date: Date the first residence permit was issued, if known.
        cir_date: Date the republican integration contract (CIR) was signed, if signed.
        birth_date: Date of birth, if known.
        birth_year: Year of birth, when only the year is known (must agree with birth_date).
        residence: INSEE code of the commune of residence.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.pseudonym)
    status: AdministrativeStatus = attrs.field(validator=v.member_of(AdministrativeStatus))
    status_date: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    first_permit_date: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    cir_date: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    birth_date: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    birth_year: int | None = attrs.field(default=None, validator=_birth_year_matches)
    residence: str | None = attrs.field(default=None, validator=v.optional(v.commune_code))

    def age_on(self, on: dt.date) -> int | None:
        """Return the age in completed years on ``on``, or None when it cannot be known.

        None too for a date before the birth.

        With only a birth year the age is known only when the whole year gives one answer
        (never on a guess): born in 2000, the person is 20 on 31 December 2020 but unknown
        between 20 and 19 earlier that year.
        """
        if self.birth_date is not None:
            return completed_years(self.birth_date, on) if on >= self.birth_date else None
        if self.birth_year is not None:
            last_day = dt.date(self.birth_year, 12, 31)
            if on < last_day:
                return None  # possibly not born yet, or not yet a year older
            youngest = completed_years(last_day, on)
            oldest = completed_years(dt.date(self.birth_year, 1, 1), on)
            return youngest if youngest == oldest else None
        return None


def _exit_after_entry(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional(v.date)(instance, attribute, value)
    entry = getattr(instance, "entry_date", None)
    if v.is_date(value) and v.is_date(entry) and value < entry:
        raise v.fail(attribute, value, f"an exit date on or after the entry date ({entry})")


@attrs.define(kw_only=True, init=False, eq=False, repr=False, on_setattr=attrs.setters.NO_OP)
class ParticipationSlots:
    """The fields of :class:`Participation`, declared on a writable base class.

    Participation tables reach millions of rows. Building each row through a frozen
    ``__init__`` costs a guarded ``object.__setattr__`` per field; the loaders instead fill an
    instance of this base and then make it a :class:`Participation` (same slots, so Python
    allows it), after checking every value. Code outside the loaders never uses this class:
    it has no ``__init__`` and every participation you get is frozen.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    person: str = attrs.field(validator=v.pseudonym)
    action: str = attrs.field(validator=v.identifier)
    entry_date: dt.date = attrs.field(validator=v.date)
    exit_date: dt.date | None = attrs.field(default=None, validator=_exit_after_entry)
    status: AdministrativeStatus = attrs.field(validator=v.member_of(AdministrativeStatus))
    sex: Sex = attrs.field(default=Sex.UNSPECIFIED, validator=v.member_of(Sex))
    age_band: AgeBand = attrs.field(default=AgeBand.UNKNOWN, validator=v.member_of(AgeBand))
    residence: str | None = attrs.field(default=None, validator=v.optional(v.commune_code))
    employment: EmploymentOutcome | None = attrs.field(
        default=None, validator=v.optional(v.member_of(EmploymentOutcome))
    )
    housing: HousingOutcome | None = attrs.field(
        default=None, validator=v.optional(v.member_of(HousingOutcome))
    )
    french_entry: FrenchLevel | None = attrs.field(
        default=None, validator=v.optional(v.member_of(FrenchLevel))
    )
    french_exit: FrenchLevel | None = attrs.field(
        default=None, validator=v.optional(v.member_of(FrenchLevel))
    )


@attrs.frozen(kw_only=True)
class Participation(ParticipationSlots):
    """One pseudonymous person in one action.

    Attributes:
        id: Stable identifier of the participation.
        person: Pseudonymous id of the person.
        action: Id of the action.
        entry_date: Date the person entered the action.
        exit_date: Date the person left it, once left.
        status: Administrative status on entry.
        sex: Sex as recorded.
        age_band: Age band on entry.
        residence: INSEE code of the commune of residence on entry, if recorded.
        employment: Work or training situation at exit, once known.
        housing: Housing situation at exit, once known.
        french_entry: Level of French on entry, if assessed.
        french_exit: Level of French at exit, if assessed.

    .. versionadded:: 0.1
    """


@attrs.frozen(kw_only=True)
class ReportCount:
    """The number of beneficiaries of one category, sex and age band in a report.

    Attributes:
        category: Public category of the persons counted.
        sex: Sex of the persons counted.
        age_band: Age band of the persons counted.
        count: Number of persons.

    .. versionadded:: 0.1
    """

    category: PublicCategory = attrs.field(validator=v.member_of(PublicCategory))
    sex: Sex = attrs.field(validator=v.member_of(Sex))
    age_band: AgeBand = attrs.field(validator=v.member_of(AgeBand))
    count: int = attrs.field(validator=v.count)


def _cells_unique(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.tuple_of(ReportCount)(instance, attribute, value)
    assert isinstance(value, tuple)
    repeated = v.unique((c.category, c.sex, c.age_band) for c in value)
    if repeated:
        category, sex, band = repeated[0]
        raise v.fail(
            attribute,
            f"{category.value}/{sex.value}/{band.value}",
            "one count per category, sex and age band",
        )


def _period_closed(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.instance(Period)(instance, attribute, value)
    assert isinstance(value, Period)
    if value.end is None:
        raise v.fail(attribute, value, "a period with an end date")


@attrs.frozen(kw_only=True)
class ActionReport:
    """What an operator reports for an action and a period when individual data is not shared.

    Attributes:
        id: Stable identifier of the report.
        action: Id of the action.
        period: Period covered (closed).
        counts: Beneficiaries by category, sex and age band, one count per combination.
        spent: Amount spent over the period, in euros, if reported.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    action: str = attrs.field(validator=v.identifier)
    period: Period = attrs.field(validator=_period_closed)
    counts: tuple[ReportCount, ...] = attrs.field(default=(), validator=_cells_unique)
    spent: Decimal | None = attrs.field(default=None, validator=v.optional(v.money))

    @property
    def total(self) -> int:
        """Total number of beneficiaries reported."""
        return sum(c.count for c in self.counts)
