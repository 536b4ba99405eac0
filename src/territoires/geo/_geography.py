"""The official geography: lookups, memberships, populations, search and suggestions."""

from __future__ import annotations

import bisect
import gzip
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import attrs
import msgspec

from territoires import limits
from territoires.exceptions import (
    InvalidValueError,
    TerritoiresError,
    UnknownTerritoryError,
    WrongTypeError,
)
from territoires.geo._search import WORDS, NameIndex
from territoires.model import codes
from territoires.model._validators import member_of, optional, text
from territoires.model.contract import Source
from territoires.model.dataset import Gazetteer
from territoires.model.enums import LabelledEnum, TerritoryKind
from territoires.model.territory import Territory

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Alias", "AliasKind", "Geography"]

_FORMAT: Final = 1
_GROUP_KINDS: Final = {
    "CC": TerritoryKind.CC,
    "CA": TerritoryKind.CA,
    "CU": TerritoryKind.CU,
    "METRO": TerritoryKind.METRO,
    "MET69": TerritoryKind.MET69,
    "EPT": TerritoryKind.EPT,
}
_CODE_CHARACTERS: Final = "0123456789AB"

_Family = Literal["commune", "arrondissement", "group", "departement", "region"]


class AliasKind(LabelledEnum):
    """Why a commune code is no longer current.

    .. versionadded:: 0.1
    """

    FORMER = ("former", "ancien code", "former code")
    DELEGATED = ("delegated", "commune déléguée", "delegated commune")
    ASSOCIATED = ("associated", "commune associée", "associated commune")


@attrs.frozen(kw_only=True)
class Alias:
    """A commune code that is not current, and the current commune it now belongs to.

    Attributes:
        code: The code that was looked up (a former code, or the code of a commune déléguée or
            associée).
        kind: Why the code is no longer current.
        current: INSEE code of the current commune.
        name: Name of the commune déléguée or associée; None for a bare former code.

    Example:
        >>> from territoires.geo import get_geography
        >>> get_geography().alias("55273")
        Alias(code='55273', kind=<AliasKind.ASSOCIATED: 'associated'>, current='55386', \
name='Lamarche-en-Woëvre')

    .. versionadded:: 0.1
    """

    code: str = attrs.field(validator=text)
    kind: AliasKind = attrs.field(validator=member_of(AliasKind))
    current: str = attrs.field(validator=text)
    name: str | None = attrs.field(default=None, validator=optional(text))


class _Group(NamedTuple):
    """An EPCI à fiscalité propre or an EPT."""

    code: str
    name: str
    kind: TerritoryKind
    population: int
    members: tuple[int, ...] | None  # EPT members; EPCI members come from the commune column


def _read(root: Traversable, name: str) -> Any:
    """Decode a JSON data file, gzipped when its name says so.

    msgspec decodes the 1 MB geography in about half the time of :func:`json.loads`.
    """
    data = root.joinpath(name).read_bytes()
    return msgspec.json.decode(gzip.decompress(data) if name.endswith(".gz") else data)


def _departement_of(code: str) -> str:
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def _format(territory: Territory) -> str:
    return f"{territory.name} ({territory.id})"


_REFERENCE_EXPECTED = "a code as a text, such as '69123' or '01004' (a number loses its zeros)"


def _check_query(query: str) -> None:
    """Refuse a query longer than ``territoires.limits.MAX_QUERY_LENGTH`` characters.

    Spelling correction tries every edit of every word: a query of 100,000 characters would
    never end.
    """
    if not isinstance(query, str):
        raise WrongTypeError("query", query, "a text to look for: a name or a code")
    if len(query) > limits.MAX_QUERY_LENGTH:
        raise InvalidValueError(
            "query",
            f"a text of {len(query):,} characters",
            f"a search of at most {limits.MAX_QUERY_LENGTH} characters",
        )


class Geography:
    """The official French geography of one millésime, with lookups, search and memberships.

    Holds actual communes (overseas collectivities included), arrondissements municipaux of
    Paris, Lyon and Marseille (as communes whose first parent is their commune), EPCI à
    fiscalité propre (CC, CA, CU, METRO, MET69), EPT, départements and régions, from
    ``@etalab/decoupage-administratif`` (see :attr:`vintage` and ``NOTICE``).

    Territories are named by their reference (:func:`territoires.model.codes.reference_kind`):
    an INSEE commune code, the SIREN of an EPCI or EPT, ``dep:XX`` or ``reg:XX``. Former codes
    and codes of communes déléguées or associées are aliases: :meth:`lookup` gives the current
    commune (whose ``id`` then differs from the reference) and :meth:`alias` says why.

    Parents, nearest first:

    - commune: its EPT if any, its EPCI if any, ``dep:XX``, ``reg:XX`` (an EPT lies within
      the Métropole du Grand Paris, so it comes first);
    - arrondissement municipal: its commune, then the commune's parents;
    - EPCI or EPT: for an EPT, the EPCI holding all its members (the Métropole du Grand Paris),
      then the départements of its members, then their régions, each by decreasing number of
      members. An EPCI spread over two départements has both as parents but lies
      :meth:`within <is_within>` neither;
    - département: its région. A région has no parents.

    Loading reads about 400 kB of compressed data; the name index for :meth:`search` and the
    alias table are built on first use. Use :func:`territoires.geo.get_geography` for a shared,
    lazily loaded instance.

    Args:
        directory: Directory holding ``vintage.json``, ``geography.json.gz`` and
            ``aliases.json.gz`` as written by ``scripts/update_geography.py``; the data bundled
            with the package when None.

    Raises:
        TerritoiresError: The data files are of a format this version cannot read.

    Example:
        >>> from territoires.geo import Geography
        >>> geography = Geography()
        >>> dijon = geography.get("21231")
        >>> dijon.name, dijon.parents
        ('Dijon', ('242100410', 'dep:21', 'reg:27'))
        >>> geography.get(dijon.parents[0]).name
        'Dijon Métropole'

    .. versionadded:: 0.1
    """

    def __init__(self, directory: Traversable | str | os.PathLike[str] | None = None) -> None:
        root: Traversable
        if directory is None:
            # Imported here: importlib.resources costs more to import than the data to read.
            from importlib import resources

            root = resources.files("territoires.geo").joinpath("_data")
        elif isinstance(directory, str | os.PathLike):
            root = Path(directory)
        else:
            root = directory
        self._root = root
        self._about: dict[str, Any] = _read(root, "vintage.json")
        raw = _read(root, "geography.json.gz")
        if raw.get("format") != _FORMAT:
            raise TerritoiresError(
                f"geography data in {root} has format {raw.get('format')!r}; this version of "
                f"territoires reads format {_FORMAT}: regenerate it with "
                "scripts/update_geography.py"
            )
        communes = raw["communes"]
        # Sorted codes searched by bisection: building a dictionary would double the load time.
        self._codes: list[str] = communes["codes"].split("\n")
        self._names: list[str] = communes["names"].split("\n")
        self._populations: list[int | None] = communes["populations"]
        self._commune_epci: list[int] = communes["epci"]
        self._arrondissements: dict[str, tuple[str, int, str]] = {
            code: (name, population, commune)
            for code, name, population, commune in raw["arrondissements"]
        }
        self._arrondissements_of: dict[str, list[str]] = {}
        for code, (_, _, commune) in self._arrondissements.items():
            self._arrondissements_of.setdefault(commune, []).append(code)
        self._groups = [
            _Group(code, name, _GROUP_KINDS[kind], population, None)
            for code, name, kind, population in raw["epci"]
        ]
        self._commune_ept: dict[int, int] = {}
        for code, name, population, members in raw["ept"]:
            indexes = tuple(bisect.bisect_left(self._codes, m) for m in members)
            for index in indexes:
                self._commune_ept[index] = len(self._groups)
            self._groups.append(_Group(code, name, TerritoryKind.EPT, population, indexes))
        self._group_index = {group.code: i for i, group in enumerate(self._groups)}
        self._departements: dict[str, tuple[str, str]] = {
            code: (name, region) for code, name, region in raw["departements"]
        }
        self._regions: dict[str, str] = dict(raw["regions"])
        self._cache: dict[str, Territory] = {}
        self._aliases: dict[str, str] | None = None
        self._alias_rows: dict[str, list[str]] = {}
        self._sirens: dict[str, str] | None = None
        self._group_members: dict[str, tuple[int, ...]] = {}
        self._area_populations: dict[str, int | None] | None = None
        self._index: NameIndex | None = None
        self._targets: list[str] = []
        self._target_populations: list[int] = []
        self._first_alias = 0

    def __repr__(self) -> str:
        return f"<Geography {self.vintage}>"

    def __contains__(self, reference: object) -> bool:
        return isinstance(reference, str) and self.lookup(reference) is not None

    # -- provenance ---------------------------------------------------------------------------

    @property
    def vintage(self) -> str:
        """Source and millésime of the data.

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().vintage
            '@etalab/decoupage-administratif 6.0.0 (millésime 2026)'
        """
        about = self._about
        return f"{about['package']} {about['version']} (millésime {about['millesime']})"

    @property
    def millesime(self) -> int:
        """Year of the Code officiel géographique (COG) the data holds.

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().millesime
            2026

        .. versionadded:: 0.2
        """
        return int(self._about["millesime"])

    @property
    def source(self) -> Source:
        """The provenance of the data (package, URL, licences and integrity), for reports."""
        about = self._about
        return Source(
            title=self.vintage,
            url=about["url"],
            note=(
                f"Data: {about['data_licence']}; code: {about['code_licence']}. Tarball "
                f"{about['tarball']}, {about['integrity']}; bundled on {about['generated']}."
            ),
        )

    # -- lookups ------------------------------------------------------------------------------

    def lookup(self, reference: str) -> Territory | None:
        """Return the territory with reference ``reference``, or None when it is unknown.

        Former codes and codes of communes déléguées or associées give the current commune;
        :meth:`alias` says why.

        Args:
            reference: An INSEE commune code, the SIREN of an EPCI or EPT, ``dep:XX`` or
                ``reg:XX``.

        Returns:
            The territory, or None.

        Raises:
            WrongTypeError: ``reference`` is not a text (a number loses the leading zero of
                codes such as ``"01004"``).

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().lookup("200046977").kind
            <TerritoryKind.MET69: 'met69'>
        """
        territory = self._cache.get(reference)
        if territory is None:
            if not isinstance(reference, str):
                raise WrongTypeError("reference", reference, _REFERENCE_EXPECTED)
            canonical = self._canonical(reference)
            if canonical is None:
                return None
            territory = self._territory(canonical)
            self._cache[reference] = territory
        return territory

    def get(self, reference: str) -> Territory:
        """Return the territory with reference ``reference``.

        Raises:
            UnknownTerritoryError: ``reference`` is not in this geography; its
                ``suggestions`` are those of :meth:`suggest`.

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().get("reg:84").name
            'Auvergne-Rhône-Alpes'
        """
        territory = self.lookup(reference)
        if territory is None:
            raise UnknownTerritoryError(reference, self.suggest(reference))
        return territory

    def alias(self, reference: str) -> Alias | None:
        """Say how a non-current commune code maps to a current commune.

        Args:
            reference: A commune code.

        Returns:
            The alias for a former code or the code of a commune déléguée or associée; None
            for a current reference (even when a commune déléguée shares the code of its
            commune nouvelle) and for an unknown one.
        """
        if self._family(reference) is not None or reference not in self._alias_table():
            return None
        rows = self._alias_rows
        position = bisect.bisect_left(rows["codes"], reference)
        return Alias(
            code=reference,
            kind=AliasKind.from_value(rows["kinds"][position]),
            current=rows["current"][position],
            name=rows["names"][position] or None,
        )

    def references(self, *, kinds: Iterable[TerritoryKind] | None = None) -> list[str]:
        """Return the reference of every territory (aliases excluded), by kind then code.

        Args:
            kinds: Only these kinds; every kind when None.
        """
        wanted = frozenset(TerritoryKind if kinds is None else kinds)
        found: list[str] = []
        if TerritoryKind.COMMUNE in wanted:
            found += sorted([*self._codes, *self._arrondissements])
        for kind in TerritoryKind:
            if kind.is_epci and kind in wanted:
                found += [group.code for group in self._groups if group.kind is kind]
        if TerritoryKind.DEPARTEMENT in wanted:
            found += [f"dep:{code}" for code in self._departements]
        if TerritoryKind.REGION in wanted:
            found += [f"reg:{code}" for code in self._regions]
        return found

    # -- memberships --------------------------------------------------------------------------

    def parents(self, reference: str) -> list[Territory]:
        """Return the territories that contain ``reference``, nearest first.

        See the class description for what the parents of each kind are.

        Raises:
            UnknownTerritoryError: ``reference`` is unknown.

        Example:
            >>> from territoires.geo import get_geography
            >>> [t.name for t in get_geography().parents("69266")]
            ['Métropole de Lyon', 'Rhône', 'Auvergne-Rhône-Alpes']
        """
        return [self._territory(parent) for parent in self.get(reference).parents]

    def members(self, reference: str) -> list[Territory]:
        """Return the territories ``reference`` is made of, by code.

        The communes of an EPCI, EPT or département; the départements of a région; the
        arrondissements municipaux of Paris, Lyon and Marseille. Other communes and
        arrondissements have none.

        Raises:
            UnknownTerritoryError: ``reference`` is unknown.

        Example:
            >>> from territoires.geo import get_geography
            >>> len(get_geography().members("75056"))
            20
        """
        canonical = self.get(reference).id
        family = self._family(canonical)
        refs: list[str]
        if family == "commune":
            refs = self._arrondissements_of.get(canonical, [])
        elif family == "group":
            refs = [self._codes[i] for i in self._members_of_group(canonical)]
        elif family == "departement":
            refs = self._codes[slice(*self._departement_range(canonical[4:]))]
        elif family == "region":
            region = canonical[4:]
            refs = [f"dep:{code}" for code, (_, r) in self._departements.items() if r == region]
        else:
            refs = []
        return [self._territory(ref) for ref in refs]

    def epci_of(self, commune: str) -> Territory | None:
        """Return the EPCI à fiscalité propre of a commune (never an EPT).

        Args:
            commune: INSEE code of a commune or arrondissement municipal (the EPCI of its
                commune), or an alias of a commune.

        Returns:
            The EPCI, or None for the communes in none: the islands Bréhat, Sein, Ouessant
            and Yeu, and the overseas collectivities.

        Raises:
            UnknownTerritoryError: ``commune`` is unknown.
            InvalidValueError: ``commune`` is a known territory but not a commune.

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().epci_of("21231").name
            'Dijon Métropole'
        """
        canonical = self.get(commune).id
        if canonical in self._arrondissements:
            canonical = self._arrondissements[canonical][2]
        index = self._commune(canonical)
        if index is None:
            raise InvalidValueError("commune", commune, "the INSEE code of a commune")
        group = self._commune_epci[index]
        return None if group < 0 else self._territory(self._groups[group].code)

    def is_within(self, member: str, container: str) -> bool:
        """Return True when territory ``member`` lies in (or is) territory ``container``.

        A territory lies within another when every actual commune of the first belongs to the
        second: a commune is within itself, its EPT, EPCI, département and région; an EPCI is
        within a département only when all its members are; an EPT is within the Métropole du
        Grand Paris. An arrondissement municipal is within its commune and whatever contains
        that commune, while nothing but itself is within an arrondissement. Two territories
        with the same communes are within each other (the overseas collectivities are both a
        ``dep:`` and a ``reg:``). Aliases count as their current commune. Unknown references
        are within nothing and contain nothing.

        Example:
            >>> from territoires.geo import get_geography
            >>> geography = get_geography()
            >>> geography.is_within("69266", "200046977"), geography.is_within("69266", "dep:38")
            (True, False)
        """
        inner = self._canonical(member)
        outer = self._canonical(container)
        if inner is None or outer is None:
            return False
        if inner == outer:
            return True
        if outer in self._arrondissements:
            return False
        if inner in self._arrondissements:
            commune = self._arrondissements[inner][2]
            return outer == commune or self.is_within(commune, outer)
        return all(
            outer == self._codes[index] or outer in self._commune_parents(index)
            for index in self._communes_in(inner)
        )

    # -- populations --------------------------------------------------------------------------

    def population(self, reference: str) -> int | None:
        """Return the municipal population (INSEE populations légales) of a territory.

        Communes and arrondissements: their own (Paris, Lyon and Marseille: the sum of their
        arrondissements). EPCI and EPT: the ``populationMunicipale`` of the DGCL list, which
        may be of a different year than the communes'. Départements and régions: the sum over
        their actual communes, arrondissements not counted twice.

        Returns:
            The population, or None where the data has none (the uninhabited Terres australes
            et antarctiques and Clipperton).

        Raises:
            UnknownTerritoryError: ``reference`` is unknown.
        """
        return self.get(reference).population

    # -- search and suggestions ---------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        kinds: Iterable[TerritoryKind] | None = None,
        limit: int = 10,
    ) -> list[Territory]:
        """Find territories by name (or by reference), best first.

        Matching ignores case, accents, hyphens and apostrophes (``"st etienne"`` finds
        Saint-Étienne). Ranking: a reference, then exact names, names starting with the query,
        names holding all its words (the last one may be unfinished), names holding some of
        them; within a rank, larger populations first. The EPCI and EPT of a commune matched
        exactly or by prefix follow right after it, even when their name does not match
        ("Clermont-Ferrand" brings Clermont Auvergne Métropole). Names of communes déléguées
        and associées find their current commune.

        Args:
            query: What to look for: a name, part of a name, or a reference.
            kinds: Only return territories of these kinds; all kinds when None.
            limit: At most this many results.

        Raises:
            InvalidValueError: ``query`` is longer than
                ``territoires.limits.MAX_QUERY_LENGTH`` characters.

        Example:
            >>> from territoires.geo import get_geography
            >>> [t.id for t in get_geography().search("lyon", limit=2)]
            ['69123', '200046977']
        """
        _check_query(query)
        if limit <= 0:
            return []
        wanted = None if kinds is None else frozenset(kinds)
        index = self._name_index()
        # Rank key: (tier, -words matched, from an alias, -population, normalised name).
        best: dict[str, tuple[float, int, bool, int, str]] = {}

        def offer(reference: str, key: tuple[float, int, bool, int, str]) -> None:
            known = best.get(reference)
            if known is None or key < known:
                best[reference] = key

        reference = self._coerce(query)
        if reference is not None:
            offer(reference, (-1, 0, False, 0, ""))
        targets, populations = self._targets, self._target_populations
        for entry, tier, matched in index.find(query):
            from_alias = entry >= self._first_alias
            offer(
                targets[entry],
                (tier, -matched, from_alias, -populations[entry], index.norms[entry]),
            )
        for target, key in list(best.items()):
            if key[0] < WORDS:
                for group in self._groups_of(target):
                    offer(
                        group.code,
                        (key[0] + 0.5, key[1], key[2], -group.population, group.name),
                    )
        ranked = sorted(best, key=lambda ref: (best[ref], ref))
        if wanted is not None:
            ranked = [ref for ref in ranked if self._kind(ref) in wanted]
        return [self._territory(ref) for ref in ranked[:limit]]

    def suggest(self, reference: str, *, limit: int = 5) -> list[str]:
        """Return known territories near an unknown reference, as ``"Name (reference)"``.

        For something shaped like a code: the same reference written the expected way
        (``"2a004"``, ``"69"`` → ``dep:69``, ``dep:20`` → ``dep:2A``, ``dep:2B``), the commune
        whose SIREN it is, and the references of the same kind one edit away (one character
        changed, swapped, missing or extra), those in the same département and the most
        populated first. When that finds nothing, and for anything else: the best results of
        :meth:`search`, whose spelling correction handles one typo per word. Never returns
        ``reference`` itself.

        Args:
            reference: The reference that was not found.
            limit: At most this many suggestions.

        Example:
            >>> from territoires.geo import get_geography
            >>> get_geography().suggest("242100411")
            ['Dijon Métropole (242100410)']
        """
        if len(reference) > limits.MAX_QUERY_LENGTH:
            return []  # no name is that long; correcting it would take forever
        found: list[str] = []

        def add(candidate: str) -> None:
            known = self._family(candidate) is not None
            if known and candidate != reference and candidate not in found:
                found.append(candidate)

        text = reference.strip()
        coerced = self._coerce(text)
        if coerced is not None:
            add(coerced)
        prefix, body = self._split(text)
        if not prefix and body in self._departements:
            add(f"dep:{body}")
        if not prefix and body in self._regions:
            add(f"reg:{body}")
        if prefix in ("", "dep:") and body.isdigit() and len(body) == 1:
            add(f"dep:0{body}")
        if len(body) == 9 and body.isdigit():
            commune = self._commune_with_siren(body)
            if commune is not None:
                add(commune)
        if body.startswith("20"):
            # Corsica was département 20 until 1976: 2A and 2B now.
            for corsica in ("2A" + body[2:], "2B" + body[2:]):
                if self._family(prefix + corsica) is not None:
                    add(prefix + corsica)
                elif not prefix and corsica in self._departements:
                    add(f"dep:{corsica}")
        if body.isascii() and body.isalnum() and (prefix or any(c.isdigit() for c in body)):
            near = [
                prefix + code
                for code in self._one_edit_away(body)
                if self._family(prefix + code) is not None
            ]
            # A typo is likelier in the commune number than in the département: same first
            # two characters first, then larger populations.
            near.sort(
                key=lambda ref: (
                    ref[len(prefix) : len(prefix) + 2] != body[:2],
                    -(self._territory(ref).population or 0),
                    ref,
                )
            )
            for candidate in near:
                add(candidate)
        if not found and text:
            for territory in self.search(text, limit=limit):
                add(territory.id)
        return [_format(self._territory(ref)) for ref in found[:limit]]

    # -- internals ----------------------------------------------------------------------------

    def _family(self, reference: str) -> _Family | None:
        if self._commune(reference) is not None:
            return "commune"
        if reference in self._group_index:
            return "group"
        if reference in self._arrondissements:
            return "arrondissement"
        if reference[:4] == "dep:" and reference[4:] in self._departements:
            return "departement"
        if reference[:4] == "reg:" and reference[4:] in self._regions:
            return "region"
        return None

    def _kind(self, reference: str) -> TerritoryKind:
        """Kind of a known canonical reference, without building its territory."""
        group = self._group_index.get(reference)
        if group is not None:
            return self._groups[group].kind
        if reference[:4] == "dep:":
            return TerritoryKind.DEPARTEMENT
        if reference[:4] == "reg:":
            return TerritoryKind.REGION
        return TerritoryKind.COMMUNE

    def _commune(self, code: str) -> int | None:
        """Position of commune ``code`` in the sorted codes, or None."""
        index = bisect.bisect_left(self._codes, code)
        if index < len(self._codes) and self._codes[index] == code:
            return index
        return None

    def _canonical(self, reference: str) -> str | None:
        if self._family(reference) is not None:
            return reference
        return self._alias_table().get(reference)

    @staticmethod
    def _split(text: str) -> tuple[str, str]:
        """Split ``text`` into a lowercase ``dep:``/``reg:`` prefix and an uppercase body."""
        compact = "".join(text.split())
        head = compact[:4].lower()
        if head in ("dep:", "reg:"):
            return head, compact[4:].upper()
        return "", compact.upper()

    def _coerce(self, text: str) -> str | None:
        """Return the reference ``text`` designates once case and spaces are fixed."""
        prefix, body = self._split(text)
        if not body:
            return None
        return self._canonical(prefix + body)

    def _alias_table(self) -> dict[str, str]:
        """Current commune of each alias code (the details are read on demand by alias())."""
        if self._aliases is None:
            raw = _read(self._root, "aliases.json.gz")
            self._alias_rows = raw["aliases"]
            self._sirens = raw["siren"]
            codes, current = self._alias_rows["codes"], self._alias_rows["current"]
            self._aliases = dict(zip(codes, current, strict=True))
        return self._aliases

    def _commune_with_siren(self, siren: str) -> str | None:
        self._alias_table()
        assert self._sirens is not None
        for code, known in self._sirens.items():
            if known == siren:
                return code
        # Most communes have SIREN 21 + code (0 after the département) + Luhn key; the
        # overseas collectivities have none.
        for code in self._siren_candidates(siren):
            index = self._commune(code)
            dep = _departement_of(code)
            if index is not None and code not in self._sirens and self._regions.get(dep) is None:
                return code
        return None

    @staticmethod
    def _siren_candidates(siren: str) -> list[str]:
        if not (siren.startswith("21") and codes.luhn_ok(siren)):
            return []
        body = siren[2:8]
        if body[:2] in ("97", "98"):
            return [body[:3] + body[4:]] if body[3] == "0" else []
        if body[2] != "0":
            return []
        if body[:2] == "20":
            return ["2A" + body[3:], "2B" + body[3:]]
        return [body[:2] + body[3:]]

    def _one_edit_away(self, body: str) -> list[str]:
        """Codes at edit distance 1 from ``body``: substitutions and swaps first."""
        found: list[str] = []
        for i in range(len(body)):
            for char in _CODE_CHARACTERS:
                if char != body[i]:
                    found.append(body[:i] + char + body[i + 1 :])
        for i in range(len(body) - 1):
            if body[i] != body[i + 1]:
                found.append(body[:i] + body[i + 1] + body[i] + body[i + 2 :])
        for i in range(len(body)):
            found.append(body[:i] + body[i + 1 :])
        for i in range(len(body) + 1):
            for char in _CODE_CHARACTERS:
                found.append(body[:i] + char + body[i:])
        return list(dict.fromkeys(found))

    def _territory(self, reference: str) -> Territory:
        territory = self._cache.get(reference)
        if territory is None:
            territory = self._build(reference)
            self._cache[reference] = territory
        return territory

    def _build(self, reference: str) -> Territory:
        index = self._commune(reference)
        if index is not None:
            return Territory(
                code=reference,
                kind=TerritoryKind.COMMUNE,
                name=self._names[index],
                parents=self._commune_parents(index),
                population=self._populations[index],
            )
        if reference in self._arrondissements:
            name, population, commune = self._arrondissements[reference]
            return Territory(
                code=reference,
                kind=TerritoryKind.COMMUNE,
                name=name,
                parents=(commune, *self._commune_parents(bisect.bisect_left(self._codes, commune))),
                population=population,
            )
        group_index = self._group_index.get(reference)
        if group_index is not None:
            group = self._groups[group_index]
            return Territory(
                code=group.code,
                kind=group.kind,
                name=group.name,
                parents=self._group_parents(group_index),
                population=group.population,
            )
        code = reference[4:]
        if reference[:4] == "dep:":
            name, region = self._departements[code]
            return Territory(
                code=code,
                kind=TerritoryKind.DEPARTEMENT,
                name=name,
                parents=(f"reg:{region}",),
                population=self._area_population(reference),
            )
        return Territory(
            code=code,
            kind=TerritoryKind.REGION,
            name=self._regions[code],
            population=self._area_population(reference),
        )

    def _commune_parents(self, index: int) -> tuple[str, ...]:
        dep = _departement_of(self._codes[index])
        parents: list[str] = []
        ept = self._commune_ept.get(index)
        if ept is not None:
            parents.append(self._groups[ept].code)
        epci = self._commune_epci[index]
        if epci >= 0:
            parents.append(self._groups[epci].code)
        parents += (f"dep:{dep}", f"reg:{self._departements[dep][1]}")
        return tuple(parents)

    def _group_parents(self, group_index: int) -> tuple[str, ...]:
        members = self._members_of_group(self._groups[group_index].code)
        parents: list[str] = []
        if self._groups[group_index].kind is TerritoryKind.EPT:
            holders = {self._commune_epci[i] for i in members}
            if len(holders) == 1 and (holder := holders.pop()) >= 0:
                parents.append(self._groups[holder].code)
        deps = Counter(_departement_of(self._codes[i]) for i in members)
        regions: Counter[str] = Counter()
        for dep, count in deps.items():
            regions[self._departements[dep][1]] += count
        parents += [f"dep:{d}" for d, _ in sorted(deps.items(), key=lambda kv: (-kv[1], kv[0]))]
        parents += [f"reg:{r}" for r, _ in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))]
        return tuple(parents)

    def _members_of_group(self, code: str) -> tuple[int, ...]:
        found = self._group_members.get(code)
        if found is None:
            group_index = self._group_index[code]
            found = self._groups[group_index].members
            if found is None:
                # list.index scans in C: a few hundred microseconds for one EPCI, where
                # grouping the whole column in Python would take ten milliseconds.
                column, position, indexes = self._commune_epci, -1, []
                for _ in range(column.count(group_index)):
                    position = column.index(group_index, position + 1)
                    indexes.append(position)
                found = tuple(indexes)
            self._group_members[code] = found
        return found

    def _groups_of(self, reference: str) -> list[_Group]:
        """EPT and EPCI of a commune or arrondissement (nearest first); none otherwise."""
        if reference in self._arrondissements:
            reference = self._arrondissements[reference][2]
        index = self._commune(reference)
        if index is None:
            return []
        found = [self._commune_ept.get(index, -1), self._commune_epci[index]]
        return [self._groups[group] for group in found if group >= 0]

    def _departement_range(self, dep: str) -> tuple[int, int]:
        return bisect.bisect_left(self._codes, dep), bisect.bisect_left(self._codes, dep + "~")

    def _communes_in(self, reference: str) -> Sequence[int]:
        """Indexes of the actual communes of a commune, EPCI, EPT, département or région."""
        family = self._family(reference)
        if family == "commune":
            return (bisect.bisect_left(self._codes, reference),)
        if family == "group":
            return self._members_of_group(reference)
        if family == "departement":
            return range(*self._departement_range(reference[4:]))
        region = reference[4:]
        found: list[int] = []
        for code, (_, r) in self._departements.items():
            if r == region:
                found.extend(range(*self._departement_range(code)))
        return found

    def _area_population(self, reference: str) -> int | None:
        if self._area_populations is None:
            sums: dict[str, int | None] = {}
            for dep, (_, region) in self._departements.items():
                known = [
                    population
                    for population in self._populations[slice(*self._departement_range(dep))]
                    if population is not None
                ]
                if known:
                    sums[f"dep:{dep}"] = total = sum(known)
                    sums[f"reg:{region}"] = (sums.get(f"reg:{region}") or 0) + total
            self._area_populations = sums
        return self._area_populations.get(reference)

    def _name_index(self) -> NameIndex:
        if self._index is None:
            arrondissements = list(self._arrondissements.items())
            departements = [f"dep:{code}" for code in self._departements]
            regions = [f"reg:{code}" for code in self._regions]
            self._alias_table()
            rows = self._alias_rows
            named = [i for i, name in enumerate(rows["names"]) if name]
            alias_targets = [rows["current"][i] for i in named]
            self._targets = (
                self._codes
                + [code for code, _ in arrondissements]
                + [group.code for group in self._groups]
                + departements
                + regions
                + alias_targets
            )
            self._target_populations = (
                [population or 0 for population in self._populations]
                + [population for _, (_, population, _) in arrondissements]
                + [group.population for group in self._groups]
                + [self._area_population(ref) or 0 for ref in departements + regions]
            )
            self._first_alias = len(self._target_populations)
            self._target_populations += [
                self._populations[bisect.bisect_left(self._codes, code)] or 0
                for code in alias_targets
            ]
            self._index = NameIndex(
                self._names
                + [name for _, (name, _, _) in arrondissements]
                + [group.name for group in self._groups]
                + [name for name, _ in self._departements.values()]
                + list(self._regions.values())
                + [rows["names"][i] for i in named]
            )
        return self._index


def _satisfies_gazetteer(geography: Geography) -> Gazetteer:
    """Let mypy prove that :class:`Geography` satisfies the model's :class:`Gazetteer`."""
    return geography
