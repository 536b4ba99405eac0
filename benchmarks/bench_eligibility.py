"""Screening persons for eligibility: person-action checks per second, and where the time goes.

Screens N synthetic persons (100,000 by default) against the actions of the demo contracts
(``territoires.demo.build(participations=0)``) open on a date (1 September 2022 by default, when
97 actions are open) with ``territoires.screen``, and reports the person-action checks per
second against the target of the issue: at least 100,000 checks per second on one core.

A check is one (person, action) decision, so checks = persons x actions; each check runs the
registered rules that concern the action (4 to 8 of the 8 national rules), and each of those
runs is a rule evaluation. The persons are screened in one pass with
``territoires.iter_screen``, which streams the decisions (a million decisions would not fit in
memory at once) while reusing the verdicts persons share; ``--batch N`` instead calls
``territoires.screen`` on N persons at a time, each call starting with empty caches. The timed
region is the screening and the tally of outcomes.

What is measured, each in a fresh interpreter (so that garbage-collector generations, caches
and peak memory belong to that measurement alone; the GC is on, as a user's program has it):

``screen (columns)``
    ``territoires.screen`` over every person at once: each rule once per action and distinct
    key, outcomes combined as arrays and tallied with ``Screening.counts()``, no decision
    built (issue 15's target: at least 1,000,000 checks per second on one core). After the
    clock, the decisions of the first 500 persons are built on demand and compared with
    ``iter_screen``'s, the reference.
``iter_screen`` (the row labelled so)
    The whole screening with the built-in national rules
    (``get_plugin_manager(autoload=False)``), or with the installed plugins too
    (``--with-plugins``, ``autoload=True``).
``dispatch only``
    The same loop through a real plugin manager whose rules are the same rules (same
    ``territories`` and ``applies_to``, so ``concerns()`` runs and decides alike) but whose
    ``check`` returns one constant, pre-built ``Verdict``: what the engine costs per check
    (iterating the sorted rules, ``concerns()``, building ``RuleInput``, ``RuleVerdict`` and
    ``Decision``, ``combine``, the ``Screening`` and freeing it) without the rules' own work
    (dates, ages, geography, the French and English reasons). The rules are registered by a
    plugin (``builtins=False``), so their names carry a ``bench.`` namespace; the order of the
    rules is unchanged.
``registry``
    Building the plugin manager: registering the plugins and calling the registration hooks
    (``register_eligibility_rules`` and the others, through pluggy), which happens once per
    manager. The time inside the hook implementations comes from the
    ``TERRITOIRES_TRACE_PLUGINS`` trace. ``screen`` calls no hook: it reads the registry.

"Hook dispatch" is therefore reported in two parts: the pluggy hook calls (registration, once
per manager, as a share of one screening plus one build) and the engine's per-check dispatch
(the ``dispatch only`` time, as a share of the ``screen`` time). The rules' own work is the
difference ``screen - dispatch only``. The shares are approximate: the constant verdicts make
fewer objects, hence less garbage-collector work, than the real ones.

``--profile`` also runs ``cProfile`` over the first ``--profile-persons`` persons (2,000 by
default) in a fresh interpreter and prints the 10 functions with the most own time, and the own
time by source file.

The persons are synthetic and deterministic (``--seed``): pseudonymous ids only; statuses mixing
refugees, subsidiary and temporary protection, stateless persons, family, work and other
permits, and the excluded statuses (asylum seekers, students, unaccompanied minors, irregular
stay); dates of status, first permit and CIR (some missing, a few after the date); a birth date,
only a birth year, or neither; a commune of residence drawn from the communes of the demo
contracts' territories (by population), elsewhere in France, or unknown.

Usage::

    .venv/bin/python benchmarks/bench_eligibility.py                   # 100,000 x 97 checks
    .venv/bin/python benchmarks/bench_eligibility.py --persons 10000 --profile
    .venv/bin/python benchmarks/bench_eligibility.py --actions 10 --repeat 3 --python-info
    .venv/bin/python benchmarks/bench_eligibility.py --on 2023-03-01 --with-plugins

Times are medians over ``--repeat`` fresh processes, peak memory the largest.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from _common import load_average, peak_mb, python_info, render

if TYPE_CHECKING:
    from territoires.model import AdministrativeStatus, Dataset, Person
    from territoires.plugins import PluginManager
    from territoires.rules import EligibilityRule

TARGET_CHECKS_PER_S = 100_000
DEFAULT_PERSONS = 100_000
DEFAULT_ON = dt.date(2022, 9, 1)
DEFAULT_SEED = 2022
BATCH_CHECKS = 200_000  # checks per screen() call when --batch is not given
WARM_BUILDS = 30  # warm builds of the plugin manager, for the median
UKRAINE = dt.date(2022, 3, 4)  # temporary protection activated for displaced Ukrainians
# Départements without a demo contract, for residences "elsewhere" (rural, urban, overseas).
ELSEWHERE = ("dep:02", "dep:23", "dep:48", "dep:59", "dep:93", "dep:974")
KINDS = ("screen", "columns", "stub", "registry", "profile")
TARGET_COLUMNS_PER_S = 1_000_000  # issue 15: screen() on columns, one core
CHECKED_PERSONS = 500  # persons whose decisions the columns run compares with iter_screen
LABELS = {
    "screen": "iter_screen (person by person)",
    "columns": "screen (columns)",
    "stub": "dispatch only (constant verdicts)",
}


# -- synthetic persons ----------------------------------------------------------------------------

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice prepared once (cumulative weights), drawn many times."""

    def __init__(self, weighted: Iterable[tuple[T, int]]) -> None:
        pairs = list(weighted)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def _statuses() -> Weighted[AdministrativeStatus]:
    from territoires.model import AdministrativeStatus as S

    return Weighted(
        [
            (S.REFUGEE, 30),
            (S.SUBSIDIARY_PROTECTION, 14),
            (S.STATELESS, 2),
            (S.TEMPORARY_PROTECTION, 12),
            (S.FAMILY_PERMIT, 12),
            (S.WORK_PERMIT, 6),
            (S.OTHER_PERMIT, 4),
            (S.ASYLUM_SEEKER, 9),
            (S.STUDENT, 5),
            (S.UNACCOMPANIED_MINOR, 3),
            (S.IRREGULAR_STAY, 3),
        ]
    )


def _communes(references: Iterable[str]) -> Weighted[str]:
    """The communes of ``references`` (a commune stands for itself), weighted by population."""
    from territoires.geo import get_geography

    geography = get_geography()
    weighted: list[tuple[str, int]] = []
    for reference in references:
        members = [t for t in geography.members(reference) if t.kind.value == "commune"]
        members = members or [geography.get(reference)]
        weighted.extend((t.code, max(1, t.population or 1)) for t in members)
    return Weighted(weighted)


def _days(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_persons(count: int, dataset: Dataset, on: dt.date, seed: int) -> list[Person]:
    """Return ``count`` plausible persons, the same for the same arguments."""
    from territoires.model import AdministrativeStatus as S
    from territoires.model import Person

    rng = random.Random(seed)
    statuses = _statuses()
    # Each territory equally likely, then its communes by population.
    territories = [_communes([c.territory]) for c in dataset.contracts]
    elsewhere = _communes(ELSEWHERE)
    permits = {S.FAMILY_PERMIT, S.WORK_PERMIT, S.OTHER_PERMIT}
    protected = {S.REFUGEE, S.SUBSIDIARY_PROTECTION, S.STATELESS}
    ages = Weighted([((16, 25), 30), ((26, 39), 47), ((40, 70), 23)])
    persons: list[Person] = []
    for _ in range(count):
        status = statuses.draw(rng)
        status_date: dt.date | None = None
        if status is not S.IRREGULAR_STAY and rng.random() < 0.92:
            if status is S.TEMPORARY_PROTECTION and on > UKRAINE:
                status_date = _days(rng, UKRAINE, on)
            elif rng.random() < 0.03:  # recorded ahead of the date of the decision
                status_date = on + dt.timedelta(days=rng.randint(1, 180))
            else:  # mostly recent, about one in eight more than five years ago
                status_date = on - dt.timedelta(days=min(int(rng.expovariate(1 / 900)), 7300))
        first_permit: dt.date | None = None
        if status in permits | protected and rng.random() < 0.6:
            if status_date is not None:
                renewed = rng.random() < 0.5
                first_permit = status_date - dt.timedelta(days=rng.randint(1, 1460) * renewed)
            else:
                first_permit = on - dt.timedelta(days=rng.randint(30, 3650))
        cir: dt.date | None = None
        if not status.is_excluded and rng.random() < 0.65:
            base = status_date or first_permit or on - dt.timedelta(days=365)
            cir = base + dt.timedelta(days=rng.randint(0, 300))
        low, high = (14, 17) if status is S.UNACCOMPANIED_MINOR else ages.draw(rng)
        born = on - dt.timedelta(days=int(rng.randint(low, high) * 365.25) + rng.randrange(365))
        known = rng.random()
        birth_date = born if known < 0.55 else None
        birth_year = born.year if 0.55 <= known < 0.85 else None
        where = rng.random()
        if where < 0.85:
            residence: str | None = territories[rng.randrange(len(territories))].draw(rng)
        elif where < 0.95:
            residence = elsewhere.draw(rng)
        else:
            residence = None
        persons.append(
            Person(
                id=f"P{rng.getrandbits(48):012X}",
                status=status,
                status_date=status_date,
                first_permit_date=first_permit,
                cir_date=cir,
                birth_date=birth_date,
                birth_year=birth_year,
                residence=residence,
            )
        )
    return persons


# -- what is screened -----------------------------------------------------------------------------


def pick_actions(dataset: Dataset, on: dt.date, limit: int | None) -> tuple[list[str] | None, int]:
    """Return the ids of the actions to screen (None: every open one, screen's default) and
    how many they are; with ``limit``, taken in turn from each contract."""
    from territoires.eligibility import open_actions

    pairs = open_actions(dataset, on)
    if limit is None or limit >= len(pairs):
        return None, len(pairs)
    queues: dict[str, list[str]] = {}
    for action, contract in pairs:
        queues.setdefault(contract.id, []).append(action.id)
    turns = itertools.zip_longest(*queues.values())
    ordered = [action for turn in turns for action in turn if action is not None]
    return ordered[:limit], limit


class ConstantRules:
    """A plugin registering the given rules with a ``check`` returning one constant verdict."""

    def __init__(self, rules: Iterable[EligibilityRule]) -> None:
        import attrs

        from territoires.hookspecs import hookimpl
        from territoires.rules import RuleInput, Verdict

        verdict = Verdict.met("vérification remplacée par une constante", "constant check")

        def check(_: RuleInput) -> Verdict:
            return verdict

        # A plugin's names need a namespace, and one only: "200040715.x" -> "bench.200040715_x"
        # (the sorted order of the rules is unchanged).
        self.rules = tuple(
            attrs.evolve(
                rule, name="bench." + rule.name.replace(".", "_"), check=check, replaces=None
            )
            for rule in rules
        )
        registered = self.rules

        def register_eligibility_rules() -> tuple[EligibilityRule, ...]:
            return registered

        self.register_eligibility_rules = hookimpl(register_eligibility_rules)


def manager_for(kind: str, with_plugins: bool) -> PluginManager:
    from territoires.plugins import get_plugin_manager

    manager = get_plugin_manager(autoload=with_plugins)
    if kind != "stub":
        return manager
    plugin = ConstantRules(manager.rules.values())
    stub = get_plugin_manager(autoload=False, builtins=False, plugins=[("bench", plugin)])
    if stub.errors or len(stub.rules) != len(manager.rules):
        raise RuntimeError(f"the constant rules were not all registered: {stub.errors}")
    return stub


# -- one measurement, in a fresh process ----------------------------------------------------------


class GcClock:
    """Adds up the time the garbage collector runs while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self.active:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


@dataclass
class Setup:
    """What a screening child prepares before its clock starts."""

    dataset: Dataset
    persons: list[Person]
    actions: list[str] | None
    action_count: int
    manager: PluginManager
    generate_s: float


def setup(args: argparse.Namespace, kind: str, persons: int) -> Setup:
    import territoires
    from territoires.geo import get_geography

    dataset = territoires.demo.build(participations=0)
    get_geography()  # loaded before the clock, as a long-running process has it
    start = time.perf_counter()
    people = make_persons(persons, dataset, args.on, args.seed)
    generated = time.perf_counter() - start
    actions, count = pick_actions(dataset, args.on, args.actions)
    manager = manager_for(kind, args.with_plugins)
    # Warm-up, untimed: one person, so that lazy imports and first lookups are done.
    territoires.screen(people[:1], dataset, on=args.on, actions=actions, plugins=manager)
    return Setup(dataset, people, actions, count, manager, generated)


def child_screen(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    import territoires

    s = setup(args, kind, args.persons)
    batch = args.batch or max(1, BATCH_CHECKS // s.action_count)
    clock = GcClock()
    outcomes: Counter[str] = Counter()
    checks = evaluations = 0
    clock.active = True
    t0, c0 = time.perf_counter(), time.process_time()
    if args.batch is None:
        # iter_screen streams the decisions (one judge, its verdict reuse across every
        # person), so the whole batch runs in one pass without keeping the decisions.
        for decision in territoires.iter_screen(
            s.persons, s.dataset, on=args.on, actions=s.actions, plugins=s.manager
        ):
            checks += 1
            outcomes[decision.outcome.value] += 1
            evaluations += len(decision.verdicts)
    else:
        for first in range(0, len(s.persons), batch):
            screening = territoires.screen(
                s.persons[first : first + batch],
                s.dataset,
                on=args.on,
                actions=s.actions,
                plugins=s.manager,
            )
            for decision in screening:
                checks += 1
                outcomes[decision.outcome.value] += 1
                evaluations += len(decision.verdicts)
            del screening
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    clock.active = False
    assert checks == len(s.persons) * s.action_count, (checks, len(s.persons), s.action_count)
    return {
        "persons": len(s.persons),
        "actions": s.action_count,
        "checks": checks,
        "evaluations": evaluations,
        "seconds": wall,
        "cpu": cpu,
        "gc_seconds": clock.seconds,
        "gc_collections": clock.collections,
        "batch": batch,
        "outcomes": dict(outcomes),
        "rules": list(s.manager.rules),
        "plugins": [info.name for info in s.manager.plugin_infos()],
        "errors": [str(e) for e in s.manager.errors],
        "generate_s": s.generate_s,
        "peak_mb": peak_mb(),
    }


def child_columns(args: argparse.Namespace) -> dict[str, Any]:
    """``screen()`` over every person at once: outcomes as arrays, tallied without decisions.

    Untimed, after the clock: the decisions of the first persons are built on demand and
    compared with ``iter_screen``'s, the reference path.
    """
    import territoires

    s = setup(args, "columns", args.persons)
    clock = GcClock()
    clock.active = True
    t0, c0 = time.perf_counter(), time.process_time()
    screening = territoires.screen(
        s.persons, s.dataset, on=args.on, actions=s.actions, plugins=s.manager
    )
    counts = screening.counts()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    clock.active = False
    checks = int(screening.outcomes.size)
    assert checks == len(s.persons) * s.action_count, (checks, len(s.persons), s.action_count)
    # The rules that concern an action are the same for every person.
    per_person = sum(len(screening.decision(0, j).verdicts) for j in range(s.action_count))
    sample = s.persons[:CHECKED_PERSONS]
    reference = list(
        territoires.iter_screen(sample, s.dataset, on=args.on, actions=s.actions, plugins=s.manager)
    )
    identical = reference == list(itertools.islice(screening, len(reference)))
    return {
        "persons": len(s.persons),
        "actions": s.action_count,
        "checks": checks,
        "evaluations": per_person * len(s.persons),
        "seconds": wall,
        "cpu": cpu,
        "gc_seconds": clock.seconds,
        "gc_collections": clock.collections,
        "batch": len(s.persons),
        "outcomes": {outcome.value: count for outcome, count in counts.items()},
        "rules": list(s.manager.rules),
        "plugins": [info.name for info in s.manager.plugin_infos()],
        "errors": [str(e) for e in s.manager.errors],
        "generate_s": s.generate_s,
        "peak_mb": peak_mb(),
        "identical": identical,
        "compared": len(sample),
    }


def child_registry(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    start = time.perf_counter()
    import territoires  # noqa: F401 - timed: what a first build needs
    from territoires.plugins import TRACE, get_plugin_manager

    imported = time.perf_counter()
    manager = get_plugin_manager(autoload=args.with_plugins)
    first = time.perf_counter() - imported
    warm = []
    for _ in range(WARM_BUILDS):
        begin = time.perf_counter()
        get_plugin_manager(autoload=args.with_plugins)
        warm.append(time.perf_counter() - begin)

    # The time inside the hook implementations, from the plugins' own trace.
    durations: list[tuple[str, str, float]] = []

    class Capture(logging.Handler):
        _territoires_trace = True  # so that get_plugin_manager adds no handler of its own

        def emit(self, record: logging.LogRecord) -> None:
            if isinstance(record.args, tuple) and len(record.args) == 3:
                plugin, hook, ms = record.args
                durations.append((str(plugin), str(hook), float(ms)))  # type: ignore[arg-type]

    logger = logging.getLogger("territoires.plugins")
    logger.addHandler(Capture())
    logger.setLevel(logging.INFO)
    os.environ[TRACE] = "1"
    get_plugin_manager(autoload=args.with_plugins)
    return {
        "import": imported - start,
        "first": first,
        "warm": statistics.median(warm),
        "hook_calls": len(durations),
        "hook_ms": sum(ms for _, _, ms in durations),
        "hooks": sorted({hook for _, hook, _ in durations}),
        "rules": len(manager.rules),
        "peak_mb": peak_mb(),
    }


def _where(key: tuple[str, int, str]) -> tuple[str, str]:
    """Return a short label of a profiled function, and its source file."""
    file, line, name = key
    if file == "~":
        return name, "(built-in functions)"
    if file.startswith("<"):  # code generated by attrs: <attrs generated init ...>
        return f"{file}.{name}", "<attrs generated code>"
    parts = Path(file).parts
    start = parts.index("territoires") if "territoires" in parts else len(parts) - 2
    short = "/".join(parts[start:])
    return f"{short}:{line}({name})", short


def child_profile(args: argparse.Namespace) -> dict[str, Any]:
    import cProfile
    import pstats

    import territoires

    s = setup(args, "screen", min(args.persons, args.profile_persons))
    profiler = cProfile.Profile()
    profiler.enable()
    screening = territoires.screen(
        s.persons, s.dataset, on=args.on, actions=s.actions, plugins=s.manager
    )
    del screening
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in raw.values())
    functions = []
    by_file: dict[str, float] = {}
    for key, (_, calls, own, cumulative, _) in raw.items():
        label, file = _where(key)
        functions.append((label, calls, own, cumulative))
        by_file[file] = by_file.get(file, 0.0) + own
    functions.sort(key=lambda row: row[2], reverse=True)
    return {
        "persons": len(s.persons),
        "checks": len(s.persons) * s.action_count,
        "total": total,
        "functions": functions[:10],
        "files": sorted(by_file.items(), key=lambda item: item[1], reverse=True)[:10],
    }


def child(args: argparse.Namespace) -> None:
    """Run one measurement and print its result as one JSON object."""
    kind = args.child
    if kind == "registry":
        result = child_registry(args)
    elif kind == "profile":
        result = child_profile(args)
    elif kind == "columns":
        result = child_columns(args)
    else:
        result = child_screen(args, kind)
    result["gc"] = gc.isenabled()
    print(json.dumps(result))


# -- the parent: run, report ----------------------------------------------------------------------


def run_child(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--persons",
        str(args.persons),
        "--on",
        args.on.isoformat(),
        "--seed",
        str(args.seed),
        "--profile-persons",
        str(args.profile_persons),
        "--child",
        kind,
    ]
    if args.actions is not None:
        command += ["--actions", str(args.actions)]
    if args.batch is not None:
        command += ["--batch", str(args.batch)]
    if args.with_plugins:
        command.append("--with-plugins")
    # stderr is left to the terminal, so that a failing child shows its traceback.
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out)
    return result


@dataclass(frozen=True)
class Run:
    """The median of the fresh processes of one screening measurement."""

    kind: str
    persons: int
    actions: int
    checks: int
    evaluations: int
    seconds: float
    cpu: float
    gc_seconds: float
    peak_mb: float
    last: dict[str, Any]

    @property
    def per_second(self) -> float:
        return self.checks / self.seconds

    @property
    def us_per_check(self) -> float:
        return self.seconds / self.checks * 1e6


def measure(args: argparse.Namespace, kind: str) -> Run:
    runs = []
    for n in range(args.repeat):
        print(f"  {LABELS[kind]}: run {n + 1} of {args.repeat} ...", file=sys.stderr, flush=True)
        runs.append(run_child(args, kind))
    middle = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    return Run(
        kind=kind,
        persons=middle["persons"],
        actions=middle["actions"],
        checks=middle["checks"],
        evaluations=middle["evaluations"],
        seconds=middle["seconds"],
        cpu=middle["cpu"],
        gc_seconds=middle["gc_seconds"],
        peak_mb=max(r["peak_mb"] for r in runs),
        last=middle,
    )


def table(runs: Sequence[Run]) -> list[str]:
    headers = (
        "measurement",
        "persons",
        "actions",
        "checks",
        "seconds",
        "cpu s",
        "checks/s",
        "µs/check",
        "rule evals",
        "evals/s",
        "GC %",
        "peak MB",
    )
    rows: list[tuple[str, ...]] = [headers]
    for r in runs:
        rows.append(
            (
                LABELS[r.kind],
                f"{r.persons:,}",
                f"{r.actions:,}",
                f"{r.checks:,}",
                f"{r.seconds:.2f}",
                f"{r.cpu:.2f}",
                f"{r.per_second:,.0f}",
                f"{r.us_per_check:.2f}",
                f"{r.evaluations:,}",
                f"{r.evaluations / r.seconds:,.0f}",
                f"{100 * r.gc_seconds / r.seconds:.1f}",
                f"{r.peak_mb:,.0f}",
            )
        )
    return render(rows)


def shares(real: Run, stub: Run, registry: dict[str, Any]) -> list[str]:
    rules_s = max(0.0, real.seconds - stub.seconds)
    build_s = registry["warm"]
    hooks_s = registry["hook_ms"] / 1000
    once = real.seconds + build_s
    rows = [
        ("part", "seconds", "share", "µs/check"),
        (
            "rules' own work (screen - dispatch only)",
            f"{rules_s:.2f}",
            f"{100 * rules_s / real.seconds:.1f} % of screen",
            f"{rules_s / real.checks * 1e6:.2f}",
        ),
        (
            "engine dispatch per check (dispatch only)",
            f"{stub.seconds:.2f}",
            f"{100 * stub.seconds / real.seconds:.1f} % of screen",
            f"{stub.us_per_check:.2f}",
        ),
        (
            "pluggy hook dispatch: build the manager (once)",
            f"{build_s:.4f}",
            f"{100 * build_s / once:.4f} % of screen + build",
            "-",
        ),
        (
            "  of which inside the registration hooks",
            f"{hooks_s:.6f}",
            f"{100 * hooks_s / once:.6f} % of screen + build",
            "-",
        ),
    ]
    return render(rows)


def profile_lines(result: dict[str, Any]) -> list[str]:
    total = result["total"]
    rows: list[tuple[str, ...]] = [
        ("function (top 10 by own time)", "calls", "own s", "own %", "cum s")
    ]
    for label, calls, own, cumulative in result["functions"]:
        rows.append(
            (label, f"{calls:,}", f"{own:.3f}", f"{100 * own / total:.1f}", f"{cumulative:.3f}")
        )
    files: list[tuple[str, ...]] = [("source file (own time)", "own s", "own %")]
    for file, own in result["files"]:
        files.append((file, f"{own:.3f}", f"{100 * own / total:.1f}"))
    head = (
        f"cProfile of screen() over {result['persons']:,} persons ({result['checks']:,} checks), "
        f"{total:.2f} s of own time under the profiler:"
    )
    return [head, "", *render(rows), "", *render(files)]


def outcome_line(run: Run) -> str:
    outcomes: dict[str, int] = run.last["outcomes"]
    parts = [
        f"{name.replace('_', ' ')} {100 * outcomes.get(name, 0) / run.checks:.1f} %"
        for name in ("eligible", "not_eligible", "undetermined")
    ]
    return "outcomes (screen): " + ", ".join(parts)


def _scaled(real: Run, columns: Run) -> dict[str, int]:
    """The reference tally when both runs screened the same persons (else itself)."""
    outcomes: dict[str, int] = real.last["outcomes"]
    return outcomes if real.checks == columns.checks else columns.last["outcomes"]


def columns_verdict(run: Run) -> str:
    rate = run.per_second
    ok = "ok" if rate >= TARGET_COLUMNS_PER_S and run.last["identical"] else "MISSED"
    cpu_rate = run.checks / run.cpu if run.cpu > 0 else float("nan")
    return (
        f"verdict (issue 15): screen on columns reaches {rate:,.0f} person-action checks/s on "
        f"one core ({cpu_rate:,.0f} per CPU second; target ≥ {TARGET_COLUMNS_PER_S:,} with the "
        f"reference's decisions: {ok})"
    )


def verdict(run: Run) -> str:
    rate = run.per_second
    ok = "ok" if rate >= TARGET_CHECKS_PER_S else "MISSED"
    cpu_rate = run.checks / run.cpu if run.cpu > 0 else float("nan")
    short = "" if ok == "ok" else f", {TARGET_CHECKS_PER_S / rate:.1f}x short"
    line = (
        f"verdict: iter_screen reaches {rate:,.0f} person-action checks/s on one core "
        f"({cpu_rate:,.0f} per CPU second; target ≥ {TARGET_CHECKS_PER_S:,}: {ok}{short})"
    )
    if run.cpu < 0.9 * run.seconds:
        line += (
            f"\nnote: the process had {100 * run.cpu / run.seconds:.0f} % of a core (the machine "
            "was busy); the rate per CPU second is the fairer figure"
        )
    return line


def parse(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS, help="persons (N)")
    parser.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        default=DEFAULT_ON,
        help=f"date of the decisions (default {DEFAULT_ON.isoformat()})",
    )
    parser.add_argument(
        "--actions",
        type=int,
        metavar="K",
        help="screen K of the open actions only, taken in turn from each contract (default: all)",
    )
    parser.add_argument(
        "--with-plugins",
        action="store_true",
        help="load the installed plugins too (default: the built-in national rules only)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        help=f"persons per screen() call (default: about {BATCH_CHECKS:,} checks a call)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per measurement")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the persons")
    parser.add_argument(
        "--profile", action="store_true", help="also profile screen() and print the top functions"
    )
    parser.add_argument(
        "--profile-persons",
        type=int,
        default=2_000,
        help="persons screened under the profiler (default 2,000)",
    )
    parser.add_argument(
        "--python-info",
        action="store_true",
        help="also print the interpreter, platform and library versions",
    )
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(None if argv is None else list(argv))
    for name in ("persons", "repeat", "profile_persons"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("actions", "batch"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: Iterable[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        child(args)
        return

    loaded = load_average()
    print(f"measuring (load average {loaded}) ...", file=sys.stderr, flush=True)
    real = measure(args, "screen")
    columns = measure(args, "columns")
    stub = measure(args, "stub")
    print("  registry ...", file=sys.stderr, flush=True)
    registry = run_child(args, "registry")
    profile = None
    if args.profile:
        print("  profile ...", file=sys.stderr, flush=True)
        profile = run_child(args, "profile")

    print()
    if args.python_info:
        print("\n".join(python_info(("territoires", "pluggy", "attrs", "python-dateutil"))))
    gc_state = "on" if real.last["gc"] and stub.last["gc"] else "OFF in some runs"
    manager = "autoload=True (installed plugins)" if args.with_plugins else "autoload=False"
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{loaded} before and {load_average()} after; GC {gc_state}; median of {args.repeat} fresh "
        f"process(es) per row"
    )
    print(
        f"on {args.on.isoformat()}: {real.actions} actions"
        f"{' (of the open ones)' if args.actions else ' (every open one)'}; "
        f"get_plugin_manager({manager}): plugins {', '.join(real.last['plugins'])}; "
        f"rules {', '.join(real.last['rules'])}"
    )
    for error in real.last["errors"]:
        print(f"plugin error: {error}")
    how = (
        "in one pass with iter_screen()"
        if args.batch is None
        else f"in batches of {real.last['batch']:,} persons "
        f"({real.last['batch'] * real.actions:,} checks a screen() call)"
    )
    print(
        f"persons generated in {real.last['generate_s']:.1f} s (seed {args.seed}); screened {how}"
    )
    print()
    print("\n".join(table([real, columns, stub])))
    print()
    print(
        "checks = persons x actions (one Decision each); rule evals = the rule verdicts in "
        f"them ({real.evaluations / real.checks:.2f} a check); seconds = wall time of the "
        "screening and the tally of its outcomes; cpu s = process CPU time of the same; "
        "GC % = time in the garbage collector within seconds; peak MB = ru_maxrss"
    )
    print(outcome_line(real))
    print(
        f"screen (columns): the decisions of the first {columns.last['compared']:,} persons, "
        "built on demand, are "
        + ("identical to" if columns.last["identical"] else "DIFFERENT from")
        + " iter_screen's; outcomes "
        + ("equal" if columns.last["outcomes"] == _scaled(real, columns) else "tallied")
    )
    print()
    print(
        f"registry: first get_plugin_manager() {1000 * registry['first']:.1f} ms (after "
        f"{1000 * registry['import']:.0f} ms of imports), then {1000 * registry['warm']:.2f} ms "
        f"(median of {WARM_BUILDS}); {registry['hook_calls']} registration hook calls per "
        f"build ({', '.join(registry['hooks'])}) taking {1000 * registry['hook_ms']:.0f} µs "
        f"inside the hooks; {registry['rules']} rules. screen() calls no hook."
    )
    print()
    print("\n".join(shares(real, stub, registry)))
    if profile is not None:
        print()
        print("\n".join(profile_lines(profile)))
    print()
    print(verdict(real))
    print(columns_verdict(columns))


if __name__ == "__main__":
    main()
