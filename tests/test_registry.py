"""The registry of known contracts: rows checked against their sources' facts, and the loader.

The facts asserted here are those of the public sources the registry cites: the Diair's page of
6 May 2021 (the 18 territories, the founding text of the project), the Diair's signatures page
(Dijon signed on 12 June 2019; Grenoble and Clermont-Ferrand *scheduled* for 20 and 24 June),
France urbaine (kinds of signatory; Rennes still drafting in October 2019), the préfecture du
Gers (Grand Auch, 16 March 2024), Carcassonne Agglo (4 February 2025), the Ville de Millau
(signed, undated page), JSS (Fontenay-sous-Bois, 10 October 2025), tout-metz (Metz joined in
December 2022; avenant of 20 October 2023 signed by the Diair).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from territoires import cli, registry
from territoires.geo import get_geography
from territoires.model.enums import ContractKind, DatePrecision, PublicCategory, TerritoryKind
from territoires.registry import Reliability, SignatoryKind

# The founding text (Diair, 6 May 2021), word for word in its lists of territories.
SEED_2019 = (
    "Brest, Dijon, Lyon, Grenoble, Nantes, Toulouse, Rennes, Bordeaux, Clermont-Ferrand, "
    "Nancy et Strasbourg"
)
SEED_2021 = (
    "Marseille, Tours, Besançon, Poitiers et le Havre et les métropoles de Rouen et de Montpellier"
)


def _names(text: str) -> set[str]:
    for joiner in (" et les métropoles de ", " et de ", " et "):
        text = text.replace(joiner, ", ")
    return {name.strip().lower() for name in text.split(",")}


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace("ç", "c").replace("é", "e")


def test_the_eighteen_territories_of_the_founding_text_are_the_ctair_of_2019_and_2021() -> None:
    """11 territories in 2019 and 7 in 2021, exactly as the Diair named them."""
    ctair = [e for e in registry.entries() if e.kind is ContractKind.CTAIR]
    by_cohort = {
        year: {e.id.removeprefix("ctair-") for e in ctair if e.cohort == year}
        for year in (2019, 2021)
    }
    assert by_cohort[2019] == {_slug(n) for n in _names(SEED_2019)}
    assert by_cohort[2021] == {_slug(n) for n in _names(SEED_2021)}
    assert len(ctair) == 18
    assert [e.id for e in territoires.demo.seed_contracts()] == [e.id for e in ctair]


def test_the_later_contracts_are_in_the_registry() -> None:
    """The contracts signed after 2021 that the sources name: Metz to Gennevilliers."""
    later = {e.id: e for e in registry.entries() if e.kind is ContractKind.CTAI}
    assert set(later) == {
        "ctai-metz",
        "ctai-rhone",
        "ctai-grand-auch",
        "ctai-carcassonne",
        "ctai-millau",
        "ctai-fontenay-sous-bois",
        "ctai-gennevilliers",
    }
    assert later["ctai-grand-auch"].signed == territoires.ApproximateDate(
        dt.date(2024, 3, 16), DatePrecision.DAY
    )
    assert later["ctai-carcassonne"].signed.text() == "2025-02-04"
    assert later["ctai-fontenay-sous-bois"].signed.text() == "2025-10-10"
    assert later["ctai-metz"].signed.text() == "2022-12"
    assert later["ctai-metz"].signed.precision is DatePrecision.MONTH
    # Rhône: four parties issued a call for projects in 2023; no signing date was read.
    assert later["ctai-rhone"].signed.precision is DatePrecision.UNKNOWN
    assert set(later["ctai-rhone"].signatories) == {"200046977", "69123", "69266"}


def test_every_code_is_in_the_bundled_geography_with_the_kind_the_sources_say() -> None:
    """Each territory and signatory resolves; a métropole is an EPCI, a ville a commune."""
    geography = get_geography()
    epci = {TerritoryKind.METRO, TerritoryKind.MET69, TerritoryKind.CU}
    for e in registry.entries():
        territory = geography.lookup(e.territory)
        assert territory is not None, e.id
        kinds = [geography.get(code).kind for code in e.signatories]
        if e.signatory_kind is SignatoryKind.METROPOLE:
            assert kinds == [territory.kind], e.id
            assert territory.kind in epci, e.id
        elif e.signatory_kind in (SignatoryKind.VILLE, SignatoryKind.COMMUNE):
            assert kinds == [TerritoryKind.COMMUNE], e.id
            assert territory.kind is TerritoryKind.COMMUNE, e.id
        elif e.signatory_kind is SignatoryKind.AGGLOMERATION:
            assert kinds == [TerritoryKind.CA], e.id
        elif e.signatory_kind is SignatoryKind.VILLE_ET_METROPOLE:
            city, metropole = e.signatories
            assert geography.get(city).kind is TerritoryKind.COMMUNE
            assert city in {t.code for t in geography.members(metropole)}, e.id
        else:
            assert len(e.signatories) > 1, e.id


def test_scheduled_dates_are_not_signing_dates() -> None:
    """Grenoble (20 June 2019) and Clermont-Ferrand (24 June 2019) were announced, not signed."""
    for contract_id, day in (("ctair-grenoble", 20), ("ctair-clermont-ferrand", 24)):
        e = registry.entry(contract_id)
        assert e.scheduled == territoires.ApproximateDate(dt.date(2019, 6, day))
        assert e.signed.precision is DatePrecision.YEAR
        assert e.signed.text() == "2019"
    assert registry.entry("ctair-dijon").signed.text() == "2019-06-12"


def test_rennes_was_still_drafting_in_october_2019() -> None:
    """Its signing, known to the year 2019, cannot be before October 2019."""
    rennes = registry.entry("ctair-rennes")
    assert rennes.drafting.text() == "2019-10"
    earliest, latest = rennes.signed_between()
    assert earliest == dt.date(2019, 10, 1)
    assert latest == dt.date(2019, 12, 31)


def test_millau_is_signed_on_an_unknown_date_and_gennevilliers_not_known_signed() -> None:
    """Millau's page says "signé" without a date; Gennevilliers' source says "presented"."""
    millau = registry.entry("ctai-millau")
    assert millau.is_signed
    assert millau.signed.on is None
    assert millau.reliability is Reliability.LOW  # its dates come from a doubtful source
    gennevilliers = registry.entry("ctai-gennevilliers")
    assert not gennevilliers.is_signed


def test_the_diair_signs_only_where_a_source_says_so() -> None:
    """Only the Metz avenant of 20 October 2023 names the Diair among its signatories."""
    signing = [
        (e.id, a.signed.text()) for e in registry.entries() for a in e.amendments if a.diair_signs
    ]
    assert signing == [("ctai-metz", "2023-10-20")]
    assert not any(e.diair_signs for e in registry.entries())


def test_the_2019_ctair_public_is_refugees_and_subsidiary_protection() -> None:
    """Beneficiaries of international protection; stateless persons nowhere a source is silent."""
    bpi = frozenset({PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION})
    for e in registry.entries():
        if e.kind is ContractKind.CTAIR:
            assert e.public == bpi, e.id
        assert PublicCategory.STATELESS not in e.public, e.id


def test_every_source_has_its_address_date_read_and_reliability() -> None:
    """Each row cites where it comes from; a read date is a past month."""
    for e in registry.entries():
        assert e.sources, e.id
        for source in e.sources:
            assert source.url is None or source.url.startswith(("https://", "http://"))
            assert source.read.precision is DatePrecision.MONTH
            assert source.read.latest is not None
            assert source.read.earliest <= dt.date.today()
            assert source.facts
    addresses = {s.url for e in registry.entries() for s in e.sources}
    assert (
        "https://accueil-integration-refugies.fr/signatures-de-contrats-etat-metropoles-en-faveur-de-lintegration-des-refugies/"
        in addresses
    )


# -- the loader ----------------------------------------------------------------------------------

_GOOD = """
[[contract]]
id = "ctai-test"
name = "Test"
territory = "12145"
kind = "ctai"
signatory_kind = "ville"
signatories = ["12145"]
cohort = 2025
signed = "2025-10"
[[contract.source]]
url = "https://www.millau.fr/"
title = "A page"
read = "2026-11"
reliability = "high"
facts = "signed in October 2025"
"""


def _load(tmp_path: Path, text: str) -> tuple[registry.RegistryEntry, ...]:
    path = tmp_path / "contracts.toml"
    path.write_text(text, encoding="utf-8")
    return registry.load(path)


def test_a_registry_file_of_ones_own_loads(tmp_path: Path) -> None:
    (entry,) = _load(tmp_path, _GOOD)
    assert entry.signed.latest == dt.date(2025, 10, 31)
    assert entry.sources[0].to_source().url == "https://www.millau.fr/"


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (('signed = "2025-10"', 'signd = "2025-10"'), "ctai-test:signd", "did you mean 'signed'"),
        (('signed = "2025-10"', 'signed = "10/2025"'), "ctai-test:signed", "as precise as"),
        (('territory = "12145"', 'territory = "12999"'), "ctai-test:territory", "geography"),
        (("cohort = 2025", "cohort = 2026"), "ctai-test:signed", "before the cohort"),
        (('kind = "ctai"', 'kind = "cta"'), "ctai-test:kind", "did you mean 'ctai'"),
        (
            ('reliability = "high"', 'reliability = "sure"'),
            "ctai-test:source[0].reliability",
            "high",
        ),
        (
            ("cohort = 2025", 'cohort = 2025\ndrafting = "2025-11"'),
            "ctai-test:signed",
            "still drafted",
        ),
        (
            ("cohort = 2025", "cohort = 2025\ndiair_signs = true"),
            "ctai-test:diair_signs",
            "no source",
        ),
        (('signed = "2025-10"', 'scheduled = "2025-10-01"'), "ctai-test:signed", "scheduled"),
    ],
)
def test_a_wrong_row_is_a_problem_naming_file_contract_and_field(
    tmp_path: Path, change: tuple[str, str], where: str, words: str
) -> None:
    text = _GOOD.replace(*change)
    assert text != _GOOD
    with pytest.raises(territoires.DataError) as caught:
        _load(tmp_path, text)
    lines = [p.format() for p in caught.value.problems]
    assert any(f"contracts.toml:{where}:" in line and words in line for line in lines), lines


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """A duplicate id and a wrong date in another row: both reported."""
    wrong = _GOOD.replace('signed = "2025-10"', 'signed = "yesterday"').replace("-test", "-other")
    text = _GOOD + _GOOD + wrong
    with pytest.raises(territoires.DataError) as caught:
        _load(tmp_path, text)
    codes = sorted(p.code.value for p in caught.value.problems)
    assert codes == ["duplicate-id", "invalid-date"]


def test_a_file_that_is_not_toml_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(territoires.DataError) as caught:
        _load(tmp_path, "[[contract]\nid=")
    assert "not a TOML document" in caught.value.problems[0].message


# -- approximate dates ---------------------------------------------------------------------------

_APPROXIMATE = st.one_of(
    st.just(territoires.ApproximateDate(None, DatePrecision.UNKNOWN)),
    st.builds(
        territoires.ApproximateDate,
        st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)),
        st.sampled_from([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]),
    ),
)


@given(_APPROXIMATE)
def test_an_approximate_date_reads_back_what_it_writes(value: territoires.ApproximateDate) -> None:
    """``parse(text())`` keeps the precision and the bounds (the day is the first of them)."""
    back = territoires.ApproximateDate.parse(value.text())
    assert back.precision is value.precision
    assert (back.earliest, back.latest) == (value.earliest, value.latest)
    if value.on is not None:
        assert back.earliest <= value.on <= back.latest


@pytest.mark.parametrize("text", ["2019-6", "19", "2019-13", "2019-02-30", "june 2019", ""])
def test_an_approximate_date_refuses_other_texts(text: str) -> None:
    with pytest.raises(territoires.InvalidArgumentError, match="YYYY-MM-DD, YYYY-MM, YYYY"):
        territoires.ApproximateDate.parse(text)


# -- the command ---------------------------------------------------------------------------------


def test_the_registry_command_lists_every_contract(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert cli.main(["registry", "--format", "json"], out=out) == 0
    rows = json.loads(out.getvalue())["contracts"]
    assert len(rows) == len(registry.entries())
    grenoble = next(r for r in rows if r["id"] == "ctair-grenoble")
    assert (grenoble["signed"], grenoble["signed_precision"]) == ("2019", "year")
    assert grenoble["scheduled"] == "2019-06-20"
    out = io.StringIO()
    assert cli.main(["registry", "--id", "ctai-millau", "--lang", "en"], out=out) == 0
    text = out.getvalue()
    assert "date unknown" in text
    assert "https://www.millau.fr/" in text
    assert capsys.readouterr().err == ""


def test_the_registry_command_suggests_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert cli.main(["registry", "--id", "ctai-milau"], out=out) == 2
    err = capsys.readouterr().err
    assert "ctai-millau" in err
    assert "Traceback" not in err
    assert out.getvalue() == ""


def test_the_registry_command_reports_a_wrong_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_GOOD.replace("cohort = 2025", 'cohort = "2025"'), encoding="utf-8")
    out = io.StringIO()
    assert cli.main(["registry", str(path)], out=out) == 1
    err = capsys.readouterr().err
    assert f"{path}:ctai-test:cohort:" in err
    assert "Traceback" not in err
    assert out.getvalue() == ""
