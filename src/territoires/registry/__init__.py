"""The registry of known contracts: every CTAIR and CTAI the public sources name, as data.

The registry is a data file shipped with the package, ``contracts.toml``, one table per
contract: its territory's official code, who signs, its cohort, its dates **as precisely as
a source gives them** (``2019-06-12``, ``2022-12``, ``2019``, or ``unknown`` for a contract
known to be signed on an undated page), a date a source only *announced* (``scheduled``), a
date at which a source says it was still being drafted, its public where a source states it,
and every source with its address, the month the project read it and its reliability. The
demo dataset (:mod:`territoires.demo`) builds its 18 contracts of 2019 and 2021 on it, and
``territoires registry`` prints it.

Every row is checked when read (:func:`check`): codes through the bundled geography, dates
in order (no signing before a date at which a source says the contract was still drafted),
the Diair named as signatory only where a source says so. A problem names the file, the
contract and the field.

Example:
    >>> from territoires import registry
    >>> dijon = registry.entry("ctair-dijon")
    >>> dijon.signed.text(), dijon.signed.precision.value
    ('2019-06-12', 'day')
    >>> grenoble = registry.entry("ctair-grenoble")
    >>> grenoble.signed.text(), grenoble.scheduled.text()
    ('2019', '2019-06-20')
    >>> registry.entry("ctai-millau").signed.text()
    'unknown'
    >>> len(registry.entries())
    25

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from territoires._enum import LabelledEnum
from territoires.exceptions import DataError, UnknownContractError, did_you_mean
from territoires.model.codes import is_commune_code, is_siren
from territoires.model.contract import Source
from territoires.model.dates import ApproximateDate
from territoires.model.enums import ContractKind, DatePrecision, PublicCategory
from territoires.problems import Problem, ProblemCode, Severity

__all__ = [
    "BUNDLED",
    "RegistryAmendment",
    "RegistryEntry",
    "RegistrySource",
    "Reliability",
    "SignatoryKind",
    "check",
    "entries",
    "entry",
    "load",
]

_E = TypeVar("_E", bound=LabelledEnum)

BUNDLED: Final = "contracts.toml"
"""Name of the registry file shipped in this package."""


class SignatoryKind(LabelledEnum):
    """Who signs for the collectivités, as the sources say it."""

    VILLE = ("ville", "ville", "city")
    METROPOLE = ("metropole", "métropole", "metropolis")
    VILLE_ET_METROPOLE = ("ville_et_metropole", "ville et métropole", "city and metropolis")
    AGGLOMERATION = (
        "agglomeration",
        "communauté d'agglomération",
        "agglomeration community",
    )
    COMMUNE = ("commune", "commune", "municipality")
    DEPARTEMENT = ("departement", "département", "department")
    REGION = ("region", "région", "region")
    SEVERAL = ("several", "plusieurs collectivités", "several local authorities")


class Reliability(LabelledEnum):
    """How far a source is trusted.

    ``high``: the State, the Diair or the collectivité itself; ``medium``: the press and the
    associations of elected officials; ``low``: a source the project doubts (garbled text,
    no author), whose facts are shown as such.
    """

    HIGH = ("high", "élevée", "high")
    MEDIUM = ("medium", "moyenne", "medium")
    LOW = ("low", "faible", "low")


@attrs.frozen(kw_only=True)
class RegistrySource:
    """A public source of registry facts.

    Attributes:
        url: Its address; None for a source the project read but cannot link.
        title: Its title, in the source's language.
        read: When the project read it (to the month).
        reliability: How far it is trusted.
        facts: What it is cited for.
    """

    url: str | None
    title: str
    read: ApproximateDate
    reliability: Reliability
    facts: str

    def to_source(self) -> Source:
        """Return it as a model :class:`~territoires.Source` (for a contract's ``sources``)."""
        note = self.facts
        if self.reliability is Reliability.LOW:
            note += " (source of low reliability)"
        return Source(title=self.title, url=self.url, note=note)


@attrs.frozen(kw_only=True)
class RegistryAmendment:
    """An avenant known from the sources.

    Attributes:
        signed: Its signing date, as precisely as known.
        title: What it changes, in the sources' words.
        diair_signs: Whether a source says the Diair signed it.
        note: What else the sources say.
    """

    signed: ApproximateDate
    title: str
    diair_signs: bool = False
    note: str = ""


@attrs.frozen(kw_only=True)
class RegistryEntry:
    """A contract as the public sources give it.

    Attributes:
        id: Stable id (``ctair-dijon``).
        name: The territory as the sources name it.
        territory: Its official code: INSEE commune code or SIREN of the EPCI.
        kind: CTAIR, CTAI or PTAI.
        signatory_kind: Who signs for the collectivités.
        signatories: Official codes of the signing collectivités.
        cohort: Year the territory joined.
        signed: Signing date as precisely as a source gives it (``unknown``: signed, date
            unknown); None when no source says it was signed.
        scheduled: A date a source announced for the signing; not a signing date.
        drafting: A date at which a source says the contract was still being drafted.
        start: Start of the contract, as precisely as known.
        end: End of the contract, as precisely as known.
        public: Public categories where a source states them; empty when none does.
        diair_signs: Whether a source says the Diair signed the contract.
        amendments: Avenants known from the sources.
        sources: Where every fact comes from.
        note: What else the sources say.
    """

    id: str
    name: str
    territory: str
    kind: ContractKind
    signatory_kind: SignatoryKind
    signatories: tuple[str, ...]
    cohort: int
    signed: ApproximateDate | None = None
    scheduled: ApproximateDate | None = None
    drafting: ApproximateDate | None = None
    start: ApproximateDate | None = None
    end: ApproximateDate | None = None
    public: frozenset[PublicCategory] = frozenset()
    diair_signs: bool = False
    amendments: tuple[RegistryAmendment, ...] = ()
    sources: tuple[RegistrySource, ...] = ()
    note: str = ""

    @property
    def reliability(self) -> Reliability:
        """The lowest reliability among its sources (``low`` wins)."""
        order = list(Reliability)
        return max((s.reliability for s in self.sources), key=order.index, default=Reliability.LOW)

    @property
    def is_signed(self) -> bool:
        """True when a source says the contract was signed, dated or not."""
        return self.signed is not None

    def signed_between(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day the signing can be, the sources taken together.

        A signature known to the year 2019 for a contract a source says was still drafted in
        October 2019 lies between 1 October and 31 December 2019. ``(None, None)`` when the
        signing is not dated or not known.
        """
        if self.signed is None or self.signed.on is None:
            return None, None
        earliest, latest = self.signed.earliest, self.signed.latest
        if self.drafting is not None and self.drafting.earliest is not None and earliest:
            earliest = max(earliest, self.drafting.earliest)
        return earliest, latest

    def model_sources(self) -> tuple[Source, ...]:
        """Its sources as model :class:`~territoires.Source` values."""
        return tuple(source.to_source() for source in self.sources)


# -- reading ------------------------------------------------------------------------------------

_CONTRACT_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "territory",
        "kind",
        "signatory_kind",
        "signatories",
        "cohort",
        "signed",
        "scheduled",
        "drafting",
        "start",
        "end",
        "public",
        "diair_signs",
        "amendment",
        "source",
        "note",
    }
)
_REQUIRED: Final = ("id", "name", "territory", "kind", "signatory_kind", "signatories", "cohort")
_SOURCE_KEYS: Final = frozenset({"url", "title", "read", "reliability", "facts"})
_AMENDMENT_KEYS: Final = frozenset({"signed", "title", "diair_signs", "note"})


class _Reader:
    """Turns the TOML tables into entries, collecting every problem on the way."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(
        self,
        code: ProblemCode,
        message: str,
        record: str,
        field: str,
        value: object = None,
        expected: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.file,
                record=record,
                field=field,
                value=None if value is None else repr(value),
                expected=expected,
                severity=severity,
            )
        )

    def keys(self, table: Mapping[str, Any], known: frozenset[str], record: str, path: str) -> None:
        for key in table:
            if key not in known:
                self.problem(
                    ProblemCode.UNKNOWN_FIELD,
                    f"unknown key {key!r}{did_you_mean(key, known)}",
                    record,
                    f"{path}{key}",
                    expected=", ".join(sorted(known)),
                )

    def text(self, table: Mapping[str, Any], key: str, record: str, path: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(
                ProblemCode.INVALID_VALUE,
                f"{key} must be a non-empty text",
                record,
                f"{path}{key}",
                value,
                "a text",
            )
            return None
        return value

    def date(
        self, table: Mapping[str, Any], key: str, record: str, path: str
    ) -> ApproximateDate | None:
        value = table.get(key)
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return ApproximateDate.parse(value)
        except ValueError:
            self.problem(
                ProblemCode.INVALID_DATE,
                f"{key} must be a date as precise as the source gives it",
                record,
                f"{path}{key}",
                value,
                "YYYY-MM-DD, YYYY-MM, YYYY or 'unknown', as a quoted text",
            )
            return None

    def member(self, enum: type[_E], value: object, record: str, field: str) -> _E | None:
        try:
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not a text")
            return enum.from_value(value)
        except ValueError as error:
            self.problem(
                ProblemCode.INVALID_VALUE,
                str(error),
                record,
                field,
                value,
                ", ".join(enum.values()),
            )
            return None

    def flag(self, table: Mapping[str, Any], key: str, record: str, path: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(
                ProblemCode.INVALID_VALUE,
                f"{key} must be true or false",
                record,
                f"{path}{key}",
                value,
                "true or false",
            )
            return False
        return value

    def tables(
        self, table: Mapping[str, Any], key: str, record: str
    ) -> list[tuple[str, Mapping[str, Any]]]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self.problem(
                ProblemCode.INVALID_VALUE,
                f"{key} must be a list of tables ([[contract.{key}]])",
                record,
                key,
                expected=f"[[contract.{key}]] tables",
            )
            return []
        return [(f"{key}[{i}].", t) for i, t in enumerate(value)]

    def source(self, table: Mapping[str, Any], record: str, path: str) -> RegistrySource | None:
        self.keys(table, _SOURCE_KEYS, record, path)
        title = self.text(table, "title", record, path)
        url = self.text(table, "url", record, path)
        read = self.date(table, "read", record, path)
        facts = self.text(table, "facts", record, path)
        reliability = self.member(
            Reliability, table.get("reliability"), record, f"{path}reliability"
        )
        for key, value in (("title", title), ("read", read), ("facts", facts)):
            if value is None and key not in table:
                self.problem(
                    ProblemCode.MISSING_FIELD, f"a source needs its {key}", record, f"{path}{key}"
                )
        if url is not None and not url.startswith(("https://", "http://")):
            self.problem(
                ProblemCode.INVALID_VALUE,
                "url must be a web address",
                record,
                f"{path}url",
                url,
                "https://…",
            )
        if title is None or read is None or facts is None or reliability is None:
            return None
        return RegistrySource(url=url, title=title, read=read, reliability=reliability, facts=facts)

    def amendment(
        self, table: Mapping[str, Any], record: str, path: str
    ) -> RegistryAmendment | None:
        self.keys(table, _AMENDMENT_KEYS, record, path)
        signed = self.date(table, "signed", record, path)
        title = self.text(table, "title", record, path)
        for key, value in (("signed", signed), ("title", title)):
            if value is None and key not in table:
                self.problem(
                    ProblemCode.MISSING_FIELD, f"an avenant needs its {key}", record, f"{path}{key}"
                )
        if signed is None or title is None:
            return None
        return RegistryAmendment(
            signed=signed,
            title=title,
            diair_signs=self.flag(table, "diair_signs", record, path),
            note=self.text(table, "note", record, path) or "",
        )

    def contract(self, index: int, table: Mapping[str, Any]) -> RegistryEntry | None:
        raw_id = table.get("id")
        record = raw_id if isinstance(raw_id, str) and raw_id else f"contract[{index}]"
        before = len(self.problems)
        self.keys(table, _CONTRACT_KEYS, record, "")
        for key in _REQUIRED:
            if key not in table:
                self.problem(ProblemCode.MISSING_FIELD, f"a contract needs its {key}", record, key)
        texts = {key: self.text(table, key, record, "") for key in ("id", "name", "territory")}
        kind = (
            self.member(ContractKind, table.get("kind"), record, "kind")
            if "kind" in table
            else None
        )
        signatory_kind = (
            self.member(SignatoryKind, table.get("signatory_kind"), record, "signatory_kind")
            if "signatory_kind" in table
            else None
        )
        signatories = table.get("signatories", [])
        if not isinstance(signatories, list) or not all(isinstance(s, str) for s in signatories):
            self.problem(
                ProblemCode.INVALID_VALUE,
                "signatories must be a list of official codes",
                record,
                "signatories",
                signatories,
                'a list such as ["29019", "242900314"]',
            )
            signatories = []
        cohort = table.get("cohort")
        if "cohort" in table and (isinstance(cohort, bool) or not isinstance(cohort, int)):
            self.problem(
                ProblemCode.INVALID_VALUE,
                "cohort must be a year",
                record,
                "cohort",
                cohort,
                "a year",
            )
        public: set[PublicCategory] = set()
        raw_public = table.get("public", [])
        if not isinstance(raw_public, list):
            raw_public = [raw_public]
        for i, value in enumerate(raw_public):
            member = self.member(PublicCategory, value, record, f"public[{i}]")
            if member is not None:
                public.add(member)
        dates = {
            key: self.date(table, key, record, "")
            for key in ("signed", "scheduled", "drafting", "start", "end")
        }
        sources = [self.source(t, record, path) for path, t in self.tables(table, "source", record)]
        amendments = [
            self.amendment(t, record, path) for path, t in self.tables(table, "amendment", record)
        ]
        diair = self.flag(table, "diair_signs", record, "")
        note = self.text(table, "note", record, "") or ""
        if len(self.problems) > before:
            return None
        assert kind is not None
        assert signatory_kind is not None
        assert isinstance(cohort, int)
        return RegistryEntry(
            id=str(texts["id"]),
            name=str(texts["name"]),
            territory=str(texts["territory"]),
            kind=kind,
            signatory_kind=signatory_kind,
            signatories=tuple(signatories),
            cohort=cohort,
            public=frozenset(public),
            diair_signs=diair,
            amendments=tuple(a for a in amendments if a is not None),
            sources=tuple(s for s in sources if s is not None),
            note=note,
            **dates,
        )


def _parse(text: str, file: str) -> tuple[list[RegistryEntry], list[Problem]]:
    reader = _Reader(file)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reader.problem(ProblemCode.INVALID_VALUE, f"not a TOML document: {error}", "", "")
        return [], reader.problems
    reader.keys(document, frozenset({"contract"}), "", "")
    tables = document.get("contract", [])
    if not isinstance(tables, list):
        reader.problem(
            ProblemCode.INVALID_VALUE, "contract must be [[contract]] tables", "", "contract"
        )
        tables = []
    found = [reader.contract(i, t) for i, t in enumerate(tables) if isinstance(t, dict)]
    entries = [e for e in found if e is not None]
    return entries, reader.problems


def load(path: str | Path, *, geography: Any = None) -> tuple[RegistryEntry, ...]:
    """Read a registry file in the format of the bundled ``contracts.toml`` and check it.

    Args:
        path: The TOML file.
        geography: The geography the codes are checked against; the bundled one by default.

    Returns:
        Its entries, in file order.

    Raises:
        DataError: The file cannot be read, or :func:`check` finds errors; ``problems`` lists
            them all, each naming the file, the contract and the field.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(
            [Problem(code=ProblemCode.UNREADABLE, message=str(error), file=str(path))]
        ) from None
    return _checked(text, str(path), geography)


def _checked(text: str, file: str, geography: Any) -> tuple[RegistryEntry, ...]:
    entries, problems = _parse(text, file)
    problems += check(entries, geography=geography, file=file)
    if any(p.severity is Severity.ERROR for p in problems):
        raise DataError(problems)
    return tuple(entries)


@functools.cache
def entries() -> tuple[RegistryEntry, ...]:
    """Return the bundled registry: every contract the public sources name, checked.

    The result is computed once per process.
    """
    text = resources.files(__name__).joinpath(BUNDLED).read_text(encoding="utf-8")
    return _checked(text, BUNDLED, None)


def entry(contract_id: str) -> RegistryEntry:
    """Return the bundled registry's entry ``contract_id``.

    Raises:
        UnknownContractError: No entry has this id; the message suggests the closest.
    """
    found = {e.id: e for e in entries()}
    if contract_id not in found:
        raise UnknownContractError(contract_id, list(found), " in the registry of contracts")
    return found[contract_id]


# -- checks -------------------------------------------------------------------------------------


def check(
    found: Sequence[RegistryEntry], *, geography: Any = None, file: str = BUNDLED
) -> list[Problem]:
    """Return every problem of registry entries, each naming the file, contract and field.

    The checks: unique ids; the territory and every signatory an official code of the
    geography (INSEE commune code or SIREN of an EPCI); the signing no earlier than the
    cohort's year, within the start's year at most a year apart, never before a date at which
    a source says the contract was still being drafted; the start before the end; a
    scheduled date only beside a signature that is not known to the day; avenants after the
    signing; the Diair as signatory only where a source names it; at least one source.

    Args:
        found: The entries.
        geography: The geography of the codes; the bundled one by default.
        file: The file named in the problems.
    """
    if geography is None:
        from territoires.geo import get_geography

        geography = get_geography()
    problems: list[Problem] = []

    def add(
        record: str, field: str, message: str, value: object = None, expected: str | None = None
    ) -> None:
        problems.append(
            Problem(
                code=ProblemCode.INVALID_VALUE,
                message=message,
                file=file,
                record=record,
                field=field,
                value=None if value is None else str(value),
                expected=expected,
            )
        )

    seen: set[str] = set()
    for e in found:
        if e.id in seen:
            problems.append(
                Problem(
                    code=ProblemCode.DUPLICATE_ID,
                    message=f"contract id {e.id!r} used twice",
                    file=file,
                    record=e.id,
                    field="id",
                )
            )
        seen.add(e.id)
        for field, code in (
            ("territory", e.territory),
            *((f"signatories[{i}]", c) for i, c in enumerate(e.signatories)),
        ):
            if not (is_commune_code(code) or is_siren(code)) or geography.lookup(code) is None:
                problems.append(
                    Problem(
                        code=ProblemCode.UNKNOWN_TERRITORY,
                        message=f"{code!r} is not a commune or EPCI of the bundled geography",
                        file=file,
                        record=e.id,
                        field=field,
                        value=code,
                        expected="an INSEE commune code or the SIREN of an EPCI",
                    )
                )
        if not e.sources:
            add(
                e.id,
                "source",
                "every contract needs at least one source",
                expected="[[contract.source]]",
            )
        _check_dates(e, add)
        mentions = " ".join(f"{s.title} {s.facts}" for s in e.sources).lower()
        diair = [("diair_signs", e.diair_signs)] + [
            (f"amendment[{i}].diair_signs", a.diair_signs) for i, a in enumerate(e.amendments)
        ]
        for field, signs in diair:
            if signs and "diair" not in mentions:
                add(
                    e.id,
                    field,
                    "the Diair is named as signatory but no source of the contract says so",
                )
    return problems


def _check_dates(e: RegistryEntry, add: Callable[..., None]) -> None:
    signed = e.signed
    if signed is not None and signed.on is not None:
        if signed.latest is not None and signed.latest.year < e.cohort:
            add(e.id, "signed", f"signed before the cohort's year {e.cohort}", signed.text())
        drafted = e.drafting.earliest if e.drafting is not None else None
        if drafted is not None and signed.latest is not None and signed.latest < drafted:
            add(
                e.id,
                "signed",
                f"signed ({signed.text()}) before a source says it was still drafted "
                f"({e.drafting.text() if e.drafting is not None else ''})",
                signed.text(),
            )
        if e.scheduled is not None and signed.precision is DatePrecision.DAY:
            add(
                e.id,
                "scheduled",
                "a scheduled date beside a signing day: keep the one the source gives",
                e.scheduled.text(),
            )
    if e.scheduled is not None and signed is None:
        add(e.id, "signed", "a scheduled signing is not a signing: say 'unknown' or give the date")
    if e.start is not None and e.end is not None:
        first, last = e.start.earliest, e.end.latest
        if first is not None and last is not None and last < first:
            add(
                e.id,
                "end",
                f"ends ({e.end.text()}) before it starts ({e.start.text()})",
                e.end.text(),
            )
    earliest_signing = signed.earliest if signed is not None else None
    for i, amendment in enumerate(e.amendments):
        day = amendment.signed.latest
        if earliest_signing is not None and day is not None and day < earliest_signing:
            add(
                e.id,
                f"amendment[{i}].signed",
                "an avenant signed before the contract",
                amendment.signed.text(),
            )
