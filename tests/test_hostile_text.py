"""Text attacks of the hostile corpus, played, then what they wrote read as its readers read it.

A case checks what the command prints; these tests also open the files it wrote: a CSV table
as ``csv.reader`` and spreadsheets split it, the report as a browser gets it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hostile import HOSTILE, Case, check, prepare, run, snapshot
from hostile_inputs_text import FORMULA, SPLIT_TITLE
from territoires._printable import find_unsafe
from territoires.io._safe import TRIGGERS


def play(name: str, folder: Path) -> Path:
    """Play the corpus case ``name`` in ``folder``, check it, and return the folder."""
    case = Case.read(HOSTILE / f"{name}.toml")
    file = prepare(case, folder)
    before = snapshot(case, folder, file)
    check(case, run(case, folder, file), before)
    return folder


def rows_of(path: Path, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV file as ``csv.reader`` reads them (a byte-order mark dropped)."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_no_formula(rows: list[list[str]]) -> None:
    """Every row as wide as the header, and no cell a spreadsheet would run."""
    assert all(len(row) == len(rows[0]) for row in rows), rows
    for cell in (cell for row in rows for cell in row):
        assert cell != FORMULA
        assert cell[:1] not in TRIGGERS, cell
        assert cell.lstrip()[:1] not in TRIGGERS, cell


def test_a_split_title_stays_one_quoted_cell_of_a_data_package(tmp_path: Path) -> None:
    """A title with a bare carriage return is one quoted cell of contracts.csv and actions.csv."""
    folder = play("csv-row-split-in-a-data-package", tmp_path) / "out"
    for table, title in (("contracts.csv", SPLIT_TITLE), ("actions.csv", "Ateliers\r" + FORMULA)):
        rows = rows_of(folder / table)
        assert len(rows) == 2, rows  # the header and the one record
        assert rows[1][rows[0].index("title")] == title
        assert f'"{title}"'.encode() in (folder / table).read_bytes()
        assert_no_formula(rows)


def test_a_split_title_quoted_in_a_reason_stays_one_cell_of_the_decisions(tmp_path: Path) -> None:
    """A reason quoting that title is one cell of the decisions' CSV, its row whole."""
    rows = rows_of(play("csv-row-split-in-decisions", tmp_path) / "decisions.csv")
    header = rows[0]
    mine = [row for row in rows[1:] if row[header.index("rule")] == "29019.intitule"]
    assert [row[header.index("reason_fr")] for row in mine] == [f"action « Ateliers\r{FORMULA} »"]
    assert_no_formula(rows)


def test_a_spoofing_name_is_isolated_and_shown_in_the_report(tmp_path: Path) -> None:
    """The report isolates the name and shows its override as an escape, never raw."""
    page = (play("bidi-override-in-the-report", tmp_path) / "r.html").read_text(encoding="utf-8")
    assert find_unsafe(page, keep="\t\n\r") == []
    shown = "<bdi>Brest Métropole \\u202egnp.exe\\u202c (\\u2067\u05d0\\u2069)</bdi>"
    assert page.count(shown) >= 3  # the contracts, the steering dates, the place's budget
