"""The documentation site cannot drift from the code.

- The generated pages (command line, data format, problems and errors) are exactly what their
  generators write, and ``--check`` fails on a stale page.
- The API reference documents every public name: read from the sources (the ``automodule`` and
  ``autoclass`` directives of docs/reference/api/, resolved against the modules' ``__all__``),
  and, once ``make docs`` has run, from the ``objects.inv`` the build writes.
- The intersphinx inventories the build reads offline are committed and hold what the
  signatures need.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import territoires
from territoires import cli, hookspecs


def _inventory_file() -> Any:
    """Sphinx's inventory reader; the tests that read inventories skip without the docs extra."""
    inventory = pytest.importorskip("sphinx.util.inventory", reason="needs the docs extra")
    return inventory.InventoryFile


ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API = DOCS / "reference" / "api"
SCRIPTS = ROOT / "scripts"
BUILT_INVENTORY = ROOT / "build" / "docs" / "html" / "objects.inv"

GENERATED = {
    "gen_cli_reference": DOCS / "reference" / "cli.md",
    "gen_data_format": DOCS / "reference" / "data-format.md",
    "gen_error_reference": DOCS / "reference" / "errors.md",
}

# The public modules the API reference must document, each with its __all__.
PUBLIC_MODULES = (
    "territoires",
    "territoires.model",
    "territoires.model.codes",
    "territoires.model.dates",
    "territoires.io",
    "territoires.geo",
    "territoires.eligibility",
    "territoires.rules",
    "territoires.indicators",
    "territoires.measures",
    "territoires.disclosure",
    "territoires.parameters",
    "territoires.formats",
    "territoires.export",
    "territoires.report",
    "territoires.overview",
    "territoires.wording",
    "territoires.plugins",
    "territoires.hookspecs",
    "territoires.testing",
    "territoires.problems",
    "territoires.exceptions",
    "territoires.demo",
    "territoires.cli",
)

DIRECTIVE = re.compile(
    r"^\.\. (?P<kind>automodule|autoclass|autofunction|autodata|py:data|currentmodule)::"
    r"\s*(?P<name>\S+)\s*$"
)
OPTION = re.compile(r"^\s+:(?P<name>[\w-]+):\s*(?P<value>.*)$")


def load_script(name: str) -> types.ModuleType:
    """Import scripts/<name>.py by path (scripts/ is not a package)."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- generated pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("script", sorted(GENERATED))
def test_the_committed_page_is_what_its_generator_writes(script: str) -> None:
    """Each generated reference page equals its generator's output, so it cannot drift."""
    if script == "gen_cli_reference" and sys.version_info[:2] != (3, 11):
        pytest.skip("the CLI page is generated with Python 3.11: argparse words usage by version")
    page = GENERATED[script]
    assert page.read_text(encoding="utf-8") == load_script(script).render(), (
        f"{page.relative_to(ROOT)} is stale: run `python scripts/{script}.py`"
    )


@pytest.mark.parametrize("script", sorted(GENERATED))
def test_check_mode_fails_on_a_stale_page(
    script: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--check`` exits 1 with a diff on a stale page and 0 once the page is written."""
    generator = load_script(script)
    page = tmp_path / "page.md"
    page.write_text(generator.render().replace("\n", "\nstale line\n", 1), encoding="utf-8")
    assert generator.main(["--check", "--output", str(page)]) == 1
    assert "-stale line" in capsys.readouterr().out
    assert generator.main(["--output", str(page)]) == 0
    assert generator.main(["--check", "--output", str(page)]) == 0


def test_the_cli_reference_has_every_command_and_option() -> None:
    """cli.md has a section for every command, naming each of its options and positionals."""
    page = GENERATED["gen_cli_reference"].read_text(encoding="utf-8")
    generator = load_script("gen_cli_reference")
    found = generator.commands(cli.build_parser())
    assert found, "the parser has no commands"
    for name, _, parser in found:
        section = page.split(f"## `territoires {name}`\n", 1)
        assert len(section) == 2, f"no section for `territoires {name}`"
        body = section[1].split("\n## ", 1)[0]
        for action in parser._actions:
            for text in action.option_strings or [action.dest]:
                if text in {"-h", "--help"}:
                    continue
                assert f"`{text}" in body, f"`territoires {name}`: {text} is not documented"


def test_the_cli_reference_lists_every_exit_code() -> None:
    """Every EXIT_* constant of territoires.cli is in the exit-code table."""
    page = GENERATED["gen_cli_reference"].read_text(encoding="utf-8")
    for name, value in vars(cli).items():
        if name.startswith("EXIT_"):
            assert f"| {value} | `{name}` |" in page


def test_every_field_of_the_document_is_described() -> None:
    """Each field of the territoires/1 document has a description in its class docstring."""
    missing = load_script("gen_data_format").undocumented_fields()
    assert not missing, f"fields without an `Attributes:` entry in their class: {missing}"


def test_the_data_format_lists_every_enumeration_value() -> None:
    """data-format.md shows every value of every enumeration of the model, with its labels."""
    page = GENERATED["gen_data_format"].read_text(encoding="utf-8")
    for name in territoires.model.__all__:
        cls = getattr(territoires.model, name)
        if isinstance(cls, type) and issubclass(cls, territoires.model.LabelledEnum):
            if cls is territoires.model.LabelledEnum:
                continue
            assert f"### `{name}`" in page
            for member in cls:
                assert f"| `{member.value}` | " in page, f"{name}.{member.name}"


def test_the_error_reference_lists_every_code_and_exception() -> None:
    """errors.md lists every ProblemCode value and every exception of territoires.exceptions."""
    page = GENERATED["gen_error_reference"].read_text(encoding="utf-8")
    for code in territoires.ProblemCode:
        assert f"| `{code.value}` |" in page
    for name in territoires.exceptions.__all__:
        assert f"{{class}}`~territoires.{name}`" in page


# -- the API reference, from the sources ----------------------------------------------------------


def _directives(text: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Yield ``(kind, name, options)`` for the autodoc directives of a page's rST blocks."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match:
            continue
        options: dict[str, str] = {}
        for following in lines[i + 1 :]:
            option = OPTION.match(following)
            if not option:
                break
            options[option["name"]] = option["value"].strip()
        yield match["kind"], match["name"], options


def documented_names() -> set[str]:
    """Return the full names the API pages document, as the directives declare them.

    ``automodule`` with ``:members:`` documents the module's ``__all__`` (or the listed
    members); ``autoclass``, ``autofunction``, ``autodata`` and ``py:data`` document one name
    in the current module. ``:no-index:`` entries are not targets, so they do not count.
    """
    names: set[str] = set()
    for page in sorted(API.glob("*.md")):
        current = ""
        for kind, name, options in _directives(page.read_text(encoding="utf-8")):
            if kind in {"automodule", "currentmodule"}:
                current = name
                if kind == "automodule" and "no-index" not in options:
                    names.add(name)
                    if "members" in options:
                        module = importlib.import_module(name)
                        listed = [m.strip() for m in options["members"].split(",") if m.strip()]
                        names.update(f"{name}.{m}" for m in (listed or module.__all__))
            elif "no-index" not in options:
                names.add(name if "." in name and kind != "py:data" else f"{current}.{name}")
    return names


def test_every_public_module_is_documented_with_all_its_names() -> None:
    """Each public module is on an API page, and every name of its __all__ is documented."""
    documented = documented_names()
    for modname in PUBLIC_MODULES:
        assert modname in documented, f"no API page documents the module {modname}"
        if modname == "territoires":
            continue  # its names are documented where they are defined (next test)
        module = importlib.import_module(modname)
        missing = [n for n in module.__all__ if f"{modname}.{n}" not in documented]
        assert not missing, f"{modname}: {missing} are in __all__ but on no API page"


def test_every_name_of_territoires_is_documented_once() -> None:
    """Each name of territoires.__all__ is documented: directly, or where its object is defined.

    The docs' extension then makes ``territoires.<name>`` a target for the description.
    """
    documented = documented_names()
    for name in territoires.__all__:
        if f"territoires.{name}" in documented:
            continue
        target = getattr(territoires, name)
        homes = [
            full
            for full in documented
            if full.rsplit(".", 1)[-1] == name
            and getattr(importlib.import_module(full.rsplit(".", 1)[0]), name, None) is target
        ]
        assert homes, f"territoires.{name} is documented on no API page"


def test_the_api_index_lists_every_name_of_territoires() -> None:
    """The summary tables of the API index name every member of territoires.__all__, once."""
    text = (API / "index.md").read_text(encoding="utf-8")
    listed: list[str] = []
    for block in re.findall(r"\.\. autosummary::\n((?:   .*\n|\n)+)", text):
        listed += [
            line.strip()
            for line in block.splitlines()
            if line.strip() and not line.strip().startswith(":")
        ]
    assert sorted(listed) == sorted(territoires.__all__)


def test_every_hook_is_in_the_api_and_the_hook_reference() -> None:
    """Every hook specification is documented by the API reference and in hooks.md."""
    documented = documented_names()
    reference = (DOCS / "reference" / "hooks.md").read_text(encoding="utf-8")
    hooks = [
        name
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, f"{hookspecs.PROJECT}_spec")
    ]
    assert hooks
    for name in hooks:
        assert f"territoires.hookspecs.{name}" in documented, name
        assert f"## `{name}`" in reference, name


# -- the API reference, from the build ------------------------------------------------------------


def _newest_source() -> float:
    sources = [*ROOT.joinpath("src", "territoires").rglob("*.py"), *DOCS.rglob("*")]
    return max(path.stat().st_mtime for path in sources if path.is_file())


@pytest.fixture(scope="module")
def built_names() -> set[str]:
    """The Python names of the objects.inv that ``make docs`` wrote (skip when absent or stale)."""
    if not BUILT_INVENTORY.exists():
        pytest.skip("the docs are not built: run `make docs` (make test does)")
    if BUILT_INVENTORY.stat().st_mtime < _newest_source():
        pytest.skip("the built docs are older than the sources: run `make docs`")
    with BUILT_INVENTORY.open("rb") as stream:
        inventory = _inventory_file().load(stream, "", lambda base, uri: uri)
    return {
        name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries
    }


def test_the_built_site_has_a_target_for_every_public_name(built_names: set[str]) -> None:
    """objects.inv has territoires.<name> for each name of __all__, and each module's names."""
    missing = []
    for modname in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        missing += [f"{modname}.{n}" for n in module.__all__ if f"{modname}.{n}" not in built_names]
    assert not missing, f"the built docs document no {missing}"


def test_the_built_site_documents_every_hook(built_names: set[str]) -> None:
    """objects.inv has every hook specification."""
    for name, caller in vars(territoires.plugins.PluginManager().hook).items():
        if getattr(caller, "spec", None) is not None:
            assert f"territoires.hookspecs.{name}" in built_names, name


# -- offline intersphinx --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "names"),
    [
        ("python", ["str", "datetime.date", "decimal.Decimal", "collections.abc.Iterable"]),
        ("attrs", ["attrs.Attribute", "attrs.evolve"]),
        ("cattrs", ["cattrs.Converter"]),
        ("pluggy", ["pluggy.PluginManager", "pluggy.HookimplMarker"]),
    ],
)
def test_the_committed_inventories_hold_what_the_docs_refer_to(
    project: str, names: list[str]
) -> None:
    """docs/_inventories/<project>.inv reads as Sphinx reads it and has the names we link to."""
    path = DOCS / "_inventories" / f"{project}.inv"
    with path.open("rb") as stream:
        inventory = _inventory_file().load(
            stream, "https://example.invalid", lambda b, u: f"{b}/{u}"
        )
    found = {name for entries in inventory.values() for name in entries}
    assert set(names) <= found
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert f'"_inventories/{project}.inv"' in conf, "conf.py does not read the inventory"


def test_the_site_has_its_four_sections_and_leaves_the_readme_out() -> None:
    """The root toctree has the four sections, and docs/README.md is not a page of the site."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for section in ("tutorial/index", "how-to/index", "reference/index", "explanation/index"):
        assert f"\n{section}\n" in index
    assert '"README.md"' in (DOCS / "conf.py").read_text(encoding="utf-8")
