"""The embedded demo dataset: the 18 CTAIR territories of 2019 and 2021, with synthetic activity.

What is real comes from the registry of contracts (:mod:`territoires.registry`, sources in
each contract's ``sources``): the 18 territories named at the national steering committee of
6 May 2021, their official codes, the kind of collectivité that signed, their cohort (11 in
2019, 7 in 2021), their signing dates as precisely as the sources give them (to the day for
Dijon, 12 June 2019, the first; Le Havre, 11 October 2021; Rouen, 23 November 2021, to
November 2023; to the year for the others: Grenoble's 20 June 2019 and Clermont-Ferrand's 24
June 2019 were scheduled days, not signing dates), their public (refugees and beneficiaries of
subsidiary protection), and Grenoble's avenant of June 2022 opening the contract to newcomers
and displaced Ukrainians. The Diair is no signatory: no source of these contracts says it
signed.

Everything else is **synthetic**: the start of a contract whose signing day is not public (a
day of its signing year, on the scheduled day where there was one, after October 2019 for
Rennes, which was still drafting then), actions, operators, money, avenants other than
Grenoble's, participants and reports. It is generated deterministically from a seed, plausible
in shape (themes of the CTAIR lists, State envelopes of 150,000 to 300,000 € a year,
collectivité co-funding, semi-annual reports, P104 action 15 for refugees' actions and action
12 only where newcomers are admitted) and labelled synthetic in the dataset's ``info`` and
wherever it is shown. No record describes a real person: ids are pseudonyms drawn at random.

Example:
    >>> from territoires import demo
    >>> data = demo.build()
    >>> len(data.contracts), data.info.synthetic
    (18, True)
    >>> data.contract("ctair-dijon").signed_on
    datetime.date(2019, 6, 12)
    >>> data.contract("ctair-grenoble").signature.text()
    '2019'


.. versionadded:: 0.1
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Final, Generic, TypeVar

import attrs

from territoires import registry
from territoires.exceptions import InvalidArgumentError
from territoires.geo import get_geography
from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    AidNature,
    Amendment,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    Diagnostic,
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
    Theme,
)
from territoires.model.codes import luhn_ok
from territoires.model.dates import add_months
from territoires.model.enums import DatePrecision
from territoires.registry import RegistryEntry

__all__ = ["DEFAULT_SEED", "HORIZON", "build", "seed_contracts"]

DEFAULT_SEED: Final = 2019
"""The seed of the synthetic part when none is given (``territoires demo --seed``)."""

HORIZON: Final = dt.date(2026, 6, 30)
"""Last day covered by the synthetic activity (participations and reports)."""

_CONTRACT_TARGET: Final = "brest"
"""The contract with a contract-level target."""

_SYNTHETIC = "synthétique / synthetic"
_DEMO_COHORTS: Final = (2019, 2021)
"""The cohorts of the founding text: the 11 territories of 2019 and the 7 of 2021."""


def seed_contracts() -> tuple[RegistryEntry, ...]:
    """Return the 18 contracts of the founding text, from :mod:`territoires.registry`.

    They are the CTAIR of the cohorts 2019 and 2021, in the registry's order: the order
    the demo draws its synthetic part in.

    .. versionadded:: 0.2
    """
    return tuple(
        e for e in registry.entries() if e.kind is ContractKind.CTAIR and e.cohort in _DEMO_COHORTS
    )


# Beneficiaries of international protection: refugees and subsidiary protection, the public
# of the 2019 CTAIR (https://accueil-integration-refugies.fr/les-contrats-dintegration-ctair/).
# Stateless persons only where a source says so: no source of the 18 contracts does.
def _registry_sources() -> tuple[Source, ...]:
    """The registry's sources for the 18 contracts, each once, in the order first cited."""
    found: dict[str, Source] = {}
    for entry in seed_contracts():
        for source in entry.sources:
            found.setdefault(source.url or source.title, Source(title=source.title, url=source.url))
    return tuple(found.values())


@attrs.frozen(kw_only=True)
class _Seed:
    """A registry entry with the dates the demo gives it: sourced where they are, else drawn.

    Attributes:
        slug: Short name used in ids (``dijon``).
        entry: The registry entry.
        start: First day of the contract: the signing day where a source gives it, else the
            day a source announced for the signing, else a synthetic day of the signing year
            (after any month in which a source says the contract was still being drafted).
        end: Last day: the source's where it gives one, else three calendar years.
        sourced_end: Whether a source gives the end.
    """

    slug: str
    entry: RegistryEntry
    start: dt.date
    end: dt.date
    sourced_end: bool

    @property
    def territory(self) -> str:
        return self.entry.territory

    @property
    def signatories(self) -> tuple[str, ...]:
        return self.entry.signatories

    @property
    def cohort(self) -> int:
        return self.entry.cohort

    @property
    def signed_to_the_day(self) -> bool:
        signed = self.entry.signed
        return signed is not None and signed.precision is DatePrecision.DAY

    @classmethod
    def of(cls, entry: RegistryEntry, rng: random.Random) -> _Seed:
        signed = entry.signed
        if signed is not None and signed.precision is DatePrecision.DAY and signed.on:
            start = signed.on
        elif entry.scheduled is not None and entry.scheduled.on is not None:
            start = entry.scheduled.on
        else:
            window = (dt.date(entry.cohort, 7, 1), dt.date(entry.cohort, 12, 15))
            drawn = _date_between(rng, *window)
            start = _after_drafting(drawn, window, entry)
        end = entry.end.latest if entry.end is not None else None
        return cls(
            slug=entry.id.split("-", 1)[1],
            entry=entry,
            start=start,
            end=end or dt.date(start.year + 2, 12, 31),
            sourced_end=end is not None,
        )


def _after_drafting(
    drawn: dt.date, window: tuple[dt.date, dt.date], entry: RegistryEntry
) -> dt.date:
    """Move a drawn day after the month in which a source says the contract was drafted.

    The day keeps its place in proportion within the narrower window, so the draw (and every
    draw after it) is the same with or without a drafting date.
    """
    drafted = entry.drafting.latest if entry.drafting is not None else None
    first, last = window
    if drafted is None or drafted < first:
        return drawn
    first = drafted + dt.timedelta(days=1)
    span, full = (last - first).days, (window[1] - window[0]).days
    return first + dt.timedelta(days=(drawn - window[0]).days * span // full)


_BPI = frozenset({PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION})
# The avenant was signed on a Wednesday of June 2022, announced on 30 June 2022: the demo
# takes the Wednesday before the communiqué as its effective date (synthetic).
_GRENOBLE_AVENANT = dt.date(2022, 6, 29)
_THEME_TITLES: Final = {
    Theme.FRENCH_LANGUAGE: "Ateliers sociolinguistiques",
    Theme.EMPLOYMENT_TRAINING: "Parcours vers l'emploi",
    Theme.HOUSING: "Accès au logement",
    Theme.HEALTH: "Accès aux soins et santé mentale",
    Theme.ACCESS_TO_RIGHTS: "Accompagnement aux droits",
    Theme.MOBILITY: "Mobilité et permis de conduire",
    Theme.DIGITAL_INCLUSION: "Inclusion numérique",
    Theme.CULTURE: "Accès à la culture",
    Theme.SPORT_LEISURE: "Sport et loisirs",
    Theme.CITIZENSHIP: "Citoyenneté et valeurs de la République",
    Theme.CIVIL_SOCIETY: "Parrainage citoyen",
    Theme.PUBLIC_AWARENESS: "Sensibilisation du grand public",
    Theme.COORDINATION: "Coordination du contrat",
}
# Weights reflect the themes the sources list first (French, employment, housing).
_THEME_WEIGHTS: Final = {
    Theme.FRENCH_LANGUAGE: 6,
    Theme.EMPLOYMENT_TRAINING: 6,
    Theme.HOUSING: 5,
    Theme.HEALTH: 3,
    Theme.ACCESS_TO_RIGHTS: 3,
    Theme.MOBILITY: 2,
    Theme.DIGITAL_INCLUSION: 2,
    Theme.CULTURE: 2,
    Theme.SPORT_LEISURE: 2,
    Theme.CITIZENSHIP: 2,
    Theme.CIVIL_SOCIETY: 2,
    Theme.PUBLIC_AWARENESS: 1,
}


# Relative frequencies of statuses among participants (BPI mostly refugees, then subsidiary
# protection; newcomers and displaced Ukrainians only where the public admits them).
_STATUS_WEIGHTS: Final = (
    (AdministrativeStatus.REFUGEE, 62),
    (AdministrativeStatus.SUBSIDIARY_PROTECTION, 33),
    (AdministrativeStatus.STATELESS, 2),
    (AdministrativeStatus.TEMPORARY_PROTECTION, 20),
    (AdministrativeStatus.FAMILY_PERMIT, 15),
    (AdministrativeStatus.WORK_PERMIT, 6),
)


T = TypeVar("T")


class _Draw(Generic[T]):
    """A weighted choice prepared once (cumulative weights), drawn many times."""

    def __init__(self, weighted: Sequence[tuple[T, int]]) -> None:
        self.values = [value for value, _ in weighted]
        self.cumulative = list(itertools.accumulate(weight for _, weight in weighted))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_LEVELS: Final = list(FrenchLevel)
_FRENCH: Final = _Draw(list(zip(_LEVELS[:4], (35, 35, 20, 10), strict=True)))
_AGE_BANDS: Final = _Draw(
    [
        (AgeBand.UNDER_18, 4),
        (AgeBand.FROM_18_TO_25, 30),
        (AgeBand.FROM_26_TO_39, 47),
        (AgeBand.FROM_40, 19),
    ]
)
# Men are about 64% of refugees entering AGIR (DSED, "Le profil socioéconomique des réfugiés à
# leur entrée dans le programme AGIR", immigration.interieur.gouv.fr).
_SEXES: Final = _Draw([(Sex.MALE, 63), (Sex.FEMALE, 36), (Sex.UNSPECIFIED, 1)])
_EMPLOYMENT: Final = _Draw(list(zip(EmploymentOutcome, (40, 12, 14, 9, 17, 8), strict=True)))
_HOUSING: Final = _Draw(list(zip(HousingOutcome, (3, 12, 25, 30, 30), strict=True)))


def _grenoble_youth(period: Period, operator: str, state: str) -> Action:
    """Return Grenoble's action for refugees under 26 (synthetic).

    The métropole runs programmes for under-26s without income
    (https://www.must-a-lab.eu/grenoble/?lang=fr); this action stands for them in
    the demo. It uses no random draw, so adding it changes nothing else in the demo.
    """
    assert period.end is not None
    start = dt.date(period.start.year + 1, 1, 6)
    return Action(
        id="grenoble-jeunes",
        title=f"Accompagnement des moins de 26 ans ({_SYNTHETIC})",
        theme=Theme.EMPLOYMENT_TRAINING,
        period=Period(start, period.end),
        operators=(operator,),
        public=PublicScope(categories=_BPI, min_age=16, max_age=25),
        funding=tuple(
            Funding(
                funder=state,
                source=FundingSource.P104_ACTION_15,
                year=year,
                committed=Decimal(40_000),
                spent=Decimal(38_500) if dt.date(year, 12, 31) < HORIZON else None,
            )
            for year in range(start.year, period.end.year + 1)
        ),
        targets=(Target(indicator="beneficiaries", value=Decimal(60)),),
    )


def _p104_for(action: Action) -> FundingSource:
    """P104 action 15 for an action kept for protected persons only, else action 12.

    Action 12 funds newcomers who signed the CIR less than five years ago, action 15 refugees
    (https://www.charente.gouv.fr/Politiques-publiques/Solidarite-et-cohesion-sociale/Cohesion-sociale/Appel-a-projets-BOP-104-Integration-et-acces-a-la-nationalite-francaise-Actions-12-et-15).
    """
    if action.public is not None and action.public.categories <= _BPI:
        return FundingSource.P104_ACTION_15
    return FundingSource.P104_ACTION_12


def _with_yearly_targets(action: Action, last: dt.date) -> Action:
    """The action with a yearly target for each calendar year it runs, up to ``last``.

    Derived from its whole-action target without drawing again, so the rest of the dataset
    is what it was before yearly targets existed: half the whole-action target, in tens.
    """
    whole = next((t for t in action.targets if t.kind is TargetKind.ACTION), None)
    if whole is None:
        return action
    yearly = max(Decimal(10), (whole.value / 20).to_integral_value() * 10)
    added = tuple(
        Target(indicator=whole.indicator, value=yearly, year=year, kind=TargetKind.PERIOD)
        for year in range(action.period.start.year, last.year + 1)
    )
    return attrs.evolve(action, targets=(*action.targets, *added))


def _scaled(contract: Contract, total: int) -> Contract:
    """The contract with its targets in proportion to ``total`` participation rows.

    Targets are drawn for the default size; a demo ten times larger has about ten times the
    participants per action, and its targets follow, so that achievements stay meaningful
    (in tens, at least ten).
    """
    factor = Decimal(total) / _DEFAULT_PARTICIPATIONS

    def scale(targets: tuple[Target, ...]) -> tuple[Target, ...]:
        return tuple(
            attrs.evolve(
                t, value=max(Decimal(10), (t.value * factor / 10).to_integral_value() * 10)
            )
            for t in targets
        )

    def of(actions: tuple[Action, ...]) -> tuple[Action, ...]:
        return tuple(attrs.evolve(a, targets=scale(a.targets)) for a in actions)

    return attrs.evolve(
        contract,
        actions=of(contract.actions),
        amendments=tuple(
            attrs.evolve(m, actions_added=of(m.actions_added)) for m in contract.amendments
        ),
        targets=scale(contract.targets),
    )


def _reported(contract: Contract, report_only: set[str]) -> Contract:
    """The contract with the targets of its report-only actions set on the counts reported.

    An operator that shares no individual data is followed by the persons it reports
    (``reported_beneficiaries``): a target on individual participations would compare a
    target with nothing. A contract-level target on participations leaves those actions out.
    """
    moved = Decimal(0)

    def of(actions: tuple[Action, ...]) -> tuple[Action, ...]:
        nonlocal moved
        found = []
        for action in actions:
            if action.id in report_only:
                moved += sum(
                    (t.value for t in action.targets if t.kind is TargetKind.ACTION), Decimal(0)
                )
                action = attrs.evolve(
                    action,
                    targets=tuple(
                        attrs.evolve(t, indicator="reported_beneficiaries") for t in action.targets
                    ),
                )
            found.append(action)
        return tuple(found)

    actions = of(contract.actions)
    amendments = tuple(
        attrs.evolve(m, actions_added=of(m.actions_added)) for m in contract.amendments
    )
    targets = tuple(
        attrs.evolve(t, value=max(Decimal(10), t.value - moved))
        if t.kind is TargetKind.CONTRACT
        else t
        for t in contract.targets
    )
    return attrs.evolve(contract, actions=actions, amendments=amendments, targets=targets)


def _luhn_completed(prefix: str) -> str:
    """``prefix`` and the one digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def _synthetic_siret(siren: str | None, reference: str) -> str:
    """A synthetic SIRET: the real SIREN of an EPCI, else ``000``, the commune's code and a key.

    No SIREN of a collectivité starts with ``000``, so a commune's synthetic number cannot be
    taken for a real one; the establishment number is always synthetic.
    """
    head = siren if siren is not None else _luhn_completed("000" + reference)
    return _luhn_completed(head + "0001")


def _synthetic_rna(key: str) -> str:
    """A synthetic RNA number: ``W000`` (no département 000) and six digits from ``key``."""
    digits = int(hashlib.blake2b(key.encode(), digest_size=4).hexdigest(), 16) % 1_000_000
    return f"W000{digits:06d}"


def _with_subsidy_terms(contract: Contract, parties: dict[str, Party]) -> Contract:
    """The collectivités' funding lines with what the SCDL "subventions" format asks (synthetic).

    A decision ``DEMO-<year>-<n>``, an agreement on 15 March of the line's year, payments in
    April (and October, when staged above €23,000, the threshold of the publication duty), in
    cash, not notified to the European Commission, to the action's first operator. No random
    draw: the rest of the demo is unchanged.
    """
    numbers = itertools.count(1)

    def line(action: Action, funding: Funding) -> Funding:
        funder = parties.get(funding.funder)
        if funder is None or funder.kind is not PartyKind.COLLECTIVITE:
            return funding
        year = funding.year
        staged = funding.committed > _PUBLICATION_THRESHOLD
        return attrs.evolve(
            funding,
            beneficiary=action.operators[0] if len(action.operators) > 1 else None,
            decision=f"DEMO-{contract.id}-{year}-{next(numbers):03d}",
            convention_on=dt.date(year, 3, 15),
            payment_conditions=PaymentConditions.STAGED if staged else PaymentConditions.SINGLE,
            payment_period=Period(dt.date(year, 4, 1), dt.date(year, 10 if staged else 4, 1)),
            nature=frozenset({AidNature.CASH}),
            eu_notified=False,
        )

    def of(action: Action) -> Action:
        return attrs.evolve(action, funding=tuple(line(action, f) for f in action.funding))

    every = {a.id: a for a in contract.all_actions()}
    amendments = tuple(
        attrs.evolve(
            m,
            actions_added=tuple(map(of, m.actions_added)),
            funding_added=tuple(
                attrs.evolve(f, funding=line(every[f.action], f.funding)) for f in m.funding_added
            ),
        )
        for m in contract.amendments
    )
    return attrs.evolve(contract, actions=tuple(map(of, contract.actions)), amendments=amendments)


_PUBLICATION_THRESHOLD: Final = Decimal(23_000)
"""Subsidies above this amount must be published (décret 2017-779)."""


def _pseudonym(rng: random.Random) -> str:
    return "P" + hashlib.blake2b(rng.randbytes(8), digest_size=6).hexdigest().upper()


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class _Builder:
    """Generates the synthetic part of the demo, deterministically from ``seed``."""

    def __init__(self, seed: int, participations: int | None) -> None:
        self.rng = random.Random(seed)
        self.geography = get_geography()
        self.parties: dict[str, Party] = {}
        self.territories: dict[str, Territory] = {}
        self.target_participations = participations
        self.report_only: set[str] = set()
        self.publics: dict[str, list[tuple[dt.date, PublicScope]]] = {}

    # -- parties and territories --------------------------------------------------------------

    def territory(self, reference: str) -> Territory:
        found = self.territories.get(reference)
        if found is None:
            found = self.geography.get(reference)
            self.territories[reference] = found
        return found

    def party(self, party: Party) -> str:
        self.parties.setdefault(party.id, party)
        return party.id

    def collectivite(self, reference: str) -> str:
        territory = self.territory(reference)
        siren = reference if territory.kind.is_epci else None
        return self.party(
            Party(
                id=f"col-{reference}",
                kind=PartyKind.COLLECTIVITE,
                name=territory.name,
                siren=siren,
                siret=_synthetic_siret(siren, reference),
                territory=reference,
            )
        )

    def prefecture(self, territory: Territory) -> str:
        departement = next(p for p in territory.parents if p.startswith("dep:"))
        name = self.territory(departement).name
        return self.party(
            Party(
                id=f"pref-{departement[4:].lower()}",
                kind=PartyKind.PREFECTURE,
                name=f"Préfecture ({name})",
                territory=departement,
            )
        )

    def operators(self, slug: str, count: int) -> list[str]:
        return [
            self.party(
                Party(
                    id=f"asso-{slug}-{n}",
                    kind=PartyKind.ASSOCIATION,
                    name=f"Association {n} de {slug.replace('-', ' ').title()} ({_SYNTHETIC})",
                    rna=_synthetic_rna(f"{slug}-{n}"),
                )
            )
            for n in range(1, count + 1)
        ]

    # -- contracts ----------------------------------------------------------------------------

    def contract(self, seed: _Seed) -> Contract:
        rng = self.rng
        territory = self.territory(seed.territory)
        entry = seed.entry
        period = Period(seed.start, seed.end)
        signed_on = seed.start
        public = PublicScope(categories=entry.public or _BPI)
        state = self.prefecture(territory)
        # Each signatory's own date only where a source gives the day; the Diair signs only
        # where a source says it did.
        day = signed_on if seed.signed_to_the_day else None
        signatories = [Signatory(party=state, role=SignatoryRole.STATE, signed_on=day)]
        signatories += [
            Signatory(party=self.collectivite(ref), role=SignatoryRole.COLLECTIVITE, signed_on=day)
            for ref in seed.signatories
        ]
        if entry.diair_signs:
            diair = self.party(
                Party(
                    id="diair",
                    kind=PartyKind.STATE,
                    name=(
                        "Délégation interministérielle à l'accueil et à l'intégration des réfugiés"
                    ),
                )
            )
            signatories.append(Signatory(party=diair, role=SignatoryRole.PARTNER))
        for ref in seed.signatories:
            self.territory(ref)
        lead = signatories[1].party
        operators = self.operators(seed.slug, rng.randint(3, 5))
        themes = self.themes(seed)
        actions = tuple(
            self.action(seed, index, theme, period, operators, state, lead)
            for index, theme in enumerate(themes, start=1)
        )
        if seed.slug == "grenoble":
            actions = (*actions, _grenoble_youth(period, operators[0], state))
        amendments = self.amendments(seed, period, operators, state, lead, actions)
        # Yearly targets on each contract's last action with a target, through its
        # prolongations, so that a report of any year the action runs shows a target of that
        # period (the first actions keep a whole-action target only, as brest-01's).
        final_end = max((a.new_end for a in amendments if a.new_end), default=period.end)
        chosen = max((i for i, a in enumerate(actions) if a.targets), default=None)
        if chosen is not None:
            picked = actions[chosen]
            last = final_end if picked.period.end == period.end else picked.period.end
            assert last is not None
            actions = tuple(
                _with_yearly_targets(a, last) if i == chosen else a for i, a in enumerate(actions)
            )
        # One contract-level target, so that every kind of target is shown: Brest's, the sum
        # of its actions' whole-action targets (distinct persons over the whole contract).
        targets: tuple[Target, ...] = ()
        if seed.slug == _CONTRACT_TARGET:
            whole = sum(
                (t.value for a in actions for t in a.targets if t.kind is TargetKind.ACTION),
                Decimal(0),
            )
            targets = (Target(indicator="beneficiaries", value=whole, kind=TargetKind.CONTRACT),)
        population = territory.population or 100_000
        synthetic_note = "synthetic: actions, operators, amounts, participants, reports"
        if not seed.signed_to_the_day:
            synthetic_note += (
                ", start date (the sources give the signing "
                + ("year" if entry.scheduled is None else "year and a scheduled day")
                + ")"
            )
        if not seed.sourced_end:
            synthetic_note += ", end date"
        return Contract(
            id=f"ctair-{seed.slug}",
            kind=ContractKind.CTAIR,
            territory=seed.territory,
            title=f"CTAIR {territory.name}",
            period=period,
            public=public,
            signed_on=signed_on,
            signed_precision=entry.signed.precision if entry.signed else DatePrecision.DAY,
            signatories=tuple(signatories),
            actions=actions,
            amendments=amendments,
            targets=targets,
            diagnostic=Diagnostic(
                on=add_months(signed_on, -rng.randint(3, 6)),
                estimated_beneficiaries=max(50, population // rng.randint(600, 1200)),
                needs=tuple(themes[:3]),
                summary=f"Diagnostic partagé ({_SYNTHETIC}).",
            ),
            governance=(
                GovernanceBody(
                    kind=GovernanceKind.COPIL,
                    level=GovernanceLevel.CONTRACT,
                    name="Comité de pilotage du contrat",
                    every_months=6,
                    first_meeting=add_months(signed_on, 3),
                ),
            ),
            sources=(
                *entry.model_sources(),
                Source(title="territoires demo generator", note=synthetic_note),
            ),
        )

    def themes(self, seed: _Seed) -> list[Theme]:
        """Draw 4 to 7 distinct themes; from 2021 every contract has a housing action."""
        rng = self.rng
        pool = list(_THEME_WEIGHTS)
        weights = [_THEME_WEIGHTS[t] for t in pool]
        chosen: list[Theme] = []
        wanted = rng.randint(4, 7)
        if seed.cohort >= 2021:
            chosen.append(Theme.HOUSING)  # the 2021 rule: a housing section is mandatory
        while len(chosen) < wanted:
            theme = rng.choices(pool, weights)[0]
            if theme not in chosen:
                chosen.append(theme)
        return [*chosen, Theme.COORDINATION]

    def funding(
        self, period: Period, state: str, lead: str, share: float, *, source: FundingSource
    ) -> tuple[Funding, ...]:
        """State and collectivité lines for each year of ``period``; past years are spent."""
        rng = self.rng
        assert period.end is not None
        lines: list[Funding] = []
        for year in range(period.start.year, period.end.year + 1):
            envelope = Decimal(rng.randint(150, 300) * 1000)  # State envelope, 150-300 k€/yr
            state_amount = (envelope * Decimal(str(share))).quantize(Decimal("1"))
            co_rate = Decimal(rng.randint(20, 50)) / 100
            local = (state_amount * co_rate).quantize(Decimal("1"))
            done = dt.date(year, 12, 31) < HORIZON
            for funder, source_, amount in (
                (state, source, state_amount),
                (lead, FundingSource.COLLECTIVITE, local),
            ):
                spent = None
                if done:
                    spent = (amount * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
                lines.append(
                    Funding(
                        funder=funder,
                        source=source_,
                        year=year,
                        committed=amount,
                        spent=spent,
                    )
                )
        return tuple(lines)

    def action(
        self,
        seed: _Seed,
        index: int,
        theme: Theme,
        period: Period,
        operators: Sequence[str],
        state: str,
        lead: str,
    ) -> Action:
        rng = self.rng
        assert period.end is not None
        start = min(add_months(period.start, rng.randint(1, 4)), period.end)
        share = 0.08 if theme is Theme.COORDINATION else rng.uniform(0.1, 0.3)
        action_period = Period(start, period.end)
        public = None
        if theme is Theme.EMPLOYMENT_TRAINING and rng.random() < 0.5:
            public = PublicScope(categories=_BPI, min_age=18, max_age=25)
        return Action(
            id=f"{seed.slug}-{index:02d}",
            title=f"{_THEME_TITLES[theme]} ({_SYNTHETIC})",
            theme=theme,
            period=action_period,
            operators=tuple(rng.sample(list(operators), k=1 if rng.random() < 0.7 else 2))
            if theme is not Theme.COORDINATION
            else (lead,),
            public=public,
            funding=self.funding(
                action_period, state, lead, share, source=FundingSource.P104_ACTION_15
            ),
            targets=()
            if theme is Theme.COORDINATION
            else (
                Target(
                    indicator="beneficiaries",
                    value=Decimal(rng.randint(4, 16) * 10),
                    kind=TargetKind.ACTION,
                ),
            ),
        )

    def amendments(
        self,
        seed: _Seed,
        period: Period,
        operators: Sequence[str],
        state: str,
        lead: str,
        actions: tuple[Action, ...],
    ) -> tuple[Amendment, ...]:
        """Grenoble's real avenant; synthetic prolongations for most other contracts."""
        rng = self.rng
        assert period.end is not None
        if seed.slug == "grenoble":
            new_end = dt.date(2023, 12, 31)
            added_period = Period(_GRENOBLE_AVENANT, new_end)
            ukraine = Action(
                id="grenoble-ukraine",
                title=f"Accueil des personnes déplacées d'Ukraine ({_SYNTHETIC})",
                theme=Theme.ACCESS_TO_RIGHTS,
                period=added_period,
                operators=(operators[0],),
                public=PublicScope(categories=frozenset({PublicCategory.TEMPORARY_PROTECTION})),
                funding=self.funding(
                    added_period, state, lead, 0.15, source=FundingSource.P104_ACTION_12
                ),
                targets=(Target(indicator="beneficiaries", value=Decimal(120)),),
            )
            extension = Period(dt.date(2022, 1, 1), new_end)
            return (
                Amendment(
                    id="grenoble-avenant-1",
                    title="Avenant n° 1 : prolongation et ouverture aux primo-arrivants",
                    signed_on=None,  # "a Wednesday" of June 2022: the day is not published
                    effective_on=_GRENOBLE_AVENANT,
                    new_end=new_end,
                    public_added=frozenset(
                        {PublicCategory.OTHER_NEWCOMER, PublicCategory.TEMPORARY_PROTECTION}
                    ),
                    # P104 action 12 funds newcomers who signed the CIR, action 15 refugees:
                    # an action kept for refugees only stays on action 15.
                    funding_added=tuple(
                        ActionFunding(action=action.id, funding=line)
                        for action in actions
                        for line in self.funding(
                            extension, state, lead, 0.1, source=_p104_for(action)
                        )[::2]
                    ),
                    actions_added=(ukraine,),
                    rationale=(
                        "Prolongation; objectives updated for the deployment of AGIR, the "
                        "opening to primo-arrivants and the reception of displaced Ukrainians. "
                        "Signed on a Wednesday of June 2022 (communiqué of 30 June 2022); the "
                        "effective date, 29 June 2022, is the demo's. The new end date follows "
                        "MUST-a-Lab's 2019-2023; amounts are synthetic."
                    ),
                    sources=(
                        Source(
                            title="Préfecture de l'Isère, communiqué du 30 juin 2022",
                            url="https://www.isere.gouv.fr/index.php/layout/set/print/Actualites/Salle-de-presse/Derniers-communiques/Prolongation-du-Contrat-Territorial-d-Accueil-et-d-Integration-des-Refugies",
                        ),
                        Source(
                            title="MUST-a-Lab, Grenoble",
                            url="https://www.must-a-lab.eu/grenoble/?lang=fr",
                        ),
                    ),
                ),
            )
        if seed.sourced_end or rng.random() < 0.25:
            return ()
        years = rng.randint(1, 4)
        new_end = dt.date(period.end.year + years, 12, 31)
        effective = dt.date(period.end.year, 12, rng.randint(1, 20))
        return (
            Amendment(
                id=f"{seed.slug}-avenant-1",
                title=f"Avenant n° 1 : prolongation ({_SYNTHETIC})",
                signed_on=effective,
                effective_on=effective,
                new_end=new_end,
                funding_added=tuple(
                    ActionFunding(action=action.id, funding=line)
                    for action in actions
                    for line in self.funding(
                        Period(dt.date(period.end.year + 1, 1, 1), new_end),
                        state,
                        lead,
                        0.1,
                        source=FundingSource.P104_ACTION_15,
                    )
                ),
                rationale=f"Prolongation ({_SYNTHETIC}).",
            ),
        )

    # -- people -------------------------------------------------------------------------------

    def residences(self, territory: str) -> _Draw[str]:
        """Communes of residence, weighted by population (the territory itself if a commune)."""
        members = [t for t in self.geography.members(territory) if t.kind.value == "commune"]
        members = members or [self.territory(territory)]
        return _Draw([(t.code, max(1, t.population or 1)) for t in members])

    def public_on(self, contract: Contract, on: dt.date) -> PublicScope:
        """The contract's public on ``on``, from the dates its avenants change it (cached)."""
        timeline = self.publics.get(contract.id)
        if timeline is None:
            changes = sorted({a.effective_on for a in contract.amendments if a.public_added})
            timeline = [(dt.date.min, contract.public)]
            timeline += [(day, contract.as_of(day).public) for day in changes]
            self.publics[contract.id] = timeline
        return next(public for day, public in reversed(timeline) if day <= on)

    def participations(self, contracts: Sequence[Contract], total: int) -> Iterator[Participation]:
        rng = self.rng
        runs: list[tuple[Contract, Action]] = [
            (contract, action)
            for contract in contracts
            for action in contract.as_of(dt.date.max).actions
            if action.theme is not Theme.COORDINATION
            and action.id not in self.report_only
            and action.period.start <= HORIZON
        ]
        weights = [1 + (self.territory(c.territory).population or 0) // 100_000 for c, _ in runs]
        residences: dict[str, _Draw[str]] = {}
        statuses: dict[frozenset[PublicCategory], _Draw[AdministrativeStatus]] = {}
        # The last day each action counts, when it is over by the horizon: operators record
        # an exit then, without outcome, so the demo validates without warnings
        # (participation-open-after-action). Set after every draw, so nothing else changes,
        # and no figure either: a row counts up to the window's end with or without that exit.
        closes = {}
        for contract, action in runs:
            window = action.window_in(contract.as_of(dt.date.max))
            if window.end is not None and window.end < HORIZON:
                closes[action.id] = window.end
        picks = rng.choices(range(len(runs)), weights, k=total)
        for number, pick in enumerate(picks, start=1):
            contract, action = runs[pick]
            end = min(action.period.end or HORIZON, HORIZON)
            entry = _date_between(rng, action.period.start, end)
            public = action.public or self.public_on(contract, entry)
            if public.categories not in statuses:
                statuses[public.categories] = _Draw(
                    [(s, w) for s, w in _STATUS_WEIGHTS if s.public_category in public.categories]
                )
            if public.max_age is not None and public.max_age <= 25:
                band = AgeBand.FROM_18_TO_25
            else:
                band = _AGE_BANDS.draw(rng)
            if contract.territory not in residences:
                residences[contract.territory] = self.residences(contract.territory)
            exit_date = None
            employment = housing = french_exit = None
            if rng.random() < 0.6:
                exit_date = min(entry + dt.timedelta(days=rng.randint(60, 540)), end)
                employment = _EMPLOYMENT.draw(rng)
                housing = _HOUSING.draw(rng)
            french_entry = _FRENCH.draw(rng)
            if exit_date is not None and action.theme is Theme.FRENCH_LANGUAGE:
                french_exit = _LEVELS[min(_LEVELS.index(french_entry) + rng.randint(0, 2), 6)]
            closed = closes.get(action.id)
            if exit_date is None and closed is not None and entry <= closed:
                exit_date = closed
            yield Participation(
                id=f"part-{number:07d}",
                person=_pseudonym(rng),
                action=action.id,
                entry_date=entry,
                exit_date=exit_date,
                status=statuses[public.categories].draw(rng),
                sex=_SEXES.draw(rng),
                age_band=band,
                residence=residences[contract.territory].draw(rng),
                employment=employment,
                housing=housing,
                french_entry=french_entry,
                french_exit=french_exit,
            )

    def reports(self, contracts: Sequence[Contract]) -> Iterator[ActionReport]:
        """Semi-annual reports for the actions whose operators share only counts."""
        rng = self.rng
        for contract in contracts:
            for action in contract.as_of(dt.date.max).actions:
                if action.id not in self.report_only:
                    continue
                categories = sorted(action.public_in(contract).categories, key=lambda c: c.value)
                start = action.period.start
                year, half = start.year, 1 if start.month <= 6 else 2
                while True:
                    semester = Period.semester(year, half)
                    assert semester.end is not None
                    if semester.end > HORIZON or (
                        action.period.end is not None and semester.start > action.period.end
                    ):
                        break
                    counts = [
                        ReportCount(category=category, sex=sex, age_band=band, count=count)
                        for category in categories
                        for sex in (Sex.FEMALE, Sex.MALE)
                        for band in (AgeBand.FROM_18_TO_25, AgeBand.FROM_26_TO_39, AgeBand.FROM_40)
                        if (count := rng.randint(0, 6)) > 0
                    ]
                    yield ActionReport(
                        id=f"{action.id}-{year}-s{half}",
                        action=action.id,
                        period=semester,
                        counts=tuple(counts),
                        spent=Decimal(rng.randint(5, 40) * 1000),
                    )
                    year, half = (year, 2) if half == 1 else (year + 1, 1)

    def build(self) -> Dataset:
        contracts = [self.contract(_Seed.of(e, self.rng)) for e in seed_contracts()]
        # About a third of the actions report counts only (operators that share no
        # individual data), which is what ActionReport is for.
        self.report_only = {
            action.id
            for contract in contracts
            for action in contract.all_actions()
            if action.theme is not Theme.COORDINATION and self.rng.random() < 0.3
        }
        contracts = [_reported(contract, self.report_only) for contract in contracts]
        contracts = [_with_subsidy_terms(contract, self.parties) for contract in contracts]
        total = self.target_participations
        if total is None:
            total = _DEFAULT_PARTICIPATIONS
        if total != _DEFAULT_PARTICIPATIONS:
            contracts = [_scaled(contract, total) for contract in contracts]
        participations = tuple(self.participations(contracts, total))
        reports = tuple(self.reports(contracts))
        return Dataset(
            info=DatasetInfo(
                title=(
                    "Démonstration : les 18 territoires CTAIR de 2019 et 2021 "
                    "(activité synthétique)"
                ),
                description=(
                    "Territories, cohorts, signatory kinds and public dates are real (Diair, "
                    "France urbaine, préfectures). Actions, operators, amounts, avenants other "
                    "than Grenoble's, participants and reports are SYNTHETIC, generated by "
                    "territoires.demo; they describe no real person or organisation."
                ),
                synthetic=True,
                licence="Licence Ouverte 2.0 (geography); synthetic records: CC0",
                created=HORIZON,
                sources=(*_registry_sources(), self.geography.source),
            ),
            territories=tuple(self.territories[ref] for ref in sorted(self.territories)),
            parties=tuple(self.parties[key] for key in sorted(self.parties)),
            contracts=tuple(contracts),
            participations=participations,
            reports=reports,
        )


_DEFAULT_PARTICIPATIONS: Final = 6_000
"""Participation rows of the default demo; targets are drawn for this size and scaled."""

MAX_PARTICIPATIONS = 100_000_000
"""Most participation rows the demo builds: ten times the national scale of a decade."""


def build(*, seed: int = DEFAULT_SEED, participations: int | None = None) -> Dataset:
    """Build the demo dataset: real territories and cohorts, synthetic activity.

    Args:
        seed: Seed of the synthetic part; the same seed always gives the same dataset.
        participations: Number of participation rows (6,000 by default); millions work, for
            benchmarks; at most ``MAX_PARTICIPATIONS``. Targets are in proportion (in tens,
            at least ten), so that achievements keep their meaning at any size.

    Raises:
        InvalidArgumentError: ``participations`` is negative or above ``MAX_PARTICIPATIONS``
            (also a ``ValueError``).

    .. versionadded:: 0.1
    """
    if participations is not None and not 0 <= participations <= MAX_PARTICIPATIONS:
        raise InvalidArgumentError(
            "participations", participations, f"a number between 0 and {MAX_PARTICIPATIONS:,}"
        )
    return _Builder(seed, participations).build()
