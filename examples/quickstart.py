"""Quick start: build the demo dataset, write it as a data package, load it back, check it.

Run with ``python examples/quickstart.py [FOLDER]``; the demo's activity is synthetic.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import territoires


def main(folder: Path) -> int:
    """Write the demo to ``folder``, reload it and print the contracts active on 1 June 2024."""
    demo = territoires.demo.build()
    territoires.dump(demo, folder)
    loaded = territoires.load(folder)
    assert loaded == demo, "a data package must read back exactly what was written"
    problems = territoires.validate(loaded)
    on = dt.date(2024, 6, 1)
    active = [c for c in loaded.contracts if c.status(on) is territoires.ContractStatus.ACTIVE]
    print(f"{len(loaded.contracts)} contracts, {len(active)} active on {on}:")
    for contract in active:
        print(f"  {contract.id:<24} until {contract.as_of(on).period.end}")
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "demo"
    sys.exit(main(target))
