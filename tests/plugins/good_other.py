"""A second good plugin, independent of ``good``: Métropole de Lyon (200046977) names."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from territoires import (
    Aggregation,
    Dataset,
    ExportFormat,
    ExportKind,
    Indicator,
    IndicatorInput,
    Unit,
    hookimpl,
)
from territoires.measures import Total

INDICATOR = "200046977.actions"
FORMAT = "count"


def actions(facts: IndicatorInput) -> Mapping[tuple[str, ...], Total]:
    """Number of actions in the table."""
    return {(): Total(Decimal(len(facts.actions)))}


def write_count(dataset: Dataset, path: Path) -> None:
    """Write the number of contracts."""
    path.write_text(f"{len(dataset.contracts)}\n", encoding="utf-8")


@hookimpl
def register_indicators() -> Indicator:
    """Register one indicator, returned alone rather than in a list."""
    return Indicator(
        name=INDICATOR,
        label_fr="Actions",
        label_en="Actions",
        unit=Unit.COUNT,
        over_time=Aggregation.LAST,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=actions,
    )


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register the count format."""
    return [
        ExportFormat(
            name=FORMAT,
            label_fr="nombre de contrats",
            label_en="number of contracts",
            suffix=".txt",
            media_type="text/plain",
            kinds=frozenset({ExportKind.DATASET}),
            write=write_count,
        )
    ]
