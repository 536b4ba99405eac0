"""Whole-dataset checks: the official geography, suspicious characters in texts, plugins."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Final

import attrs

from territoires._printable import BIDI_CONTROLS, describe, find_unsafe
from territoires.exceptions import InvalidDataError
from territoires.model._validators import DATASET_EXPECTED, check_instance
from territoires.model.dataset import Dataset, Gazetteer
from territoires.plugins import PluginManager, default_plugin_manager
from territoires.problems import Problem, ProblemCode, Severity, format_value

__all__ = [
    "OFFICIAL_GEOGRAPHY",
    "count_errors",
    "resolve_geography",
    "suspicious_texts",
    "validate",
]


class _Official(enum.Enum):
    """Marker for "the geography bundled with territoires"."""

    GEOGRAPHY = "official"

    def __repr__(self) -> str:
        return "OFFICIAL_GEOGRAPHY"


OFFICIAL_GEOGRAPHY: Final = _Official.GEOGRAPHY
"""Default of :func:`validate`: check territories against the bundled official geography."""


def resolve_geography(geography: Gazetteer | _Official | None) -> Gazetteer | None:
    """The gazetteer a ``geography=`` argument names: the official one for the default."""
    if geography is OFFICIAL_GEOGRAPHY:
        from territoires.geo import get_geography

        return get_geography()
    assert not isinstance(geography, _Official)
    return geography


def validate(
    dataset: Dataset,
    *,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    plugins: PluginManager | None = None,
) -> list[Problem]:
    """Return every problem of ``dataset``: core checks, official geography, plugins' checks.

    This is :meth:`.Dataset.validate` with the geography bundled in :mod:`territoires.geo`
    (every territory reference must exist, and an unknown code's problem suggests the
    nearest names; declared territories must agree with it; an action reserved to residents
    of a place must stay within its contract's territory), then a warning for every text
    holding a control or bidirectional formatting character (``suspicious-text``),
    followed by the problems the plugins' ``validate_dataset`` hooks find.

    Args:
        dataset: The dataset to check.
        geography: Another geography, or None to check references within the dataset only.
        plugins: The plugin manager whose checks to add; the default one otherwise. A plugin
            that fails is left out and recorded in the manager's ``errors``.

    Raises:
        WrongTypeError: ``dataset`` is not a :class:`~territoires.Dataset` (a path, say).

    .. versionadded:: 0.1
    """
    check_instance("dataset", dataset, Dataset, DATASET_EXPECTED)
    problems = dataset.validate(geography=resolve_geography(geography))
    problems.extend(suspicious_texts(dataset))
    manager = plugins if plugins is not None else default_plugin_manager()
    return problems + manager.validate_dataset(dataset)


def count_errors(
    dataset: Dataset,
    *,
    allow_invalid: bool,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    plugins: PluginManager | None = None,
) -> int:
    """Return how many errors :func:`validate` finds in ``dataset``; refuse them unless allowed.

    The gate of every output computed from a dataset (indicators, reports, exports): the
    same checks as ``territoires validate``, run once. Warnings never count.

    Raises:
        InvalidDataError: the dataset has errors and ``allow_invalid`` is False.
    """
    found = [
        problem
        for problem in validate(dataset, geography=geography, plugins=plugins)
        if problem.severity is Severity.ERROR
    ]
    if found and not allow_invalid:
        raise InvalidDataError(found)
    return len(found)


# Texts written as paragraphs, where tabs and line breaks (CRLF included) belong; every other
# text is one line (a name, a title, an address), where they have no place.
_PARAGRAPHS: Final = frozenset({"description", "note", "rationale", "summary"})
_EXPECTED: Final = (
    "text without control characters (but line breaks and tabs in a paragraph) or "
    "bidirectional formatting characters"
)


def suspicious_texts(dataset: Dataset) -> Iterator[Problem]:
    r"""Warn about every text of ``dataset`` holding characters that spoof or drive a display.

    A control character (an escape sequence can drive a terminal, a carriage return used to
    split a CSV row) or a bidirectional formatting character (a right-to-left override shows
    ``gnp.exe`` as ``exe.png``) in a name, a title or a note is a warning naming the record
    and the field. Line breaks and tabs are accepted in paragraphs (descriptions, notes,
    rationales, summaries). The data stays usable: files keep such text exactly, and outputs
    for people show each character as its escape, ``\u202e``.

    Participations and reports are not looked at: they hold identifiers, codes and dates,
    whose shapes are checked where they are read.

    .. versionadded:: 0.1
    """
    roots: list[tuple[str, str, object]] = [("info", "info", dataset.info)]
    roots.extend((t.id, f"territories[{i}]", t) for i, t in enumerate(dataset.territories))
    roots.extend((p.id, f"parties[{i}]", p) for i, p in enumerate(dataset.parties))
    roots.extend((c.id, f"contracts[{i}]", c) for i, c in enumerate(dataset.contracts))
    for record, root, value in roots:
        for path, name, text in _texts(value, root, ""):
            problem = _suspicious(text, paragraph=name in _PARAGRAPHS)
            if problem is not None:
                yield Problem(
                    code=ProblemCode.SUSPICIOUS_TEXT,
                    message=f"{name} holds {problem}",
                    record=record,
                    field=path,
                    value=format_value(text),
                    expected=_EXPECTED,
                    severity=Severity.WARNING,
                )


def _texts(value: object, path: str, name: str) -> Iterator[tuple[str, str, str]]:
    """Every text within ``value``: its path, the name of its field and the text."""
    if isinstance(value, str):
        yield path, name, value
        return
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]", name)
        return
    kind = type(value)
    if attrs.has(kind):
        for field in attrs.fields(kind):
            if field.init:  # the others are caches, not data
                yield from _texts(getattr(value, field.name), f"{path}.{field.name}", field.name)


def _suspicious(text: str, *, paragraph: bool) -> str | None:
    """What is wrong with ``text``, or None when it holds no suspicious character."""
    kept = "\t\n" if paragraph else ""
    found = find_unsafe(text.replace("\r\n", "\n") if paragraph else text, keep=kept)
    if not found:
        return None
    first = found[0]
    if first in BIDI_CONTROLS:
        effect = "it changes the order in which the text around it is displayed"
    else:
        effect = "a terminal may take it for a command, a CSV reader for a line end"
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return f"{describe(first)}{more}: {effect}"
