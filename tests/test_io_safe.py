"""Safe cells: no text a library writes runs as a formula, no cell breaks its CSV row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import datasets, texts
from territoires.disclosure import CellStatus
from territoires.eligibility import Decision, Eligibility, RuleVerdict
from territoires.indicators import IndicatorRow, IndicatorTable, Level
from territoires.io import _flat, _outputs, writers
from territoires.io._safe import TRIGGERS, csv_writer, neutralise, restore
from territoires.measures import Dimension, Unit
from territoires.model import Dataset, Source
from territoires.model.period import Period
from territoires.rules import Outcome, Verdict

DIALECTS = ("default", "excel-fr")
SPLIT = "Contrat\r=cmd|' /C calc'!A0"

# Texts, including empty ones and any Unicode (controls and lone CRs among them).
cells = st.one_of(st.just(""), texts(), st.text(max_size=8))


def runs(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell`` as a formula, leading spaces trimmed or not."""
    return cell[:1] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS


def read(text: str, delimiter: str = ",") -> list[list[str]]:
    """The rows ``csv.reader`` reads in ``text`` (a byte-order mark dropped)."""
    return list(
        csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    )


def read_file(path: Path, dialect: str = "default") -> list[list[str]]:
    """The rows ``csv.reader`` reads in the file ``path`` written in ``dialect``."""
    return read(path.read_bytes().decode("utf-8"), ";" if dialect == "excel-fr" else ",")


def number(cell: str) -> bool:
    """Whether ``cell`` is a number written as such (``-12``, ``-1,5``), not a text."""
    try:
        return Decimal(cell.replace(",", ".")).is_finite()
    except ArithmeticError:
        return False


def assert_safe(rows: list[list[str]]) -> None:
    """Rows as wide as their header, and no text cell a spreadsheet would run."""
    assert all(len(row) == len(rows[0]) for row in rows), rows
    assert not [cell for row in rows for cell in row if runs(cell) and not number(cell)]


# -- neutralising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x00x", "'\x00x"),
        ("  =1+1", "'  =1+1"),
        ("\u00a0\n+33", "'\u00a0\n+33"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("'=1", "''=1"),
        ("' x", "'' x"),
        ("a=b", "a=b"),
        ("  a", "  a"),
        ("-", "'-"),
        ("", ""),
    ],
)
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str, written: str) -> None:
    """Triggers first, after spaces, full-width ones and a leading apostrophe are neutralised."""
    assert neutralise(text) == written
    assert restore(written) == text


@given(st.one_of(cells, st.builds(str.__add__, st.sampled_from([" ", "\t ", "\n"]), cells)))
def test_a_neutralised_text_never_runs_and_reads_back_exactly(text: str) -> None:
    """restore(neutralise(t)) == t, and what is written starts no formula."""
    written = neutralise(text)
    assert restore(written) == text
    assert written[:1] == "'" or not runs(written)


# -- the CSV writer -------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_bare_carriage_return_is_quoted_in_both_dialects(dialect: str) -> None:
    """The cell holding a bare CR is quoted: readers see one row of three cells."""
    stream = io.StringIO(newline="")
    csv_writer(stream, french=dialect == "excel-fr").writerow(["a", SPLIT, "b"])
    delimiter = ";" if dialect == "excel-fr" else ","
    assert f'{delimiter}"{SPLIT}"{delimiter}' in stream.getvalue()
    assert read(stream.getvalue(), delimiter) == [["a", SPLIT, "b"]]


@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=4),
    st.sampled_from(DIALECTS),
)
def test_any_text_in_any_cell_reads_back_as_written(rows: list[list[str]], dialect: str) -> None:
    """Whatever the cells hold, csv.reader reads the same rows, cells and texts back."""
    french = dialect == "excel-fr"
    stream = io.StringIO(newline="")
    writer = csv_writer(stream, french=french)
    # A row of one empty cell is a blank line, which readers skip: a header comes first.
    writer.writerow(["header"] * len(rows[0]))
    writer.writerows(rows)
    text = stream.getvalue()
    assert text.endswith("\r\n" if french else "\n")
    assert read(text, ";" if french else ",")[1:] == rows


# -- every CSV the library writes -----------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(datasets())
def test_the_flat_tables_of_a_package_keep_one_row_per_record(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> None:
    """contracts.csv and actions.csv: one row per record, every title whole, nothing runs."""
    folder = tmp_path_factory.mktemp("package")
    _flat.write_tables(dataset, folder)
    tables = {t.name: read_file(folder / t.path) for t in _flat.TABLES}
    for rows in tables.values():
        assert_safe(rows)
    contracts = tables["contracts"]
    assert [restore(row[3]) for row in contracts[1:]] == [c.title for c in dataset.contracts]
    titles = [a.title for c in dataset.contracts for a in c.as_of(dt.date.max).actions]
    assert [restore(row[2]) for row in tables["actions"][1:]] == titles


def _decision(rule: str, reason: str) -> Decision:
    verdict = Verdict(outcome=Outcome.MET, reason_fr=reason or "-", reason_en=reason or "-")
    return Decision(
        person="P1",
        action="a1",
        contract="c1",
        on=dt.date(2024, 1, 1),
        outcome=Eligibility.ELIGIBLE,
        verdicts=(
            RuleVerdict(
                rule=rule,
                label_fr=rule,
                label_en=rule,
                source=Source(title="s"),
                verdict=verdict,
            ),
        ),
    )


@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=4), st.sampled_from(DIALECTS))
def test_decisions_keep_one_row_per_verdict(
    tmp_path_factory: pytest.TempPathFactory, pairs: list[tuple[str, str]], dialect: str
) -> None:
    """Rule names and reasons of any text: one row per verdict, reasons whole, nothing runs."""
    path = tmp_path_factory.mktemp("decisions") / "d.csv"
    decisions = [_decision(rule, reason) for rule, reason in pairs]
    writers.write_decisions(decisions, path, format="csv", dialect=dialect)
    rows = read_file(path, dialect)
    assert len(rows) == 1 + len(decisions)
    assert_safe(rows)
    written = [(restore(row[5]), restore(row[7])) for row in rows[1:]]
    assert written == [(rule, reason or "-") for rule, reason in pairs]


@given(st.lists(cells, min_size=1, max_size=4), st.sampled_from(DIALECTS))
def test_indicator_tables_keep_one_row_per_cell(categories: list[str], dialect: str) -> None:
    """Categories of any text: one row per cell of the table, each whole, nothing runs."""
    table = IndicatorTable(
        rows=tuple(
            IndicatorRow(
                indicator="persons",
                level=Level.NATIONAL,
                territory="FR",
                contract=None,
                action=None,
                period=Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                dimension=Dimension.SEX,
                category=category,
                value=Decimal(-12),
                unit=Unit.PERSONS,
                target=None,
                achievement=None,
                status=CellStatus.PUBLISHED,
            )
            for category in categories
        ),
        period=Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        threshold=11,
        indicators={},
    )
    stream = io.StringIO(newline="")
    _outputs.write_indicators_csv_to(table, stream, dialect)
    rows = read(stream.getvalue(), ";" if dialect == "excel-fr" else ",")
    assert len(rows) == 1 + len(categories)
    assert_safe(rows)
    assert [restore(row[8]) for row in rows[1:]] == [c or "" for c in categories]
    assert {row[9] for row in rows[1:]} == {"-12"}  # a number stays a number


def test_the_default_dialect_still_ends_rows_with_a_line_feed(tmp_path: Path) -> None:
    """Rows end with LF in the default dialect and CRLF in excel-fr, as before."""
    for french, end in ((False, "a,b\n"), (True, "a;b\r\n")):
        stream = io.StringIO(newline="")
        csv_writer(stream, french=french).writerow(["a", "b"])
        assert stream.getvalue().removeprefix("\ufeff") == end
