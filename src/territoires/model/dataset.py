"""The whole of the data: territories, parties, contracts, participations and reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import attrs
import numpy as np

from territoires.model import _validators as v
from territoires.model.columns import Participations
from territoires.model.contract import Action, Contract, Funding, Source
from territoires.model.enums import ContractKind, FundingSource, PublicCategory, Theme
from territoires.model.person import ActionReport, Participation
from territoires.model.scope import PublicScope
from territoires.model.territory import Party, Territory
from territoires.problems import Problem, ProblemCode, Severity, format_value

__all__ = ["Dataset", "DatasetInfo", "Gazetteer"]


_HOUSING_RULE = dt.date(2021, 1, 1)
"""From this date every contract includes an action on access to housing."""

_PROTECTION = frozenset(
    {PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION, PublicCategory.STATELESS}
)
"""The publics of P104 action 15 ("Accompagnement des réfugiés"), not of action 12."""


class Gazetteer(Protocol):
    """What :meth:`Dataset.validate` needs from a geography (see :mod:`territoires.geo`)."""

    def lookup(self, reference: str) -> Territory | None:
        """Return the official territory for ``reference``, or None when unknown."""

    def suggest(self, reference: str) -> list[str]:
        """Return nearby known territories as ``"name (reference)"``, best first."""

    def is_within(self, member: str, container: str) -> bool:
        """Return True when territory ``member`` lies in (or is) ``container``."""


@attrs.frozen(kw_only=True)
class DatasetInfo:
    """Description and provenance of a dataset.

    Attributes:
        title: Title of the dataset.
        description: What it holds.
        synthetic: True when records were generated for demonstration: every output says so.
        licence: Licence of the data, if stated.
        created: Date the dataset was produced.
        sources: Where its facts come from.

    .. versionadded:: 0.1
    """

    title: str = attrs.field(default="", validator=v.any_text)
    description: str = attrs.field(default="", validator=v.any_text)
    synthetic: bool = attrs.field(default=False, validator=v.boolean)
    licence: str | None = attrs.field(default=None, validator=v.optional(v.text))
    created: dt.date | None = attrs.field(default=None, validator=v.optional(v.date))
    sources: tuple[Source, ...] = attrs.field(default=(), validator=v.tuple_of(Source))


def _as_participations(value: Iterable[Participation]) -> Participations:
    return Participations.of(value)  # type: ignore[no-any-return]


def _participations(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Participations):
        v.tuple_of(Participation)(instance, attribute, value)  # names the element that is wrong


@attrs.frozen(kw_only=True)
class _Index:
    territories: dict[str, Territory]
    parties: dict[str, Party]
    contracts: dict[str, Contract]
    actions: dict[str, tuple[Contract, Action]]


@attrs.frozen(kw_only=True)
class Dataset:
    """Everything the library works on, with lookups by id and whole-dataset checks.

    Attributes:
        info: Title, provenance, and whether the data is synthetic.
        territories: Territories referred to by contracts and parties.
        parties: Signatories, funders and operators.
        contracts: Contracts, with their actions and avenants.
        participations: Pseudonymous persons in actions.
        reports: Operators' aggregated reports.

    .. versionadded:: 0.1
    """

    info: DatasetInfo = attrs.field(factory=DatasetInfo, validator=v.instance(DatasetInfo))
    territories: tuple[Territory, ...] = attrs.field(default=(), validator=v.tuple_of(Territory))
    parties: tuple[Party, ...] = attrs.field(default=(), validator=v.tuple_of(Party))
    contracts: tuple[Contract, ...] = attrs.field(default=(), validator=v.tuple_of(Contract))
    participations: Participations = attrs.field(
        factory=Participations, converter=_as_participations, validator=_participations
    )
    reports: tuple[ActionReport, ...] = attrs.field(default=(), validator=v.tuple_of(ActionReport))
    _index: _Index | None = attrs.field(init=False, default=None, eq=False, repr=False, hash=False)

    # -- lookups ------------------------------------------------------------------------------

    def _lookup(self) -> _Index:
        index = self._index
        if index is None:
            actions: dict[str, tuple[Contract, Action]] = {}
            for contract in self.contracts:
                for action in contract.all_actions():
                    actions.setdefault(action.id, (contract, action))
            index = _Index(
                territories={t.id: t for t in reversed(self.territories)},
                parties={p.id: p for p in reversed(self.parties)},
                contracts={c.id: c for c in reversed(self.contracts)},
                actions=actions,
            )
            object.__setattr__(self, "_index", index)
        return index

    def territory(self, reference: str) -> Territory | None:
        """Return the territory with reference ``reference`` (first one if repeated)."""
        return self._lookup().territories.get(reference)

    def party(self, party_id: str) -> Party | None:
        """Return the party ``party_id``, if any."""
        return self._lookup().parties.get(party_id)

    def contract(self, contract_id: str) -> Contract | None:
        """Return the contract ``contract_id``, if any."""
        return self._lookup().contracts.get(contract_id)

    def action(self, action_id: str) -> Action | None:
        """Return the action ``action_id``, from any contract or avenant, if any."""
        found = self._lookup().actions.get(action_id)
        return found[1] if found else None

    def contract_of(self, action_id: str) -> Contract | None:
        """Return the contract that holds action ``action_id``, if any."""
        found = self._lookup().actions.get(action_id)
        return found[0] if found else None

    # -- checks -------------------------------------------------------------------------------

    def validate(self, *, geography: Gazetteer | None = None) -> list[Problem]:
        """Return every problem of the dataset at once (an empty list when it is sound).

        Checks duplicate ids, references to unknown territories, parties and actions, action
        periods outside their contract's (as amended), action publics wider than their
        contract's, participations entered outside their action's period, reports outside
        their action's period, and funding spent above committed. With a ``geography``,
        territory references must exist in it and declared territories must agree with it.

        Each problem names the record (its id) and the field path from the dataset root, e.g.
        ``contracts[3].actions[0].funding[1].spent``.
        """
        return list(_Checker(self, geography).run())


class _Checker:
    """Runs the cross-record checks of one dataset."""

    def __init__(self, dataset: Dataset, geography: Gazetteer | None) -> None:
        self.dataset = dataset
        self.geography = geography
        self.parties = {p.id for p in dataset.parties}
        self.territories = {t.id for t in dataset.territories}
        # Participations and reports are checked against the actions as finally amended
        # (prolonged, closed), which is what the operators ran.
        self.actions: dict[str, tuple[Contract, Action]] = {}
        for contract in dataset.contracts:
            amended = contract.as_of(dt.date.max)
            for action in amended.actions:
                self.actions.setdefault(action.id, (contract, action))

    def run(self) -> Iterator[Problem]:
        yield from self._duplicates()
        yield from self._territories()
        yield from self._parties()
        for position, contract in enumerate(self.dataset.contracts):
            yield from self._contract(position, contract)
        yield from self._participations()
        yield from self._reports()

    # helpers
    def _problem(
        self,
        code: ProblemCode,
        message: str,
        record: str | None,
        field: str,
        value: object = None,
        expected: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        return Problem(
            code=code,
            message=message,
            record=record,
            field=field,
            value=None if value is None else format_value(value),
            expected=expected,
            severity=severity,
        )

    def _duplicates(self) -> Iterator[Problem]:
        d = self.dataset
        tables: list[tuple[str, str, Iterable[tuple[Any, str]]]] = [
            ("territory", "territories[{}].code", enumerate(t.id for t in d.territories)),
            ("party", "parties[{}].id", enumerate(p.id for p in d.parties)),
            ("contract", "contracts[{}].id", enumerate(c.id for c in d.contracts)),
            ("action", "{}", self._action_ids()),
            ("participation", "participations[{}].id", enumerate(d.participations.columns.id)),
            ("report", "reports[{}].id", enumerate(r.id for r in d.reports)),
        ]
        participation_ids = d.participations.columns.id
        if len(set(participation_ids.tolist())) == len(participation_ids):
            tables.pop(4)  # no duplicate among a million rows: one set, in C, tells
        for noun, path, entries in tables:
            # Paths are formatted only for the duplicates: a million rows stay cheap.
            first_seen: dict[str, Any] = {}
            for where, identifier in entries:
                if identifier in first_seen:
                    yield self._problem(
                        ProblemCode.DUPLICATE_ID,
                        f"{noun} id {identifier!r} is already used at "
                        f"{path.format(first_seen[identifier])}",
                        identifier,
                        path.format(where),
                        expected="an id used once",
                    )
                else:
                    first_seen[identifier] = where
        for ci, contract in enumerate(d.contracts):
            seen: set[str] = set()
            for ai, amendment in enumerate(contract.amendments):
                if amendment.id in seen:
                    yield self._problem(
                        ProblemCode.DUPLICATE_ID,
                        f"amendment id {amendment.id!r} is used twice in contract {contract.id!r}",
                        contract.id,
                        f"contracts[{ci}].amendments[{ai}].id",
                    )
                seen.add(amendment.id)

    def _action_ids(self) -> Iterator[tuple[str, str]]:
        for ci, contract in enumerate(self.dataset.contracts):
            for ai, action in enumerate(contract.actions):
                yield f"contracts[{ci}].actions[{ai}].id", action.id
            for mi, amendment in enumerate(contract.amendments):
                for ai, action in enumerate(amendment.actions_added):
                    yield f"contracts[{ci}].amendments[{mi}].actions_added[{ai}].id", action.id

    def _territory_ref(self, reference: str, record: str | None, field: str) -> Iterator[Problem]:
        if reference in self.territories:
            return
        if self.geography is not None:
            official = self.geography.lookup(reference)
            if official is not None and official.id != reference:
                yield self._former_code(reference, official, record, field)
            if official is not None:
                return
            suggestions = self.geography.suggest(reference)
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            yield self._problem(
                ProblemCode.UNKNOWN_TERRITORY,
                f"territory {reference!r} is not in the official geography{hint}",
                record,
                field,
                expected="a territory of the official geography",
            )
            return
        yield self._problem(
            ProblemCode.UNKNOWN_REFERENCE,
            f"territory {reference!r} is not declared in the dataset's territories",
            record,
            field,
            expected="a territory listed in territories",
        )

    def _former_code(
        self, reference: str, official: Territory, record: str | None, field: str
    ) -> Problem:
        millesime = getattr(self.geography, "millesime", None)
        where = f" in the COG {millesime}" if millesime is not None else ""
        return self._problem(
            ProblemCode.FORMER_CODE,
            f"{reference!r} is a former code or that of a commune déléguée or associée: "
            f"the territory{where} is {official.name} ({official.id}), and outputs restricted to "
            f"{official.id} or what contains it include this one",
            record,
            field,
            reference,
            official.id,
            Severity.WARNING,
        )

    def _territories(self) -> Iterator[Problem]:
        if self.geography is None:
            return
        millesime = getattr(self.geography, "millesime", None)
        for i, territory in enumerate(self.dataset.territories):
            official = self.geography.lookup(territory.id)
            recorded = territory.millesime
            if recorded is not None and millesime is not None and recorded > millesime:
                yield self._problem(
                    ProblemCode.MILLESIME_AHEAD,
                    f"{territory.id} records the COG {recorded}, later than the geography's "
                    f"{millesime}: a code created since {millesime} is unknown to it, and a "
                    "commune merged since still shows under its former code",
                    territory.id,
                    f"territories[{i}].millesime",
                    str(recorded),
                    f"a millésime up to {millesime}, or a geography of {recorded}",
                    Severity.WARNING,
                )
            if official is None:
                if recorded is not None and millesime is not None:
                    yield self._problem(
                        ProblemCode.UNKNOWN_TERRITORY,
                        f"territory {territory.id!r} (a code of the COG {recorded}) is neither "
                        f"a territory nor an alias of the COG {millesime} the geography holds",
                        territory.id,
                        f"territories[{i}].code",
                        expected=f"a code of the COG {millesime}, or of a commune merged into one",
                    )
                    continue
                yield from self._territory_ref(territory.id, territory.id, f"territories[{i}].code")
                continue
            if official.id != territory.id:
                yield self._former_code(
                    territory.id, official, territory.id, f"territories[{i}].code"
                )
            if official.kind is not territory.kind:
                yield self._problem(
                    ProblemCode.TERRITORY_MISMATCH,
                    f"{territory.id} is a {official.kind.label_en} ({official.name}) in the "
                    f"official geography, not a {territory.kind.label_en}",
                    territory.id,
                    f"territories[{i}].kind",
                    territory.kind.value,
                    official.kind.value,
                )
            for pi, parent in enumerate(territory.parents):
                if self.geography.lookup(parent) is None:
                    yield from self._territory_ref(
                        parent, territory.id, f"territories[{i}].parents[{pi}]"
                    )

    def _party_ref(self, party_id: str, record: str, field: str, role: str) -> Iterator[Problem]:
        if party_id not in self.parties:
            yield self._problem(
                ProblemCode.UNKNOWN_REFERENCE,
                f"{role} {party_id!r} is not one of the dataset's parties",
                record,
                field,
                expected="the id of a party",
            )

    def _parties(self) -> Iterator[Problem]:
        for i, party in enumerate(self.dataset.parties):
            if party.territory is not None:
                yield from self._territory_ref(party.territory, party.id, f"parties[{i}].territory")

    def _contract(self, ci: int, contract: Contract) -> Iterator[Problem]:
        root = f"contracts[{ci}]"
        cid = contract.id
        yield from self._territory_ref(contract.territory, cid, f"{root}.territory")
        for si, signatory in enumerate(contract.signatories):
            yield from self._party_ref(
                signatory.party, cid, f"{root}.signatories[{si}].party", "signatory"
            )
        final = contract.final_period
        for ai, action in enumerate(contract.actions):
            yield from self._action(
                contract, action, f"{root}.actions[{ai}]", final, contract.public
            )
        yield from self._housing(contract, root)
        every = {a.id: a for a in contract.all_actions()}
        own = set(every)
        for mi, amendment in enumerate(contract.amendments):
            mroot = f"{root}.amendments[{mi}]"
            signed = contract.signature
            earliest = signed.earliest if signed is not None else None
            if signed is not None and earliest is not None and amendment.effective_on < earliest:
                yield self._problem(
                    ProblemCode.AMENDMENT_BEFORE_SIGNATURE,
                    f"avenant {amendment.id!r} takes effect on {amendment.effective_on}, before "
                    f"the contract was signed ({signed.text()})",
                    cid,
                    f"{mroot}.effective_on",
                    amendment.effective_on.isoformat(),
                    f"a date on or after {earliest}",
                    Severity.WARNING,
                )
            public_then = contract.as_of(amendment.effective_on).public
            for ai, action in enumerate(amendment.actions_added):
                yield from self._action(
                    contract, action, f"{mroot}.actions_added[{ai}]", final, public_then
                )
            for fi, line in enumerate(amendment.funding_added):
                if line.action not in own:
                    yield self._unknown_action(
                        line.action, cid, f"{mroot}.funding_added[{fi}].action"
                    )
                froot = f"{mroot}.funding_added[{fi}].funding"
                yield from self._funding(line.funding, cid, froot)
                if line.action in every:
                    yield from self._p104(contract, every[line.action], line.funding, froot)
            for xi, closed in enumerate(amendment.actions_closed):
                if closed not in own:
                    yield self._unknown_action(closed, cid, f"{mroot}.actions_closed[{xi}]")

    def _unknown_action(self, action_id: str, record: str, field: str) -> Problem:
        return self._problem(
            ProblemCode.UNKNOWN_REFERENCE,
            f"action {action_id!r} is not an action of this contract",
            record,
            field,
            expected="the id of an action of the contract",
        )

    def _action(
        self,
        contract: Contract,
        action: Action,
        root: str,
        final: Any,
        public: PublicScope,
    ) -> Iterator[Problem]:
        cid = contract.id
        if not final.covers(action.period):
            yield self._problem(
                ProblemCode.PERIOD_OUTSIDE_CONTRACT,
                f"action {action.id!r} runs {action.period}, outside contract {cid!r} "
                f"({final}, avenants included)",
                cid,
                f"{root}.period",
                str(action.period),
                f"a period within {final}",
            )
        if action.public is not None:
            reasons = action.public.widening_over(public)
            for reason in reasons:
                yield self._problem(
                    ProblemCode.PUBLIC_WIDER_THAN_CONTRACT,
                    f"the public of action {action.id!r} is wider than the contract's: {reason}",
                    cid,
                    f"{root}.public",
                    expected="a public within the contract's",
                )
            if self.geography is not None:
                for ri, place in enumerate(sorted(action.public.residence)):
                    if not self.geography.is_within(place, contract.territory):
                        yield self._problem(
                            ProblemCode.PUBLIC_WIDER_THAN_CONTRACT,
                            f"residence {place!r} of action {action.id!r} lies outside the "
                            f"contract's territory {contract.territory!r}",
                            cid,
                            f"{root}.public.residence[{ri}]",
                            place,
                            f"a territory within {contract.territory}",
                        )
        for oi, party in enumerate(action.operators):
            yield from self._party_ref(party, cid, f"{root}.operators[{oi}]", "operator")
        for fi, funding in enumerate(action.funding):
            yield from self._funding(funding, cid, f"{root}.funding[{fi}]")
            yield from self._p104(contract, action, funding, f"{root}.funding[{fi}]")

    def _housing(self, contract: Contract, root: str) -> Iterator[Problem]:
        """Since 2021 every contract includes an action on access to housing.

        Sources: https://www.mairesdefrance.com/m/article/?id=644 (every contract must
        include a section on refugees' access to housing) and the European Commission's page
        on "Territoires d'intégration" (CTAI "comportent obligatoirement des actions en faveur
        de l'accès au logement"). PTAI are projects, not contracts: not checked. A contract
        without any action yet is being set up: not checked either.
        """
        actions = contract.all_actions()
        if (
            contract.kind is ContractKind.PTAI
            or contract.period.start < _HOUSING_RULE
            or not actions
            or any(action.theme is Theme.HOUSING for action in actions)
        ):
            return
        yield self._problem(
            ProblemCode.CONTRACT_WITHOUT_HOUSING,
            f"contract {contract.id!r} starts on {contract.period.start} and has no action on "
            "access to housing: since 2021 every contract includes one "
            "(https://www.mairesdefrance.com/m/article/?id=644)",
            contract.id,
            f"{root}.actions",
            expected="an action with the theme 'housing'",
            severity=Severity.WARNING,
        )

    def _p104(
        self, contract: Contract, action: Action, funding: Funding, root: str
    ) -> Iterator[Problem]:
        """P104 action 12 funds newcomers who signed the CIR, not actions for refugees only.

        Action 12 "Accompagnement des étrangers en situation régulière" is for primo-arrivants
        who signed the CIR less than five years ago; action 15 "Accompagnement des réfugiés"
        for refugees (https://www.charente.gouv.fr/Politiques-publiques/Solidarite-et-cohesion-sociale/Cohesion-sociale/Appel-a-projets-BOP-104-Integration-et-acces-a-la-nationalite-francaise-Actions-12-et-15).
        The public is the action's own, else the contract's as amended at the end of the
        funding's year.
        """
        if funding.source is not FundingSource.P104_ACTION_12:
            return
        public = action.public or contract.as_of(dt.date(funding.year, 12, 31)).public
        if not public.categories <= _PROTECTION:
            return
        shown = ", ".join(sorted(c.label_en for c in public.categories))
        yield self._problem(
            ProblemCode.P104_12_FOR_REFUGEES_ONLY,
            f"action {action.id!r} is for {shown} only ({funding.year}), but this line is "
            "funded by P104 action 12, which is for newcomers who signed the CIR; refugees' "
            "actions are funded by action 15",
            contract.id,
            f"{root}.source",
            funding.source.value,
            "p104_15 for an action for refugees only",
            Severity.WARNING,
        )

    def _funding(self, funding: Any, record: str, root: str) -> Iterator[Problem]:
        yield from self._party_ref(funding.funder, record, f"{root}.funder", "funder")
        if funding.beneficiary is not None:
            yield from self._party_ref(
                funding.beneficiary, record, f"{root}.beneficiary", "beneficiary"
            )
        if funding.spent is not None and funding.spent > funding.committed:
            yield self._problem(
                ProblemCode.SPENT_ABOVE_COMMITTED,
                f"{funding.spent} € spent is more than the {funding.committed} € committed",
                record,
                f"{root}.spent",
                str(funding.spent),
                f"at most {funding.committed}",
            )

    def _participations_look_sound(self) -> bool:
        """Whether every participation passes the row checks, tested on the columns.

        Rows are checked one by one (to say which and why) only when this says no.
        """
        columns = self.dataset.participations.columns
        actions = self.actions
        action = columns.action
        used = [name for name in action.used() if name is not None]
        if not set(used) <= actions.keys():
            return False
        if self.geography is not None:
            places = [place for place in columns.residence.used() if place is not None]
            if not all(self.geography.lookup(p) is not None for p in places):
                return False
        firsts = np.zeros(len(action.values), dtype=np.int32)
        lasts = np.zeros(len(action.values), dtype=np.int32)
        for name in used:
            found = actions[name][1]
            last = found.period.end or dt.date.max
            if found.closed_on is not None:
                last = min(last, found.closed_on - dt.timedelta(days=1))
            code = action.values.index(name)
            firsts[code] = found.period.start.toordinal()
            lasts[code] = last.toordinal()
        entries = columns.entry
        return not (
            bool((entries < firsts[action.codes]).any())
            or bool((entries > lasts[action.codes]).any())
        )

    def _participations(self) -> Iterator[Problem]:
        if not self._participations_look_sound():
            yield from self._participations_by_row()

    def _participations_by_row(self) -> Iterator[Problem]:
        """Check each row, to say which and why (the reference of the quick check)."""
        actions = self.actions
        places_known: dict[str | None, bool] = {None: True}
        for i, participation in enumerate(self.dataset.participations):
            place = participation.residence
            if place not in places_known:
                # Each distinct commune is looked up once, however many rows name it.
                places_known[place] = self.geography is None or (
                    self.geography.lookup(place) is not None  # type: ignore[arg-type]
                )
            if not places_known[place]:
                yield from self._territory_ref(
                    place,  # type: ignore[arg-type]
                    participation.id,
                    f"participations[{i}].residence",
                )
            found = actions.get(participation.action)
            if found is None:
                yield self._problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"action {participation.action!r} does not exist",
                    participation.id,
                    f"participations[{i}].action",
                    expected="the id of an action",
                )
                continue
            action = found[1]
            period = action.period
            entry = participation.entry_date
            if action.closed_on is not None and entry >= action.closed_on:
                yield self._problem(
                    ProblemCode.PARTICIPATION_AFTER_ACTION,
                    f"entered on {entry}, after action {participation.action!r} was closed on "
                    f"{action.closed_on}",
                    participation.id,
                    f"participations[{i}].entry_date",
                    entry.isoformat(),
                    f"a date before {action.closed_on}",
                )
            elif entry < period.start:
                yield self._problem(
                    ProblemCode.PARTICIPATION_BEFORE_ACTION,
                    f"entered on {entry}, before action {participation.action!r} started on "
                    f"{period.start}",
                    participation.id,
                    f"participations[{i}].entry_date",
                    entry.isoformat(),
                    f"a date on or after {period.start}",
                )
            elif period.end is not None and entry > period.end:
                yield self._problem(
                    ProblemCode.PARTICIPATION_AFTER_ACTION,
                    f"entered on {entry}, after action {participation.action!r} ended on "
                    f"{period.end}",
                    participation.id,
                    f"participations[{i}].entry_date",
                    entry.isoformat(),
                    f"a date on or before {period.end}",
                )

    def _reports(self) -> Iterator[Problem]:
        for i, report in enumerate(self.dataset.reports):
            found = self.actions.get(report.action)
            if found is None:
                yield self._problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"action {report.action!r} does not exist",
                    report.id,
                    f"reports[{i}].action",
                    expected="the id of an action",
                )
                continue
            action = found[1]
            period = action.period
            if action.closed_on is not None and report.period.start >= action.closed_on:
                yield self._problem(
                    ProblemCode.REPORT_OUTSIDE_ACTION,
                    f"report covers {report.period}, after action {report.action!r} was closed "
                    f"on {action.closed_on}",
                    report.id,
                    f"reports[{i}].period",
                    str(report.period),
                    f"a period starting before {action.closed_on}",
                )
            elif not period.overlaps(report.period):
                yield self._problem(
                    ProblemCode.REPORT_OUTSIDE_ACTION,
                    f"report covers {report.period}, when action {report.action!r} did not "
                    f"run ({period})",
                    report.id,
                    f"reports[{i}].period",
                    str(report.period),
                    f"a period overlapping {period}",
                )
