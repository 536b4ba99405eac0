"""Normalised forms of place names, so that searches ignore accents, case and punctuation.

The whole geography (some 40,000 names) is normalised at once by C-level string operations
on one newline-joined string (Unicode decomposition, an ASCII encode that drops the accents, a
byte translation), about twice as fast as one call per name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["STOPWORDS", "normalise", "normalise_all"]

# Non-ASCII punctuation, turned into spaces before accents are dropped (so that "l’Isle" does
# not become "lisle"); ASCII punctuation is handled by the byte table below.
_UNICODE_PUNCTUATION = re.compile(r"[\u2010-\u2015\u2018-\u201f\u00ab\u00bb\u00b4\u00a0\u202f]")
_LIGATURES = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss"))
# After decomposition, anything beyond ASCII and combining accents needs the slow path.
_UNUSUAL = re.compile(r"[^\x00-\x7f\u0300-\u036f]")
_BYTES = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 10) else 32
    for c in range(256)
)
_ASCII = {c: chr(_BYTES[c]) for c in range(128)}
# Abbreviations, both in names ("CC du Perche", "St-Gildas") and in what people type.
_REPLACEMENTS = (
    (" st ", " saint "),
    (" ste ", " sainte "),
    (" sts ", " saints "),
    (" stes ", " saintes "),
    (" communaute de communes ", " cc "),
    (" communaute d agglomeration ", " ca "),
    (" communaute urbaine ", " cu "),
)

#: Words too common to rank a match on their own ("Saint-Denis" must not match every "Saint-").
STOPWORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "lez"}
    | {"sur", "sous", "saint", "sainte", "saints", "saintes"}
)


def _fold(text: str) -> str:
    """Normalise every line of ``text`` at once."""
    if text.isascii():
        folded = text.translate(_ASCII)
    else:
        text = unicodedata.normalize("NFKD", _UNICODE_PUNCTUATION.sub(" ", text))
        for ligature, letters in _LIGATURES:
            text = text.replace(ligature, letters)
        if _UNUSUAL.search(text):
            # Letters of other scripts are kept, lowercased; their accents are dropped.
            folded = "".join(
                _ASCII[ord(c)] if c.isascii() else c.lower() if c.isalnum() else " "
                for c in text
                if not unicodedata.combining(c)
            )
        else:
            # Only ASCII and combining accents are left: dropping the accents is an encode.
            folded = text.encode("ascii", "ignore").translate(_BYTES).decode("ascii")
    while "  " in folded:
        folded = folded.replace("  ", " ")
    padded = " " + folded.replace("\n", " \n ") + " "
    for short, full in _REPLACEMENTS:
        while short in padded:
            padded = padded.replace(short, full)
    lines = padded.replace(" \n ", "\n")[1:-1]
    # Names that began or ended with punctuation ("(COGA)") left a space at a line's edge.
    if " \n" in lines:
        lines = lines.replace(" \n", "\n")
    if "\n " in lines:
        lines = lines.replace("\n ", "\n")
    return lines.strip(" ")


def normalise(text: str) -> str:
    """Return ``text`` lowercased, without accents, with punctuation as single spaces.

    ``St``/``Ste`` become ``saint``/``sainte`` and "communauté de communes" becomes ``cc`` (and
    likewise ``ca``, ``cu``), the abbreviations the EPCI names use.

    Example:
        >>> normalise("L'Haÿ-les-Roses"), normalise("ST-ÉTIENNE"), normalise(" Œuilly ")
        ('l hay les roses', 'saint etienne', 'oeuilly')
    """
    return _fold(" ".join(text.split()))


def normalise_all(texts: Sequence[str]) -> list[str]:
    """Return :func:`normalise` of each text, much faster than one call per text."""
    if not texts:
        return []
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        joined = "\n".join(" ".join(text.split()) for text in texts)
    return _fold(joined).split("\n")
