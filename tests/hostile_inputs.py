"""Generators of the hostile corpus: inputs too large or too odd to commit (see hostile.py).

Each generator writes one input into the folder it is given and returns its path; a case
names it with ``generate = "NAME"``. Generators are deterministic.
"""

from __future__ import annotations

from pathlib import Path

from hostile import generator

HEADER = "id,person,action,entry_date,status"


@generator
def demo_json(folder: Path) -> Path:
    """The demo dataset with 500 participations, as a JSON document (a valuable input)."""
    import territoires

    return territoires.dump(territoires.demo.build(participations=500), folder / "d.json")


@generator
def fifo(folder: Path) -> Path:
    """A named pipe nobody writes to: reading it would wait forever."""
    import os

    path = folder / "pipe.csv"
    os.mkfifo(path)
    return path
