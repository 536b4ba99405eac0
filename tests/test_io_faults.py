"""Fault injection: an export killed anywhere leaves the old file or the new one, never less.

Each run is a child process playing ``territoires export`` with a profiler counting the
function calls of the export; the child kills itself (``SIGKILL`` or ``SIGTERM``) at the N-th
call, N drawn from the whole export and from the calls around each rename, or writes under a
file-size limit (``RLIMIT_FSIZE``: the disk is full after N bytes). Whatever the point:

- the target holds exactly the previous export or exactly the new one (a folder too: it never
  goes missing, even where folders are swapped with two renames);
- a run the process controls (``SIGTERM``, a full disk) leaves no temporary file, and says
  what it could not write in one line naming the target;
- after a ``SIGKILL``, the next export to the same target succeeds and leaves nothing behind,
  nor anything in the temporary directory.

The kill points are chosen once, from a fixed seed, among the calls a first, counting run
reports: the same points every run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import territoires

FORMS = {  # format -> (target name, whether a folder)
    "json": ("out.json", False),
    "datapackage": ("out", True),
    "xlsx": ("out.xlsx", False),
}
POINTS = 3  # random kill points per form and signal, besides those around the renames

CHILD = r"""
import json, os, resource, signal, sys
settings = json.loads(os.environ["FAULT_SETTINGS"])
import territoires
from territoires.io import _atomic
if settings["no_exchange"]:
    _atomic._renameat2 = lambda: None  # the fallback: two renames
if settings["fsize"] is not None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (settings["fsize"], settings["fsize"]))
count = 0
marks = []
point = settings["point"]
RENAMES = (os.rename, os.replace)

def profile(frame, event, arg):
    global count
    renaming = (
        event in ("c_call", "c_return") and any(arg is rename for rename in RENAMES)
    ) or (event in ("call", "return") and frame.f_code.co_name == "_exchange")
    if renaming and event in ("c_return", "return"):
        marks.append(count + 1)  # the first call after the rename returned
    if event == "call" or event == "c_call":
        count += 1
        if renaming:
            marks.append(count)  # the rename's own call: a kill there comes before it
        if count == point:
            os.kill(os.getpid(), settings["signal"])

original = territoires.export

def export(*args, **kwargs):
    if settings["profile"]:
        sys.setprofile(profile)
    try:
        return original(*args, **kwargs)
    finally:
        sys.setprofile(None)
        if settings["profile"] and settings["fsize"] is None:  # else it could not be written
            with open(settings["report"], "w") as stream:
                json.dump({"count": count, "marks": marks}, stream)

territoires.export = export
from territoires.cli import main
sys.exit(main(settings["argv"]))
"""


def _play(
    folder: Path,
    form: str,
    *,
    point: int = 0,
    number: int = signal.SIGKILL,
    fsize: int | None = None,
    no_exchange: bool = False,
    profile: bool = True,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Export ``d.json`` to the form's target in a child process that faults as asked.

    The child counts the calls of the export (and reports them) unless ``profile`` is false.
    """
    target, _ = FORMS[form]
    report = folder / ".calls.json"
    report.unlink(missing_ok=True)
    settings = {
        "argv": ["export", "d.json", "--with-participations", "--format", form, "-o", target],
        "point": point,
        "signal": int(number),
        "fsize": fsize,
        "no_exchange": no_exchange,
        "profile": profile,
        "report": str(report),
    }
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TERRITOIRES_")},
        "FAULT_SETTINGS": json.dumps(settings),
        "TERRITOIRES_PLUGINS": ",",
        "TERRITOIRES_NO_PROGRESS": "1",
        "TMPDIR": str(folder / ".tmpdir"),
        "PYTHONHASHSEED": "0",  # the same calls in the same order, run after run
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    calls = json.loads(report.read_text()) if report.exists() else {}
    return done, calls


def _content(path: Path) -> object:
    """The bytes of a file, or the names and bytes of a folder's files; None when absent."""
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}
    return path.read_bytes() if path.exists() else None


def _stray(folder: Path) -> list[str]:
    """What lies in the folder besides the input, the target and the test's own files."""
    keep = {"d.json", ".calls.json", ".tmpdir", *(name for name, _ in FORMS.values())}
    found = [p.name for p in folder.iterdir() if p.name not in keep]
    found += [f".tmpdir/{p.name}" for p in (folder / ".tmpdir").iterdir()]
    return sorted(found)


def _small(seed: int) -> territoires.Dataset:
    """Two contracts of the demo with their activity: every sheet and file, written quickly."""
    demo = territoires.demo.build(participations=300, seed=seed)
    contracts = demo.contracts[:2]
    actions = {action.id for contract in contracts for action in contract.all_actions()}
    return attrs.evolve(
        demo,
        contracts=contracts,
        participations=tuple(p for p in demo.participations if p.action in actions),
        reports=tuple(r for r in demo.reports if r.action in actions),
    )


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """For each form: the previous export's content, the new one's, and the calls it makes."""
    folder = tmp_path_factory.mktemp("faults")
    (folder / ".tmpdir").mkdir()
    territoires.dump(_small(seed=2), folder / "d.json")
    previous = {}
    for form, (target, _) in FORMS.items():
        _play(folder, form, profile=False)
        previous[form] = _content(folder / target)
    territoires.dump(_small(seed=territoires.demo.DEFAULT_SEED), folder / "d.json")
    found: dict[str, Any] = {"folder": folder, "previous": previous, "new": {}, "calls": {}}
    for form, (target, _) in FORMS.items():
        run = _reset(found, form)
        done, _ = _play(run, form, profile=False)
        assert done.returncode == 0, done.stderr
        found["new"][form] = _content(run / target)
        assert found["new"][form] != previous[form]
    return found


def _calls(stage: dict[str, Any], form: str, *, no_exchange: bool = False) -> dict[str, Any]:
    """The calls an export makes, counted where the kills happen (a folder like theirs)."""
    known: dict[tuple[str, bool], dict[str, Any]] = stage["calls"]
    if (form, no_exchange) not in known:
        done, known[form, no_exchange] = _play(_reset(stage, form), form, no_exchange=no_exchange)
        assert done.returncode == 0, done.stderr
    return known[form, no_exchange]


def _reset(stage: dict[str, Any], form: str) -> Path:
    """A fresh folder holding the input and the previous export of ``form``."""
    runs = stage.setdefault("runs", [0])
    runs[0] += 1
    folder: Path = stage["folder"] / f"run-{runs[0]:06d}"
    folder.mkdir()
    (folder / ".tmpdir").mkdir()
    (folder / "d.json").write_bytes((stage["folder"] / "d.json").read_bytes())
    target, is_folder = FORMS[form]
    previous = stage["previous"][form]
    if is_folder:
        for name, data in previous.items():
            (folder / target / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / target / name).write_bytes(data)
    else:
        (folder / target).write_bytes(previous)
    return folder


def _points(calls: dict[str, Any], seed: int) -> list[int]:
    """Kill points: around each rename, then random ones over the whole export."""
    chance = random.Random(seed)
    around = {p + d for p in calls["marks"] for d in (-1, 0)}
    spread = chance.sample(range(1, calls["count"] + 1), POINTS)
    return sorted(p for p in around | set(spread) if 1 <= p <= calls["count"])


@pytest.mark.parametrize(
    ("form", "no_exchange"),
    # Files are replaced in one rename; folders are exchanged, or swapped in two renames where
    # the system cannot exchange them.
    [("json", False), ("xlsx", False), ("datapackage", False), ("datapackage", True)],
    ids=["json", "xlsx", "datapackage-exchanged", "datapackage-two-renames"],
)
def test_a_killed_export_leaves_the_old_or_the_new_and_the_next_cleans_up(
    stage: dict[str, Any], form: str, no_exchange: bool
) -> None:
    """SIGKILL anywhere: the target is the old or the new; the next export leaves nothing."""
    target = FORMS[form][0]
    outcomes = set()
    for point in _points(_calls(stage, form, no_exchange=no_exchange), seed=1):
        folder = _reset(stage, form)
        done, _ = _play(folder, form, point=point, no_exchange=no_exchange)
        assert done.returncode == -signal.SIGKILL, (point, done.stderr)
        found = _content(folder / target)
        if found is None:  # killed between the two renames: the next write mends it
            assert no_exchange, f"no target after a kill at call {point}"
        else:
            assert found in (stage["previous"][form], stage["new"][form]), point
        outcomes.add("new" if found == stage["new"][form] else "old")
        again, _ = _play(folder, form, no_exchange=no_exchange, profile=False)
        assert again.returncode == 0, again.stderr
        assert _content(folder / target) == stage["new"][form]
        assert _stray(folder) == [], point
    assert outcomes == {"old", "new"}, "the kill points must fall before and after the rename"


@pytest.mark.parametrize("form", list(FORMS))
def test_a_terminated_export_cleans_up_before_it_ends(stage: dict[str, Any], form: str) -> None:
    """SIGTERM anywhere: the target is the old or the new, and no temporary file is left."""
    target = FORMS[form][0]
    for point in _points(_calls(stage, form), seed=2):
        folder = _reset(stage, form)
        done, _ = _play(folder, form, point=point, number=signal.SIGTERM)
        if done.returncode == 128 + signal.SIGTERM:  # during the write: it cleaned up, and says
            assert done.stderr == "territoires: terminated (SIGTERM)\n"
        else:  # before the write began or after it ended: the signal's default action
            assert done.returncode in (0, -signal.SIGTERM), done.stderr
            assert done.stderr == ""
        assert _content(folder / target) in (stage["previous"][form], stage["new"][form])
        assert _stray(folder) == [], point


@pytest.mark.parametrize("form", list(FORMS))
def test_a_full_disk_is_one_line_naming_the_target_and_changes_nothing(
    stage: dict[str, Any], form: str
) -> None:
    """A file-size limit reached mid-write: exit 2, one line naming the target, nothing left."""
    target, _ = FORMS[form]
    largest = max(
        len(data)
        for data in (
            [stage["new"][form]]
            if isinstance(stage["new"][form], bytes)
            else stage["new"][form].values()
        )
    )
    chance = random.Random(3)
    for limit in sorted({0, 1, largest - 1, *chance.sample(range(largest), 4)}):
        folder = _reset(stage, form)
        done, _ = _play(folder, form, fsize=limit, profile=False)
        assert done.returncode == 2, (limit, done.stderr)
        assert done.stderr == (
            f"territoires: cannot write {target}: the file would be larger than this process "
            "may write (file size limit)\n"
        ), limit
        assert done.stdout == ""
        assert _content(folder / target) == stage["previous"][form]
        assert _stray(folder) == [], limit
