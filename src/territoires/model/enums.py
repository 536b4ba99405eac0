"""Enumerations of the domain, each member with a stable value and French and English labels.

Values are what files hold; they never change meaning. Sources for the lists are in
each class: the Diair's and the interior ministry's pages on the contracts, the calls for
projects of P104 and the published AGIR studies.
"""

from __future__ import annotations

from territoires._enum import LabelledEnum

__all__ = [
    "AdministrativeStatus",
    "AgeBand",
    "AidNature",
    "ContractKind",
    "ContractStatus",
    "DatePrecision",
    "EmploymentOutcome",
    "FrenchLevel",
    "FundingSource",
    "GovernanceKind",
    "GovernanceLevel",
    "HousingOutcome",
    "LabelledEnum",
    "PartyKind",
    "PaymentConditions",
    "PublicCategory",
    "Sex",
    "SignatoryRole",
    "TargetKind",
    "TerritoryKind",
    "Theme",
    "WindowStart",
]


class TerritoryKind(LabelledEnum):
    """Kind of territory; EPCI carry their legal type (DGCL ``nature_juridique``)."""

    COMMUNE = ("commune", "commune", "municipality")
    CC = ("cc", "communauté de communes", "community of municipalities")
    CA = ("ca", "communauté d'agglomération", "agglomeration community")
    CU = ("cu", "communauté urbaine", "urban community")
    METRO = ("metro", "métropole", "metropolis")
    MET69 = ("met69", "Métropole de Lyon", "Lyon Metropolis")
    EPT = ("ept", "établissement public territorial", "public territorial establishment")
    DEPARTEMENT = ("departement", "département", "department")
    REGION = ("region", "région", "region")

    @property
    def is_epci(self) -> bool:
        """True for intercommunal bodies identified by a SIREN (EPCI and EPT)."""
        return self in _EPCI_KINDS

    @property
    def prefix(self) -> str:
        """Prefix of the territory reference (``dep:``, ``reg:``) or ``""`` for bare codes."""
        return {TerritoryKind.DEPARTEMENT: "dep:", TerritoryKind.REGION: "reg:"}.get(self, "")


_EPCI_KINDS = frozenset(
    {
        TerritoryKind.CC,
        TerritoryKind.CA,
        TerritoryKind.CU,
        TerritoryKind.METRO,
        TerritoryKind.MET69,
        TerritoryKind.EPT,
    }
)


class DatePrecision(LabelledEnum):
    """How precisely a date is known: to the day, the month, the year, or not at all.

    Sources often give less than a day: "signed in 2019", "joined in December 2022", "a
    contract signed with the State" on an undated page. A date known to the month or the
    year is stored as any day of that month or year (the first, by convention) with this
    precision; a date not known at all is stored as no date with :attr:`UNKNOWN`.

    .. versionadded:: 0.2
    """

    DAY = ("day", "au jour près", "to the day")
    MONTH = ("month", "au mois près", "to the month")
    YEAR = ("year", "à l'année près", "to the year")
    UNKNOWN = ("unknown", "date inconnue", "date unknown")


class PartyKind(LabelledEnum):
    """Kind of party: a signatory, a funder or an operator of actions."""

    COLLECTIVITE = ("collectivite", "collectivité territoriale", "local authority")
    PREFECTURE = ("prefecture", "préfecture", "prefecture (State in the département)")
    STATE = (
        "state",
        "délégation ou direction de l'État",
        "State delegation or directorate",
    )
    ASSOCIATION = ("association", "association", "non-profit association")
    PUBLIC_BODY = ("public_body", "organisme public", "public body")
    COMPANY = ("company", "entreprise", "company")
    OTHER = ("other", "autre", "other")


class ContractKind(LabelledEnum):
    """Kind of contract: the 2019 CTAIR, or the 2021 "Territoires d'intégration" forms."""

    CTAIR = (
        "ctair",
        "contrat territorial d'accueil et d'intégration des réfugiés",
        "territorial contract for the reception and integration of refugees",
    )
    CTAI = (
        "ctai",
        "contrat territorial d'accueil et d'intégration",
        "territorial reception and integration contract",
    )
    PTAI = (
        "ptai",
        "projet territorial d'accueil et d'intégration",
        "territorial reception and integration project",
    )


class ContractStatus(LabelledEnum):
    """Status of a contract on a date, derived from its signature and period."""

    DRAFT = ("draft", "en préparation", "draft")
    SIGNED = ("signed", "signé, pas encore commencé", "signed, not yet started")
    ACTIVE = ("active", "en cours", "active")
    ENDED = ("ended", "terminé", "ended")


class SignatoryRole(LabelledEnum):
    """Role of a signatory in a contract."""

    STATE = ("state", "représentant de l'État", "State representative")
    COLLECTIVITE = ("collectivite", "collectivité signataire", "signatory local authority")
    PARTNER = ("partner", "partenaire cosignataire", "co-signing partner")


class Theme(LabelledEnum):
    """Thematic axis of an action: the union of the CTAIR themes and the ministry's list.

    Sources: https://accueil-integration-refugies.fr/les-contrats-dintegration-ctair/ and
    https://immigration.interieur.gouv.fr/Integration-et-Acces-a-la-nationalite/Les-Contrats-Territoriaux-d-Accueil-et-d-Integration
    """

    FRENCH_LANGUAGE = ("french_language", "apprentissage du français", "French language")
    EMPLOYMENT_TRAINING = ("employment_training", "emploi et formation", "employment and training")
    HOUSING = ("housing", "logement et hébergement", "housing")
    HEALTH = ("health", "accès aux soins et santé", "health")
    ACCESS_TO_RIGHTS = ("access_to_rights", "accès aux droits", "access to rights")
    MOBILITY = ("mobility", "mobilité", "mobility")
    DIGITAL_INCLUSION = ("digital_inclusion", "inclusion numérique", "digital inclusion")
    CULTURE = ("culture", "culture", "culture")
    SPORT_LEISURE = ("sport_leisure", "sport et loisirs", "sport and leisure")
    CITIZENSHIP = ("citizenship", "citoyenneté et valeurs", "citizenship and values")
    CIVIL_SOCIETY = (
        "civil_society",
        "liens avec la société civile",
        "links with civil society",
    )
    PUBLIC_AWARENESS = ("public_awareness", "sensibilisation du public", "public awareness")
    COORDINATION = ("coordination", "coordination et pilotage", "coordination and steering")


class FundingSource(LabelledEnum):
    """Budget source of a funding line.

    P104 "Intégration et accès à la nationalité française": action 12 for newcomers who signed
    the CIR less than five years ago, action 15 for refugees
    (https://www.charente.gouv.fr/Politiques-publiques/Solidarite-et-cohesion-sociale/Cohesion-sociale/Appel-a-projets-BOP-104-Integration-et-acces-a-la-nationalite-francaise-Actions-12-et-15);
    P147 may co-fund (préfecture du Gers, CTAI of Grand Auch).
    """

    P104_ACTION_12 = (
        "p104_12",
        "P104 action 12 (étrangers primo-arrivants)",
        "P104 action 12 (newcomers)",
    )
    P104_ACTION_15 = ("p104_15", "P104 action 15 (réfugiés)", "P104 action 15 (refugees)")
    P147 = ("p147", "P147 politique de la ville", "P147 urban policy")
    COLLECTIVITE = ("collectivite", "collectivité", "local authority")
    EU_FUNDS = ("eu_funds", "fonds européens (FAMI, FSE+)", "EU funds (AMIF, ESF+)")
    OTHER = ("other", "autre", "other")

    @property
    def is_state(self) -> bool:
        """True for the State budget programmes (P104 and P147)."""
        return self in (
            FundingSource.P104_ACTION_12,
            FundingSource.P104_ACTION_15,
            FundingSource.P147,
        )


class AidNature(LabelledEnum):
    """Nature of a subsidy, as the SCDL "subventions" format names it (French label).

    .. versionadded:: 0.2
    """

    CASH = ("cash", "aide en numéraire", "cash aid")
    IN_KIND = ("in_kind", "aide en nature", "aid in kind")


class PaymentConditions(LabelledEnum):
    """How a subsidy is paid, as the SCDL "subventions" format names it (French label).

    .. versionadded:: 0.2
    """

    SINGLE = ("single", "unique", "single payment")
    STAGED = ("staged", "échelonné", "staged payments")
    OTHER = ("other", "autre", "other")


class PublicCategory(LabelledEnum):
    """Category of the public a contract or action is for.

    Beneficiaries of international protection (refugees, subsidiary protection), stateless
    persons and displaced persons under temporary protection, as CTAI texts list them
    (https://maire-info.com/international/territoires-d'integration-comment-signer-un-contrat-ou-elaborer-un-projet-d'accueil-et-d'integration-article-25388),
    and other newcomers (primo-arrivants) since 2021.
    """

    REFUGEE = ("refugee", "réfugié", "refugee")
    SUBSIDIARY_PROTECTION = (
        "subsidiary_protection",
        "bénéficiaire de la protection subsidiaire",
        "subsidiary protection",
    )
    STATELESS = ("stateless", "apatride", "stateless person")
    TEMPORARY_PROTECTION = (
        "temporary_protection",
        "bénéficiaire de la protection temporaire",
        "temporary protection",
    )
    OTHER_NEWCOMER = (
        "other_newcomer",
        "autre étranger primo-arrivant",
        "other newcomer (primo-arrivant)",
    )

    @property
    def is_international_protection(self) -> bool:
        """True for the bénéficiaires de la protection internationale (BPI).

        In the CESEDA these are refugees and beneficiaries of subsidiary protection.
        Statelessness is a separate status (ex-L812-1), which CTAI texts list alongside.
        """
        return self in (PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION)


class AdministrativeStatus(LabelledEnum):
    """Administrative status of a person, including the statuses no contract admits.

    Asylum seekers, foreign students, unaccompanied minors and people in irregular stay are
    not primo-arrivants (national call for projects DIAIR-DGEF of 20 January 2021).
    """

    REFUGEE = ("refugee", "réfugié", "refugee")
    SUBSIDIARY_PROTECTION = (
        "subsidiary_protection",
        "protection subsidiaire",
        "subsidiary protection",
    )
    STATELESS = ("stateless", "apatride", "stateless person")
    TEMPORARY_PROTECTION = ("temporary_protection", "protection temporaire", "temporary protection")
    FAMILY_PERMIT = (
        "family_permit",
        "titre de séjour pour motif familial",
        "residence permit on family grounds",
    )
    WORK_PERMIT = (
        "work_permit",
        "titre de séjour pour motif professionnel",
        "residence permit on work grounds",
    )
    OTHER_PERMIT = ("other_permit", "autre titre de séjour", "other residence permit")
    ASYLUM_SEEKER = ("asylum_seeker", "demandeur d'asile", "asylum seeker")
    STUDENT = ("student", "étudiant étranger", "foreign student")
    UNACCOMPANIED_MINOR = (
        "unaccompanied_minor",
        "mineur non accompagné",
        "unaccompanied minor",
    )
    IRREGULAR_STAY = ("irregular_stay", "en situation irrégulière", "irregular stay")

    @property
    def public_category(self) -> PublicCategory | None:
        """The public category this status belongs to, or None for the excluded statuses.

        Holders of a family or work permit are "other newcomers"; an "other" permit (visitor,
        for instance) belongs to no category.
        """
        return _STATUS_CATEGORY.get(self)

    @property
    def is_excluded(self) -> bool:
        """True for the statuses that are never primo-arrivants (2021 national call)."""
        return self in (
            AdministrativeStatus.ASYLUM_SEEKER,
            AdministrativeStatus.STUDENT,
            AdministrativeStatus.UNACCOMPANIED_MINOR,
            AdministrativeStatus.IRREGULAR_STAY,
        )


_STATUS_CATEGORY = {
    AdministrativeStatus.REFUGEE: PublicCategory.REFUGEE,
    AdministrativeStatus.SUBSIDIARY_PROTECTION: PublicCategory.SUBSIDIARY_PROTECTION,
    AdministrativeStatus.STATELESS: PublicCategory.STATELESS,
    AdministrativeStatus.TEMPORARY_PROTECTION: PublicCategory.TEMPORARY_PROTECTION,
    AdministrativeStatus.FAMILY_PERMIT: PublicCategory.OTHER_NEWCOMER,
    AdministrativeStatus.WORK_PERMIT: PublicCategory.OTHER_NEWCOMER,
}


class Sex(LabelledEnum):
    """Sex as recorded by operators; "unspecified" when not recorded."""

    FEMALE = ("female", "femme", "female")
    MALE = ("male", "homme", "male")
    UNSPECIFIED = ("unspecified", "non renseigné", "unspecified")


class AgeBand(LabelledEnum):
    """Age bands of reporting: a partition of ages (under 18, 18-25, 26-39, 40 and over).

    The under-26 group, a recurring priority, is ``UNDER_18`` plus ``FROM_18_TO_25``.
    """

    UNDER_18 = ("0-17", "moins de 18 ans", "under 18")
    FROM_18_TO_25 = ("18-25", "18 à 25 ans", "18 to 25")
    FROM_26_TO_39 = ("26-39", "26 à 39 ans", "26 to 39")
    FROM_40 = ("40+", "40 ans et plus", "40 and over")
    UNKNOWN = ("unknown", "âge inconnu", "age unknown")

    @classmethod
    def from_age(cls, age: int | None) -> AgeBand:
        """Return the band of an age in completed years (``UNKNOWN`` for None).

        Example:
            >>> AgeBand.from_age(25).value, AgeBand.from_age(26).value
            ('18-25', '26-39')
        """
        if age is None:
            return cls.UNKNOWN
        if age < 18:
            return cls.UNDER_18
        if age <= 25:
            return cls.FROM_18_TO_25
        if age <= 39:
            return cls.FROM_26_TO_39
        return cls.FROM_40

    @property
    def is_under_26(self) -> bool | None:
        """Whether the band lies under 26; None when the age is unknown."""
        if self is AgeBand.UNKNOWN:
            return None
        return self in (AgeBand.UNDER_18, AgeBand.FROM_18_TO_25)


class EmploymentOutcome(LabelledEnum):
    """Situation regarding work or training at exit (the AGIR programme's exit criteria)."""

    NONE = ("none", "ni emploi ni formation", "neither job nor training")
    SHORT_JOB = ("short_job", "emploi de moins de 6 mois", "job of less than 6 months")
    FIXED_TERM_6M = ("fixed_term_6m", "CDD de 6 mois ou plus", "fixed-term job of 6 months or more")
    PERMANENT_JOB = ("permanent_job", "CDI", "permanent job")
    QUALIFYING_TRAINING = ("qualifying_training", "formation qualifiante", "qualifying training")
    OTHER_TRAINING = ("other_training", "autre formation", "other training")

    @property
    def is_durable(self) -> bool:
        """True for a durable outcome (CDI, CDD of 6 months or more, or qualifying training)."""
        return self in (
            EmploymentOutcome.FIXED_TERM_6M,
            EmploymentOutcome.PERMANENT_JOB,
            EmploymentOutcome.QUALIFYING_TRAINING,
        )


class HousingOutcome(LabelledEnum):
    """Housing situation at exit."""

    NO_HOUSING = ("no_housing", "sans hébergement", "without accommodation")
    EMERGENCY_SHELTER = ("emergency_shelter", "hébergement d'urgence", "emergency shelter")
    ASYLUM_ACCOMMODATION = (
        "asylum_accommodation",
        "hébergement du dispositif national d'accueil",
        "asylum reception accommodation",
    )
    TEMPORARY_HOUSING = ("temporary_housing", "logement temporaire", "temporary housing")
    DURABLE_HOUSING = ("durable_housing", "logement pérenne", "durable housing")

    @property
    def is_durable(self) -> bool:
        """True for durable housing."""
        return self is HousingOutcome.DURABLE_HOUSING


class FrenchLevel(LabelledEnum):
    """Level of French on the Common European Framework of Reference (CEFR)."""

    PRE_A1 = ("pre_a1", "inférieur à A1", "below A1")
    A1 = ("a1", "A1", "A1")
    A2 = ("a2", "A2", "A2")
    B1 = ("b1", "B1", "B1")
    B2 = ("b2", "B2", "B2")
    C1 = ("c1", "C1", "C1")
    C2 = ("c2", "C2", "C2")

    @property
    def rank(self) -> int:
        """Position on the scale, 0 for below A1, for comparing levels."""
        return list(FrenchLevel).index(self)


class GovernanceLevel(LabelledEnum):
    """Level at which a governance body sits: national, regional, departmental, contract."""

    NATIONAL = ("national", "national", "national")
    REGIONAL = ("regional", "régional", "regional")
    DEPARTEMENTAL = ("departemental", "départemental", "departmental")
    CONTRACT = ("contract", "contrat", "contract")


class GovernanceKind(LabelledEnum):
    """Kind of governance body."""

    COPIL = ("copil", "comité de pilotage", "steering committee")
    COTECH = ("cotech", "comité technique", "technical committee")
    OTHER = ("other", "autre instance", "other body")


class WindowStart(LabelledEnum):
    """From which date the "less than five years" window of a newcomer runs.

    Sources disagree: budget documents count from the **first** residence
    permit, the 2021 national call from the permit held, P104 action-12 calls from the
    signature of the CIR. A contract chooses; the default is the first permit.
    """

    FIRST_PERMIT = ("first_permit", "premier titre de séjour", "first residence permit")
    PERMIT = ("permit", "titre de séjour détenu", "residence permit held")
    CIR = ("cir", "signature du CIR", "signature of the CIR")


class TargetKind(LabelledEnum):
    """What a target is compared with: one period, the whole action, or the whole contract.

    A target of one period (a year or a semester) is compared with the value of that period
    only; a target of the whole action (or contract) with the value from the action's (or
    contract's) start to the end of the period reported, so that a three-year objective is
    never compared with one year's count.

    .. versionadded:: 0.2
    """

    PERIOD = ("period", "objectif de la période", "target for the period")
    ACTION = ("action", "objectif de l'action entière", "target for the whole action")
    CONTRACT = ("contract", "objectif du contrat entier", "target for the whole contract")
