"""Whole-dataset checks: the official geography, suspicious characters in texts, plugins."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import Final

import attrs
import numpy as np

from territoires._printable import BIDI_CONTROLS, describe, find_unsafe
from territoires.exceptions import InvalidDataError
from territoires.model._validators import DATASET_EXPECTED, check_instance
from territoires.model.columns import NO_DATE
from territoires.model.contract import Action
from territoires.model.dataset import Dataset, Gazetteer
from territoires.model.period import Period
from territoires.plugins import PluginManager, default_plugin_manager
from territoires.problems import Problem, ProblemCode, Severity, format_value

__all__ = [
    "OFFICIAL_GEOGRAPHY",
    "count_errors",
    "ended_windows",
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
    holding a control or bidirectional formatting character (``suspicious-text``), warnings
    about participations still open when their action stopped counting
    (``participation-open-after-action``) and reports outside the days it counts
    (``report-outside-window``), followed by the problems the plugins' ``validate_dataset``
    hooks find.

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
    problems.extend(ended_windows(dataset))
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


def ended_windows(dataset: Dataset) -> Iterator[Problem]:
    """Warn about rows that outlive the days their action counts (its window).

    The window of an action is its period as finally amended, within its contract's period
    as finally amended, up to the day before an avenant closed it
    (:meth:`Action.window_in <territoires.Action.window_in>`); indicators count a
    participation only within it (:class:`~territoires.IndicatorInput`).

    - ``participation-open-after-action``: participations with no exit on or before the end
      of their action's window, when that end lies before the latest date the dataset
      records (its creation date, or the latest entry, exit or report end): the action has
      stopped, yet the row says the person is still in it, or left later. They stop counting
      at the window's end and their exit counts in no period. One warning per action, naming
      its first such participation and how many there are.
    - ``report-outside-window``: operators' reports whose period overlaps their action's
      period but shares no day with its window (the contract had not begun, or had ended):
      indicators leave them out. A report that misses its action's period entirely, or starts
      after its closure, is an error (``report-outside-action``); a semester report that
      merely starts before its action does is normal and not warned about.

    Warnings never block an output.

    .. versionadded:: 0.2
    """
    windows: dict[str, tuple[Period, Action]] = {}
    for contract in dataset.contracts:
        amended = contract.as_of(dt.date.max)
        for action in amended.actions:
            if action.id not in windows:
                windows[action.id] = (action.window_in(amended), action)
    yield from _open_participations(dataset, windows)
    for index, report in enumerate(dataset.reports):
        found = windows.get(report.action)
        if found is None:
            continue
        window, action = found
        if not action.period.overlaps(report.period) or (
            action.closed_on is not None and report.period.start >= action.closed_on
        ):
            continue  # an error already: report-outside-action
        if window.overlaps(report.period):
            continue
        yield Problem(
            code=ProblemCode.REPORT_OUTSIDE_WINDOW,
            message=(
                f"report covers {report.period}, when action {report.action!r} did not count "
                f"({window}: its period within its contract's, up to any closure): indicators "
                "leave it out"
            ),
            record=report.id,
            field=f"reports[{index}].period",
            value=str(report.period),
            expected=f"a period overlapping {window}",
            severity=Severity.WARNING,
        )


def _horizon(dataset: Dataset) -> dt.date | None:
    """The latest date the dataset records: its creation, entries, exits, report ends."""
    columns = dataset.participations.columns
    latest = max(int(columns.entry.max(initial=NO_DATE)), int(columns.exit.max(initial=NO_DATE)))
    days = [
        dt.date.fromordinal(latest) if latest != NO_DATE else None,
        dataset.info.created,
        *(report.period.end for report in dataset.reports),
    ]
    return max((day for day in days if day is not None), default=None)


def _open_participations(
    dataset: Dataset, windows: dict[str, tuple[Period, Action]]
) -> Iterator[Problem]:
    horizon = _horizon(dataset)
    if horizon is None:
        return
    ends = {
        action_id: window.end
        for action_id, (window, _) in windows.items()
        if window.end is not None and window.end < horizon
    }
    if not ends:
        return
    # On the columns (a million rows): the last day of each row's action, then its exit.
    columns = dataset.participations.columns
    action = columns.action
    last = np.full(len(action.values), np.iinfo(np.int32).max, dtype=np.int32)
    for code, name in enumerate(action.values):
        if name in ends:
            last[code] = ends[name].toordinal()
    lasts = last[action.codes]
    late = np.flatnonzero((columns.exit == NO_DATE) | (columns.exit > lasts))
    late = late[lasts[late] != np.iinfo(np.int32).max]
    open_rows: dict[str, list[int]] = {}
    for index, code in zip(late.tolist(), action.codes[late].tolist(), strict=True):
        open_rows.setdefault(action.values[code], []).append(index)
    for action_id, indexes in open_rows.items():
        first = dataset.participations[indexes[0]]
        end = ends[action_id]
        more = len(indexes) - 1
        others = f" and {more:,} more participation{'s' if more > 1 else ''}" if more else ""
        they, their = ("they", "their") if more else ("it", "its")
        yield Problem(
            code=ProblemCode.PARTICIPATION_OPEN_AFTER_ACTION,
            message=(
                f"participation {first.id!r}{others} of action {action_id!r} "
                f"{'have' if more else 'has'} no exit on or before {end}, when the action "
                "stopped counting (its period within its contract's, up to any closure): "
                f"{they} count{'' if more else 's'} no more after that day and {their} exit "
                "counts in no period"
            ),
            record=first.id,
            field=f"participations[{indexes[0]}].exit_date",
            value=first.exit_date.isoformat() if first.exit_date else None,
            expected=f"an exit date on or before {end}",
            severity=Severity.WARNING,
        )


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
