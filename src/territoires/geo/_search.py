"""A name index over the geography: exact names, name prefixes, whole words and some words.

The normalised names are kept as one newline-separated string searched with ``str.find``, so
that building the index costs little beyond normalising the names (once, at the first search),
where a dictionary of words would cost more than the normalisation; a query scans the string in
a few milliseconds.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, islice, product

from territoires.geo._normalise import STOPWORDS, normalise, normalise_all

__all__ = ["EXACT", "PREFIX", "SOME_WORDS", "WORDS", "NameIndex"]

#: Match tiers, best first. A query with a misspelt word is also matched once corrected, a
#: quarter of a tier below (a corrected exact name ranks between exact names and prefixes).
EXACT, PREFIX, WORDS, SOME_WORDS = 0.0, 1.0, 2.0, 3.0
_CORRECTED = 0.25
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_SEPARATORS = " \n"


class NameIndex:
    """Normalised names of territories, searchable by tier.

    Args:
        names: One name per entry; entries are numbered in this order.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.norms = normalise_all(names)
        self._text = "\n" + "\n".join(self.norms) + "\n"
        # Position of each entry's first character, for bisection from a match position.
        self._starts = list(accumulate(map(len, self.norms), initial=1))
        for entry in range(1, len(self._starts)):
            self._starts[entry] += entry
        self._words: Counter[str] | None = None

    def find(self, query: str) -> Iterator[tuple[int, float, int]]:
        """Yield ``(entry, tier, words matched)`` for every entry matching ``query``.

        An entry may be yielded in several tiers; the caller keeps the best.
        """
        words = normalise(query).split()
        if not words:
            return
        yield from self._find(words, 0.0)
        for spelling in self._corrections(words):
            yield from self._find(spelling, _CORRECTED)

    def _find(self, words: list[str], offset: float) -> Iterator[tuple[int, float, int]]:
        norm = " ".join(words)
        for entry, end in self._occurrences("\n" + norm):
            tier = EXACT if self._text[end] == "\n" else PREFIX
            yield entry, tier + offset, len(words)
        sets = [self._with_word(word) for word in words[:-1]]
        # The last word may be unfinished ("clermont fer"): it matches any word it starts.
        sets.append(self._with_word(words[-1], whole=False))
        sets.sort(key=len)
        common = set(sets[0]).intersection(*sets[1:])
        for entry in common:
            yield entry, WORDS + offset, len(words)
        meaningful = {word for word in words if word not in STOPWORDS}
        if len(words) > 1 and meaningful:
            counts: Counter[int] = Counter()
            for word in meaningful:
                counts.update(self._with_word(word))
            for entry, matched in counts.items():
                if entry not in common:
                    yield entry, SOME_WORDS + offset, matched

    def _occurrences(self, needle: str) -> Iterator[tuple[int, int]]:
        """Yield ``(entry, end position)`` for every occurrence of ``needle`` in the text."""
        text, starts = self._text, self._starts
        skip = needle.startswith("\n")  # a leading newline belongs to the previous entry
        position = text.find(needle)
        while position != -1:
            yield bisect.bisect_right(starts, position + skip) - 1, position + len(needle)
            position = text.find(needle, position + 1)

    def _with_word(self, word: str, *, whole: bool = True) -> set[int]:
        """Entries holding ``word`` as a whole word (or as the start of a word)."""
        text = self._text
        found: set[int] = set()
        for entry, end in self._occurrences(word):
            start = end - len(word)
            if text[start - 1] in _SEPARATORS and (not whole or text[end] in _SEPARATORS):
                found.add(entry)
        return found

    def _corrections(self, words: list[str]) -> list[list[str]]:
        """Other spellings of ``words``, each unknown word replaced by a known word one edit away.

        The three most frequent candidates for each word; at most nine spellings in all.
        """
        options: list[list[str]] = []
        for position, word in enumerate(words):
            whole = position < len(words) - 1  # the last word may be unfinished
            if len(word) < 4 or self._with_word(word, whole=whole):
                options.append([word])
                continue
            if self._words is None:
                self._words = Counter(self._text.split())
            known = self._words
            near = {candidate for candidate in _one_edit_away(word) if candidate in known}
            options.append(sorted(near, key=lambda c: (-known[c], c))[:3] or [word])
        spellings = [list(spelling) for spelling in islice(product(*options), 9)]
        return [spelling for spelling in spellings if spelling != words]


def _one_edit_away(word: str) -> Iterator[str]:
    for i in range(len(word) + 1):
        for char in _LETTERS:
            yield word[:i] + char + word[i:]
            if i < len(word):
                yield word[:i] + char + word[i + 1 :]
        if i < len(word):
            yield word[:i] + word[i + 1 :]
        if i < len(word) - 1:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]
