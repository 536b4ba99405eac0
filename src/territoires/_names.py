"""Names of what plugins register: rules, indicators and formats."""

from __future__ import annotations

import re
from typing import Any

import attrs

from territoires.exceptions import InvalidValueError

__all__ = ["NAME_EXPECTED", "check_name", "is_namespaced", "namespace_of"]

# A name is lowercase words joined by "_", optionally after a namespace and a dot. A namespace
# is a territory reference (69123, 200046977, dep:69) or a lowercase word (a plugin's prefix).
_NAME = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9:_-]*\.)?[a-z0-9][a-z0-9_]*", re.ASCII)

NAME_EXPECTED = (
    "a name of lowercase letters, digits and '_', optionally after a namespace and a dot "
    "(69123.moins_de_26_ans, lyon.durable_housing)"
)


def check_name(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator of a registered name."""
    if not isinstance(value, str) or _NAME.fullmatch(value) is None or len(value) > 100:
        raise InvalidValueError(attribute.name, value, NAME_EXPECTED)


def namespace_of(name: str) -> str | None:
    """Return the namespace of ``name`` (``"69123"`` for ``"69123.x"``), or None.

    Example:
        >>> namespace_of("69123.moins_de_26_ans"), namespace_of("beneficiaries")
        ('69123', None)
    """
    head, dot, _ = name.rpartition(".")
    return head if dot else None


def is_namespaced(name: str) -> bool:
    """True when ``name`` carries a namespace, as names registered by plugins must."""
    return namespace_of(name) is not None
