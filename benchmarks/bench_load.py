"""Loading a million participation rows: territoires against msgspec, pydantic and json + cattrs.

What each row of the table measures (every measurement runs in a fresh interpreter, so that
its peak memory, ``ru_maxrss``, belongs to that measurement alone and the garbage collector
starts clean; the GC is left on everywhere, as a user's program has it, and territoires pauses
it by itself inside ``load``):

=============  ====  ==========================================================================
tool           file  timed
=============  ====  ==========================================================================
territoires    json  load: ``territoires.load(path)`` (read, decode, type and pattern checks,
                     attrs objects, the small tables through cattrs); validate:
                     ``dataset.validate()`` (cross-record checks: duplicate ids, unknown
                     actions, entry dates within the action's period, ...)
territoires    csv   load: ``territoires.load(path)``; validate: ``attrs.evolve(context,
                     participations=...).validate()``, where ``context`` is the same document
                     without participations, loaded before the clock starts (a CSV file
                     holds participations only, which refer to actions it does not hold)
msgspec        json  ``msgspec.json.Decoder(Document).decode(read_bytes)``: ``Document`` types
                     ``participations: list[Row]``, the other tables ``Any``; ``Row`` is a
                     ``msgspec.Struct`` mirroring ``Participation`` (same field types and
                     defaults, ``forbid_unknown_fields=True``, default settings, so gc=True)
msgspec        csv   ``csv.DictReader``, empty cells dropped (so that a missing value takes
                     its default), then ``msgspec.convert(rows, list[Row], strict=False)``
pydantic       json  ``Document.model_validate_json(read_bytes)``: frozen ``BaseModel`` rows
                     mirroring ``Participation`` with ``extra="forbid"``, other tables ``Any``
pydantic       csv   ``csv.DictReader``, empty cells dropped (as for msgspec; a dropped
                     optional cell is None), then ``TypeAdapter(list[Row]).validate_python``
json+cattrs    json  ``json.loads`` then ``cattrs.Converter().structure(rows,
                     list[Participation])``: the default converter, plus the one hook it lacks
                     (ISO dates); the attrs validators run for each row. It shows why
                     territoires has a fast path; slow, so skipped above 200,000 rows unless
                     ``--all``
=============  ====  ==========================================================================

msgspec and pydantic check types, enumeration values and unknown keys only; territoires also
checks the patterns of ids, pseudonyms and commune codes and that exit dates follow entry dates
while loading, then the cross-record rules in ``validate``. The comparison is the issue's:
territoires' load + validate against the others' typed decoding of the same rows. Reading the
file is timed for every tool; building decoders, models and adapters is not.

The data is the demo dataset (``territoires.demo.build(participations=N)``) written once by
``territoires.dump`` as a territoires/1 document (``participations-N.json``), as a
participations CSV (``participations-N.csv``) and as the document without participations
(``participations-N-context.json``, for the CSV row's validate), cached in ``--data`` by N.
Generating them is slow (about a minute per 100,000 rows on a small machine), and done once.

Targets (for 1,000,000 rows, issue 15, on every supported interpreter): load + validate within
1.2x of msgspec, at least 3x faster than pydantic, JSON and CSV; at most 1 GB (1024 MB of
2**20 bytes) of peak memory (the core issue's bound). The first line says which interpreter ran.

Usage::

    .venv/bin/python benchmarks/bench_load.py                    # 1,000,000 rows, once
    .venv/bin/python benchmarks/bench_load.py --rows 100000 --repeat 3
    .venv/bin/python benchmarks/bench_load.py --only territoires,msgspec,json
    .venv/bin/python benchmarks/bench_load.py --rows 100000 --all --python-info

Times are medians over ``--repeat`` fresh processes, peak memory the largest.
"""

import argparse
import csv
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import peak_mb, python_info

from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    EmploymentOutcome,
    FrenchLevel,
    HousingOutcome,
    Sex,
)

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = ("territoires", "msgspec", "pydantic", "pydantic-core", "attrs", "cattrs")
TOOLS = ("territoires", "msgspec", "pydantic", "cattrs")
LABELS = {"cattrs": "json+cattrs"}
FORMATS = ("json", "csv")
CATTRS_LIMIT = 200_000
TARGET_VS_MSGSPEC = 1.2
TARGET_VS_PYDANTIC = 3.0
TARGET_PEAK_MB = 1024.0
TARGET_ROWS = 1_000_000


# -- files ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    """The cached files for N rows."""

    json: Path
    csv: Path
    context: Path  # the document without participations, to validate the CSV rows against

    @classmethod
    def for_rows(cls, folder: Path, rows: int) -> "Files":
        return cls(
            json=folder / f"participations-{rows}.json",
            csv=folder / f"participations-{rows}.csv",
            context=folder / f"participations-{rows}-context.json",
        )

    def all(self) -> tuple[Path, ...]:
        return (self.json, self.csv, self.context)


def generate(files: Files, rows: int) -> None:
    """Write the demo dataset with ``rows`` participations (run in a child process)."""
    import attrs

    import territoires
    from territoires import demo
    from territoires.model import Dataset

    dataset = demo.build(participations=rows)
    files.json.parent.mkdir(parents=True, exist_ok=True)
    territoires.dump(dataset, files.json)
    territoires.dump(Dataset(participations=dataset.participations), files.csv)
    territoires.dump(attrs.evolve(dataset, participations=()), files.context)


# -- the comparators' models ----------------------------------------------------------------------
# Built in functions so that each child imports only the library it measures.


def msgspec_types() -> tuple[type[Any], type[Any]]:
    """Return msgspec's ``(Row, Document)``, mirroring ``Participation`` field for field."""
    import msgspec

    class Row(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
        id: str
        person: str
        action: str
        entry_date: dt.date
        exit_date: dt.date | None = None
        status: AdministrativeStatus
        sex: Sex = Sex.UNSPECIFIED
        age_band: AgeBand = AgeBand.UNKNOWN
        residence: str | None = None
        employment: EmploymentOutcome | None = None
        housing: HousingOutcome | None = None
        french_entry: FrenchLevel | None = None
        french_exit: FrenchLevel | None = None

    class Document(msgspec.Struct, forbid_unknown_fields=True):
        schema: str
        info: Any = None
        territories: Any = None
        parties: Any = None
        contracts: Any = None
        participations: list[Row] = []
        reports: Any = None

    _check_mirror(Row.__struct_fields__)
    return Row, Document


def pydantic_types() -> tuple[type[Any], type[Any]]:
    """Return pydantic's ``(Row, Document)``, mirroring ``Participation`` field for field."""
    from pydantic import BaseModel, ConfigDict, Field

    class Row(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        id: str
        person: str
        action: str
        entry_date: dt.date
        exit_date: dt.date | None = None
        status: AdministrativeStatus
        sex: Sex = Sex.UNSPECIFIED
        age_band: AgeBand = AgeBand.UNKNOWN
        residence: str | None = None
        employment: EmploymentOutcome | None = None
        housing: HousingOutcome | None = None
        french_entry: FrenchLevel | None = None
        french_exit: FrenchLevel | None = None

    class Document(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        schema_: str = Field(alias="schema")  # "schema" would shadow a BaseModel method
        info: Any = None
        territories: Any = None
        parties: Any = None
        contracts: Any = None
        participations: list[Row] = []
        reports: Any = None

    _check_mirror(tuple(Row.model_fields))
    return Row, Document


def _check_mirror(names: tuple[str, ...]) -> None:
    import attrs

    from territoires.model import Participation

    expected = tuple(a.name for a in attrs.fields(Participation))
    assert names == expected, f"the rows must mirror Participation: {names} != {expected}"


def csv_records(path: Path) -> list[dict[str, str]]:
    """Read a CSV file as dicts, dropping empty cells so that missing values take defaults."""
    with open(path, newline="", encoding="utf-8") as stream:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(stream)]


# -- one measurement, in a fresh process ----------------------------------------------------------


class Clock:
    """Started by each measure once its imports and models are ready, not before."""

    def __init__(self) -> None:
        self.base_mb = 0.0
        self.started = 0.0

    def start(self) -> float:
        self.base_mb = peak_mb()
        self.started = time.perf_counter()
        return self.started

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


Timed = tuple[int, float, float | None, dict[str, int]]  # rows, load s, validate s, problems


def measure_territoires(files: Files, fmt: str, clock: Clock) -> Timed:
    import attrs

    import territoires

    context = territoires.load(files.context) if fmt == "csv" else None
    path = files.json if fmt == "json" else files.csv
    start = clock.start()
    dataset = territoires.load(path)
    loaded = time.perf_counter()
    if context is not None:
        dataset = attrs.evolve(context, participations=dataset.participations)
    problems = dataset.validate()
    validated = time.perf_counter()
    codes: dict[str, int] = {}
    for problem in problems:
        codes[str(problem.code.value)] = codes.get(str(problem.code.value), 0) + 1
    return len(dataset.participations), loaded - start, validated - loaded, codes


def measure_msgspec(files: Files, fmt: str, clock: Clock) -> Timed:
    import msgspec

    row, document = msgspec_types()
    if fmt == "json":
        decoder = msgspec.json.Decoder(document)
        clock.start()
        rows = decoder.decode(files.json.read_bytes()).participations
    else:
        clock.start()
        rows = msgspec.convert(csv_records(files.csv), list[row], strict=False)  # type: ignore[valid-type]
    return len(rows), clock.elapsed(), None, {}


def measure_pydantic(files: Files, fmt: str, clock: Clock) -> Timed:
    from pydantic import TypeAdapter

    row, document = pydantic_types()
    if fmt == "json":
        clock.start()
        rows = document.model_validate_json(files.json.read_bytes()).participations
    else:
        adapter = TypeAdapter(list[row])  # type: ignore[valid-type]
        clock.start()
        rows = adapter.validate_python(csv_records(files.csv))
    return len(rows), clock.elapsed(), None, {}


def measure_cattrs(files: Files, fmt: str, clock: Clock) -> Timed:
    import cattrs

    from territoires.model import Participation

    assert fmt == "json", "the json+cattrs baseline reads the JSON document only"
    converter = cattrs.Converter()
    # The one hook the default converter lacks: it has none for dates.
    converter.register_structure_hook(dt.date, lambda value, _: dt.date.fromisoformat(value))
    clock.start()
    document = json.loads(files.json.read_bytes())
    rows = converter.structure(document["participations"], list[Participation])
    return len(rows), clock.elapsed(), None, {}


MEASURES: dict[str, Callable[[Files, str, Clock], Timed]] = {
    "territoires": measure_territoires,
    "msgspec": measure_msgspec,
    "pydantic": measure_pydantic,
    "cattrs": measure_cattrs,
}


def child(tool: str, fmt: str, files: Files) -> None:
    """Measure one tool on one file and print the result as one JSON object."""
    gc_on = gc.isenabled()
    clock = Clock()
    rows, load, validate, problems = MEASURES[tool](files, fmt, clock)
    result = {
        "rows": rows,
        "load": load,
        "validate": validate,
        "peak_mb": peak_mb(),
        "base_mb": clock.base_mb,
        "gc": gc_on,
        "problems": problems,
    }
    print(json.dumps(result))


# -- the parent: plan, run, report ----------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The median of the runs of one tool on one format."""

    fmt: str
    tool: str
    rows: int
    load: float
    validate: float | None
    peak_mb: float
    base_mb: float
    gc: bool
    problems: dict[str, int]

    @property
    def total(self) -> float:
        return self.load + (self.validate or 0.0)


def run_child(args: argparse.Namespace, *extra: str) -> str:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--rows",
        str(args.rows),
        "--data",
        str(args.data),
        *extra,
    ]
    # stderr is left to the terminal, so that a failing child shows its traceback.
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout


def measure(args: argparse.Namespace, tool: str, fmt: str) -> Result:
    runs = [json.loads(run_child(args, "--child", tool, fmt)) for _ in range(args.repeat)]
    for run in runs:
        assert run["rows"] == args.rows, (
            f"{tool} read {run['rows']:,} rows from the {fmt} file, expected {args.rows:,}"
        )
    validates = [r["validate"] for r in runs if r["validate"] is not None]
    return Result(
        fmt=fmt,
        tool=tool,
        rows=runs[0]["rows"],
        load=statistics.median(r["load"] for r in runs),
        validate=statistics.median(validates) if validates else None,
        peak_mb=max(r["peak_mb"] for r in runs),
        base_mb=statistics.median(r["base_mb"] for r in runs),
        gc=all(r["gc"] for r in runs),
        problems=runs[-1]["problems"],
    )


def plan(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the (tool, format) pairs to measure and notes on those left out."""
    chosen = set(args.only or ())
    tools = [t for t in TOOLS if t in chosen] or list(TOOLS)
    formats = [f for f in FORMATS if f in chosen] or list(FORMATS)
    notes: list[str] = []
    if "cattrs" in tools and args.rows > CATTRS_LIMIT and not args.all:
        tools.remove("cattrs")
        notes.append(
            f"json+cattrs skipped: {args.rows:,} rows > {CATTRS_LIMIT:,} (pass --all to run it)"
        )
    pairs = [(t, f) for f in formats for t in tools if not (t == "cattrs" and f == "csv")]
    return pairs, notes


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table(results: list[Result]) -> list[str]:
    headers = (
        "format",
        "tool",
        "load s",
        "validate s",
        "total s",
        "rows/s",
        "peak MB",
        "base MB",
        "vs msgspec",
        "pydantic/this",
    )
    by = {(r.fmt, r.tool): r for r in results}
    lines: list[tuple[str, ...]] = [headers]
    for r in results:
        msgspec_run = by.get((r.fmt, "msgspec"))
        pydantic_run = by.get((r.fmt, "pydantic"))
        lines.append(
            (
                r.fmt,
                LABELS.get(r.tool, r.tool),
                _seconds(r.load),
                _seconds(r.validate),
                _seconds(r.total),
                f"{r.rows / r.total:,.0f}",
                f"{r.peak_mb:,.0f}",
                f"{r.base_mb:,.0f}",
                _ratio(r.total / msgspec_run.total if msgspec_run else None),
                _ratio(pydantic_run.total / r.total if pydantic_run else None),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def verdict(results: list[Result], rows: int) -> list[str]:
    by = {(r.fmt, r.tool): r for r in results}
    lines = []
    for fmt in FORMATS:
        ours = by.get((fmt, "territoires"))
        if ours is None:
            continue
        parts = []
        msgspec_run = by.get((fmt, "msgspec"))
        if msgspec_run:
            ratio = ours.total / msgspec_run.total
            ok = "ok" if ratio <= TARGET_VS_MSGSPEC else "MISSED"
            parts.append(f"takes {ratio:.2f}x msgspec's time (≤ {TARGET_VS_MSGSPEC:g}x: {ok})")
        pydantic_run = by.get((fmt, "pydantic"))
        if pydantic_run:
            ratio = pydantic_run.total / ours.total
            ok = "ok" if ratio >= TARGET_VS_PYDANTIC else "MISSED"
            parts.append(f"pydantic takes {ratio:.2f}x its time (≥ {TARGET_VS_PYDANTIC:g}x: {ok})")
        if rows >= TARGET_ROWS:
            ok = "ok" if ours.peak_mb <= TARGET_PEAK_MB else "MISSED"
            parts.append(f"peak {ours.peak_mb:,.0f} MB (≤ {TARGET_PEAK_MB:,.0f} MB: {ok})")
        else:
            # No extrapolation: the CSV reader works in chunks of fixed size, so its peak
            # grows less than linearly with N.
            parts.append(
                f"peak {ours.peak_mb:,.0f} MB (the ≤ {TARGET_PEAK_MB:,.0f} MB target is for "
                f"{TARGET_ROWS:,} rows: not judged at N = {rows:,})"
            )
        lines.append(f"verdict {fmt}: territoires load+validate " + "; ".join(parts))
    return lines


def names(text: str) -> list[str]:
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    known = {*TOOLS, *FORMATS}
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}: choose among {', '.join(sorted(known))}"
        )
    return chosen


def parse(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=TARGET_ROWS, help="participation rows (N)")
    parser.add_argument(
        "--data",
        type=Path,
        default=REPO / "bench-data",
        help="folder caching the generated files (default: bench-data/ at the repo root)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per measurement")
    parser.add_argument(
        "--only",
        type=names,
        metavar="NAMES",
        help="comma-separated tools and/or formats: " + ",".join((*TOOLS, *FORMATS)),
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help=f"run json+cattrs even above {CATTRS_LIMIT:,} rows",
    )
    parser.add_argument(
        "--python-info",
        action="store_true",
        help="also print the interpreter, platform and library versions",
    )
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(None if argv is None else list(argv))
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    args.data = args.data.resolve()
    return args


def main(argv: Iterable[str] | None = None) -> None:
    args = parse(argv)
    files = Files.for_rows(args.data, args.rows)
    if args.generate:
        generate(files, args.rows)
        return
    if args.child:
        tool, fmt = args.child
        child(tool, fmt, files)
        return

    if not all(path.exists() for path in files.all()):
        print(f"generating {args.rows:,} rows in {args.data} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        run_child(args, "--generate")
        print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    pairs, notes = plan(args)
    results = []
    for tool, fmt in pairs:
        print(f"measuring {LABELS.get(tool, tool)} on {fmt} ...", file=sys.stderr, flush=True)
        results.append(measure(args, tool, fmt))

    gc_state = "on" if all(r.gc for r in results) else "OFF in some runs"
    print()
    if args.python_info:
        print("\n".join(python_info(DISTRIBUTIONS)))
    sizes = ", ".join(
        f"{p.name} {p.stat().st_size / 2**20:,.0f} MB" for p in (files.json, files.csv)
    )
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"N = {args.rows:,} rows ({sizes}); GC {gc_state} in the measured processes "
        f"(territoires pauses it inside load); median of {args.repeat} fresh process(es)"
    )
    print()
    print("\n".join(table(results)))
    print()
    print(
        "load = read + decode + build typed rows; validate = territoires' cross-record checks "
        "(csv: against the contracts of the document); total = load + validate; peak MB = "
        "ru_maxrss of the measuring process, base MB = after imports; vs msgspec = total / "
        "msgspec's total; pydantic/this = pydantic's total / this total"
    )
    for r in results:
        if r.tool == "territoires":
            found = ", ".join(f"{n} {code}" for code, n in sorted(r.problems.items())) or "none"
            print(f"validate() on {r.fmt}: problems found: {found}")
    for note in notes:
        print(note)
    print()
    print("\n".join(verdict(results, args.rows)))


if __name__ == "__main__":
    main()
