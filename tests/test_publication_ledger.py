"""The publication ledger: releases recorded, read back, append-only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import territoires
from territoires.indicators import compute_indicators
from territoires.io import fingerprint, load_ledger, load_table, record_release
from territoires.plugins import get_plugin_manager
from territoires.publication import Ledger, LedgerCell, release_of

BUILTINS = get_plugin_manager(autoload=False)
DEMO = territoires.demo.build(participations=800)
DAY = dt.date(2022, 7, 12)


def _release(period: str, label: str) -> territoires.publication.Release:
    table = compute_indicators(DEMO, period=period, plugins=BUILTINS)
    return release_of(table, fingerprint=fingerprint(DEMO), released=DAY, label=label)


def test_a_missing_ledger_is_empty_and_releases_read_back_in_order(tmp_path: Path) -> None:
    """The first release creates the file; each one after is appended, and all read back."""
    path = tmp_path / "ledger.json"
    assert load_ledger(path) == Ledger()
    first, second = _release("2022-S1", "COPIL S1"), _release("2022-S2", "COPIL S2")
    record_release(path, first)
    written = record_release(path, second)
    assert load_ledger(path) == written
    assert [r.label for r in written.releases] == ["COPIL S1", "COPIL S2"]
    assert written.releases[0].previous is None
    assert written.releases[1].previous is not None
    assert written.releases[0].cells == first.cells  # counts and engine statuses kept


def test_the_ledger_keeps_what_the_engine_knows_and_nothing_is_lost(tmp_path: Path) -> None:
    """Every cell keeps its key, engine status, published value and the persons behind it."""
    table = compute_indicators(DEMO, period="2022-S1", plugins=BUILTINS)
    release = release_of(table, fingerprint="sha256:x", released=DAY)
    assert [cell.key[0] for cell in release.cells] == [row.indicator for row in table]
    for cell, row in zip(release.cells, table, strict=True):
        assert cell.status is row.status
        assert cell.counts == row.counts
        assert cell.value == (row.value if row.status.value == "published" else None)
    assert {cell.status.value for cell in release.cells} >= {"primary", "secondary"}


def test_an_edited_history_is_refused(tmp_path: Path) -> None:
    """Changing a value of an earlier release breaks the chain: the ledger is not read."""
    path = tmp_path / "ledger.json"
    record_release(path, _release("2022-S1", "S1"))
    record_release(path, _release("2022-S2", "S2"))
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if '"value":"' in line)
    edited = line.replace('"value":"', '"value":"9', 1)
    path.write_text(text.replace(line, edited, 1), encoding="utf-8")
    with pytest.raises(territoires.DataError) as caught:
        load_ledger(path)
    (problem,) = caught.value.problems
    assert (problem.record, problem.field) == ("releases[1]", "releases[1].previous")
    assert "history was edited" in problem.message


def test_a_removed_release_is_refused(tmp_path: Path) -> None:
    """Removing the first release breaks the chain of the second."""
    path = tmp_path / "ledger.json"
    record_release(path, _release("2022-S1", "S1"))
    record_release(path, _release("2022-S2", "S2"))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["releases"] = document["releases"][1:]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(territoires.DataError, match="does not follow the releases before it"):
        load_ledger(path)


def test_a_file_that_is_no_ledger_is_refused_naming_it(tmp_path: Path) -> None:
    """An indicator table given as a ledger is refused, by its schema."""
    table = compute_indicators(DEMO, period="2022-S1", plugins=BUILTINS, level="national")
    path = territoires.export(table, format="json", path=tmp_path / "t.json", plugins=BUILTINS)
    with pytest.raises(territoires.DataError) as caught:
        load_ledger(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.code.value) == (str(path), "unsupported-schema")


def test_a_table_read_back_from_a_file_cannot_be_recorded(tmp_path: Path) -> None:
    """A release needs the counts of the engine's table; a file does not carry them."""
    table = compute_indicators(DEMO, period="2022-S1", plugins=BUILTINS, level="national")
    path = territoires.export(table, format="csv", path=tmp_path / "t.csv", plugins=BUILTINS)
    with pytest.raises(ValueError, match="computed tables"):
        release_of(load_table(path), fingerprint="sha256:x")


def test_the_fingerprint_follows_the_content() -> None:
    """The same content gives the same fingerprint; one participation less, another one."""
    other = territoires.demo.build(participations=799)
    assert fingerprint(DEMO) == fingerprint(territoires.demo.build(participations=800))
    assert fingerprint(DEMO) != fingerprint(other)


def test_a_cell_key_names_it_across_releases() -> None:
    """The key of a cell is its indicator, place, breakdown and period."""
    cell = _release("2022-S1", "S1").cells[0]
    assert isinstance(cell, LedgerCell)
    assert cell.key == (
        cell.indicator,
        cell.level,
        cell.territory,
        cell.contract,
        cell.action,
        cell.dimension,
        cell.category,
        cell.period,
    )
