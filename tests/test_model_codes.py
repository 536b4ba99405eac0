"""Official codes: Luhn keys of SIREN and SIRET, INSEE commune codes, territory references."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import (
    DEPARTEMENTS,
    DOMAIN_COMMUNES,
    DOMAIN_SIRENS,
    LA_POSTE_SIREN,
    OVERSEAS_COLLECTIVITIES,
    REGIONS,
    commune_codes,
    luhn_key,
    sirens,
    sirets,
)
from territoires.model import codes


def _altered(code: str, position: int, shift: int) -> str:
    digit = (int(code[position]) + shift) % 10
    return code[:position] + str(digit) + code[position + 1 :]


# -- Luhn, SIREN, SIRET ---------------------------------------------------------------------------


def test_luhn_accepts_dijon_and_rejects_its_neighbour() -> None:
    """The Luhn check accepts Dijon Métropole's SIREN and rejects it with the last digit changed."""
    assert codes.luhn_ok("242100410")
    assert not codes.luhn_ok("242100411")


@pytest.mark.parametrize("siren", DOMAIN_SIRENS)
def test_every_siren_of_the_domain_is_valid(siren: str) -> None:
    """Every SIREN listed in domain.md §4 passes the SIREN check."""
    assert codes.is_siren(siren)


@pytest.mark.parametrize("siren", DOMAIN_SIRENS)
def test_every_one_digit_alteration_of_a_domain_siren_is_rejected(siren: str) -> None:
    """Changing any single digit of a real SIREN makes it invalid (a typo is always caught)."""
    altered = [_altered(siren, p, s) for p in range(9) for s in range(1, 10)]
    assert [a for a in altered if codes.is_siren(a)] == []


@given(sirens(), st.integers(0, 8), st.integers(1, 9))
def test_one_digit_alteration_of_any_siren_is_rejected(
    siren: str, position: int, shift: int
) -> None:
    """Any SIREN with one digit replaced by another fails the check."""
    assert codes.is_siren(siren)
    assert not codes.is_siren(_altered(siren, position, shift))


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_the_key_completes_any_eight_digits(payload: str) -> None:
    """For any 8 digits exactly one ninth digit makes a valid SIREN."""
    valid = [d for d in "0123456789" if codes.is_siren(payload + d)]
    assert valid == [luhn_key(payload)]


@pytest.mark.parametrize(
    "code",
    ["24210041", "2421004100", "24210041O", "２４２１００４１０", " 242100410", "", "000000000 "],
)
def test_malformed_sirens_are_rejected(code: str) -> None:
    """A SIREN must be exactly nine ASCII digits (no letter O, spaces or full-width digits)."""
    assert not codes.is_siren(code)


@given(sirets())
def test_generated_sirets_are_valid_and_carry_their_siren(siret: str) -> None:
    """A SIRET with valid keys passes, and its first nine digits form a valid SIREN."""
    assert codes.is_siret(siret)
    assert codes.is_siren(siret[:9])


@given(sirets(), st.integers(0, 13), st.integers(1, 9))
def test_one_digit_alteration_of_a_siret_is_rejected(siret: str, position: int, shift: int) -> None:
    """Any SIRET outside La Poste with one digit replaced fails the check."""
    altered = _altered(siret, position, shift)
    if altered.startswith(LA_POSTE_SIREN) or siret.startswith(LA_POSTE_SIREN):
        return
    assert not codes.is_siret(altered)


def test_la_poste_sirets_use_their_own_key() -> None:
    """La Poste establishments are valid when their digits sum to a multiple of 5."""
    assert codes.is_siret("35600000049837")
    assert not codes.is_siret("35600000049838")
    assert not codes.luhn_ok("35600000049837")


@pytest.mark.parametrize("code", ["2421004100001", "242100410000100", "2421004100001A", ""])
def test_malformed_sirets_are_rejected(code: str) -> None:
    """A SIRET must be exactly fourteen digits."""
    assert not codes.is_siret(code)


def test_a_siret_needs_a_valid_siren_part() -> None:
    """A 14-digit number passing Luhn as a whole is rejected when its SIREN part is invalid."""
    head = "2421004110000"  # SIREN part 242100411 has a wrong key
    siret = head + luhn_key(head)
    assert codes.luhn_ok(siret)
    assert not codes.is_siret(siret)


# -- INSEE codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2A004", True),  # Ajaccio
        ("2B033", True),  # Bastia
        ("20004", False),  # département 20 no longer exists
        ("97411", True),  # Saint-Denis, La Réunion
        ("97611", True),  # Mamoudzou, Mayotte
        ("98735", True),  # Papeete
        ("6912", False),
        ("691230", False),
        ("69123", True),
        ("00123", False),
        ("96001", False),
        ("2C004", False),
        ("2a004", False),
        ("97911", False),
    ],
)
def test_commune_code_shapes(code: str, expected: bool) -> None:
    """Commune codes have 5 characters with an existing département prefix (2A/2B for Corsica)."""
    assert codes.is_commune_code(code) is expected


@pytest.mark.parametrize("code", DOMAIN_COMMUNES)
def test_every_commune_of_the_domain_has_a_valid_code(code: str) -> None:
    """Every commune code of domain.md §4 has the shape of an INSEE commune code."""
    assert codes.is_commune_code(code)


@given(commune_codes(), st.integers(0, 4), st.sampled_from(["١", "٣", "੩", "３", "𝟗"]))
def test_commune_codes_with_non_ascii_digits_are_rejected(
    code: str, position: int, digit: str
) -> None:
    """A commune code holding a non-ASCII digit (Arabic-Indic, full-width...) is rejected."""
    altered = code[:position] + digit + code[position + 1 :]
    assert not codes.is_commune_code(altered)
    assert codes.reference_kind(altered) is None


def test_the_101_departements_are_known() -> None:
    """The 101 départements (01-19, 2A, 2B, 21-95, 971-974, 976) are département codes."""
    assert len(DEPARTEMENTS) == 101
    assert [d for d in DEPARTEMENTS if not codes.is_departement_code(d)] == []


@pytest.mark.parametrize("code", ["20", "00", "96", "2C", "1", "970", "979", "985", "2a"])
def test_non_departements_are_rejected(code: str) -> None:
    """Codes that name no département are rejected (Corsica is 2A and 2B, not 20)."""
    assert not codes.is_departement_code(code)


def test_the_regions_are_known() -> None:
    """The 18 régions and the overseas collectivities are région codes."""
    assert [r for r in REGIONS + OVERSEAS_COLLECTIVITIES if not codes.is_region_code(r)] == []


@pytest.mark.parametrize("code", ["05", "21", "69", "2A", "971", "1"])
def test_non_regions_are_rejected(code: str) -> None:
    """Département codes and unused numbers are not région codes."""
    assert not codes.is_region_code(code)


# -- territory references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        ("69123", "commune"),
        ("2A004", "commune"),
        ("200046977", "epci"),
        ("242100410", "epci"),
        ("dep:69", "departement"),
        ("dep:2A", "departement"),
        ("dep:971", "departement"),
        ("reg:84", "region"),
        ("reg:94", "region"),
        ("84", None),
        ("69", None),
        ("dep:20", None),
        ("dep:84x", None),
        ("reg:21", None),
        ("reg:", None),
        ("DEP:69", None),
        ("200046978", None),
        ("20004697", None),
        ("", None),
    ],
)
def test_reference_kind(reference: str, kind: str | None) -> None:
    """A reference names a commune, an EPCI (SIREN), a département (dep:) or a région (reg:)."""
    assert codes.reference_kind(reference) == kind
    assert codes.is_territory_reference(reference) is (kind is not None)


@given(
    st.one_of(
        commune_codes().map(lambda c: (c, "commune")),
        sirens().map(lambda c: (c, "epci")),
        st.sampled_from(DEPARTEMENTS + OVERSEAS_COLLECTIVITIES).map(
            lambda c: ("dep:" + c, "departement")
        ),
        st.sampled_from(REGIONS + OVERSEAS_COLLECTIVITIES).map(lambda c: ("reg:" + c, "region")),
    )
)
def test_reference_kind_of_generated_references(case: tuple[str, str]) -> None:
    """Every well-formed reference is recognised as the kind of territory it was built for."""
    reference, kind = case
    assert codes.reference_kind(reference) == kind


@given(st.sampled_from(DEPARTEMENTS))
def test_a_bare_departement_code_is_not_a_reference(code: str) -> None:
    """A département code needs its dep: prefix: alone it is not a territory reference."""
    assert codes.reference_kind(code) is None
