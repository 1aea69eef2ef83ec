"""Baselines that never see the image or the evidence: the majority answer and a question-only model.

Both are fitted on the reference split (train). A set without one is scored leave-one-out over its own items,
so no item ever sees its own answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from eval.items import EvalItem

NEIGHBOURS = 5


def _majority(answers: Sequence[str]) -> str:
    counts = Counter(answers)
    return min(counts, key=lambda answer: (-counts[answer], answer)) if counts else ""


def majority_predictions(items: Sequence[EvalItem], reference: Sequence[EvalItem]) -> dict[str, str]:
    """The most common answer of the same answer type (closed / open)."""
    out: dict[str, str] = {}
    if reference:
        by_type = {t: _majority([r.answer for r in reference if r.answer_type == t]) for t in ("closed", "open")}
        return {item.id: by_type.get(item.answer_type, "") for item in items}
    for index, item in enumerate(items):
        others = [o.answer for j, o in enumerate(items) if j != index and o.answer_type == item.answer_type]
        out[item.id] = _majority(others)
    return out


def question_only_predictions(items: Sequence[EvalItem], reference: Sequence[EvalItem]) -> dict[str, str]:
    """TF-IDF nearest questions of the same answer type vote with their answers, weighted by similarity."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pool = list(reference) or list(items)
    leave_one_out = not reference
    out: dict[str, str] = {}
    for answer_type in sorted({item.answer_type for item in items}):
        asked = [item for item in items if item.answer_type == answer_type]
        known = [item for item in pool if item.answer_type == answer_type]
        if not known:
            out.update({item.id: "" for item in asked})
            continue
        vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        matrix = vectoriser.fit_transform([item.question for item in known])
        similarity = (vectoriser.transform([item.question for item in asked]) @ matrix.T).toarray()
        for row, item in zip(similarity, asked, strict=True):
            scores = np.array(row, dtype=float)
            if leave_one_out:
                scores[[j for j, other in enumerate(known) if other.id == item.id]] = -1.0
            order = np.argsort(-scores, kind="stable")[:NEIGHBOURS]
            votes: dict[str, float] = {}
            for j in order:
                if scores[j] >= 0:
                    votes[known[j].answer] = votes.get(known[j].answer, 0.0) + float(scores[j]) + 1e-6
            out[item.id] = min(votes, key=lambda a: (-votes[a], a)) if votes else ""
    return out
