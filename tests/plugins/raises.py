"""A plugin whose ``register_indicators`` raises."""

from territoires import Indicator, hookimpl


@hookimpl
def register_indicators() -> list[Indicator]:
    """Fail the way a plugin reading a missing configuration file would."""
    raise ValueError("indicator table missing")
