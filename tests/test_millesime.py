"""Territory codes and their millésime: the bundled COG year, and codes merged since."""

from __future__ import annotations

import io
import json
from pathlib import Path

import attrs
import pytest

import territoires
from hostile_inputs_text import brest_dataset
from territoires import cli
from territoires.geo import get_geography
from territoires.model.enums import TerritoryKind
from territoires.problems import ProblemCode, Severity

DATA = Path(__file__).resolve().parent.parent / "src" / "territoires" / "geo" / "_data"

# Annecy-le-Vieux (74011) became a commune déléguée of Annecy (74010) on 1 January 2017,
# when the commune nouvelle of Annecy was created (INSEE COG, aliases.json.gz).
OLD, NEW = "74011", "74010"


def _annecy_le_vieux_dataset() -> territoires.Dataset:
    """Brest's contract of the demo moved onto the pre-2017 code of Annecy-le-Vieux."""
    dataset = brest_dataset()
    (contract,) = dataset.contracts
    old = territoires.Territory(
        code=OLD, kind=TerritoryKind.COMMUNE, name="Annecy-le-Vieux", millesime=2016
    )
    return attrs.evolve(
        dataset,
        territories=(old,),
        contracts=(attrs.evolve(contract, territory=OLD),),
    )


def test_the_geography_says_its_millesime() -> None:
    """Geography.millesime is the COG year recorded with the bundled data."""
    about = json.loads((DATA / "vintage.json").read_text(encoding="utf-8"))
    geography = get_geography()
    assert geography.millesime == about["millesime"] == 2026
    assert f"millésime {geography.millesime}" in geography.vintage


def test_geo_prints_the_millesime() -> None:
    """`territoires geo` says which millésime it searched, in text and in JSON."""
    out = io.StringIO()
    assert cli.main(["geo", "annecy", "--limit", "1"], out=out) == 0
    assert "(millésime 2026)" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["geo", "annecy", "--format", "json", "--limit", "1"], out=out) == 0
    assert json.loads(out.getvalue())["millesime"] == 2026


def test_the_alias_of_a_merged_commune_is_real() -> None:
    """The bundled aliases map Annecy-le-Vieux's code to Annecy (the case the tests rely on)."""
    geography = get_geography()
    alias = geography.alias(OLD)
    assert alias is not None
    assert alias.current == NEW
    assert alias.name == "Annecy-le-Vieux"
    assert geography.lookup(OLD) == geography.lookup(NEW)


def test_a_territory_records_the_millesime_of_its_code(tmp_path: Path) -> None:
    """The millésime of a territory's code is written and read back by the JSON format."""
    dataset = _annecy_le_vieux_dataset()
    path = territoires.dump(dataset, tmp_path / "d.json")
    assert json.loads(path.read_text(encoding="utf-8"))["territories"][0]["millesime"] == 2016
    assert territoires.load(path).territories[0].millesime == 2016


def test_an_implausible_millesime_is_refused() -> None:
    """A millésime outside the years of the policy is an invalid value."""
    with pytest.raises(territoires.TerritoiresError):
        territoires.Territory(code=OLD, kind=TerritoryKind.COMMUNE, name="X", millesime=17)


def test_validate_warns_about_a_merged_commune_and_names_the_new_one() -> None:
    """A declared territory whose code has merged gets one former-code warning, not an error."""
    problems = territoires.validate(_annecy_le_vieux_dataset())
    former = [p for p in problems if p.code is ProblemCode.FORMER_CODE]
    assert len(former) == 1, problems
    (problem,) = former
    assert problem.severity is Severity.WARNING
    assert problem.record == OLD
    assert problem.value == repr(OLD)
    assert problem.expected == NEW
    assert "Annecy" in problem.message
    assert "2026" in problem.message
    assert not [p for p in problems if p.severity is Severity.ERROR], problems


def test_validate_command_shows_the_former_code_warning(tmp_path: Path) -> None:
    """`territoires validate` prints the warning with old code, new code and millésime; exit 0."""
    path = territoires.dump(_annecy_le_vieux_dataset(), tmp_path / "d.json")
    out = io.StringIO()
    assert cli.main(["validate", str(path)], out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert OLD in text
    assert NEW in text
    assert "2026" in text


def test_a_current_code_gets_no_former_code_warning() -> None:
    """Annecy's own code raises no former-code warning."""
    dataset = _annecy_le_vieux_dataset()
    (contract,) = dataset.contracts
    current = attrs.evolve(dataset.territories[0], code=NEW, name="Annecy")
    dataset = attrs.evolve(
        dataset, territories=(current,), contracts=(attrs.evolve(contract, territory=NEW),)
    )
    problems = territoires.validate(dataset)
    assert not [p for p in problems if p.code is ProblemCode.FORMER_CODE]


def test_indicators_restricted_to_the_new_commune_include_the_old_code(tmp_path: Path) -> None:
    """`indicators --territory 74010` counts the contract recorded under Annecy-le-Vieux."""
    path = territoires.dump(_annecy_le_vieux_dataset(), tmp_path / "d.json")
    out = io.StringIO()
    args = ["indicators", str(path), "--territory", NEW, "--format", "json"]
    assert cli.main(args, out=out) == 0, out.getvalue()
    rows = json.loads(out.getvalue())["rows"]
    contracts = [r for r in rows if r["indicator"] == "contracts" and r["level"] == "contract"]
    assert contracts
    assert {(r["territory"], r["contract"]) for r in contracts} == {(OLD, "ctair-brest")}


# -- resolving a former code, and a millésime compared with the geography's -----------------------


def test_resolve_follows_the_alias_with_a_notice() -> None:
    """Annecy-le-Vieux (74011) became a commune déléguée of Annecy (74010) on 1 January 2017."""
    from territoires.geo import resolve

    found = resolve(OLD)
    assert found.current.code == NEW
    assert found.alias is not None
    assert found.millesime == get_geography().millesime
    assert found.notice("fr") == (
        f"{OLD} (commune déléguée Annecy-le-Vieux) n'est plus une commune du millésime "
        f"{found.millesime} : il désigne {NEW} Annecy"
    )
    current = resolve(NEW)
    assert current.alias is None
    assert current.notice() is None
    with pytest.raises(territoires.UnknownTerritoryError):
        resolve("74999")


def test_geo_prints_the_notice_of_a_former_code() -> None:
    out = io.StringIO()
    assert cli.main(["geo", OLD, "--lang", "en"], out=out) == 0
    assert "is no longer a commune of the 2026 millésime: it resolves to 74010 Annecy" in (
        out.getvalue()
    )
    out = io.StringIO()
    assert cli.main(["geo", OLD, "--format", "json"], out=out) == 0
    assert json.loads(out.getvalue())["notice"].startswith(f"{OLD} (commune déléguée")
    out = io.StringIO()
    assert cli.main(["geo", NEW, "--format", "json"], out=out) == 0
    assert json.loads(out.getvalue())["notice"] is None


def test_a_millesime_later_than_the_geographys_is_warned() -> None:
    dataset = _annecy_le_vieux_dataset()
    later = get_geography().millesime + 1
    current = territoires.Territory(
        code=NEW, kind=TerritoryKind.COMMUNE, name="Annecy", millesime=later
    )
    (contract,) = dataset.contracts
    dataset = attrs.evolve(
        dataset, territories=(current,), contracts=(attrs.evolve(contract, territory=NEW),)
    )
    (problem,) = [p for p in territoires.validate(dataset) if p.code is ProblemCode.MILLESIME_AHEAD]
    assert problem.severity is Severity.WARNING
    assert problem.field == "territories[0].millesime"
    assert f"COG {later}" in problem.message


def test_an_unknown_code_says_in_which_millesime_it_was_looked_up() -> None:
    dataset = _annecy_le_vieux_dataset()
    unknown = territoires.Territory(
        code="74999", kind=TerritoryKind.COMMUNE, name="Nulle part", millesime=2016
    )
    (contract,) = dataset.contracts
    dataset = attrs.evolve(
        dataset, territories=(unknown,), contracts=(attrs.evolve(contract, territory="74999"),)
    )
    messages = [
        p.message for p in territoires.validate(dataset) if p.code is ProblemCode.UNKNOWN_TERRITORY
    ]
    millesime = get_geography().millesime
    assert any("COG 2016" in m and f"COG {millesime}" in m for m in messages), messages
