"""Export formats: what ``register_export_formats()`` returns.

A format writes one kind of object (a dataset, an indicator table, eligibility decisions) to a
path, and may read it back. The export engine (:func:`territoires.export`) gives the writer a
temporary path next to the target and moves it into place only once it is complete, so a
format never has to care about atomic writes.

.. versionadded:: 0.1
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from territoires._enum import LabelledEnum
from territoires.model import _validators as v

__all__ = ["ExportFormat", "ExportKind", "Reader", "Writer"]

_FORMAT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)
_OPTION = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)
_SUFFIX = re.compile(r"(\.[a-z0-9]{1,10}){1,2}|", re.ASCII)


class ExportKind(LabelledEnum):
    """What can be exported."""

    DATASET = ("dataset", "jeu de données", "dataset")
    INDICATORS = ("indicators", "tableau d'indicateurs", "indicator table")
    DECISIONS = ("decisions", "décisions d'éligibilité", "eligibility decisions")
    REPORT = ("report", "rapport de comité de pilotage", "steering-committee report")
    SUBSIDIES = ("subsidies", "subventions (format SCDL)", "subsidies (SCDL format)")


Writer = Callable[..., None]
"""Writes an object to a path, a file or a folder for folder formats, as ``write(obj, path)``,
with the format's :attr:`ExportFormat.options` as keyword arguments when a user gives them."""

Reader = Callable[[Path], Any]
"""Reads back what the writer wrote."""


def _reads_default(instance: ExportFormat) -> frozenset[ExportKind]:
    return instance.kinds if instance.read is not None else frozenset()


def _reads(instance: ExportFormat, attribute: attrs.Attribute[Any], value: object) -> None:
    v.members_of(ExportKind)(instance, attribute, value)
    assert isinstance(value, frozenset)
    if value and instance.read is None:
        raise v.fail(attribute, value, "no kinds: the format has no reader")
    if not value <= instance.kinds:
        raise v.fail(attribute, value, "kinds the format writes")


def _options(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.tuple_of(str)(_, attribute, value)
    assert isinstance(value, tuple)
    for name in value:
        if _OPTION.fullmatch(name) is None:
            raise v.fail(attribute, value, "names of keyword arguments (lowercase, '_')")


def _format_name(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _FORMAT_NAME.fullmatch(value) is None:
        raise v.fail(attribute, value, "a short name of lowercase letters, digits, '-' or '_'")


def _suffix(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _SUFFIX.fullmatch(value) is None:
        raise v.fail(attribute, value, "a file suffix such as '.md' or '.tar.gz', or ''")


def _kinds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.members_of(ExportKind, non_empty=True)(_, attribute, value)


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise v.fail(attribute, value, "a function")


@attrs.frozen(kw_only=True)
class ExportFormat:
    """A file format the library can export to, registered by a plugin.

    Format names are what users type (``--format markdown``), so they are short words rather
    than namespaced names; two plugins may not register the same one.

    Attributes:
        name: Short name (``json``, ``csv``, ``markdown``).
        label_fr: Label in French.
        label_en: Label in English.
        suffix: File suffix (``.md``); ``""`` for a folder format.
        media_type: IANA media type (``text/markdown``).
        kinds: What the format can export.
        write: The writer: ``write(obj, path)``. ``path`` is temporary; it becomes the target
            once the writer returns.
        read: The reader, for formats that read back; None otherwise.
        folder: Whether the format writes a folder rather than a file.
        person_level: Whether the writer copies a dataset's participations row by row (one
            row per person and action). Then :func:`territoires.export` leaves them out unless
            asked explicitly. A format that only counts them (a summary) sets it to False.
        options: Names of the keyword options the writer accepts (``dialect`` for CSV);
            :func:`territoires.export` refuses any other.
        reads: The kinds the reader reads back (by default every kind written, when there
            is a reader); :func:`territoires.export` promises ``read(write(x)) == x`` for them.
        replaces: Name of the built-in format this one replaces, declared explicitly.
        description: What the format is for.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=_format_name)
    label_fr: str = attrs.field(validator=v.text)
    label_en: str = attrs.field(validator=v.text)
    suffix: str = attrs.field(validator=_suffix)
    media_type: str = attrs.field(validator=v.text)
    kinds: frozenset[ExportKind] = attrs.field(validator=_kinds)
    write: Writer = attrs.field(validator=_callable, eq=False)
    read: Reader | None = attrs.field(default=None, validator=v.optional(_callable), eq=False)
    folder: bool = attrs.field(default=False, validator=v.boolean)
    person_level: bool = attrs.field(default=True, validator=v.boolean)
    options: tuple[str, ...] = attrs.field(default=(), validator=_options)
    reads: frozenset[ExportKind] = attrs.field(
        default=attrs.Factory(_reads_default, takes_self=True), validator=_reads
    )
    replaces: str | None = attrs.field(default=None, validator=v.optional(_format_name))
    description: str = attrs.field(default="", validator=v.any_text)
