"""Hypothesis strategies for every class of the model, generating only valid objects.

Every strategy respects every validator of the model (identifier and pseudonym shapes, INSEE
commune codes, SIREN/SIRET with valid Luhn keys, money as a ``Decimal`` of at most two decimals,
years 1990-2100, dates that are not datetimes, end on or after start, ...). Texts are
deliberately awkward but valid (accents, apostrophes, ``;``, commas, quotes, newlines, a leading
``=``) so that the same strategies prove the file formats round-trip.

:func:`datasets` builds valid but not necessarily consistent datasets; :func:`consistent_datasets`
builds datasets whose :meth:`~territoires.model.Dataset.validate` returns no problem at all.

Sizes stay small (a few contracts, tens of participations at most) to keep tests fast. When a
field is added to the model, its strategy here grows with it (STYLE.md, Tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    AidNature,
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
    Participation,
    Party,
    PartyKind,
    PaymentConditions,
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
    TargetKind,
    Territory,
    TerritoryKind,
    Theme,
    WindowStart,
)

__all__ = [
    "DEPARTEMENTS",
    "DOMAIN_COMMUNES",
    "DOMAIN_SIRENS",
    "LA_POSTE_SIREN",
    "MAX_DATE",
    "METRO_DEPARTEMENTS",
    "MIN_DATE",
    "OVERSEAS_COLLECTIVITIES",
    "REGIONS",
    "STRATEGIES",
    "action_fundings",
    "action_reports",
    "actions",
    "amendments",
    "any_texts",
    "commune_codes",
    "consistent_datasets",
    "contracts",
    "dataset_infos",
    "datasets",
    "dates",
    "departement_codes",
    "diagnostics",
    "fundings",
    "governance_bodies",
    "identifiers",
    "luhn_key",
    "money",
    "participations",
    "parties",
    "periods",
    "persons",
    "pseudonyms",
    "public_scopes",
    "region_codes",
    "report_counts",
    "signatories",
    "sirens",
    "sirets",
    "sources",
    "targets",
    "territories",
    "territory_references",
    "texts",
]

T = TypeVar("T")

MIN_DATE = dt.date(1995, 1, 1)
MAX_DATE = dt.date(2090, 12, 31)
_YEAR = dt.timedelta(days=365)

# -- official codes (built from domain.md §5.1, independently of territoires.model.codes) ---------

METRO_DEPARTEMENTS: tuple[str, ...] = (
    *(f"{n:02d}" for n in range(1, 96) if n != 20),
    "2A",
    "2B",
)
DEPARTEMENTS: tuple[str, ...] = (*METRO_DEPARTEMENTS, "971", "972", "973", "974", "976")
"""The 101 départements: 01-19, 2A, 2B, 21-95 and the five DROM."""
OVERSEAS_COLLECTIVITIES: tuple[str, ...] = ("975", "977", "978", "984", "986", "987", "988", "989")
"""COM codes, which the geography treats as both département and région."""
REGIONS: tuple[str, ...] = (
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
)
"""The 18 régions of domain.md §5.1."""

DOMAIN_SIRENS: tuple[str, ...] = (
    "242100410",  # Dijon Métropole
    "200040715",  # Grenoble-Alpes-Métropole
    "246300701",  # Clermont Auvergne Métropole
    "200046977",  # Métropole de Lyon
    "245400676",  # Métropole du Grand Nancy
    "243300316",  # Bordeaux Métropole
    "242900314",  # Brest métropole
    "243500139",  # Rennes Métropole
    "200023414",  # Métropole Rouen Normandie
    "243400017",  # Montpellier Méditerranée Métropole
    "200066926",  # CA Grand Auch Cœur de Gascogne
    "200035715",  # CA Carcassonne Agglo
    "200054781",  # Métropole du Grand Paris
)
"""Every SIREN of domain.md §4."""

DOMAIN_COMMUNES: tuple[str, ...] = (
    "21231",  # Dijon
    "63113",  # Clermont-Ferrand
    "44109",  # Nantes
    "67482",  # Strasbourg
    "31555",  # Toulouse
    "29019",  # Brest
    "35238",  # Rennes
    "13055",  # Marseille
    "37261",  # Tours
    "25056",  # Besançon
    "86194",  # Poitiers
    "76351",  # Le Havre
    "57463",  # Metz
    "69266",  # Villeurbanne
    "69123",  # Lyon
    "12145",  # Millau
    "94033",  # Fontenay-sous-Bois
    "2A004",  # Ajaccio
    "97411",  # Saint-Denis (La Réunion)
    "98735",  # Papeete
)
"""Commune codes of domain.md §4 and a few overseas and Corsican ones."""

LA_POSTE_SIREN = "356000000"
"""La Poste: its establishments' SIRET use a different key (digit sum multiple of 5)."""

_DIGITS = "0123456789"
_ALNUM = string.ascii_letters + string.digits


def luhn_key(payload: str) -> str:
    """Return the digit that, appended to ``payload``, makes a number passing the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char)
        if position % 2 == 0:  # once the key is appended, these digits are the doubled ones
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str(-total % 10)


@functools.cache
def _digits(n: int) -> SearchStrategy[str]:
    return st.text(alphabet=_DIGITS, min_size=n, max_size=n)


@functools.cache
def sirens() -> SearchStrategy[str]:
    """SIREN numbers: real ones from domain.md and 8 random digits completed by their Luhn key."""
    return st.one_of(
        st.sampled_from(DOMAIN_SIRENS),
        _digits(8).map(lambda payload: payload + luhn_key(payload)),
    )


@functools.cache
def sirets(siren: str | None = None) -> SearchStrategy[str]:
    """SIRET numbers with valid keys, starting with ``siren`` when given.

    La Poste's establishments get the key La Poste uses (a digit sum multiple of 5).
    """
    prefix = st.just(siren) if siren is not None else sirens()

    def complete(parts: tuple[str, str]) -> str:
        head = parts[0] + parts[1]
        if parts[0] == LA_POSTE_SIREN:
            digit_sum = sum(int(c) for c in head)
            return head + str(-digit_sum % 5)
        return head + luhn_key(head)

    return st.tuples(prefix, _digits(4)).map(complete)


@functools.cache
def commune_codes() -> SearchStrategy[str]:
    """INSEE commune codes: metropolitan, Corsican (2A/2B), DROM and overseas collectivities."""
    overseas = ("971", "972", "973", "974", "976", "975", "977", "978", "984", "986", "987", "988")
    return st.one_of(
        st.sampled_from(DOMAIN_COMMUNES),
        st.builds(operator.add, st.sampled_from(METRO_DEPARTEMENTS), _digits(3)),
        st.builds(operator.add, st.sampled_from(overseas), _digits(2)),
    )


@functools.cache
def departement_codes() -> SearchStrategy[str]:
    """Département codes (without the ``dep:`` prefix), COM included."""
    return st.sampled_from(DEPARTEMENTS + OVERSEAS_COLLECTIVITIES)


@functools.cache
def region_codes() -> SearchStrategy[str]:
    """Région codes (without the ``reg:`` prefix), COM included."""
    return st.sampled_from(REGIONS + OVERSEAS_COLLECTIVITIES)


@functools.cache
def territory_references() -> SearchStrategy[str]:
    """Territory references: commune code, EPCI SIREN, ``dep:XX`` or ``reg:XX``."""
    return st.one_of(
        commune_codes(),
        sirens(),
        departement_codes().map("dep:".__add__),
        region_codes().map("reg:".__add__),
    )


# -- texts, ids, money, dates ------------------------------------------------------------------

_WORDS = (
    "Métropole de Lyon",
    "Grenoble-Alpes-Métropole",
    "Côte-d'Or",
    "Association d’accueil",
    "réfugiés",
    "primo-arrivants",
    "CTAIR",
    "« Territoires d'intégration »",
    "5,7 M€",
    "300 000 €",
    "avenant n° 1",
    "accès aux droits; santé; logement",
    'le "comité de pilotage"',
    "Ville de Lyon, Villeurbanne",
    "=SUM(A1:A2)",
    "=1+1",
    "+33 1 23 45 67 89",
    "-12",
    "@cmd",
    "première ligne\ndeuxième ligne",
    "ligne Windows\r\nsuite",
    "tab\tulation",
    "Œuvre",
    "Ça",
    "ﬁn",
    "𝔘nicode",
    "null",
    "NaN",
    "0012",
    "true",
    "titre\r=cmd|' /C calc'!A0",
    "Asso \u202egnp.exe",
    "\x1b]0;titre\x07\x1b[2J",
    "\u2067שלום\u2069 (2)",
)
_AWKWARD = (
    "é",
    "È",
    "à",
    "ç",
    "œ",
    "’",
    "'",
    '"',
    '""',
    ";",
    ",",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\u00a0",
    "=",
    "€",
    "%",
    "#",
    "\\",
    "/",
    "&",
    "<",
    "…",
    "–",
    "\r",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u061c",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ufeff",
)
_PREFIXES = ("", "", "", "", "=", "+", "-", "@", " ", "'", "\t", "\r", " =", "\uff1d")
_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))


@functools.cache
def texts() -> SearchStrategy[str]:
    r"""Non-blank texts mixing French words, characters that files find awkward and Unicode.

    They may start with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return, a space before
    ``=`` or a full-width ``＝`` (spreadsheet formulas), hold quotes, ``;``, commas, line breaks
    (``\\n``, ``\\r\\n`` and a bare ``\\r``), tabs, non-breaking spaces, control characters
    (``ESC``, ``BEL``, null, ``DEL``, C1) and bidirectional formatting characters (``U+202E``).
    """
    piece = st.one_of(
        st.sampled_from(_WORDS),
        st.sampled_from(_AWKWARD),
        st.text(_CHARACTERS, min_size=1, max_size=6),
    )
    body = st.lists(piece, min_size=1, max_size=4).map("".join)
    return st.builds(operator.add, st.sampled_from(_PREFIXES), body).filter(
        lambda text: bool(text.strip())
    )


@functools.cache
def any_texts() -> SearchStrategy[str]:
    """Texts that may be empty (free-text fields such as descriptions and notes)."""
    return st.one_of(st.just(""), texts())


@functools.cache
def identifiers() -> SearchStrategy[str]:
    """Record ids: 1 to 100 letters, digits, ``-``, ``_``, ``.``, ``:`` or ``/``."""
    return st.one_of(
        st.sampled_from(("dijon-2019", "ctai:69123/2023", "avenant-1", "a.1", "0", "ASSO_42")),
        st.builds(
            operator.add,
            st.sampled_from(_ALNUM),
            st.text(alphabet=_ALNUM + "_.:/-", max_size=99),
        ),
    )


@functools.cache
def pseudonyms() -> SearchStrategy[str]:
    """Pseudonymous person ids: 1 to 64 letters, digits, ``-``, ``_``, ``.`` or ``:``."""
    return st.one_of(
        st.sampled_from(("P0001", "a3f9c2e1", "agir:2023:000017", "x")),
        st.builds(
            operator.add,
            st.sampled_from(_ALNUM),
            st.text(alphabet=_ALNUM + "_.:-", max_size=63),
        ),
    )


@functools.cache
def money() -> SearchStrategy[Decimal]:
    """Amounts in euros: non-negative Decimals with zero, one or two decimals."""
    return st.one_of(
        st.sampled_from((Decimal("0"), Decimal("0.01"), Decimal("300000"), Decimal("5700000.00"))),
        st.integers(0, 10**11).map(lambda cents: Decimal(cents).scaleb(-2)),
        st.integers(0, 10**10).map(lambda tenths: Decimal(tenths).scaleb(-1)),
        st.integers(0, 10**9).map(Decimal),
    )


def _cents(value: Decimal) -> int:
    return int(value * 100)


def dates(min_value: dt.date = MIN_DATE, max_value: dt.date = MAX_DATE) -> SearchStrategy[dt.date]:
    """Calendar dates (never datetimes) between the bounds; a max before the min means the min."""
    return st.dates(min_value=min_value, max_value=max(min_value, max_value))


_YEARS = st.integers(1990, 2100)
_OPTIONAL_DATES = st.none() | dates()


@functools.lru_cache(maxsize=256)
def _small_tuples(strategy: SearchStrategy[T], max_size: int = 2) -> SearchStrategy[tuple[T, ...]]:
    return st.lists(strategy, max_size=max_size).map(tuple)


# Inside composite strategies, values are drawn from a few cached strategies and computed
# from them, rather than from strategies built afresh at each draw: hypothesis validates every
# new strategy, which made generation several times slower.
_BOOLEANS = st.booleans()


def _maybe(draw: st.DrawFn, strategy: SearchStrategy[T]) -> T | None:
    """Draw from ``strategy`` or return None (None is what shrinking tends to)."""
    return draw(strategy) if draw(_BOOLEANS) else None


def _day(draw: st.DrawFn, low: dt.date, high: dt.date) -> dt.date:
    """Draw a date from ``low`` to ``high`` included (``low`` when ``high`` is before it)."""
    return low + dt.timedelta(days=draw(st.integers(0, max(0, (high - low).days))))


def _pick(draw: st.DrawFn, values: Sequence[T]) -> T:
    """Draw one of ``values`` (which must not be empty)."""
    return values[draw(st.integers(0, len(values) - 1))]


def _draw_subset(draw: st.DrawFn, values: Sequence[T], max_size: int) -> tuple[T, ...]:
    """Draw up to ``max_size`` distinct items of ``values`` (none when it is empty)."""
    if not values or not max_size:
        return ()
    indices = st.lists(st.integers(0, len(values) - 1), max_size=max_size, unique=True)
    return tuple(values[i] for i in draw(indices))


# -- model classes -------------------------------------------------------------------------------


@st.composite
def _territories(draw: st.DrawFn, kinds: SearchStrategy[TerritoryKind]) -> Territory:
    kind = draw(kinds)
    if kind.is_epci:
        code = draw(sirens())
    elif kind is TerritoryKind.COMMUNE:
        code = draw(commune_codes())
    elif kind is TerritoryKind.DEPARTEMENT:
        code = draw(departement_codes())
    else:
        code = draw(region_codes())
    return Territory(
        code=code,
        kind=kind,
        name=draw(texts()),
        parents=draw(_small_tuples(territory_references(), 3)),
        population=_maybe(draw, st.integers(0, 12_000_000)),
        millesime=_maybe(draw, st.integers(1990, 2100)),
    )


@functools.lru_cache(maxsize=64)
def territories(kinds: SearchStrategy[TerritoryKind] | None = None) -> SearchStrategy[Territory]:
    """Territories of every kind (or of ``kinds``), each with a code of the right shape."""
    return _territories(kinds if kinds is not None else st.sampled_from(TerritoryKind))


@st.composite
def _parties(draw: st.DrawFn) -> Party:
    siren = _maybe(draw, sirens())
    siret = _maybe(draw, sirets(siren))
    return Party(
        id=draw(identifiers()),
        kind=draw(st.sampled_from(PartyKind)),
        name=draw(texts()),
        siren=siren,
        siret=siret,
        territory=_maybe(draw, territory_references()),
        rna=_maybe(draw, st.from_regex(r"W\d{9}", fullmatch=True)),
    )


@functools.cache
def parties() -> SearchStrategy[Party]:
    """Parties with optional SIREN and SIRET (the SIRET starts with the SIREN when both are set)."""
    return _parties()


@st.composite
def _periods(draw: st.DrawFn, within: Period | None, closed: bool | None, max_days: int) -> Period:
    low = within.start if within is not None else MIN_DATE
    high = within.end if within is not None and within.end is not None else MAX_DATE
    must_close = closed is True or (within is not None and within.end is not None)
    start = _day(draw, low, high)
    if not must_close and (closed is False or draw(st.booleans())):
        return Period(start)
    end = _day(draw, start, min(high, start + dt.timedelta(days=max_days)))
    return Period(start, end)


@functools.lru_cache(maxsize=256)
def periods(
    *, within: Period | None = None, closed: bool | None = None, max_days: int = 3650
) -> SearchStrategy[Period]:
    """Periods, open-ended or not (``closed``), lasting at most ``max_days``, inside ``within``.

    Raises:
        ValueError: ``closed=False`` was asked inside a period that has an end.
    """
    if closed is False and within is not None and within.end is not None:
        raise ValueError("an open-ended period cannot lie within a closed one")
    return _periods(within, closed, max_days)


_RESIDENCES = st.frozensets(territory_references(), max_size=2)


@st.composite
def _public_scopes(
    draw: st.DrawFn, within: PublicScope | None, residences: SearchStrategy[frozenset[str]]
) -> PublicScope:
    if within is None:
        categories = draw(st.frozensets(st.sampled_from(PublicCategory), min_size=1))
        min_age = _maybe(draw, st.integers(0, 130))
        max_age = _maybe(draw, st.integers(min_age or 0, 130))
        years = _maybe(draw, st.integers(0, 10))
        cir = draw(st.booleans())
    else:
        allowed = tuple(sorted(within.categories, key=lambda c: c.value))
        categories = frozenset(_draw_subset(draw, allowed, len(allowed)) or allowed[:1])
        low = within.min_age if within.min_age is not None else 0
        high = within.max_age if within.max_age is not None else 130
        min_age = draw(st.integers(low, high))
        if within.min_age is None and draw(st.booleans()):
            min_age = None
        max_age = draw(st.integers(min_age if min_age is not None else low, high))
        if within.max_age is None and draw(st.booleans()):
            max_age = None
        if within.max_years_since_status is None:
            years = _maybe(draw, st.integers(0, 10))
        else:
            years = draw(st.integers(0, within.max_years_since_status))
        cir = within.cir_required or draw(st.booleans())
    return PublicScope(
        categories=categories,
        min_age=min_age,
        max_age=max_age,
        max_years_since_status=years,
        residence=draw(residences),
        cir_required=cir,
    )


@functools.lru_cache(maxsize=256)
def public_scopes(
    *,
    within: PublicScope | None = None,
    residences: SearchStrategy[frozenset[str]] | None = None,
) -> SearchStrategy[PublicScope]:
    """Publics; with ``within``, only publics within it (``is_within(within)`` holds)."""
    return _public_scopes(within, residences if residences is not None else _RESIDENCES)


@st.composite
def _fundings(draw: st.DrawFn) -> Funding:
    committed = draw(money())
    spent_cents = _maybe(draw, st.integers(0, _cents(committed)))
    spent = None if spent_cents is None else Decimal(spent_cents).scaleb(-2)
    year = draw(_YEARS)
    scdl: dict[str, Any] = {}
    if draw(_BOOLEANS):  # the optional terms of the SCDL "subventions" format
        first = _day(draw, dt.date(year, 1, 1), dt.date(year, 12, 31))
        scdl = {
            "beneficiary": _maybe(draw, identifiers()),
            "decision": _maybe(draw, texts().filter(lambda t: len(t) <= 255)),
            "convention_on": _maybe(draw, dates()),
            "payment_conditions": _maybe(draw, st.sampled_from(PaymentConditions)),
            "payment_period": Period(first, _day(draw, first, dt.date(year + 1, 12, 31))),
            "nature": frozenset(draw(st.sets(st.sampled_from(AidNature)))),
            "eu_notified": _maybe(draw, _BOOLEANS),
            "share": _maybe(draw, st.integers(1, 100).map(lambda n: Decimal(n).scaleb(-2))),
            "aid_scheme": _maybe(draw, texts().filter(lambda t: len(t) <= 255)),
        }
    return Funding(
        funder=draw(identifiers()),
        source=draw(st.sampled_from(FundingSource)),
        year=year,
        committed=committed,
        spent=spent,
        **scdl,
    )


@functools.cache
def fundings() -> SearchStrategy[Funding]:
    """Funding lines; the amount spent, when known, never exceeds the amount committed."""
    return _fundings()


@st.composite
def _targets(draw: st.DrawFn, kinds: tuple[TargetKind, ...]) -> Target:
    kind = draw(st.sampled_from(kinds))
    year = semester = None
    if kind is TargetKind.PERIOD:
        year = draw(_YEARS)
        semester = draw(st.none() | st.sampled_from((1, 2)))
    # The kind is left to its default half of the time when the default gives it (files
    # written before kinds existed), and given explicitly otherwise.
    given = {"kind": kind} if draw(_BOOLEANS) or kind is TargetKind.CONTRACT else {}
    return Target(
        indicator=draw(
            st.one_of(
                st.sampled_from(("beneficiaries", "share_women", "durable_housing_rate")),
                identifiers(),
            )
        ),
        value=draw(
            st.one_of(
                st.integers(-1000, 10**6).map(Decimal),
                st.decimals(
                    min_value=-(10**6),
                    max_value=10**6,
                    allow_nan=False,
                    allow_infinity=False,
                    places=2,
                ),
            )
        ),
        year=year,
        semester=semester,
        **given,  # type: ignore[arg-type]
    )


@functools.cache
def targets(kinds: tuple[TargetKind, ...] = tuple(TargetKind)) -> SearchStrategy[Target]:
    """Quantified objectives with finite Decimal values, of the ``kinds`` given (all by default).

    A target of one period has a year and maybe a semester; the others have neither.
    """
    return _targets(kinds)


@st.composite
def _actions(draw: st.DrawFn) -> Action:
    return Action(
        id=draw(identifiers()),
        title=draw(texts()),
        theme=draw(st.sampled_from(Theme)),
        period=draw(periods()),
        operators=draw(_small_tuples(identifiers())),
        public=_maybe(draw, public_scopes()),
        funding=draw(_small_tuples(fundings())),
        targets=draw(_small_tuples(targets((TargetKind.PERIOD, TargetKind.ACTION)))),
        closed_on=draw(_OPTIONAL_DATES),
        description=draw(any_texts()),
    )


@functools.cache
def actions() -> SearchStrategy[Action]:
    """Actions with operators, funding lines and targets (ids refer to nothing in particular)."""
    return _actions()


@functools.cache
def signatories() -> SearchStrategy[Signatory]:
    """Signatories of contracts, in a role, with or without a signature date."""
    return st.builds(
        Signatory,
        party=identifiers(),
        role=st.sampled_from(SignatoryRole),
        signed_on=_OPTIONAL_DATES,
    )


@functools.cache
def action_fundings() -> SearchStrategy[ActionFunding]:
    """Funding lines that an avenant adds to an action."""
    return st.builds(ActionFunding, action=identifiers(), funding=fundings())


@functools.cache
def sources() -> SearchStrategy[Source]:
    """Provenance records, with or without a URL."""
    return st.builds(
        Source,
        title=texts(),
        url=st.none()
        | st.sampled_from(
            (
                "https://accueil-integration-refugies.fr/les-contrats-dintegration-ctair/",
                "https://www.isere.gouv.fr/index.php/layout/set/print/Actualites?a=1&b=é",
            )
        )
        | texts(),
        note=any_texts(),
    )


@st.composite
def _amendments(draw: st.DrawFn) -> Amendment:
    effective = draw(dates())
    return Amendment(
        id=draw(identifiers()),
        effective_on=effective,
        signed_on=_maybe(draw, dates(effective - _YEAR, effective)),
        title=draw(any_texts()),
        new_end=draw(_OPTIONAL_DATES),
        public_added=draw(st.frozensets(st.sampled_from(PublicCategory), max_size=2)),
        funding_added=draw(_small_tuples(action_fundings(), 1)),
        actions_added=draw(_small_tuples(actions(), 1)),
        actions_closed=draw(_small_tuples(identifiers(), 1)),
        rationale=draw(any_texts()),
        sources=draw(_small_tuples(sources(), 1)),
    )


@functools.cache
def amendments() -> SearchStrategy[Amendment]:
    """Avenants: prolongation, opening of the public, funding, actions added or closed.

    On their own, their dates and references relate to no contract; :func:`contracts` draws
    avenants that fit their contract.
    """
    return _amendments()


@functools.cache
def diagnostics() -> SearchStrategy[Diagnostic]:
    """Shared territorial diagnostics."""
    return st.builds(
        Diagnostic,
        on=_OPTIONAL_DATES,
        estimated_beneficiaries=st.none() | st.integers(0, 100_000),
        needs=_small_tuples(st.sampled_from(Theme), 3),
        summary=any_texts(),
    )


@functools.cache
def governance_bodies() -> SearchStrategy[GovernanceBody]:
    """Steering and technical committees meeting every 1 to 60 months."""
    return st.builds(
        GovernanceBody,
        kind=st.sampled_from(GovernanceKind),
        level=st.sampled_from(GovernanceLevel),
        name=any_texts(),
        every_months=st.integers(1, 60),
        first_meeting=_OPTIONAL_DATES,
    )


@functools.cache
def eligibility_terms() -> SearchStrategy[EligibilityTerms]:
    """Any choice of the date a newcomer's five-year window runs from."""
    return st.builds(EligibilityTerms, newcomer_window_from=st.sampled_from(WindowStart))


@st.composite
def _contract_periods(draw: st.DrawFn) -> Period:
    start = draw(dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)))
    end = _day(draw, start, start + 10 * _YEAR) if draw(_BOOLEANS) else None
    return Period(start, end)


def _fit_amendment(
    draw: st.DrawFn, amendment: Amendment, period: Period, first: dt.date, own: Sequence[str]
) -> Amendment:
    """Give a drawn avenant dates and references that fit its contract."""
    effective = _day(draw, first, first + 8 * _YEAR)
    signed = amendment.signed_on and _day(draw, first, effective)
    new_end = amendment.new_end and _day(draw, period.start, period.start + 12 * _YEAR)
    own_ids = tuple(own)
    return attrs.evolve(
        amendment,
        effective_on=effective,
        signed_on=signed,
        new_end=new_end,
        funding_added=tuple(
            attrs.evolve(line, action=_pick(draw, own_ids)) for line in amendment.funding_added
        )
        if own_ids
        else (),
        actions_closed=_draw_subset(draw, own_ids, len(amendment.actions_closed)),
    )


@st.composite
def _contracts(draw: st.DrawFn) -> Contract:
    period = draw(_contract_periods())
    signed_on = None
    if draw(_BOOLEANS):
        signed_on = _day(draw, period.start - _YEAR, period.start + dt.timedelta(days=60))
    # How precisely the signing is known: any precision with a date; to the day (not
    # signed) or unknown (signed, date unknown) without one.
    precision = draw(
        st.sampled_from(
            [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]
            if signed_on is not None
            else [DatePrecision.DAY, DatePrecision.UNKNOWN]
        )
    )
    action_list = draw(st.lists(actions(), max_size=3, unique_by=lambda a: a.id))
    drawn = draw(st.lists(amendments(), max_size=2, unique_by=lambda a: a.id))
    seen = {a.id for a in action_list}
    kept = []
    for amendment in drawn:
        added = [a.id for a in amendment.actions_added]
        if seen.isdisjoint(added):
            seen.update(added)
            kept.append(amendment)
    own = sorted(seen)
    first = signed_on or period.start
    return Contract(
        id=draw(identifiers()),
        kind=draw(st.sampled_from(ContractKind)),
        territory=draw(territory_references()),
        title=draw(texts()),
        period=period,
        public=draw(public_scopes()),
        signed_on=signed_on,
        signed_precision=precision,
        signatories=draw(_small_tuples(signatories(), 3)),
        actions=tuple(action_list),
        amendments=tuple(_fit_amendment(draw, a, period, first, own) for a in kept),
        targets=draw(_small_tuples(targets((TargetKind.PERIOD, TargetKind.CONTRACT)))),
        diagnostic=_maybe(draw, diagnostics()),
        governance=draw(_small_tuples(governance_bodies())),
        sources=draw(_small_tuples(sources())),
        terms=draw(eligibility_terms()),
    )


@functools.cache
def contracts() -> SearchStrategy[Contract]:
    """Contracts whose avenants can all be applied by ``as_of``.

    Action ids are unique within the contract, avenants included; avenants take effect from
    the signature (or the start) up to eight years after, prolong to a date on or after the
    start, and fund or close actions of the contract. References to parties and territories
    resolve to nothing in particular (see :func:`consistent_datasets`).
    """
    return _contracts()


@st.composite
def _persons(draw: st.DrawFn) -> Person:
    birth_date = _maybe(draw, dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
    if birth_date is not None:
        birth_year = birth_date.year if draw(_BOOLEANS) else None
    else:
        birth_year = _maybe(draw, st.integers(1890, 2100))
    recent = st.none() | dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
    return Person(
        id=draw(pseudonyms()),
        status=draw(st.sampled_from(AdministrativeStatus)),
        status_date=draw(recent),
        first_permit_date=draw(recent),
        cir_date=draw(recent),
        birth_date=birth_date,
        birth_year=birth_year,
        residence=_maybe(draw, commune_codes()),
    )


@functools.cache
def persons() -> SearchStrategy[Person]:
    """Persons known by a pseudonym, with a birth date, a birth year only, or neither."""
    return _persons()


@st.composite
def _participations(draw: st.DrawFn) -> Participation:
    entry = draw(dates())
    return Participation(
        id=draw(identifiers()),
        person=draw(pseudonyms()),
        action=draw(identifiers()),
        entry_date=entry,
        exit_date=_day(draw, entry, entry + 3 * _YEAR) if draw(_BOOLEANS) else None,
        status=draw(st.sampled_from(AdministrativeStatus)),
        sex=draw(st.sampled_from(Sex)),
        age_band=draw(st.sampled_from(AgeBand)),
        residence=_maybe(draw, commune_codes()),
        employment=_maybe(draw, st.sampled_from(EmploymentOutcome)),
        housing=_maybe(draw, st.sampled_from(HousingOutcome)),
        french_entry=_maybe(draw, st.sampled_from(FrenchLevel)),
        french_exit=_maybe(draw, st.sampled_from(FrenchLevel)),
    )


@functools.cache
def participations() -> SearchStrategy[Participation]:
    """Participations of pseudonymous persons, leaving on or after they entered."""
    return _participations()


@functools.cache
def report_counts() -> SearchStrategy[ReportCount]:
    """Counts of beneficiaries by category, sex and age band."""
    return st.builds(
        ReportCount,
        category=st.sampled_from(PublicCategory),
        sex=st.sampled_from(Sex),
        age_band=st.sampled_from(AgeBand),
        count=st.integers(0, 5000),
    )


@functools.cache
def action_reports() -> SearchStrategy[ActionReport]:
    """Operators' reports over a closed period, one count per category, sex and age band."""
    return st.builds(
        ActionReport,
        id=identifiers(),
        action=identifiers(),
        period=periods(closed=True),
        counts=st.lists(
            report_counts(), max_size=4, unique_by=lambda c: (c.category, c.sex, c.age_band)
        ).map(tuple),
        spent=st.none() | money(),
    )


@functools.cache
def dataset_infos() -> SearchStrategy[DatasetInfo]:
    """Dataset descriptions, synthetic or not."""
    return st.builds(
        DatasetInfo,
        title=any_texts(),
        description=any_texts(),
        synthetic=st.booleans(),
        licence=st.none() | st.sampled_from(("Licence Ouverte 2.0", "ODbL")) | texts(),
        created=_OPTIONAL_DATES,
        sources=_small_tuples(sources()),
    )


@functools.cache
def datasets() -> SearchStrategy[Dataset]:
    """Valid datasets whose records need not refer to each other (see consistent_datasets)."""
    return st.builds(
        Dataset,
        info=dataset_infos(),
        territories=_small_tuples(territories(), 3),
        parties=_small_tuples(parties(), 3),
        contracts=_small_tuples(contracts(), 2),
        participations=_small_tuples(participations(), 5),
        reports=_small_tuples(action_reports(), 3),
    )


# -- consistent datasets ------------------------------------------------------------------------


def _fresh(value: str, used: set[str]) -> str:
    """Return ``value``, or ``value`` with a numbered suffix, so that it is not in ``used``."""
    candidate, number = value, 2
    while candidate in used:
        suffix = f"-{number}"
        candidate = value[: 64 - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def _fit_action(
    draw: st.DrawFn,
    action: Action,
    *,
    action_ids: set[str],
    final: Period,
    public: PublicScope,
    party_ids: Sequence[str],
    residences: SearchStrategy[frozenset[str]],
) -> Action:
    """Make a drawn action consistent with its contract and the dataset's parties."""
    own_public = None
    if action.public is not None:
        own_public = draw(public_scopes(within=public, residences=residences))
    return attrs.evolve(
        action,
        id=_fresh(action.id, action_ids),
        period=draw(periods(within=final)),
        operators=_draw_subset(draw, party_ids, len(action.operators)),
        public=own_public,
        funding=tuple(
            attrs.evolve(
                line,
                funder=_pick(draw, party_ids),
                beneficiary=line.beneficiary and _pick(draw, party_ids),
            )
            for line in action.funding
        ),
        closed_on=None,
    )


@st.composite
def _consistent_contract(
    draw: st.DrawFn,
    *,
    contract_id: str,
    territory_ids: Sequence[str],
    party_ids: Sequence[str],
    action_ids: set[str],
) -> Contract:
    drawn = draw(contracts())
    residences = st.frozensets(st.sampled_from(tuple(territory_ids)), max_size=2)
    public = draw(public_scopes(residences=residences))
    # The avenants as drawn fit the period (prolongations end after the start, they take
    # effect after the signature); actions are then drawn within the final period.
    base = attrs.evolve(
        drawn,
        id=contract_id,
        territory=_pick(draw, territory_ids),
        public=public,
        signatories=tuple(attrs.evolve(s, party=_pick(draw, party_ids)) for s in drawn.signatories),
        actions=(),
        amendments=tuple(
            attrs.evolve(a, funding_added=(), actions_added=(), actions_closed=())
            for a in drawn.amendments
        ),
    )
    final = base.final_period

    def fit(action: Action) -> Action:
        return _fit_action(
            draw,
            action,
            action_ids=action_ids,
            final=final,
            public=public,
            party_ids=party_ids,
            residences=residences,
        )

    signature_actions = tuple(fit(a) for a in drawn.actions)
    added = [tuple(fit(a) for a in amendment.actions_added) for amendment in drawn.amendments]
    own = tuple(a.id for a in signature_actions) + tuple(a.id for g in added for a in g)
    amended = []
    for amendment, skeleton, actions_added in zip(
        drawn.amendments, base.amendments, added, strict=True
    ):
        funding_added = ()
        if own:
            funding_added = tuple(
                ActionFunding(
                    action=draw(st.sampled_from(own)),
                    funding=attrs.evolve(
                        line.funding,
                        funder=_pick(draw, party_ids),
                        beneficiary=line.funding.beneficiary and _pick(draw, party_ids),
                    ),
                )
                for line in amendment.funding_added
            )
        amended.append(
            attrs.evolve(
                skeleton,
                actions_added=actions_added,
                funding_added=funding_added,
                actions_closed=_draw_subset(draw, own, len(amendment.actions_closed)),
            )
        )
    return attrs.evolve(base, actions=signature_actions, amendments=tuple(amended))


def _day_in(draw: st.DrawFn, period: Period) -> dt.date:
    return _day(draw, period.start, period.end or period.start + 5 * _YEAR)


@st.composite
def _consistent_datasets(draw: st.DrawFn, max_contracts: int, max_participations: int) -> Dataset:
    territory_list = draw(st.lists(territories(), min_size=1, max_size=4, unique_by=lambda t: t.id))
    territory_ids = [t.id for t in territory_list]
    territory_list = [
        attrs.evolve(t, parents=_draw_subset(draw, [i for i in territory_ids if i != t.id], 2))
        for t in territory_list
    ]

    used: set[str] = set()
    party_list = [
        attrs.evolve(
            p,
            id=_fresh(p.id, used),
            territory=_pick(draw, territory_ids) if draw(_BOOLEANS) else None,
        )
        for p in draw(st.lists(parties(), min_size=1, max_size=4))
    ]
    party_ids = [p.id for p in party_list]

    used, action_ids = set(), set()
    contract_list = [
        draw(
            _consistent_contract(
                contract_id=_fresh(draw(identifiers()), used),
                territory_ids=territory_ids,
                party_ids=party_ids,
                action_ids=action_ids,
            )
        )
        for _ in range(draw(st.integers(0, max_contracts)))
    ]
    contract_list = [_as_the_sources_require(c) for c in contract_list]

    # Participations and reports fall while their action runs and before an avenant closes it.
    closing: dict[str, dt.date] = {}
    for contract in contract_list:
        for amendment in contract.amendments:
            for action_id in amendment.actions_closed:
                day = closing.get(action_id, amendment.effective_on)
                closing[action_id] = min(day, amendment.effective_on)
    running = []
    for contract in contract_list:
        for action in contract.all_actions():
            last = action.period.end or action.period.start + 5 * _YEAR
            if action.id in closing:
                last = min(last, closing[action.id] - dt.timedelta(days=1))
            if last >= action.period.start:
                running.append((action.id, Period(action.period.start, last)))

    participation_list: list[Participation] = []
    report_list: list[ActionReport] = []
    if running:
        people = tuple(draw(st.lists(pseudonyms(), min_size=1, max_size=5, unique=True)))
        used = set()
        for drawn in draw(st.lists(participations(), max_size=max_participations)):
            action_id, span = _pick(draw, running)
            entry = _day_in(draw, span)
            participation_list.append(
                attrs.evolve(
                    drawn,
                    id=_fresh(drawn.id, used),
                    person=_pick(draw, people),
                    action=action_id,
                    entry_date=entry,
                    exit_date=drawn.exit_date and _day(draw, entry, entry + 3 * _YEAR),
                )
            )
        used = set()
        for report in draw(st.lists(action_reports(), max_size=3)):
            action_id, span = _pick(draw, running)
            day = _day_in(draw, span)
            report_list.append(
                attrs.evolve(
                    report,
                    id=_fresh(report.id, used),
                    action=action_id,
                    period=Period(_day(draw, day - _YEAR, day), _day(draw, day, day + _YEAR)),
                )
            )

    return Dataset(
        info=draw(dataset_infos()),
        territories=tuple(territory_list),
        parties=tuple(party_list),
        contracts=tuple(contract_list),
        participations=tuple(participation_list),
        reports=tuple(report_list),
    )


def _as_the_sources_require(contract: Contract) -> Contract:
    """The contract with what the sources require, so that it raises no warning.

    A housing action in a contract starting in 2021 or later (its first action becomes one),
    and no P104 action 12 line (for newcomers) on an action the public may keep for refugees
    (every such line moves to action 15).
    """

    def funding(line: Funding) -> Funding:
        if line.source is FundingSource.P104_ACTION_12:
            return attrs.evolve(line, source=FundingSource.P104_ACTION_15)
        return line

    def action(a: Action) -> Action:
        return attrs.evolve(a, funding=tuple(map(funding, a.funding)))

    actions = tuple(map(action, contract.actions))
    amendments = tuple(
        attrs.evolve(
            m,
            actions_added=tuple(map(action, m.actions_added)),
            funding_added=tuple(
                attrs.evolve(f, funding=funding(f.funding)) for f in m.funding_added
            ),
        )
        for m in contract.amendments
    )
    every = actions + tuple(a for m in amendments for a in m.actions_added)
    if (
        contract.kind is not ContractKind.PTAI
        and contract.period.start >= dt.date(2021, 1, 1)
        and every
        and not any(a.theme is Theme.HOUSING for a in every)
    ):
        if actions:
            actions = (attrs.evolve(actions[0], theme=Theme.HOUSING), *actions[1:])
        else:  # the first action an avenant adds
            i = next(i for i, m in enumerate(amendments) if m.actions_added)
            added = amendments[i].actions_added
            housing = (attrs.evolve(added[0], theme=Theme.HOUSING), *added[1:])
            amendment = attrs.evolve(amendments[i], actions_added=housing)
            amendments = (*amendments[:i], amendment, *amendments[i + 1 :])
    return attrs.evolve(contract, actions=actions, amendments=amendments)


@functools.lru_cache(maxsize=8)
def consistent_datasets(
    *, max_contracts: int = 2, max_participations: int = 8
) -> SearchStrategy[Dataset]:
    """Datasets whose ``validate()`` returns no problem at all, not even a warning.

    Ids are unique per table (amendment ids per contract); every reference resolves to a
    declared territory, party or action; actions run within their contract's final period and
    for a public within the contract's; participations enter within their action's period;
    reports overlap their action; both fall before any avenant closing the action; nothing is
    spent above what was committed; avenants take effect on or after the signature; a
    contract from 2021 has a housing action; P104 action 12 funds no line (see
    :func:`_as_the_sources_require`). Territories' parents are other declared territories.
    Sizes are bounded by ``max_contracts`` and ``max_participations`` (reports: at most 3).
    """
    return _consistent_datasets(max_contracts, max_participations)


@functools.cache
def approximate_dates() -> SearchStrategy[ApproximateDate]:
    """Dates known to the day, the month or the year, and the unknown date."""
    return st.one_of(
        st.just(ApproximateDate(None, DatePrecision.UNKNOWN)),
        st.builds(
            ApproximateDate,
            dates(),
            st.sampled_from([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]),
        ),
    )


STRATEGIES: dict[type[Any], Callable[[], SearchStrategy[Any]]] = {
    ApproximateDate: approximate_dates,
    Territory: territories,
    Party: parties,
    Period: periods,
    PublicScope: public_scopes,
    Funding: fundings,
    Target: targets,
    Action: actions,
    Signatory: signatories,
    ActionFunding: action_fundings,
    Amendment: amendments,
    Diagnostic: diagnostics,
    GovernanceBody: governance_bodies,
    Source: sources,
    Contract: contracts,
    EligibilityTerms: eligibility_terms,
    Person: persons,
    Participation: participations,
    ReportCount: report_counts,
    ActionReport: action_reports,
    DatasetInfo: dataset_infos,
    Dataset: datasets,
}
"""One strategy factory per model class (called with no argument), for tests over every class."""


# -- what a plugin may raise ----------------------------------------------------------------------


class Abort(BaseException):
    """A BaseException that is no Exception, as some frameworks raise to unwind everything."""


PLUGIN_EXCEPTIONS: list[BaseException] = [
    ValueError("indicator table missing"),
    KeyError("quartier"),
    RecursionError("maximum recursion depth exceeded"),
    MemoryError(),
    SystemExit(3),
    GeneratorExit(),
    Abort("stop everything"),
]
"""What a plugin may raise: every kind is caught at the boundary (KeyboardInterrupt aside)."""
