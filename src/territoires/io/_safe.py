r"""Safe cells: no text cell runs as a formula, and no cell breaks its CSV row.

Formula injection. A cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return
or a null character is read by Excel, LibreOffice and Google Sheets as a formula (OWASP,
*CSV Injection*; ASVS 5.0, 1.2.10). Writers put an apostrophe before such text, and also
before text whose first character after leading spaces is one of them (LibreOffice can trim
the spaces of a cell on import) or is a full-width ``＝``, ``＋``, ``－`` or ``＠`` (which
East Asian input methods turn into a formula). An apostrophe that starts a text is doubled,
so that reading back removes exactly one and every text comes back as it was written.

Only text is neutralised: numbers and dates are written as such, and a negative amount stays
a number.

Rows. :func:`csv_writer` is the one CSV writer of the library. The csv module quotes a cell
holding the delimiter, the quote or a character of its line terminator, and nothing else: with
``"\n"`` as terminator a bare carriage return went unquoted, and every spreadsheet and CSV
reader took it for the end of the row, so that the rest of a title became a cell of its own,
``=cmd|' /C calc'!A0`` included. Both dialects quote every cell holding a carriage return or a
line feed.

Example:
    >>> neutralise("=SUM(A1:A9)"), neutralise("-1"), restore("'=1+1"), restore(neutralise("'a"))
    ("'=SUM(A1:A9)", "'-1", '=1+1', "'a")
    >>> neutralise("  =1+1"), neutralise("a=b")
    ("'  =1+1", 'a=b')
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol, TextIO

__all__ = ["TRIGGERS", "RowWriter", "csv_writer", "neutralise", "restore"]

TRIGGERS: Final = frozenset("=+-@\t\r\0\uff1d\uff0b\uff0d\uff20")
"""The characters that make a spreadsheet read a text cell as a formula when they start it,
alone or after spaces: ``= + - @``, tab, carriage return, null, full-width ``＝ ＋ － ＠``."""

_QUOTE: Final = "'"
_STARTS: Final = TRIGGERS | {_QUOTE}


def _runs(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula, or restore would change it."""
    first = text[:1]
    if first in _STARTS:
        return True
    return first.isspace() and text.lstrip()[:1] in TRIGGERS


def neutralise(text: str) -> str:
    """Return ``text`` as a spreadsheet cell shows it literally (see the module)."""
    if text and _runs(text):
        return _QUOTE + text
    return text


def restore(text: str) -> str:
    """Return the text :func:`neutralise` was given."""
    if text[:1] == _QUOTE and len(text) > 1 and _runs(text[1:]):
        return text[1:]
    return text


class RowWriter(Protocol):
    """What :func:`csv_writer` returns: the csv module's writer."""

    def writerow(self, row: Iterable[Any], /) -> Any:
        """Write one row."""

    def writerows(self, rows: Iterable[Iterable[Any]], /) -> None:
        """Write rows."""


class _LineFeed:
    r"""The stream of a default-dialect writer: rows end with ``\n``, not the writer's CRLF.

    The writer is told ``\r\n`` so that it quotes every cell holding either character;
    each row, its terminator included, reaches this object in one ``write`` call (that is how
    the csv module writes), whose last two characters are that terminator.
    """

    __slots__ = ("write",)

    def __init__(self, stream: TextIO) -> None:
        write = stream.write
        self.write: Callable[[str], Any] = lambda row: write(row[:-2] + "\n")


def csv_writer(stream: TextIO, *, french: bool = False) -> RowWriter:
    r"""Return a writer of CSV rows onto ``stream`` (opened with ``newline=""``).

    Args:
        stream: A text stream.
        french: The ``excel-fr`` dialect (a byte-order mark first, ``;``, rows ending with
            ``\r\n``) instead of the default one (``,``, rows ending with ``\n``).

    Every cell holding a delimiter, a double quote, a carriage return or a line feed is
    quoted, in both dialects, so that ``csv.reader`` and spreadsheets read back as many cells
    and rows as were written. Cells are written as given: neutralise text first.
    """
    if french:
        stream.write("\ufeff")
        return csv.writer(stream, delimiter=";", lineterminator="\r\n")
    return csv.writer(_LineFeed(stream), lineterminator="\r\n")
