"""A plugin whose share is declared on a breakdown that does not exist, next to a good one."""

from __future__ import annotations

import attrs

from territoires import Dimension, Indicator, hookimpl
from territoires.builtins.indicators import INDICATORS
from territoires.measures import ShareOf

BAD = "69123.part_femmes_par_theme"
GOOD = "69123.part_femmes"


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register a share of beneficiaries by theme (no such breakdown) and a sound one."""
    share = next(indicator for indicator in INDICATORS if indicator.name == "share_women")
    return [
        attrs.evolve(
            share,
            name=BAD,
            share_of=ShareOf(
                indicator="beneficiaries",
                dimension=Dimension.THEME,
                numerator=frozenset({"housing"}),
                denominator=frozenset({"housing", "health"}),
            ),
        ),
        attrs.evolve(share, name=GOOD),
    ]
