"""A plugin whose ``validate_dataset`` raises."""

from territoires import Dataset, Problem, hookimpl


@hookimpl
def validate_dataset(dataset: Dataset) -> list[Problem]:
    """Fail on any dataset."""
    raise KeyError("referent")
