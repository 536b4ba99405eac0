"""Whole-dataset checks against the official geography."""

from __future__ import annotations

import enum
from typing import Final

from territoires.model.dataset import Dataset, Gazetteer
from territoires.plugins import PluginManager, default_plugin_manager
from territoires.problems import Problem

__all__ = ["OFFICIAL_GEOGRAPHY", "resolve_geography", "validate"]


class _Official(enum.Enum):
    """Marker for "the geography bundled with territoires"."""

    GEOGRAPHY = "official"

    def __repr__(self) -> str:
        return "OFFICIAL_GEOGRAPHY"


OFFICIAL_GEOGRAPHY: Final = _Official.GEOGRAPHY
"""Default of :func:`validate`: check territories against the bundled official geography."""


def resolve_geography(geography: Gazetteer | _Official | None) -> Gazetteer | None:
    """The gazetteer a ``geography=`` argument names: the official one for the default."""
    if geography is OFFICIAL_GEOGRAPHY:
        from territoires.geo import get_geography

        return get_geography()
    assert not isinstance(geography, _Official)
    return geography


def validate(
    dataset: Dataset,
    *,
    geography: Gazetteer | _Official | None = OFFICIAL_GEOGRAPHY,
    plugins: PluginManager | None = None,
) -> list[Problem]:
    """Return every problem of ``dataset``: core checks, official geography, plugins' checks.

    This is :meth:`.Dataset.validate` with the geography bundled in :mod:`territoires.geo`
    (every territory reference must exist, and an unknown code's problem suggests the
    nearest names; declared territories must agree with it; an action reserved to residents
    of a place must stay within its contract's territory), followed by the problems the
    plugins' ``validate_dataset`` hooks find.

    Args:
        dataset: The dataset to check.
        geography: Another geography, or None to check references within the dataset only.
        plugins: The plugin manager whose checks to add; the default one otherwise. A plugin
            that fails is left out and recorded in the manager's ``errors``.

    .. versionadded:: 0.1
    """
    problems = dataset.validate(geography=resolve_geography(geography))
    manager = plugins if plugins is not None else default_plugin_manager()
    return problems + manager.validate_dataset(dataset)
