"""Contracts, their actions, funding, amendments (avenants) and governance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from territoires.exceptions import InvalidArgumentError
from territoires.model import _validators as v
from territoires.model.dates import ApproximateDate
from territoires.model.enums import (
    AidNature,
    ContractKind,
    ContractStatus,
    DatePrecision,
    FundingSource,
    GovernanceKind,
    GovernanceLevel,
    PaymentConditions,
    PublicCategory,
    SignatoryRole,
    TargetKind,
    Theme,
    WindowStart,
)
from territoires.model.period import Period
from territoires.model.scope import PublicScope

__all__ = [
    "Action",
    "ActionFunding",
    "Amendment",
    "Contract",
    "Diagnostic",
    "EligibilityTerms",
    "Funding",
    "GovernanceBody",
    "Signatory",
    "Source",
    "Target",
]

_SEMI_ANNUAL = 6


@attrs.frozen(kw_only=True)
class Source:
    """Where a piece of information comes from (provenance).

    Attributes:
        title: What the source is ("Diair, signatures de contrats État-métropoles").
        url: Where to read it, if public.
        note: What it supports, or a caveat.

    .. versionadded:: 0.1
    """

    title: str = attrs.field(validator=v.text)
    url: str | None = attrs.field(default=None, validator=v.optional(v.text))
    note: str = attrs.field(default="", validator=v.any_text)


def _short_text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.text(instance, attribute, value)
    assert isinstance(value, str)
    if len(value) > 255:
        raise v.fail(attribute, value, "at most 255 characters")


def _closed_period(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.instance(Period)(instance, attribute, value)
    assert isinstance(value, Period)
    if value.end is None:
        raise v.fail(attribute, str(value), "a day or a period with its last day")


def _share(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.finite_decimal(instance, attribute, value)
    assert isinstance(value, Decimal)
    if not Decimal("0.01") <= value <= 1 or value != value.quantize(Decimal("0.01")):
        raise v.fail(attribute, value, "a share from 0.01 to 1, in hundredths")


@attrs.frozen(kw_only=True)
class Funding:
    """One funding line of an action: who pays, from which budget, for which year, how much.

    The optional attributes after ``spent`` are what a collectivité publishes of a subsidy in
    the national SCDL "subventions" format (see :mod:`territoires.subsidies`).

    Attributes:
        funder: Id of the funding party.
        source: Budget source (P104 action 12 or 15, P147, collectivité, EU funds, other).
        year: Budget year.
        committed: Amount committed, in euros.
        spent: Amount actually spent, in euros, once known.
        beneficiary: Id of the party that receives it; by default the action's only operator.
        decision: Reference of the act that grants it (``2017-03-103``): SCDL
            ``referenceDecision``.
        convention_on: Date of the agreement (convention): SCDL ``dateConvention``.
        payment_conditions: Single, staged or other payments: SCDL ``conditionsVersement``.
        payment_period: The day, or the first and last days, of the payments: SCDL
            ``datesPeriodeVersement``.
        nature: Cash, in kind, or both: SCDL ``nature``.
        eu_notified: Whether the aid was notified to the European Commission: SCDL
            ``notificationUE``.
        share: Share of the amount that goes to the beneficiary, from 0.01 to 1 (1 for a
            single beneficiary, the default): SCDL ``pourcentageSubvention``.
        aid_scheme: Id of the aid scheme (SCDL ``dispositifAide``).

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       The SCDL attributes, from ``beneficiary`` to ``aid_scheme``.
    """

    funder: str = attrs.field(validator=v.identifier)
    source: FundingSource = attrs.field(validator=v.member_of(FundingSource))
    year: int = attrs.field(validator=v.year)
    committed: Decimal = attrs.field(validator=v.money)
    spent: Decimal | None = attrs.field(default=None, validator=v.optional(v.money))
    beneficiary: str | None = attrs.field(default=None, validator=v.optional(v.identifier))
    decision: str | None = attrs.field(default=None, validator=v.optional(_short_text))
    convention_on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    payment_conditions: PaymentConditions | None = attrs.field(
        default=None, validator=v.optional(v.member_of(PaymentConditions))
    )
    payment_period: Period | None = attrs.field(default=None, validator=v.optional(_closed_period))
    nature: frozenset[AidNature] = attrs.field(
        default=frozenset(), validator=v.members_of(AidNature)
    )
    eu_notified: bool | None = attrs.field(default=None, validator=v.optional(v.boolean))
    share: Decimal | None = attrs.field(default=None, validator=v.optional(_share))
    aid_scheme: str | None = attrs.field(default=None, validator=v.optional(_short_text))


def _semester(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if type(value) is not int or value not in (1, 2):
        raise v.fail(attribute, value, "1 (January to June) or 2 (July to December)")
    if getattr(instance, "year", None) is None:
        raise v.fail(attribute, value, "no semester unless the target gives its year")


def _default_kind(target: Target) -> TargetKind:
    # Files written before kinds existed: a year meant that year, no year the whole action.
    return TargetKind.PERIOD if target.year is not None else TargetKind.ACTION


def _kind_fits_year(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.member_of(TargetKind)(instance, attribute, value)
    year = getattr(instance, "year", None)
    if value is TargetKind.PERIOD and year is None:
        raise v.fail(
            attribute, value.value, "a year (and a semester, if any) for a target of one period"
        )
    if value is not TargetKind.PERIOD and year is not None:
        assert isinstance(value, TargetKind)
        raise v.fail(
            attribute,
            value.value,
            f"no year for a target of kind '{value.value}' (a target set for {year} alone "
            "is of kind 'period')",
        )


@attrs.frozen(kw_only=True)
class Target:
    """A quantified objective, compared with the indicator of the same name.

    A target says what it is for (:class:`TargetKind`): one period (a year, or a semester
    of it), the whole action (cumulative from the action's start), or the whole contract. It
    is compared like with like only (see :func:`territoires.indicators.compute_indicators`).

    Attributes:
        indicator: Name of the indicator the target is set on.
        value: Target value, in the indicator's unit.
        year: Year the target applies to, for a target of one period; None otherwise.
        semester: 1 or 2 for a target of one semester of ``year``; None for the whole year.
        kind: What the target is for: ``period`` (needs ``year``, and ``semester`` for half
            a year), ``action`` or ``contract`` (neither). By default a target of one period
            when ``year`` is given, else of the whole action, as files written before version
            0.2 meant. An action holds targets of kind ``period`` or ``action``, a contract of
            kind ``period`` or ``contract``.

    Example:
        >>> Target(indicator="beneficiaries", value=Decimal(40), year=2021).kind.value
        'period'
        >>> str(Target(indicator="beneficiaries", value=Decimal(20), year=2021,
        ...            semester=2).period)
        '2021-07-01..2021-12-31'
        >>> Target(indicator="beneficiaries", value=Decimal(120)).kind.value
        'action'

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``kind`` and ``semester``.
    """

    indicator: str = attrs.field(validator=v.identifier)
    value: Decimal = attrs.field(validator=v.finite_decimal)
    year: int | None = attrs.field(default=None, validator=v.optional(v.year))
    semester: int | None = attrs.field(default=None, validator=_semester)
    kind: TargetKind = attrs.field(
        default=attrs.Factory(_default_kind, takes_self=True), validator=_kind_fits_year
    )

    @property
    def period(self) -> Period | None:
        """The year or semester of a target of one period; None for the other kinds."""
        if self.year is None:
            return None
        if self.semester is None:
            return Period.year(self.year)
        return Period.semester(self.year, self.semester)


def _kinds(*allowed: TargetKind) -> v.Validator:
    wanted = " or ".join(f"'{kind.value}'" for kind in allowed)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        v.tuple_of(Target)(instance, attribute, value)
        assert isinstance(value, tuple)
        for target in value:
            if target.kind not in allowed:
                raise v.fail(
                    attribute,
                    target.kind.value,
                    f"targets of kind {wanted} here (a {target.kind.label_en} does not belong "
                    f"to {attribute.name.split('.')[0]} of this record)",
                )

    return check


@attrs.frozen(kw_only=True)
class Action:
    """An action funded by a contract and run by one or more operators.

    Attributes:
        id: Stable identifier, unique in the dataset.
        title: Short title.
        theme: Thematic axis.
        period: When the action runs.
        operators: Ids of the parties that run it (usually associations).
        public: Who the action is for; None means the contract's public as amended, so an
            avenant opening the contract opens the action too.
        funding: Funding lines.
        targets: Quantified objectives: for one period, or for the whole action.
        closed_on: Date from which the action was closed by an avenant, if any.
        description: Free text.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    title: str = attrs.field(validator=v.text)
    theme: Theme = attrs.field(validator=v.member_of(Theme))
    period: Period = attrs.field(validator=v.instance(Period))
    operators: tuple[str, ...] = attrs.field(default=(), validator=v.identifiers)
    public: PublicScope | None = attrs.field(
        default=None, validator=v.optional(v.instance(PublicScope))
    )
    funding: tuple[Funding, ...] = attrs.field(default=(), validator=v.tuple_of(Funding))
    targets: tuple[Target, ...] = attrs.field(
        default=(), validator=_kinds(TargetKind.PERIOD, TargetKind.ACTION)
    )
    closed_on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    description: str = attrs.field(default="", validator=v.any_text)

    def public_in(self, contract: Contract) -> PublicScope:
        """Return the public of this action within ``contract`` (its own, or the contract's)."""
        v.check_instance(
            "contract", contract, Contract, "a Contract (dataset.contract(id) gives one)"
        )
        return self.public if self.public is not None else contract.public

    def window_in(self, contract: Contract) -> Period:
        """Return the days a participation in this action can count, within ``contract``.

        The window is the action's period as amended, within the contract's period as
        amended, and ends the day before :attr:`closed_on` when an avenant closed the action.
        Give the action and the contract as amended on the date of interest
        (``contract.as_of(day)`` and its action): an avenant not yet in force neither
        prolongs nor closes anything. A participation counts in a period only while it lies
        within this window and before its exit (see :class:`territoires.IndicatorInput`).

        When the action never ran within the contract (closed before it started, or its
        period outside the contract's), the window is the single day before its start, which
        no participation can reach, since an entry before the action's start is refused.

        Example:
            >>> contract = Contract(
            ...     id="brest", kind=ContractKind.CTAIR, territory="242900314",
            ...     title="CTAIR Brest", period=Period(dt.date(2019, 7, 1), dt.date(2021, 12, 31)),
            ...     public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})))
            >>> action = Action(
            ...     id="brest-01", title="Cours de français", theme=Theme.FRENCH_LANGUAGE,
            ...     period=Period(dt.date(2019, 9, 1), dt.date(2022, 6, 30)),
            ...     closed_on=dt.date(2021, 7, 1))
            >>> str(action.window_in(contract))
            '2019-09-01..2021-06-30'

        Raises:
            WrongTypeError: ``contract`` is not a :class:`Contract` (its id, say).

        .. versionadded:: 0.2
        """
        v.check_instance(
            "contract", contract, Contract, "a Contract (dataset.contract(id) gives one)"
        )
        found = window_bounds(self, contract)
        if found is None:
            # An empty window: the day before the action's start, when no entry is valid.
            before = self.period.start - dt.timedelta(days=1)
            return Period(before, before)
        return Period(*found)

    def is_open(self, on: dt.date) -> bool:
        """Return True when the action runs on ``on`` and was not closed before."""
        v.check_date("on", on)
        return on in self.period and (self.closed_on is None or on < self.closed_on)

    @property
    def committed(self) -> Decimal:
        """Total amount committed over every funding line."""
        return sum((f.committed for f in self.funding), Decimal(0))


def window_bounds(action: Action, contract: Contract) -> tuple[dt.date, dt.date | None] | None:
    """The first and last day of :meth:`Action.window_in` (None: no end), None when empty."""
    start = max(action.period.start, contract.period.start)
    end = action.period.end
    if contract.period.end is not None and (end is None or contract.period.end < end):
        end = contract.period.end
    if action.closed_on is not None:
        last = action.closed_on - dt.timedelta(days=1)
        if end is None or last < end:
            end = last
    if end is not None and end < start:
        return None
    return start, end


@attrs.frozen(kw_only=True)
class Signatory:
    """A party that signs a contract, in a role, on a date.

    Attributes:
        party: Id of the signing party.
        role: Role in which it signs.
        signed_on: Date of its signature, if known.

    .. versionadded:: 0.1
    """

    party: str = attrs.field(validator=v.identifier)
    role: SignatoryRole = attrs.field(validator=v.member_of(SignatoryRole))
    signed_on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))


@attrs.frozen(kw_only=True)
class ActionFunding:
    """A funding line that an avenant adds to an action of the contract.

    Attributes:
        action: Id of the action the line is added to.
        funding: The funding line.

    .. versionadded:: 0.1
    """

    action: str = attrs.field(validator=v.identifier)
    funding: Funding = attrs.field(validator=v.instance(Funding))


@attrs.frozen(kw_only=True)
class Amendment:
    """An avenant: a signed change to a contract that takes effect on a date.

    Attributes:
        id: Stable identifier, unique within its contract.
        effective_on: Date from which the changes apply.
        signed_on: Date of signature, if known.
        title: Short title ("Avenant n° 1").
        new_end: New end of the contract (a prolongation), if any.
        public_added: Public categories the contract opens to (e.g. the 2021 opening of a CTAIR
            to primo-arrivants).
        funding_added: Funding lines added to actions (budget changes).
        actions_added: New actions.
        actions_closed: Ids of the actions closed from ``effective_on``.
        rationale: Why the contract is amended.
        sources: Where the avenant is documented.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    effective_on: dt.date = attrs.field(validator=v.date)
    signed_on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    title: str = attrs.field(default="", validator=v.any_text)
    new_end: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    public_added: frozenset[PublicCategory] = attrs.field(
        default=frozenset(), validator=v.members_of(PublicCategory)
    )
    funding_added: tuple[ActionFunding, ...] = attrs.field(
        default=(), validator=v.tuple_of(ActionFunding)
    )
    actions_added: tuple[Action, ...] = attrs.field(default=(), validator=v.tuple_of(Action))
    actions_closed: tuple[str, ...] = attrs.field(default=(), validator=v.identifiers)
    rationale: str = attrs.field(default="", validator=v.any_text)
    sources: tuple[Source, ...] = attrs.field(default=(), validator=v.tuple_of(Source))


@attrs.frozen(kw_only=True)
class Diagnostic:
    """The shared territorial diagnostic a contract starts from (interior ministry's CTAI page).

    Attributes:
        on: Date of the diagnostic.
        estimated_beneficiaries: Estimate of potential beneficiaries, if made.
        needs: Themes where the diagnostic found gaps.
        summary: Free text.

    .. versionadded:: 0.1
    """

    on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    estimated_beneficiaries: int | None = attrs.field(default=None, validator=v.optional(v.count))
    needs: tuple[Theme, ...] = attrs.field(default=(), validator=v.tuple_of(Theme))
    summary: str = attrs.field(default="", validator=v.any_text)


def _positive_months(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 1 <= value <= 60:
        raise v.fail(attribute, value, "a number of months between 1 and 60")


@attrs.frozen(kw_only=True)
class GovernanceBody:
    """A steering or technical committee that follows the contract.

    Attributes:
        kind: Steering (COPIL), technical (COTECH) or other.
        level: Level it sits at (national, regional, departmental, contract).
        name: Its name.
        every_months: How often it meets, in months (6 for the semi-annual COPIL).
        first_meeting: Date of its first meeting, which anchors the calendar.

    .. versionadded:: 0.1
    """

    kind: GovernanceKind = attrs.field(validator=v.member_of(GovernanceKind))
    level: GovernanceLevel = attrs.field(validator=v.member_of(GovernanceLevel))
    name: str = attrs.field(default="", validator=v.any_text)
    every_months: int = attrs.field(default=_SEMI_ANNUAL, validator=_positive_months)
    first_meeting: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))


@attrs.frozen(kw_only=True)
class EligibilityTerms:
    """How a contract settles the points of eligibility on which sources disagree.

    Attributes:
        newcomer_window_from: The date the five-year window of a newcomer (primo-arrivant)
            runs from: the first residence permit (default, as budget documents say), the
            permit held, or the signature of the CIR.

    Whether the CIR is required is part of the public (:attr:`PublicScope.cir_required`).

    .. versionadded:: 0.1
    """

    newcomer_window_from: WindowStart = attrs.field(
        default=WindowStart.FIRST_PERMIT, validator=v.member_of(WindowStart)
    )


@attrs.frozen(kw_only=True)
class Contract:
    """A State–collectivité integration contract: a CTAIR, a CTAI or a PTAI.

    Attributes:
        id: Stable identifier, unique in the dataset.
        kind: CTAIR, CTAI or PTAI.
        territory: Reference of the territory the contract covers.
        title: Title of the contract.
        period: Initial period of the contract; avenants may prolong it (see :meth:`as_of`).
        public: Initial public of the contract; avenants may open it.
        signed_on: Date the contract was signed; None while in preparation, or when it is
            signed but the date is unknown (``signed_precision`` ``unknown``).
        signed_precision: How precisely ``signed_on`` is known: to the day (the default),
            the month or the year (``signed_on`` is then any day of that month or year), or
            ``unknown`` (signed, date unknown). See :attr:`signature`.
        signatories: Who signs, in which role (several collectivités may co-sign).
        actions: Actions funded by the contract at signature.
        amendments: Avenants, in any order.
        targets: Quantified objectives of the contract as a whole: for one period, or for the
            whole contract (cumulative from its start). Compared with the contract's row.
        diagnostic: The shared territorial diagnostic.
        governance: Committees that follow the contract.
        sources: Where the facts about the contract come from.
        terms: How the contract settles the points of eligibility where sources disagree.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``targets``, ``signed_precision``.
    """

    id: str = attrs.field(validator=v.identifier)
    kind: ContractKind = attrs.field(validator=v.member_of(ContractKind))
    territory: str = attrs.field(validator=v.territory_reference)
    title: str = attrs.field(validator=v.text)
    period: Period = attrs.field(validator=v.instance(Period))
    public: PublicScope = attrs.field(validator=v.instance(PublicScope))
    signed_on: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    signatories: tuple[Signatory, ...] = attrs.field(default=(), validator=v.tuple_of(Signatory))
    actions: tuple[Action, ...] = attrs.field(default=(), validator=v.tuple_of(Action))
    amendments: tuple[Amendment, ...] = attrs.field(default=(), validator=v.tuple_of(Amendment))
    targets: tuple[Target, ...] = attrs.field(
        default=(), validator=_kinds(TargetKind.PERIOD, TargetKind.CONTRACT)
    )

    @amendments.validator
    def _prolongations_after_start(
        self, attribute: attrs.Attribute[Any], value: tuple[Amendment, ...]
    ) -> None:
        start = getattr(self, "period", None)
        if not isinstance(start, Period):
            return
        for amendment in value:
            if amendment.new_end is not None and amendment.new_end < start.start:
                raise v.fail(
                    attribute,
                    amendment.id,
                    f"avenants whose new end is on or after the contract's start ({start.start})",
                )

    diagnostic: Diagnostic | None = attrs.field(
        default=None, validator=v.optional(v.instance(Diagnostic))
    )
    governance: tuple[GovernanceBody, ...] = attrs.field(
        default=(), validator=v.tuple_of(GovernanceBody)
    )
    sources: tuple[Source, ...] = attrs.field(default=(), validator=v.tuple_of(Source))
    terms: EligibilityTerms = attrs.field(
        factory=EligibilityTerms, validator=v.instance(EligibilityTerms)
    )
    signed_precision: DatePrecision = attrs.field(
        default=DatePrecision.DAY, validator=v.member_of(DatePrecision)
    )

    @signed_precision.validator
    def _precision_needs_date(
        self, attribute: attrs.Attribute[DatePrecision], value: DatePrecision
    ) -> None:
        if value is DatePrecision.UNKNOWN and self.signed_on is not None:
            raise v.fail(
                attribute, value, "no signed_on with precision 'unknown' (signed, date unknown)"
            )
        if value in (DatePrecision.MONTH, DatePrecision.YEAR) and self.signed_on is None:
            raise v.fail(attribute, value, f"a signed_on date to go with precision {value.value!r}")

    @property
    def is_signed(self) -> bool:
        """True when the contract is signed, whether or not the date is known."""
        return self.signed_on is not None or self.signed_precision is DatePrecision.UNKNOWN

    @property
    def signature(self) -> ApproximateDate | None:
        """The signing date with its precision; None while the contract is not signed.

        Example:
            >>> grenoble = Contract(
            ...     id="grenoble", kind=ContractKind.CTAIR, territory="200040715",
            ...     title="CTAIR Grenoble-Alpes-Métropole", signed_on=dt.date(2019, 1, 1),
            ...     signed_precision=DatePrecision.YEAR,
            ...     period=Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31)),
            ...     public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
            ... )
            >>> grenoble.signature.text(), grenoble.signature.latest
            ('2019', datetime.date(2019, 12, 31))
        """
        if not self.is_signed:
            return None
        return ApproximateDate(self.signed_on, self.signed_precision)

    @property
    def signed_from(self) -> dt.date | None:
        """The day from which :meth:`status` and the calendar take the contract as signed.

        The signing day itself when it is known. When only its month or year is known, the
        start of the contract's period if it falls within them, else the nearest day of
        them; when it is not known at all, the start of the period. None while not signed.
        """
        signature = self.signature
        if signature is None:
            return None
        earliest, latest = signature.earliest, signature.latest
        if earliest is None or latest is None:
            return self.period.start
        return min(max(self.period.start, earliest), latest)

    def status_is_approximate(self, on: dt.date) -> bool:
        """True when :meth:`status` on ``on`` depends on a signing day the sources do not give.

        That is when ``on`` falls within the month or year of an approximate signature, or,
        for a contract signed on an unknown date, before the start of its period.
        """
        v.check_date("on", on)
        signature = self.signature
        if signature is None or not signature.is_approximate:
            return False
        earliest, latest = signature.earliest, signature.latest
        if earliest is None or latest is None:
            return on < self.period.start
        return earliest <= on < latest

    def amendments_in_force(self, on: dt.date) -> tuple[Amendment, ...]:
        """Return the avenants in force on ``on``, in the order they apply.

        Avenants apply by effective date; two avenants effective on the same day apply in
        the order they are listed.
        """
        v.check_date("on", on)
        in_force = [a for a in self.amendments if a.effective_on <= on]
        return tuple(sorted(in_force, key=lambda a: a.effective_on))

    def as_of(self, on: dt.date) -> Contract:
        """Return the contract as amended on ``on``.

        Every avenant effective on or before ``on`` is applied in effective-date order: a new
        end prolongs the period (and the actions that ran to the former end of the contract
        run to the new one), added public categories open the public, funding lines are added
        to their actions, new actions are appended and closed actions get their ``closed_on``
        date. The avenants not yet in force stay in ``amendments``, so
        ``c.as_of(d1).as_of(d2) == c.as_of(d2)`` whenever ``d1 <= d2``.

        Example:
            >>> ctair = Contract(
            ...     id="grenoble", kind=ContractKind.CTAIR, territory="200040715",
            ...     title="CTAIR Grenoble-Alpes-Métropole",
            ...     period=Period(dt.date(2019, 6, 20), dt.date(2021, 12, 31)),
            ...     public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
            ...     amendments=(Amendment(
            ...         id="avenant-1", effective_on=dt.date(2022, 6, 29),
            ...         new_end=dt.date(2023, 12, 31),
            ...         public_added=frozenset({PublicCategory.OTHER_NEWCOMER})),),
            ... )
            >>> sorted(c.value for c in ctair.as_of(dt.date(2022, 7, 1)).public.categories)
            ['other_newcomer', 'refugee']
            >>> ctair.as_of(dt.date(2022, 6, 28)).period.end
            datetime.date(2021, 12, 31)

        Raises:
            WrongTypeError: ``on`` is not a ``datetime.date`` (a text, say).
        """
        v.check_date("on", on)
        applied = self.amendments_in_force(on)
        if not applied:
            return self
        period, public = self.period, self.public
        actions = {action.id: action for action in self.actions}
        for amendment in applied:
            if amendment.new_end is not None:
                previous_end = period.end
                period = Period(period.start, amendment.new_end)
                if previous_end is not None and amendment.new_end > previous_end:
                    for key, action in actions.items():
                        if action.period.end == previous_end and action.closed_on is None:
                            extended = Period(action.period.start, amendment.new_end)
                            actions[key] = attrs.evolve(action, period=extended)
            if amendment.public_added:
                public = public.with_categories(*amendment.public_added)
            for added in amendment.actions_added:
                actions[added.id] = added
            for line in amendment.funding_added:
                target = actions.get(line.action)
                if target is not None:
                    actions[line.action] = attrs.evolve(
                        target, funding=(*target.funding, line.funding)
                    )
            for closed in amendment.actions_closed:
                target = actions.get(closed)
                if target is not None and target.closed_on is None:
                    actions[closed] = attrs.evolve(target, closed_on=amendment.effective_on)
        remaining = tuple(a for a in self.amendments if a.effective_on > on)
        return attrs.evolve(
            self,
            period=period,
            public=public,
            actions=tuple(actions.values()),
            amendments=remaining,
        )

    def status(self, on: dt.date) -> ContractStatus:
        """Return the status of the contract on ``on``, avenants included.

        A contract is a draft until it is signed, then signed until its period starts, active
        during its period (as prolonged) and ended after it. When the signing day is known
        only to the month or the year, or not at all, the contract is taken as signed from
        :attr:`signed_from`, and :meth:`status_is_approximate` says whether the answer on
        ``on`` depends on that choice.

        Example:
            >>> dijon = Contract(
            ...     id="dijon", kind=ContractKind.CTAIR, territory="242100410",
            ...     title="CTAIR Dijon Métropole", signed_on=dt.date(2019, 6, 12),
            ...     period=Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31)),
            ...     public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
            ... )
            >>> [dijon.status(dt.date(y, 6, 12)).value for y in (2018, 2019, 2022)]
            ['draft', 'active', 'ended']

        Raises:
            WrongTypeError: ``on`` is not a ``datetime.date`` (a text, say).
        """
        v.check_date("on", on)
        signed = self.signed_from
        if signed is None or on < signed:
            return ContractStatus.DRAFT
        period = self.as_of(on).period
        if on < period.start:
            return ContractStatus.SIGNED
        if period.end is not None and on > period.end:
            return ContractStatus.ENDED
        return ContractStatus.ACTIVE

    @property
    def final_period(self) -> Period:
        """The period once every avenant, including future ones, is applied."""
        last = max((a.effective_on for a in self.amendments), default=None)
        return self.period if last is None else self.as_of(last).period

    def steering_calendar(
        self, *, until: dt.date | None = None, body: GovernanceBody | None = None
    ) -> Iterator[dt.date]:
        """Yield the dates of the steering committee, semi-annual by default.

        The calendar follows ``body`` (by default the contract's first COPIL, else a
        semi-annual committee): it starts at the body's first meeting, else at the signature
        (:attr:`signed_from` when the signing day is approximate: see
        :meth:`calendar_is_approximate`), else at the start of the period, and repeats every
        ``every_months`` months (``dateutil.rrule``) until ``until`` or the end of the
        contract as finally amended. A meeting anchored on the 31st falls on the last day of
        shorter months.

        Example:
            >>> c = Contract(
            ...     id="c", kind=ContractKind.CTAI, territory="200023414", title="CTAI Rouen",
            ...     signed_on=dt.date(2021, 11, 23),
            ...     period=Period(dt.date(2021, 11, 23), dt.date(2023, 11, 30)),
            ...     public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
            ... )
            >>> [d.isoformat() for d in c.steering_calendar()]
            ['2021-11-23', '2022-05-23', '2022-11-23', '2023-05-23', '2023-11-23']

        Raises:
            InvalidArgumentError: The contract has no end and ``until`` is not given (also a
                ``ValueError``).
            WrongTypeError: ``until`` is not a ``datetime.date``.
        """
        if until is not None:
            v.check_date("until", until)
        if body is None:
            body = next((b for b in self.governance if b.kind is GovernanceKind.COPIL), None)
        every = body.every_months if body is not None else _SEMI_ANNUAL
        start = (body.first_meeting if body is not None else None) or self.signed_from
        start = start or self.period.start
        end = until or self.final_period.end
        if end is None:
            raise InvalidArgumentError(
                "until",
                None,
                f"a date, since contract {self.id!r} has no end date to bound the calendar",
            )
        from dateutil import rrule  # imported here: only calendars need it

        rule = rrule.rrule(
            rrule.MONTHLY,
            interval=every,
            dtstart=dt.datetime.combine(start, dt.time()),
            until=dt.datetime.combine(end, dt.time()),
            bymonthday=(start.day, -1),
            bysetpos=1,
        )
        for occurrence in rule:
            yield occurrence.date()

    def calendar_is_approximate(self, body: GovernanceBody | None = None) -> bool:
        """True when :meth:`steering_calendar` starts from a signing day the sources do not give.

        That is when the body (by default the first COPIL) has no first meeting and the
        contract's signing day is known only to the month or year, or not at all.
        """
        if body is None:
            body = next((b for b in self.governance if b.kind is GovernanceKind.COPIL), None)
        if body is not None and body.first_meeting is not None:
            return False
        signature = self.signature
        return signature is not None and signature.is_approximate

    def action(self, action_id: str) -> Action | None:
        """Return the action ``action_id`` of this contract (not counting avenants), if any."""
        return next((a for a in self.actions if a.id == action_id), None)

    def all_actions(self) -> tuple[Action, ...]:
        """Return the actions at signature followed by those added by avenants."""
        added = tuple(a for amendment in self.amendments for a in amendment.actions_added)
        return self.actions + added
