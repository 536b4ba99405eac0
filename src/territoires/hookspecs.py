"""The hook specifications: everything a plugin can add to territoires.

A plugin is a module (or any object) with functions marked ``@territoires.hookimpl`` whose names
are those of the hooks below; it is found through the ``territoires`` entry-point group of its
distribution. Hooks are called with keyword arguments; an implementation may take any subset of
a hook's arguments, and arguments may be added to a hook in later versions but never renamed or
removed.

Registration hooks (``register_*``) are called once per plugin, when the plugin manager is
built; what they return is checked then, so a faulty plugin is caught at start-up with an
error naming it, not halfway through a report. Plugins are called one at a time, in
registration order (built-ins first), so that a fault is attributed to its plugin; pluggy's
``tryfirst``, ``trylast`` and hook wrappers therefore have no effect. Every name a plugin
registers must be unique; a plugin replaces a built-in only by naming it in the object's
``replaces`` field.

When a plugin fails, it alone pays. Whatever its code raises, in a hook or in a function it
registered (a calculator, a rule, a writer) — any exception, ``SystemExit`` and other
:class:`BaseException` included, but not :class:`KeyboardInterrupt`, which stops everything —
is caught where the library calls it and recorded in the plugin manager's ``errors`` as a
:class:`~territoires.PluginError` naming the plugin, its distribution and version, the hook or
the function (``calculator of indicator '69123.x'``, ``check of rule '69123.y'``,
``writer of format 'markdown'``) and the cause; the rest runs. Each hook below says what is
left out. The command line prints each fault on standard error with how to disable the
plugin, and exits with status 2 when the request needed the plugin (see
:mod:`territoires.cli`). What a plugin prints on standard output while a command runs goes to
standard error.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from territoires.formats import ExportFormat
from territoires.measures import Indicator
from territoires.model.dataset import Dataset
from territoires.problems import Problem
from territoires.rules import EligibilityRule

__all__ = [
    "PROJECT",
    "hookimpl",
    "hookspec",
    "register_eligibility_rules",
    "register_export_formats",
    "register_indicators",
    "validate_dataset",
]

PROJECT = "territoires"
"""The pluggy project name, which is also the entry-point group of plugins."""

hookspec = pluggy.HookspecMarker(PROJECT)
"""The marker of the hook specifications below; plugins do not need it."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""The marker plugins put on their hook implementations (also ``territoires.hookimpl``)."""


@hookspec
def register_eligibility_rules() -> Iterable[EligibilityRule]:  # type: ignore[empty-body]
    """Return the eligibility rules the plugin adds.

    Called once per plugin manager; every implementation is called and their rules are
    gathered into one registry. The national rules are registered the same way, by a built-in
    plugin.

    When it fails: a hook that raises registers nothing; an object that is not a rule, or whose
    name is refused (no namespace, taken), is left out alone. Later, a rule whose ``check``,
    ``key`` or ``applies_to`` raises, or whose ``check`` returns something other than a
    :class:`~territoires.Verdict`, gives an **unknown** verdict whose reason names the plugin:
    the decision is undetermined (or not eligible if another rule is not met), never eligible
    because of it. The fault is recorded once per rule and function.

    Returns:
        :class:`~territoires.EligibilityRule` objects: a list, a tuple or a generator (a single
        rule is accepted too). A local plugin prefixes their names with its territory's code:
        ``69123.moins_de_26_ans``.

    Example:
        .. code-block:: python

            @territoires.hookimpl
            def register_eligibility_rules():
                # fields: labels, source and check, as EligibilityRule documents them
                return [EligibilityRule(name="69123.moins_de_26_ans", **fields)]
    """


@hookspec
def register_indicators() -> Iterable[Indicator]:  # type: ignore[empty-body]
    """Return the indicators the plugin adds.

    Called once per plugin manager; every implementation is called and their indicators are
    gathered into one registry. The national indicators are registered the same way, by a
    built-in plugin.

    When it fails: a hook that raises registers nothing; an object that is not an indicator,
    whose name is refused, or that is a share (``share_of``) of a breakdown no registered
    indicator has, or counts the persons (``counts_as``) of an indicator nobody registered, is
    left out alone, since disclosure control could not protect it. Later, an indicator whose
    calculator raises, or returns what is not partial aggregates keyed by its dimensions, is
    left out of the table: its cells are absent and
    :attr:`territoires.indicators.IndicatorTable.errors` says why; every other indicator,
    national ones included, is computed as if it were not registered.

    Returns:
        :class:`~territoires.Indicator` objects: a list, a tuple or a generator (a single
        indicator is accepted too), with namespaced names for local ones:
        ``200046977.logement_durable_6_mois``.

    Example:
        .. code-block:: python

            @territoires.hookimpl
            def register_indicators():
                # fields: labels, unit, aggregations and compute, as Indicator documents them
                return [Indicator(name="200046977.logement_durable_6_mois", **fields)]
    """


@hookspec
def register_export_formats() -> Iterable[ExportFormat]:  # type: ignore[empty-body]
    """Return the export formats the plugin adds.

    Called once per plugin manager. The built-in implementation
    (``territoires.builtins.formats``) registers ``json``, ``csv``, ``datapackage``, ``xlsx``
    and ``html``. Every
    implementation is called; their formats are gathered into one registry.

    When it fails: a hook that raises registers nothing; a format that is not one, or whose
    name is taken, is left out alone. Later, a writer that raises anything but a
    :class:`~territoires.TerritoiresError` (its way to refuse, such as a
    :class:`~territoires.FormatError` for what the format cannot hold) makes
    :func:`territoires.export` raise a :class:`~territoires.PluginError` naming the plugin and
    ``writer of format '...'``; the previous file, if any, is left as it was.

    Returns:
        :class:`~territoires.ExportFormat` objects: a list, a tuple or a generator (a single
        format is accepted too), each with a writer and, where the format reads back, a
        reader.

    Example:
        .. code-block:: python

            @territoires.hookimpl
            def register_export_formats():
                # fields: labels, media type, kinds and write, as ExportFormat documents them
                return [ExportFormat(name="markdown", suffix=".md", **fields)]
    """


@hookspec
def validate_dataset(dataset: Dataset) -> Iterable[Problem]:  # type: ignore[empty-body]
    """Return the extra problems a local policy finds in ``dataset``.

    Called by :func:`territoires.validate` after the core checks, for every plugin; their
    problems are added to the core's. There is no built-in implementation: the core checks are
    :meth:`territoires.Dataset.validate`.

    When it fails: a hook that raises, or returns something other than problems, adds none: the
    core's problems and the other plugins' are returned, and the fault is recorded. Since the
    validation asked for is then incomplete, ``territoires validate`` says so after its summary
    and exits with status 2.

    Args:
        dataset: The dataset being checked.

    Returns:
        :class:`~territoires.Problem` objects, in the same form as the core's (a stable code,
        the record, the field path and a message).

    Example:
        .. code-block:: python

            @territoires.hookimpl
            def validate_dataset(dataset):
                for index, contract in enumerate(dataset.contracts):
                    if contract.territory == "200046977" and not contract.governance:
                        yield Problem(
                            code=ProblemCode.INVALID_VALUE,
                            message="a contract of the Métropole needs a steering committee",
                            record=contract.id,
                            field=f"contracts[{index}].governance",
                        )
    """
