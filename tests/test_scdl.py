"""Subsidies in the SCDL "subventions" 2.1.1 format: every export valid against the schema.

The facts of the format come from its documentation (schema.data.gouv.fr, SCDL subventions
2.1.1): the table below is written from that documentation, independently of the Table Schema
the package ships, and the schema is checked against it. Exports are validated with
frictionless, as data.gouv.fr validates a published file, plus the one-of-required check of
idBeneficiaire / rnaBeneficiaire that a Table Schema cannot express.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import territoires
from territoires import cli, demo
from territoires.model import (
    Action,
    AidNature,
    Contract,
    ContractKind,
    Dataset,
    Funding,
    FundingSource,
    Party,
    PartyKind,
    PaymentConditions,
    Period,
    PublicCategory,
    PublicScope,
    Theme,
)
from territoires.problems import ProblemCode
from territoires.subsidies import FIELDS, missing_identifier, schema, subsidies

frictionless = pytest.importorskip("frictionless")

# The SCDL "subventions" 2.1.1 documentation: field, type, required, constraint.
DOCUMENTED = [
    ("nomAttribuant", "string", True, None),
    ("idAttribuant", "string", True, r"^\d{14}$"),
    ("dateConvention", "date", True, None),
    ("referenceDecision", "string", False, None),
    ("nomBeneficiaire", "string", True, None),
    ("idBeneficiaire", "string", False, r"^\d{14}$"),
    ("rnaBeneficiaire", "string", False, r"^W\d{9}$"),
    ("objet", "string", True, None),
    ("montant", "number", True, None),
    ("nature", "string", True, None),
    ("conditionsVersement", "string", True, None),
    (
        "datesPeriodeVersement",
        "string",
        True,
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$",
    ),
    ("idRAE", "string", False, None),
    ("notificationUE", "boolean", True, None),
    ("pourcentageSubvention", "number", True, None),
    ("dispositifAide", "string", False, None),
]


def test_the_shipped_schema_says_what_the_documentation_says() -> None:
    fields = schema()["fields"]
    assert [f["name"] for f in fields] == [name for name, *_ in DOCUMENTED] == list(FIELDS)
    for field, (name, kind, required, pattern) in zip(fields, DOCUMENTED, strict=True):
        constraints = field.get("constraints", {})
        assert field["type"] == kind, name
        assert constraints.get("required", False) is required, name
        assert constraints.get("pattern") == pattern or pattern is None, name
    by_name = {f["name"]: f for f in fields}
    assert by_name["objet"]["constraints"]["maxLength"] == 255  # under 256 characters
    assert by_name["pourcentageSubvention"]["constraints"]["minimum"] == 0.01
    assert by_name["pourcentageSubvention"]["constraints"]["maximum"] == 1
    assert by_name["notificationUE"]["trueValues"] == ["oui"]
    assert by_name["notificationUE"]["falseValues"] == ["non"]
    assert by_name["idRAE"]["constraints"]["maxLength"] == 4  # under 5 characters


def _valid(path: Path) -> list[str]:
    """The errors frictionless finds in the CSV at ``path``, and the one-of-required check."""
    here = Path.cwd()
    os.chdir(path.parent)  # frictionless reads only relative, "safe" paths
    try:
        resource = frictionless.Resource(
            path=path.name, schema=frictionless.Schema.from_descriptor(schema())
        )
        report = frictionless.validate(resource)
    finally:
        os.chdir(here)
    errors = [str(e) for e in report.flatten(["rowNumber", "fieldName", "note"])]
    with path.open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream), start=2):
            if missing_identifier(row):
                errors.append(f"row {number}: neither idBeneficiaire nor rnaBeneficiaire")
    return errors


@pytest.fixture(scope="module")
def demo_data() -> Dataset:
    return demo.build(participations=0)


def test_the_demo_exports_valid_scdl(demo_data: Dataset, tmp_path: Path) -> None:
    table = subsidies(demo_data)
    assert len(table) > 100
    path = territoires.export(table, format="scdl", path=tmp_path / "subventions.csv")
    assert _valid(path) == []
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(FIELDS)
    # SIRET kept as its 14 digits, leading zeros included (a commune's synthetic number).
    assert all(len(r["idAttribuant"]) == 14 and r["idAttribuant"].isdigit() for r in rows)
    assert any(r["idAttribuant"].startswith("000") for r in rows)
    assert all("E+" not in r["idAttribuant"] for r in rows)
    # Only collectivités grant: no préfecture among the grantors.
    grantors = {r["nomAttribuant"] for r in rows}
    assert not any(name.startswith("Préfecture") for name in grantors)
    # Amounts with a decimal point, no grouping; ISO dates.
    assert all("," not in r["montant"] and " " not in r["montant"] for r in rows)
    assert all(dt.date.fromisoformat(r["dateConvention"]) for r in rows)


def test_only_the_lines_of_collectivites_to_operators_are_subsidies(demo_data: Dataset) -> None:
    parties = {p.id: p for p in demo_data.parties}
    table = subsidies(demo_data)
    expected = 0
    for contract in demo_data.contracts:
        final = contract.as_of(dt.date.max)
        for action in final.actions:
            for line in action.funding:
                if parties[line.funder].kind is not PartyKind.COLLECTIVITE:
                    continue
                if (line.beneficiary or action.operators[0]) == line.funder:
                    continue  # the collectivité's own coordination action
                expected += 1
    assert len(table) == expected
    assert sum(r.amount for r in table) == sum(
        line.committed
        for c in demo_data.contracts
        for a in c.as_of(dt.date.max).actions
        for line in a.funding
        if parties[line.funder].kind is PartyKind.COLLECTIVITE
        and (line.beneficiary or a.operators[0]) != line.funder
    )


# -- a subsidy by hand -----------------------------------------------------------------------------


def _siret(prefix: str) -> str:
    from territoires.model.codes import luhn_ok

    head = next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))
    return next(head + "0001" + d for d in "0123456789" if luhn_ok(head + "0001" + d))


GRANTOR = Party(
    id="ville", kind=PartyKind.COLLECTIVITE, name="Ville de Millau", siret=_siret("00012145")
)
ASSO = Party(id="asso", kind=PartyKind.ASSOCIATION, name="Association d'accueil", rna="W121000123")
ASSO_2 = Party(id="asso-2", kind=PartyKind.ASSOCIATION, name="Autre association", rna="W121000124")
STATE = Party(id="pref-12", kind=PartyKind.PREFECTURE, name="Préfecture (Aveyron)")
TERMS = Funding(
    funder="ville",
    source=FundingSource.COLLECTIVITE,
    year=2026,
    committed=Decimal("20000"),
    decision="2025-10-042",
    convention_on=dt.date(2025, 12, 1),
    payment_conditions=PaymentConditions.STAGED,
    payment_period=Period(dt.date(2026, 1, 15), dt.date(2026, 6, 15)),
    nature=frozenset({AidNature.CASH, AidNature.IN_KIND}),
    eu_notified=False,
)


def _millau(*lines: Funding, operators: tuple[str, ...] = ("asso",)) -> Dataset:
    action = Action(
        id="millau-francais",
        title="Ateliers de français",
        theme=Theme.FRENCH_LANGUAGE,
        period=Period(dt.date(2025, 10, 1), dt.date(2028, 9, 30)),
        operators=operators,
        funding=lines,
    )
    housing = attrs.evolve(action, id="millau-logement", theme=Theme.HOUSING, funding=())
    contract = Contract(
        id="ctai-millau",
        kind=ContractKind.CTAI,
        territory="12145",
        title="CTAI Millau",
        period=Period(dt.date(2025, 10, 1), dt.date(2028, 9, 30)),
        public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
        actions=(action, housing),
    )
    return Dataset(parties=(GRANTOR, ASSO, ASSO_2, STATE), contracts=(contract,))


def test_a_subsidy_row_says_every_field_as_the_format_writes_it() -> None:
    (subsidy,) = subsidies(_millau(TERMS))
    row = subsidy.row()
    assert row == {
        "nomAttribuant": "Ville de Millau",
        "idAttribuant": GRANTOR.siret,
        "dateConvention": "2025-12-01",
        "referenceDecision": "2025-10-042",
        "nomBeneficiaire": "Association d'accueil",
        "idBeneficiaire": "",
        "rnaBeneficiaire": "W121000123",
        "objet": "Ateliers de français",
        "montant": "20000",
        "nature": "aide en numéraire;aide en nature",
        "conditionsVersement": "échelonné",
        "datesPeriodeVersement": "2026-01-15/2026-06-15",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }
    assert subsidy.line == "contracts[0].actions[0].funding[0]"


def test_the_states_lines_are_no_collectivite_subsidy() -> None:
    state = attrs.evolve(TERMS, funder="pref-12", source=FundingSource.P104_ACTION_15)
    assert len(subsidies(_millau(TERMS, state))) == 1


@pytest.mark.parametrize(
    ("change", "field", "scdl"),
    [
        ({"convention_on": None}, "convention_on", "dateConvention"),
        ({"payment_conditions": None}, "payment_conditions", "conditionsVersement"),
        ({"payment_period": None}, "payment_period", "datesPeriodeVersement"),
        ({"eu_notified": None}, "eu_notified", "notificationUE"),
        ({"nature": frozenset()}, "nature", "nature"),
    ],
)
def test_a_missing_required_value_names_the_line_and_the_field(
    change: dict[str, object], field: str, scdl: str
) -> None:
    with pytest.raises(territoires.DataError) as caught:
        subsidies(_millau(attrs.evolve(TERMS, **change)))
    (problem,) = caught.value.problems
    assert problem.code is ProblemCode.SCDL_MISSING_VALUE
    assert problem.record == "ctai-millau"
    assert problem.field == f"contracts[0].actions[0].funding[0].{field}"
    assert problem.message.startswith(f"SCDL {scdl}:")


def test_the_parties_identifiers_are_required() -> None:
    no_siret = attrs.evolve(_millau(TERMS), parties=(attrs.evolve(GRANTOR, siret=None), ASSO))
    no_rna = attrs.evolve(_millau(TERMS), parties=(GRANTOR, attrs.evolve(ASSO, rna=None)))
    for dataset, scdl, where in (
        (no_siret, "idAttribuant", "parties[0].siret"),
        (no_rna, "idBeneficiaire", "parties[1].rna"),
    ):
        with pytest.raises(territoires.DataError) as caught:
            subsidies(dataset)
        (problem,) = caught.value.problems
        assert problem.message.startswith(f"SCDL {scdl}:")
        assert where in (problem.expected or "")


def test_several_operators_need_the_line_to_name_its_beneficiary() -> None:
    dataset = _millau(TERMS, operators=("asso", "asso-2"))
    with pytest.raises(territoires.DataError) as caught:
        subsidies(dataset)
    assert caught.value.problems[0].field == "contracts[0].actions[0].funding[0].beneficiary"
    named = _millau(attrs.evolve(TERMS, beneficiary="asso-2"), operators=("asso", "asso-2"))
    (subsidy,) = subsidies(named)
    assert subsidy.beneficiary == "Autre association"


def test_every_missing_value_is_reported_at_once() -> None:
    bare = Funding(
        funder="ville", source=FundingSource.COLLECTIVITE, year=2026, committed=Decimal(1)
    )
    with pytest.raises(territoires.DataError) as caught:
        subsidies(_millau(bare, bare))
    fields = [p.field.rsplit(".", 1)[1] for p in caught.value.problems]
    assert fields == 2 * [
        "convention_on",
        "payment_conditions",
        "payment_period",
        "eu_notified",
        "nature",
    ]


def test_a_title_of_256_characters_is_refused() -> None:
    """SCDL's objet is under 256 characters: a longer action title is a problem, not cut."""
    dataset = _millau(TERMS)
    (contract,) = dataset.contracts
    action = attrs.evolve(contract.actions[0], title="Ateliers " + "x" * 247)
    dataset = attrs.evolve(
        dataset, contracts=(attrs.evolve(contract, actions=(action, contract.actions[1])),)
    )
    with pytest.raises(territoires.DataError) as caught:
        subsidies(dataset)
    (problem,) = caught.value.problems
    assert problem.code is ProblemCode.SCDL_INVALID_VALUE
    assert problem.field == "contracts[0].actions[0].funding[0].objet"
    assert "over 255 characters" in problem.message


def test_a_title_a_spreadsheet_would_run_is_refused() -> None:
    dataset = _millau(TERMS)
    (contract,) = dataset.contracts
    action = attrs.evolve(contract.actions[0], title='=HYPERLINK("x")')
    dataset = attrs.evolve(
        dataset, contracts=(attrs.evolve(contract, actions=(action, contract.actions[1])),)
    )
    with pytest.raises(territoires.DataError) as caught:
        subsidies(dataset)
    assert [p.code for p in caught.value.problems] == [ProblemCode.SCDL_INVALID_VALUE]


# -- random subsidies -------------------------------------------------------------------------

_NAMES = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"], exclude_characters="\r\n"),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() and t.strip() == t and not t.startswith(("=", "+", "-", "@")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(_NAMES, min_size=3, max_size=3),
    amounts=st.lists(
        st.integers(0, 10**9).map(lambda c: Decimal(c).scaleb(-2)), min_size=1, max_size=4
    ),
    share=st.integers(1, 100).map(lambda n: Decimal(n).scaleb(-2)),
    single=st.booleans(),
    notified=st.booleans(),
    rna=st.booleans(),
)
def test_random_subsidies_export_valid_scdl(
    names: list[str],
    amounts: list[Decimal],
    share: Decimal,
    single: bool,
    notified: bool,
    rna: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    grantor = attrs.evolve(GRANTOR, name=names[0])
    operator = (
        attrs.evolve(ASSO, name=names[1])
        if rna
        else attrs.evolve(ASSO, name=names[1], rna=None, siret=_siret("00099999"))
    )
    lines = [
        attrs.evolve(
            TERMS,
            committed=amount,
            share=share,
            eu_notified=notified,
            payment_period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1))
            if single
            else TERMS.payment_period,
        )
        for amount in amounts
    ]
    dataset = attrs.evolve(_millau(*lines), parties=(grantor, operator, ASSO_2, STATE))
    contract = dataset.contracts[0]
    action = attrs.evolve(contract.actions[0], title=names[2])
    dataset = attrs.evolve(
        dataset, contracts=(attrs.evolve(contract, actions=(action, contract.actions[1])),)
    )
    folder = tmp_path_factory.mktemp("scdl")
    path = territoires.export(subsidies(dataset), format="scdl", path=folder / "s.csv")
    assert _valid(path) == []
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [Decimal(r["montant"]) for r in rows] == amounts
    assert {r["nomBeneficiaire"] for r in rows} == {names[1]}


# -- the command -----------------------------------------------------------------------------------


def test_the_command_writes_the_demo_subsidies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    target = tmp_path / "subventions.csv"
    code = cli.main(
        ["export", "--what", "subsidies", "--format", "scdl", "-o", str(target)], out=out
    )
    assert code == 0, capsys.readouterr().err
    assert "subventions" in out.getvalue()
    assert "données synthétiques" in out.getvalue()
    assert _valid(target) == []


def test_the_command_writes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = cli.main(
        ["export", "--what", "subsidies", "--format", "scdl", "-o", "-", "--lang", "en"], out=out
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    printed = out.getvalue() or captured.out
    assert printed.startswith(",".join(FIELDS))
    assert "wrote" in captured.err


def test_the_command_refuses_missing_values_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = Funding(
        funder="ville", source=FundingSource.COLLECTIVITE, year=2026, committed=Decimal(1)
    )
    source = territoires.dump(_millau(bare), tmp_path / "millau.json")
    target = tmp_path / "subventions.csv"
    out = io.StringIO()
    code = cli.main(
        ["export", str(source), "--what", "subsidies", "--format", "scdl", "-o", str(target)],
        out=out,
    )
    err = capsys.readouterr().err
    assert code == 1
    assert (
        "ctai-millau:contracts[0].actions[0].funding[0].convention_on: SCDL dateConvention" in err
    )
    assert "Traceback" not in err
    assert not target.exists()
    assert out.getvalue() == ""


def test_another_format_cannot_export_subsidies(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        ["export", "--what", "subsidies", "--format", "csv", "-o", "-"], out=io.StringIO()
    )
    assert code == 2
    assert "cannot export" in capsys.readouterr().err
