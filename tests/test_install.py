"""Every install command of the docs works as written, in a fresh virtual environment.

territoires is on no package index, so the docs install it from a clone, or from a wheel built
with one command (``docs/how-to/install.md``). The commands are read from that page, never
copied here, so the page cannot drift from what works: each group of blocks (``test: install
from-clone``, ``test: install from-wheel``) is played in its own fresh virtual environment, in
a copy of the repository, through bash (globs and quotes as a terminal reads them), followed by
the blocks ``test: install check``. Every other install command of the docs must be one of
those played here.

These tests are slow (a wheel built and installed, with its dependencies, about half a minute)
and need pip's package index for the dependencies (a local mirror where there is one): they
carry the ``install`` marker, so ``pytest -m "not install"`` leaves them out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGE = DOCS / "how-to" / "install.md"
MARKER = re.compile(r"^<!--\s*test: install (?P<group>[a-z-]+)\s*-->$")
FENCE = re.compile(r"^```(?P<info>\w*)\s*$")
GROUPS = ("from-clone", "from-wheel")
# What a copy of the repository leaves out: what is not the source, or is built from it.
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")
NOT_SOURCE += (".hypothesis", "bench-data", "_build")
INSTALL = re.compile(r"\bpip (?:install|wheel)\b")


def played_blocks(page: Path = PAGE) -> dict[str, list[str]]:
    """The commands of the console blocks of ``page`` marked ``test: install GROUP``, by group."""
    groups: dict[str, list[str]] = {}
    lines = page.read_text(encoding="utf-8").splitlines()
    group = None
    inside = False
    for line in lines:
        if inside:
            if line.startswith("```"):
                inside, group = False, None
            elif group is not None and line.startswith("$ "):
                groups.setdefault(group, []).append(line[2:])
            continue
        if opening := FENCE.match(line):
            inside = True
            if opening["info"] != "console":
                group = None
            continue
        if marker := MARKER.match(line.strip()):
            group = marker["group"]
        elif line.strip():
            group = None
    return groups


def install_commands_elsewhere() -> dict[str, str]:
    """Install commands of the other pages (``$`` lines and inline code), with where they are.

    Editable installs (``pip install -e``) are left out: they install a plugin in the how-to
    guides, whose own tests play them, or the example plugins into the repository's ``.venv``.
    """
    found: dict[str, str] = {}
    pages = [ROOT / "README.md", *DOCS.rglob("*.md"), *(ROOT / "plugins").glob("*/README.md")]
    for page in sorted(pages):
        if page == PAGE or "_build" in page.parts:
            continue
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            candidates = [line[2:]] if line.startswith("$ ") else re.findall(r"`([^`]+)`", line)
            for command in candidates:
                if installs_territoires(command):
                    found.setdefault(command.strip(), f"{page.relative_to(ROOT)}:{number}")
    return found


def installs_territoires(command: str) -> bool:
    """Whether ``command`` installs or builds territoires, not editable (tools aside).

    Its targets are territoires by name, or a path (a clone, a wheel): ``pip install sphobjinv``,
    a tool from the package index, is no install of territoires.
    """
    match = INSTALL.search(command)
    if match is None or re.search(r"\binstall -e\b", command):
        return False
    targets = [word for word in shlex.split(command[match.end() :]) if not word.startswith("-")]
    return any(word.startswith(("territoires", ".", "/")) or "/" in word for word in targets)


def test_the_page_has_the_blocks_the_test_plays() -> None:
    """The install page has commands in each group, and checks after them."""
    blocks = played_blocks()
    assert set(blocks) == {*GROUPS, "check"}
    assert all(blocks.values())
    assert any(INSTALL.search(command) for command in blocks["from-clone"])
    assert any("pip wheel" in command for command in blocks["from-wheel"])


def test_every_install_command_of_the_docs_is_played() -> None:
    """An install command shown on any other page is one that this module plays."""
    played = {command for commands in played_blocks().values() for command in commands}
    elsewhere = install_commands_elsewhere()
    assert elsewhere, "no install command found in the docs: is the search broken?"
    unplayed = {where: command for command, where in elsewhere.items() if command not in played}
    assert unplayed == {}, "install commands of the docs that tests/test_install.py does not play"


def test_the_extraction_finds_install_commands_and_leaves_editable_ones() -> None:
    """The search of other pages sees ``$`` lines and inline code, not editable installs."""
    commands = install_commands_elsewhere()
    assert 'python -m pip install ".[xlsx,report]"' in commands  # the tutorial's
    assert not [command for command in commands if " -e " in command]
    assert not installs_territoires("pip install sphobjinv")
    assert installs_territoires("pip install territoires")


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's source, as a fresh clone holds it."""
    copy = tmp_path_factory.mktemp("clone") / "territoires"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    return copy


def _environment(venv: Path) -> dict[str, str]:
    """The variables of a terminal where ``venv`` is activated (as ``source bin/activate`` does)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
        and not key.startswith("TERRITOIRES_")
    }
    environment["VIRTUAL_ENV"] = str(venv)
    environment["PATH"] = os.pathsep.join([str(venv / "bin"), environment.get("PATH", "")])
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return environment


@pytest.fixture
def activated(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment, and the variables of a terminal where it is activated."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    return venv, _environment(venv)


def _run(command: str, cwd: Path, environment: dict[str, str]) -> str:
    """Run ``command`` through bash as a terminal would; fail with its output unless it works."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"`{command}` exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@pytest.mark.parametrize("group", GROUPS)
def test_the_install_commands_work_as_written(
    group: str, clone: Path, activated: tuple[Path, dict[str, str]]
) -> None:
    """The page's commands install a territoires that runs, from the venv, not the clone."""
    venv, environment = activated
    blocks = played_blocks()
    for command in [*blocks[group], *blocks["check"]]:
        _run(command, clone, environment)
    where = _run(
        'python -c "import territoires; print(territoires.__file__)"', venv, environment
    ).strip()
    assert Path(where).is_relative_to(venv)  # installed, not read from the clone
    version = _run("territoires --version", venv, environment).split()[-1]
    source = (clone / "src/territoires/_version.py").read_text(encoding="utf-8")
    assert version == re.findall(r'__version__ = "(.+)"', source)[0]
    # The data files of the package came with it: the registry of contracts, the geography.
    registry = _run("territoires registry --id ctair-dijon --format json", venv, environment)
    assert '"signed": "2019-06-12"' in registry
    if group == "from-clone":  # the extras' packages came with the last command
        _run('python -c "import openpyxl, matplotlib"', venv, environment)
    else:
        assert len(list((clone / "dist").glob("territoires-*.whl"))) == 1
