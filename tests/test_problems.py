"""Problems as the command line prints them: one line of printable text each."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from strategies import texts
from territoires._printable import find_unsafe
from territoires.problems import Problem, ProblemCode, format_value

any_text = st.one_of(texts(), st.text(max_size=10))


@given(any_text, any_text, any_text, any_text, any_text)
def test_a_problem_line_is_one_line_of_printable_text(
    message: str, file: str, record: str, field: str, value: str
) -> None:
    """Whatever a file name, record, field, message or value holds, format() is one clean line."""
    problem = Problem(
        code=ProblemCode.INVALID_VALUE,
        message=message or "m",
        file=file,
        record=record,
        field=field,
        value=format_value(value),
    )
    line = problem.format()
    assert find_unsafe(line) == []
    assert line.endswith("[invalid-value]")


def test_an_escape_sequence_in_a_file_name_is_shown_not_run() -> None:
    """A file name holding an escape sequence reaches the terminal as its escape."""
    problem = Problem(code=ProblemCode.EMPTY_FILE, message="the file is empty", file="a\x1b[2J.csv")
    assert problem.format() == "a\\u001b[2J.csv::: the file is empty [empty-file]"
