"""The error hierarchy of territoires, rooted at :class:`TerritoiresError`.

Every error also derives from the built-in exception it resembles, so code that
catches ``ValueError`` or ``OSError`` keeps working. Errors keep structured
attributes and build their message from them.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from territoires.problems import Problem

__all__ = [
    "DataError",
    "FormatError",
    "InconsistentError",
    "InvalidCodeError",
    "InvalidDataError",
    "InvalidValueError",
    "PluginError",
    "Terminated",
    "TerritoiresError",
    "UnknownIndicatorError",
    "UnknownTerritoryError",
    "WriteError",
]


class TerritoiresError(Exception):
    """Base class of every error raised by territoires.

    .. versionadded:: 0.1
    """


class InvalidValueError(TerritoiresError, ValueError):
    """A value breaks an invariant of the domain model.

    Raised by the model's validators when an object is built. ``field`` names
    the attribute, ``value`` is the offending value and ``expected`` says, in
    words a civil servant understands, what was expected.

    Args:
        field: Name of the attribute that holds the value.
        value: The offending value.
        expected: What the value should have been.
        code: Stable problem code (see :class:`territoires.ProblemCode`).

    .. versionadded:: 0.1
    """

    def __init__(
        self, field: str, value: object, expected: str, *, code: str = "invalid-value"
    ) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.code = code
        super().__init__(f"{field}: {expected}, got {value!r}")


class InvalidCodeError(InvalidValueError):
    """An official code (INSEE, SIREN, SIRET) has a wrong shape or check digit.

    .. versionadded:: 0.1
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(field, value, expected, code="invalid-code")


class UnknownTerritoryError(TerritoiresError, LookupError):
    """A territory code or reference is not in the official geography.

    Args:
        reference: The code that was looked up.
        suggestions: Nearby known names, best first, as ``"name (reference)"``.

    .. versionadded:: 0.1
    """

    def __init__(self, reference: str, suggestions: Sequence[str] = ()) -> None:
        self.reference = reference
        self.suggestions = tuple(suggestions)
        message = f"unknown territory {reference!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(self.suggestions) + "?"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownIndicatorError(TerritoiresError, LookupError):
    """An indicator name is not registered; the message lists the registered ones.

    .. versionadded:: 0.1
    """


class DataError(TerritoiresError, ValueError):
    """Data could not be loaded or is inconsistent; ``problems`` lists every problem found.

    Args:
        problems: The problems, in the order they were found.

    .. versionadded:: 0.1
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        first = self.problems[0].format() if self.problems else "no details"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''}: {first}{more}")


class InvalidDataError(TerritoiresError, ValueError):
    """A dataset has errors, so nothing is computed from it unless asked explicitly.

    Raised by :func:`~territoires.indicators.compute_indicators`,
    :func:`~territoires.report.build_report` and :func:`~territoires.export` when
    :func:`territoires.validate` finds problems of severity error in the dataset (warnings
    never block). Pass ``allow_invalid=True`` to produce the output anyway: it then says
    how many errors the data had (``data_errors``).

    Args:
        problems: The errors found, in the order :func:`territoires.validate` gives them.

    .. versionadded:: 0.2
    """

    SHOWN = 3
    """How many problems the message quotes."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        first = "; ".join(p.format() for p in self.problems[: self.SHOWN])
        more = f"; … and {count - self.SHOWN} more" if count > self.SHOWN else ""
        super().__init__(
            f"the dataset has {count} error{'s' if count != 1 else ''} ({first}{more}): "
            "run territoires validate to list them, or pass allow_invalid=True to compute "
            "from it anyway"
        )


class InconsistentError(TerritoiresError, ValueError):
    """Published values contradict each other: no value of the hidden counts satisfies them.

    Raised by :func:`territoires.disclosure.audit` when tables contradict a relation that
    always holds (a breakdown that does not add up to its total, say): they do not describe
    one dataset.

    Args:
        sources: The relations of the contradictory part of the system, in words.
        keys: The hidden counts of that part.

    .. versionadded:: 0.2
    """

    def __init__(self, sources: Sequence[str], keys: Sequence[object]) -> None:
        self.sources: tuple[str, ...] = tuple(sources)
        self.keys: tuple[object, ...] = tuple(keys)
        shown = "; ".join(self.sources[:5]) + ("; …" if len(self.sources) > 5 else "")
        super().__init__(f"the published values contradict each other ({shown})")


class FormatError(TerritoiresError, ValueError):
    """A file format cannot hold what is asked of it, or cannot be told from a path.

    .. versionadded:: 0.1
    """


class WriteError(TerritoiresError, OSError):
    """A file or folder cannot be written; nothing was changed at ``path``.

    Args:
        path: The file or folder the caller asked to write (never a temporary name).
        reason: Why, in words (``"No space left on device"``, ``"it is the input being
            read"``).

    .. versionadded:: 0.1
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")

    def __str__(self) -> str:
        return str(self.args[0])


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (``SIGTERM``, ``SIGHUP``) while it was writing a file.

    Raised in the main thread during a write, so that the write cleans up after itself
    before the process ends; a :class:`KeyboardInterrupt`, so that code letting Ctrl-C
    through lets it through too (plugin guards included).

    Args:
        signal: The number of the signal received.

    .. versionadded:: 0.1
    """

    def __init__(self, signal: int) -> None:
        self.signal = signal
        super().__init__(f"terminated by signal {signal}")


class PluginError(TerritoiresError, RuntimeError):
    """A plugin failed: it could not be imported, raised inside a hook, or returned the wrong thing.

    Also when a function it registered raised: a calculator, a rule, a writer. Whatever the
    plugin raised (``SystemExit`` included) is the error's ``__cause__``.

    Args:
        plugin: Name the plugin is registered under (its entry-point name).
        hook: The hook (or step, such as ``import``, or function, such as ``calculator of
            indicator '69123.x'``) where it failed.
        cause: What went wrong, in words.
        distribution: The distribution that provides the plugin, if known.
        version: Its version, if known.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        plugin: str,
        hook: str,
        cause: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        self.cause = " ".join(str(cause).split())  # one line, whatever the cause printed
        self.distribution = distribution
        self.version = version
        origin = f" ({distribution} {version or '?'})" if distribution else ""
        super().__init__(f"plugin {plugin!r}{origin}, {hook}: {self.cause}")
