"""A plugin whose hook implementation asks for an argument the hook does not have."""

from territoires import Dataset, Indicator, hookimpl


@hookimpl
def register_indicators(dataset: Dataset) -> list[Indicator]:
    """Ask for ``dataset``, which only ``validate_dataset`` receives."""
    return []
