"""The attacker's programme: how far each hidden count can be pinned down from what is known.

A :class:`System` holds the hidden counts of persons as variables (whole numbers, zero or
more, each with a key) and what an attacker knows about them as linear constraints with
rational coefficients (published values are already substituted as constants by whoever
builds the system). :meth:`System.intervals` returns, for every variable, the smallest and
the largest value it can take under all the constraints at once: its feasible interval. This
is the audit that sdcTable's ``attack()`` and τ-Argus run on a suppression pattern; the
interval is exact (the integer minimum and maximum), not just a bound.

How it is computed:

* The variables are split into **connected components** (two variables are connected when a
  constraint names both); each component is solved on its own, so a national table with
  hundreds of suppressed cells becomes many small programmes.
* Each component's model is built once and handed to HiGHS; only the objective changes
  between solves (minimise, then maximise each variable), so each solve restarts from the
  last basis.
* The **linear relaxation** gives bounds that are valid for whole numbers once rounded inward
  (ceiling of the minimum, floor of the maximum). When the optimal vertex is itself made of
  whole numbers (checked exactly, in rationals), that bound is attained by an integer point:
  it is the integer optimum. Only otherwise is the **mixed-integer programme** solved, for
  that variable and direction. If it does not finish within its time limit, the rounded
  relaxation bound is kept and the interval is marked inexact: still sound (it contains every
  value the attacker cannot rule out), perhaps wider than the attacker's true knowledge.
* With a threshold (a **verdict**, what a protector asks), whole-number solutions are
  looked for first, since two of them showing a count at two values, one of them zero or
  at least the threshold, prove it protected without any optimum: over the whole component
  (the sweeps), then near the true counts when the caller knows them (a small programme
  per count, every count beyond a few relations from it fixed at its true value). Only the
  counts no solution tells are optimised.
* An **exclusion** (:meth:`System.exclude`: the variable is at most ``low`` or at least
  ``high``, as a published "secondary" label says of a count: 0 or at least the threshold) is
  a disjunction: a binary variable and a big-M taken from the variable's own maximum without
  the exclusion. A variable with no finite maximum keeps no exclusion (the attacker then
  knows less than the label says; never more).
* Constraints may be **assumptions** (``when="assumed"``: an equality the attacker guesses,
  such as a distinct count equal to the sum of its parts) paired with **cautious** ones
  (``when="cautious"``: the inequalities that always hold). A component is solved with the
  assumptions; if they contradict each other or the facts, it is solved again with the
  cautious constraints instead, and the intervals say so. A component that contradicts even
  its facts raises :class:`Inconsistent`.

Everything is deterministic: variables, constraints and components are taken in the order
they were added, never in the order of a set or a hash.

This module imports nothing else of territoires but the error hierarchy; HiGHS (``highspy``)
is imported on the first solve.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs

from territoires.exceptions import InconsistentError

if TYPE_CHECKING:
    import highspy

__all__ = [
    "SOLVER",
    "Constraint",
    "Inconsistent",
    "Interval",
    "Rational",
    "System",
    "solver_version",
]

Key = Hashable
Rational = int | Fraction | Decimal
Sense = Literal["==", "<=", ">="]
When = Literal["always", "assumed", "cautious"]

SOLVER: Final = "HiGHS"
"""The solver's name, as an audit report cites it."""

MILP_NODES: Final = 500
"""Branch-and-bound nodes a mixed-integer solve may explore: a limit of work, not of time, so
that the same system gives the same intervals on every machine."""

SWEEPS: Final = 4
"""Rounds of the search for whole-number solutions that tell many targets at once."""

SWEEP_PROGRESS: Final = 0.2
"""The search goes on while each round shows at least this fraction of the rest protected."""

SWEEP_GAP: Final = 0.25
"""In that search, a solution within this relative gap of the optimum is good enough."""

SWEEP_CAP: Final = 4
"""In that search, every count is capped at this many times the threshold (see
:meth:`_Model._sweep`)."""

NEIGHBOURHOOD_NODES: Final = 50
"""Branch-and-bound nodes of the search for a whole-number solution near the true counts
(see :meth:`_Model._near`)."""

NEIGHBOURHOODS: Final = (2, 4)
"""How far from a target, in relations, the counts left free by that search reach: first two
relations, then, for the targets still untold, four."""

LARGE_COUNT: Final = 10_000
"""A component whose largest true count is at least this is searched near its true counts
only (see :meth:`_Model.intervals`): neither the sweeps nor the integer programme of each
count the search leaves untold. Over such counts each of their programmes takes seconds and
tells nothing more: on the 1,000,000-row demo the sweeps took 41 s of a 45 s audit and found
what the search near the true counts finds in 4 s, and the 247 programmes of the counts that
search left untold in the second semester's audit took 450 s and all ended at their node
limit, unsettled. Those counts are taken as exposed and protected by one more suppression."""

SWEEP_NODES: Final = 50
"""Branch-and-bound nodes of each solve of the sweeps (see :meth:`_Model._sweep`): they look
for good solutions, not for proofs."""

MILP_TIME_LIMIT: Final = 60.0
"""Seconds a mixed-integer solve may take, a safety net far above what the node limit allows."""

_TOLERANCE: Final = 1e-6  # HiGHS's feasibility tolerance is 1e-7: whole numbers within this


Inconsistent = InconsistentError
"""What is known contradicts itself: :class:`~territoires.exceptions.InconsistentError`."""


def _fraction(value: Rational) -> Fraction:
    if type(value) is int:  # the common case, kept whole: a Fraction costs ten times more
        return value  # type: ignore[return-value]  # an int is a rational with denominator 1
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal):
        raise TypeError(f"a coefficient or bound must be rational, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"a coefficient or bound must be finite, got {value}")
    return Fraction(value)


@attrs.frozen
class Constraint:
    """A linear constraint on hidden counts: ``sum(coefficient * variable) <sense> bound``.

    Attributes:
        terms: The (variable key, coefficient) pairs, in the order given; no zero coefficient.
        sense: ``==``, ``<=`` or ``>=``.
        bound: The constant on the right.
        source: What the constraint encodes (a table, a relation), to explain an exposure.
        when: ``always`` (a fact), ``assumed`` (used unless the component contradicts the
            assumptions) or ``cautious`` (used only then).
    """

    terms: tuple[tuple[Key, Fraction], ...]
    sense: Sense
    bound: Fraction | int
    source: str
    when: When = "always"

    def holds(self, values: Mapping[Key, int]) -> bool:
        """Whether whole-number ``values`` satisfy the constraint, computed exactly."""
        total = sum((coefficient * values[key] for key, coefficient in self.terms), Fraction(0))
        if self.sense == "==":
            return total == self.bound
        if self.sense == "<=":
            return total <= self.bound
        return total >= self.bound


@attrs.frozen
class Interval:
    """The values a hidden count can take, as far as the attacker can tell.

    ``low`` and ``high`` are sound unless ``witnessed``: no whole-number solution lies outside
    them. They are the attacker's exact minimum and maximum when ``exact`` is true.

    Attributes:
        low: No solution is below it.
        high: No solution is above it; None when nothing bounds it.
        exact: Whether both bounds are attained by whole-number solutions.
        settled: False when, asked only for a verdict (:meth:`System.intervals` with a
            threshold), the solver's work limit was reached before it could tell whether
            the count is known exactly or known to lie in ``[1, threshold - 1]``: treat it
            as exposed.
        cautious: True when the component's assumptions contradicted what is known, so it
            was solved with the cautious constraints only.
        witnessed: True when, asked only for a verdict, whole-number solutions showed the
            count protected before any bound was computed: ``low`` and ``high`` are then
            values the count can take (the attacker cannot narrow it further), not bounds
            (the exact interval contains them).
    """

    low: int
    high: int | None
    exact: bool = True
    settled: bool = True
    cautious: bool = False
    witnessed: bool = False

    @property
    def single(self) -> bool:
        """Whether the count is known exactly."""
        return self.high == self.low

    def small(self, threshold: int) -> bool:
        """Whether the count is known to lie between 1 and ``threshold - 1``."""
        return self.low >= 1 and self.high is not None and self.high <= threshold - 1

    def __str__(self) -> str:
        return f"[{self.low}, {'∞' if self.high is None else self.high}]"


@attrs.frozen
class _Exclusion:
    key: Key
    low: int
    high: int
    source: str


class System:
    """Hidden counts and what an attacker knows about them (see the module documentation).

    Example:
        >>> system = System()
        >>> for key in ("S1", "S2"):
        ...     system.variable(key)
        >>> system.constrain({"S1": 1, "S2": 1}, "==", 25, source="2022 = S1 + S2")
        >>> system.constrain({"S2": 1}, "==", 20, source="S2 published")
        >>> {key: str(interval) for key, interval in system.intervals().items()}
        {'S1': '[5, 5]', 'S2': '[20, 20]'}
    """

    def __init__(self) -> None:
        self._bounds: dict[Key, tuple[int, int | None]] = {}
        self._constraints: list[Constraint] = []
        self._exclusions: list[_Exclusion] = []

    def __contains__(self, key: object) -> bool:
        return key in self._bounds

    def __len__(self) -> int:
        return len(self._bounds)

    @property
    def keys(self) -> list[Key]:
        """The variables, in the order they were added."""
        return list(self._bounds)

    @property
    def constraints(self) -> list[Constraint]:
        """The constraints, in the order they were added."""
        return list(self._constraints)

    def variable(self, key: Key, *, low: int = 0, high: int | None = None) -> None:
        """Add a hidden count: a whole number between ``low`` (0 by default) and ``high``.

        Adding a key again narrows its bounds to what both calls allow.

        Raises:
            ValueError: ``low`` is negative or above ``high``.
        """
        if low < 0 or (high is not None and high < low):
            raise ValueError(f"bounds of {key!r}: expected 0 <= low <= high, got {low}, {high}")
        if key in self._bounds:
            old_low, old_high = self._bounds[key]
            low = max(low, old_low)
            high = old_high if high is None else high if old_high is None else min(high, old_high)
        self._bounds[key] = (low, high)

    def constrain(
        self,
        coefficients: Mapping[Key, Rational] | Iterable[tuple[Key, Rational]],
        sense: Sense,
        bound: Rational,
        *,
        source: str,
        when: When = "always",
    ) -> None:
        """Add ``sum(coefficient * variable) <sense> bound``.

        Repeated keys add up; zero coefficients are dropped. A constraint with no variable
        left is checked at once: true, it is dropped; false, :class:`Inconsistent`.

        Raises:
            KeyError: a key is not a variable of the system.
            ValueError: ``sense`` or ``when`` is not one of theirs.
            Inconsistent: the constraint names no variable and does not hold.
        """
        if sense not in ("==", "<=", ">="):
            raise ValueError(f"sense must be ==, <= or >=, got {sense!r}")
        if when not in ("always", "assumed", "cautious"):
            raise ValueError(f"when must be always, assumed or cautious, got {when!r}")
        items = coefficients.items() if isinstance(coefficients, Mapping) else coefficients
        summed: dict[Key, Fraction] = {}
        for key, coefficient in items:
            if key not in self._bounds:
                raise KeyError(f"{key!r} is not a variable of the system")
            summed[key] = summed.get(key, 0) + _fraction(coefficient)
        terms = tuple((key, value) for key, value in summed.items() if value)
        limit: Fraction | int = _fraction(bound)
        if terms and all(Fraction(value).denominator == 1 for _, value in terms):
            # Whole coefficients of whole counts make a whole sum: its bound rounds inward
            # (a Chvátal-Gomory cut), so the relaxation's vertices are whole more often.
            if sense == ">=":
                limit = math.ceil(limit)
            elif sense == "<=":
                limit = math.floor(limit)
            elif Fraction(limit).denominator != 1 and when == "always":
                raise Inconsistent([source], [key for key, _ in terms])
        constraint = Constraint(terms, sense, limit, source, when)
        if len(terms) == 1 and when == "always":
            # One count: its whole-number bounds, rounded inward, so that the relaxation's
            # vertices are whole more often. The constraint stays, to explain an exposure.
            (key, coefficient), limit = terms[0], Fraction(constraint.bound) / terms[0][1]
            upward = (sense == ">=") == (coefficient > 0)  # the count is at least the limit
            low, high = self._bounds[key]
            if sense == "==" or upward:
                low = max(low, math.ceil(limit))
            if sense == "==" or not upward:
                floor = math.floor(limit)
                high = floor if high is None else min(high, floor)
            if high is not None and high < low:
                raise Inconsistent([source], [key])
            self._bounds[key] = (low, high)
        if not terms:
            if not constraint.holds({}) and when == "always":
                raise Inconsistent([source], [])
            return
        self._constraints.append(constraint)

    def exclude(self, key: Key, low: int, high: int, *, source: str) -> None:
        """Add that ``key`` is at most ``low`` or at least ``high`` (never strictly between).

        Raises:
            KeyError: ``key`` is not a variable of the system.
            ValueError: ``high`` is not above ``low``.
        """
        if key not in self._bounds:
            raise KeyError(f"{key!r} is not a variable of the system")
        if high <= low:
            raise ValueError(f"exclusion of {key!r}: expected low < high, got {low}, {high}")
        self._exclusions.append(_Exclusion(key, low, high, source))

    def intervals(
        self,
        keys: Iterable[Key] | None = None,
        *,
        threshold: int | None = None,
        loose: Iterable[Key] = (),
        truth: Mapping[Key, int] | None = None,
        cache: dict[Hashable, Any] | None = None,
    ) -> dict[Key, Interval]:
        """Return the feasible interval of each variable of ``keys`` (all by default).

        Args:
            keys: The variables whose intervals to compute, in the order of the result.
            threshold: None (the default) for the exact intervals, the mixed-integer
                programme solved wherever the relaxation's bound is not attained by a
                whole-number solution. A threshold asks only for what the exposure rule needs:
                whether each count is known exactly, and whether it is known to lie in
                ``[1, threshold - 1]``; the mixed-integer programme is then solved only where
                the relaxation and the solutions found so far cannot tell, and the intervals
                are sound but may be wider than the exact ones (``exact`` says which are).
            loose: With a threshold, the counts that may be known exactly as long as they
                are not known to lie in ``[1, threshold - 1]`` (a share's denominator, most
                often a published total).
            truth: The true value of every variable, when the caller knows them (the
                protector does): a solution known in advance, the first witness. With a
                threshold, the search for others then pushes each count away from its
                true value, towards zero or past the threshold.
            cache: Where to keep each component's intervals between calls, by what the
                component is (its bounds, constraints, exclusions, targets and options): a
                component met again unchanged is not solved again (a protector auditing one
                pattern after another changes a few components at a time). It keeps too
                the searches near the true counts that found nothing, by what they searched
                (the target, the counts left free, the values asked for): one met again in
                a changed component, where nothing it searched changed, is not run again.

        Raises:
            KeyError: a key is not a variable of the system.
            Inconsistent: a component has no solution, even with its cautious constraints.
        """
        wanted = self.keys if keys is None else list(dict.fromkeys(keys))
        for key in wanted:
            if key not in self._bounds:
                raise KeyError(f"{key!r} is not a variable of the system")
        found: dict[Key, Interval] = {}
        loose = set(loose)
        failed: set[Hashable] | None = None
        if cache is not None:
            failed = cache.setdefault(_FAILED_NEAR, set())
        for component in self._components(set(wanted)):
            targets = [key for key in component.keys if key in found or key in wanted]
            signature = None
            if cache is not None:
                signature = (
                    tuple(component.bounds.items()),
                    tuple(component.constraints),
                    tuple(component.exclusions),
                    tuple(targets),
                    threshold,
                    frozenset(loose.intersection(component.keys)),
                )
                if signature in cache:
                    found.update(cache[signature])
                    continue
            solved = component.solve(
                targets, threshold=threshold, loose=loose, truth=truth, failed=failed
            )
            if signature is not None and cache is not None:
                cache[signature] = solved
            found.update(solved)
        return {key: found[key] for key in wanted}

    def explain(self, key: Key) -> tuple[str, ...]:
        """Return the sources of the constraints that pin ``key``'s interval, sorted, once each.

        The constraints whose dual value is not zero at the relaxation's minimum or maximum of
        ``key`` (those that stop it from going further), or, when none does (whole numbers,
        the variable's bounds or an exclusion pin it), the constraints that name ``key``;
        plus the exclusions on the variables of its component. Empty when only the
        variable's own bounds pin it and no constraint names it.

        Raises:
            KeyError: ``key`` is not a variable of the system.
        """
        if key not in self._bounds:
            raise KeyError(f"{key!r} is not a variable of the system")
        (component,) = self._components({key})
        return component.explain(key)

    def _components(self, wanted: set[Key]) -> Iterator[_Component]:
        """The connected components holding a wanted key, in the order of their first key."""
        parent: dict[Key, Key] = {key: key for key in self._bounds}

        def root(key: Key) -> Key:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for constraint in self._constraints:
            first = root(constraint.terms[0][0])
            for key, _ in constraint.terms[1:]:
                other = root(key)
                if other != first:
                    parent[other] = first
        members: dict[Key, list[Key]] = {}
        for key in self._bounds:
            members.setdefault(root(key), []).append(key)
        constraints: dict[Key, list[Constraint]] = {}
        for constraint in self._constraints:
            constraints.setdefault(root(constraint.terms[0][0]), []).append(constraint)
        exclusions: dict[Key, list[_Exclusion]] = {}
        for exclusion in self._exclusions:
            exclusions.setdefault(root(exclusion.key), []).append(exclusion)
        for top, keys in members.items():
            if wanted.isdisjoint(keys):
                continue
            yield _Component(
                {key: self._bounds[key] for key in keys},
                constraints.get(top, []),
                exclusions.get(top, []),
            )


class _Component:
    """The variables linked by constraints, solved together; assumed first, cautious if need be."""

    def __init__(
        self,
        bounds: dict[Key, tuple[int, int | None]],
        constraints: list[Constraint],
        exclusions: list[_Exclusion],
    ) -> None:
        self.bounds = bounds
        self.keys = list(bounds)
        self.constraints = constraints
        self.exclusions = exclusions
        self.cautious = False
        self._model: _Model | None = None

    @property
    def model(self) -> _Model:
        """The model of the component: with its assumptions, or cautious if they contradict."""
        if self._model is None:
            model = self._build("cautious" if self.cautious else "assumed")
            if not model.feasible():
                self._give_up_assumptions()
                return self.model
            self._model = model
        return self._model

    @property
    def _assumes(self) -> bool:
        """Whether the model in use holds assumptions it could drop."""
        return not self.cautious and any(c.when != "always" for c in self.constraints)

    def _give_up_assumptions(self) -> None:
        """Solve with the cautious constraints from now on, or raise if already so."""
        if self.cautious or not any(c.when != "always" for c in self.constraints):
            sources = [c.source for c in self.constraints if c.when != "cautious"]
            raise Inconsistent(list(dict.fromkeys(sources)), self.keys)
        self.cautious = True
        self._model = None

    def _build(self, mode: When) -> _Model:
        chosen = [c for c in self.constraints if c.when in ("always", mode)]
        model = _Model(self.bounds, chosen, [])
        if not self.exclusions or not model.feasible():
            return model
        # The big-M of each exclusion is the variable's largest value without exclusions.
        return _Model(self.bounds, chosen, self.exclusions, relaxed=model)

    def solve(
        self,
        targets: list[Key],
        *,
        threshold: int | None,
        loose: set[Key],
        truth: Mapping[Key, int] | None = None,
        failed: set[Hashable] | None = None,
    ) -> dict[Key, Interval]:
        while True:
            model = self.model
            try:
                return {
                    key: attrs.evolve(interval, cautious=self.cautious)
                    for key, interval in model.intervals(
                        targets,
                        threshold=threshold,
                        assumed=self._assumes,
                        loose=loose,
                        truth=truth,
                        failed=failed,
                    ).items()
                }
            except Inconsistent:
                # The relaxation had a solution but no whole-number point does.
                self._give_up_assumptions()

    def explain(self, key: Key) -> tuple[str, ...]:
        model = self.model
        sources = model.binding(key, maximise=False) | model.binding(key, maximise=True)
        if not sources:
            # Nothing binds the relaxation (whole numbers, a label's bounds or an exclusion
            # pin the count): the relations that name the count are what an attacker reads.
            sources = {c.source for c in model.constraints if any(k == key for k, _ in c.terms)}
        # A disjunction has no dual value: every exclusion of the component may take part.
        sources.update(exclusion.source for exclusion in model.exclusions)
        return tuple(sorted(sources))


_QUIET_LOCK = threading.Lock()
_QUIET_DONE = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints its banner on standard output when the first instance of a process is
    created, whatever its options; standard output holds results (a CSV, a JSON document),
    so file descriptor 1 is pointed at the null device while that first instance is made.
    """
    global _QUIET_DONE  # once per process: the banner is printed once
    import highspy

    solver: highspy.Highs

    with _QUIET_LOCK:
        if _QUIET_DONE:
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            solver = _first_highs(highspy)
            _QUIET_DONE = True
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("random_seed", 0)
    solver.setOptionValue("threads", 1)
    return solver


def _first_highs(module: Any) -> highspy.Highs:
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no file descriptor 1 (an embedded interpreter)
        return cast("highspy.Highs", module.Highs())
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        solver = cast("highspy.Highs", module.Highs())
        _flush_c_stdout()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return solver


def _flush_c_stdout() -> None:
    """Flush the C library's standard output (where HiGHS writes), before fd 1 is restored."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # pragma: no cover - no C library to flush
        pass


@functools.cache
def solver_version() -> str:
    """The version of HiGHS, as an audit report cites it (``HiGHS 1.16.0``); asked once."""
    solver = _highs()
    return f"{SOLVER} {solver.versionMajor()}.{solver.versionMinor()}.{solver.versionPatch()}"


def _scaled(constraint: Constraint) -> tuple[list[int], int]:
    """The coefficients and bound of a constraint as whole numbers without common divisor.

    Whole numbers are exact in floating point up to 2**53, so HiGHS sees the constraint
    exactly as given (a rounded share, 0.33325, would not be).
    """
    whole: list[object] = [constraint.bound, *(c for _, c in constraint.terms)]
    if all(type(value) is int for value in whole):
        values = [int(c) for _, c in constraint.terms] + [int(constraint.bound)]
        divisor = math.gcd(*values) or 1
        return [value // divisor for value in values[:-1]], values[-1] // divisor
    denominators = [c.denominator for _, c in constraint.terms] + [constraint.bound.denominator]
    scale = math.lcm(*denominators)
    values = [int(c * scale) for _, c in constraint.terms] + [int(constraint.bound * scale)]
    divisor = math.gcd(*values) or 1
    scaled = [value // divisor for value in values]
    return scaled[:-1], scaled[-1]


class _Model:
    """One component as a HiGHS model: its relaxation, its integer programme, its witnesses.

    A **witness** is a whole-number point satisfying every constraint (checked exactly): a
    vertex of the relaxation that happens to be whole, or a solution of the integer
    programme. For each column the smallest and largest value seen in a witness are kept:
    a relaxation bound equal to one of them is attained, so it is the exact bound.
    """

    def __init__(
        self,
        bounds: dict[Key, tuple[int, int | None]],
        constraints: list[Constraint],
        exclusions: list[_Exclusion],
        relaxed: _Model | None = None,
    ) -> None:
        import highspy
        import numpy as np

        self.bounds = bounds
        self.constraints = constraints
        self.exclusions: list[_Exclusion] = []
        self.column = {key: index for index, key in enumerate(bounds)}
        infinity = highspy.kHighsInf
        lower = [low for low, _ in bounds.values()]
        upper: list[int | None] = [high for _, high in bounds.values()]
        starts, indices, values = [0], [], []
        row_lower: list[int | None] = []
        row_upper: list[int | None] = []
        self.sources: list[str] = []
        for constraint in constraints:
            coefficients, bound = _scaled(constraint)
            indices += [self.column[key] for key, _ in constraint.terms]
            values += coefficients
            starts.append(len(indices))
            row_lower.append(None if constraint.sense == "<=" else bound)
            row_upper.append(None if constraint.sense == ">=" else bound)
            self.sources.append(constraint.source)
        # Each exclusion: a binary b with x >= high * b and x <= low + (M - low) * b.
        for exclusion in exclusions:
            assert relaxed is not None
            largest = relaxed.relaxed(exclusion.key, maximise=True)
            if largest is None or largest <= exclusion.low:
                continue  # unbounded (no big-M), or always at most low: nothing to add
            self.exclusions.append(exclusion)
            binary = len(lower)
            lower.append(0)
            upper.append(1)
            x = self.column[exclusion.key]
            indices += [x, binary, x, binary]
            values += [1, -exclusion.high, 1, exclusion.low - largest]
            starts += [len(indices) - 2, len(indices)]
            row_lower += [0, None]
            row_upper += [None, exclusion.low]
            self.sources += [exclusion.source, exclusion.source]
        self.width = len(lower)
        self.upper = upper
        # The exact check of a witness, in whole numbers (numpy's int64 holds every product).
        self._starts = np.array(starts, dtype=np.int64)
        self._index = np.array(indices, dtype=np.int64)
        self._values = np.array(values, dtype=np.int64)
        self._lower = np.array(lower, dtype=np.int64)
        self._upper = np.array([-1 if u is None else u for u in upper], dtype=np.int64)
        self._upper_set = np.array([u is not None for u in upper])
        self._row_lower = np.array([0 if r is None else r for r in row_lower], dtype=np.int64)
        self._row_lower_set = np.array([r is not None for r in row_lower])
        self._row_upper = np.array([0 if r is None else r for r in row_upper], dtype=np.int64)
        self._row_upper_set = np.array([r is not None for r in row_upper])
        self.seen_low: list[int | None] = [None] * self.width
        self.seen_high: list[int | None] = [None] * self.width

        lp = highspy.HighsLp()
        lp.num_col_ = self.width
        lp.num_row_ = len(row_lower)
        lp.col_cost_ = np.zeros(self.width)
        lp.col_lower_ = np.array(lower, dtype=float)
        lp.col_upper_ = np.array([infinity if u is None else float(u) for u in upper])
        lp.row_lower_ = np.array([-infinity if r is None else float(r) for r in row_lower])
        lp.row_upper_ = np.array([infinity if r is None else float(r) for r in row_upper])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        lp.a_matrix_.num_col_ = self.width
        lp.a_matrix_.num_row_ = len(row_lower)
        self.lp = lp
        self.highs = _highs()
        # Primal simplex: a new objective keeps the last vertex feasible, so each solve goes
        # on from it (a tenth of the iterations of the dual simplex on an audit's models).
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.passModel(lp)
        self._objective: int | None = None
        self._mip: highspy.Highs | None = None
        self._feasible: bool | None = None
        self.loose: set[int] = set()
        self._adjacent: list[set[int]] | None = None
        self._names = list(self.column)
        self._always = all(constraint.when == "always" for constraint in constraints)

    # -- witnesses ----------------------------------------------------------------------------

    def _witness(self, values: Sequence[float]) -> bool:
        """Keep ``values`` as a witness if it is a whole-number solution; say whether it is."""
        import numpy as np

        point = np.rint(np.asarray(values, dtype=float))
        if point.size != self.width or np.any(np.abs(point - values) > _TOLERANCE):
            return False
        x = point.astype(np.int64)
        if np.any(x < self._lower) or np.any(self._upper_set & (x > self._upper)):
            return False
        if len(self._row_lower):
            # Every row has a term: the sums of the row's products, in whole numbers.
            sums = np.add.reduceat(self._values * x[self._index], self._starts[:-1])
            if np.any(self._row_lower_set & (sums < self._row_lower)) or np.any(
                self._row_upper_set & (sums > self._row_upper)
            ):
                return False
        for column, value in enumerate(x.tolist()):
            low, high = self.seen_low[column], self.seen_high[column]
            if low is None or value < low:
                self.seen_low[column] = value
            if high is None or value > high:
                self.seen_high[column] = value
        return True

    # -- the relaxation -----------------------------------------------------------------------

    def feasible(self) -> bool:
        """Whether the relaxation has a solution.

        The relaxation can have one while no whole-number point does; the integer programme
        finds that out, and raises :class:`Inconsistent`.
        """
        if self._feasible is None:
            self._feasible = self._solve(None, maximise=False) is not _INFEASIBLE
        return self._feasible

    def _solve(self, column: int | None, *, maximise: bool) -> object:
        """Optimise ``column`` over the relaxation; the objective value, None if unbounded."""
        import highspy

        highs = self.highs
        if column != self._objective:
            if self._objective is not None:
                highs.changeColCost(self._objective, 0.0)
            if column is not None:
                highs.changeColCost(column, 1.0)
            self._objective = column
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        highs.changeObjectiveSense(sense)
        highs.run()
        status = highs.getModelStatus()
        if status.name not in _ANSWERS:
            # The primal simplex lost its way from the last vertex: solve afresh, with the
            # default strategy, then go on with the primal simplex from the new vertex.
            highs.clearSolver()
            highs.setOptionValue("simplex_strategy", 0)
            highs.run()
            highs.setOptionValue("simplex_strategy", 4)
            status = highs.getModelStatus()
        if status.name not in _ANSWERS:
            # Still lost (counts of hundreds of thousands in rounded shares strain the
            # numerics): a new instance, from the model alone, used from now on.
            highs = self.highs = self._fresh(column, maximise=maximise)
            highs.run()
            highs.setOptionValue("simplex_strategy", 4)
            status = highs.getModelStatus()
        if status.name not in _ANSWERS:
            return _UNKNOWN
        if status == highspy.HighsModelStatus.kOptimal:
            self._witness(highs.getSolution().col_value)
            return highs.getInfo().objective_function_value
        if status == highspy.HighsModelStatus.kInfeasible or (
            status == highspy.HighsModelStatus.kUnboundedOrInfeasible and not maximise
        ):
            return _INFEASIBLE
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        raise AssertionError(f"unexpected status {status}")  # pragma: no cover - see _ANSWERS

    def _fresh(self, column: int | None, *, maximise: bool) -> highspy.Highs:
        """A new HiGHS instance holding the relaxation, set to optimise ``column``."""
        import highspy

        highs = _highs()
        integrality = self.lp.integrality_
        self.lp.integrality_ = []  # the integer programme marked every column whole
        try:
            highs.passModel(self.lp)
        finally:
            self.lp.integrality_ = integrality
        if column is not None:
            highs.changeColCost(column, 1.0)
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        highs.changeObjectiveSense(sense)
        self._objective = column
        return highs

    def relaxed(self, key: Key, *, maximise: bool) -> int | None:
        """The relaxation's optimum of ``key`` rounded inward (None: unbounded).

        When HiGHS cannot solve the relaxation (numerical trouble, never seen below
        hundreds of thousands of persons), the bound the integer programme proves instead.
        """
        value = self._solve(self.column[key], maximise=maximise)
        if value is _UNKNOWN:
            column = self.column[key]
            proven = self.integer({column: 1.0}, maximise=maximise)
            return proven if proven is not None or maximise else int(self._lower[column])
        if value is _INFEASIBLE:
            raise RuntimeError("optimum of an infeasible model")  # pragma: no cover
        if value is None:
            return None
        assert isinstance(value, float)
        return math.floor(value + _TOLERANCE) if maximise else math.ceil(value - _TOLERANCE)

    # -- the integer programme ----------------------------------------------------------------

    def _integer_model(self) -> highspy.Highs:
        """The integer programme of the component, built on first use."""
        import highspy

        if self._mip is None:
            mip = _highs()
            self.lp.integrality_ = [highspy.HighsVarType.kInteger] * self.width
            mip.passModel(self.lp)
            mip.setOptionValue("mip_rel_gap", 0.0)
            # The objective is one whole-number count: a gap below 1 proves the optimum.
            mip.setOptionValue("mip_abs_gap", 0.999)
            mip.setOptionValue("mip_max_nodes", MILP_NODES)
            mip.setOptionValue("time_limit", MILP_TIME_LIMIT)
            self._mip = mip
        return self._mip

    def _integer_solution(self, costs: Mapping[int, float], *, maximise: bool) -> Any:
        """Solve the integer programme for ``costs``; keep its solution as a witness."""
        import highspy
        import numpy as np

        mip = self._integer_model()
        vector = np.zeros(self.width)
        for column, cost in costs.items():
            vector[column] = cost
        mip.changeColsCost(self.width, np.arange(self.width, dtype=np.int32), vector)
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        mip.changeObjectiveSense(sense)
        mip.run()
        if mip.getInfo().primal_solution_status == 2:  # a feasible solution was found
            self._witness(mip.getSolution().col_value)
        return mip.getModelStatus()

    def integer(self, costs: Mapping[int, float], *, maximise: bool) -> int | None:
        """Solve the integer programme (within its work limit); its proven bound, if any.

        The solution found, optimal or not, is kept as a witness. Returns the proven
        optimum of ``costs`` rounded inward, or the bound the search proved when the
        limit stopped it (sound, not attained), or None when unbounded.

        Raises:
            Inconsistent: no whole-number point satisfies the constraints.
        """
        import highspy

        status = self._integer_solution(costs, maximise=maximise)
        if status == highspy.HighsModelStatus.kInfeasible:
            raise Inconsistent(list(dict.fromkeys(self.sources)), list(self.column))
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        info = self._integer_model().getInfo()
        bound = (
            info.mip_dual_bound
            if status != highspy.HighsModelStatus.kOptimal
            else (info.objective_function_value)
        )
        if not math.isfinite(bound):
            return None
        return math.floor(bound + _TOLERANCE) if maximise else math.ceil(bound - _TOLERANCE)

    # -- intervals ----------------------------------------------------------------------------

    def intervals(
        self,
        targets: list[Key],
        *,
        threshold: int | None,
        assumed: bool,
        loose: set[Key],
        truth: Mapping[Key, int] | None = None,
        failed: set[Hashable] | None = None,
    ) -> dict[Key, Interval]:
        """The interval of each target (see :meth:`System.intervals`).

        ``failed`` holds the searches near the true counts that found nothing, by what they
        searched; those met again are not run again (see :meth:`_near`).

        With a threshold (a verdict), whole-number solutions are looked for first: a target
        two of them set to different values, one of them outside ``[1, threshold - 1]``, is
        protected, and its interval is the **witnessed** one (both ends attained, so the
        attacker can narrow it no further; the exact interval contains it). The search goes
        over the whole component, many targets at a time (:meth:`_sweep`). Each target it
        leaves untold is bounded by the relaxation; when that does not tell its verdict and
        the true counts are known, solutions are searched for near them (:meth:`_near`);
        only then is the integer programme solved for it. Where the counts are large
        (:data:`LARGE_COUNT`), neither the sweeps nor that integer programme run: over such
        counts they take long and tell nothing the search near the true counts does not.

        Raises:
            Inconsistent: no whole-number point satisfies the constraints, or, when
                ``assumed`` (the model holds assumptions), none was found within the work
                limit.
        """
        columns = [self.column[key] for key in targets]
        self.loose = {self.column[key] for key in loose if key in self.column}
        true_values: dict[int, int] | None = None
        if truth is not None and all(key in truth for key in self.column):
            true_values = {self.column[key]: truth[key] for key in self.column}
        # The true counts are a solution unless an exclusion added binary columns.
        near = true_values is not None and len(true_values) == self.width
        truth_vector = None
        if near:
            assert true_values is not None
            truth_vector = [float(true_values[column]) for column in range(self.width)]
            self._witness(truth_vector)
        large = near and _large(true_values)
        if threshold is not None and not large:
            self._sweep(columns, threshold, true_values)
        if self.seen_low[0] is None if self.width else False:
            # No whole-number point yet: any one, from the integer programme.
            self.integer({}, maximise=False)
            if assumed and self.seen_low[0] is None:
                # No whole-number solution found within the work limit: as far as the
                # attacker can tell, the assumptions contradict the facts (often they do:
                # persons in two actions make a distinct count smaller than the sum of its
                # parts).
                raise Inconsistent(list(dict.fromkeys(self.sources)), list(self.column))
        # Without any witness the searches below would each end at the work limit too. On
        # large counts, a verdict the searches near the true counts could not tell is not
        # proven by the integer programme either (see LARGE_COUNT): the count stays unsettled.
        searching = (not self.width or self.seen_low[0] is not None) and not (
            large and threshold is not None
        )
        found = {}
        rest = []
        for key, column in zip(targets, columns, strict=True):
            if threshold is None or not self._protected(column, threshold):
                rest.append((key, column))
        if threshold is None and searching and rest:
            self.integer(dict.fromkeys(columns, 1.0), maximise=True)
        for key, column in rest:
            if threshold is not None and self._protected(column, threshold):
                continue  # a solution found for an earlier target tells this one
            bounds = [self.relaxed(key, maximise=False), self.relaxed(key, maximise=True)]
            if threshold is not None and near and not self._told(column, bounds, threshold):
                assert truth_vector is not None
                self._near(column, threshold, truth_vector, bounds, failed)
                if self._protected(column, threshold):
                    continue
            settled = True
            for maximise in (False, True):
                if self._attained(column, bounds, maximise):
                    continue
                if not searching or (
                    threshold is not None and self._told(column, bounds, threshold)
                ):
                    break
                proven = self.integer({column: 1.0}, maximise=maximise)
                index = 1 if maximise else 0
                current = bounds[index]
                if proven is not None and current is not None:
                    bounds[index] = min(current, proven) if maximise else max(current, proven)
            low, high = bounds
            assert low is not None
            exact = self._attained(column, bounds, False) and self._attained(column, bounds, True)
            if threshold is not None and not exact:
                settled = self._told(column, bounds, threshold)
            found[key] = Interval(low=low, high=high, exact=exact, settled=settled)
        for key, column in zip(targets, columns, strict=True):
            # Protected by a solution found for another target, maybe after its own turn.
            if key not in found or (
                threshold is not None
                and not found[key].settled
                and self._protected(column, threshold)
            ):
                low, high = self.seen_low[column], self.seen_high[column]
                assert low is not None
                found[key] = Interval(low=low, high=high, exact=False, witnessed=True)
        return {key: found[key] for key in targets}

    def _protected(self, column: int, threshold: int) -> bool:
        """Whether witnesses alone show the target protected: two values, one outside."""
        low, high = self.seen_low[column], self.seen_high[column]
        return (
            low is not None
            and high is not None
            and (low < high or column in self.loose)
            and (low <= 0 or high >= threshold)
        )

    @functools.cached_property
    def _column_bounds(self) -> tuple[Any, Any]:
        """Every column's lower and upper bound as floats (numpy arrays; no upper: inf)."""
        import numpy as np

        lower = np.array(self._lower, dtype=float)
        upper = np.array([np.inf if u is None else float(u) for u in self.upper])
        return lower, upper

    def _neighbours(self) -> list[set[int]]:
        """The columns sharing a row with each column (itself included)."""
        if self._adjacent is None:
            adjacent: list[set[int]] = [{column} for column in range(self.width)]
            starts = self._starts.tolist()
            index = self._index.tolist()
            for row in range(len(starts) - 1):
                members = index[starts[row] : starts[row + 1]]
                for column in members:
                    adjacent[column].update(members)
            self._adjacent = adjacent
        return self._adjacent

    def _near(
        self,
        column: int,
        threshold: int,
        truth: Sequence[float],
        bounds: list[int | None],
        failed: set[Hashable] | None = None,
    ) -> None:
        """Look for whole-number solutions near the true counts that tell one target.

        Every count a few relations or fewer away from the target is free (two, then four:
        :data:`NEIGHBOURHOODS`), every other one is fixed at its true value, and the target
        is asked to take a value that tells its verdict (none or at least the threshold for
        a small count, another value for the others; only values within the relaxation's
        ``bounds``). Any solution of that small programme solves the whole one: the fixed
        counts keep the relations they take part in satisfied, as the true counts do. Where
        counts are large and rounded shares pin them together, this finds in a few
        milliseconds what a search over the whole component struggles with.

        A search that finds nothing is added to ``failed`` by what it searched: the target,
        the counts left free and the values asked for. Counts suppressed since are new
        variables; outside the free ones they are fixed at their true values, the values
        they had as published constants, so the same search would search the same
        programme: it is not run again. (Only where every constraint always holds: the
        assumptions of a model are not part of what is searched.)
        """
        import numpy as np

        low_bound, high_bound = bounds
        assert low_bound is not None
        top = np.inf if high_bound is None else float(high_bound)
        true = truth[column]  # a whole number, as a float
        if 1 <= true < threshold:
            wanted = [(float(low_bound), 0.0), (float(threshold), top)]
        else:
            wanted = [(float(low_bound), true - 1.0), (true + 1.0, top)]
        wanted = [(start, end) for start, end in wanted if start <= end]
        if not wanted:
            return
        adjacent = self._neighbours()
        mip = self._integer_model()
        everything = np.arange(self.width, dtype=np.int32)
        lower, upper = self._column_bounds
        values = np.asarray(truth)
        if not self._always:
            failed = None
        names = self._names
        mip.setOptionValue("mip_max_nodes", NEIGHBOURHOOD_NODES)
        try:
            for depth in NEIGHBOURHOODS:
                near = {column}
                for _ in range(depth):
                    near = set().union(*(adjacent[other] for other in near))
                searched = (
                    names[column],
                    frozenset(names[other] for other in near),
                    tuple(wanted),
                )
                if failed is not None and searched in failed:
                    continue
                free = np.fromiter(sorted(near), dtype=np.int64)
                low, high = values.copy(), values.copy()
                low[free], high[free] = lower[free], upper[free]
                for start, end in wanted:
                    low[column], high[column] = start, end
                    mip.changeColsBounds(self.width, everything, low, high)
                    self._integer_solution({}, maximise=False)
                    if self._protected(column, threshold):
                        return
                if failed is not None:
                    failed.add(searched)
        finally:
            mip.setOptionValue("mip_max_nodes", MILP_NODES)
            mip.changeColsBounds(self.width, everything, lower, upper)

    def _sweep(
        self, columns: list[int], threshold: int, truth: Mapping[int, int] | None = None
    ) -> None:
        """Look for whole-number solutions telling many targets at once.

        The integer programme is solved for the sum of the targets not yet shown protected,
        upwards then downwards, as long as each round shows some more protected (at most
        :data:`SWEEPS` rounds), with every count capped so that no objective is unbounded
        (at :data:`SWEEP_CAP` times the threshold, or twice the largest published value the
        constraints hold, larger if no solution fits): a solution under the caps satisfies
        every constraint, so it is a witness all the same. Each solve keeps the best
        whole-number point found within the node limit; none is needed to be optimal.
        """
        untold = [column for column in columns if not self._protected(column, threshold)]
        if not untold:
            return
        import highspy
        import numpy as np

        largest = max((math.ceil(abs(Fraction(c.bound))) for c in self.constraints), default=0)
        cap = float(max(SWEEP_CAP * threshold, 2 * largest))
        if truth is not None:
            # The true counts solve the capped programme as well.
            cap = max(cap, float(max(truth.values(), default=0)))
        mip = self._integer_model()
        everything = np.arange(self.width, dtype=np.int32)
        lower, original = self._column_bounds
        try:
            for _ in range(3):
                upper = np.minimum(original, cap)
                mip.changeColsBounds(self.width, everything, lower, upper)
                if truth is not None:
                    break
                status = self._integer_solution({}, maximise=False)
                if status != highspy.HighsModelStatus.kInfeasible:
                    break
                cap *= 16  # a solution needs larger counts than the caps allow
            else:
                return
            # Any good whole-number point will do: no need to prove it optimal.
            mip.setOptionValue("mip_rel_gap", SWEEP_GAP)
            mip.setOptionValue("mip_abs_gap", 1e9)
            mip.setOptionValue("mip_max_nodes", SWEEP_NODES)
            for sweep in range(SWEEPS):
                before = len(untold)
                if truth is not None:
                    # Each count away from its true value: a small one up, a large one down.
                    push = {column: 1.0 if truth[column] < threshold else -1.0 for column in untold}
                    if sweep % 2:
                        push = {column: -sign for column, sign in push.items()}
                    self._integer_solution(push, maximise=True)
                elif sweep == 0:
                    # Every count as high as it can be, then as low.
                    self._integer_solution(dict.fromkeys(untold, 1.0), maximise=True)
                    self._integer_solution(dict.fromkeys(untold, 1.0), maximise=False)
                else:
                    # Some up, the others down: a fixed pseudo-random split, new each round.
                    for sign in (1.0, -1.0):
                        costs = {
                            column: sign if (column * 2654435761 + sweep) >> 4 & 1 else -sign
                            for column in untold
                        }
                        self._integer_solution(costs, maximise=True)
                untold = [column for column in untold if not self._protected(column, threshold)]
                if not untold or len(untold) > before * (1 - SWEEP_PROGRESS):
                    return
        finally:
            mip.setOptionValue("mip_rel_gap", 0.0)
            mip.setOptionValue("mip_abs_gap", 0.999)
            mip.setOptionValue("mip_max_nodes", MILP_NODES)
            mip.changeColsBounds(self.width, everything, lower, original)

    def _attained(self, column: int, bounds: list[int | None], maximise: bool) -> bool:
        """Whether a witness attains the bound (then it is exact)."""
        if maximise:
            return bounds[1] is None or self.seen_high[column] == bounds[1]
        return self.seen_low[column] == bounds[0]

    def _told(self, column: int, bounds: list[int | None], threshold: int) -> bool:
        """Whether the bounds and the witnesses tell the verdict of the exposure rule.

        Known exactly or not: the bounds meet, or two witnesses differ. Known to lie in
        ``[1, threshold - 1]`` or not: the bounds lie inside, or a witness lies outside.
        """
        low, high = bounds
        seen_low, seen_high = self.seen_low[column], self.seen_high[column]
        assert low is not None
        exactness = (
            column in self.loose
            or low == high
            or (seen_low is not None and seen_high is not None and seen_low < seen_high)
        )
        inside = low >= 1 and high is not None and high <= threshold - 1
        outside = (seen_low is not None and seen_low <= 0) or (
            seen_high is not None and seen_high >= threshold
        )
        return exactness and (inside or outside)

    def binding(self, key: Key, *, maximise: bool) -> set[str]:
        """The sources of the constraints with a non-zero dual at the relaxation's optimum."""
        if isinstance(self._solve(self.column[key], maximise=maximise), float):
            duals = self.highs.getSolution().row_dual
            return {self.sources[row] for row, dual in enumerate(duals) if abs(dual) > _TOLERANCE}
        return set()


def _large(truth: Mapping[int, int] | None) -> bool:
    """Whether the largest true count is large (see :data:`LARGE_COUNT`)."""
    return truth is not None and max(truth.values(), default=0) >= LARGE_COUNT


_INFEASIBLE: Final = object()
_FAILED_NEAR: Final = "searches near the true counts that found nothing"
_UNKNOWN: Final = object()
_ANSWERS: Final = frozenset({"kOptimal", "kInfeasible", "kUnbounded", "kUnboundedOrInfeasible"})
"""The statuses of a relaxation HiGHS solved; any other (an error, ``kUnknown``, a limit) is
trouble: solved again, afresh, then left to the integer programme."""
