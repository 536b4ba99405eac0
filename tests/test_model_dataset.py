"""Whole-dataset checks (Dataset.validate) and lookups by id."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from strategies import amendments, consistent_datasets, datasets
from territoires.exceptions import InvalidValueError
from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Amendment,
    Contract,
    ContractKind,
    Dataset,
    Funding,
    FundingSource,
    Participation,
    Party,
    PartyKind,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Signatory,
    SignatoryRole,
    Territory,
    TerritoryKind,
    Theme,
)
from territoires.problems import Problem, ProblemCode, Severity

REFUGEES = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))
AVENANT_DAY = dt.date(2022, 6, 29)

TERRITORIES = (
    Territory(
        code="200040715",
        kind=TerritoryKind.METRO,
        name="Grenoble-Alpes-Métropole",
        parents=("dep:38", "reg:84"),
    ),
    Territory(code="38", kind=TerritoryKind.DEPARTEMENT, name="Isère", parents=("reg:84",)),
    Territory(code="84", kind=TerritoryKind.REGION, name="Auvergne-Rhône-Alpes"),
    Territory(code="242100410", kind=TerritoryKind.METRO, name="Dijon Métropole"),
)
PARTIES = (
    Party(
        id="pref-38", kind=PartyKind.PREFECTURE, name="Préfecture de l'Isère", territory="dep:38"
    ),
    Party(
        id="metro-grenoble",
        kind=PartyKind.COLLECTIVITE,
        name="Grenoble-Alpes-Métropole",
        siren="200040715",
        territory="200040715",
    ),
    Party(id="diair", kind=PartyKind.STATE, name="Diair"),
    Party(id="asso-accueil", kind=PartyKind.ASSOCIATION, name="Association d'accueil"),
)
FRENCH = Action(
    id="gre-fle",
    title="Français à visée professionnelle",
    theme=Theme.FRENCH_LANGUAGE,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
    operators=("asso-accueil",),
    funding=(
        Funding(
            funder="diair",
            source=FundingSource.P104_ACTION_15,
            year=2019,
            committed=Decimal("100000"),
            spent=Decimal("98000.50"),
        ),
    ),
)
HOUSING = Action(
    id="gre-logement",
    title="Accès au logement des jeunes réfugiés",
    theme=Theme.HOUSING,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
    operators=("asso-accueil",),
    public=PublicScope(categories=frozenset({PublicCategory.REFUGEE}), max_age=25),
    funding=(
        Funding(
            funder="metro-grenoble",
            source=FundingSource.COLLECTIVITE,
            year=2020,
            committed=Decimal("40000"),
            spent=Decimal("40000"),
        ),
    ),
)
AGIR = Action(
    id="gre-agir",
    title="Déploiement d'AGIR",
    theme=Theme.EMPLOYMENT_TRAINING,
    period=Period(AVENANT_DAY, dt.date(2023, 12, 31)),
    public=PublicScope(
        categories=frozenset({PublicCategory.REFUGEE, PublicCategory.OTHER_NEWCOMER})
    ),
)
AVENANT = Amendment(
    id="avenant-1",
    effective_on=AVENANT_DAY,
    signed_on=AVENANT_DAY,
    new_end=dt.date(2023, 12, 31),
    public_added=frozenset({PublicCategory.OTHER_NEWCOMER}),
    funding_added=(
        ActionFunding(
            action="gre-logement",
            funding=Funding(
                funder="diair",
                source=FundingSource.P104_ACTION_15,
                year=2022,
                committed=Decimal("50000"),
            ),
        ),
    ),
    actions_added=(AGIR,),
)
GRENOBLE = Contract(
    id="grenoble-ctair",
    kind=ContractKind.CTAIR,
    territory="200040715",
    title="CTAIR Grenoble-Alpes-Métropole",
    signed_on=dt.date(2019, 6, 20),
    period=Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31)),
    public=REFUGEES,
    signatories=(
        Signatory(party="pref-38", role=SignatoryRole.STATE, signed_on=dt.date(2019, 6, 20)),
        Signatory(party="metro-grenoble", role=SignatoryRole.COLLECTIVITE),
    ),
    actions=(FRENCH, HOUSING),
    amendments=(AVENANT,),
)
DIJON_ACTION = Action(
    id="dij-sante",
    title="Accès aux soins",
    theme=Theme.HEALTH,
    period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
)
DIJON = Contract(
    id="dijon-ctair",
    kind=ContractKind.CTAIR,
    territory="242100410",
    title="CTAIR Dijon Métropole",
    signed_on=dt.date(2019, 6, 12),
    period=Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)),
    public=REFUGEES,
    actions=(DIJON_ACTION,),
)
PARTICIPATIONS = (
    Participation(
        id="p-1",
        person="P0001",
        action="gre-fle",
        entry_date=dt.date(2019, 9, 2),
        exit_date=dt.date(2020, 6, 30),
        status=AdministrativeStatus.REFUGEE,
        sex=Sex.FEMALE,
        age_band=AgeBand.FROM_18_TO_25,
    ),
    Participation(
        id="p-2",
        person="P0002",
        action="gre-agir",
        entry_date=dt.date(2022, 9, 1),
        status=AdministrativeStatus.FAMILY_PERMIT,
    ),
)
REPORTS = (
    ActionReport(
        id="r-2020",
        action="gre-logement",
        period=Period.year(2020),
        counts=(
            ReportCount(
                category=PublicCategory.REFUGEE,
                sex=Sex.MALE,
                age_band=AgeBand.FROM_18_TO_25,
                count=14,
            ),
        ),
        spent=Decimal("40000"),
    ),
)
DATASET = Dataset(
    territories=TERRITORIES,
    parties=PARTIES,
    contracts=(GRENOBLE, DIJON),
    participations=PARTICIPATIONS,
    reports=REPORTS,
)


def _replace(items: tuple[object, ...], index: int, item: object) -> tuple[object, ...]:
    return (*items[:index], item, *items[index + 1 :])


def _with_contract(ci: int, **changes: object) -> Dataset:
    contract = attrs.evolve(DATASET.contracts[ci], **changes)
    return attrs.evolve(DATASET, contracts=_replace(DATASET.contracts, ci, contract))


def _with_action(ci: int, ai: int, **changes: object) -> Dataset:
    contract = DATASET.contracts[ci]
    action = attrs.evolve(contract.actions[ai], **changes)
    return _with_contract(ci, actions=_replace(contract.actions, ai, action))


def _with_avenant(**changes: object) -> Dataset:
    return _with_contract(0, amendments=(attrs.evolve(AVENANT, **changes),))


def _with_participation(index: int, **changes: object) -> Dataset:
    item = attrs.evolve(DATASET.participations[index], **changes)
    return attrs.evolve(DATASET, participations=_replace(DATASET.participations, index, item))


def _where(problems: list[Problem]) -> list[tuple[ProblemCode, str | None, str | None]]:
    return [(p.code, p.record, p.field) for p in problems]


def test_the_reference_dataset_is_sound() -> None:
    """The Grenoble and Dijon dataset used below has no problem at all."""
    assert DATASET.validate() == []


@given(consistent_datasets())
def test_consistent_datasets_have_no_problem(dataset: Dataset) -> None:
    """A dataset whose references resolve and whose dates and amounts agree validates cleanly."""
    assert dataset.validate() == []
    _assert_every_record_is_found(dataset)


def _assert_every_record_is_found(dataset: Dataset) -> None:
    for contract in dataset.contracts:
        assert dataset.contract(contract.id) is contract
        for action in contract.all_actions():
            assert dataset.action(action.id) is action
            assert dataset.contract_of(action.id) is contract
    for party in dataset.parties:
        assert dataset.party(party.id) is party
    for territory in dataset.territories:
        assert dataset.territory(territory.id) is territory


CASES: list[tuple[str, Callable[[], Dataset], ProblemCode, str, str]] = [
    (
        "duplicate party",
        lambda: attrs.evolve(DATASET, parties=(*PARTIES, attrs.evolve(PARTIES[0], name="Autre"))),
        ProblemCode.DUPLICATE_ID,
        "pref-38",
        "parties[4].id",
    ),
    (
        "duplicate territory",
        lambda: attrs.evolve(DATASET, territories=(*TERRITORIES, TERRITORIES[1])),
        ProblemCode.DUPLICATE_ID,
        "dep:38",
        "territories[4].code",
    ),
    (
        "duplicate contract",
        lambda: _with_contract(1, id="grenoble-ctair"),
        ProblemCode.DUPLICATE_ID,
        "grenoble-ctair",
        "contracts[1].id",
    ),
    (
        "duplicate action across contracts",
        lambda: _with_action(1, 0, id="gre-logement"),
        ProblemCode.DUPLICATE_ID,
        "gre-logement",
        "contracts[1].actions[0].id",
    ),
    (
        "duplicate participation",
        lambda: _with_participation(1, id="p-1"),
        ProblemCode.DUPLICATE_ID,
        "p-1",
        "participations[1].id",
    ),
    (
        "duplicate report",
        lambda: attrs.evolve(DATASET, reports=(*REPORTS, REPORTS[0])),
        ProblemCode.DUPLICATE_ID,
        "r-2020",
        "reports[1].id",
    ),
    (
        "duplicate avenant",
        lambda: _with_contract(
            0,
            amendments=(AVENANT, Amendment(id="avenant-1", effective_on=dt.date(2023, 1, 1))),
        ),
        ProblemCode.DUPLICATE_ID,
        "grenoble-ctair",
        "contracts[0].amendments[1].id",
    ),
    (
        "unknown operator",
        lambda: _with_action(0, 1, operators=("asso-accueil", "asso-inconnue")),
        ProblemCode.UNKNOWN_REFERENCE,
        "grenoble-ctair",
        "contracts[0].actions[1].operators[1]",
    ),
    (
        "unknown funder",
        lambda: _with_action(0, 1, funding=(attrs.evolve(HOUSING.funding[0], funder="caf-38"),)),
        ProblemCode.UNKNOWN_REFERENCE,
        "grenoble-ctair",
        "contracts[0].actions[1].funding[0].funder",
    ),
    (
        "unknown signatory",
        lambda: _with_contract(
            0, signatories=(Signatory(party="prefet-isere", role=SignatoryRole.STATE),)
        ),
        ProblemCode.UNKNOWN_REFERENCE,
        "grenoble-ctair",
        "contracts[0].signatories[0].party",
    ),
    (
        "unknown contract territory",
        lambda: _with_contract(1, territory="21231"),
        ProblemCode.UNKNOWN_REFERENCE,
        "dijon-ctair",
        "contracts[1].territory",
    ),
    (
        "unknown party territory",
        lambda: attrs.evolve(
            DATASET, parties=_replace(PARTIES, 2, attrs.evolve(PARTIES[2], territory="dep:75"))
        ),
        ProblemCode.UNKNOWN_REFERENCE,
        "diair",
        "parties[2].territory",
    ),
    (
        "unknown action of a participation",
        lambda: _with_participation(0, action="gre-sport"),
        ProblemCode.UNKNOWN_REFERENCE,
        "p-1",
        "participations[0].action",
    ),
    (
        "unknown action of a report",
        lambda: attrs.evolve(DATASET, reports=(attrs.evolve(REPORTS[0], action="gre-sport"),)),
        ProblemCode.UNKNOWN_REFERENCE,
        "r-2020",
        "reports[0].action",
    ),
    (
        "avenant funding an action of another contract",
        lambda: _with_avenant(
            funding_added=(attrs.evolve(AVENANT.funding_added[0], action="dij-sante"),)
        ),
        ProblemCode.UNKNOWN_REFERENCE,
        "grenoble-ctair",
        "contracts[0].amendments[0].funding_added[0].action",
    ),
    (
        "avenant closing an unknown action",
        lambda: _with_avenant(actions_closed=("gre-fle", "gre-sport")),
        ProblemCode.UNKNOWN_REFERENCE,
        "grenoble-ctair",
        "contracts[0].amendments[0].actions_closed[1]",
    ),
    (
        "action running after the prolonged contract",
        lambda: _with_action(0, 1, period=Period(dt.date(2019, 9, 1), dt.date(2024, 6, 30))),
        ProblemCode.PERIOD_OUTSIDE_CONTRACT,
        "grenoble-ctair",
        "contracts[0].actions[1].period",
    ),
    (
        "action starting before the contract",
        lambda: _with_action(1, 0, period=Period(dt.date(2019, 1, 1), dt.date(2019, 12, 31))),
        ProblemCode.PERIOD_OUTSIDE_CONTRACT,
        "dijon-ctair",
        "contracts[1].actions[0].period",
    ),
    (
        "open-ended action in a contract with an end",
        lambda: _with_action(1, 0, period=Period(dt.date(2019, 9, 1))),
        ProblemCode.PERIOD_OUTSIDE_CONTRACT,
        "dijon-ctair",
        "contracts[1].actions[0].period",
    ),
    (
        "action open to newcomers in a refugee contract",
        lambda: _with_action(0, 1, public=AGIR.public),
        ProblemCode.PUBLIC_WIDER_THAN_CONTRACT,
        "grenoble-ctair",
        "contracts[0].actions[1].public",
    ),
    (
        "action added by the avenant for a public the avenant does not open",
        lambda: _with_avenant(
            actions_added=(
                attrs.evolve(
                    AGIR,
                    public=REFUGEES.with_categories(PublicCategory.TEMPORARY_PROTECTION),
                ),
            )
        ),
        ProblemCode.PUBLIC_WIDER_THAN_CONTRACT,
        "grenoble-ctair",
        "contracts[0].amendments[0].actions_added[0].public",
    ),
    (
        "participation before its action",
        lambda: _with_participation(0, entry_date=dt.date(2019, 8, 31)),
        ProblemCode.PARTICIPATION_BEFORE_ACTION,
        "p-1",
        "participations[0].entry_date",
    ),
    (
        "participation after its action",
        lambda: _with_participation(1, entry_date=dt.date(2024, 1, 1)),
        ProblemCode.PARTICIPATION_AFTER_ACTION,
        "p-2",
        "participations[1].entry_date",
    ),
    (
        "report outside its action",
        lambda: attrs.evolve(
            DATASET, reports=(attrs.evolve(REPORTS[0], period=Period.year(2024)),)
        ),
        ProblemCode.REPORT_OUTSIDE_ACTION,
        "r-2020",
        "reports[0].period",
    ),
    (
        "spent above committed",
        lambda: _with_action(
            0, 1, funding=(attrs.evolve(HOUSING.funding[0], spent=Decimal("40000.01")),)
        ),
        ProblemCode.SPENT_ABOVE_COMMITTED,
        "grenoble-ctair",
        "contracts[0].actions[1].funding[0].spent",
    ),
    (
        "spent above committed on a line added by an avenant",
        lambda: _with_avenant(
            funding_added=(
                attrs.evolve(
                    AVENANT.funding_added[0],
                    funding=attrs.evolve(AVENANT.funding_added[0].funding, spent=Decimal("60000")),
                ),
            )
        ),
        ProblemCode.SPENT_ABOVE_COMMITTED,
        "grenoble-ctair",
        "contracts[0].amendments[0].funding_added[0].funding.spent",
    ),
]


@pytest.mark.parametrize(
    ("make", "code", "record", "field"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_problem_is_reported_with_its_code_record_and_path(
    make: Callable[[], Dataset], code: ProblemCode, record: str, field: str
) -> None:
    """One fault gives exactly one error, with its stable code, its record and its field path."""
    problems = make().validate()
    assert _where(problems) == [(code, record, field)]
    assert problems[0].severity is Severity.ERROR
    assert problems[0].message
    assert f"{record}:{field}: " in problems[0].format()
    assert problems[0].format().endswith(f"[{code.value}]")


def test_an_avenant_effective_before_the_signature_is_a_warning() -> None:
    """An avenant taking effect before the contract was signed is reported as a warning."""
    problems = _with_avenant(effective_on=dt.date(2019, 6, 1)).validate()
    assert _where(problems) == [
        (
            ProblemCode.AMENDMENT_BEFORE_SIGNATURE,
            "grenoble-ctair",
            "contracts[0].amendments[0].effective_on",
        )
    ]
    assert problems[0].severity is Severity.WARNING
    assert problems[0].value == "'2019-06-01'"


def test_actions_may_run_within_the_prolongation() -> None:
    """An action running into the period added by an avenant is within the contract."""
    dataset = _with_action(0, 1, period=Period(dt.date(2019, 9, 1), dt.date(2023, 12, 31)))
    assert dataset.validate() == []


def test_the_spent_problem_says_what_was_expected() -> None:
    """The spent-above-committed problem gives the amount spent and the ceiling."""
    dataset = _with_action(
        0, 1, funding=(attrs.evolve(HOUSING.funding[0], spent=Decimal("40000.01")),)
    )
    (problem,) = dataset.validate()
    assert problem.value == "'40000.01'"
    assert problem.expected == "at most 40000"
    assert "40000.01" in problem.message


def test_a_duplicate_party_is_called_a_party() -> None:
    """The duplicate-id message names the kind of record in plain English ("party id ...")."""
    dataset = attrs.evolve(DATASET, parties=(*PARTIES, PARTIES[3]))
    (problem,) = dataset.validate()
    assert problem.message.startswith("party id 'asso-accueil' is already used at parties[3].id")


def test_every_problem_is_reported_at_once() -> None:
    """Several faults in one dataset are all reported by a single validate() call."""
    faulty_housing = attrs.evolve(
        HOUSING,
        operators=("asso-inconnue",),
        funding=(attrs.evolve(HOUSING.funding[0], spent=Decimal("45000")),),
    )
    grenoble = attrs.evolve(
        GRENOBLE,
        actions=(FRENCH, faulty_housing),
        amendments=(attrs.evolve(AVENANT, effective_on=dt.date(2019, 6, 1)),),
    )
    dataset = attrs.evolve(
        DATASET,
        parties=(*PARTIES, PARTIES[0]),
        contracts=(grenoble, DIJON),
        participations=(
            attrs.evolve(PARTICIPATIONS[0], entry_date=dt.date(2019, 1, 1)),
            attrs.evolve(PARTICIPATIONS[1], action="gre-sport"),
        ),
    )
    assert sorted(_where(dataset.validate()), key=str) == sorted(
        [
            (ProblemCode.DUPLICATE_ID, "pref-38", "parties[4].id"),
            (
                ProblemCode.UNKNOWN_REFERENCE,
                "grenoble-ctair",
                "contracts[0].actions[1].operators[0]",
            ),
            (
                ProblemCode.SPENT_ABOVE_COMMITTED,
                "grenoble-ctair",
                "contracts[0].actions[1].funding[0].spent",
            ),
            (
                ProblemCode.AMENDMENT_BEFORE_SIGNATURE,
                "grenoble-ctair",
                "contracts[0].amendments[0].effective_on",
            ),
            (ProblemCode.PARTICIPATION_BEFORE_ACTION, "p-1", "participations[0].entry_date"),
            (ProblemCode.UNKNOWN_REFERENCE, "p-2", "participations[1].action"),
        ],
        key=str,
    )


def test_a_prolongation_ending_before_the_start_is_refused_or_reported() -> None:
    """An avenant ending the contract before its start is refused or reported, never a crash."""
    try:
        dataset = _with_avenant(new_end=dt.date(2018, 12, 31))
    except InvalidValueError as error:  # the contract itself may refuse such an avenant
        refused: InvalidValueError | None = error
    else:
        refused = None
    if refused is not None:
        assert refused.field == "amendments"
        return
    problems = dataset.validate()
    assert "contracts[0].amendments[0].new_end" in [p.field for p in problems]


@given(datasets())
def test_validate_never_raises(dataset: Dataset) -> None:
    """Any dataset that could be built, however inconsistent, gets a list of problems back."""
    problems = dataset.validate()
    assert all(isinstance(p, Problem) for p in problems)


@given(st.lists(amendments(), min_size=1, max_size=2))
def test_validate_never_raises_whatever_the_avenants(avenants: list[Amendment]) -> None:
    """Avenants of any dates and content are refused when built or reported, never a crash."""
    try:
        grenoble = attrs.evolve(GRENOBLE, amendments=tuple(avenants))
    except InvalidValueError:
        reject()
    problems = attrs.evolve(DATASET, contracts=(grenoble, DIJON)).validate()
    assert all(isinstance(p, Problem) for p in problems)


# -- fault injection on generated datasets ------------------------------------------------------


def _overspendings(dataset: Dataset) -> list[tuple[str, str, Dataset]]:
    """Every funding line of the initial actions, overspent by one cent: path, record, dataset."""
    found = []
    for ci, contract in enumerate(dataset.contracts):
        for ai, action in enumerate(contract.actions):
            for fi, line in enumerate(action.funding):
                over = attrs.evolve(line, spent=line.committed + Decimal("0.01"))
                actions = _replace(
                    contract.actions,
                    ai,
                    attrs.evolve(action, funding=_replace(action.funding, fi, over)),
                )
                contracts = _replace(dataset.contracts, ci, attrs.evolve(contract, actions=actions))
                found.append(
                    (
                        f"contracts[{ci}].actions[{ai}].funding[{fi}].spent",
                        contract.id,
                        attrs.evolve(dataset, contracts=contracts),
                    )
                )
    return found


@given(st.data())
def test_one_fault_in_a_sound_dataset_gives_exactly_one_problem(data: st.DataObject) -> None:
    """Breaking one rule in a sound dataset reports that rule, and only it, at the right path."""
    dataset = data.draw(consistent_datasets())
    faults = ["duplicate party"]
    if dataset.participations:
        faults.append("early participation")
    overspendings = _overspendings(dataset)
    if overspendings:
        faults.append("overspending")
    fault = data.draw(st.sampled_from(faults))
    if fault == "duplicate party":
        party = data.draw(st.sampled_from(dataset.parties))
        broken = attrs.evolve(dataset, parties=(*dataset.parties, party))
        expected = (ProblemCode.DUPLICATE_ID, party.id, f"parties[{len(dataset.parties)}].id")
    elif fault == "early participation":
        index = data.draw(st.integers(0, len(dataset.participations) - 1))
        participation = dataset.participations[index]
        action = dataset.action(participation.action)
        assert action is not None
        early = attrs.evolve(participation, entry_date=action.period.start - dt.timedelta(days=1))
        broken = attrs.evolve(
            dataset, participations=_replace(dataset.participations, index, early)
        )
        expected = (
            ProblemCode.PARTICIPATION_BEFORE_ACTION,
            participation.id,
            f"participations[{index}].entry_date",
        )
    else:
        path, record, broken = data.draw(st.sampled_from(overspendings))
        expected = (ProblemCode.SPENT_ABOVE_COMMITTED, record, path)
    assert _where(broken.validate()) == [expected]


# -- lookups ------------------------------------------------------------------------------------


def test_lookups_by_id() -> None:
    """Contracts, parties, territories and actions (avenants included) are found by id.

    Generated consistent datasets are looked up too, in test_consistent_datasets_have_no_problem.
    """
    assert DATASET.contract("grenoble-ctair") is GRENOBLE
    assert DATASET.contract("lyon") is None
    assert DATASET.party("diair") is PARTIES[2]
    assert DATASET.party("Diair") is None
    assert DATASET.territory("dep:38") is TERRITORIES[1]
    assert DATASET.territory("38") is None
    assert DATASET.territory("reg:84") is TERRITORIES[2]
    assert DATASET.action("gre-logement") is HOUSING
    assert DATASET.action("gre-agir") is AGIR
    assert DATASET.contract_of("gre-agir") is GRENOBLE
    assert DATASET.contract_of("dij-sante") is DIJON
    assert DATASET.action("gre-sport") is None
    assert DATASET.contract_of("gre-sport") is None


def test_lookups_return_the_first_of_repeated_ids() -> None:
    """When an id is repeated, lookups return the first record holding it."""
    other = attrs.evolve(PARTIES[2], name="Autre Diair")
    dataset = attrs.evolve(DATASET, parties=(*PARTIES, other))
    assert dataset.party("diair") is PARTIES[2]


def test_lookups_follow_evolve() -> None:
    """A dataset changed with evolve answers lookups from its new content, not a stale cache."""
    assert DATASET.party("asso-accueil") is PARTIES[3]
    renamed = attrs.evolve(PARTIES[3], id="asso-accueil-38")
    changed = attrs.evolve(DATASET, parties=(*PARTIES[:3], renamed))
    assert changed.party("asso-accueil") is None
    assert changed.party("asso-accueil-38") is renamed
    assert DATASET.party("asso-accueil") is PARTIES[3]
    assert changed != DATASET
    assert attrs.evolve(changed, parties=PARTIES) == DATASET


def test_a_report_after_its_action_was_closed_is_reported() -> None:
    """A report covering a semester that starts after an avenant closed its action is flagged."""
    closing = attrs.evolve(AVENANT, actions_closed=("gre-logement",))
    late = ActionReport(
        id="r-2023",
        action="gre-logement",
        period=Period.semester(2023, 1),
        counts=REPORTS[0].counts,
    )
    dataset = attrs.evolve(_with_contract(0, amendments=(closing,)), reports=(*REPORTS, late))
    assert _where(dataset.validate()) == [
        (ProblemCode.REPORT_OUTSIDE_ACTION, "r-2023", "reports[1].period")
    ]


def test_a_participant_living_in_an_unknown_commune_is_reported_with_a_geography() -> None:
    """With the official geography, a participant's commune of residence must exist."""
    from territoires import validate

    dataset = _with_participation(0, residence="38999")
    problems = validate(dataset)
    assert [(p.code, p.record, p.field) for p in problems] == [
        (ProblemCode.UNKNOWN_TERRITORY, "p-1", "participations[0].residence")
    ]
    assert validate(_with_participation(0, residence="38185")) == []  # Grenoble
