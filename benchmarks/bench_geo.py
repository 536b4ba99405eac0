"""Cold and warm costs of the bundled geography, as seen from the command line.

Each cold measurement runs in a fresh interpreter (``python -c``) so that nothing is cached in
memory; the operating system's file cache is warm after the first run, as it is for a user who
runs the command twice. Byte-code is cached (in a temporary ``PYTHONPYCACHEPREFIX``) as it is
for an installed package, even where ``PYTHONDONTWRITEBYTECODE`` is set; ``--no-bytecode``
measures compiling every module from source instead. Prints a table of medians (and the best
run) in milliseconds.

Usage::

    .venv/bin/python benchmarks/bench_geo.py [--runs 15] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import resources

# Each probe prints one JSON object of step -> seconds, measured inside the fresh process.
PROBE = r"""
import json, time
t0 = time.perf_counter()
import territoires.model
t1 = time.perf_counter()
import territoires.geo as geo
t2 = time.perf_counter()
g = geo.get_geography()
t3 = time.perf_counter()
g.lookup("69123")
t4 = time.perf_counter()
g.lookup("01018")
t5 = time.perf_counter()
g.search("clermont ferrand")
t6 = time.perf_counter()
g.search("saint etienne")
t7 = time.perf_counter()
g.suggest("242100411")
t8 = time.perf_counter()
g.is_within("69266", "reg:84")
t9 = time.perf_counter()
print(json.dumps({
    "import territoires (its __init__ and the model)": t1 - t0,
    "import territoires.geo (after the model)": t2 - t1,
    "get_geography() (load)": t3 - t2,
    "first lookup (69123)": t4 - t3,
    "first alias lookup (01018, loads aliases)": t5 - t4,
    "first search (builds the name index)": t6 - t5,
    "second search": t7 - t6,
    "suggest (SIREN typo)": t8 - t7,
    "is_within (commune in région)": t9 - t8,
    "total: import + load + first lookup": t4 - t0,
    "total: geo only (load + first lookup)": t4 - t2,
}))
"""

WHOLE = "import territoires.geo as g; g.lookup('69123')"


def cold(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {}
    subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, env=env)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True, env=env
        ).stdout
        for step, seconds in json.loads(out).items():
            samples.setdefault(step, []).append(seconds)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", WHOLE], check=True, env=env)
        samples.setdefault("wall clock: python -c (import + lookup)", []).append(
            time.perf_counter() - start
        )
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
        samples.setdefault("wall clock: python -c pass (baseline)", []).append(
            time.perf_counter() - start
        )
    return samples


def formats(runs: int) -> dict[str, list[float]]:
    """Decode costs of the data file: gunzip (saved by shipping it uncompressed), then JSON."""
    import msgspec

    data = resources.files("territoires.geo").joinpath("_data", "geography.json.gz").read_bytes()
    raw = gzip.decompress(data)
    steps: dict[str, Callable[[], object]] = {
        "decode: gunzip": lambda: gzip.decompress(data),
        "decode: json.loads": lambda: json.loads(raw),
        "decode: msgspec.json.decode (used)": lambda: msgspec.json.decode(raw),
    }
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        for step, run in steps.items():
            start = time.perf_counter()
            run()
            samples.setdefault(step, []).append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-bytecode", action="store_true", help="compile modules every run")
    args = parser.parse_args()
    env = dict(os.environ)
    pycache = tempfile.TemporaryDirectory(prefix="bench-geo-pycache-")
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache.name
    root = resources.files("territoires.geo").joinpath("_data")
    sizes = {
        name: len(root.joinpath(name).read_bytes())
        for name in ("geography.json.gz", "aliases.json.gz", "vintage.json")
    }
    raw_size = len(gzip.decompress(root.joinpath("geography.json.gz").read_bytes()))
    mode = "compiled from source" if args.no_bytecode else "byte-code cached"
    print(f"Python {sys.version.split()[0]}, {args.runs} runs, {mode}, medians (best) in ms")
    print(
        "data: "
        + ", ".join(f"{name} {size / 1024:.0f} kB" for name, size in sizes.items())
        + f"; geography.json uncompressed {raw_size / 1024:.0f} kB"
    )
    with pycache:
        samples = cold(args.runs, env) | formats(args.runs)
    width = max(map(len, samples))
    print(f"{'step':<{width}}  {'median':>8}  {'best':>8}")
    for step, values in samples.items():
        median = statistics.median(values) * 1000
        print(f"{step:<{width}}  {median:8.1f}  {min(values) * 1000:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
