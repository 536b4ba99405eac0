"""Shapes and check digits of official codes: INSEE communes, départements, régions, SIREN, SIRET.

Shapes come from the INSEE Code officiel géographique as bundled by
``@etalab/decoupage-administratif`` (https://github.com/datagouv/decoupage-administratif);
the SIREN/SIRET check digit is the Luhn key, with La Poste's documented exception for its
establishments.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "REFERENCE_EXPECTED",
    "ReferenceKind",
    "is_commune_code",
    "is_departement_code",
    "is_region_code",
    "is_siren",
    "is_siret",
    "is_territory_reference",
    "luhn_ok",
    "reference_kind",
]

_COMMUNE = re.compile(
    r"(?:(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5])\d{3}"  # metropolitan, 20 no longer exists
    r"|2[AB]\d{3}"  # Corsica
    r"|97[1-8]\d{2}"  # overseas départements and Saint-Pierre, Saint-Barthélemy, Saint-Martin
    r"|98[4-9]\d{2})",  # other overseas collectivities
    re.ASCII,  # \d must not match Arabic-Indic or other Unicode digits
)
_DEPARTEMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B", "971", "972", "973", "974", "976"]
    + ["975", "977", "978", "984", "986", "987", "988", "989"]
)
_REGIONS = frozenset(
    [
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
        "975",
        "977",
        "978",
        "984",
        "986",
        "987",
        "988",
        "989",
    ]
)
_LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    """Return True when ``digits`` (a string of digits) passes the Luhn check.

    Example:
        >>> luhn_ok("242100410"), luhn_ok("242100411")
        (True, False)
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_commune_code(code: str) -> bool:
    """True when ``code`` has the shape of an INSEE commune code (``69123``, ``2A004``, ``97411``).

    Example:
        >>> is_commune_code("2A004"), is_commune_code("20004"), is_commune_code("6912")
        (True, False, False)
    """
    return _COMMUNE.fullmatch(code) is not None


def is_departement_code(code: str) -> bool:
    """True when ``code`` is an existing département code (``01``…``95``, ``2A``, ``971``…)."""
    return code in _DEPARTEMENTS


def is_region_code(code: str) -> bool:
    """True when ``code`` is an existing région code (``11``, ``84``, ``94``…)."""
    return code in _REGIONS


def is_siren(code: str) -> bool:
    """True when ``code`` is 9 digits with a valid Luhn key.

    Example:
        >>> is_siren("200046977"), is_siren("200046978"), is_siren("20004697")
        (True, False, False)
    """
    return len(code) == 9 and code.isascii() and code.isdigit() and luhn_ok(code)


def is_siret(code: str) -> bool:
    """True when ``code`` is 14 digits whose SIREN part and whole pass their keys.

    La Poste's establishments (SIREN 356000000) use a different key: the sum of the 14
    digits is a multiple of 5.
    """
    if not (len(code) == 14 and code.isascii() and code.isdigit()):
        return False
    if code.startswith(_LA_POSTE_SIREN):
        return sum(ord(c) - 48 for c in code) % 5 == 0
    return luhn_ok(code[:9]) and luhn_ok(code)


ReferenceKind = Literal["commune", "epci", "departement", "region"]
"""The kinds of territory a reference can name, as :func:`reference_kind` returns them."""

REFERENCE_EXPECTED = (
    "a territory reference: an INSEE commune code (69123), an EPCI SIREN (200046977), "
    "dep:<département code> (dep:69) or reg:<région code> (reg:84)"
)
"""What a territory reference looks like, in the words of the messages that reject one."""


def reference_kind(reference: str) -> ReferenceKind | None:
    """Return what a territory reference designates, or None if it is malformed.

    References are the commune code, the SIREN of an EPCI or EPT, ``dep:`` plus a département
    code and ``reg:`` plus a région code. Département and région codes need their prefix
    because they overlap (``84`` is both Vaucluse and Auvergne-Rhône-Alpes).

    Example:
        >>> [reference_kind(r) for r in ("69123", "200046977", "dep:2A", "reg:84", "84")]
        ['commune', 'epci', 'departement', 'region', None]
    """
    if reference.startswith("dep:"):
        return "departement" if is_departement_code(reference[4:]) else None
    if reference.startswith("reg:"):
        return "region" if is_region_code(reference[4:]) else None
    if len(reference) == 9:
        return "epci" if is_siren(reference) else None
    return "commune" if is_commune_code(reference) else None


def is_territory_reference(reference: str) -> bool:
    """True when ``reference`` is a well-formed territory reference (see :func:`reference_kind`)."""
    return reference_kind(reference) is not None
