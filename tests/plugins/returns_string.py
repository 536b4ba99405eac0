"""A plugin whose ``register_indicators`` returns a string instead of indicators."""

from territoires import hookimpl


@hookimpl
def register_indicators() -> str:
    """Return a name where an Indicator is expected."""
    return "69123.jeunes"
