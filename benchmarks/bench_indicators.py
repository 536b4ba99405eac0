"""Indicators over a million participations: territoires' national set beside polars and duckdb.

The data is the demo dataset (``territoires.demo.build(participations=N)``, 1,000,000 rows by
default) written once by ``territoires.dump`` as a data-package folder (``datapackage.json``,
``dataset.json``, ``participations.csv``, ``reports.csv``) in ``--data``/``indicators-N``. When
the load benchmark has already cached the same rows (``participations-N.csv`` and
``participations-N-context.json``, written from the same ``demo.build``), the folder is written
from them, which takes seconds instead of minutes.

Each measurement runs in a fresh interpreter, so that its peak memory (``ru_maxrss``) belongs to
it alone; the GC is left on (``compute_indicators`` pauses it by itself). The clock starts after
the imports; "load" and "compute" are timed apart:

===================  ==========================================================================
measurement          timed
===================  ==========================================================================
territoires          load: ``territoires.load(folder)``; compute: ``compute_indicators(dataset,
                     period=P, plugins=get_plugin_manager(autoload=False))``: the whole
                     national set (13 indicators), every level (action, contract, territory,
                     national), every breakdown, disclosure control, the rows of the table
territoires counts   the same call restricted to the 7 distinct-count indicators
                     (``indicators=[...]``) and without the audit (``audit=False``): the
                     counts, the disclosure rules and the rows, the figure compared with
                     polars and duckdb, which compute the counts only. The audit (an exact
                     attacker's linear programmes over the suppressed cells, solved by HiGHS)
                     is in the national set's time: the difference between the two rows
polars               load: the action → contract → territory mapping (from ``dataset.json``,
                     read by territoires, contracts as amended at the end of the period) and
                     ``pl.read_csv`` of participations.csv, every column typed; compute: the 7
                     distinct-count indicators at every level and breakdown (lazy group-bys
                     run together by ``pl.collect_all``), results materialised
duckdb               load: the same mapping, and ``CREATE TABLE ... AS SELECT * FROM
                     read_csv(...)`` with typed columns; compute: the temporary tables of the
                     rows present and of the exits in the period, then one ``GROUP BY
                     GROUPING SETS`` query per indicator (every level and breakdown at once,
                     ``count(DISTINCT person)``), results fetched
===================  ==========================================================================

The distinct-count indicators are ``beneficiaries`` (total, by public category, by sex, by age
band), ``share_women``, ``share_under_26``, ``exit_employment_rate`` and ``exit_housing_rate``
(total and by sex), ``exit_french_progress_rate`` and ``beneficiaries_per_10000``, with the
definitions of ``territoires.builtins.indicators``: a participation is *present* in the period
when it entered on or before its end and had not left before its start; an *exit* is a
participation whose exit date lies in the period; persons are counted once per cell (a
person in two actions counts once in their contract). polars and duckdb compute the counts
only: no disclosure control, no table of rows, which territoires' figure includes.

polars and duckdb use every core by default (``--threads N`` limits both); territoires runs
on one. "cpu s" is the process CPU time of the compute, all threads together; "gc s" the time
of the garbage collector's collections within it (``gc.callbacks``).

The parent checks that the three agree: the same cells (keys), and for every cell that
territoires publishes, the same value (counts, and percents rounded as territoires rounds
them); it prints a few national and territory figures from each.

A per-indicator breakdown of territoires' compute time runs in its own process: one
``compute_indicators(..., indicators=[name])`` call per indicator. Every call starts again
from the rows: the scope (contracts amended at the end of the period, rows grouped by action)
is timed alone as ``compute_indicators(..., indicators=[])`` and subtracted, so "own s" is what
the indicator adds: selecting the rows present or exiting in the period (which a call of the
whole set does once, for every indicator), the calculators, merges up the levels, breakdowns,
disclosure control and rows. The standalone calls therefore add up to more than the whole set;
the profile tells what is shared. ``--profile`` runs ``cProfile`` over the whole set and prints
the top functions by own time, and the territoires functions by cumulative time (the
calculators among them).

Targets (for 1,000,000 rows on a 2-core machine): the full set in under 10 s, under 2 GB
(2048 MB of 2**20 bytes) of peak memory, the distinct counts within 3x of polars' time.

Usage::

    .venv/bin/python benchmarks/bench_indicators.py                 # 1,000,000 rows
    .venv/bin/python benchmarks/bench_indicators.py --rows 100000 --repeat 3
    .venv/bin/python benchmarks/bench_indicators.py --period 2022-S1 --threads 1
    .venv/bin/python benchmarks/bench_indicators.py --only territoires,polars --profile

Needs the ``bench`` extra (polars, duckdb). Times are medians over ``--repeat`` fresh
processes, peak memory the largest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _common import load_average, peak_mb, python_info, render

if TYPE_CHECKING:
    import duckdb
    import polars as pl

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = ("territoires", "polars", "duckdb", "attrs", "msgspec")
TARGET_ROWS = 1_000_000
TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 2048.0
TARGET_VS_POLARS = 3.0
TARGET_END_TO_END_VS_POLARS = 1.5  # issue 15: load + distinct counts, against polars'
TARGET_COLUMNAR_PEAK_MB = 400.0  # issue 15: load + the whole set over a million rows
DEFAULT_PERIOD = "2021"
PROFILE_TOP = 15

# The distinct-count indicators, and how a cell's counts become its published value.
DISTINCT: dict[str, str] = {
    "beneficiaries": "count",  # (persons,)
    "share_women": "percent",  # (numerator, denominator)
    "share_under_26": "percent",
    "exit_employment_rate": "percent",
    "exit_housing_rate": "percent",
    "exit_french_progress_rate": "percent",
    "beneficiaries_per_10000": "per_10000",  # (persons, inhabitants)
}
LEVELS = ("action", "contract", "territory", "national")
NATIONAL = "FR"
TOOLS = ("territoires", "distinct", "breakdown", "polars", "duckdb")
KINDS = (*TOOLS, "profile")
LABELS = {
    "territoires": "territoires (national set)",
    "distinct": "territoires (distinct counts)",
    "polars": "polars (distinct counts)",
    "duckdb": "duckdb (distinct counts)",
}
CSV_TYPES = {  # every column of participations.csv, typed as the comparators read it
    "id": "string",
    "person": "string",
    "action": "string",
    "entry_date": "date",
    "exit_date": "date",
    "status": "string",
    "sex": "string",
    "age_band": "string",
    "residence": "string",
    "employment": "string",
    "housing": "string",
    "french_entry": "string",
    "french_exit": "string",
}

CellKey = tuple[str, str, str, str, str]  # indicator, level, entity, dimension, category


# -- the data -------------------------------------------------------------------------------------


def folder_for(data: Path, rows: int) -> Path:
    return data / f"indicators-{rows}"


def generate(data: Path, rows: int) -> str:
    """Write the data-package folder of the demo with ``rows`` participations (in a child)."""
    import attrs

    import territoires

    folder = folder_for(data, rows)
    rows_csv = data / f"participations-{rows}.csv"
    context = data / f"participations-{rows}-context.json"
    if rows_csv.exists() and context.exists():
        # bench_load.py's cache: the same demo.build(participations=rows), as a participations
        # CSV and the document without participations (contracts, reports...).
        dataset = attrs.evolve(
            territoires.load(context),
            participations=territoires.load(rows_csv).participations,
        )
        how = f"from {rows_csv.name} and {context.name}"
    else:
        from territoires import demo

        dataset = demo.build(participations=rows)
        how = "with territoires.demo.build"
    data.mkdir(parents=True, exist_ok=True)
    territoires.dump(dataset, folder)
    return how


@dataclass(frozen=True)
class Meta:
    """What the comparators take from ``dataset.json`` and the enumerations, not from the rows."""

    start: dt.date
    end: dt.date
    actions: list[tuple[str, str, str]]  # (action, contract, territory) in scope
    populations: dict[str, tuple[str, int]]  # contract -> (territory, population), if known
    categories: dict[str, str]  # status -> public category ("none" outside every public)
    known_sex: list[str]
    female: str
    unspecified_sex: str
    known_age: list[str]  # age bands other than "unknown"
    under_26: list[str]
    unknown_age: str
    durable: dict[str, list[str]]  # outcome column -> its durable values
    french_rank: dict[str, int]


def read_meta(folder: Path, period_text: str) -> Meta:
    """The scope of the period and the enumerations' semantics, as territoires defines them."""
    import territoires
    from territoires.geo import get_geography
    from territoires.indicators import parse_period
    from territoires.model.enums import (
        AdministrativeStatus,
        AgeBand,
        EmploymentOutcome,
        FrenchLevel,
        HousingOutcome,
        Sex,
    )

    period = parse_period(period_text)
    end = period.end or dt.date.max
    document = territoires.load(folder / "dataset.json")
    geography = get_geography()
    actions: list[tuple[str, str, str]] = []
    populations: dict[str, tuple[str, int]] = {}
    for contract in document.contracts:
        amended = contract.as_of(end)  # as compute_indicators' scope: actions added by avenants
        actions.extend((a.id, amended.id, amended.territory) for a in amended.actions)
        official = geography.lookup(amended.territory)
        if official is not None and official.population:
            populations[amended.id] = (amended.territory, official.population)
    under_26 = (AgeBand.UNDER_18, AgeBand.FROM_18_TO_25)
    return Meta(
        start=period.start,
        end=end,
        actions=actions,
        populations=populations,
        categories={
            s.value: s.public_category.value if s.public_category else "none"
            for s in AdministrativeStatus
        },
        known_sex=[Sex.FEMALE.value, Sex.MALE.value],
        female=Sex.FEMALE.value,
        unspecified_sex=Sex.UNSPECIFIED.value,
        known_age=[b.value for b in AgeBand if b is not AgeBand.UNKNOWN],
        under_26=[b.value for b in under_26],
        unknown_age=AgeBand.UNKNOWN.value,
        durable={
            "employment": [o.value for o in EmploymentOutcome if o.is_durable],
            "housing": [o.value for o in HousingOutcome if o.is_durable],
        },
        french_rank={level.value: level.rank for level in FrenchLevel},
    )


# -- one measurement, in a fresh process ----------------------------------------------------------


class Clock:
    """Wall, CPU and garbage-collector time of the laps of one measurement.

    Started after the imports. The collector's time is the sum of its collections, read from
    ``gc.callbacks``.
    """

    def __init__(self) -> None:
        self.base_mb = 0.0
        self.laps: dict[str, tuple[float, float, float]] = {}
        self.marks: dict[str, float] = {}
        self._wall = self._cpu = self._gc = 0.0
        self._gc_total = self._gc_started = 0.0
        gc.callbacks.append(self._collecting)

    def _collecting(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self._gc_total += time.perf_counter() - self._gc_started

    def start(self) -> None:
        self.base_mb = peak_mb()
        self._wall, self._cpu, self._gc = time.perf_counter(), time.process_time(), self._gc_total

    def lap(self, name: str) -> None:
        wall, cpu, collecting = time.perf_counter(), time.process_time(), self._gc_total
        self.laps[name] = (wall - self._wall, cpu - self._cpu, collecting - self._gc)
        self.marks[name] = peak_mb()
        self._wall, self._cpu, self._gc = wall, cpu, collecting


def _cells_of(table: Iterable[Any]) -> list[list[Any]]:
    """The rows of an IndicatorTable as [indicator, level, entity, dimension, category, ...]."""
    out = []
    for row in table:
        level = row.level.value
        entity = {"action": row.action, "contract": row.contract}.get(level, row.territory)
        value = None if row.value is None else format(row.value, "f")
        dimension = row.dimension.value if row.dimension else ""
        out.append(
            [row.indicator, level, entity, dimension, row.category or "", row.status.value, value]
        )
    return out


def _territoires_setup(folder: Path) -> tuple[Any, Any]:
    import territoires  # noqa: F401  (imported before the clock starts)
    from territoires.geo import get_geography
    from territoires.indicators import compute_indicators
    from territoires.plugins import get_plugin_manager

    get_geography()  # loaded once per process, as in any program that computes twice
    return compute_indicators, get_plugin_manager(autoload=False)


def measure_territoires(args: argparse.Namespace, clock: Clock, distinct: bool) -> dict[str, Any]:
    import territoires

    compute_indicators, manager = _territoires_setup(args.folder)
    names = list(DISTINCT) if distinct else None
    clock.start()
    dataset = territoires.load(args.folder)
    clock.lap("load")
    table = compute_indicators(
        dataset, period=args.period, plugins=manager, indicators=names, audit=not distinct
    )
    clock.lap("compute")
    statuses = Counter(row.status.value for row in table)
    result: dict[str, Any] = {
        "participations": len(dataset.participations),
        "rows": len(table),
        "indicators": len(table.indicators),
        "statuses": dict(statuses),
    }
    if distinct:
        result["cells"] = _cells_of(table)
    return result


def measure_breakdown(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    import territoires

    compute_indicators, manager = _territoires_setup(args.folder)
    clock.start()
    dataset = territoires.load(args.folder)
    clock.lap("load")

    def timed(names: list[str]) -> tuple[float, Any]:
        gc.collect()
        start = time.perf_counter()
        table = compute_indicators(dataset, period=args.period, plugins=manager, indicators=names)
        return time.perf_counter() - start, table

    # No indicator at all: what every call starts with (the contracts amended at the end of
    # the period, the rows grouped by action), through the public API.
    empty = statistics.median(timed([])[0] for _ in range(3))
    indicators = []
    for name in manager.indicators:
        seconds, table = timed([name])
        statuses = Counter(row.status.value for row in table)
        suppressed = statuses["primary"] + statuses["secondary"]
        indicators.append((name, seconds, len(table), suppressed))
        del table
    clock.lap("compute")
    return {
        "participations": len(dataset.participations),
        "scope": empty,
        "indicators": indicators,
    }


def _where(key: tuple[str, int, str]) -> str:
    """A short label of a profiled function."""
    file, line, name = key
    if file == "~":
        return name
    if file.startswith("<"):  # code generated by attrs
        return f"{file}.{name}"
    parts = Path(file).parts
    start = parts.index("territoires") if "territoires" in parts else len(parts) - 2
    return f"{'/'.join(parts[start:])}:{line}({name})"


def measure_profile(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    import cProfile
    import pstats

    import territoires

    compute_indicators, manager = _territoires_setup(args.folder)
    dataset = territoires.load(args.folder)
    profiler = cProfile.Profile()
    clock.start()
    profiler.enable()
    compute_indicators(dataset, period=args.period, plugins=manager)
    profiler.disable()
    clock.lap("compute")
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in raw.values())
    functions = sorted(
        (
            (_where(key), calls, own, cumulative)
            for key, (_, calls, own, cumulative, _) in raw.items()
        ),
        key=lambda row: row[2],
        reverse=True,
    )
    cumulative = sorted(
        (
            (_where(key), calls, cum)
            for key, (_, calls, _, cum, _) in raw.items()
            if "territoires" in key[0] and key[2] not in ("compute_indicators", "<genexpr>")
        ),
        key=lambda row: row[2],
        reverse=True,
    )
    return {
        "participations": len(dataset.participations),
        "total": total,
        "functions": functions[:PROFILE_TOP],
        "cumulative": cumulative[:PROFILE_TOP],
    }


# -- polars ---------------------------------------------------------------------------------------


def polars_counts(rows: pl.DataFrame, meta: Meta) -> pl.DataFrame:
    """Every distinct-count cell as (indicator, level, entity, dimension, category, c0, c1)."""
    import polars as pl

    person = pl.col("person")
    scope = pl.DataFrame(
        meta.actions, schema=["action", "contract", "territory"], orient="row"
    ).with_columns(national=pl.lit(NATIONAL))
    scoped = rows.join(scope, on="action", how="inner")
    present = scoped.filter(
        (pl.col("entry_date") <= meta.end)
        & (pl.col("exit_date").is_null() | (pl.col("exit_date") >= meta.start))
    ).select(
        "person",
        *scope.columns,
        pl.col("status")
        .replace_strict(meta.categories, return_dtype=pl.String)
        .alias("public_category"),
        pl.col("sex").fill_null(meta.unspecified_sex),
        pl.col("age_band").fill_null(meta.unknown_age),
    )
    exits = scoped.filter(pl.col("exit_date").is_between(meta.start, meta.end)).select(
        "person",
        *scope.columns,
        pl.col("sex").fill_null(meta.unspecified_sex),
        "employment",
        "housing",
        pl.col("french_entry")
        .replace_strict(meta.french_rank, default=None, return_dtype=pl.Int8)
        .alias("rank_entry"),
        pl.col("french_exit")
        .replace_strict(meta.french_rank, default=None, return_dtype=pl.Int8)
        .alias("rank_exit"),
    )
    present_lazy, exits_lazy = present.lazy(), exits.lazy()
    queries: list[pl.LazyFrame] = []

    def count(
        indicator: str,
        frame: pl.LazyFrame,
        dimensions: Sequence[str],
        numerator: pl.Expr | None,
        levels: Sequence[str] = LEVELS,
    ) -> None:
        aggregates = [person.n_unique().alias("c0")]
        if numerator is not None:  # a share: (persons in the numerator, persons)
            aggregates = [
                person.filter(numerator).n_unique().alias("c0"),
                person.n_unique().alias("c1"),
            ]
        for level in levels:
            for dimension in ("", *dimensions):
                keys = [pl.col(level).alias("entity")]
                if dimension:
                    keys.append(pl.col(dimension).alias("category"))
                grouped = frame.group_by(keys).agg(aggregates)
                queries.append(
                    grouped.select(
                        pl.lit(indicator).alias("indicator"),
                        pl.lit(level).alias("level"),
                        "entity",
                        pl.lit(dimension).alias("dimension"),
                        pl.col("category") if dimension else pl.lit("").alias("category"),
                        pl.col("c0").cast(pl.Int64),
                        (pl.col("c1") if numerator is not None else pl.lit(0))
                        .cast(pl.Int64)
                        .alias("c1"),
                    )
                )

    count("beneficiaries", present_lazy, ("public_category", "sex", "age_band"), None)
    count(
        "share_women",
        present_lazy.filter(pl.col("sex").is_in(meta.known_sex)),
        (),
        pl.col("sex") == meta.female,
    )
    count(
        "share_under_26",
        present_lazy.filter(pl.col("age_band").is_in(meta.known_age)),
        (),
        pl.col("age_band").is_in(meta.under_26),
    )
    for outcome in ("employment", "housing"):
        count(
            f"exit_{outcome}_rate",
            exits_lazy.filter(pl.col(outcome).is_not_null()),
            ("sex",),
            pl.col(outcome).is_in(meta.durable[outcome]),
        )
    count(
        "exit_french_progress_rate",
        exits_lazy.filter(pl.col("rank_entry").is_not_null() & pl.col("rank_exit").is_not_null()),
        (),
        pl.col("rank_exit") > pl.col("rank_entry"),
    )
    count(
        "beneficiaries_per_10000",
        present_lazy.filter(pl.col("contract").is_in(list(meta.populations))),
        (),
        None,
        levels=("contract", "territory", "national"),
    )
    return pl.concat(pl.collect_all(queries))


def measure_polars(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    import polars as pl

    types = {"string": pl.String, "date": pl.Date}
    schema = {name: types[kind] for name, kind in CSV_TYPES.items()}
    clock.start()
    meta = read_meta(args.folder, args.period)
    rows = pl.read_csv(args.folder / "participations.csv", schema=schema)
    clock.lap("load")
    counts = polars_counts(rows, meta)
    clock.lap("compute")
    return {
        "participations": rows.height,
        "threads": pl.thread_pool_size(),
        **finish(counts.rows(), meta),
    }


# -- duckdb ---------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _texts(values: Iterable[str]) -> str:
    return "(" + ", ".join(map(_text, values)) + ")"


def duckdb_query(
    indicator: str,
    source: str,
    where: str,
    dimensions: Sequence[str],
    numerator: str | None,
    levels: Sequence[str] = LEVELS,
) -> str:
    """One query for every level and single-dimension breakdown of an indicator."""
    sets = ", ".join(
        "(" + ", ".join(filter(None, (level, dimension))) + ")"
        for level in levels
        for dimension in ("", *dimensions)
    )
    level = "CASE " + " ".join(f"WHEN GROUPING({lv}) = 0 THEN '{lv}'" for lv in levels) + " END"
    if dimensions:
        dimension = (
            "CASE "
            + " ".join(f"WHEN GROUPING({d}) = 0 THEN '{d}'" for d in dimensions)
            + " ELSE '' END"
        )
        category = f"coalesce({', '.join(dimensions)}, '')"
    else:
        dimension = category = "''"
    if numerator is None:
        counts = "count(DISTINCT person) AS c0, 0 AS c1"
    else:
        counts = (
            f"count(DISTINCT person) FILTER (WHERE {numerator}) AS c0, count(DISTINCT person) AS c1"
        )
    return (
        f"SELECT '{indicator}', {level}, coalesce({', '.join(levels)}), {dimension}, "
        f"{category}, {counts} FROM {source} WHERE {where} GROUP BY GROUPING SETS ({sets})"
    )


def duckdb_counts(con: duckdb.DuckDBPyConnection, meta: Meta) -> list[tuple[Any, ...]]:
    start, end = _text(meta.start.isoformat()), _text(meta.end.isoformat())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE present AS
        SELECT p.person, m.action, m.contract, m.territory, '{NATIONAL}' AS national,
               s.public_category, coalesce(p.sex, {_text(meta.unspecified_sex)}) AS sex,
               coalesce(p.age_band, {_text(meta.unknown_age)}) AS age_band
        FROM participations p JOIN scope m ON p.action = m.action
             JOIN statuses s ON p.status = s.status
        WHERE p.entry_date <= DATE {end} AND (p.exit_date IS NULL OR p.exit_date >= DATE {start})
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE exits AS
        SELECT p.person, m.action, m.contract, m.territory, '{NATIONAL}' AS national,
               coalesce(p.sex, {_text(meta.unspecified_sex)}) AS sex, p.employment, p.housing,
               fe.rank AS rank_entry, fx.rank AS rank_exit
        FROM participations p JOIN scope m ON p.action = m.action
             LEFT JOIN ranks fe ON p.french_entry = fe.level
             LEFT JOIN ranks fx ON p.french_exit = fx.level
        WHERE p.exit_date BETWEEN DATE {start} AND DATE {end}
        """
    )
    queries = [
        duckdb_query(
            "beneficiaries", "present", "true", ("public_category", "sex", "age_band"), None
        ),
        duckdb_query(
            "share_women",
            "present",
            f"sex IN {_texts(meta.known_sex)}",
            (),
            f"sex = {_text(meta.female)}",
        ),
        duckdb_query(
            "share_under_26",
            "present",
            f"age_band IN {_texts(meta.known_age)}",
            (),
            f"age_band IN {_texts(meta.under_26)}",
        ),
        *(
            duckdb_query(
                f"exit_{outcome}_rate",
                "exits",
                f"{outcome} IS NOT NULL",
                ("sex",),
                f"{outcome} IN {_texts(meta.durable[outcome])}",
            )
            for outcome in ("employment", "housing")
        ),
        duckdb_query(
            "exit_french_progress_rate",
            "exits",
            "rank_entry IS NOT NULL AND rank_exit IS NOT NULL",
            (),
            "rank_exit > rank_entry",
        ),
        duckdb_query(
            "beneficiaries_per_10000",
            "present",
            f"contract IN {_texts(meta.populations)}" if meta.populations else "false",
            (),
            None,
            ("contract", "territory", "national"),
        ),
    ]
    rows: list[tuple[Any, ...]] = []
    for query in queries:
        rows.extend(con.execute(query).fetchall())
    return rows


def measure_duckdb(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads TO {int(args.threads)}")
    types = {"string": "VARCHAR", "date": "DATE"}
    columns = "{" + ", ".join(f"'{n}': '{types[k]}'" for n, k in CSV_TYPES.items()) + "}"
    path = _text(str(args.folder / "participations.csv"))
    clock.start()
    meta = read_meta(args.folder, args.period)
    con.execute(
        f"CREATE TABLE participations AS SELECT * FROM read_csv({path}, header = true, "
        f"columns = {columns}, dateformat = '%Y-%m-%d')"
    )
    con.execute("CREATE TABLE scope (action VARCHAR, contract VARCHAR, territory VARCHAR)")
    con.executemany("INSERT INTO scope VALUES (?, ?, ?)", meta.actions)
    con.execute("CREATE TABLE statuses (status VARCHAR, public_category VARCHAR)")
    con.executemany("INSERT INTO statuses VALUES (?, ?)", list(meta.categories.items()))
    con.execute("CREATE TABLE ranks (level VARCHAR, rank TINYINT)")
    con.executemany("INSERT INTO ranks VALUES (?, ?)", list(meta.french_rank.items()))
    clock.lap("load")
    counts = duckdb_counts(con, meta)
    clock.lap("compute")
    total = con.execute("SELECT count(*) FROM participations").fetchone()
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    return {
        "participations": total[0] if total else 0,
        "threads": threads[0] if threads else None,
        **finish(counts, meta),
    }


def finish(rows: Iterable[Sequence[Any]], meta: Meta) -> dict[str, Any]:
    """The comparators' cells, with the populations of ``beneficiaries_per_10000`` (not timed).

    As in territoires, every contract whose territory has a population has a cell, with zero
    persons when none is present; a territory counts its population once.
    """
    cells: dict[CellKey, list[int]] = {}
    persons: dict[tuple[str, str], int] = {}
    for indicator, level, entity, dimension, category, c0, c1 in rows:
        if indicator == "beneficiaries_per_10000":
            persons[level, entity] = int(c0)
        else:
            counts = [int(c0)] if DISTINCT[indicator] == "count" else [int(c0), int(c1)]
            cells[indicator, level, entity, dimension, category] = counts
    territories = dict(meta.populations.values())
    entities = [("contract", c, p) for c, (_, p) in meta.populations.items()]
    entities += [("territory", t, p) for t, p in territories.items()]
    if territories:
        entities.append(("national", NATIONAL, sum(territories.values())))
    for level, entity, population in entities:
        count = persons.get((level, entity), 0)
        cells["beneficiaries_per_10000", level, entity, "", ""] = [count, population]
    return {"rows": len(cells), "cells": [[*key, *counts] for key, counts in cells.items()]}


# -- the child ------------------------------------------------------------------------------------

MEASURES: dict[str, Callable[[argparse.Namespace, Clock], dict[str, Any]]] = {
    "territoires": lambda args, clock: measure_territoires(args, clock, distinct=False),
    "distinct": lambda args, clock: measure_territoires(args, clock, distinct=True),
    "breakdown": measure_breakdown,
    "polars": measure_polars,
    "duckdb": measure_duckdb,
    "profile": measure_profile,
}


def child(args: argparse.Namespace) -> None:
    """Run one measurement and print its result as one JSON object."""
    clock = Clock()
    result = MEASURES[args.child](args, clock)
    result.update(
        laps=clock.laps,
        marks=clock.marks,
        base_mb=clock.base_mb,
        peak_mb=peak_mb(),
        gc=gc.isenabled(),
    )
    print(json.dumps(result))


# -- the parent: run, check, report ---------------------------------------------------------------


def run_child(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--rows",
        str(args.rows),
        "--data",
        str(args.data),
        "--period",
        args.period,
        "--child",
        kind,
    ]
    env = dict(os.environ)
    if args.threads:
        command += ["--threads", str(args.threads)]
        env["POLARS_MAX_THREADS"] = str(args.threads)
    # stderr is left to the terminal, so that a failing child shows its traceback.
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


@dataclass(frozen=True)
class Run:
    """The median (by compute time) of the fresh processes of one measurement."""

    kind: str
    load: float
    compute: float
    cpu: float
    gc: float
    peak_mb: float
    loaded_mb: float
    rows: int
    last: dict[str, Any]


def measure(args: argparse.Namespace, kind: str) -> Run:
    runs = []
    for n in range(args.repeat):
        label = LABELS.get(kind, kind)
        print(f"  {label}: run {n + 1} of {args.repeat} ...", file=sys.stderr, flush=True)
        runs.append(run_child(args, kind))
    middle = sorted(runs, key=lambda r: r["laps"]["compute"][0])[(len(runs) - 1) // 2]
    return Run(
        kind=kind,
        load=middle["laps"].get("load", (0.0,))[0],
        compute=middle["laps"]["compute"][0],
        cpu=middle["laps"]["compute"][1],
        gc=middle["laps"]["compute"][2],
        peak_mb=max(r["peak_mb"] for r in runs),
        loaded_mb=max(r["marks"].get("load", 0.0) for r in runs),
        rows=middle.get("rows", 0),
        last=middle,
    )


def main_table(runs: Sequence[Run]) -> list[str]:
    rows: list[tuple[str, ...]] = [
        (
            "tool",
            "load s",
            "compute s",
            "cpu s",
            "gc s",
            "load+compute s",
            "peak MB",
            "after load MB",
            "rows",
            "suppressed",
        )
    ]
    for r in runs:
        statuses = r.last.get("statuses")
        suppressed = (
            f"{statuses.get('primary', 0) + statuses.get('secondary', 0):,}" if statuses else "-"
        )
        rows.append(
            (
                LABELS[r.kind],
                f"{r.load:.2f}",
                f"{r.compute:.2f}",
                f"{r.cpu:.2f}",
                f"{r.gc:.2f}",
                f"{r.load + r.compute:.2f}",
                f"{r.peak_mb:,.0f}",
                f"{r.loaded_mb:,.0f}",
                f"{r.rows:,}",
                suppressed,
            )
        )
    return render(rows)


def breakdown_table(result: dict[str, Any], full: Run | None) -> list[str]:
    scope = result["scope"]
    indicators = result["indicators"]
    total_own = sum(max(0.0, seconds - scope) for _, seconds, _, _ in indicators)
    rows: list[tuple[str, ...]] = [
        ("indicator", "call s", "own s", "own %", "rows", "suppressed", "distinct count")
    ]
    for name, seconds, count, suppressed in sorted(indicators, key=lambda i: -i[1]):
        own = max(0.0, seconds - scope)
        rows.append(
            (
                name,
                f"{seconds:.2f}",
                f"{own:.2f}",
                f"{100 * own / total_own:.1f}" if total_own else "-",
                f"{count:,}",
                f"{suppressed:,}",
                "yes" if name in DISTINCT else "",
            )
        )
    calls = sum(seconds for _, seconds, _, _ in indicators)
    return [
        "per indicator (territoires, one compute_indicators(indicators=[name]) call each, in one "
        f"process); scope = compute_indicators(indicators=[]) = {scope:.2f} s, which every "
        "call includes; own s = call s - scope (a share's call also computes beneficiaries, the "
        "breakdown it is linked to for disclosure control):",
        "",
        *render(rows),
        "",
        f"sum of the calls {calls:.2f} s = {len(indicators)} scopes ({len(indicators) * scope:.2f} "
        f"s) + own time {total_own:.2f} s"
        + (
            f"; the whole set in one call took {full.compute:.2f} s against one scope + the "
            f"own times = {scope + total_own:.2f} s (one call selects the rows present and the "
            "exits once per action for every indicator; each standalone call selects them again)"
            if full
            else ""
        ),
    ]


def profile_lines(result: dict[str, Any]) -> list[str]:
    total = result["total"]
    rows: list[tuple[str, ...]] = [
        (f"function (top {PROFILE_TOP} by own time)", "calls", "own s", "own %", "cum s")
    ]
    for label, calls, own, cum in result["functions"]:
        rows.append((label, f"{calls:,}", f"{own:.3f}", f"{100 * own / total:.1f}", f"{cum:.3f}"))
    cumulative: list[tuple[str, ...]] = [
        (f"territoires function (top {PROFILE_TOP} by cumulative time)", "calls", "cum s", "cum %")
    ]
    for label, calls, cum in result["cumulative"]:
        cumulative.append((label, f"{calls:,}", f"{cum:.3f}", f"{100 * cum / total:.1f}"))
    head = (
        f"cProfile of compute_indicators() over {result['participations']:,} participations, "
        f"whole national set ({total:.2f} s of own time under the profiler, which inflates "
        "Python calls):"
    )
    return [head, "", *render(rows), "", *render(cumulative)]


# -- agreement ------------------------------------------------------------------------------------

_HUNDREDTH = Decimal("0.01")


def value_of(indicator: str, counts: Sequence[int]) -> str:
    """The published value of a comparator's cell, computed as territoires computes it."""
    kind = DISTINCT[indicator]
    if kind == "count":
        return format(Decimal(counts[0]), "f")
    share = Decimal(counts[0]) / Decimal(counts[1])
    scale = 100 if kind == "percent" else 10_000
    return format((share * scale).quantize(_HUNDREDTH), "f")


def _key(cell: Sequence[Any]) -> CellKey:
    return (str(cell[0]), str(cell[1]), str(cell[2]), str(cell[3]), str(cell[4]))


def agreement(ours: Run, others: Sequence[Run]) -> tuple[bool, list[str]]:
    """Compare every cell of territoires' distinct counts with each comparator's."""
    published = {_key(c): c[6] for c in ours.last["cells"] if c[5] == "published"}
    keys = {_key(c) for c in ours.last["cells"]}
    ok = True
    lines = []
    theirs: dict[str, dict[CellKey, list[int]]] = {}
    for run in others:
        cells = {_key(c): [int(n) for n in c[5:]] for c in run.last["cells"]}
        theirs[run.kind] = cells
        missing, extra = keys - cells.keys(), cells.keys() - keys
        wrong = [k for k, v in published.items() if k in cells and value_of(k[0], cells[k]) != v]
        if missing or extra or wrong:
            ok = False
            lines.append(
                f"DISAGREE: {run.kind} has {len(missing)} cells fewer, {len(extra)} more and "
                f"{len(wrong)} published values different from territoires'"
            )
            for key in [*sorted(missing)[:3], *sorted(extra)[:3]]:
                lines.append(f"  cell only in {'territoires' if key in keys else run.kind}: {key}")
            for key in wrong[:5]:
                lines.append(
                    f"  {key}: territoires {published[key]}, {run.kind} "
                    f"{value_of(key[0], cells[key])} from counts {cells[key]}"
                )
    if ok and others:
        names = ", ".join(r.kind for r in others)
        lines.append(
            f"agree: territoires, {names} give the same {len(keys):,} cells of the "
            f"{len(DISTINCT)} distinct-count indicators (every level and breakdown), and the same "
            f"value in each of the {len(published):,} cells territoires publishes"
        )
    # A few figures, side by side, asserted equal.
    territory = sorted(k[2] for k in keys if k[:2] == ("beneficiaries", "territory"))[:1]
    figures: list[CellKey] = [
        ("beneficiaries", "national", NATIONAL, "", ""),
        ("beneficiaries", "national", NATIONAL, "sex", "female"),
        ("share_women", "national", NATIONAL, "", ""),
        ("exit_employment_rate", "national", NATIONAL, "", ""),
        *[("beneficiaries", "territory", t, "", "") for t in territory],
        *[("share_under_26", "territory", t, "", "") for t in territory],
    ]
    rows: list[tuple[str, ...]] = [("figure", "territoires", *(r.kind for r in others))]
    for key in figures:
        if key not in keys:
            continue
        ours_value = published.get(key) or "(suppressed)"
        values = [
            value_of(key[0], theirs[r.kind][key]) if key in theirs[r.kind] else "-" for r in others
        ]
        if key in published and any(v != published[key] for v in values):
            ok = False
        label = f"{key[0]} {key[1]} {key[2]}" + (f" {key[3]}={key[4]}" if key[3] else "")
        rows.append((label, ours_value, *values))
    lines += ["", *render(rows)]
    return ok, lines


# -- verdicts -------------------------------------------------------------------------------------


def verdicts(runs: Mapping[str, Run], rows: int) -> list[str]:
    lines = []
    full = runs.get("territoires")
    judged = rows >= TARGET_ROWS
    note = f" (the target is for {TARGET_ROWS:,} rows: not judged at N = {rows:,})"
    if full is not None:
        ok = "ok" if full.compute < TARGET_SECONDS else "MISSED"
        lines.append(
            f"verdict: the whole national set takes {full.compute:.2f} s to compute "
            f"(+ {full.load:.2f} s to load)"
            + (f"; target < {TARGET_SECONDS:g} s: {ok}" if judged else note)
        )
        ok = "ok" if full.peak_mb < TARGET_PEAK_MB else "MISSED"
        lines.append(
            f"verdict: peak memory of load + whole set {full.peak_mb:,.0f} MB"
            + (f"; target < {TARGET_PEAK_MB:,.0f} MB: {ok}" if judged else note)
        )
    if full is not None:
        ok = "ok" if full.peak_mb <= TARGET_COLUMNAR_PEAK_MB else "MISSED"
        lines.append(
            f"verdict (issue 15): peak memory of load + whole set {full.peak_mb:,.0f} MB"
            + (f"; target ≤ {TARGET_COLUMNAR_PEAK_MB:,.0f} MB: {ok}" if judged else note)
        )
    distinct, polars_run = runs.get("distinct"), runs.get("polars")
    if distinct is not None and polars_run is not None:
        ours, theirs = distinct.load + distinct.compute, polars_run.load + polars_run.compute
        ok = "ok" if ours <= TARGET_END_TO_END_VS_POLARS * theirs else "MISSED"
        lines.append(
            f"verdict (issue 15): load + distinct counts take {ours / theirs:.2f}x polars' time "
            f"end to end ({ours:.2f} s against {theirs:.2f} s); target ≤ "
            f"{TARGET_END_TO_END_VS_POLARS:g}x: {ok}"
            + ("" if judged else f" (at N = {rows:,}; the target is for {TARGET_ROWS:,})")
        )
    if distinct is not None and polars_run is not None:
        ratio = distinct.compute / polars_run.compute
        ok = "ok" if ratio <= TARGET_VS_POLARS else "MISSED"
        threads = polars_run.last.get("threads")
        lines.append(
            f"verdict: distinct counts take {ratio:.1f}x polars' time ({distinct.compute:.2f} s "
            f"against {polars_run.compute:.2f} s on {threads} thread(s)); target ≤ "
            f"{TARGET_VS_POLARS:g}x: {ok}"
            + ("" if judged else f" (at N = {rows:,}; the target is for {TARGET_ROWS:,})")
        )
    return lines


def ratio_lines(runs: Mapping[str, Run]) -> list[str]:
    distinct = runs.get("distinct")
    if distinct is None:
        return []
    lines = []
    for kind in ("polars", "duckdb"):
        other = runs.get(kind)
        if other is None:
            continue
        threads = other.last.get("threads")
        lines.append(
            f"territoires / {kind} (distinct counts, compute): "
            f"{distinct.compute / other.compute:.1f}x the wall time, "
            f"{distinct.cpu / other.cpu:.1f}x the CPU time ({kind} on {threads} thread(s))"
        )
    return lines


def names(text: str) -> list[str]:
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in TOOLS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}: choose among {', '.join(TOOLS)}"
        )
    return chosen


def parse(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=TARGET_ROWS, help="participation rows (N)")
    parser.add_argument(
        "--period",
        default=DEFAULT_PERIOD,
        help=f"period of the indicators: 2021, 2021-S1, a..b (default {DEFAULT_PERIOD})",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=REPO / "bench-data",
        help="folder caching the generated data (default: bench-data/ at the repo root)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per measurement")
    parser.add_argument(
        "--threads", type=int, help="threads of polars and duckdb (default: theirs, every core)"
    )
    parser.add_argument(
        "--only",
        type=names,
        metavar="NAMES",
        help="comma-separated measurements: " + ",".join(TOOLS),
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile compute_indicators() over the whole set and print the top functions",
    )
    parser.add_argument(
        "--python-info",
        action="store_true",
        help="also print the interpreter, platform and library versions",
    )
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(None if argv is None else list(argv))
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    from territoires.exceptions import FormatError
    from territoires.indicators import parse_period

    try:
        parse_period(args.period)
    except FormatError as error:
        parser.error(str(error))
    args.data = args.data.resolve()
    args.folder = folder_for(args.data, args.rows)
    return args


def main(argv: Iterable[str] | None = None) -> None:
    args = parse(argv)
    if args.generate:
        print(generate(args.data, args.rows))
        return
    if args.child:
        child(args)
        return

    if not (args.folder / "datapackage.json").exists():
        print(f"writing {args.folder} ({args.rows:,} rows) ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        command = [sys.executable, str(Path(__file__).resolve()), "--generate"]
        command += ["--rows", str(args.rows), "--data", str(args.data)]
        how = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        print(
            f"  done {how.strip()} in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    loaded = load_average()
    print(f"measuring (load average {loaded}) ...", file=sys.stderr, flush=True)
    chosen = args.only or list(TOOLS)
    runs: dict[str, Run] = {}
    breakdown = profile = None
    for kind in TOOLS:
        if kind not in chosen:
            continue
        if kind == "breakdown":
            print("  per-indicator breakdown ...", file=sys.stderr, flush=True)
            breakdown = run_child(args, "breakdown")
        else:
            runs[kind] = measure(args, kind)
    if args.profile:
        print("  profile ...", file=sys.stderr, flush=True)
        profile = run_child(args, "profile")

    print()
    if args.python_info:
        print("\n".join(python_info(DISTRIBUTIONS)))
    csv_mb = (args.folder / "participations.csv").stat().st_size / 2**20
    participations = next(iter(runs.values())).last["participations"] if runs else args.rows
    gc_state = "on" if all(r.last["gc"] for r in runs.values()) else "OFF in some runs"
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{loaded} before and {load_average()} after; GC {gc_state} (compute_indicators pauses "
        f"it); median of {args.repeat} fresh process(es) per row"
    )
    print(
        f"N = {participations:,} participations ({args.folder.name}/participations.csv "
        f"{csv_mb:,.0f} MB), period {args.period}"
    )
    print()
    if runs:
        print("\n".join(main_table(list(runs.values()))))
        print()
        print(
            "load = read and type the rows (territoires: the whole folder; polars and duckdb: "
            "participations.csv and the scope from dataset.json); compute = the indicators at "
            "every level (territoires: also disclosure control and the table's rows); cpu s = "
            "process CPU time of the compute, all threads; gc s = time in the garbage "
            "collector's collections within compute; peak MB = ru_maxrss of the process; rows = "
            "cells of the result; suppressed = primary + secondary secrecy"
        )
        print("\n".join(ratio_lines(runs)))
    agreed = True
    distinct = runs.get("distinct")
    others = [runs[k] for k in ("polars", "duckdb") if k in runs]
    if distinct is not None and others:
        print()
        agreed, lines = agreement(distinct, others)
        print("\n".join(lines))
    if breakdown is not None:
        print()
        print("\n".join(breakdown_table(breakdown, runs.get("territoires"))))
    if profile is not None:
        print()
        print("\n".join(profile_lines(profile)))
    print()
    print(
        "\n".join(verdicts(runs, participations))
        or "no verdict: it needs territoires (time, memory), distinct and polars (ratio)"
    )
    if not agreed:
        raise SystemExit("the tools disagree: see above")


if __name__ == "__main__":
    main()
