"""A plugin whose ``validate_dataset`` calls ``sys.exit(3)``."""

from __future__ import annotations

import sys

from territoires import Dataset, Problem, hookimpl


@hookimpl
def validate_dataset(dataset: Dataset) -> list[Problem]:
    """Leave the program, with a status of 3."""
    sys.exit(3)
