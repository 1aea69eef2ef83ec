"""Closed (yes/no) questions answered from similar indexed cases.

A neighbour case counts when it was asked (nearly) the same question: its yes/no answer votes
with weight image-similarity x question-similarity. The winning answer is cited through the
verbatim Q/A line of the best supporting case, so :mod:`rag.cite` can verify it like any claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.encoders.base import TextEncoder
from rag.retrieve.retriever import EvidenceItem

YES_NO = {"yes": "yes", "no": "no"}


GENERIC_WORDS = frozenset(
    re.findall(
        r"\w+",
        "is are was were does do did has have there this that these any image images patient seen see show "
        "shows shown present visible evidence appreciate appreciated noted identified can could you we "
        "be in on at of a an the",
    )
)


def key_terms(question: str) -> set[str]:
    """What a question is about ("pleural", "effusion"), without the template words every question shares."""
    return {token.rstrip("s") for token in re.findall(r"[a-z0-9]+", question.lower()) if token not in GENERIC_WORDS}


def same_subject(asked: str, other: str, min_overlap: float) -> bool:
    """Template questions embed alike ("Is there a pneumothorax?" vs "Is there an effusion?"): the
    asked question's key terms must also be in the other one."""
    terms = key_terms(asked)
    return bool(terms) and len(terms & key_terms(other)) / len(terms) >= min_overlap


def qa_line(question: str, answer: str) -> str:
    """The exact form a Q/A pair takes inside a case text (see rag.ingest.cases)."""
    return f"Q: {question} A: {answer}."


@dataclass(frozen=True)
class CaseVote:
    answer: str
    confidence: float
    case_id: str
    line: str
    votes: dict[str, float]


def vote_closed_answer(
    question: str,
    cases: Sequence[EvidenceItem],
    encoder: TextEncoder,
    *,
    min_question_similarity: float = 0.8,
    min_term_overlap: float = 0.6,
) -> CaseVote | None:
    """Weighted vote of neighbours' answers to near-identical questions; None when no case asked it."""
    pairs: list[tuple[EvidenceItem, dict[str, str]]] = [
        (case, qa)
        for case in cases
        for qa in case.metadata.get("qa", [])
        if str(qa.get("answer", "")).strip().lower() in YES_NO
    ]
    if not pairs:
        return None
    vectors = encoder.encode([question, *(qa["question"] for _, qa in pairs)])
    similarities = np.asarray(vectors[1:] @ vectors[0], dtype=float)
    ballots = [
        (max(case.similarity, 0.0) * float(similarity), case, qa, YES_NO[qa["answer"].strip().lower()])
        for (case, qa), similarity in zip(pairs, similarities, strict=True)
        if similarity >= min_question_similarity and same_subject(question, qa["question"], min_term_overlap)
    ]
    votes = {answer: sum(w for w, _, _, a in ballots if a == answer) for answer in ("yes", "no")}
    total = votes["yes"] + votes["no"]
    if total <= 0:
        return None
    winner = max(votes, key=lambda key: votes[key])
    _, case, qa, _ = max((b for b in ballots if b[3] == winner), key=lambda b: b[0])
    return CaseVote(winner, votes[winner] / total, case.id, qa_line(qa["question"], qa["answer"]), votes)
