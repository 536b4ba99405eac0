"""Writing is atomic: a failed dump leaves the previous file or folder exactly as it was."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import territoires
from territoires import (
    ActionReport,
    AdministrativeStatus,
    Dataset,
    DatasetInfo,
    Participation,
    Period,
    WriteError,
)
from territoires.io import _json, _tables


def _dataset(title: str, rows: int) -> Dataset:
    """A document with ``rows`` participations and as many reports."""
    return attrs.evolve(
        _table(rows),
        info=DatasetInfo(title=title),
        reports=tuple(
            ActionReport(
                id=f"r{n}",
                action="dijon-01",
                period=Period(dt.date(2020, 1, 1), dt.date(2020, 6, 30)),
                spent=Decimal(n),
            )
            for n in range(rows)
        ),
    )


def _table(rows: int) -> Dataset:
    """A participations table of ``rows`` rows."""
    return Dataset(
        participations=tuple(
            Participation(
                id=f"p{n}",
                person=f"P{n:05d}",
                action="dijon-01",
                entry_date=dt.date(2019, 10, 1) + dt.timedelta(days=n),
                status=AdministrativeStatus.REFUGEE,
            )
            for n in range(rows)
        ),
    )


OLD = _dataset("ancien", 5)
NEW = _dataset("nouveau", 2000)  # big enough that a partial write is a real prefix
FORM = {
    "data.json": (OLD, NEW),
    "participations.csv": (_table(5), _table(2000)),
    "package": (OLD, NEW),
}


class DiskFull(OSError):
    """Stands for the device filling up in the middle of a write."""


def _failing_after_half(writer: Callable[..., None]) -> Callable[..., None]:
    """Wrap a writer so that it writes the first half of its real output, then fails.

    Every writer (write_json, write_participations, write_reports) takes the stream second.
    """

    def write(*args: Any, **options: Any) -> None:
        buffer = io.StringIO()
        writer(args[0], buffer, *args[2:], **options)
        text = buffer.getvalue()
        assert len(text) > 100
        stream = args[1]
        stream.write(text[: len(text) // 2])
        stream.flush()
        raise DiskFull(28, "No space left on device")

    return write


def _tree(path: Path) -> dict[str, bytes | None]:
    """The bytes of every file under ``path`` (and ``path`` itself when a file)."""
    if path.is_file():
        return {".": path.read_bytes()}
    return {
        str(p.relative_to(path)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(path.rglob("*"))
    }


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize(
    ("name", "module", "writer"),
    [
        ("data.json", _json, "write_json"),
        ("participations.csv", _tables, "write_participations"),
        ("package", _tables, "write_reports"),  # the folder's last file, after the others
    ],
    ids=["json", "csv", "folder"],
)
def test_a_dump_failing_midway_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: Any, writer: str
) -> None:
    """A write that fails halfway leaves the old file or folder byte-identical, and no temp file."""
    target = tmp_path / name
    old, new = FORM[name]
    territoires.dump(old, target)
    before, siblings = _tree(target), _siblings(target)
    monkeypatch.setattr(module, writer, _failing_after_half(getattr(module, writer)))
    with pytest.raises(WriteError, match=f"^cannot write {target}: No space left on device$"):
        territoires.dump(new, target)
    assert _tree(target) == before
    assert _siblings(target) == siblings
    monkeypatch.undo()
    assert territoires.load(target) == old


@pytest.mark.parametrize("name", ["data.json", "participations.csv", "package"])
def test_a_dump_failing_on_a_new_target_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A first write that fails leaves no file, folder or temporary file behind."""
    monkeypatch.setattr(
        _tables, "write_participations", _failing_after_half(_tables.write_participations)
    )
    monkeypatch.setattr(_json, "write_json", _failing_after_half(_json.write_json))
    with pytest.raises(WriteError):
        territoires.dump(FORM[name][1], tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["data.json", "package"])
def test_an_interrupted_dump_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Ctrl-C in the middle of a write (KeyboardInterrupt) also leaves the old file intact."""
    target = tmp_path / name
    territoires.dump(OLD, target)
    before, siblings = _tree(target), _siblings(target)

    def interrupted(*args: Any, **options: Any) -> None:
        args[1].write("{\n  partial")
        raise KeyboardInterrupt

    module, writer = (_json, "write_json") if name == "data.json" else (_tables, "write_reports")
    monkeypatch.setattr(module, writer, interrupted)
    with pytest.raises(KeyboardInterrupt):
        territoires.dump(NEW, target)
    assert _tree(target) == before
    assert _siblings(target) == siblings


def test_a_folder_that_is_not_a_data_package_is_never_overwritten(tmp_path: Path) -> None:
    """Dumping into a user's non-empty folder raises WriteError and touches nothing."""
    folder = tmp_path / "documents"
    (folder / "sub").mkdir(parents=True)
    (folder / "rapport.docx").write_bytes(b"PK\x03\x04 rapport")
    (folder / "sub" / "notes.txt").write_text("à garder\n", encoding="utf-8")
    before, siblings = _tree(folder), _siblings(folder)
    with pytest.raises(WriteError, match=r"datapackage\.json"):
        territoires.dump(OLD, folder)
    assert _tree(folder) == before
    assert _siblings(folder) == siblings


def test_a_folder_target_that_is_a_file_is_never_overwritten(tmp_path: Path) -> None:
    """Asking for a folder where a file without suffix exists raises WriteError."""
    target = tmp_path / "README"
    target.write_text("à garder\n", encoding="utf-8")
    with pytest.raises(WriteError, match="exists and is not a folder"):
        territoires.dump(OLD, target)
    assert target.read_text(encoding="utf-8") == "à garder\n"
    assert _siblings(target) == ["README"]


def test_an_existing_data_package_is_replaced(tmp_path: Path) -> None:
    """Dumping over a folder territoires wrote replaces it with the new dataset, cleanly."""
    folder = tmp_path / "package"
    territoires.dump(OLD, folder)
    territoires.dump(NEW, folder)
    assert territoires.load(folder) == NEW
    assert _siblings(folder) == ["package"]
    fresh = tmp_path / "fresh"
    territoires.dump(NEW, fresh)
    assert _tree(folder) == _tree(fresh)


def test_an_empty_existing_folder_becomes_a_data_package(tmp_path: Path) -> None:
    """An empty folder (made beforehand by the user) is filled with the package."""
    folder = tmp_path / "package"
    folder.mkdir()
    territoires.dump(OLD, folder)
    assert territoires.load(folder) == OLD


def test_an_existing_file_is_replaced_and_keeps_its_permissions(tmp_path: Path) -> None:
    """Replacing a file keeps the permissions the user gave it (e.g. group-readable only)."""
    target = tmp_path / "data.json"
    territoires.dump(OLD, target)
    os.chmod(target, 0o640)
    territoires.dump(NEW, target)
    assert territoires.load(target) == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _siblings(target) == ["data.json"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    """A new file is readable as any file the user creates (umask applied), not private."""
    mask = os.umask(0o022)
    try:
        path = territoires.dump(OLD, tmp_path / "data.json")
        folder = territoires.dump(OLD, tmp_path / "package")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "participations.csv").stat().st_mode) == 0o644


def test_dump_creates_missing_parent_folders(tmp_path: Path) -> None:
    """A target in folders that do not exist yet is written, the folders created."""
    path = territoires.dump(OLD, tmp_path / "a" / "b" / "data.json")
    assert territoires.load(path) == OLD


def test_a_refused_workbook_leaves_no_file_no_scratch_and_no_late_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table too long for a sheet is refused in one error; openpyxl's sheets are closed."""
    import gc
    import sys

    pytest.importorskip("openpyxl")
    from territoires.io import _xlsx

    late: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", late.append)
    monkeypatch.setattr(_xlsx, "_MAX_ROWS", 10)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    target = tmp_path / "data.xlsx"
    territoires.dump(OLD, target)
    before = target.read_bytes()
    with pytest.raises(territoires.FormatError, match="more than the 10 a sheet holds"):
        territoires.dump(NEW, target)
    gc.collect()
    assert late == []
    assert target.read_bytes() == before
    assert _siblings(target) == ["data.xlsx", "tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []
