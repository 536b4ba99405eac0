"""What reaches a terminal: aligned tables and streams of printable text only."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import texts
from territoires._printable import find_unsafe
from territoires._terminal import Progress, render_table, shown_stream

cells = st.one_of(st.just(""), texts(), st.text(max_size=8))


@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.tuples(
            st.lists(cells, min_size=width, max_size=width),
            st.lists(st.lists(cells, min_size=width, max_size=width), max_size=4),
        )
    ),
    st.one_of(st.none(), texts()),
)
def test_a_table_is_one_line_per_row_of_printable_text(
    table: tuple[list[str], list[list[str]]], title: str | None
) -> None:
    """Whatever the cells hold, the table has its lines and no control or bidi character."""
    headers, rows = table
    text = render_table(headers, rows, title=title)
    assert find_unsafe(text, keep="\n") == []
    assert len(text.split("\n")) == len(rows) + 2 + (1 if title else 0)


def test_a_name_with_escape_sequences_is_shown_not_run() -> None:
    """An escape sequence in a cell is shown as its escape, and columns stay aligned."""
    rows = [["Brest\x1b[2J", "1"], ["Lyon", "22"]]
    assert render_table(["Nom", "N"], rows, numeric=[False, True]).split("\n") == [
        "Nom              N",
        "--------------  --",
        "Brest\\u001b[2J   1",
        "Lyon            22",
    ]


@given(st.dictionaries(cells, cells, max_size=4))
def test_a_json_document_through_a_shown_stream_reads_back_the_same(
    document: dict[str, str],
) -> None:
    """A JSON document written through the stream is printable and loads equal."""
    out = io.StringIO()
    json.dump(document, shown_stream(out), ensure_ascii=False, indent=2)
    assert find_unsafe(out.getvalue(), keep="\n") == []
    assert json.loads(out.getvalue()) == document


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_progress_message_shows_the_escapes_of_a_file_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file name with an escape sequence in a progress message reaches the terminal escaped."""
    monkeypatch.delenv("TERRITOIRES_NO_PROGRESS", raising=False)
    stream = _Terminal()
    with Progress(stream).step("writing a\x1b[2J.csv"):
        pass
    assert "writing a\\u001b[2J.csv" in stream.getvalue()
    assert find_unsafe(stream.getvalue(), keep="\r\n") == []
