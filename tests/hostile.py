"""The hostile corpus: cases of ``tests/data/hostile/`` and the machinery that plays them.

A case is a TOML file, ``tests/data/hostile/NAME.toml``, describing one attack on the command
line and exactly what must come of it::

    class = "silent-acceptance"       # which harm it guards against (see CLASSES)
    why = "Duplicate keys in a JSON object used to be accepted, the last one winning."
    file = "duplicate-keys.json"      # a file or folder beside the case, copied into the run's
                                      # folder; or
    generate = "wide_header"          # a generator of GENERATORS (large or odd inputs), defined
                                      # in a tests/hostile_inputs*.py module
    args = ["validate", "{file}"]     # the command's arguments; {file} is the input's name
    plugins = ["raises"]              # test-only plugins (tests/plugins/NAME.py) installed as
                                      # distributions for this run only (default: none)
    exit = 1                          # the exit code
    stdout = "..."                    # exactly what it prints (default: nothing), or
    stdout_has = ["...", "..."]       # lines it must print, in this order, among others
    stderr = "..." / stderr_has = [...]   # the same for standard error
    seconds = 10                      # CPU seconds allowed (a hard limit: RLIMIT_CPU)
    memory = 300                      # peak resident memory allowed, in MB (measured)
    unchanged = ["{file}"]            # paths whose content the run must not change
    absent = [".*.tmp"]               # globs that must match nothing in the folder afterwards

The command runs as ``python -m territoires ARGS`` in a fresh folder (the current directory,
so paths in messages are the short names of the case), with no installed plugin but those
the case names, no progress display, and ``TMPDIR`` inside the folder so that nothing left in
the temporary directory goes unseen. Whatever the case says, nothing printed may hold a
traceback or "Exception ignored".
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
PLUGINS = Path(__file__).resolve().parent / "plugins"

CLASSES = {
    "data-loss": "a command destroys or truncates data it was given",
    "atomicity": "a write interrupted or failing leaves a half-written file or a stray one",
    "silent-acceptance": "bad input is accepted without a problem, or partly ignored",
    "traceback": "bad input reaches the user as a traceback instead of a one-line problem",
    "unbounded": "input makes a command take unbounded time or memory, or hang",
    "injection": "text from the data is written where a reader runs or misreads it",
    "plugins": "a faulty plugin takes down more than itself or goes unnamed",
}
"""The harms a case may guard against, as the issue that built the corpus listed them."""

_KEYS = {
    "class",
    "why",
    "file",
    "generate",
    "args",
    "plugins",
    "stdin",
    "env",
    "exit",
    "stdout",
    "stdout_has",
    "stderr",
    "stderr_has",
    "seconds",
    "memory",
    "unchanged",
    "absent",
}

Generator = Callable[[Path], Path]
GENERATORS: dict[str, Generator] = {}
"""Inputs too large or too odd to commit, by name: each writes into a folder, returns the path."""


def load_generators() -> None:
    """Import every ``tests/hostile_inputs*.py`` module, which registers its generators."""
    for path in sorted(Path(__file__).resolve().parent.glob("hostile_inputs*.py")):
        importlib.import_module(path.stem)


def generator(function: Generator) -> Generator:
    """Register ``function`` as the generator named after it."""
    GENERATORS[function.__name__] = function
    return function


@attrs.frozen
class Case:
    """One attack of the corpus and what must come of it (see the module)."""

    name: str
    harm: str
    why: str
    args: tuple[str, ...]
    exit: int
    seconds: float
    memory: int
    file: str | None = None
    generate: str | None = None
    plugins: tuple[str, ...] = ()
    stdin: str | None = None
    env: dict[str, str] = attrs.Factory(dict)
    stdout: str | None = ""
    stdout_has: tuple[str, ...] = ()
    stderr: str | None = ""
    stderr_has: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    @classmethod
    def read(cls, path: Path) -> Case:
        """Read the case file ``path``, refusing unknown keys and missing ones."""
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = set(raw) - _KEYS
        if unknown:
            raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
        if raw.get("class") not in CLASSES:
            raise ValueError(f"{path.name}: class must be one of {sorted(CLASSES)}")
        if ("file" in raw) and ("generate" in raw):
            raise ValueError(f"{path.name}: give file or generate, not both")
        for stream in ("stdout", "stderr"):
            if stream in raw and f"{stream}_has" in raw:
                raise ValueError(f"{path.name}: give {stream} or {stream}_has, not both")
        return cls(
            name=path.stem,
            harm=raw["class"],
            why=raw["why"],
            args=tuple(raw["args"]),
            exit=raw["exit"],
            seconds=raw["seconds"],
            memory=raw["memory"],
            file=raw.get("file"),
            generate=raw.get("generate"),
            plugins=tuple(raw.get("plugins", ())),
            stdin=raw.get("stdin"),
            env=dict(raw.get("env", {})),
            stdout=None if "stdout_has" in raw else raw.get("stdout", ""),
            stdout_has=tuple(raw.get("stdout_has", ())),
            stderr=None if "stderr_has" in raw else raw.get("stderr", ""),
            stderr_has=tuple(raw.get("stderr_has", ())),
            unchanged=tuple(raw.get("unchanged", ())),
            absent=tuple(raw.get("absent", ())),
        )


def cases() -> list[Case]:
    """Every case of the corpus, by name."""
    return [Case.read(path) for path in sorted(HOSTILE.glob("*.toml"))]


@attrs.frozen
class Outcome:
    """What a run of a case gave."""

    exit: int
    stdout: str
    stderr: str
    peak_mb: float
    cpu_seconds: float
    folder: Path


def _install(plugins: tuple[str, ...], site: Path) -> None:
    """Install test-only plugins as distributions in ``site`` (on PYTHONPATH for the run)."""
    site.mkdir()
    for stem in plugins:
        name = stem.replace("_", "-")
        module = f"territoires_hostile_{stem}"
        shutil.copyfile(PLUGINS / f"{stem}.py", site / f"{module}.py")
        info = site / f"territoires_test_{stem}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: territoires-test-{name}\nVersion: 1.0\n",
            encoding="utf-8",
        )
        (info / "entry_points.txt").write_text(
            f"[territoires]\n{name} = {module}\n", encoding="utf-8"
        )


def prepare(case: Case, folder: Path) -> str | None:
    """Put the case's input into ``folder``; return its name relative to ``folder``."""
    if case.file is not None:
        source = HOSTILE / case.file
        target = folder / source.name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copyfile(source, target)
        return source.name
    if case.generate is not None:
        load_generators()
        return str(GENERATORS[case.generate](folder).relative_to(folder))
    return None


def _environment(case: Case, folder: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TERRITOIRES_") and k not in ("PYTHONPATH", "COVERAGE_PROCESS_START")
    }
    temporary = folder / ".tmpdir"
    temporary.mkdir(exist_ok=True)
    env.update(
        {
            "TERRITOIRES_NO_PROGRESS": "1",
            "TMPDIR": str(temporary),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "LC_ALL": "C.UTF-8",
        }
    )
    if case.plugins:
        site = folder / ".site"
        _install(case.plugins, site)
        env["PYTHONPATH"] = str(site)
        env["TERRITOIRES_PLUGINS"] = ",".join(p.replace("_", "-") for p in case.plugins)
    else:
        env["TERRITOIRES_PLUGINS"] = ","  # no installed plugin: the example plugins stay out
    env.update(case.env)
    return env


_LAUNCHER = """\
import os, resource, signal, sys
cpu, address_space, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    os.execv(sys.executable, [sys.executable, "-m", "territoires", *sys.argv[4:]])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as stream:
    stream.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
code = os.waitstatus_to_exitcode(status)
if code < 0:  # end as the command did, so the harness sees the same signal
    if -code != signal.SIGKILL:
        signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""
"""Runs the command in a child of a small process, which reports the child's peak memory.

The peak resident memory the kernel reports for a process counts the memory of the process it
was spawned from (fork and vfork share it until exec): measured directly from pytest, a
40 MB command reads as large as the test process. Forked from this launcher, it reads as
itself.
"""


def run(case: Case, folder: Path, name: str | None) -> Outcome:
    """Play ``case`` on its input ``name`` in ``folder``: limits set, output captured."""
    args = [a.replace("{file}", name or "") for a in case.args]
    env = _environment(case, folder)
    cpu = max(1, int(case.seconds))
    # Memory is measured, not limited, but a runaway case must not take the machine down.
    address_space = max(4 * case.memory, 3072) * 1024 * 1024
    report = folder / ".usage"
    out_path, err_path = folder / ".stdout", folder / ".stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(cpu), str(address_space), str(report), *args],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # the wall-clock bound ends the launcher and the command
        )
        if case.stdin is not None:
            assert process.stdin is not None
            process.stdin.write(case.stdin.encode("utf-8"))
            process.stdin.close()
        # A hang uses no CPU, so the CPU limit does not end it: a wall-clock bound does.
        timer = threading.Timer(
            3 * case.seconds + 10, lambda: os.killpg(process.pid, signal.SIGKILL)
        )
        timer.start()
        try:
            code = process.wait()
        finally:
            timer.cancel()
    if code < 0:
        reason = signal.Signals(-code).name
        raise AssertionError(
            f"{case.name}: killed by {reason} (CPU limit {cpu} s, wall-clock limit "
            f"{3 * case.seconds + 10:.0f} s)"
        )
    maxrss, cpu_seconds = report.read_text(encoding="utf-8").split()
    report.unlink()
    stdout = out_path.read_bytes().decode("utf-8", errors="replace")
    stderr = err_path.read_bytes().decode("utf-8", errors="replace")
    out_path.unlink()
    err_path.unlink()
    return Outcome(
        exit=code,
        stdout=stdout,
        stderr=stderr,
        peak_mb=int(maxrss) / 1024,
        cpu_seconds=float(cpu_seconds),
        folder=folder,
    )


def _lines_in_order(text: str, expected: tuple[str, ...]) -> list[str]:
    """The expected lines missing from ``text``, each looked for after the previous one."""
    lines = text.splitlines()
    missing = []
    position = 0
    for wanted in expected:
        try:
            position = lines.index(wanted, position) + 1
        except ValueError:
            missing.append(wanted)
    return missing


def check(case: Case, outcome: Outcome, snapshot: dict[str, bytes]) -> None:
    """Assert everything ``case`` says of ``outcome``."""
    printed = outcome.stdout + outcome.stderr
    assert "Traceback" not in printed, printed[-3000:]
    assert "Exception ignored" not in printed, printed[-3000:]
    shown = f"\n--- stdout ---\n{outcome.stdout[-3000:]}\n--- stderr ---\n{outcome.stderr[-3000:]}"
    assert outcome.exit == case.exit, f"exit {outcome.exit}, expected {case.exit}{shown}"
    for stream, exact, has in (
        ("stdout", case.stdout, case.stdout_has),
        ("stderr", case.stderr, case.stderr_has),
    ):
        text = getattr(outcome, stream)
        if exact is not None:
            assert text == exact, f"{stream} differs{shown}"
        missing = _lines_in_order(text, has)
        assert not missing, f"{stream} lacks {missing}{shown}"
    assert outcome.peak_mb <= case.memory, (
        f"peak memory {outcome.peak_mb:.0f} MB, bound {case.memory} MB"
    )
    for path, before in snapshot.items():
        assert content(outcome.folder / path) == before, f"{path} changed"
    for pattern in case.absent:
        left = [
            str(p.relative_to(outcome.folder))
            for p in outcome.folder.rglob(pattern)
            if ".site" not in p.parts
        ]
        assert not left, f"left behind: {left}"


def content(path: Path) -> bytes:
    """The bytes of a file, or of every file of a folder (names included), for comparison."""
    if path.is_dir():
        return b"\0".join(
            str(p.relative_to(path)).encode() + b"\0" + p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        )
    return path.read_bytes()


def snapshot(case: Case, folder: Path, name: str | None) -> dict[str, bytes]:
    """The content of the paths the case says must not change, before the run."""
    return {
        path.replace("{file}", name or ""): content(folder / path.replace("{file}", name or ""))
        for path in case.unchanged
    }
