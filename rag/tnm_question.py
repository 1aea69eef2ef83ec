"""Guideline questions that ask for a T, N or M category or a stage group.

These are answered by the deterministic staging rules rather than by a generator: the rules
give the category and the knowledge passages (with verbatim quotes) it rests on, and the
pipeline cites those passages like any retrieved evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.staging import stage_report

_CATEGORY = re.compile(
    r"\b(?:what|which)\s+(?:is\s+the\s+)?(?:(?:clinical|c)\s*)?(T|N|M)\b(?!\d)"
    r"|\b(T|N|M)\s*(?:category|categories|descriptor|classification)\b",
    re.IGNORECASE,
)
_STAGE = re.compile(r"\b(?:what|which)\s+(?:is\s+the\s+)?(?:overall\s+|tnm\s+)?stage(?:\s+group)?\b", re.IGNORECASE)
_EDITION = re.compile(r"\b(8|9)(?:th)?\s+edition\b", re.IGNORECASE)
UNDECIDED = {"TX", "NX", "undeterminable"}
_DISTANT = re.compile(r"metasta|\bM[01]\b|\bdistant\b|adrenal|liver|bone|brain|effusion|pleural\s+nodul", re.IGNORECASE)


@dataclass(frozen=True)
class TnmAnswer:
    category: str
    value: str
    edition: str
    reason: str
    quotes: list[tuple[str, str]]


def asked_category(question: str) -> str | None:
    """'T', 'N', 'M' or 'stage' when the question asks for one; None otherwise."""
    if _STAGE.search(question):
        return "stage"
    match = _CATEGORY.search(question)
    return (match.group(1) or match.group(2)).upper() if match else None


def answer_tnm_question(question: str, default_edition: str = "9") -> TnmAnswer | None:
    """The staging rules' answer when the question asks a category they can decide; else None."""
    category = asked_category(question)
    if category is None:
        return None
    edition_match = _EDITION.search(question)
    edition = edition_match.group(1) if edition_match else default_edition
    if category in ("M", "stage") and not _DISTANT.search(question):
        return None  # a question that says nothing of distant disease cannot be given an M (or a stage)
    result = stage_report(question, edition, mode="question")
    decision = next((d for d in result.decisions if d.category == category), None)
    if decision is None or decision.value in UNDECIDED:
        return None
    quotes: list[tuple[str, str]] = []
    for citation in decision.citations:
        if (citation.source_id, citation.quote) not in quotes:
            quotes.append((citation.source_id, citation.quote))
    return TnmAnswer(category, decision.value, edition, decision.reason, quotes)
