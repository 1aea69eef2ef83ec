"""The linear weights of the feature reranker and the unit scorer.

Hand-set, then checked against a logistic regression fitted on the guideline development set: the fitted
weights ranked the right section first no more often (leave-one-question-out top-1 64.5% for both) and the
right unit first no more often (49% vs 51%), so the simpler hand-set weights stay. ``first_passage`` was
raised from 0.15 to 0.4 once the reranker weighed section titles and numbers: its first passage is the right
section for two questions in three, and a unit from a lower passage now needs a clearly better match to
take the answer elsewhere (development set complete-and-cited 60.9% -> 63.6%). ``title_coverage`` (0.3, the
share of a section title's words that the question says) keeps the right section in reach when a vignette buries
the asked words: over the three development sets complete-and-cited 115 -> 119 of 206 once answerability was
refitted with it.
"""

from __future__ import annotations

from dataclasses import dataclass

RERANK_WEIGHTS = {
    "dense": 0.5, "unit": 1.0, "text_recall": 0.6, "title_recall": 0.5, "document_recall": 0.5, "title_numbers": 0.5,
    "text_numbers": 0.4, "branch_conflict": -0.8, "document_named": 0.3, "title_coverage": 0.3,
}  # fmt: skip
UNIT_WEIGHTS = {
    "cosine": 0.5, "recall": 0.5, "numbers": 0.3, "list_for_list": 0.3, "kind_match": 0.1, "definition_lead": 0.3,
    "conflict": -0.3, "first_passage": 0.4, "second_passage": 0.05,
}  # fmt: skip


@dataclass(frozen=True)
class Linear:
    """A weighted sum of named features (missing features count as 0)."""

    weights: dict[str, float]

    def score(self, features: dict[str, float]) -> float:
        return sum(w * features.get(name, 0.0) for name, w in self.weights.items())


RERANK = Linear(RERANK_WEIGHTS)
UNITS = Linear(UNIT_WEIGHTS)
