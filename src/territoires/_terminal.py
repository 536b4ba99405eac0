r"""Plain-text rendering for the terminal: tables, progress and printable streams.

Numbers, amounts and dates are formatted by :mod:`territoires.wording`, as in every output.

Text from the data reaches a terminal only as printable text: control characters (an escape
sequence can clear the screen, retitle the window or rewrite earlier lines) and
bidirectional formatting characters (which reorder a line) are shown as their escapes,
``\u001b`` (see :mod:`territoires._printable`).
"""

from __future__ import annotations

import os
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO, cast

from territoires import wording
from territoires._enum import Lang
from territoires._messages import say
from territoires._printable import escape, printable, unsafe_pattern

__all__ = ["Progress", "render_table", "shown_stream"]


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[bool] | None = None,
    title: str | None = None,
) -> str:
    r"""Return an aligned text table; numeric columns are right-aligned.

    Every cell, header and title is shown on one line of printable text: a line break, a tab,
    a control or a bidirectional formatting character is shown as its escape (``\u000a``).

    Example:
        >>> print(render_table(["Theme", "€"], [["housing", "1 200"]], numeric=[False, True]))
        Theme        €
        -------  -----
        housing  1 200
    """
    numeric = list(numeric or [False] * len(headers))
    headers = [printable(h) for h in headers]
    rows = [[printable(cell) for cell in row] for row in rows]
    title = printable(title) if title else title
    widths = [_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if numeric[i] else cell + pad)
        return "  ".join(parts).rstrip()

    out = [title] if title else []
    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in rows)
    return "\n".join(out)


class _Shown:
    """Writes onto a stream with control and bidirectional characters shown as escapes.

    Not an ``io`` object on purpose: one of those closes, hence flushes, its stream when
    collected, which a stream closed by a departed reader (``| head``) refuses.
    """

    __slots__ = ("_search", "_stream", "_sub", "_write")

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._write = stream.write
        # Bound once: json.dump writes token by token, and most tokens hold nothing to escape.
        pattern = unsafe_pattern(keep="\n")
        self._search = pattern.search
        self._sub = pattern.sub

    def write(self, text: str) -> int:
        if text.isprintable() or self._search(text) is None:  # isprintable is the fastest test
            self._write(text)
        else:
            self._write(self._sub(escape, text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def shown_stream(stream: TextIO) -> TextIO:
    r"""Return a stream writing onto ``stream`` what a terminal shows as it is.

    Control and bidirectional formatting characters are written as their escapes
    (``\u202e``), line feeds as they are. The escape is also JSON's own, so a JSON document
    written through it reads back the same. It has ``write`` and ``flush`` only.
    """
    return cast(TextIO, _Shown(stream))


class Progress:
    """Shows what a long operation is doing on a terminal, and nothing when piped.

    Args:
        stream: Where to write (standard error by default); quiet unless it is a terminal
            and ``TERRITOIRES_NO_PROGRESS`` is not set.
    """

    def __init__(self, stream: TextIO | None = None, lang: Lang = "fr") -> None:
        self.stream = stream or sys.stderr
        self.lang = lang
        self.enabled = self.stream.isatty() and not os.environ.get("TERRITOIRES_NO_PROGRESS")

    def doing(self, key: str, **values: object) -> AbstractContextManager[None]:
        """:meth:`step` with the sentence ``progress-<key>`` of the command line's catalogue."""
        return self.step(say(f"progress-{key}", self.lang, **values))

    @contextmanager
    def step(self, message: str) -> Iterator[None]:
        """Show ``message`` while the block runs, then how long it took."""
        if not self.enabled:
            yield
            return
        message = printable(message)  # it may name a file: no escape sequence reaches the tty
        start = time.perf_counter()
        self.stream.write(f"… {message}")
        self.stream.flush()
        try:
            yield
        finally:
            took = wording.number(time.perf_counter() - start, self.lang, 1)
            self.stream.write(f"\r✓ {message} ({took} s)\n")
            self.stream.flush()
