"""The hostile corpus: every attack of ``tests/data/hostile/`` gives exactly what its case says.

Each case runs the command line in a child process under a CPU limit, with its peak memory
measured, and checks the exit code, what is printed (never a traceback), the files that must
not change and the temporary files that must not be left (see :mod:`hostile`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import (
    CLASSES,
    GENERATORS,
    HOSTILE,
    Case,
    cases,
    check,
    load_generators,
    prepare,
    run,
    snapshot,
)

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    """The attack ends as its case says: exit code, exact output, bounded time and memory."""
    name = prepare(case, tmp_path)
    before = snapshot(case, tmp_path, name)
    outcome = run(case, tmp_path, name)
    check(case, outcome, before)


def test_the_corpus_covers_every_harm() -> None:
    """Every harm the corpus guards against has at least one case."""
    covered = {case.harm for case in CASES}
    assert covered == set(CLASSES), f"no case for {sorted(set(CLASSES) - covered)}"


def test_every_input_of_the_corpus_is_used() -> None:
    """No file of the corpus folder and no generator is left without a case naming it."""
    load_generators()
    files = {p.name for p in HOSTILE.iterdir() if p.suffix != ".toml" and p.name != "README.md"}
    assert files <= {case.file for case in CASES}, sorted(files - {c.file for c in CASES})
    assert set(GENERATORS) <= {case.generate for case in CASES}
