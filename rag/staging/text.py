"""Sentence/clause splitting and polarity (negated, uncertain, positive) for report text.

Kept apart from the extractors so that every finding type judges negation the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Polarity = Literal["positive", "negated", "uncertain"]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
# Clause boundaries end the scope of a negation cue ("no X; Y", "abutting but not invading").
_CLAUSE_SPLIT = re.compile(
    r";|\s+but\s+|,?\s+however,?\s+|\s+whereas\s+|\s+although\s+|,\s+with\s+|,\s+and\s+|\s+and\s+(?:an?|the)\s+"
    r"|,\s+while\s+|:\s+",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:no|not|without|negative\s+for|free\s+of|absence\s+of|absent|non[- ]?enlarged|normal[- ]sized|"
    r"spar(?:es|ing|ed)|subcentimet(?:er|re)|benign|calcified|reactive|unremarkable|normal|"
    r"within\s+normal\s+limits|resolved|excluded|rule[sd]?\s+out|preserved\s+fat\s+plane)\b",
    re.IGNORECASE,
)
_UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|indeterminate|equivocal|questionable|cannot\s+be\s+excluded|"
    r"can\s*not\s+be\s+excluded|not\s+excluded|may\s+represent|might|borderline|too\s+small\s+to\s+characteri[sz]e|"
    r"nonspecific|non-specific|uncertain)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """A clause of one sentence; ``sentence_index`` ties clauses of the same sentence together."""

    text: str
    sentence_index: int


def sentences(report: str) -> list[str]:
    """Split a report into sentences; decimal points ("3.2 cm") never split."""
    return [part.strip() for part in _SENTENCE_SPLIT.split(report) if part and part.strip()]


def clauses(report: str) -> list[Clause]:
    """Split every sentence into clauses at contrastive and list boundaries."""
    result: list[Clause] = []
    for index, sentence in enumerate(sentences(report)):
        for part in _CLAUSE_SPLIT.split(sentence):
            if part and part.strip():
                result.append(Clause(part.strip(), index))
    return result


def polarity(clause: str) -> Polarity:
    """Judge a whole clause: uncertainty cues win over negation cues ("cannot be excluded")."""
    if _UNCERTAIN.search(clause):
        return "uncertain"
    if _NEGATION.search(clause):
        return "negated"
    return "positive"


def polarity_at(clause: str, start: int) -> Polarity:
    """Judge one mention: negation scopes forward from its cue, uncertainty anywhere in the clause."""
    if _UNCERTAIN.search(clause):
        return "uncertain"
    if _NEGATION.search(clause[:start]):
        return "negated"
    return "positive"
