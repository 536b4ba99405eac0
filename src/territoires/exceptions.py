"""The error hierarchy of territoires, rooted at :class:`TerritoiresError`.

Every error also derives from the built-in exception it resembles, so code that
catches ``ValueError`` or ``OSError`` keeps working. Errors keep structured
attributes and build their message from them.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from territoires.problems import Problem

__all__ = [
    "DataError",
    "FormatError",
    "InconsistentError",
    "InvalidArgumentError",
    "InvalidCodeError",
    "InvalidDataError",
    "InvalidValueError",
    "PluginError",
    "RowLookupError",
    "Terminated",
    "TerritoiresError",
    "UnknownActionError",
    "UnknownContractError",
    "UnknownIndicatorError",
    "UnknownNameError",
    "UnknownTerritoryError",
    "WriteError",
    "WrongTypeError",
]

DATE_EXPECTED = (
    "a datetime.date, such as datetime.date(2021, 9, 1) or "
    "datetime.date.fromisoformat('2021-09-01')"
)
"""What a date argument must be: the Python API takes dates, never texts to parse."""


# The two helpers below build the "did you mean" of messages, here so that every module, the
# model's included, can use them; they are not in __all__, which lists the errors only.


def closest(word: str, known: Iterable[str], *, limit: int = 3) -> tuple[str, ...]:
    """Return the known names closest to ``word``, best first (at most ``limit``).

    Example:
        >>> closest("benficiaries", ["beneficiaries", "budget"])
        ('beneficiaries',)

    .. versionadded:: 0.2
    """
    return tuple(difflib.get_close_matches(word, list(known), n=limit, cutoff=0.6))


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the names closest to ``word``, or ``""``.

    Example:
        >>> did_you_mean("schemma", ["schema", "persons"])
        "; did you mean 'schema'?"

    .. versionadded:: 0.2
    """
    found = closest(word, known)
    return f"; did you mean {' or '.join(map(repr, found))}?" if found else ""


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
        hint: Words added to the message after the value, such as a "did you mean"
            (``"; did you mean 'national'?"``).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        field: str,
        value: object,
        expected: str,
        *,
        code: str = "invalid-value",
        hint: str = "",
    ) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.code = code
        self.hint = hint
        super().__init__(f"{field}: {expected}, got {value!r}{hint}")


class InvalidArgumentError(InvalidValueError):
    """An argument of a public function has a value the function cannot take.

    ``lang="de"`` where ``"fr"`` or ``"en"`` is expected, a negative size, a semester 3. A
    :class:`ValueError` too, as before version 0.2.

    Args:
        field: Name of the argument.
        value: The offending value.
        expected: What the argument should have been.
        hint: Words added after the value, such as a "did you mean".

    .. versionadded:: 0.2
    """

    def __init__(self, field: str, value: object, expected: str, *, hint: str = "") -> None:
        super().__init__(field, value, expected, code="invalid-value", hint=hint)


class WrongTypeError(InvalidValueError, TypeError):
    """A value of the wrong type: a text where a date is expected, a contract id for a contract.

    The Python API never parses: a date is a :class:`datetime.date` (parsing texts is the
    files' and the command line's job), a contract a :class:`~territoires.Contract`. Both a
    :class:`ValueError` (as the model's validators raised before version 0.2) and a
    :class:`TypeError`.

    Args:
        field: Name of the argument or attribute.
        value: The offending value.
        expected: What was expected, and how to get it.

    .. versionadded:: 0.2
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(field, value, expected, code="wrong-type")


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


class UnknownNameError(TerritoiresError, LookupError):
    """A name or id looked up among known ones is not there; the message suggests the closest.

    Args:
        name: The name looked up, or the names.
        known: The names that exist where it was looked up.
        where: Where it was looked up, as words that follow the name (``" in the table"``).
        known_as: What the known names are, in the list that ends the message
            (``"registered"``).

    Attributes:
        names: The names looked up, as a tuple.
        suggestions: The known names closest to those looked up, best first.

    .. versionadded:: 0.2
    """

    what = "name"

    def __init__(
        self,
        name: str | Sequence[str],
        known: Iterable[str] = (),
        where: str = "",
        *,
        known_as: str = "known",
    ) -> None:
        self.name = name
        self.names: tuple[str, ...] = (name,) if isinstance(name, str) else tuple(name)
        self.known: tuple[str, ...] = tuple(known)
        self.where = where
        self.known_as = known_as
        self.suggestions: tuple[str, ...] = tuple(
            dict.fromkeys(s for n in self.names for s in closest(str(n), self.known))
        )
        message = f"no {self.what} named {', '.join(map(repr, self.names))}{where}"
        if self.suggestions:
            message += f"; did you mean {' or '.join(map(repr, self.suggestions))}?"
        # The whole list helps when nothing is close, unless it would drown the message.
        if self.known and len(self.known) <= (10 if self.suggestions else 100):
            message += f" ({known_as}: {', '.join(self.known)})"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownIndicatorError(UnknownNameError):
    """An indicator name is not registered, or not in a table; the message suggests the closest.

    Args:
        name: The name looked up, or the names.
        known: The names that exist (registered indicators, or those of the table).
        where: Where it was looked up, as words that follow the name (``" in the table"``).

    .. versionchanged:: 0.2
        Built from the name and the known names, with suggestions.

    .. versionadded:: 0.1
    """

    what = "indicator"


class UnknownContractError(UnknownNameError):
    """No contract has this id in the dataset or the registry; the message suggests the closest.

    Args:
        name: The contract id looked up, or the ids.
        known: The ids of the contracts where it was looked up.
        where: Where it was looked up, as words that follow the id (``" in the registry"``).

    .. versionadded:: 0.2
    """

    what = "contract"


class UnknownActionError(UnknownNameError):
    """No action has this id in the contract or the dataset; the message suggests the closest.

    Args:
        name: The action id looked up.
        known: The ids of the actions where it was looked up.
        where: Where it was looked up, as words that follow the id (``" in contract 'x'"``).

    .. versionadded:: 0.2
    """

    what = "action"


class RowLookupError(TerritoiresError, LookupError):
    """No row, or more than one, of a known indicator matches what was asked of a table.

    Args:
        indicator: The indicator.
        found: How many rows matched (0, or 2 and more).
        criteria: What was asked, in words (``"level='national', category='female'"``).

    .. versionadded:: 0.2
    """

    def __init__(self, indicator: str, found: int, criteria: str) -> None:
        self.indicator = indicator
        self.found = found
        self.criteria = criteria
        if found == 0:
            message = f"no row of {indicator!r} matches {criteria}"
        else:
            message = (
                f"{found} rows of {indicator!r} match {criteria}, expected one: name the "
                "dimension, category, territory, contract or action of the one wanted"
            )
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


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
