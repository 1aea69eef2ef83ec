"""Typo repair against the knowledge base's own vocabulary, before retrieval and answerability.

A clinician typing "pleuarl effusn" should meet the pleural effusion section, not an abstention: a
misspelt word is missing from BM25, weakens the dense vector and counts as an unknown technical term
in the answerability model. Only words the knowledge never uses are touched, and only towards a word
it does use that is one edit away (two for long words), starts with the same letter, and is the
clear favourite by frequency. Acronyms, numbers, short words, capitalised words inside a sentence
(eponyms) and words the text encoder reads as whole words are left alone. Every repair is
reported with the answer, so a reader sees how the question was read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from rag.cite.lexical import content_tokens

_WORD = re.compile(r"[A-Za-z][a-z]+(?:'s)?")
MIN_LENGTH = 5
LONG_WORD = 10
# A typo shreds a word into many word pieces ("pleuarl" -> pl ##eu ##arl); a real word rarely needs three.
MIN_PIECES = 3


class PieceCounter(Protocol):
    def word_pieces(self, word: str) -> int: ...


@dataclass(frozen=True)
class Repair:
    original: str
    corrected: str

    def as_dict(self) -> dict[str, str]:
        return {"from": self.original, "to": self.corrected}


def _within(a: str, b: str, limit: int) -> bool:
    """Optimal-string-alignment distance (an adjacent swap is one edit) of at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


class Speller:
    """The vocabulary of one index version's guideline passages, and repairs against it."""

    def __init__(self, texts: Iterable[str], pieces: PieceCounter | None = None) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word.lower() for word in _WORD.findall(text))
        self.frequency = dict(counts)
        self.stems = frozenset(token for word in self.frequency for token in content_tokens(word))
        self.pieces = pieces
        self._by_initial: dict[str, list[str]] = {}
        for word in self.frequency:
            if len(word) >= MIN_LENGTH - 1:
                self._by_initial.setdefault(word[0], []).append(word)

    def suggest(self, word: str) -> str | None:
        """The known word this one is a typo of, or None when it is known, too short or ambiguous."""
        lower = word.lower()
        if len(lower) < MIN_LENGTH or lower in self.frequency or not lower.isalpha():
            return None
        if set(content_tokens(lower)) <= self.stems:
            return None  # another form of a known word ("manage" beside "managed")
        if self.pieces is not None and self.pieces.word_pieces(lower) < MIN_PIECES:
            return None  # the encoder's vocabulary reads it as a word or a word and an ending ("statin")
        limit = 2 if len(lower) >= LONG_WORD else 1
        candidates = [c for c in self._by_initial.get(lower[0], ()) if _within(lower, c, limit)]
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda c: -self.frequency[c])
        if len(ranked) > 1 and self.frequency[ranked[1]] * 2 > self.frequency[ranked[0]]:
            return None
        return ranked[0]

    def correct(self, text: str) -> tuple[str, list[Repair]]:
        """``text`` with typos of known words repaired (case of the first letter kept), and the repairs."""
        repairs: list[Repair] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            sentence_start = match.start() == 0 or re.search(r"[.?!:]\s*$", text[: match.start()]) is not None
            proper_noun = word[0].isupper() and not sentence_start
            if word.endswith("'s") or proper_noun:
                return word
            suggestion = self.suggest(word)
            if suggestion is None:
                return word
            corrected = suggestion.capitalize() if word[0].isupper() else suggestion
            repairs.append(Repair(word, corrected))
            return corrected

        return _WORD.sub(fix, text), repairs
