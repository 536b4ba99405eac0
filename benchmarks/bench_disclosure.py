"""Disclosure control of a publication over periods: linked protection and audit, beside today's.

The data is the demo dataset (``territoires.demo.build(participations=N)``, 1,000,000 rows by
default), read from the folder the indicator benchmark caches (``--data``/``indicators-N``)
when it is there, else built and written there once. Each measurement runs in a fresh
interpreter, so that its peak memory (``ru_maxrss``) belongs to it alone; the clock starts
after loading the data.

=====================  =======================================================================
measurement            timed
=====================  =======================================================================
single-table           ``compute_indicators(dataset, period=YEAR, audit=False)``: the national
                       set, every level and breakdown, protected by the rules of one table
                       (what versions before 0.2 did): the baseline
year, audited          the same with the audit loop (no ledger): the table protected against an
                       attacker solving its equations together
S1 + S2 + year         the publication: ``YEAR-S1`` with an empty ledger, ``YEAR-S2`` with the
                       ledger of S1, ``YEAR`` with the ledger of both (each release recorded in
                       memory with ``release_of``): the three computations together
audit of the 3 files   ``disclosure.audit`` of the three published tables (what
                       ``territoires audit`` does with the three files), independent of the
                       protector: it must find no exposed cell
=====================  =======================================================================

Target (issue 12, for 1,000,000 rows on a 2-core machine): the publication (S1 + S2 + year,
protected and audited) within 3x today's single-year computation, under 2 GB (2048 MB of
2**20 bytes) of peak memory.

Usage::

    .venv/bin/python benchmarks/bench_disclosure.py                  # 1,000,000 rows
    .venv/bin/python benchmarks/bench_disclosure.py --rows 100000 --year 2022
    .venv/bin/python benchmarks/bench_disclosure.py --timeout 1800   # give up after 30 min
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import load_average, peak_mb, python_info, render

REPO = Path(__file__).resolve().parents[1]
TARGET_ROWS = 1_000_000
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 2048.0
DISTRIBUTIONS = ("territoires", "highspy", "attrs", "msgspec")


def _dataset(data: Path, rows: int) -> Any:
    """The demo dataset of ``rows`` participations, cached as a data package under ``data``."""
    import territoires

    folder = data / f"indicators-{rows}"
    if (folder / "datapackage.json").exists():
        return territoires.load(folder)
    dataset = territoires.demo.build(participations=rows)
    folder.parent.mkdir(parents=True, exist_ok=True)
    territoires.dump(dataset, folder)
    return dataset


def _measure(kind: str, data: Path, rows: int, year: str) -> dict[str, Any]:
    """Run one measurement in this process; return its figures."""
    from territoires.disclosure import audit
    from territoires.indicators import compute_indicators
    from territoires.plugins import get_plugin_manager
    from territoires.publication import Ledger, release_of

    plugins = get_plugin_manager(autoload=False)
    dataset = _dataset(data, rows)
    start = time.perf_counter()
    result: dict[str, Any] = {}
    if kind == "single":
        table = compute_indicators(dataset, period=year, plugins=plugins, audit=False)
        result["suppressed"] = sum(row.status.suppressed for row in table)
    elif kind == "audited":
        table = compute_indicators(dataset, period=year, plugins=plugins)
        result["suppressed"] = sum(row.status.suppressed for row in table)
        result["exposed"] = len(table.audit.exposed) if table.audit else 0
    else:
        ledger = Ledger()
        published = {}
        suppressed = 0
        for period in (f"{year}-S1", f"{year}-S2", year):
            table = compute_indicators(
                dataset, period=period, plugins=plugins, ledger=ledger, fingerprint="bench"
            )
            ledger = ledger.with_release(release_of(table, fingerprint="bench", label=period))
            published[period] = table.published()
            suppressed += sum(row.status.suppressed for row in table)
        result["suppressed"] = suppressed
        if kind == "publication":
            result["exposed"] = sum(
                len(entry.exposed) for entry in [table.audit] if entry is not None
            )
        else:  # the independent audit of the three published tables, timed alone
            start = time.perf_counter()
            report = audit(published, plugins=plugins)
            result["exposed"] = len(report.exposed)
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = peak_mb()
    return result


def _child(kind: str, data: Path, rows: int, year: str, timeout: float | None) -> dict[str, Any]:
    """Run :func:`_measure` in a fresh interpreter (given up after ``timeout`` seconds)."""
    command = [sys.executable, __file__, "--child", kind, "--data", str(data)]
    try:
        done = subprocess.run(
            [*command, "--rows", str(rows), "--year", year],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the table of the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--year", default="2022", help="the year published (default: 2022)")
    parser.add_argument("--data", type=Path, default=REPO / "bench-data")
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds after which a measurement is given up (shown as '> N')",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child, args.data, args.rows, args.year)))
        return 0
    for line in python_info(DISTRIBUTIONS):
        print(line)
    print(f"rows: {args.rows:,}; year: {args.year}; load average: {load_average()}")
    _dataset(args.data, args.rows)  # written once, outside the measurements
    labels = {
        "single": "single-table (baseline)",
        "audited": "year, audited",
        "publication": "S1 + S2 + year, linked",
        "audit": "audit of the 3 files",
    }
    figures = {kind: _child(kind, args.data, args.rows, args.year, args.timeout) for kind in labels}
    base = figures["single"].get("seconds", float("nan"))
    rows = [["measurement", "seconds", "x baseline", "peak MB", "suppressed", "exposed"]]
    for kind, label in labels.items():
        found = figures[kind]
        if "timeout" in found:
            limit = found["timeout"]
            rows.append([label, f"> {limit:.0f}", f"> {limit / base:.0f}", "", "", ""])
            continue
        rows.append(
            [
                label,
                f"{found['seconds']:.1f}",
                f"{found['seconds'] / base:.2f}",
                f"{found['peak_mb']:.0f}",
                f"{found['suppressed']:,}",
                str(found.get("exposed", "")),
            ]
        )
    print("\n".join(render(rows)))
    if "timeout" in figures["publication"]:
        print(f"publication / single-table year: > {figures['publication']['timeout'] / base:.0f}")
        return 0
    ratio = figures["publication"]["seconds"] / base
    peak = max(found["peak_mb"] for found in figures.values() if "peak_mb" in found)
    print(
        f"publication / single-table year: {ratio:.2f} (target <= {TARGET_RATIO}); "
        f"peak {peak:.0f} MB (target <= {TARGET_PEAK_MB:.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
