"""Statistical disclosure control: which cells of a table of persons may be published.

:func:`protect` takes the cells of a table (each with the additive counts of persons behind
it) and the groups of cells that add up (a total and its parts: the actions of a contract,
the contracts of a territory, the categories of a breakdown...) and returns the status of
every cell:

* **primary secrecy** (:attr:`CellStatus.PRIMARY`): a cell any of whose counts is between 1
  and the threshold minus one is suppressed. A count of zero reveals no one and is published.
* **secondary secrecy** (:attr:`CellStatus.SECONDARY`): more cells are suppressed so that no
  suppressed cell can be recomputed from the others.

Each group is read as an equation, *parent = sum of the children*. An equation in which
exactly one cell is suppressed gives that cell away: a suppressed child is the total minus
the published children, and a suppressed total is the sum of its published parts. So after
:func:`protect` no group has exactly one suppressed cell; every group has none, or two or
more. This covers the rule "a published total never has exactly one suppressed part", and
also the case it misses: a territory suppressed to protect a smaller one could otherwise be
recomputed by adding up its contracts, and give the smaller one away.

How a group with one suppressed cell is repaired:

* The suppressed cell is a child: suppress the published child with the smallest counts
  among those with **no zero count**, the first in ``group.children`` order on a tie. If
  there is none, suppress the parent. A zero is never chosen as the complement: it adds
  nothing to the sum an attacker can compute (parent − published children = the sensitive
  cell + 0), and zeros are the easiest values to guess, since empty categories (sex
  "unspecified", say) are usually empty everywhere. A complement with no zero count that is
  not itself sensitive has counts of at least the threshold, so the hidden sum is at least
  the threshold too. The smallest such child loses the least information.
* The suppressed cell is the parent: suppress the child with the fewest zero counts, then
  the smallest counts, then the first in ``group.children`` order (a child with a zero count
  only if every child has one).

Sensitive cells are suppressed level by level, the cells whose smallest non-zero count is 1
first, then 2, and so on up to the threshold minus one, and the groups are repaired after
each level. So the cells suppressed at a threshold are also suppressed at every higher one
(raising the threshold never publishes a cell that a lower one hid), and the complement of a
small cell is often the next small cell, which had to be suppressed anyway. Within a level,
groups are repaired in an order fixed by the order of ``cells`` (the position of the parent,
then of the children), never by the order of ``groups``: the result is deterministic and does
not depend on how the groups are listed. Suppressions only grow and each group is repaired at
most once, so the work is linear in the size of the cells and groups (plus a heap).

An **undefined** cell (a ratio over zero, :attr:`Cell.defined` false) that is not suppressed
is marked :attr:`CellStatus.UNDEFINED`, and it counts as published in the groups: its status
already tells that its denominator is zero, so it hides nothing and cannot protect a
neighbour. A rate over no one has counts ``(0, 0)``, which are not sensitive, and no zero is
ever a complement, so such a cell normally stays undefined. A suppressed undefined cell is
marked suppressed, never undefined, which would tell its denominator.

Cells that count no persons (euros, numbers of actions: ``counts == ()``) are never
suppressed and take no part in the groups.

Some cells **follow** others (``follows``): a cell is suppressed whenever the cell it follows
is. A share of persons gives back its numerator and its denominator to anyone who knows one
of them (often a published count), so a share follows the counts it stands for: when its
numerator or denominator must stay hidden, the share is suppressed too (secondary, unless
sensitive itself), and every group it belongs to is repaired in turn. This is how a table of
shares is linked to the breakdown its counts come from: the share of women and the
beneficiaries by sex. Following is one way: a share suppressed for its own sake does not hide
counts that are published elsewhere.

Distinct counts add up only approximately (a person in two actions counts once in their
contract): the equations are still treated as exact, which can only suppress more.

Limits: the sum of the suppressed cells of a group can be smaller than the threshold when all
of them are sensitive (3 and 4 persons hidden in two categories make 7 persons known to be in
those two); protection intervals (τ-Argus) and the 85% dominance rule for amounts in euros
are not applied here.

Example:
    >>> cells = {"total": Cell((30,)), "women": Cell((4,)), "men": Cell((26,)),
    ...          "unspecified": Cell((0,))}
    >>> statuses = protect(cells, [Group("total", ("women", "men", "unspecified"))])
    >>> {key: status.value for key, status in statuses.items()}
    {'total': 'published', 'women': 'primary', 'men': 'secondary', 'unspecified': 'published'}

.. versionadded:: 0.1
"""

from __future__ import annotations

import heapq
import types
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

import attrs

from territoires._bulk import paused_gc
from territoires._enum import LabelledEnum
from territoires.exceptions import FormatError, InvalidValueError
from territoires.model.period import Period

if TYPE_CHECKING:
    from decimal import Decimal

    from territoires._attack import Attack
    from territoires._audit import Interval
    from territoires.measures import Indicator
    from territoires.model.dataset import Gazetteer
    from territoires.plugins import PluginManager

__all__ = [
    "DEFAULT_THRESHOLD",
    "THRESHOLDS",
    "AuditReport",
    "Cell",
    "CellAudit",
    "CellStatus",
    "CountInterval",
    "Exposure",
    "Group",
    "audit",
    "parse_threshold",
    "protect",
]

K = TypeVar("K", bound=Hashable)

THRESHOLDS: Final[Mapping[str, int]] = types.MappingProxyType(
    {
        "insee_entreprises": 3,
        "5": 5,
        "10": 10,
        "dgfip": 11,
        "casd": 11,
        "cnil_sniiram": 20,
    }
)
"""The thresholds in use in France, each the smallest number of persons a published cell may
count, by preset name.

* ``insee_entreprises`` (3): INSEE frequency rule for business statistics, no cell built from
  strictly fewer than 3 units (InseeFrLab, *Manuel de protection des tableaux*, "Règles").
* ``5`` and ``10``: plain thresholds kept as presets for looser publication agreements; no
  official rule is cited for them.
* ``dgfip`` (11): DGFiP tax data on natural persons, no cell with fewer than 11 units (same
  manual).
* ``casd`` (11): CASD rule for PMSI exports, no cell concerning fewer than 11 units, with
  secondary secrecy (Health Data Hub, good practice for exporting SNDS aggregates).
* ``cnil_sniiram`` (20): CNIL threshold for SNIIRAM, groups of no fewer than 20 persons (as
  quoted in the Senate, 2015).

.. versionadded:: 0.1
"""

DEFAULT_THRESHOLD: Final = 11
"""The default threshold, the strictest French rule for natural persons (DGFiP, CASD).

.. versionadded:: 0.1
"""

_MAX_THRESHOLD_DIGITS = 9  # a billion persons: far above any population, and cheap to parse


def parse_threshold(text: str | int | None) -> int:
    """Return the threshold a setting names: a whole number of persons or a preset name.

    The grammar of ``--threshold`` on the command line and of any setting that chooses a
    threshold: a preset of :data:`THRESHOLDS` (``dgfip``, ``casd``...), or a whole number of
    at least 1. Nothing (None or an empty text) is :data:`DEFAULT_THRESHOLD`.

    Example:
        >>> parse_threshold(None), parse_threshold("casd"), parse_threshold("20")
        (11, 11, 20)

    Raises:
        FormatError: the text is neither a preset nor a whole number of at least 1.

    .. versionadded:: 0.1
    """
    if text is None or text == "":
        return DEFAULT_THRESHOLD
    number = text
    if isinstance(text, str):
        value = text.strip()
        if value in THRESHOLDS:
            return THRESHOLDS[value]
        if value.isascii() and value.isdigit() and len(value) <= _MAX_THRESHOLD_DIGITS:
            number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
        return number
    raise FormatError(
        f"threshold {text!r}: give a whole number of persons (at least 1) or a preset "
        f"({', '.join(THRESHOLDS)})"
    )


class CellStatus(LabelledEnum):
    """Whether a cell is published, and why not.

    The engine tells primary from secondary suppression (for audits and tests); a published
    output never does, since the difference is itself a leak: a primary cell holds 1 to
    threshold − 1 persons, a secondary one 0 or at least the threshold, which narrows what an
    attacker must consider. Every output shows both as :attr:`SUPPRESSED` ("secret
    statistique"), through :attr:`published`.

    .. versionadded:: 0.1
    """

    PUBLISHED = ("published", "diffusé", "published")
    SUPPRESSED = (
        "suppressed",
        "secret statistique",
        "suppressed (statistical confidentiality)",
    )
    PRIMARY = (
        "primary",
        "secret primaire : moins de personnes que le seuil",
        "suppressed: fewer persons than the threshold",
    )
    SECONDARY = (
        "secondary",
        "secret secondaire : permettrait de recalculer une case masquée",
        "suppressed: would let a suppressed cell be recomputed",
    )
    UNDEFINED = ("undefined", "non défini (division par zéro)", "undefined (division by zero)")

    @property
    def suppressed(self) -> bool:
        """Whether the cell's value is withheld (primary, secondary, or as published)."""
        return self in _WITHHELD

    @property
    def published(self) -> CellStatus:
        """The status as an output shows it, primary and secondary both :attr:`SUPPRESSED`.

        Example:
            >>> CellStatus.PRIMARY.published.label_fr, CellStatus.UNDEFINED.published.value
            ('secret statistique', 'undefined')
        """
        return CellStatus.SUPPRESSED if self in _WITHHELD else self


_WITHHELD = frozenset({CellStatus.SUPPRESSED, CellStatus.PRIMARY, CellStatus.SECONDARY})


def _check_counts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in value
    ):
        raise InvalidValueError(
            attribute.name, value, "a tuple of whole numbers of persons, zero or more"
        )


@attrs.frozen
class Cell:
    """A cell of a table, as disclosure control sees it: the persons behind its value.

    Attributes:
        counts: The additive counts of persons behind the value: ``(n,)`` for a number of
            persons, ``(numerator, denominator)`` for a share of persons, ``()`` when the
            value counts no persons (euros, numbers of actions), which is never suppressed.
        defined: False when the value is undefined (a ratio over zero).

    Raises:
        InvalidValueError: a count is not a whole number of zero or more (also a
            :class:`ValueError`).

    .. versionadded:: 0.1
    """

    counts: tuple[int, ...] = attrs.field(validator=_check_counts)
    defined: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))


@attrs.frozen
class Group:
    """A total and the parts that add up to it (exactly, or approximately for distinct counts).

    Attributes:
        parent: The key of the total.
        children: The keys of the parts, in the order that breaks ties between them.

    .. versionadded:: 0.1
    """

    parent: Hashable
    children: tuple[Hashable, ...] = attrs.field(validator=attrs.validators.instance_of(tuple))


def protect(
    cells: Mapping[K, Cell],
    groups: Iterable[Group],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    follows: Iterable[tuple[K, K]] = (),
    forced: Iterable[K] = (),
) -> dict[K, CellStatus]:
    """Return the status of every cell: published, undefined, or suppressed and why.

    See the module documentation for the rules and the choices they make.

    Args:
        cells: The cells by key; their order fixes the order in which groups are repaired.
        groups: The groups of cells that add up, in any order. A group without children
            constrains nothing; a group whose cells all count no persons is left out.
        threshold: The smallest number of persons a published count may have (see
            :data:`THRESHOLDS`).
        follows: Pairs ``(cell, leader)``: ``cell`` is suppressed whenever ``leader`` is.
        forced: Cells to suppress whatever their counts (secondary, unless sensitive): a
            cell hidden in an earlier release, a revision withheld, a complement chosen by
            the audit of linked tables. They are suppressed before the sensitive cells, and
            their groups are repaired like any other.

    Returns:
        The status of every cell, in the order of ``cells``.

    Raises:
        InvalidValueError: (a :class:`ValueError`) ``threshold`` is not a whole number of at
            least 1; or a group names a key that is not among the cells, repeats a child,
            has its parent among its children, mixes cells that count persons with cells
            that do not, or mixes cells with different numbers of counts; or ``follows`` or
            ``forced`` names a key that is not among the cells.

    .. versionadded:: 0.1
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise InvalidValueError("threshold", threshold, "a whole number of at least 1")
    keys = list(cells)
    position = {key: index for index, key in enumerate(keys)}
    counts = [cell.counts for cell in cells.values()]
    with paused_gc():
        equations = _equations(groups, position, counts)
        partners: dict[int, list[int]] = {}
        for number, pair in enumerate(follows):
            for key in pair:
                if key not in position:
                    raise InvalidValueError(
                        f"follows[{number}]", key, "keys of cells (this one is not among the cells)"
                    )
            follower, leader = pair
            partners.setdefault(position[leader], []).append(position[follower])
        first = []
        for key in forced:
            if key not in position:
                raise InvalidValueError(
                    "forced", key, "keys of cells (this one is not among the cells)"
                )
            first.append(position[key])
        suppressed, primary = _suppress(equations, counts, threshold, partners, sorted(first))
        statuses: dict[K, CellStatus] = {}
        for key, cell, hidden, sensitive in zip(
            keys, cells.values(), suppressed, primary, strict=True
        ):
            if hidden:
                statuses[key] = CellStatus.PRIMARY if sensitive else CellStatus.SECONDARY
            elif not cell.defined:
                statuses[key] = CellStatus.UNDEFINED
            else:
                statuses[key] = CellStatus.PUBLISHED
    return statuses


def _equations(
    groups: Iterable[Group], position: Mapping[Any, int], counts: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """Check the groups; return them as (parent, *children) positions, sorted, without repeats.

    Sorting by positions in ``cells`` makes the repair order independent of ``groups`` order.
    """
    arity = [len(cell_counts) for cell_counts in counts]
    equations: set[tuple[int, ...]] = set()
    for number, group in enumerate(groups):
        try:
            equation = (position[group.parent], *map(position.__getitem__, group.children))
        except KeyError:
            _refuse(number, group, position, arity)
        if len(equation) == 1:
            continue  # no parts: nothing to recompute
        if len(set(equation)) != len(equation) or len(set(map(arity.__getitem__, equation))) > 1:
            _refuse(number, group, position, arity)
        if arity[equation[0]]:
            equations.add(equation)
    return sorted(equations)


def _refuse(number: int, group: Group, position: Mapping[Any, int], arity: list[int]) -> NoReturn:
    """Raise the error that says what is wrong with a group."""
    where = f"groups[{number}]"
    if group.parent not in position:
        raise InvalidValueError(
            f"{where}.parent", group.parent, "the key of a cell (it is not among the cells)"
        )
    for child in group.children:
        if child not in position:
            raise InvalidValueError(
                f"{where}.children", child, "keys of cells (this one is not among the cells)"
            )
    for child in group.children:
        if group.children.count(child) > 1:
            raise InvalidValueError(f"{where}.children", child, "each child once")
    if group.parent in group.children:
        raise InvalidValueError(
            f"{where}.children", group.parent, "parts of the total, not the total itself"
        )
    arities = sorted({arity[position[key]] for key in (group.parent, *group.children)})
    if arities[0] == 0:
        raise InvalidValueError(
            where,
            group.parent,
            "cells that all count persons, or none that does (this group mixes both)",
        )
    raise InvalidValueError(
        where,
        group.parent,
        "cells with the same number of counts (this group mixes "
        + " and ".join(map(str, arities))
        + ")",
    )


def _suppress(
    equations: list[tuple[int, ...]],
    counts: list[tuple[int, ...]],
    threshold: int,
    partners: Mapping[int, list[int]],
    forced: Iterable[int] = (),
) -> tuple[bytearray, bytearray]:
    """Return which cells are suppressed, and which of them are sensitive, by position."""
    # A cell's level is its smallest non-zero count: it is sensitive at any threshold above.
    by_level: dict[int, list[int]] = {}
    primary = bytearray(len(counts))
    for index, cell_counts in enumerate(counts):
        if len(cell_counts) == 1:
            level = cell_counts[0]
        else:
            level = min([count for count in cell_counts if count], default=0)
        if 0 < level < threshold:
            by_level.setdefault(level, []).append(index)
            primary[index] = 1

    member_of: list[list[int]] = [[] for _ in counts]
    for number, equation in enumerate(equations):
        for index in equation:
            member_of[index].append(number)
    hidden = [0] * len(equations)  # suppressed cells in each equation
    suppressed = bytearray(len(counts))
    queue: list[int] = []  # equations that reached one suppressed cell, by number

    def suppress(index: int) -> None:
        pending = [index]
        while pending:
            current = pending.pop()
            if suppressed[current]:
                continue
            suppressed[current] = 1
            for number in member_of[current]:
                hidden[number] += 1
                if hidden[number] == 1:
                    heapq.heappush(queue, number)
            pending.extend(partners.get(current, ()))

    def repair() -> None:
        while queue:
            number = heapq.heappop(queue)
            if hidden[number] == 1:
                suppress(_complement(equations[number], suppressed, counts))

    for index in forced:
        suppress(index)
    repair()
    for level in sorted(by_level):
        for index in by_level[level]:
            if not suppressed[index]:
                suppress(index)
        repair()
    return suppressed, primary


def _complement(
    equation: tuple[int, ...], suppressed: bytearray, counts: list[tuple[int, ...]]
) -> int:
    """The cell to suppress in an equation that has exactly one suppressed cell."""
    parent, children = equation[0], equation[1:]
    if suppressed[parent]:
        # Every child is published: the parent would be their sum. A child with a zero count
        # only as a last resort (see the module documentation).
        return min(children, key=lambda index: (counts[index].count(0), counts[index]))
    candidates = [index for index in children if not suppressed[index] and 0 not in counts[index]]
    if not candidates:
        return parent
    return min(candidates, key=counts.__getitem__)


# -- the auditor --------------------------------------------------------------------------------


class Exposure(LabelledEnum):
    """Why a suppressed cell is not protected: what an attacker can tell about it.

    The exposure rule (see :func:`audit`): a suppressed cell is exposed when one of its counts
    is known exactly, or known to lie between 1 and the threshold minus one, the very fact
    that primary secrecy hides.

    .. versionadded:: 0.2
    """

    EXACT = ("exact", "recalculable exactement", "recovered exactly")
    SMALL = (
        "small",
        "connue pour compter entre 1 personne et le seuil moins une",
        "known to count between 1 person and the threshold minus one",
    )
    PUBLISHED = ("published", "publiée dans une autre table", "published in another table")
    UNSETTLED = (
        "unsettled",
        "non tranchée dans la limite de calcul : tenue pour exposée",
        "not settled within the solver's work limit: taken as exposed",
    )


@attrs.frozen(kw_only=True)
class CountInterval:
    """What an attacker can tell about one count of persons behind a suppressed cell.

    Attributes:
        count: Which count: ``persons`` (a number of persons, or the persons a rate per
            10,000 counts), or the ``numerator`` or ``denominator`` of a share.
        low: The smallest value the count can take given everything published.
        high: The largest, None when nothing published bounds it.
        exact: Whether ``low`` and ``high`` are the attacker's exact minimum and maximum.
            When not (and not ``witnessed``), the integer programme was not solved to the
            end and the interval contains the exact one.
        witnessed: True when the audit, asked only whether the cell is protected, found
            whole-number solutions consistent with everything published that give the count
            the values ``low`` and ``high``: the attacker cannot narrow it further (the
            exact interval contains this one).

    .. versionadded:: 0.2
    """

    count: str
    low: int
    high: int | None
    exact: bool = True
    witnessed: bool = False

    def __str__(self) -> str:
        return f"[{self.low}, {'∞' if self.high is None else self.high}]"


@attrs.frozen(kw_only=True)
class CellAudit:
    """A suppressed cell, and what the published tables let an attacker tell about it.

    Attributes:
        indicator: Name of the indicator.
        level: ``action``, ``contract``, ``territory`` or ``national``.
        territory: Reference of the territory (``FR`` at national level).
        contract: Id of the contract, at action and contract level.
        action: Id of the action, at action level.
        period: The period of the value.
        dimension: The dimension of a breakdown, or None for the total.
        category: The category of that dimension, None for the total.
        status: The status the tables give it (``primary``, ``secondary``, ``suppressed``).
        tables: The names of the tables that suppress it.
        counts: The interval of each of its counts.
        exposures: Why it is exposed (empty when it is protected).
        sources: The relations and tables that expose it (empty when it is protected).
        cautious: True when the equalities the attacker would assume contradicted the
            published values around this cell, so only the inequalities that always hold
            were used for it.

    .. versionadded:: 0.2
    """

    indicator: str
    level: str
    territory: str
    contract: str | None
    action: str | None
    period: Period
    dimension: str | None
    category: str | None
    status: str
    tables: tuple[str, ...]
    counts: tuple[CountInterval, ...]
    exposures: tuple[Exposure, ...] = ()
    sources: tuple[str, ...] = ()
    cautious: bool = False

    @property
    def exposed(self) -> bool:
        """Whether the cell is exposed (see :class:`Exposure`)."""
        return bool(self.exposures)

    @property
    def label(self) -> str:
        """Name the cell in a few words, as ``beneficiaries action a1 sex=female 2022-S1``."""
        from territoires._attack import cell_label

        return cell_label(
            (
                self.indicator,
                self.level,
                self._entity,
                self.dimension,
                self.category,
                self.period.start,
                self.period.end,
            )
        )

    @property
    def _entity(self) -> str:
        if self.level == "action" and self.action is not None:
            return self.action
        if self.level == "contract" and self.contract is not None:
            return self.contract
        return self.territory

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping."""
        return {
            "indicator": self.indicator,
            "level": self.level,
            "territory": self.territory,
            "contract": self.contract,
            "action": self.action,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat() if self.period.end else None,
            "dimension": self.dimension,
            "category": self.category,
            "status": self.status,
            "tables": list(self.tables),
            "counts": [
                {
                    "count": c.count,
                    "low": c.low,
                    "high": c.high,
                    "exact": c.exact,
                    "witnessed": c.witnessed,
                }
                for c in self.counts
            ],
            "exposed": self.exposed,
            "exposures": [exposure.value for exposure in self.exposures],
            "sources": list(self.sources),
            "cautious": self.cautious,
        }


@attrs.frozen(kw_only=True)
class AuditReport:
    """What an audit found: every suppressed cell with its interval, and the exposed ones.

    Attributes:
        tables: The names of the tables audited together.
        threshold: The threshold the exposure rule was applied with.
        cells: How many distinct cells the tables hold.
        hidden: Every suppressed cell, in the order first met in the tables.
        solver: The solver and its version (``HiGHS 1.16.0``).
        labels: Whether the attacker was assumed to read primary and secondary labels.
        equalities: How the equalities between a whole and its parts were used: True
            asserted, None assumed unless contradicted, False left out (see :func:`audit`).
        releases: The releases of the publication ledger checked against, each as its name
            and the fingerprint of the data it was computed from.
        withheld: The cells the protection suppressed beyond the rules of one table, each
            as its label, the reason (``hidden_before``, ``revision``, ``linked``) and what
            it protects or which release it follows.
        states: The names of the tables audited together, one tuple per data state, newest
            first (several when an earlier table was revised; see :func:`audit`).

    .. versionadded:: 0.2
    """

    tables: tuple[str, ...]
    threshold: int
    cells: int
    hidden: tuple[CellAudit, ...]
    solver: str
    labels: bool = False
    equalities: bool | None = None
    releases: tuple[tuple[str, str], ...] = ()
    withheld: tuple[tuple[str, str, str], ...] = ()
    states: tuple[tuple[str, ...], ...] = ()

    @property
    def exposed(self) -> tuple[CellAudit, ...]:
        """The exposed cells."""
        return tuple(cell for cell in self.hidden if cell.exposed)

    @property
    def protected(self) -> bool:
        """Whether every suppressed cell is protected."""
        return not self.exposed

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping (the ``territoires audit --format json`` document)."""
        return {
            "tables": list(self.tables),
            "threshold": self.threshold,
            "cells": self.cells,
            "suppressed": len(self.hidden),
            "exposed": len(self.exposed),
            "protected": self.protected,
            "solver": self.solver,
            "labels": self.labels,
            "equalities": self.equalities,
            "releases": [
                {"release": name, "fingerprint": fingerprint} for name, fingerprint in self.releases
            ],
            "withheld": [
                {"cell": cell, "reason": reason, "detail": detail}
                for cell, reason, detail in self.withheld
            ],
            "states": [list(state) for state in self.states],
            "hidden": [cell.to_dict() for cell in self.hidden],
        }


def audit(
    tables: Iterable[Any] | Mapping[str, Any],
    *,
    threshold: int | None = None,
    indicators: Mapping[str, Indicator] | None = None,
    plugins: PluginManager | None = None,
    geography: Gazetteer | None = None,
    labels: bool = False,
    equalities: bool | None = None,
    earlier: Iterable[tuple[str, Any]] = (),
    exact: bool = False,
) -> AuditReport:
    """Check that no suppressed cell of published tables can be recovered from them together.

    Builds the linear system an attacker holding every table can write (breakdowns and
    totals, the levels action → contract → territory → national, periods that partition
    another, shares and the counts they are made of, rates per 10,000 and the population;
    see the page on disclosure control for what exactly is assumed) and computes, for each
    count behind each suppressed cell, its feasible interval: the smallest and largest whole
    number of persons consistent with everything published, with HiGHS.

    The exposure rule: a suppressed cell is **exposed** when one of its counts is known
    exactly (an interval of a single value), or known to lie between 1 and the threshold
    minus one (an interval inside ``[1, threshold − 1]``), which is what primary secrecy
    hides; or when another table publishes it. A share's denominator known exactly does not
    expose it (it is most often a published total); known to be small, it does.

    Tables published before (``earlier``: a ledger's releases, oldest first) are audited
    with ``tables`` as long as they agree with them. A revision makes two **data states**:
    ``tables`` are the newest, and hold the figures in force; an earlier table publishing a
    cell with another value than a newer one was computed from an older state of the data,
    in which the relations between cells held for the old figures, not for the new ones.
    So the tables are split into states, newest first: each earlier table, newest first,
    joins the newest state it agrees with (no cell published with two values), or starts
    an older state. Each state is audited on its own and :attr:`AuditReport.states` lists
    them. What is not audited: how an earlier state and a newer one relate (the difference
    between a revised figure and the one it replaced tells how many persons the revision
    added; keeping that difference safe is the protector's job, with the ledger).

    Args:
        tables: The tables (:class:`~territoires.indicators.IndicatorTable`, or anything
            with ``rows`` and ``threshold`` alike), by name in a mapping or numbered
            ``table 1``, ``table 2``... in an iterable. They must agree with each other.
        threshold: The threshold of the rule; by default the largest of the tables'.
        indicators: The indicators' definitions by name; by default those the tables carry,
            then the registry of ``plugins``. An indicator defined nowhere is audited under
            conservative assumptions (see the page on disclosure control).
        plugins: The plugin manager whose registry defines the indicators; the default one.
        geography: Where the populations of rates per 10,000 come from; None (the default)
            is the official geography.
        labels: Assume the attacker reads the "primary" and "secondary" labels: a primary
            cell holds between 1 and the threshold minus one persons, a secondary one none or
            at least the threshold.
        equalities: How to use "the whole is the sum of its parts" where it is not certain
            (distinct counts, sums over time, tables perhaps restricted): None (the default)
            assumes it unless published values contradict it; True asserts it; False uses
            only the inequalities that always hold.
        earlier: ``(name, table)`` pairs published before ``tables``, oldest first (see
            above). Their threshold counts in the default threshold.
        exact: Compute every interval exactly (the integer programme solved wherever the
            relaxation's bound is not attained), which takes longer. By default only what
            the exposure rule needs is computed: the verdicts are the same, but the interval
            of a protected cell may be one its values span, or a bound around them
            (:attr:`CountInterval.exact` false).

    Returns:
        The report: every suppressed cell with its intervals, the exposed ones with why and
        the relations that expose them.

    Raises:
        InvalidValueError: a cell is published with two values in ``tables`` (a revision:
            give what was published before as ``earlier``), or ``threshold`` is not a whole
            number of at least 1.
        InconsistentError: (also a :class:`ValueError`) the published values contradict a
            relation that always holds: the tables do not describe one dataset.

    Example:
        >>> import territoires
        >>> from territoires.indicators import compute_indicators
        >>> from territoires.plugins import get_plugin_manager
        >>> plugins = get_plugin_manager(autoload=False)
        >>> table = compute_indicators(territoires.demo.build(participations=300),
        ...                            period="2021", level="national", plugins=plugins)
        >>> report = audit([table], plugins=plugins)
        >>> report.solver.startswith("HiGHS"), report.cells == len(table)
        (True, True)

    .. versionadded:: 0.2
    .. versionchanged:: 0.2
       ``earlier`` (tables published before, revisions as older data states) and ``exact``.
    """
    from territoires import _attack, _audit

    named = (
        list(tables.items())
        if isinstance(tables, Mapping)
        else [(f"table {number}", table) for number, table in enumerate(tables, start=1)]
    )
    before = list(earlier)
    everything = [*named, *before]
    if threshold is None:
        threshold = max(
            (int(table.threshold) for _, table in everything), default=DEFAULT_THRESHOLD
        )
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise InvalidValueError("threshold", threshold, "a whole number of at least 1")
    definitions = _definitions(everything, indicators, plugins)
    if geography is None:
        from territoires.geo import get_geography

        geography = get_geography()
    states = _states(named, before)
    found: dict[Any, CellAudit] = {}
    for state in states:
        attacker = _attack.attack(
            state,
            definitions,
            threshold=threshold,
            labels=labels,
            equalities=equalities,
            geography=geography,
        )
        for hidden, cell in zip(
            attacker.hidden, _audit_cells(attacker, threshold, exact=exact), strict=True
        ):
            # A cell hidden in several states: the newest state that exposes it says why.
            if hidden.cell not in found or (cell.exposed and not found[hidden.cell].exposed):
                found[hidden.cell] = cell
    cells = {key for _, table in everything for row in table.rows if (key := _attack.cell_id(row))}
    return AuditReport(
        tables=tuple(name for name, _ in everything),
        threshold=threshold,
        cells=len(cells),
        hidden=tuple(found.values()),
        solver=_audit.solver_version(),
        labels=labels,
        equalities=equalities,
        states=tuple(tuple(name for name, _ in state) for state in states),
    )


def _states(
    named: list[tuple[str, Any]], earlier: list[tuple[str, Any]]
) -> list[list[tuple[str, Any]]]:
    """Split the tables into data states, newest first (see :func:`audit`).

    ``named`` are the newest state; each earlier table, newest first, joins the newest
    state whose published values it agrees with, or starts an older one.
    """
    from territoires import _attack

    states: list[list[tuple[str, Any]]] = [list(named)]
    values: list[dict[Any, tuple[Decimal | None, str]]] = [{}]
    for _, table in named:
        values[0].update(_attack.published_values(table))
    for name, table in reversed(earlier):
        published = _attack.published_values(table)
        number = next(
            (
                number
                for number, known in enumerate(values)
                if all(known.get(cell, value) == value for cell, value in published.items())
            ),
            len(states),
        )
        if number == len(states):
            states.append([])
            values.append({})
        states[number].append((name, table))
        values[number].update(published)
    for state in states[1:]:
        state.reverse()  # oldest first within a state, as published
    if named:
        # The newest state: the tables published before, oldest first, then the new ones.
        states[0] = states[0][len(named) :][::-1] + states[0][: len(named)]
    else:
        states[0].reverse()
    return states


def _audit_cells(attacker: Any, threshold: int, *, exact: bool) -> list[CellAudit]:
    """Solve the attacker's system; every hidden cell with its intervals and exposures."""
    system = attacker.system
    variables = [
        quantity
        for hidden in attacker.hidden
        if not hidden.published_in
        for _, quantity in hidden.parts
        if quantity in system
    ]
    loose = [
        quantity
        for hidden in attacker.hidden
        for part, quantity in hidden.parts
        if part == "denominator" and quantity in system
    ]
    intervals = system.intervals(
        variables, threshold=None if exact else threshold, loose=() if exact else loose
    )
    return _cell_audits(attacker, intervals, threshold)


def _cell_audits(
    attacker: Attack,
    intervals: Mapping[Any, Interval],
    threshold: int,
    skip: set[Any] | None = None,
) -> list[CellAudit]:
    """Every hidden cell but those of ``skip``, with its intervals and exposures."""
    from territoires import _audit
    from territoires._attack import exposure

    system = attacker.system
    cells = []
    for hidden in attacker.hidden:
        if hidden.cell in (skip or ()):
            continue
        counts = []
        cautious = False
        found_by_part: dict[Any, Interval] = {}
        for part, quantity in hidden.parts:
            if quantity in intervals:
                found = intervals[quantity]
            else:
                # A count published elsewhere (a rate's persons): known exactly.
                value = int(quantity) if not isinstance(quantity, tuple) else 0
                found = _audit.Interval(low=value, high=value)
            found_by_part[quantity] = found
            cautious = cautious or found.cautious
            counts.append(
                CountInterval(
                    count=part,
                    low=found.low,
                    high=found.high,
                    exact=found.exact,
                    witnessed=found.witnessed,
                )
            )
        reasons: set[Exposure] = {Exposure.PUBLISHED} if hidden.published_in else set()
        for part, quantity in hidden.parts:
            found = found_by_part[quantity]
            why = exposure(part, found, hidden.parts, found_by_part, threshold)
            if why is not None:
                reasons.add(Exposure.from_value(why))
            if why == "small" and found.single and not found.witnessed:
                reasons.add(Exposure.EXACT)  # both: recovered, and small
        order = (Exposure.PUBLISHED, Exposure.UNSETTLED, Exposure.EXACT, Exposure.SMALL)
        exposures = [reason for reason in order if reason in reasons]
        sources: list[str] = []
        if exposures:
            sources += [f"published in {name}" for name in hidden.published_in]
            for _, quantity in hidden.parts:
                if quantity in intervals:
                    sources += system.explain(quantity)
        indicator, level, _, dimension, category, start, end = hidden.cell
        cells.append(
            CellAudit(
                indicator=indicator,
                level=level,
                territory=hidden.territory,
                contract=hidden.contract,
                action=hidden.action,
                period=Period(start, end),
                dimension=dimension,
                category=category,
                status=hidden.status,
                tables=hidden.tables,
                counts=tuple(counts),
                exposures=tuple(exposures),
                sources=tuple(dict.fromkeys(sources)),
                cautious=cautious,
            )
        )
    return cells


def _report(
    attacker: Attack,
    intervals: Mapping[Any, Interval],
    *,
    tables: tuple[str, ...],
    threshold: int,
    skip: Iterable[Any] = (),
    releases: tuple[tuple[str, str], ...] = (),
    withheld: tuple[tuple[str, str, str], ...] = (),
) -> AuditReport:
    """The report of the protector's last audit (see :mod:`territoires._linked`).

    ``skip``: cells the protector published after all (their values were known).
    """
    from territoires import _audit

    left_out = set(skip)
    return AuditReport(
        tables=tables,
        threshold=threshold,
        cells=attacker.cells,
        hidden=tuple(_cell_audits(attacker, intervals, threshold, left_out)),
        solver=_audit.solver_version(),
        releases=releases,
        withheld=withheld,
    )


def _definitions(
    named: list[tuple[str, Any]],
    indicators: Mapping[str, Indicator] | None,
    plugins: PluginManager | None,
) -> dict[str, Indicator]:
    """The definitions of the indicators the tables hold: given, carried, or registered."""
    found: dict[str, Indicator] = {}
    for _, table in named:
        found.update(getattr(table, "indicators", None) or {})
    if indicators is not None:
        found.update(indicators)
    names = {row.indicator for _, table in named for row in table.rows}
    if names - set(found):
        if plugins is None:
            from territoires.plugins import default_plugin_manager

            plugins = default_plugin_manager()
        registry = plugins.indicators
        for name in sorted(names - set(found)):
            if name in registry:
                found[name] = registry[name]
        # Linked indicators (a share's base, a rate's count) define how their cells relate.
        for definition in list(found.values()):
            share = definition.share_of
            for other in (share.indicator if share else None, definition.counts_as):
                if other is not None and other not in found and other in registry:
                    found[other] = registry[other]
    return found
