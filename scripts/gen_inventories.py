"""Generate the intersphinx inventories the docs build reads offline: docs/_inventories/*.inv.

The machines that build the documentation (developers', CI's) reach package registries only, so
intersphinx cannot download ``objects.inv`` from docs.python.org, attrs.org, catt.rs or
readthedocs.io. ``docs/conf.py`` therefore maps each project to its real site (the links in the
pages go there) and to a small inventory committed in the repository, which this script writes:

- ``python.inv``: the built-in functions, types, constants and exceptions, and every public
  class, function and method of the standard-library modules that ``src/territoires`` imports
  (found by reading its imports, so a new import brings its module in), plus
  ``collections.abc`` and ``typing``. Each points to
  ``https://docs.python.org/3/library/<module>.html#<name>``, the anchors the Python docs use.
- ``attrs.inv``, ``cattrs.inv``, ``pluggy.inv``: the names of those libraries that our
  signatures and docstrings refer to (listed below), pointing to their API pages.

A class defined in a private module is listed under the name autodoc gives it too (``Bases:``
and annotations use ``__module__``, e.g. ``pluggy._manager.PluginManager``), pointing to the
same page as its public name.

The inventories are committed: the docs build needs neither this script nor sphobjinv, which
only this script uses (``pip install sphobjinv``). Run it with the Python the project targets
(3.11) so that the standard library walked is the same:

    python scripts/gen_inventories.py            # write docs/_inventories/*.inv
    python scripts/gen_inventories.py --check    # exit 1 if an inventory is stale
"""

from __future__ import annotations

import argparse
import ast
import builtins
import importlib
import inspect
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "_inventories"
SOURCE = ROOT / "src" / "territoires"

PYTHON_URL = "https://docs.python.org/3/"

# Always walked, whatever the imports: annotations use them through ``from __future__``.
ALWAYS = ("collections.abc", "typing", "os", "pathlib", "datetime", "decimal", "enum")

# Built-in types documented on the "Built-in Types" page rather than "Built-in Functions".
STDTYPES = {
    "bytearray",
    "bytes",
    "dict",
    "frozenset",
    "list",
    "memoryview",
    "range",
    "set",
    "str",
    "tuple",
}
CONSTANTS = ("None", "True", "False", "NotImplemented", "Ellipsis")

# name -> (role, page#anchor) of the third-party names our docs refer to.
ATTRS = {
    "attrs.Attribute": ("py:class", "api.html#attrs.Attribute"),
    "attr.Attribute": ("py:class", "api.html#attrs.Attribute"),
    "attrs.define": ("py:function", "api.html#attrs.define"),
    "attrs.frozen": ("py:function", "api.html#attrs.frozen"),
    "attrs.field": ("py:function", "api.html#attrs.field"),
    "attrs.fields": ("py:function", "api.html#attrs.fields"),
    "attrs.evolve": ("py:function", "api.html#attrs.evolve"),
    "attrs.asdict": ("py:function", "api.html#attrs.asdict"),
    "attrs.has": ("py:function", "api.html#attrs.has"),
    "attrs.validators": ("py:module", "api.html#module-attrs.validators"),
}
CATTRS = {
    "cattrs.Converter": ("py:class", "cattrs.html#cattrs.Converter"),
    "cattrs.converters.Converter": ("py:class", "cattrs.html#cattrs.Converter"),
    "cattrs.BaseConverter": ("py:class", "cattrs.html#cattrs.BaseConverter"),
    "cattrs.converters.BaseConverter": ("py:class", "cattrs.html#cattrs.BaseConverter"),
    "cattrs.ClassValidationError": ("py:exception", "cattrs.html#cattrs.ClassValidationError"),
    "cattrs.errors.ClassValidationError": (
        "py:exception",
        "cattrs.html#cattrs.errors.ClassValidationError",
    ),
    "cattrs.BaseValidationError": ("py:exception", "cattrs.html#cattrs.BaseValidationError"),
    "cattrs.IterableValidationError": (
        "py:exception",
        "cattrs.html#cattrs.IterableValidationError",
    ),
    "cattrs.global_converter": ("py:data", "cattrs.html#cattrs.global_converter"),
}
PLUGGY = {
    name: (role, f"api_reference.html#pluggy.{name.rsplit('.', 1)[-1]}")
    for name, role in {
        "pluggy.PluginManager": "py:class",
        "pluggy._manager.PluginManager": "py:class",
        "pluggy.HookimplMarker": "py:class",
        "pluggy._hooks.HookimplMarker": "py:class",
        "pluggy.HookspecMarker": "py:class",
        "pluggy._hooks.HookspecMarker": "py:class",
        "pluggy.HookCaller": "py:class",
        "pluggy.HookRelay": "py:class",
        "pluggy.HookImpl": "py:class",
        "pluggy.PluginValidationError": "py:exception",
        "pluggy.HookCallError": "py:exception",
        "pluggy.PluginManager.register": "py:method",
        "pluggy.PluginManager.load_setuptools_entrypoints": "py:method",
        "pluggy.PluginManager.add_hookspecs": "py:method",
        "pluggy.PluginManager.get_plugins": "py:method",
        "pluggy.PluginManager.hook": "py:attribute",
    }.items()
}
THIRD_PARTY = {
    "attrs": ("attrs", "stable", ATTRS),
    "cattrs": ("cattrs", "stable", CATTRS),
    "pluggy": ("pluggy", "stable", PLUGGY),
}


# -- the standard library ------------------------------------------------------------------------


def imported_stdlib_modules(source: Path = SOURCE) -> list[str]:
    """Return the standard-library modules the package imports, with their parents."""
    found: set[str] = set(ALWAYS)
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] in sys.stdlib_module_names and not parts[0].startswith("_"):
                    found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    found.discard("__future__")
    return sorted(found)


def _public(names: Iterable[str]) -> list[str]:
    return sorted(name for name in names if not name.startswith("_"))


def _role(obj: object) -> str | None:
    if isinstance(obj, type):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if isinstance(obj, types.ModuleType):
        return None
    if inspect.isroutine(obj):
        return "py:function"
    return "py:data"


def _member_role(cls: type, name: str) -> str | None:
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, classmethod | staticmethod) or inspect.isroutine(raw):
        return "py:method"
    if isinstance(raw, property | types.MemberDescriptorType | types.GetSetDescriptorType):
        return "py:attribute"
    return None


def _defined_name(obj: type) -> str | None:
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def python_entries(modules: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """Yield ``(name, role, uri)`` for the built-ins and the public names of ``modules``."""
    for name in _public(dir(builtins)):
        obj = getattr(builtins, name)
        role = _role(obj)
        if role is None or name in CONSTANTS:
            continue
        if role == "py:exception":
            page = "exceptions"
        elif name in STDTYPES:
            page = "stdtypes"
        else:
            page = "functions"
        yield name, role, f"library/{page}.html#{name}"
    for name in CONSTANTS:
        yield name, "py:data", f"library/constants.html#{name}"
    for modname in modules:
        try:
            module = importlib.import_module(modname)
        except ImportError:  # a module of another platform
            continue
        page = f"library/{modname.lower()}.html"
        yield modname, "py:module", f"{page}#module-{modname}"
        for name in _public(dir(module)):
            obj = getattr(module, name, None)
            role = _role(obj)
            if role is None:
                continue
            home = getattr(obj, "__module__", None) or ""
            if (
                role != "py:data"
                and home.split(".")[0] not in {modname.split(".")[0], "builtins"}
                and not home.startswith("_")
            ):
                continue  # a name the module merely imports (os.sys) belongs to another page
            if obj is None:
                continue
            full = f"{modname}.{name}"
            yield full, role, f"{page}#{full}"
            if not isinstance(obj, type):
                continue
            defined = _defined_name(obj)
            if (
                defined
                and defined != full
                and defined.split(".")[0].lstrip("_")
                in {
                    modname.split(".")[0],
                    "collections",
                }
            ):
                yield defined, role, f"{page}#{full}"
            for member in _public(vars(obj)):
                member_role = _member_role(obj, member)
                if member_role is not None:
                    yield f"{full}.{member}", member_role, f"{page}#{full}.{member}"


# -- writing -------------------------------------------------------------------------------------


def inventory_bytes(project: str, version: str, entries: Iterable[tuple[str, str, str]]) -> bytes:
    """Return a compressed Sphinx inventory (version 2) of ``entries``, sorted and unique."""
    import sphobjinv as soi

    inventory = soi.Inventory()
    inventory.project = project
    inventory.version = version
    seen: set[tuple[str, str]] = set()
    for name, role, uri in sorted(set(entries)):
        domain, kind = role.split(":")
        if (name, role) in seen:
            continue
        seen.add((name, role))
        inventory.objects.append(
            soi.DataObjStr(name=name, domain=domain, role=kind, priority="1", uri=uri, dispname="-")
        )
    return bytes(soi.compress(inventory.data_file(contract=True)))


def render() -> dict[str, bytes]:
    """Return the bytes of every inventory, by file name."""
    files = {
        "python.inv": inventory_bytes("Python", "3", python_entries(imported_stdlib_modules()))
    }
    for key, (project, version, names) in THIRD_PARTY.items():
        entries = [(name, role, uri) for name, (role, uri) in names.items()]
        files[f"{key}.inv"] = inventory_bytes(project, version, entries)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Write the inventories, or with ``--check`` compare them; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder of the inventories")
    args = parser.parse_args(argv)
    output: Path = args.output
    stale = []
    for name, data in render().items():
        path = output / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
            continue
        output.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if stale:
        print(f"stale inventories: {', '.join(stale)}: run `python scripts/gen_inventories.py`")
        return 1
    if args.check:
        print("inventories are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
