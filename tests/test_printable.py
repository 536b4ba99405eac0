"""Control and bidirectional formatting characters, found and shown as escapes."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import texts
from territoires._printable import BIDI_CONTROLS, describe, find_unsafe, printable

any_text = st.one_of(texts(), st.text())


# The bidirectional classes of the embeddings, overrides and isolates (Unicode's UAX #9).
_BIDI_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def unsafe(char: str) -> bool:
    """The definition, from the Unicode database: a control (Cc) or a bidi control."""
    if unicodedata.category(char) == "Cc" or char in "\u061c\u200e\u200f":  # ALM, LRM, RLM
        return True
    return unicodedata.bidirectional(char) in _BIDI_CLASSES


def decoded(text: str) -> str:
    r"""``text`` with every ``\uXXXX`` escape replaced by its character."""
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_a_character_is_unsafe_exactly_when_the_unicode_database_says_so() -> None:
    """Over the whole Basic Multilingual Plane (where every such character lies): no more."""
    plane = "".join(map(chr, range(0x10000)))
    assert find_unsafe(plane) == [c for c in plane if unsafe(c)]


@given(any_text)
def test_printable_text_holds_no_unsafe_character(text: str) -> None:
    """What printable returns holds none, and is the text itself when it held none."""
    shown = printable(text)
    assert find_unsafe(shown) == []
    assert not any(map(unsafe, shown))
    if not find_unsafe(text):
        assert shown == text


@given(any_text)
def test_kept_characters_stay_and_the_escapes_decode_back(text: str) -> None:
    """Line feeds kept stay in place; every escape is the character's JSON escape."""
    shown = printable(text, keep="\n")
    assert shown.count("\n") == text.count("\n")
    assert find_unsafe(shown) == [c for c in find_unsafe(text) if c == "\n"]
    assert decoded(shown) == decoded(text)


def test_the_bidi_controls_are_the_marks_embeddings_overrides_and_isolates() -> None:
    """Twelve characters: ALM, LRM, RLM, LRE to RLO, LRI to PDI."""
    assert len(BIDI_CONTROLS) == 12
    assert all(unsafe(c) for c in BIDI_CONTROLS)


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\x1b", "U+001B (control character)"),
        ("\x9b", "U+009B (control character)"),
    ],
)
def test_a_character_is_described_as_a_person_can_look_it_up(char: str, described: str) -> None:
    """Code point, then its Unicode name, or that it is a control character."""
    assert describe(char) == described


def test_no_source_file_holds_a_raw_control_or_bidi_character() -> None:
    """Code and docs name such characters by their escapes: none hides in the source itself."""
    root = Path(__file__).resolve().parent.parent
    files = [
        path
        for folder in ("src", "tests", "docs", "plugins", "examples", "scripts")
        for pattern in ("*.py", "*.md", "*.toml")
        for path in (root / folder).rglob(pattern)
        if ".venv" not in path.parts and "build" not in path.parts
    ]
    assert len(files) > 100
    hidden = {
        str(path.relative_to(root)): sorted(set(find_unsafe(text, keep="\t\n")))
        for path in files
        if find_unsafe(text := path.read_text(encoding="utf-8"), keep="\t\n")
    }
    assert hidden == {}
