"""Helpers for testing plugins: a fresh plugin manager with your plugin registered.

Use :func:`plugin_manager` in any test, or the ``territoires_plugins`` pytest fixture after
adding ``pytest_plugins = ["territoires.testing"]`` to your ``conftest.py``::

    import my_plugin
    from territoires.testing import plugin_manager

    def test_my_indicator_is_registered():
        manager = plugin_manager(my_plugin)
        assert "69123.jeunes" in manager.indicators
        assert manager.errors == []

Installed plugins are never loaded by these helpers, so a test sees only what it registers
(and the built-ins, unless ``builtins=False``).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from territoires.plugins import PluginManager, get_plugin_manager

try:  # the fixture needs pytest; plugin_manager() does not
    import pytest
except ImportError:  # pragma: no cover - exercised only without pytest
    pytest = None  # type: ignore[assignment]

__all__ = ["plugin_manager", "territoires_plugins"]


def _name_of(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__name__", type(plugin).__name__)


def plugin_manager(*plugins: object, builtins: bool = True) -> PluginManager:
    """Return a new plugin manager with ``plugins`` registered after the built-ins.

    Args:
        plugins: Plugin modules or objects, registered under their module or class name.
        builtins: Whether to register the built-in plugins too.

    .. versionadded:: 0.1
    """
    return get_plugin_manager(
        autoload=False,
        builtins=builtins,
        plugins=[(_name_of(plugin), plugin) for plugin in plugins],
    )


def _fixture() -> Callable[..., PluginManager]:
    """Pytest fixture: a factory of fresh plugin managers (see :func:`plugin_manager`).

    .. versionadded:: 0.1
    """
    return plugin_manager


territoires_plugins = pytest.fixture(_fixture, name="territoires_plugins") if pytest else None
