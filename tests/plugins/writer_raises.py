"""A plugin whose export format writer raises halfway through the file."""

from __future__ import annotations

from pathlib import Path

from territoires import Dataset, ExportFormat, ExportKind, hookimpl

FORMAT = "halfway"


def write(dataset: Dataset, path: Path) -> None:
    """Write the first half of the file, then fail."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write("contract_id\n")
        for contract in dataset.contracts[:3]:
            stream.write(f"{contract.id}\n")
        stream.flush()
        raise RuntimeError("disk quota of the plugin exceeded")


@hookimpl
def register_export_formats() -> list[ExportFormat]:
    """Register the format whose writer fails."""
    return [
        ExportFormat(
            name=FORMAT,
            label_fr="à moitié",
            label_en="halfway",
            suffix=".csv",
            media_type="text/csv",
            kinds=frozenset({ExportKind.DATASET}),
            write=write,
        )
    ]
