r"""Characters that drive a terminal or reorder displayed text, found and shown visibly.

Names, titles and notes come from files anyone may write. Some characters in them are not
text to a reader but instructions to the device showing them:

- control characters (C0 ``U+0000``-``U+001F``, ``DEL``, C1 ``U+0080``-``U+009F``): an
  escape sequence (``ESC [ 2 J``) clears a terminal, retitles its window or rewrites what was
  printed before; a carriage return overwrites the current line;
- bidirectional formatting characters (embeddings and overrides ``U+202A``-``U+202E``,
  isolates ``U+2066``-``U+2069``, the marks ``U+200E``, ``U+200F`` and ``U+061C``): a
  right-to-left override makes ``gnp.exe`` display as ``exe.png``, and in a table or a
  sentence it reorders what surrounds the name ("Trojan Source").

Every output meant for people (the terminal, the HTML report, problem lines) shows each of
them as its escape, ``\u202e``, in printable ASCII, so the text can be neither spoofed nor
run; data files keep them as they are (a file read back gives back its text) and
``territoires validate`` warns about them.

This module imports nothing from the package: :mod:`territoires.problems` uses it too.

Example:
    >>> printable("Asso\u202egnp.exe\x1b[2J")
    'Asso\\u202egnp.exe\\u001b[2J'
    >>> describe("\u202e"), describe("\x1b")
    ('U+202E RIGHT-TO-LEFT OVERRIDE', 'U+001B (control character)')
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "BIDI_CONTROLS",
    "UNSAFE",
    "describe",
    "escape",
    "find_unsafe",
    "printable",
    "unsafe_pattern",
]

BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Bidirectional formatting characters: marks, embeddings, overrides and isolates."""

_CONTROLS = "\x00-\x1f\x7f-\x9f"
_BIDI = "".join(sorted(BIDI_CONTROLS))

UNSAFE: Final = re.compile(f"[{_CONTROLS}{_BIDI}]")
"""Matches one control or bidirectional formatting character (see the module)."""

# One pattern per set of characters a caller keeps (line breaks in a paragraph, say), built
# once: outputs call this for every cell they show.
_PATTERNS: dict[str, re.Pattern[str]] = {"": UNSAFE}


def unsafe_pattern(keep: str = "") -> re.Pattern[str]:
    """Return the pattern matching one unsafe character, except those of ``keep``."""
    pattern = _PATTERNS.get(keep)
    if pattern is None:
        kept = "".join(re.escape(c) for c in keep)
        pattern = re.compile(f"(?![{kept}])[{_CONTROLS}{_BIDI}]") if kept else UNSAFE
        _PATTERNS[keep] = pattern
    return pattern


def escape(match: re.Match[str]) -> str:
    r"""Return the escape of the character ``match`` found: ``\u001b``, ``\u202e``.

    For ``pattern.sub(escape, text)`` with a pattern of one character.
    """
    return f"\\u{ord(match.group()):04x}"


def printable(text: str, keep: str = "") -> str:
    r"""Return ``text`` with every unsafe character shown as its escape (``\u001b``).

    Args:
        text: Any text.
        keep: Unsafe characters to leave as they are, e.g. ``"\n"`` for a stream whose
            line breaks are its own.

    The result holds no control or bidirectional formatting character but those of
    ``keep``; text without any is returned as it is, at the cost of one search.
    """
    pattern = unsafe_pattern(keep)
    if pattern.search(text) is None:
        return text
    return pattern.sub(escape, text)


def find_unsafe(text: str, keep: str = "") -> list[str]:
    """Return the unsafe characters of ``text`` (except those of ``keep``), in order."""
    return unsafe_pattern(keep).findall(text)


def describe(char: str) -> str:
    """Return a character as a person can look it up: ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {name}" if name else f"{code} (control character)"
