"""The how-to guides do what they say: a test follows each page as its reader would.

``docs/how-to/write-a-plugin.md`` is run by ``test_docs_hooks.py``. Every other page is played
as one **session** in a temporary folder, block by block, in page order. The HTML comment right
before a fenced block says what the block is (the same markers as ``write-a-plugin.md``, plus
files and shell sessions):

``<!-- test -->``
    a Python block, run as a script in the session's current folder. An ``<!-- output -->``
    block right after it is what it prints, exactly.
``<!-- file: PATH -->``
    the content of the file PATH (relative to the session's current folder), written there.
    Several blocks with the same marker are the parts of one file, in order.
``<!-- check: PATH -->``
    the content of a file that a command wrote: PATH must hold exactly this block.
``<!-- test: console -->``
    a shell session: each ``$ `` line is a command, the lines after it what it prints.
    ``territoires ...`` runs in-process and must print exactly what is shown (standard output
    and error together, as a terminal shows them); ``echo $?`` shows the previous exit code;
    ``cd DIR`` changes folder; ``mkdir DIR`` makes one; ``pip install -e DIR`` installs a
    plugin package as an editable install does, without pip (its entry points from its
    ``pyproject.toml``, its sources on ``sys.path``); ``pytest`` runs the package's tests in
    a subprocess, which must pass.
``<!-- skip: why -->``
    not run, for the reason given.

Every ``python`` and ``console`` block carries one of these markers. A session starts with no
installed plugin loaded (``TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD``), so that what a page shows
does not depend on what is installed where the tests run; after ``pip install -e``, exactly
the plugins the page installed are loaded (``TERRITOIRES_PLUGINS``). The session's folder and
``examples/`` are importable, as for a reader who runs Python in their folder and copied the
example a page explains.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest

from territoires import cli, plugins

ROOT = Path(__file__).resolve().parent.parent
HOWTO = ROOT / "docs" / "how-to"
EXAMPLES = ROOT / "examples"

DEDICATED = {
    "install.md": "tests/test_install.py",
    "write-a-plugin.md": "tests/test_docs_hooks.py",
    "write-an-indicator-plugin.md": "tests/test_docs_howto_indicator.py",
}
"""Pages whose session runs in another module, which checks more than the page shows."""

FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[^`]*)$")
MARKER = re.compile(
    r"^<!--\s*(?P<kind>test: console|test: install [a-z-]+|test|output|file:\s*\S+|"
    r"check:\s*\S+|skip:\s*\S.*?)\s*-->$"
)
RUN = {"python", "console"}  # languages whose blocks need a marker
PLUGIN_VARIABLES = (
    "TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD",
    "TERRITOIRES_PLUGINS",
    "TERRITOIRES_TRACE_PLUGINS",
)


def forget_default_plugins() -> None:
    """Make the library build its default plugin manager again, for the plugins now installed."""
    clear = getattr(plugins.default_plugin_manager, "cache_clear", None)
    if clear is not None:
        clear()


@attrs.frozen
class Block:
    """A fenced block of a page, with the marker comment right before it."""

    language: str
    code: str
    line: int  # line of the page where the code starts, from 1
    marker: str | None


def blocks_of(page: Path) -> list[Block]:
    """Return the fenced blocks of ``page``, in order, each with its marker."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    previous = ""
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, info = opening["fence"], opening["info"].strip()
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != fence:
            end += 1
        marker = MARKER.match(previous)
        language = info.split(" ")[0] if info else ""
        code = "\n".join(lines[i + 1 : end])
        found.append(Block(language, code, i + 2, marker["kind"] if marker else None))
        previous = ""
        i = end + 1
    return found


def unmarked(page: Path) -> list[int]:
    """Lines of the ``python`` and ``console`` blocks of ``page`` that have no marker."""
    return [
        block.line
        for block in blocks_of(page)
        if block.language in RUN and (block.marker is None or block.marker == "output")
    ]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def _same(printed: str, shown: str) -> bool:
    """Whether ``printed`` is what the page shows (trailing spaces and blank lines aside)."""
    return _lines(printed) == _lines(shown)


def _difference(printed: str, shown: str) -> str:
    """What differs, as a diff from the page to what was printed."""
    diff = difflib.unified_diff(_lines(shown), _lines(printed), "the page", "printed", lineterm="")
    return "\n".join(diff)


class Session:
    """A reader following a page: a folder, the commands' state, the plugins installed."""

    def __init__(self, page: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.page = page
        self.root = root
        self.cwd = root
        self.monkeypatch = monkeypatch
        self.site = root.parent / f"{root.name}-site-packages"
        self.site.mkdir()
        self.sources: list[Path] = []  # folders that installed packages import from
        self.installed: list[str] = []  # entry-point names of the plugins installed
        self.written: set[Path] = set()
        self.exit_code: int | None = None
        self.namespaces: list[dict[str, Any]] = []
        for variable in PLUGIN_VARIABLES:
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
        monkeypatch.setenv("TERRITOIRES_NO_PROGRESS", "1")
        monkeypatch.syspath_prepend(str(EXAMPLES))
        monkeypatch.syspath_prepend(str(root))
        monkeypatch.chdir(root)
        self._modules = set(sys.modules)
        forget_default_plugins()

    def where(self, block: Block) -> str:
        """``page:line``, to name a block in a failure."""
        return f"{self.page.relative_to(ROOT)}:{block.line}"

    # -- playing the page -------------------------------------------------------------------------

    def play(self) -> None:
        """Run every block of the page, in order."""
        blocks = blocks_of(self.page)
        for index, block in enumerate(blocks):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            shown = following.code if following and following.marker == "output" else None
            marker = block.marker or ""
            if block.language in RUN and (not marker or marker == "output"):
                pytest.fail(f"{self.where(block)}: a {block.language} block needs a marker")
            if marker == "test":
                assert block.language == "python", f"{self.where(block)}: 'test' is for python"
                self.run_python(block, shown)
            elif marker == "test: console":
                assert block.language == "console", f"{self.where(block)}: needs ```console"
                self.run_console(block)
            elif marker.startswith("file:"):
                self.write_file(block, marker.removeprefix("file:").strip())
            elif marker.startswith("check:"):
                path = self.cwd / marker.removeprefix("check:").strip()
                assert path.is_file(), f"{self.where(block)}: {path} was not written"
                written = path.read_text(encoding="utf-8")
                assert _same(written, block.code), (
                    f"{self.where(block)}: {path.name} differs from what the page shows\n"
                    + _difference(written, block.code)
                )

    def write_file(self, block: Block, relative: str) -> None:
        """Write (or add a part to) the file a ``file:`` block holds."""
        path = (self.cwd / relative).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = block.code + "\n"
        if path in self.written:
            with path.open("a", encoding="utf-8") as stream:
                stream.write("\n" + text if path.suffix == ".py" else text)
        else:
            path.write_text(text, encoding="utf-8")
            self.written.add(path)

    def run_python(self, block: Block, shown: str | None) -> None:
        """Run a ``test`` block as a script; compare what it prints with the page."""
        namespace: dict[str, Any] = {"__name__": f"howto_{self.page.stem.replace('-', '_')}"}
        code = compile("\n" * (block.line - 1) + block.code + "\n", str(self.page), "exec")
        printed = io.StringIO()
        self.monkeypatch.chdir(self.cwd)
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
        self.namespaces.append(namespace)
        if shown is not None:
            assert _same(printed.getvalue(), shown), (
                f"{self.where(block)} printed something else:\n"
                + _difference(printed.getvalue(), shown)
            )

    def run_console(self, block: Block) -> None:
        """Run the commands of a ``test: console`` block."""
        commands: list[tuple[str, list[str]]] = []
        for line in block.code.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                assert commands, f"{self.where(block)}: output before any command"
                commands[-1][1].append(line)
        for command, shown in commands:
            printed = self.command(block, command)
            if printed is not None:
                assert _same(printed, "\n".join(shown)), (
                    f"{self.where(block)}: `{command}` printed something else:\n"
                    + _difference(printed, "\n".join(shown))
                )
            else:
                assert not shown, f"{self.where(block)}: `{command}` shows output not checked"

    def command(self, block: Block, command: str) -> str | None:
        """Run one command; return what it printed, or None when its output is not compared."""
        argv = shlex.split(command)
        name, args = argv[0], argv[1:]
        if name == "territoires":
            return self.territoires(args)
        if name == "echo" and args == ["$?"]:
            return str(self.exit_code)
        if name == "mkdir" and len(args) == 1:
            (self.cwd / args[0]).mkdir()
            return ""
        if name == "cd" and len(args) == 1:
            self.cwd = (self.cwd / args[0]).resolve()
            assert self.cwd.is_dir(), f"{self.where(block)}: no folder {args[0]}"
            self.monkeypatch.chdir(self.cwd)
            return ""
        if name == "pip" and args[:2] == ["install", "-e"] and len(args) == 3:
            self.install(Path(args[2].strip("'\"").split("[")[0]))
            return None
        if name == "pytest":
            self.pytest(block, args)
            return None
        pytest.fail(f"{self.where(block)}: the test cannot run `{command}`; mark it skip")

    def territoires(self, args: list[str]) -> str:
        """Run ``territoires ARGS`` in-process, as a terminal shows it."""
        out = io.StringIO()
        self.monkeypatch.chdir(self.cwd)
        with contextlib.redirect_stderr(out):
            try:
                self.exit_code = cli.main(args, out=out)
            except SystemExit as exc:  # argparse refuses the arguments
                self.exit_code = int(exc.code or 0)
        return out.getvalue()

    def install(self, folder: Path) -> None:
        """Install the package in ``folder`` as ``pip install -e`` does, without pip."""
        package = (self.cwd / folder).resolve()
        project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
        metadata = project["project"]
        distribution, version = metadata["name"], metadata["version"]
        points = metadata.get("entry-points", {}).get("territoires", {})
        info = self.site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = [f"{name} = {module}" for name, module in points.items()]
        (info / "entry_points.txt").write_text(
            "[territoires]\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        wheel = project.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        packages = wheel.get("wheel", {}).get("packages", [])
        sources = {(package / p).parent for p in packages} or {package}
        for source in sorted(sources):
            self.monkeypatch.syspath_prepend(str(source))
            self.sources.append(source)
        self.monkeypatch.syspath_prepend(str(self.site))
        self.installed += list(points)
        self.monkeypatch.delenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", raising=False)
        self.monkeypatch.setenv("TERRITOIRES_PLUGINS", ",".join(self.installed))
        forget_default_plugins()

    def pytest(self, block: Block, args: list[str]) -> None:
        """Run the tests of the current folder in a subprocess, where the packages are installed."""
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {*PLUGIN_VARIABLES, "PYTHONPATH", "PYTHONHOME"}
        }
        paths = [str(self.site), *map(str, self.sources)]
        environment.update(PYTHONPATH=os.pathsep.join(paths), PYTHONDONTWRITEBYTECODE="1")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=self.cwd,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        self.exit_code = result.returncode
        assert result.returncode == 0, f"{self.where(block)}: pytest failed\n{result.stdout}"

    def close(self) -> None:
        """Forget the modules the session imported from its folders, and its plugins."""
        forget_default_plugins()
        folders = [self.root, self.site, EXAMPLES, *self.sources]
        for name in set(sys.modules) - self._modules:
            location = getattr(sys.modules[name], "__file__", None) or ""
            if any(location.startswith(str(folder)) for folder in folders):
                del sys.modules[name]


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A factory of sessions: ``session(page)`` plays nothing yet."""
    opened: list[Session] = []

    def start(page: Path) -> Session:
        root = tmp_path / page.stem
        root.mkdir()
        opened.append(Session(page, root, monkeypatch))
        return opened[-1]

    yield start
    for each in opened:
        each.close()


# -- the pages ------------------------------------------------------------------------------------

PAGES = sorted(HOWTO.glob("*.md"))
PLAYED = [page for page in PAGES if page.name not in DEDICATED]


def test_every_how_to_page_is_run_by_a_test() -> None:
    """Each page is played here or by the module named in DEDICATED, which exists."""
    assert PLAYED, "no how-to page to play"
    for name, module in DEDICATED.items():
        assert (HOWTO / name).is_file(), f"DEDICATED names a missing page: {name}"
        assert (ROOT / module).is_file(), f"{name} is said to be run by a missing {module}"


def test_every_runnable_block_has_a_marker() -> None:
    """No ``python`` or ``console`` block of a how-to page is left unmarked (so unchecked)."""
    for page in PAGES:
        if page.name == "write-a-plugin.md":
            continue  # its own markers, checked by test_docs_hooks.py
        assert not unmarked(page), (
            f"{page.relative_to(ROOT)}: blocks at lines {unmarked(page)} need a marker "
            "(see the docstring of tests/test_docs_howto_pages.py)"
        )


def test_the_index_lists_every_page() -> None:
    """``docs/how-to/index.md`` links every guide and has each in its table of contents."""
    index = (HOWTO / "index.md").read_text(encoding="utf-8")
    toctree = index[index.index("```{toctree}") :]
    for page in PAGES:
        if page.name == "index.md":
            continue
        assert f"]({page.name})" in index, f"index.md does not link {page.name}"
        assert f"\n{page.stem}\n" in toctree, f"index.md's toctree misses {page.stem}"


@pytest.mark.parametrize("page", PLAYED, ids=[page.stem for page in PLAYED])
def test_the_page_runs_as_written(page: Path, session: Any) -> None:
    """Every command and Python block of the page runs, and prints what the page shows."""
    session(page).play()
