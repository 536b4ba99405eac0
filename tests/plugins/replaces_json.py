"""A plugin replacing the built-in ``json`` format, declared with ``replaces="json"``."""

from __future__ import annotations

from pathlib import Path

from territoires import Dataset, ExportFormat, ExportKind, hookimpl


def write(dataset: Dataset, path: Path) -> None:
    """Write a JSON document holding the title only."""
    path.write_text('{"title": "replaced"}\n', encoding="utf-8")


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register ``json`` again, declaring that it replaces the built-in one."""
    return [
        ExportFormat(
            name="json",
            label_fr="JSON local",
            label_en="local JSON",
            suffix=".json",
            media_type="application/json",
            kinds=frozenset({ExportKind.DATASET}),
            write=write,
            replaces="json",
        )
    ]
