"""What the benchmarks share: the machine's description, memory and load readings, tables."""

from __future__ import annotations

import gc
import os
import platform
import resource
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata


def package_version(dist: str) -> str:
    """Return the installed version of ``dist``, or "not installed"."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def python_info(dists: Iterable[str]) -> list[str]:
    """Return lines describing the interpreter, the platform and the packages ``dists``."""
    return [
        f"python: {sys.version.replace(chr(10), ' ')}",
        f"executable: {sys.executable}",
        f"platform: {platform.platform()} ({platform.machine()})",
        f"gc thresholds: {gc.get_threshold()}",
        "packages: " + ", ".join(f"{d} {package_version(d)}" for d in dists),
    ]


def peak_mb() -> float:
    """Return the peak resident memory of this process so far, in MB of 2**20 bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs kB


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, as ``uptime`` shows them."""
    try:
        return " ".join(f"{load:.2f}" for load in os.getloadavg())
    except OSError:
        return "unknown"


def render(rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Return ``rows`` (the first one the headers) as aligned text lines."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
