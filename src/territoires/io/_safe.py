"""Formula injection: text cells that a spreadsheet would run as a formula are neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (OWASP, *CSV Injection*). Writers put an apostrophe
before such text; an apostrophe that starts a text is doubled, so that reading back removes
exactly one and every text comes back as it was written.

Only text is neutralised: numbers and dates are written as such, and a negative amount stays
a number.

Example:
    >>> neutralise("=SUM(A1:A9)"), neutralise("-1"), restore("'=1+1"), restore(neutralise("'a"))
    ("'=SUM(A1:A9)", "'-1", '=1+1', "'a")
"""

from __future__ import annotations

from typing import Final

__all__ = ["TRIGGERS", "neutralise", "restore"]

TRIGGERS: Final = frozenset("=+-@\t\r")
"""The first characters that make a spreadsheet read a text cell as a formula."""

_QUOTE: Final = "'"


def neutralise(text: str) -> str:
    """Return ``text`` as a spreadsheet cell shows it literally (see the module)."""
    if text and (text[0] in TRIGGERS or text[0] == _QUOTE):
        return _QUOTE + text
    return text


def restore(text: str) -> str:
    """Return the text :func:`neutralise` was given."""
    if len(text) > 1 and text[0] == _QUOTE and (text[1] in TRIGGERS or text[1] == _QUOTE):
        return text[1:]
    return text
