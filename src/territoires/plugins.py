"""The plugin manager: built-ins and installed plugins, their registries and their faults.

:func:`get_plugin_manager` builds a :class:`PluginManager` (a pluggy manager) each time it is
called: the built-in plugins first (``territoires.builtins.*``), then the plugins installed
through the ``territoires`` entry-point group, then ``check_pending()``. Nothing is created when
the package is imported.

Environment variables:

``TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD``
    Any non-empty value but ``0``: load no installed plugin, only the built-ins.
``TERRITOIRES_PLUGINS``
    A comma-separated allow-list: load only the installed plugins with these entry-point or
    distribution names.
``TERRITOIRES_TRACE_PLUGINS``
    Any non-empty value but ``0``: every hook call (plugin, hook, duration) is logged on the
    ``territoires.plugins`` logger and shown on standard error.

A faulty plugin never stops the others. Whatever a plugin's code raises — any exception,
``SystemExit`` and other :class:`BaseException` included, but not :class:`KeyboardInterrupt`,
which is the user's — is caught at the boundary between the library and the plugin (the
hook, the calculator, the rule, the writer: see :meth:`PluginManager.guarded`) and becomes a
:class:`~territoires.PluginError` naming the plugin, its distribution and version, the hook
and the cause, added to :attr:`PluginManager.errors` (and logged). What failed is left out
and the rest runs: a plugin that fails to import or to register is not loaded; an item it
returns that cannot be registered (a wrong type, a name without namespace, a share of a
breakdown that does not exist) is refused alone; an indicator whose calculator fails is left
out of the table (:attr:`territoires.indicators.IndicatorTable.errors`); a rule that fails
gives an unknown verdict naming the plugin. The command line prints each fault on standard
error (see :mod:`territoires.cli` for its exit codes); :meth:`PluginManager.raise_errors`
raises the first one for library users who prefer an exception.

:class:`MemoryError` is caught like any other exception: the plugin's allocations are freed
as its frames unwind, and the traceback is dropped so that nothing keeps them alive.

Example:
    >>> from territoires.plugins import get_plugin_manager
    >>> manager = get_plugin_manager(autoload=False)
    >>> sorted(manager.formats)
    ['csv', 'datapackage', 'html', 'json', 'scdl', 'xlsx']
    >>> manager.errors
    []

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

if TYPE_CHECKING:
    from importlib import metadata

from territoires import hookspecs
from territoires._names import is_namespaced
from territoires._version import __version__
from territoires.exceptions import PluginError
from territoires.formats import ExportFormat
from territoires.measures import Indicator
from territoires.model.dataset import Dataset
from territoires.problems import Problem
from territoires.rules import EligibilityRule

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Catalogue",
    "PluginInfo",
    "PluginManager",
    "Registration",
    "default_plugin_manager",
    "get_plugin_manager",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT
"""The entry-point group in which installed plugins declare their module (``territoires``)."""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "territoires.builtins.eligibility",
    "territoires.builtins.indicators",
    "territoires.builtins.formats",
)
"""The built-in plugin modules, registered first, like any third-party plugin."""

DISABLE_AUTOLOAD = "TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD"
ALLOW_LIST = "TERRITOIRES_PLUGINS"
TRACE = "TERRITOIRES_TRACE_PLUGINS"

logger = logging.getLogger("territoires.plugins")

T = TypeVar("T", EligibilityRule, Indicator, ExportFormat)
R = TypeVar("R")


@attrs.frozen(kw_only=True)
class PluginInfo:
    """Who a plugin is.

    Attributes:
        name: Name it is registered under (entry-point name, or module name for built-ins).
        distribution: The distribution that provides it (``territoires`` for built-ins).
        version: The distribution's version.
        builtin: Whether it ships with territoires.
        module: The module (or object) registered.

    .. versionadded:: 0.1
    """

    name: str
    distribution: str | None
    version: str | None
    builtin: bool = False
    module: str = ""

    def error(self, hook: str, cause: str) -> PluginError:
        """Return the error for a fault of this plugin in ``hook``."""
        return PluginError(
            self.name, hook, cause, distribution=self.distribution, version=self.version
        )


@attrs.frozen(kw_only=True)
class Registration(Generic[T]):
    """One registered rule, indicator or format, with the plugin it comes from.

    Attributes:
        item: What was registered.
        plugin: The plugin that registered it.
        replaced: The built-in plugin whose item of the same name it replaces, if any.

    .. versionadded:: 0.1
    """

    item: T
    plugin: PluginInfo
    replaced: PluginInfo | None = None


class Catalogue(Mapping[str, T]):
    """A registry: registered items by name, in registration order, with their origin.

    .. versionadded:: 0.1
    """

    def __init__(self, registrations: Iterable[Registration[T]] = ()) -> None:
        self._entries: dict[str, Registration[T]] = {r.item.name: r for r in registrations}

    def __getitem__(self, name: str) -> T:
        return self._entries[name].item

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def registration(self, name: str) -> Registration[T]:
        """Return the registration of ``name``: the item and the plugin it comes from."""
        return self._entries[name]

    def registrations(self) -> list[Registration[T]]:
        """Return every registration, in registration order."""
        return list(self._entries.values())


_FAMILIES: tuple[tuple[str, str, type[Any], bool], ...] = (
    # hook, attribute, expected type, whether plugins must namespace names
    ("register_eligibility_rules", "rules", EligibilityRule, True),
    ("register_indicators", "indicators", Indicator, True),
    ("register_export_formats", "formats", ExportFormat, False),
)


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (a {type(value).__name__})"


def describe_exception(exc: BaseException) -> str:
    """Return ``exc`` as its type and message, on one line: ``ValueError: bad table``.

    Example:
        >>> describe_exception(SystemExit(3))
        'SystemExit: 3'
        >>> describe_exception(GeneratorExit())
        'GeneratorExit'

    .. versionadded:: 0.1
    """
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _dangling(indicator: Indicator, entries: Mapping[str, Registration[Any]]) -> str | None:
    """Why ``indicator`` links to something not among ``entries``, or None."""
    link = indicator.share_of
    if link is not None:
        target = entries.get(link.indicator)
        if target is None or link.dimension not in target.item.dimensions:
            return (
                f"indicator {indicator.name!r} is left out: it is a share of "
                f"{link.indicator!r} by {link.dimension.value}, but no registered indicator "
                "has that breakdown"
            )
    if indicator.counts_as is not None and indicator.counts_as not in entries:
        return (
            f"indicator {indicator.name!r} is left out: it counts the persons of "
            f"{indicator.counts_as!r}, which is not registered"
        )
    return None


def _who(info: PluginInfo) -> str:
    return f"{info.name!r} ({info.distribution})" if info.distribution else repr(info.name)


def _flag(name: str) -> bool:
    value = os.environ.get(name, "")
    return bool(value) and value != "0"


class PluginManager(pluggy.PluginManager):
    """The pluggy manager of territoires, with registries built from the registration hooks.

    Use :func:`get_plugin_manager` to build one. Registries (:attr:`rules`,
    :attr:`indicators`, :attr:`formats`) are built on first use and checked then.

    Attributes:
        errors: The faults of plugins met so far, one :class:`~territoires.PluginError` each,
            in the order they happened: at loading (import, registration, what the
            registration hooks return) and afterwards (a hook, a calculator, a rule or a
            writer that raised). What failed is left out and recorded here; nothing is raised
            until :meth:`raise_errors` is called.

    .. versionadded:: 0.1
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.errors: list[PluginError] = []
        self._infos: dict[str, PluginInfo] = {}
        self._left_out: list[PluginInfo] = []
        # What each plugin's registration hooks returned: they are called once per plugin,
        # even when the registries are rebuilt after another plugin is added.
        self._results: dict[tuple[str, str], tuple[bool, Any]] = {}
        self._registries: dict[str, Catalogue[Any]] | None = None
        self._trace = _flag(TRACE)

    # -- registration -------------------------------------------------------------------------

    def add(self, plugin: object, info: PluginInfo) -> bool:
        """Register ``plugin`` as ``info.name``; record a :class:`.PluginError` if pluggy refuses.

        Returns:
            Whether the plugin was registered.
        """
        try:
            self.register(plugin, name=info.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self.record(info.error("registration", str(exc)))
            self._leave_out(info)
            return False
        except BaseException as exc:  # pluggy reads the plugin's attributes: its code may run
            if self.absorb(info, "registration", exc) is None:
                raise
            self._leave_out(info)
            return False
        self._infos[info.name] = info
        return True

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` (pluggy's method); its registrations join the registries.

        A plugin registered this way, rather than through :meth:`add`, is described by its
        name only (no distribution or version).
        """
        registered = super().register(plugin, name=name)
        if registered is not None:
            self._infos.setdefault(
                registered,
                PluginInfo(name=registered, distribution=None, version=None),
            )
            self._registries = None
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Unregister a plugin, forgetting what it registered."""
        key = name if name is not None else self.get_name(plugin) if plugin is not None else None
        removed = super().unregister(plugin=plugin, name=name)
        self._registries = None
        if key is not None:
            self._infos.pop(key, None)
            self._results = {k: r for k, r in self._results.items() if k[0] != key}
        return removed

    def info(self, name: str) -> PluginInfo:
        """Return who the plugin registered as ``name`` is."""
        info = self._infos.get(name)
        if info is None:
            return PluginInfo(name=name, distribution=None, version=None)
        return info

    def plugin_infos(self) -> list[PluginInfo]:
        """Return the registered plugins, built-ins first, in registration order."""
        return [info for name, info in self._infos.items() if self.has_plugin(name)]

    def left_out(self) -> list[PluginInfo]:
        """Return the plugins found but not registered, in the order they were met.

        They failed to import or to register, or implement a hook that does not exist; their
        faults are in :attr:`errors`.
        """
        return [
            info
            for info in self._left_out
            if self._infos.get(info.name) != info or not self.has_plugin(info.name)
        ]

    def _leave_out(self, info: PluginInfo) -> None:
        if info not in self._left_out:
            self._left_out.append(info)

    def hooks_of(self, name: str) -> list[str]:
        """Return the names of the hooks plugin ``name`` implements."""
        plugin = self.get_plugin(name)
        callers = (self.get_hookcallers(plugin) or []) if plugin is not None else []
        return sorted(caller.name for caller in callers)

    def record(self, error: PluginError) -> None:
        """Add a fault to :attr:`errors`, unless the same one is there already.

        For faults found outside the manager that raise nothing, such as a rule's check
        returning something other than a verdict; exceptions go through :meth:`absorb`.
        """
        if any(str(known) == str(error) for known in self.errors):
            return  # the same fault found again (registries rebuilt, validate called twice)
        logger.error("%s", error)
        self.errors.append(error)

    def absorb(
        self,
        plugin: PluginInfo,
        hook: str,
        exc: BaseException,
        *,
        passes: tuple[type[BaseException], ...] = (),
    ) -> PluginError | None:
        """Turn ``exc``, raised by the code of ``plugin`` in ``hook``, into a recorded fault.

        The one place that decides what a plugin's exception becomes: any exception,
        ``SystemExit``, ``GeneratorExit`` and other :class:`BaseException` included, except
        :class:`KeyboardInterrupt` (the user's, which must stop the command) and the types
        in ``passes`` (a documented way for the plugin to refuse, such as a writer's
        :class:`~territoires.FormatError`). A hook that fails again is recorded once, with
        its first cause: a rule failing for 100,000 persons is one fault. For a boundary in a
        hot loop, where :meth:`guarded` would cost a call::

            try:
                value = rule.key(person)
            except BaseException as exc:
                error = manager.absorb(info, f"key of rule {rule.name!r}", exc)
                if error is None:
                    raise
                ...

        Returns:
            The :class:`~territoires.PluginError` (its ``__cause__`` is ``exc``), or None when
            ``exc`` must propagate: then re-raise it.

        .. versionadded:: 0.1
        """
        if isinstance(exc, (KeyboardInterrupt, *passes)):
            return None
        if isinstance(exc, MemoryError):
            exc.__traceback__ = None  # its frames hold what filled the memory: let them go
        error = plugin.error(hook, f"raised {describe_exception(exc)}")
        error.__cause__ = exc
        if self._trace:
            logger.info("%s", error, exc_info=exc)
        if not any(
            known.plugin == error.plugin and known.hook == error.hook for known in self.errors
        ):
            self.record(error)
        return error

    def guarded(
        self,
        plugin: PluginInfo,
        hook: str,
        function: Callable[[], R],
        *,
        passes: tuple[type[BaseException], ...] = (),
    ) -> R | PluginError:
        """Call ``function`` (code of ``plugin``, in ``hook``) at a plugin boundary.

        Every call from the library into a plugin's code goes through here or
        :meth:`absorb`: hooks, indicators' calculators, eligibility rules, format writers.

        Args:
            plugin: Who the code belongs to (``manager.indicators.registration(name).plugin``
                for what a plugin registered).
            hook: Where, in words: a hook's name, ``calculator of indicator '69123.x'``,
                ``check of rule '69123.y'``, ``writer of format 'markdown'``.
            function: The call, without arguments (a ``lambda``).
            passes: Exception types that propagate unchanged (see :meth:`absorb`).

        Returns:
            What ``function`` returned, or the recorded :class:`~territoires.PluginError` when
            it raised.

        Example:
            >>> manager = get_plugin_manager(autoload=False)
            >>> info = PluginInfo(name="lyon", distribution="territoires-lyon", version="1.0")
            >>> error = manager.guarded(info, "writer of format 'md'", lambda: 1 / 0)
            >>> error.hook, error.cause
            ("writer of format 'md'", 'raised ZeroDivisionError: division by zero')
            >>> manager.guarded(info, "writer of format 'md'", lambda: 42)
            42

        .. versionadded:: 0.1
        """
        try:
            return function()
        except BaseException as exc:
            error = self.absorb(plugin, hook, exc, passes=passes)
            if error is None:
                raise
            return error

    def raise_errors(self) -> None:
        """Raise the first :class:`~territoires.PluginError` met so far, if any."""
        if self.errors:
            raise self.errors[0]

    # -- calling hooks one plugin at a time ---------------------------------------------------

    def call_each(
        self, hook: str, *, once: bool = False, **kwargs: Any
    ) -> Iterator[tuple[PluginInfo, Any]]:
        """Call ``hook`` on every plugin, in registration order, attributing each result.

        A plugin that raises (anything but :class:`KeyboardInterrupt`, see :meth:`absorb`) is
        recorded in :attr:`errors` and skipped; the others still run.

        Args:
            hook: Name of the hook.
            once: Call each plugin's implementation only the first time and replay its
                result afterwards (registration hooks).
            kwargs: The hook's arguments; each implementation receives those it takes.

        Yields:
            ``(plugin, result)`` for each plugin that implements the hook and returned.
        """
        caller = getattr(self.hook, hook)
        by_plugin = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        for name in list(self._infos):
            impl = by_plugin.get(name)
            if impl is None:
                continue
            info = self.info(name)
            if once and (name, hook) in self._results:
                succeeded, result = self._results[name, hook]
                if succeeded:
                    yield info, result
                continue
            arguments = {arg: kwargs[arg] for arg in impl.argnames if arg in kwargs}
            start = time.perf_counter()
            try:
                result = impl.function(**arguments)
                if hasattr(result, "__next__"):  # a generator: run it now, inside the guard
                    result = list(result)
            except BaseException as exc:
                if self.absorb(info, hook, exc) is None:
                    raise
                if once:
                    self._results[name, hook] = (False, None)
                continue
            finally:
                if self._trace:
                    logger.info(
                        "%s.%s took %.1f ms", name, hook, (time.perf_counter() - start) * 1000
                    )
            if once:
                self._results[name, hook] = (True, result)
            yield info, result

    # -- registries ---------------------------------------------------------------------------

    def _build_registries(self) -> dict[str, Catalogue[Any]]:
        registries: dict[str, Catalogue[Any]] = {}
        for hook, attribute, expected, namespaced in _FAMILIES:
            entries: dict[str, Registration[Any]] = {}
            for info, result in self.call_each(hook, once=True):
                if result is None:
                    continue
                items = [result] if isinstance(result, expected) else result
                if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
                    self.record(
                        info.error(
                            hook,
                            f"returned {_describe(result)}; expected {expected.__name__} "
                            "objects (a list, or a single one)",
                        )
                    )
                    continue
                for item in items:
                    error = self._admit(info, hook, item, expected, namespaced, entries)
                    if error is not None:
                        self.record(error)
            if expected is Indicator:
                self._refuse_dangling_links(entries)
            registries[attribute] = Catalogue(entries.values())
        return registries

    def _refuse_dangling_links(self, entries: dict[str, Registration[Any]]) -> None:
        """Leave out the indicators linked to a breakdown or an indicator nobody registered.

        Disclosure control protects a share together with the breakdown it is a share of, and
        a rate together with the count it gives back: without them it cannot, so the
        indicator is refused, with an error naming its plugin, and the others run. Checked
        once every plugin has registered, since a link may point to another plugin's
        indicator; leaving one out may leave another dangling, hence the loop.
        """
        while True:
            dangling = [
                (name, cause)
                for name, registration in entries.items()
                if (cause := _dangling(registration.item, entries)) is not None
            ]
            if not dangling:
                return
            for name, cause in dangling:
                self.record(entries.pop(name).plugin.error("register_indicators", cause))

    def _admit(
        self,
        info: PluginInfo,
        hook: str,
        item: object,
        expected: type[Any],
        namespaced: bool,
        entries: dict[str, Registration[Any]],
    ) -> PluginError | None:
        """Add ``item`` to ``entries``, or return why it cannot be registered."""
        if not isinstance(item, expected):
            return info.error(hook, f"returned {_describe(item)}; expected {expected.__name__}")
        name = item.name
        replaced: Registration[Any] | None = None
        if item.replaces is not None:
            replaced = entries.get(item.replaces)
            if replaced is None or not replaced.plugin.builtin:
                return info.error(
                    hook, f"{name!r} replaces {item.replaces!r}, but no built-in has that name"
                )
        elif namespaced and not info.builtin and not is_namespaced(name):
            return info.error(
                hook,
                f"name {name!r} has no namespace: prefix it with your territory's code "
                f"(e.g. '69123.{name}') or your plugin's name",
            )
        previous = entries.get(name)
        if previous is not None and previous is not replaced:
            if previous.plugin.builtin:
                return info.error(
                    hook,
                    f"{name!r} is already registered by the built-in {previous.plugin.name!r}; "
                    f"declare replaces={name!r} to replace it",
                )
            return info.error(
                hook, f"{name!r} is already registered by plugin {_who(previous.plugin)}"
            )
        if replaced is not None and replaced.item.name != name:
            del entries[replaced.item.name]  # same name: keeps the built-in's place
        entries[name] = Registration(
            item=item, plugin=info, replaced=replaced.plugin if replaced else None
        )
        return None

    def _registry(self, attribute: str) -> Catalogue[Any]:
        if self._registries is None:
            self._registries = self._build_registries()
        return self._registries[attribute]

    @property
    def rules(self) -> Catalogue[EligibilityRule]:
        """The eligibility rules, by name."""
        return self._registry("rules")

    @property
    def indicators(self) -> Catalogue[Indicator]:
        """The indicators, by name."""
        return self._registry("indicators")

    @property
    def formats(self) -> Catalogue[ExportFormat]:
        """The export formats, by name."""
        return self._registry("formats")

    def validate_dataset(self, dataset: Dataset) -> list[Problem]:
        """Return the extra problems the plugins' ``validate_dataset`` hooks find."""
        problems: list[Problem] = []
        for info, result in self.call_each("validate_dataset", dataset=dataset):
            items = [result] if isinstance(result, Problem) else result
            if items is None:
                continue
            if not isinstance(items, Iterable) or isinstance(items, str | bytes):
                self.record(
                    info.error(
                        "validate_dataset",
                        f"returned {_describe(result)}; expected Problem objects",
                    )
                )
                continue
            wrong = [item for item in items if not isinstance(item, Problem)]
            if wrong:
                self.record(
                    info.error(
                        "validate_dataset",
                        f"returned {_describe(wrong[0])}; expected Problem objects",
                    )
                )
                continue
            problems.extend(items)
        return problems


def _installed() -> list[metadata.EntryPoint]:
    # Imported here: importlib.metadata costs ~25 ms, and only autoloading needs it.
    from importlib import metadata

    found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    return sorted(found, key=lambda ep: ep.name)


def get_plugin_manager(
    *,
    autoload: bool | None = None,
    allow: Iterable[str] | None = None,
    builtins: bool = True,
    plugins: Iterable[tuple[str, object]] = (),
) -> PluginManager:
    """Build a plugin manager: built-ins, then installed plugins, then ``plugins``.

    Args:
        autoload: Whether to load the plugins installed through entry points; by default
            yes, unless ``TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD`` is set.
        allow: Names (entry-point or distribution) of the only installed plugins to load; by
            default those listed in ``TERRITOIRES_PLUGINS``, or all.
        builtins: Whether to register the built-in plugins (tests of a plugin may leave them
            out).
        plugins: Extra ``(name, plugin)`` pairs to register after the others (a module, a
            class or any object with hook implementations).

    Returns:
        A new manager; faults are in its ``errors``, never raised here.

    .. versionadded:: 0.1
    """
    manager = PluginManager()
    if _flag(TRACE):
        _trace_to_stderr()
    if builtins:
        for module_name in DEFAULT_PLUGINS:
            module = importlib.import_module(module_name)
            manager.add(
                module,
                PluginInfo(
                    name=module_name,
                    distribution="territoires",
                    version=__version__,
                    builtin=True,
                    module=module_name,
                ),
            )
    if autoload is None:
        autoload = not _flag(DISABLE_AUTOLOAD)
    if allow is None and os.environ.get(ALLOW_LIST):
        allow = [n.strip() for n in os.environ[ALLOW_LIST].split(",") if n.strip()]
    if autoload:
        _load_entry_points(manager, None if allow is None else set(allow))
    for name, plugin in plugins:
        module_name = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
        manager.add(
            plugin, PluginInfo(name=name, distribution=None, version=None, module=module_name)
        )
    _check_pending(manager)
    manager.rules  # noqa: B018 - build the registries now: faults show at start-up
    return manager


def _trace_to_stderr() -> None:
    """Show the plugin logger's records (hook calls and their duration) on standard error."""
    if any(getattr(h, "_territoires_trace", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("territoires trace: %(message)s"))
    handler._territoires_trace = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _load_entry_points(manager: PluginManager, allow: set[str] | None) -> None:
    for entry_point in _installed():
        dist = entry_point.dist
        info = PluginInfo(
            name=entry_point.name,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
            module=entry_point.value,
        )
        if allow is not None and info.name not in allow and info.distribution not in allow:
            continue
        if manager.has_plugin(info.name):
            manager.record(info.error("import", "another plugin is registered under this name"))
            manager._leave_out(info)
            continue
        try:
            plugin = entry_point.load()
        except BaseException as exc:  # SystemExit at import too: the others still load
            if manager.absorb(info, "import", exc) is None:
                raise
            manager._leave_out(info)
            continue
        manager.add(plugin, info)


def _check_pending(manager: PluginManager) -> None:
    """Unregister plugins implementing hooks that do not exist (a typo), with an error each."""
    while True:
        try:
            manager.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = manager.get_name(exc.plugin) or "?"
            info = manager.info(name)
            manager.unregister(plugin=exc.plugin)
            manager.record(info.error("check_pending", str(exc)))
            manager._leave_out(info)


@functools.cache
def default_plugin_manager() -> PluginManager:
    """Return the manager the library uses when none is given: built once, on first use.

    .. versionadded:: 0.1
    """
    return get_plugin_manager()
