"""Entities of the model: validators, evolve, enumerations, age bands, persons and publics."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from strategies import DOMAIN_SIRENS, STRATEGIES, luhn_key, persons, public_scopes
from territoires import problems
from territoires.exceptions import InvalidCodeError, InvalidValueError, TerritoiresError
from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Amendment,
    ApproximateDate,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    DatePrecision,
    Diagnostic,
    EligibilityTerms,
    EmploymentOutcome,
    FrenchLevel,
    Funding,
    FundingSource,
    GovernanceBody,
    GovernanceKind,
    GovernanceLevel,
    HousingOutcome,
    LabelledEnum,
    Participation,
    Party,
    PartyKind,
    Period,
    Person,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Signatory,
    SignatoryRole,
    Source,
    Target,
    Territory,
    TerritoryKind,
    Theme,
)
from territoires.model import enums as model_enums
from territoires.model.dates import completed_years

A_DATETIME = dt.datetime(2020, 1, 1, 9, 30)
REFUGEES = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))
DIAIR_FUNDING = Funding(
    funder="diair",
    source=FundingSource.P104_ACTION_15,
    year=2019,
    committed=Decimal("300000"),
    spent=Decimal("254312.50"),
)
FRENCH_CLASSES = Action(
    id="grenoble-fle",
    title="Ateliers de français à visée professionnelle",
    theme=Theme.FRENCH_LANGUAGE,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 6, 30)),
    operators=("asso-accueil",),
    funding=(DIAIR_FUNDING,),
)
GRENOBLE = Contract(
    id="grenoble-ctair",
    kind=ContractKind.CTAIR,
    territory="200040715",
    title="CTAIR Grenoble-Alpes-Métropole",
    period=Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31)),
    public=REFUGEES,
    signed_on=dt.date(2019, 6, 20),
    signatories=(Signatory(party="pref-38", role=SignatoryRole.STATE),),
    actions=(FRENCH_CLASSES,),
)
REPORT = ActionReport(
    id="r-2020",
    action="grenoble-fle",
    period=Period.year(2020),
    counts=(
        ReportCount(
            category=PublicCategory.REFUGEE, sex=Sex.FEMALE, age_band=AgeBand.FROM_18_TO_25, count=7
        ),
        ReportCount(
            category=PublicCategory.REFUGEE, sex=Sex.MALE, age_band=AgeBand.FROM_26_TO_39, count=12
        ),
    ),
    spent=Decimal("120000"),
)

BASELINE: dict[type[Any], Any] = {
    ApproximateDate: ApproximateDate(dt.date(2019, 1, 1), DatePrecision.YEAR),
    Territory: Territory(
        code="200040715", kind=TerritoryKind.METRO, name="Grenoble-Alpes-Métropole"
    ),
    Party: Party(
        id="metro-dijon",
        kind=PartyKind.COLLECTIVITE,
        name="Dijon Métropole",
        siren="242100410",
        siret="24210041000" + "01" + luhn_key("2421004100001"),
        territory="242100410",
    ),
    Period: Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)),
    PublicScope: PublicScope(
        categories=frozenset({PublicCategory.REFUGEE}), min_age=18, max_age=25
    ),
    Funding: DIAIR_FUNDING,
    Target: Target(indicator="beneficiaries", value=Decimal("120"), year=2020),
    Action: FRENCH_CLASSES,
    Signatory: Signatory(party="pref-21", role=SignatoryRole.STATE, signed_on=dt.date(2019, 6, 12)),
    ActionFunding: ActionFunding(action="grenoble-fle", funding=DIAIR_FUNDING),
    Amendment: Amendment(
        id="avenant-1",
        effective_on=dt.date(2022, 6, 29),
        new_end=dt.date(2023, 12, 31),
        public_added=frozenset({PublicCategory.OTHER_NEWCOMER}),
    ),
    Diagnostic: Diagnostic(on=dt.date(2024, 3, 16), estimated_beneficiaries=200),
    GovernanceBody: GovernanceBody(kind=GovernanceKind.COPIL, level=GovernanceLevel.NATIONAL),
    EligibilityTerms: EligibilityTerms(),
    Source: Source(title="Diair, signatures de contrats État-métropoles"),
    Contract: GRENOBLE,
    Person: Person(
        id="P0001",
        status=AdministrativeStatus.REFUGEE,
        status_date=dt.date(2020, 2, 29),
        birth_date=dt.date(2008, 2, 29),
        residence="38185",
    ),
    Participation: Participation(
        id="part-1",
        person="P0001",
        action="grenoble-fle",
        entry_date=dt.date(2020, 1, 6),
        status=AdministrativeStatus.REFUGEE,
    ),
    ReportCount: REPORT.counts[0],
    ActionReport: REPORT,
    DatasetInfo: DatasetInfo(title="CTAIR 2019", synthetic=True),
    Dataset: Dataset(contracts=(GRENOBLE,)),
}


def _other_siren_siret(party: Party) -> str:
    other = next(s for s in DOMAIN_SIRENS if s != party.siren)
    return other + "00012" + luhn_key(other + "00012")


Bad = Callable[[Any], Any] | Any
# For each class, (field, bad value) pairs; a callable computes the bad value from the object.
INVALID: dict[type[Any], list[tuple[str, Bad]]] = {
    ApproximateDate: [
        ("on", "2019"),
        ("precision", "year"),
        ("precision", DatePrecision.UNKNOWN),
    ],
    Territory: [
        ("code", "6912"),
        ("code", lambda t: "20004" if t.kind is TerritoryKind.COMMUNE else "84x"),
        ("name", " \n"),
        ("parents", ("84",)),
        ("parents", ["69123"]),
        ("population", -1),
        ("kind", "commune"),
    ],
    Party: [
        ("rna", "W12345678"),
        ("rna", "w123456789"),
        ("id", "asso 42"),
        ("kind", "association"),
        ("name", ""),
        ("siren", "242100411"),
        ("siret", lambda p: _other_siren_siret(p) if p.siren else "00000000000001"),
        ("territory", "84"),
    ],
    Period: [
        ("end", lambda p: p.start - dt.timedelta(days=1)),
        ("start", lambda p: dt.datetime.combine(p.start, dt.time())),
        ("start", "2019-06-12"),
    ],
    PublicScope: [
        ("categories", frozenset()),
        ("categories", {PublicCategory.REFUGEE}),
        ("categories", frozenset({"refugee"})),
        ("max_age", lambda s: s.min_age - 1 if s.min_age else -1),
        ("min_age", 131),
        ("max_years_since_status", -1),
        ("residence", frozenset({"20004"})),
        ("cir_required", 1),
    ],
    Funding: [
        ("share", Decimal("0")),
        ("share", Decimal("1.5")),
        ("share", Decimal("0.333")),
        ("payment_period", Period(dt.date(2021, 4, 1))),
        ("nature", frozenset({"cash"})),
        ("decision", "x" * 256),
        ("beneficiary", "asso 42"),
        ("committed", Decimal("-12")),
        ("committed", Decimal("12.345")),
        ("committed", 12.5),
        ("committed", 12),
        ("committed", Decimal("NaN")),
        ("committed", Decimal("Infinity")),
        ("spent", Decimal("-0.01")),
        ("year", 1989),
        ("year", 2101),
        ("year", True),
        ("year", "2020"),
        ("source", "p104_15"),
        ("funder", ""),
    ],
    Target: [
        ("value", 0.6),
        ("indicator", "share of women"),
        ("year", 1900),
    ],
    Action: [
        ("id", "a 1"),
        ("title", "  "),
        ("theme", "housing"),
        ("period", (dt.date(2019, 1, 1), dt.date(2019, 12, 31))),
        ("operators", ["asso"]),
        ("funding", [DIAIR_FUNDING]),
        ("closed_on", A_DATETIME),
        ("public", "refugee"),
    ],
    Signatory: [
        ("party", ""),
        ("role", "state"),
        ("signed_on", A_DATETIME),
    ],
    ActionFunding: [
        ("action", "a b"),
        ("funding", {"committed": "300000"}),
    ],
    Amendment: [
        ("effective_on", None),
        ("effective_on", A_DATETIME),
        ("new_end", "2023-12-31"),
        ("public_added", frozenset({"other_newcomer"})),
        ("actions_closed", ("a b",)),
        ("funding_added", (DIAIR_FUNDING,)),
    ],
    Diagnostic: [
        ("estimated_beneficiaries", -200),
        ("needs", ("housing",)),
        ("on", A_DATETIME),
    ],
    EligibilityTerms: [("newcomer_window_from", "first_permit")],
    GovernanceBody: [
        ("every_months", 0),
        ("every_months", 61),
        ("every_months", 6.0),
        ("kind", "copil"),
    ],
    Source: [
        ("title", ""),
        ("url", ""),
    ],
    Contract: [
        ("territory", "84"),
        ("territory", "20004"),
        ("period", None),
        ("public", None),
        ("signed_on", A_DATETIME),
        ("signed_precision", "year"),
        (
            "signed_precision",
            lambda c: DatePrecision.UNKNOWN if c.signed_on else DatePrecision.YEAR,
        ),
        ("kind", "ctair"),
        ("actions", [FRENCH_CLASSES]),
    ],
    Person: [
        ("id", "Jean Dupont"),
        ("id", "jean.dupont@example.org"),
        ("birth_year", lambda p: p.birth_date.year + 1 if p.birth_date else 1889),
        ("birth_date", A_DATETIME),
        ("residence", "20004"),
        ("status", "refugee"),
    ],
    Participation: [
        ("exit_date", lambda p: p.entry_date - dt.timedelta(days=1)),
        ("person", "Jean Dupont"),
        ("residence", "6912"),
        ("age_band", "18-25"),
        ("sex", "F"),
    ],
    ReportCount: [
        ("count", -1),
        ("count", 1.0),
    ],
    ActionReport: [
        ("period", lambda r: Period(r.period.start)),
        (
            "counts",
            lambda r: (REPORT.counts[0], attrs.evolve(REPORT.counts[0], count=3)),
        ),
        ("spent", Decimal("1.001")),
    ],
    DatasetInfo: [
        ("synthetic", "yes"),
        ("licence", ""),
        ("created", A_DATETIME),
    ],
    Dataset: [
        ("contracts", []),
        ("parties", (BASELINE[Territory],)),
        ("info", None),
    ],
}
CASES = [(cls, field, bad) for cls, pairs in INVALID.items() for field, bad in pairs]


def _case_id(case: tuple[type[Any], str, Bad]) -> str:
    cls, field, bad = case
    shown = "computed" if callable(bad) else repr(bad)
    return f"{cls.__name__}.{field}={shown}"


def _bad_value(bad: Bad, obj: Any) -> Any:
    return bad(obj) if callable(bad) else bad


# -- validators ---------------------------------------------------------------------------------


def test_every_model_class_has_a_strategy_and_invalid_cases() -> None:
    """Every class of the model has a strategy and at least one rejected value under test."""
    import territoires.model as model

    classes = {getattr(model, name) for name in model.__all__ if attrs.has(getattr(model, name))}
    assert classes == set(STRATEGIES) == set(INVALID) == set(BASELINE)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_validators_reject_bad_values_naming_the_field(case: tuple[type[Any], str, Bad]) -> None:
    """Building an object with a bad value raises InvalidValueError naming the attribute."""
    cls, field, bad = case
    obj = BASELINE[cls]
    value = _bad_value(bad, obj)
    with pytest.raises(InvalidValueError) as caught:
        attrs.evolve(obj, **{field: value})
    error = caught.value
    assert error.field == field
    assert isinstance(error, ValueError)
    assert isinstance(error, TerritoiresError)
    assert str(error).startswith(f"{field}: ")
    assert error.expected


@given(st.data())
def test_evolve_keeps_validators_in_force(data: st.DataObject) -> None:
    """Evolving any valid object with an invalid value raises, as building it would."""
    cls, field, bad = data.draw(st.sampled_from(CASES), label="case")
    obj = data.draw(STRATEGIES[cls](), label="valid object")
    value = _bad_value(bad, obj)
    with pytest.raises(InvalidValueError) as caught:
        attrs.evolve(obj, **{field: value})
    assert caught.value.field == field


@given(st.data())
def test_generated_objects_survive_evolve_unchanged(data: st.DataObject) -> None:
    """Every generated object passes its validators again and equals its unchanged copy."""
    cls = data.draw(st.sampled_from(sorted(STRATEGIES, key=lambda c: c.__name__)))
    obj = data.draw(STRATEGIES[cls]())
    copy = attrs.evolve(obj)
    assert copy == obj
    assert hash(copy) == hash(obj)


def test_a_name_is_not_a_pseudonym() -> None:
    """A person cannot be recorded under a name such as "Jean Dupont", only under a pseudonym."""
    with pytest.raises(InvalidValueError, match="never a name") as caught:
        Person(id="Jean Dupont", status=AdministrativeStatus.REFUGEE)
    assert caught.value.field == "id"
    assert caught.value.value == "Jean Dupont"


@pytest.mark.parametrize(
    "amount", [Decimal("-12"), Decimal("12.345"), 12.5, "12.50", Decimal("sNaN")]
)
def test_money_must_be_a_non_negative_decimal_with_at_most_two_decimals(amount: Any) -> None:
    """Amounts are Decimal euros, zero or more, at most two decimals: no float, no string."""
    with pytest.raises(InvalidValueError, match="at most two decimals") as caught:
        Funding(funder="diair", source=FundingSource.P104_ACTION_15, year=2019, committed=amount)
    assert caught.value.field == "committed"


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("0.5"), Decimal("300000.00"), Decimal("1E+3")]
)
def test_money_accepts_whole_and_decimal_euros(amount: Decimal) -> None:
    """Zero, tenths, cents and whole thousands are all valid amounts."""
    funding = Funding(
        funder="diair", source=FundingSource.COLLECTIVITE, year=2019, committed=amount
    )
    assert funding.committed == amount


def test_official_codes_raise_invalid_code_errors() -> None:
    """A malformed SIREN is reported as an invalid code, which is also an invalid value."""
    with pytest.raises(InvalidCodeError) as caught:
        Party(id="p", kind=PartyKind.ASSOCIATION, name="Asso", siren="242100411")
    assert caught.value.code == "invalid-code"
    assert caught.value.field == "siren"
    assert isinstance(caught.value, InvalidValueError)


def test_a_siret_must_start_with_the_siren() -> None:
    """A party's SIRET belongs to its SIREN: Dijon's SIREN with Lyon's SIRET is rejected."""
    lyon_siret = "2000469770001" + luhn_key("2000469770001")
    with pytest.raises(InvalidValueError, match="starting with the SIREN 242100410") as caught:
        Party(
            id="p",
            kind=PartyKind.COLLECTIVITE,
            name="Dijon Métropole",
            siren="242100410",
            siret=lyon_siret,
        )
    assert caught.value.field == "siret"
    assert Party(id="p", kind=PartyKind.COLLECTIVITE, name="Lyon", siret=lyon_siret)


def test_a_territory_code_must_fit_its_kind() -> None:
    """A région code is not a commune, a commune code is not an EPCI."""
    with pytest.raises(InvalidCodeError):
        Territory(code="84", kind=TerritoryKind.COMMUNE, name="x")
    with pytest.raises(InvalidCodeError):
        Territory(code="69123", kind=TerritoryKind.METRO, name="x")
    assert Territory(code="84", kind=TerritoryKind.REGION, name="Auvergne-Rhône-Alpes").id == (
        "reg:84"
    )
    assert Territory(code="2A", kind=TerritoryKind.DEPARTEMENT, name="Corse-du-Sud").id == "dep:2A"
    assert Territory(code="2A004", kind=TerritoryKind.COMMUNE, name="Ajaccio").id == "2A004"


def test_a_target_is_a_finite_number() -> None:
    """A target cannot be NaN or infinite, which would make it unequal to itself in files."""
    for value in (Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")):
        with pytest.raises(InvalidValueError) as caught:
            Target(indicator="beneficiaries", value=value)
        assert caught.value.field == "value"


def test_collections_have_their_declared_type() -> None:
    """A public's residence is a frozenset and a territory's parents a tuple, nearest first."""
    with pytest.raises(InvalidValueError) as caught:
        PublicScope(categories=REFUGEES.categories, residence=("69123",))
    assert caught.value.field == "residence"
    with pytest.raises(InvalidValueError) as caught:
        Territory(
            code="69123",
            kind=TerritoryKind.COMMUNE,
            name="Lyon",
            parents=frozenset({"200046977", "dep:69"}),
        )
    assert caught.value.field == "parents"


# -- enumerations -------------------------------------------------------------------------------

ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "AdministrativeStatus": (
        "refugee",
        "subsidiary_protection",
        "stateless",
        "temporary_protection",
        "family_permit",
        "work_permit",
        "other_permit",
        "asylum_seeker",
        "student",
        "unaccompanied_minor",
        "irregular_stay",
    ),
    "AgeBand": ("0-17", "18-25", "26-39", "40+", "unknown"),
    "ContractKind": ("ctair", "ctai", "ptai"),
    "ContractStatus": ("draft", "signed", "active", "ended"),
    "AidNature": ("cash", "in_kind"),
    "PaymentConditions": ("single", "staged", "other"),
    "DatePrecision": ("day", "month", "year", "unknown"),
    "EmploymentOutcome": (
        "none",
        "short_job",
        "fixed_term_6m",
        "permanent_job",
        "qualifying_training",
        "other_training",
    ),
    "FrenchLevel": ("pre_a1", "a1", "a2", "b1", "b2", "c1", "c2"),
    "FundingSource": ("p104_12", "p104_15", "p147", "collectivite", "eu_funds", "other"),
    "GovernanceKind": ("copil", "cotech", "other"),
    "WindowStart": ("first_permit", "permit", "cir"),
    "TargetKind": ("period", "action", "contract"),
    "GovernanceLevel": ("national", "regional", "departemental", "contract"),
    "HousingOutcome": (
        "no_housing",
        "emergency_shelter",
        "asylum_accommodation",
        "temporary_housing",
        "durable_housing",
    ),
    "PartyKind": (
        "collectivite",
        "prefecture",
        "state",
        "association",
        "public_body",
        "company",
        "other",
    ),
    "PublicCategory": (
        "refugee",
        "subsidiary_protection",
        "stateless",
        "temporary_protection",
        "other_newcomer",
    ),
    "Sex": ("female", "male", "unspecified"),
    "SignatoryRole": ("state", "collectivite", "partner"),
    "TerritoryKind": (
        "commune",
        "cc",
        "ca",
        "cu",
        "metro",
        "met69",
        "ept",
        "departement",
        "region",
    ),
    "Theme": (
        "french_language",
        "employment_training",
        "housing",
        "health",
        "access_to_rights",
        "mobility",
        "digital_inclusion",
        "culture",
        "sport_leisure",
        "citizenship",
        "civil_society",
        "public_awareness",
        "coordination",
    ),
}
"""Values held in files. Changing one breaks every file written before: add, never rename."""

PROBLEM_VALUES: dict[str, tuple[str, ...]] = {
    "Severity": ("error", "warning"),
    "ProblemCode": (
        "unreadable",
        "empty-file",
        "binary-file",
        "encoding",
        "line-too-long",
        "invalid-json",
        "unknown-format",
        "unsupported-schema",
        "missing-field",
        "unknown-field",
        "missing-column",
        "unknown-column",
        "wrong-type",
        "invalid-value",
        "invalid-date",
        "invalid-number",
        "unknown-enum",
        "invalid-code",
        "inconsistent-rows",
        "duplicate-id",
        "unknown-reference",
        "unknown-territory",
        "territory-mismatch",
        "former-code",
        "period-outside-contract",
        "public-wider-than-contract",
        "participation-before-action",
        "participation-after-action",
        "spent-above-committed",
        "amendment-before-signature",
        "report-outside-action",
        "participation-open-after-action",
        "report-outside-window",
    ),
}
"""Codes tools match on: new codes may be added, existing ones never change."""

MODEL_ENUMS = [getattr(model_enums, name) for name in sorted(ENUM_VALUES)]
ALL_ENUMS = [*MODEL_ENUMS, problems.Severity, problems.ProblemCode]


def test_the_model_enumerations_are_all_snapshotted() -> None:
    """Every enumeration of the model has its values recorded in the snapshot."""
    declared = {
        name
        for name in model_enums.__all__
        if isinstance(getattr(model_enums, name), type)
        and issubclass(getattr(model_enums, name), LabelledEnum)
        and getattr(model_enums, name) is not LabelledEnum
    }
    assert declared == set(ENUM_VALUES)


@pytest.mark.parametrize("enum", MODEL_ENUMS, ids=lambda e: e.__name__)
def test_enum_values_are_stable(enum: type[LabelledEnum]) -> None:
    """The values written in files are exactly the recorded ones, in the recorded order."""
    assert enum.values() == ENUM_VALUES[enum.__name__]


@pytest.mark.parametrize(
    "enum", [problems.Severity, problems.ProblemCode], ids=lambda e: e.__name__
)
def test_problem_codes_are_never_renamed(enum: type[LabelledEnum]) -> None:
    """Every recorded problem code still exists, with the same value."""
    missing = [v for v in PROBLEM_VALUES[enum.__name__] if v not in enum.values()]
    assert missing == []


@pytest.mark.parametrize("enum", ALL_ENUMS, ids=lambda e: e.__name__)
def test_enum_members_have_unique_values_and_two_labels(enum: type[LabelledEnum]) -> None:
    """Each member has its own value, a French label and an English label."""
    members = list(enum)
    assert len(members) == len(enum.__members__), "two members share a value"
    assert len(set(enum.values())) == len(members)
    for member in members:
        assert member.label("fr") == member.label_fr
        assert member.label("en") == member.label_en
        assert member.label() == member.label_fr
        assert member.label_fr.strip()
        assert member.label_en.strip()
        assert str(member) == member.value
        assert enum.from_value(member.value) is member
        assert enum(member.value) is member


@pytest.mark.parametrize("enum", ALL_ENUMS, ids=lambda e: e.__name__)
def test_unknown_enum_values_list_the_accepted_ones(enum: type[LabelledEnum]) -> None:
    """Looking up an unknown value fails with a message listing every accepted value."""
    with pytest.raises(ValueError, match="is not one of") as caught:
        enum.from_value("no-such-value")
    for value in enum.values():
        assert value in str(caught.value)


def test_status_categories_and_exclusions() -> None:
    """Statuses map to public categories; the four excluded statuses map to none."""
    excluded = {s for s in AdministrativeStatus if s.is_excluded}
    assert excluded == {
        AdministrativeStatus.ASYLUM_SEEKER,
        AdministrativeStatus.STUDENT,
        AdministrativeStatus.UNACCOMPANIED_MINOR,
        AdministrativeStatus.IRREGULAR_STAY,
    }
    assert all(s.public_category is None for s in excluded)
    assert AdministrativeStatus.FAMILY_PERMIT.public_category is PublicCategory.OTHER_NEWCOMER
    assert AdministrativeStatus.WORK_PERMIT.public_category is PublicCategory.OTHER_NEWCOMER
    assert AdministrativeStatus.OTHER_PERMIT.public_category is None
    bpi = {c for c in PublicCategory if c.is_international_protection}
    assert bpi == {PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION}
    for category in set(PublicCategory) - {PublicCategory.OTHER_NEWCOMER}:
        assert AdministrativeStatus(category.value).public_category is category


def test_durable_outcomes_and_state_funding() -> None:
    """Durable outcomes are CDI, CDD of 6 months or more, qualifying training, durable housing."""
    assert {o for o in EmploymentOutcome if o.is_durable} == {
        EmploymentOutcome.PERMANENT_JOB,
        EmploymentOutcome.FIXED_TERM_6M,
        EmploymentOutcome.QUALIFYING_TRAINING,
    }
    assert {h for h in HousingOutcome if h.is_durable} == {HousingOutcome.DURABLE_HOUSING}
    assert {f for f in FundingSource if f.is_state} == {
        FundingSource.P104_ACTION_12,
        FundingSource.P104_ACTION_15,
        FundingSource.P147,
    }
    assert [level.rank for level in FrenchLevel] == list(range(len(FrenchLevel)))
    assert FrenchLevel.A2.rank < FrenchLevel.B1.rank


def test_epci_kinds_and_prefixes() -> None:
    """EPCI and EPT are identified by SIREN; départements and régions need a prefix."""
    assert {k for k in TerritoryKind if k.is_epci} == {
        TerritoryKind.CC,
        TerritoryKind.CA,
        TerritoryKind.CU,
        TerritoryKind.METRO,
        TerritoryKind.MET69,
        TerritoryKind.EPT,
    }
    assert TerritoryKind.DEPARTEMENT.prefix == "dep:"
    assert TerritoryKind.REGION.prefix == "reg:"
    assert TerritoryKind.COMMUNE.prefix == ""


# -- age bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, AgeBand.UNDER_18),
        (17, AgeBand.UNDER_18),
        (18, AgeBand.FROM_18_TO_25),
        (25, AgeBand.FROM_18_TO_25),
        (26, AgeBand.FROM_26_TO_39),
        (39, AgeBand.FROM_26_TO_39),
        (40, AgeBand.FROM_40),
        (130, AgeBand.FROM_40),
        (None, AgeBand.UNKNOWN),
    ],
)
def test_age_band_boundaries(age: int | None, band: AgeBand) -> None:
    """Ages fall in <18, 18-25, 26-39 and 40+ with the boundaries on the right side."""
    assert AgeBand.from_age(age) is band


@given(st.integers(0, 130), st.integers(0, 130))
def test_age_bands_partition_ages_in_order(a: int, b: int) -> None:
    """Each known age has one band, in order of age, matching its bounds and the under-26 flag."""
    bands = list(AgeBand)
    band_a, band_b = AgeBand.from_age(a), AgeBand.from_age(b)
    assert band_a is not AgeBand.UNKNOWN
    assert band_a.is_under_26 is (a < 26)
    if a <= b:
        assert bands.index(band_a) <= bands.index(band_b)
    low, _, high = band_a.value.partition("-")
    if band_a.value.endswith("+"):
        assert a >= int(band_a.value[:-1])
    else:
        assert int(low) <= a <= int(high)


def test_unknown_age_is_neither_under_nor_over_26() -> None:
    """The unknown band does not say whether the person is under 26."""
    assert AgeBand.UNKNOWN.is_under_26 is None


# -- persons ------------------------------------------------------------------------------------


def test_age_of_a_person_born_on_29_february() -> None:
    """A person born on 29 Feb 2008 is 18 on 28 Feb 2026 and 17 the day before."""
    person = BASELINE[Person]
    assert person.age_on(dt.date(2026, 2, 28)) == 18
    assert person.age_on(dt.date(2026, 2, 27)) == 17


def test_age_with_only_a_birth_year() -> None:
    """Born in 2000, a person is 20 on 31 Dec 2020 but of unknown age earlier in 2020."""
    person = Person(id="P2", status=AdministrativeStatus.REFUGEE, birth_year=2000)
    assert person.age_on(dt.date(2020, 12, 31)) == 20
    assert person.age_on(dt.date(2020, 6, 15)) is None
    assert person.age_on(dt.date(2021, 1, 1)) is None
    assert Person(id="P3", status=AdministrativeStatus.STUDENT).age_on(dt.date(2020, 1, 1)) is None


@given(st.integers(1900, 2030), st.integers(0, 100 * 366))
@example(2000, 7670)  # 31 December 2020
@example(2008, 6939)  # 31 December 2026
def test_age_from_a_birth_year_is_never_a_guess(birth_year: int, days: int) -> None:
    """With only a birth year, the age is given only when every birth date that year agrees.

    A birth date after ``on`` (the person may not be born yet) leaves the age unknown.
    """
    on = dt.date(birth_year, 1, 1) + dt.timedelta(days=days)
    person = Person(id="P", status=AdministrativeStatus.REFUGEE, birth_year=birth_year)
    first, last = dt.date(birth_year, 1, 1), dt.date(birth_year, 12, 31)
    births = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    ages = {completed_years(birth, on) for birth in births}
    expected = ages.pop() if len(ages) == 1 and last <= on else None
    assert person.age_on(on) == expected


@given(persons())
def test_birth_year_agrees_with_birth_date(person: Person) -> None:
    """When both are known, the birth year is the year of the birth date."""
    if person.birth_date is not None and person.birth_year is not None:
        assert person.birth_year == person.birth_date.year


# -- publics ----------------------------------------------------------------------------------


def test_a_young_public_is_within_the_refugee_public() -> None:
    """Refugees aged 18-25 are within refugees; refugees are wider than that."""
    young = BASELINE[PublicScope]
    assert young.is_within(REFUGEES)
    assert not REFUGEES.is_within(young)
    assert REFUGEES.widening_over(young) == ["admits ages below 18", "admits ages above 25"]


def test_opening_a_public_to_newcomers() -> None:
    """Opening a refugee public to other newcomers widens it by that category."""
    opened = REFUGEES.with_categories(PublicCategory.OTHER_NEWCOMER)
    assert opened.categories == {PublicCategory.REFUGEE, PublicCategory.OTHER_NEWCOMER}
    assert REFUGEES.is_within(opened)
    assert opened.widening_over(REFUGEES) == [
        "categories other_newcomer are not in the wider public"
    ]


def test_a_public_without_cir_is_wider_than_one_requiring_it() -> None:
    """Not requiring the CIR, or admitting older statuses, widens a public."""
    strict = PublicScope(
        categories=REFUGEES.categories, cir_required=True, max_years_since_status=5
    )
    assert strict.is_within(REFUGEES)
    assert REFUGEES.widening_over(strict) == [
        "admits statuses older than 5 years",
        "does not require the CIR",
    ]


@given(public_scopes())
def test_every_public_is_within_itself_and_within_its_openings(scope: PublicScope) -> None:
    """A public is within itself and within itself opened to more categories."""
    assert scope.is_within(scope)
    assert scope.is_within(scope.with_categories(*PublicCategory))


@given(st.data())
def test_narrowed_publics_are_within(data: st.DataObject) -> None:
    """A public drawn within another is reported as within it (the strategy is sound)."""
    wide = data.draw(public_scopes())
    narrow = data.draw(public_scopes(within=wide))
    assert narrow.widening_over(wide) == []


# -- small behaviours ---------------------------------------------------------------------------


def test_action_totals_and_openness() -> None:
    """An action sums its commitments and is open during its period until closed."""
    action = attrs.evolve(
        FRENCH_CLASSES,
        funding=(DIAIR_FUNDING, attrs.evolve(DIAIR_FUNDING, committed=Decimal("0.50"))),
    )
    assert action.committed == Decimal("300000.50")
    assert action.is_open(dt.date(2019, 9, 1))
    assert not action.is_open(dt.date(2019, 8, 31))
    closed = attrs.evolve(action, closed_on=dt.date(2020, 3, 17))
    assert closed.is_open(dt.date(2020, 3, 16))
    assert not closed.is_open(dt.date(2020, 3, 17))
    assert attrs.evolve(action, funding=()).committed == Decimal(0)


def test_report_total() -> None:
    """A report's total is the sum of its counts."""
    assert REPORT.total == 19
    assert attrs.evolve(REPORT, counts=()).total == 0


def test_action_public_defaults_to_the_contract_public() -> None:
    """An action without its own public serves the contract's public."""
    assert FRENCH_CLASSES.public_in(GRENOBLE) == REFUGEES
    young = attrs.evolve(FRENCH_CLASSES, public=BASELINE[PublicScope])
    assert young.public_in(GRENOBLE) == BASELINE[PublicScope]


def test_minus_zero_euros_is_not_an_amount() -> None:
    """An amount of -0.00 € is refused, so no table ever prints a negative zero."""
    with pytest.raises(InvalidValueError) as caught:
        Funding(
            funder="diair",
            source=FundingSource.P104_ACTION_15,
            year=2021,
            committed=Decimal("-0.00"),
        )
    assert caught.value.field == "committed"


def test_there_is_no_age_before_birth() -> None:
    """Asked for a date before the person was born, the age is unknown, not negative."""
    person = Person(id="P9", status=AdministrativeStatus.REFUGEE, birth_date=dt.date(2010, 5, 1))
    assert person.age_on(dt.date(2010, 4, 30)) is None
    assert person.age_on(dt.date(2010, 5, 1)) == 0
