"""What the territoires docs add to Sphinx: public names as targets, and enumeration members.

**Public names.** Each public object is documented once, on the page of the subpackage that
defines it (``territoires.model.Contract``), where it sits with its neighbours; users import it
from the package (``territoires.Contract``), and docstrings and pages refer to it that way. Once
every page is read, this extension gives the Python domain the alias ``territoires.<name>`` for
every name of ``territoires.__all__``, and ``territoires.<name>.<member>`` for each documented
member, as the ``:canonical:`` option of a Python directive does: references to either name
resolve to the one description, and ``objects.inv`` lists both. A name of ``__all__`` that no
page documents is a warning, so the ``-W`` build fails.

**Enumeration members.** autodoc leaves out the members of an enumeration (they have no
docstring of their own), so ``:attr:`Severity.ERROR``` would point nowhere. They are documented
here, after their class's docstring, each with its value (what files hold) and its French and
English labels.
"""

from __future__ import annotations

import enum
import importlib
import re
from typing import Any

import attrs
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "territoires"


# -- public names ---------------------------------------------------------------------------------


def documented_name(env: BuildEnvironment, package: str, name: str) -> str | None:
    """Return the name under which ``package.name`` is documented, or None.

    The name itself when the package documents it directly; otherwise the first documented
    module (in sorted order) whose attribute ``name`` is the same object.
    """
    domain: Any = env.get_domain("py")
    objects = domain.objects
    direct = f"{package}.{name}"
    if direct in objects and not objects[direct].aliased:
        return direct
    target = getattr(importlib.import_module(package), name)
    for modname in sorted(domain.modules):
        if modname == package or not modname.startswith(f"{package}."):
            continue
        candidate = f"{modname}.{name}"
        entry = objects.get(candidate)
        if entry is None or entry.aliased:
            continue
        if getattr(importlib.import_module(modname), name, None) is target:
            return candidate
    return None


def add_aliases(app: Sphinx, env: BuildEnvironment) -> None:
    """Add ``territoires.<name>`` (and its members) for every name documented elsewhere."""
    domain: Any = env.get_domain("py")
    objects = domain.objects
    package = importlib.import_module(PACKAGE)
    for name in package.__all__:
        alias = f"{PACKAGE}.{name}"
        found = documented_name(env, PACKAGE, name)
        if found is None:
            logger.warning(
                "%s is in %s.__all__ but no page documents it", alias, PACKAGE, type="territoires"
            )
            continue
        if found == alias:
            continue
        prefix = f"{found}."
        for fullname, entry in list(objects.items()):
            if fullname == found or (fullname.startswith(prefix) and not entry.aliased):
                aliased = alias + fullname[len(found) :]
                if aliased not in objects or objects[aliased].aliased:
                    objects[aliased] = entry._replace(aliased=True)


# -- enumeration members --------------------------------------------------------------------------


def describe_enum_members(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Document every member of an enumeration after its class's docstring.

    autodoc leaves the members out (they have no docstring of their own, and Sphinx calls no
    event for them), so each gets an ``attribute`` directive here, nested in its class.
    """
    if what != "class" or not isinstance(obj, type) or not issubclass(obj, enum.Enum):
        return
    lines.append("")
    for member in obj:
        label_fr, label_en = getattr(member, "label_fr", None), getattr(member, "label_en", None)
        lines += [f".. attribute:: {member.name}", f"   :value: {member.value!r}", ""]
        if label_fr is not None and label_en is not None:
            lines += [f"   *{label_fr}* (fr), *{label_en}* (en)", ""]


# -- attrs defaults -------------------------------------------------------------------------------


def show_factory_defaults(
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """Show ``field = Factory()`` rather than attrs' ``NOTHING`` in class signatures.

    The ``__init__`` attrs writes gives fields with a factory the sentinel ``NOTHING`` as their
    default; readers need to know the field is optional and what it defaults to.
    """
    if what != "class" or signature is None or not attrs.has(obj):
        return None
    for field in attrs.fields(obj):
        if isinstance(field.default, attrs.Factory):
            factory = getattr(field.default.factory, "__name__", "factory")
            argument = re.escape(field.alias or field.name)
            pattern = rf"\b({argument}: [^=]*?) = NOTHING\b"
            signature = re.sub(pattern, rf"\1 = {factory}()", signature)
    return signature, return_annotation


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.connect("env-updated", add_aliases)
    app.connect("autodoc-process-docstring", describe_enum_members)
    app.connect("autodoc-process-signature", show_factory_defaults)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
