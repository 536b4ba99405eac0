"""A plugin whose ``validate_dataset`` finds a local policy problem in every contract."""

from __future__ import annotations

from collections.abc import Iterator

from territoires import Dataset, Problem, ProblemCode, hookimpl

MESSAGE = "Lyon policy: every contract needs a local referent"


@hookimpl
def validate_dataset(dataset: Dataset) -> Iterator[Problem]:
    """Yield one problem per contract."""
    for contract in dataset.contracts:
        yield Problem(
            code=ProblemCode.INVALID_VALUE, message=MESSAGE, record=contract.id, field="referent"
        )
