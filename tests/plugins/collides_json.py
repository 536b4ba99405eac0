"""A plugin registering a ``json`` format without declaring that it replaces the built-in."""

from __future__ import annotations

from pathlib import Path

from territoires import Dataset, ExportFormat, ExportKind, hookimpl


def write(dataset: Dataset, path: Path) -> None:
    """Write an empty JSON object."""
    path.write_text("{}\n", encoding="utf-8")


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register ``json``, silently colliding with the built-in."""
    return [
        ExportFormat(
            name="json",
            label_fr="JSON",
            label_en="JSON",
            suffix=".json",
            media_type="application/json",
            kinds=frozenset({ExportKind.DATASET}),
            write=write,
        )
    ]
