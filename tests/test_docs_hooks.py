"""The plugin documentation cannot drift from the code.

- docs/reference/hooks.md documents every hook with its exact signature, and no other (read from
  the Markdown, not regenerated), and it is exactly what scripts/gen_hook_reference.py writes;
- the Python blocks of docs/how-to/write-a-plugin.md run: the parts marked ``test: plugin``
  make the example plugin module, which registers without errors, and the blocks marked
  ``test`` run as scripts with that module importable.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import territoires
from territoires import hookspecs
from territoires.plugins import PluginManager
from territoires.testing import plugin_manager

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference" / "hooks.md"
HOWTO = ROOT / "docs" / "how-to" / "write-a-plugin.md"
GENERATOR = ROOT / "scripts" / "gen_hook_reference.py"
PLUGIN_MODULE = "territoires_lyon_jeunes"

FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[^`]*)$")
MARKER = re.compile(r"^<!--\s*(?P<kind>test: plugin|test|output|skip:\s*\S.*?)\s*-->$")
PYTHON = {"python", "py", "python3"}
HOOK_HEADING = re.compile(r"^## `(?P<name>[^`]+)`\s*$")
HOOKIMPL = re.compile(
    r"@territoires\.hookimpl(?:\([^)]*\))?\s*\n\s*def (?P<name>\w+)\((?P<args>[^)]*)\)"
)


# -- reading Markdown ---------------------------------------------------------------------------


@attrs.frozen
class Block:
    """A fenced code block of a Markdown file."""

    language: str
    code: str
    line: int  # line number of the first line of code, from 1
    marker: str | None  # the HTML comment just before the opening fence, if any


def code_blocks(text: str) -> list[Block]:
    """Return the fenced code blocks of ``text``, with the marker comment before each."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    previous = ""
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, language = opening["fence"], opening["info"].strip().split(" ")[0]
        end = i + 1
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        marker = MARKER.match(previous)
        found.append(
            Block(language, "\n".join(lines[i + 1 : end]), i + 2, marker and marker["kind"])
        )
        previous = ""
        i = end + 1
    return found


def hook_sections(text: str) -> dict[str, list[str]]:
    """Return the lines of each ``## `hook` `` section of the reference, by hook name."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = HOOK_HEADING.match(line)
        if heading:
            current = sections.setdefault(heading["name"], [])
        elif line.startswith(("## ", "# ")):
            current = None
        elif current is not None:
            current.append(line)
    return sections


# -- what the code says -------------------------------------------------------------------------


class _Source(str):
    """An annotation string shown as written (PEP 563 keeps annotations as source text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def hooks() -> dict[str, Any]:
    """Return the hook specifications pluggy registers, by name (the spec of each)."""
    relay = PluginManager().hook
    return {
        name: caller.spec
        for name, caller in sorted(vars(relay).items())
        if getattr(caller, "spec", None) is not None
    }


def rendered_signature(name: str, function: Callable[..., Any]) -> str:
    """Return ``name(...) -> ...`` as ``inspect.signature`` renders it, annotations unquoted."""
    signature = inspect.signature(function)

    def plain(annotation: Any) -> Any:
        return _Source(annotation) if isinstance(annotation, str) else annotation

    signature = signature.replace(
        parameters=[
            p.replace(annotation=plain(p.annotation)) for p in signature.parameters.values()
        ],
        return_annotation=plain(signature.return_annotation),
    )
    return f"{name}{signature}"


def load_generator() -> types.ModuleType:
    """Import scripts/gen_hook_reference.py by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_hook_reference", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the hook reference -------------------------------------------------------------------------


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    """Each hook has a section in hooks.md whose signature block is its current signature."""
    sections = hook_sections(REFERENCE.read_text(encoding="utf-8"))
    for name, spec in hooks().items():
        assert name in sections, (
            f"hook {name!r} is not documented in {REFERENCE.relative_to(ROOT)}: "
            "run `python scripts/gen_hook_reference.py`"
        )
        blocks = code_blocks("\n".join(sections[name]))
        assert blocks, f"the section of {name!r} has no signature block"
        assert blocks[0].code.strip() == rendered_signature(name, spec.function), (
            f"the documented signature of {name!r} is stale: "
            "run `python scripts/gen_hook_reference.py`"
        )


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    """Every ``## `name` `` section of hooks.md names an existing hook."""
    documented = set(hook_sections(REFERENCE.read_text(encoding="utf-8")))
    assert documented, "hooks.md has no hook section"
    unknown = documented - set(hooks())
    assert not unknown, f"hooks.md documents hooks that do not exist: {sorted(unknown)}"


def test_each_hook_section_states_how_results_are_gathered() -> None:
    """A section says "first result only" exactly when pluggy stops at the first result."""
    sections = hook_sections(REFERENCE.read_text(encoding="utf-8"))
    for name, spec in hooks().items():
        text = "\n".join(sections.get(name, []))
        first = bool(spec.opts.get("firstresult"))
        assert ("**Results:** first result only" in text) is first, name
        assert ("**Results:** collected from every plugin" in text) is not first, name


def test_each_hook_section_shows_an_implementation_taking_only_its_arguments() -> None:
    """Each section shows an ``@territoires.hookimpl`` function of the hook's name and arguments."""
    sections = hook_sections(REFERENCE.read_text(encoding="utf-8"))
    for name, spec in hooks().items():
        implementations = [
            match
            for match in HOOKIMPL.finditer("\n".join(sections.get(name, [])))
            if match["name"] == name
        ]
        assert implementations, f"the section of {name!r} shows no implementation"
        for match in implementations:
            arguments = {a.split(":")[0].strip() for a in match["args"].split(",") if a.strip()}
            assert arguments <= {*spec.argnames, *spec.kwargnames}, (name, arguments)


def test_the_committed_reference_is_what_the_generator_writes() -> None:
    """docs/reference/hooks.md equals the generator's output, so it cannot drift."""
    generator = load_generator()
    assert REFERENCE.read_text(encoding="utf-8") == generator.render(), (
        f"{REFERENCE.relative_to(ROOT)} is stale: run `python scripts/gen_hook_reference.py`"
    )


def test_the_generator_finds_the_hooks_pluggy_registers() -> None:
    """The generator's introspection finds the same hooks as pluggy, in source order."""
    generator = load_generator()
    found = [name for name, _ in generator.hook_functions(hookspecs)]
    assert sorted(found) == sorted(hooks())
    assert found == sorted(found, key=lambda n: getattr(hookspecs, n).__code__.co_firstlineno)


def test_check_mode_fails_with_a_diff_on_a_stale_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--check`` exits 1 and prints a diff when the page differs, 0 when it is current."""
    generator = load_generator()
    page = tmp_path / "hooks.md"
    page.write_text(generator.render().replace("register_indicators", "register_indicator"))
    assert generator.main(["--check", "--output", str(page)]) == 1
    out = capsys.readouterr().out
    assert "-## `register_indicator`" in out
    assert "+## `register_indicators`" in out
    assert generator.main(["--output", str(page)]) == 0
    assert generator.main(["--check", "--output", str(page)]) == 0


def test_a_new_hook_gets_a_section_with_signature_and_example() -> None:
    """A first-result hook without an example still gets its signature and an implementation."""
    generator = load_generator()
    module = types.ModuleType("fake_hookspecs", "Fake hooks.\n\nFor the test.")
    module.PROJECT = hookspecs.PROJECT  # type: ignore[attr-defined]

    @hookspecs.hookspec(firstresult=True)
    def choose_label(indicator: str, lang: str = "fr") -> str:  # type: ignore[empty-body]
        """Return the label to show for ``indicator``.

        Args:
            indicator: The indicator's name.
            lang: ``fr`` or ``en``.
        """

    module.choose_label = choose_label  # type: ignore[attr-defined]
    page = generator.render(module)
    sections = hook_sections(page)
    assert list(sections) == ["choose_label"]
    text = "\n".join(sections["choose_label"])
    assert code_blocks(text)[0].code == "choose_label(indicator: str, lang: str = 'fr') -> str"
    assert "**Results:** first result only" in text
    assert "- `lang`: `fr` or `en`." in text
    assert "@territoires.hookimpl\ndef choose_label(indicator, lang):" in text


# -- the how-to -----------------------------------------------------------------------------------


HOWTO_BLOCKS = code_blocks(HOWTO.read_text(encoding="utf-8"))
PYTHON_BLOCKS = [block for block in HOWTO_BLOCKS if block.language in PYTHON]
SCRIPTS = [block for block in PYTHON_BLOCKS if block.marker == "test"]


def shown_output(script: Block) -> str | None:
    """Return the ``output`` block that follows ``script`` in the how-to, if any."""
    following = HOWTO_BLOCKS[HOWTO_BLOCKS.index(script) + 1 :]
    if following and following[0].marker == "output":
        return following[0].code
    return None


def plugin_source() -> str:
    """Return the example plugin module: the ``test: plugin`` parts, at their line numbers."""
    source = ""
    for block in PYTHON_BLOCKS:
        if block.marker == "test: plugin":
            padding = block.line - 1 - source.count("\n")
            source += "\n" * padding + block.code + "\n"
    return source


def run_plugin_source(module: types.ModuleType) -> None:
    """Execute the example plugin module; tracebacks point at lines of the how-to."""
    module.__file__ = str(HOWTO)
    exec(compile(plugin_source(), str(HOWTO), "exec"), module.__dict__)


@pytest.fixture
def example_plugin(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The how-to's plugin module, importable as territoires_lyon_jeunes during the test."""
    module = types.ModuleType(PLUGIN_MODULE)
    # In sys.modules before it runs, as an imported module is: attrs looks classes' modules up.
    monkeypatch.setitem(sys.modules, PLUGIN_MODULE, module)
    run_plugin_source(module)
    return module


def test_every_python_block_of_the_how_to_is_marked() -> None:
    """Every Python block of the how-to is marked as tested, part of the plugin, or skipped."""
    assert PYTHON_BLOCKS, "the how-to has no Python block"
    unmarked = [block.line for block in PYTHON_BLOCKS if block.marker is None]
    assert not unmarked, (
        f"Python blocks of {HOWTO.relative_to(ROOT)} at lines {unmarked} need a marker: "
        "<!-- test -->, <!-- test: plugin --> or <!-- skip: reason -->"
    )


def test_the_how_to_plugin_registers_its_names_without_errors(
    example_plugin: types.ModuleType,
) -> None:
    """The how-to's plugin module registers what its hooks return, and nothing fails."""
    manager = plugin_manager(example_plugin)
    assert manager.errors == []
    name = example_plugin.__name__
    assert set(manager.hooks_of(name)) == set(hooks())
    for hook, registry in (
        ("register_eligibility_rules", manager.rules),
        ("register_indicators", manager.indicators),
        ("register_export_formats", manager.formats),
    ):
        returned = [item.name for item in getattr(example_plugin, hook)()]
        assert returned, f"the how-to's {hook} registers nothing"
        registered = [r.item.name for r in registry.registrations() if r.plugin.name == name]
        assert registered == returned
    assert territoires.validate(territoires.demo.build(), plugins=manager) == []
    assert manager.errors == []


@pytest.mark.parametrize("block", SCRIPTS, ids=[f"line-{block.line}" for block in SCRIPTS])
def test_the_how_to_scripts_run(
    block: Block,
    example_plugin: types.ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A ``test`` block of the how-to runs, its test functions pass, it prints what is shown."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": f"howto_line_{block.line}"}
    code = compile("\n" * (block.line - 1) + block.code + "\n", str(HOWTO), "exec")
    exec(code, namespace)
    fixtures = {"territoires_plugins": plugin_manager, "tmp_path": tmp_path}
    for name, function in namespace.items():
        if name.startswith("test_") and callable(function):
            wanted = inspect.signature(function).parameters
            function(**{arg: fixtures[arg] for arg in wanted})
    expected = shown_output(block)
    if expected is not None:
        assert capsys.readouterr().out.rstrip("\n") == expected.rstrip("\n")
