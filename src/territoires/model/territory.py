"""Territories and the parties of contracts (signatories, funders, operators)."""

from __future__ import annotations

import re
from typing import Any

import attrs

from territoires.exceptions import InvalidCodeError
from territoires.model import _validators as v
from territoires.model import codes
from territoires.model.enums import PartyKind, TerritoryKind

__all__ = ["Party", "Territory"]

_CODE_SHAPES = {
    "commune": "an INSEE commune code of 5 characters (e.g. 69123, 2A004, 97411)",
    "epci": "a SIREN of 9 digits with a valid key",
    "departement": "a département code (01 to 95, 2A, 2B, 971 to 976)",
    "region": "a région code (e.g. 11, 84, 94)",
}


def _kind_family(kind: TerritoryKind) -> codes.ReferenceKind:
    if kind.is_epci:
        return "epci"
    if kind is TerritoryKind.COMMUNE:
        return "commune"
    if kind is TerritoryKind.DEPARTEMENT:
        return "departement"
    return "region"


def _check_code(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    kind = getattr(instance, "kind", None)
    if not isinstance(value, str) or not isinstance(kind, TerritoryKind):
        v.text(instance, attribute, value)
        return
    family = _kind_family(kind)
    if codes.reference_kind(kind.prefix + value) != family:
        raise InvalidCodeError(
            attribute.name, value, f"{_CODE_SHAPES[family]} for a {kind.label_en}"
        )


@attrs.frozen(kw_only=True)
class Territory:
    """A territory of the official geography: a commune, an EPCI or EPT, a département, a région.

    Attributes:
        code: Official code: INSEE commune code, SIREN of the EPCI or EPT, département or région
            code (without prefix).
        kind: What the territory is; for an EPCI, its legal type.
        name: Official name.
        parents: References of the territories that contain it (its EPCI, ``dep:XX``,
            ``reg:XX``), nearest first.
        population: Municipal population (INSEE populations légales), when known.
        millesime: Year of the Code officiel géographique (COG) the code belongs to, when
            recorded: a commune merged since keeps its old code, and ``validate`` says what it
            became in the bundled geography's millésime (``former-code``). New in 0.2.

    Example:
        >>> lyon = Territory(code="200046977", kind=TerritoryKind.MET69, name="Métropole de Lyon")
        >>> lyon.id
        '200046977'
        >>> Territory(code="84", kind=TerritoryKind.REGION, name="Auvergne-Rhône-Alpes").id
        'reg:84'

    .. versionadded:: 0.1
    """

    code: str = attrs.field(validator=_check_code)
    kind: TerritoryKind = attrs.field(validator=v.member_of(TerritoryKind))
    name: str = attrs.field(validator=v.text)
    parents: tuple[str, ...] = attrs.field(default=(), validator=v.territory_reference_tuple)
    population: int | None = attrs.field(default=None, validator=v.optional(v.count))
    millesime: int | None = attrs.field(default=None, validator=v.optional(v.year))

    @property
    def id(self) -> str:
        """The territory reference, the code prefixed by ``dep:`` or ``reg:`` where needed."""
        return self.kind.prefix + self.code


_RNA = re.compile(r"W\d{9}")


def _rna(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _RNA.fullmatch(value) is None:
        raise v.fail(attribute, value, "an RNA number: W and nine digits (W751234567)")


@attrs.frozen(kw_only=True)
class Party:
    """A party to a contract: a signatory, a funder or an operator of actions.

    Attributes:
        id: Stable identifier within the dataset.
        kind: What the party is (collectivité, préfecture, association…).
        name: Name of the organisation (parties are organisations, never persons).
        siren: SIREN of the organisation, checked with its Luhn key.
        siret: SIRET of the establishment, checked with its key; its first nine digits must be
            the SIREN when both are given.
        territory: Reference of the territory it belongs to or acts for.
        rna: Number of an association in the Répertoire national des associations
            (``W`` and nine digits), which the SCDL "subventions" format accepts when the
            association has no SIRET.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``rna``.
    """

    id: str = attrs.field(validator=v.identifier)
    kind: PartyKind = attrs.field(validator=v.member_of(PartyKind))
    name: str = attrs.field(validator=v.text)
    siren: str | None = attrs.field(default=None, validator=v.optional(v.siren))
    siret: str | None = attrs.field(default=None, validator=v.optional(v.siret))
    territory: str | None = attrs.field(default=None, validator=v.optional(v.territory_reference))
    rna: str | None = attrs.field(default=None, validator=v.optional(_rna))

    @siret.validator
    def _siret_matches_siren(self, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and self.siren is not None and not value.startswith(self.siren):
            raise v.fail(attribute, value, f"a SIRET starting with the SIREN {self.siren}")
