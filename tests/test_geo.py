"""Tests of territoires.geo: the bundled official geography (millésime 2026)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoires.exceptions import InvalidValueError, TerritoiresError, UnknownTerritoryError
from territoires.geo import Alias, AliasKind, Geography, get_geography, lookup, search
from territoires.geo._normalise import normalise, normalise_all
from territoires.model import Dataset, Territory, TerritoryKind
from territoires.model.dataset import Gazetteer

GEOGRAPHY = get_geography()
REFERENCES = GEOGRAPHY.references()
COMMUNES = GEOGRAPHY.references(kinds=[TerritoryKind.COMMUNE])
EPCI_KINDS = [kind for kind in TerritoryKind if kind.is_epci]
DATA = Path(__file__).resolve().parent.parent / "src" / "territoires" / "geo" / "_data"

# The 18 territories of the seed (domain.md §4): reference, kind, name.
SEED = [
    ("29019", TerritoryKind.COMMUNE, "Brest"),
    ("242900314", TerritoryKind.METRO, "Brest Métropole"),
    ("21231", TerritoryKind.COMMUNE, "Dijon"),
    ("242100410", TerritoryKind.METRO, "Dijon Métropole"),
    ("200046977", TerritoryKind.MET69, "Métropole de Lyon"),
    ("200040715", TerritoryKind.METRO, "Grenoble-Alpes-Métropole"),
    ("44109", TerritoryKind.COMMUNE, "Nantes"),
    ("31555", TerritoryKind.COMMUNE, "Toulouse"),
    ("35238", TerritoryKind.COMMUNE, "Rennes"),
    ("243500139", TerritoryKind.METRO, "Rennes Métropole"),
    ("243300316", TerritoryKind.METRO, "Bordeaux Métropole"),
    ("63113", TerritoryKind.COMMUNE, "Clermont-Ferrand"),
    ("245400676", TerritoryKind.METRO, "Métropole du Grand Nancy"),
    ("67482", TerritoryKind.COMMUNE, "Strasbourg"),
    ("13055", TerritoryKind.COMMUNE, "Marseille"),
    ("37261", TerritoryKind.COMMUNE, "Tours"),
    ("25056", TerritoryKind.COMMUNE, "Besançon"),
    ("86194", TerritoryKind.COMMUNE, "Poitiers"),
    ("76351", TerritoryKind.COMMUNE, "Le Havre"),
    ("200023414", TerritoryKind.METRO, "Métropole Rouen Normandie"),
    ("243400017", TerritoryKind.METRO, "Montpellier Méditerranée Métropole"),
]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ids(territories: list[Territory]) -> list[str]:
    return [territory.id for territory in territories]


# -- the seed and the real cases of domain.md ------------------------------------------------


@pytest.mark.parametrize(("reference", "kind", "name"), SEED)
def test_seed_territories_resolve(reference: str, kind: TerritoryKind, name: str) -> None:
    """Every territory of the seed resolves to its official kind and name."""
    territory = GEOGRAPHY.get(reference)
    assert (territory.id, territory.kind, territory.name) == (reference, kind, name)
    assert territory.population is not None
    assert territory.population > 50_000


def test_dijon_metropole_contains_dijon() -> None:
    """Dijon Métropole is a METRO, Dijon's EPCI, and holds Dijon among its members."""
    metropole = GEOGRAPHY.get("242100410")
    assert metropole.kind is TerritoryKind.METRO
    assert GEOGRAPHY.epci_of("21231") == metropole
    assert "21231" in ids(GEOGRAPHY.members("242100410"))
    assert GEOGRAPHY.get("21231").parents == ("242100410", "dep:21", "reg:27")
    assert GEOGRAPHY.is_within("21231", "242100410")


def test_metropole_de_lyon_is_met69_with_lyon_and_villeurbanne() -> None:
    """The Métropole de Lyon has its own kind MET69 and holds Lyon and Villeurbanne."""
    lyon = GEOGRAPHY.get("200046977")
    assert lyon.kind is TerritoryKind.MET69
    members = ids(GEOGRAPHY.members("200046977"))
    assert {"69123", "69266"} <= set(members)
    assert len(members) == 58
    assert ids(GEOGRAPHY.parents("69266")) == ["200046977", "dep:69", "reg:84"]
    assert GEOGRAPHY.is_within("200046977", "dep:69")


@pytest.mark.parametrize(
    ("epci", "commune"), [("200040715", "38185"), ("200023414", "76540"), ("243300316", "33063")]
)
def test_metropoles_contain_their_central_commune(epci: str, commune: str) -> None:
    """Grenoble, Rouen and Bordeaux métropoles are the EPCI of their central commune."""
    assert GEOGRAPHY.get(epci).kind is TerritoryKind.METRO
    epci_of = GEOGRAPHY.epci_of(commune)
    assert epci_of is not None
    assert epci_of.id == epci


def test_corsican_commune() -> None:
    """Ajaccio 2A004 lies in Corse-du-Sud and Corse; its pre-1976 code 20004 is an alias."""
    ajaccio = GEOGRAPHY.get("2A004")
    assert ajaccio.parents[-2:] == ("dep:2A", "reg:94")
    assert GEOGRAPHY.lookup("20004") == ajaccio
    assert GEOGRAPHY.alias("20004") == Alias(code="20004", kind=AliasKind.FORMER, current="2A004")
    assert ids(GEOGRAPHY.members("reg:94")) == ["dep:2A", "dep:2B"]


def test_overseas_communes() -> None:
    """Saint-Denis de La Réunion is in the CINOR, dep 974 and région 04; COM are their own."""
    assert GEOGRAPHY.get("97411").parents == ("249740119", "dep:974", "reg:04")
    miquelon = GEOGRAPHY.get("97501")
    assert miquelon.parents == ("dep:975", "reg:975")
    assert GEOGRAPHY.epci_of("97501") is None
    assert GEOGRAPHY.population("98411") is None  # uninhabited: no population


def test_paris_arrondissement_within_paris() -> None:
    """The 1st arrondissement has Paris as nearest parent and lies within Paris and beyond."""
    first = GEOGRAPHY.get("75101")
    assert first.kind is TerritoryKind.COMMUNE
    assert first.parents == ("75056", "200054781", "dep:75", "reg:11")
    assert GEOGRAPHY.is_within("75101", "75056")
    assert GEOGRAPHY.is_within("75101", "reg:11")
    assert not GEOGRAPHY.is_within("75056", "75101")
    assert len(GEOGRAPHY.members("75056")) == 20
    assert GEOGRAPHY.epci_of("75101") == GEOGRAPHY.get("200054781")


def test_plaine_commune_is_an_ept_within_the_grand_paris() -> None:
    """Plaine Commune is an EPT, Saint-Denis's nearest parent, within the Grand Paris."""
    plaine = GEOGRAPHY.get("200057867")
    assert plaine.kind is TerritoryKind.EPT
    assert plaine.parents == ("200054781", "dep:93", "reg:11")
    assert GEOGRAPHY.get("93066").parents == ("200057867", "200054781", "dep:93", "reg:11")
    assert GEOGRAPHY.epci_of("93066") == GEOGRAPHY.get("200054781")
    assert GEOGRAPHY.is_within("200057867", "200054781")
    assert "93066" in ids(GEOGRAPHY.members("200057867"))


def test_fontenay_sous_bois_in_the_grand_paris() -> None:
    """Fontenay-sous-Bois (94033) is a member of the Métropole du Grand Paris (domain.md §5.1)."""
    assert GEOGRAPHY.is_within("94033", "200054781")


# -- populations ------------------------------------------------------------------------------


def test_city_population_is_the_sum_of_its_arrondissements() -> None:
    """In this millésime, Paris, Lyon and Marseille count exactly their arrondissements."""
    for city in ("75056", "69123", "13055"):
        arrondissements = GEOGRAPHY.members(city)
        assert GEOGRAPHY.population(city) == sum(t.population or 0 for t in arrondissements)


def test_departement_population_does_not_count_arrondissements_twice() -> None:
    """Paris the département has exactly the population of Paris the commune."""
    assert GEOGRAPHY.population("dep:75") == GEOGRAPHY.population("75056") == 2_103_778


def test_region_population_is_the_sum_of_its_departements() -> None:
    """A région's population is the sum of its départements'."""
    departements = GEOGRAPHY.members("reg:84")
    assert GEOGRAPHY.population("reg:84") == sum(t.population or 0 for t in departements)


def test_epci_population_is_the_dgcl_figure() -> None:
    """An EPCI's population is the DGCL's populationMunicipale, not a sum of the communes'."""
    assert GEOGRAPHY.population("200046977") == 1_433_613


# -- lookups, errors and suggestions ----------------------------------------------------------


@pytest.mark.parametrize("reference", ["", "dep:", "reg:", "dep:20", "69", "abc", "242100411"])
def test_lookup_of_unknown_or_malformed_references_is_none(reference: str) -> None:
    """Malformed or unknown references give None, never an exception."""
    assert GEOGRAPHY.lookup(reference) is None
    assert reference not in GEOGRAPHY


def test_get_unknown_raises_with_suggestions() -> None:
    """get() of an unknown SIREN raises UnknownTerritoryError suggesting the near SIREN."""
    with pytest.raises(UnknownTerritoryError) as caught:
        GEOGRAPHY.get("242100411")
    assert caught.value.suggestions == ("Dijon Métropole (242100410)",)
    assert "did you mean Dijon Métropole (242100410)?" in str(caught.value)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("242100411", "Dijon Métropole (242100410)"),
        ("69", "Rhône (dep:69)"),
        ("84", "Auvergne-Rhône-Alpes (reg:84)"),
        ("2a004", "Ajaccio (2A004)"),
        ("DEP:2a", "Corse-du-Sud (dep:2A)"),
        ("dep:20", "Haute-Corse (dep:2B)"),
        ("216901231", "Lyon (69123)"),  # the commune's SIREN instead of its INSEE code
        ("6912", "Lyon (69123)"),
        ("Clermont-Ferand", "Clermont-Ferrand (63113)"),
        ("villeurbane", "Villeurbanne (69266)"),
    ],
)
def test_suggest_finds_what_was_meant(reference: str, expected: str) -> None:
    """Suggestions for common mistakes include the territory that was meant."""
    assert expected in GEOGRAPHY.suggest(reference)


def test_suggest_for_a_code_prefers_the_same_departement() -> None:
    """A mistyped commune code suggests communes of the same département first."""
    suggestions = GEOGRAPHY.suggest("69384")
    assert suggestions[0] == "Lyon 3e Arrondissement (69383)"
    assert all(s.endswith(")") and "(69" in s for s in suggestions)


def test_epci_of_rejects_non_communes_and_knows_communes_without_epci() -> None:
    """epci_of() is for communes; the four island communes belong to no EPCI."""
    with pytest.raises(InvalidValueError):
        GEOGRAPHY.epci_of("dep:69")
    with pytest.raises(UnknownTerritoryError):
        GEOGRAPHY.epci_of("99999")
    for island in ("22016", "29083", "29155", "85113"):
        assert GEOGRAPHY.epci_of(island) is None


def test_aliases_give_the_current_commune() -> None:
    """Former and delegated codes look up their current commune and say why."""
    alias = GEOGRAPHY.alias("55273")
    assert alias is not None
    assert alias.kind is AliasKind.ASSOCIATED
    assert alias.name == "Lamarche-en-Woëvre"
    assert GEOGRAPHY.get("55273").id == alias.current == "55386"
    assert GEOGRAPHY.alias("01015") is None  # current code, shared with a commune déléguée
    assert GEOGRAPHY.alias("69123") is None
    assert GEOGRAPHY.is_within("20004", "dep:2A")


# -- memberships and containment --------------------------------------------------------------


def test_members_of_each_kind() -> None:
    """Members are communes of EPCI and départements, départements of régions, by code."""
    departement = ids(GEOGRAPHY.members("dep:69"))
    assert departement == sorted(departement)
    assert all(code.startswith("69") for code in departement)
    assert "69381" not in departement  # arrondissements are not communes of the département
    assert ids(GEOGRAPHY.members("reg:84"))[:2] == ["dep:01", "dep:03"]
    assert GEOGRAPHY.members("69381") == []
    assert GEOGRAPHY.members("21231") == []


def test_epci_over_two_departements_is_within_neither() -> None:
    """An EPCI spanning two départements has both as parents but lies within neither."""
    aire = GEOGRAPHY.get("200030435")  # CC d'Aire-sur-l'Adour, Landes and Gers
    assert aire.parents == ("dep:40", "dep:32", "reg:75", "reg:76")
    assert not GEOGRAPHY.is_within("200030435", "dep:40")
    assert not GEOGRAPHY.is_within("200030435", "reg:75")
    assert any(GEOGRAPHY.is_within(m.id, "dep:32") for m in GEOGRAPHY.members("200030435"))


def test_is_within_between_areas() -> None:
    """Départements lie within their région, not the other way round; unknowns within nothing."""
    assert GEOGRAPHY.is_within("dep:69", "reg:84")
    assert not GEOGRAPHY.is_within("reg:84", "dep:69")
    assert GEOGRAPHY.is_within("reg:84", "reg:84")
    assert GEOGRAPHY.is_within("dep:975", "reg:975")
    assert GEOGRAPHY.is_within("reg:975", "dep:975")
    assert not GEOGRAPHY.is_within("99999", "reg:84")
    assert not GEOGRAPHY.is_within("69123", "99999")
    assert not GEOGRAPHY.is_within("69123", "dep:38")


def test_epci_parents_are_its_departements_then_regions() -> None:
    """The parents of the Métropole du Grand Paris are its départements, most members first."""
    parents = GEOGRAPHY.get("200054781").parents
    assert parents[0] == "dep:94"
    assert parents[-1] == "reg:11"
    assert set(parents) == {"dep:75", "dep:91", "dep:92", "dep:93", "dep:94", "dep:95", "reg:11"}


# -- search -----------------------------------------------------------------------------------


def test_search_clermont_ferrand_brings_its_metropole() -> None:
    """Clermont-Ferrand comes first, followed by its EPCI whose name does not match."""
    found = ids(search("clermont ferrand"))
    assert found[:2] == ["63113", "246300701"]


def test_search_saint_etienne() -> None:
    """Saint-Étienne is found first, with or without accents and abbreviations."""
    for query in ("Saint-Étienne", "saint etienne", "ST ETIENNE", "st-étienne"):
        assert ids(search(query))[:2] == ["42218", "244200770"]


def test_search_lyon() -> None:
    """Lyon finds the commune, then the Métropole de Lyon."""
    assert ids(search("lyon"))[:2] == ["69123", "200046977"]


def test_search_options() -> None:
    """Kinds filter the results, limit caps them, a reference is found, empty finds nothing."""
    only_epci = search("lyon", kinds=EPCI_KINDS)
    assert only_epci
    assert all(t.kind.is_epci for t in only_epci)
    assert ids(search("rhone", kinds=[TerritoryKind.DEPARTEMENT], limit=1)) == ["dep:69"]
    assert len(search("saint", limit=3)) == 3
    assert search("lyon", limit=0) == []
    assert search("   ") == []
    assert ids(search("2a004"))[0] == "2A004"


def test_search_finds_communes_deleguees_by_name() -> None:
    """A commune déléguée's name finds the commune nouvelle it belongs to."""
    assert ids(search("Arbignieu"))[0] == "01015"


def test_search_tolerates_a_typo() -> None:
    """One typo per word still finds the place."""
    assert ids(search("Clermont-Ferand"))[0] == "63113"
    assert ids(search("marseile"))[0] == "13055"


# -- the module and the vintage ---------------------------------------------------------------


def test_vintage_and_source() -> None:
    """The vintage names the package, version and millésime; the source names the licence."""
    assert GEOGRAPHY.vintage == "@etalab/decoupage-administratif 6.0.0 (millésime 2026)"
    assert "Licence Ouverte 2.0" in GEOGRAPHY.source.note
    assert GEOGRAPHY.source.url == "https://github.com/datagouv/decoupage-administratif"


def test_counts_match_the_millesime() -> None:
    """The bundle holds every territory of the millésime (DGCL and INSEE counts)."""
    counts = {kind: len(GEOGRAPHY.references(kinds=[kind])) for kind in TerritoryKind}
    assert counts == {
        TerritoryKind.COMMUNE: 34_969 + 45,
        TerritoryKind.CC: 989,
        TerritoryKind.CA: 230,
        TerritoryKind.CU: 14,
        TerritoryKind.METRO: 21,
        TerritoryKind.MET69: 1,
        TerritoryKind.EPT: 11,
        TerritoryKind.DEPARTEMENT: 109,
        TerritoryKind.REGION: 26,
    }


def test_module_shortcuts_share_one_geography() -> None:
    """get_geography() is loaded once; lookup and search use it."""
    assert get_geography() is GEOGRAPHY
    assert lookup("69123") is GEOGRAPHY.lookup("69123")


def test_importing_loads_nothing() -> None:
    """Importing territoires.geo reads no data until a geography is asked for."""
    code = "import territoires.geo as g; print(g._bundled.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_geography_from_a_directory(tmp_path: Path) -> None:
    """A geography loads from a directory; data of another format is refused with a hint."""
    assert Geography(DATA).lookup("69123") == GEOGRAPHY.lookup("69123")
    for name in ("vintage.json", "aliases.json.gz"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "geography.json.gz").write_bytes(gzip.compress(json.dumps({"format": 2}).encode()))
    with pytest.raises(TerritoiresError, match="update_geography"):
        Geography(tmp_path)


def test_geography_validates_a_dataset() -> None:
    """As a Gazetteer, the geography lets a dataset check its declared territories."""
    gazetteer: Gazetteer = GEOGRAPHY
    right = Territory(code="21231", kind=TerritoryKind.COMMUNE, name="Dijon")
    wrong = Territory(code="242100410", kind=TerritoryKind.CA, name="Dijon Métropole")
    assert Dataset(territories=(right,)).validate(geography=gazetteer) == []
    problems = Dataset(territories=(wrong,)).validate(geography=gazetteer)
    assert len(problems) == 1
    assert "métropole" in problems[0].message.lower()


# -- properties -------------------------------------------------------------------------------

references = st.sampled_from(REFERENCES)
communes = st.sampled_from(COMMUNES)


@given(references)
def test_lookup_round_trips_through_id(reference: str) -> None:
    """Every territory found by reference has that reference as id, and finds itself again."""
    territory = GEOGRAPHY.get(reference)
    assert territory.id == reference
    assert GEOGRAPHY.lookup(territory.id) is territory


@given(communes)
def test_commune_parents_resolve_and_contain_it(reference: str) -> None:
    """Every parent of a commune resolves, contains it, and the commune contains itself."""
    assert GEOGRAPHY.is_within(reference, reference)
    for parent in GEOGRAPHY.get(reference).parents:
        assert GEOGRAPHY.lookup(parent) is not None
        assert GEOGRAPHY.is_within(reference, parent)
        assert not GEOGRAPHY.is_within(parent, reference)


@given(references)
def test_members_lie_within_their_container(reference: str) -> None:
    """Every member of a territory lies within it."""
    for member in GEOGRAPHY.members(reference)[:50]:
        assert GEOGRAPHY.is_within(member.id, reference)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(communes, st.sampled_from([str.upper, str.lower, strip_accents, str.title]))
def test_search_ignores_case_and_accents(reference: str, transform: Callable[[str], str]) -> None:
    """Searching a real name gives the same results whatever its case or accents."""
    name = GEOGRAPHY.get(reference).name
    expected = search(name)
    assert search(transform(name)) == expected
    assert search(name.replace("-", " ").replace("'", " ")) == expected
    assert normalise(expected[0].name) == normalise(name)  # an exact name ranks first


codeish = st.text(alphabet="0123456789ABab", min_size=1, max_size=10)


@given(st.one_of(codeish, st.builds("dep:{}".format, codeish), st.text(max_size=20)))
def test_suggest_never_returns_the_unknown_reference(reference: str) -> None:
    """Suggestions for an unknown reference are other, known territories."""
    if GEOGRAPHY.lookup(reference) is not None:
        return
    for suggestion in GEOGRAPHY.suggest(reference):
        suggested = suggestion.rsplit("(", 1)[1].rstrip(")")
        assert suggested != reference
        assert GEOGRAPHY.lookup(suggested) is not None


@given(st.lists(st.text(max_size=30), max_size=8))
def test_normalising_many_names_equals_one_by_one(texts: list[str]) -> None:
    """The bulk normalisation of the search index agrees with normalising each name."""
    assert normalise_all(texts) == [normalise(text) for text in texts]
