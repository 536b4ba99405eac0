"""A plugin with a typo in a hook name: ``register_indicator`` (no such hook)."""

from territoires import Indicator, hookimpl


@hookimpl
def register_indicator() -> list[Indicator]:
    """Never called: the hook is ``register_indicators``."""
    return []
