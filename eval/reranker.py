"""Fit the feature reranker's weights on labelled guideline questions.

Each answerable question contributes its fused candidates (what ``answer`` reranks) and the labelled section
that states its answer. A pairwise logistic regression (scikit-learn) learns weights under which the right
section outscores every other candidate of the same question; questions whose right section was not retrieved
teach nothing about order and are left out. The report compares the weights in use with the fitted ones on
sets the fit did not see (leave one set out), so a gain that only holds in sample shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.guideline import GuidelineItem, is_source_section
from rag.answering.rerank import FeatureReranker
from rag.answering.weights import Linear
from rag.pipeline import Pipeline

# Weak regularisation: a few hundred questions give thousands of pairs; held out by set, C from 1 to 1000 ranked alike.
REGULARISATION_C = 10.0


@dataclass(frozen=True)
class Ranking:
    """One question's fused candidates: their features (candidates x features) and which is the right section."""

    item_id: str
    set_name: str
    features: np.ndarray
    right: np.ndarray


def collect_rankings(pipeline: Pipeline, sets: Sequence[tuple[str, list[GuidelineItem]]]) -> list[Ranking]:
    """The reranker's features for every candidate of every answerable question, through the façade."""
    names = sorted(current_weights(pipeline).weights)
    rankings = []
    for set_name, items in sets:
        for item in items:
            if not item.answerable:
                continue
            candidates = pipeline.ranked_passages(item.question)
            features = np.asarray([[c.features.get(n, 0.0) for n in names] for c in candidates], dtype=float)
            right = np.asarray(
                [is_source_section(c.id, str(c.metadata.get("section") or ""), item) for c in candidates], dtype=bool
            )
            rankings.append(Ranking(item.id, set_name, features.reshape(len(candidates), len(names)), right))
    return rankings


def current_weights(pipeline: Pipeline) -> Linear:
    """The configured feature reranker's weights; they also name the features it computes."""
    reranker = pipeline.reranker
    if not isinstance(reranker, FeatureReranker):
        raise ValueError("fitting needs the feature reranker (MEDCITE_RERANKER=features)")
    return reranker.weights


def _pairs(rankings: Sequence[Ranking]) -> tuple[np.ndarray, np.ndarray]:
    """Right minus other, labelled 1, and its mirror, labelled 0: the regression needs no intercept."""
    differences = [
        ranking.features[ranking.right][0] - other
        for ranking in rankings
        if ranking.right.any()
        for other in ranking.features[~ranking.right]
    ]
    if not differences:
        raise ValueError("no question has its labelled section among the candidates; nothing to fit")
    x = np.asarray(differences)
    return np.concatenate([x, -x]), np.concatenate([np.ones(len(x)), np.zeros(len(x))])


def _fit(rankings: Sequence[Ranking]) -> np.ndarray:
    x, y = _pairs(rankings)
    model = LogisticRegression(C=REGULARISATION_C, fit_intercept=False, max_iter=5000).fit(x, y)
    return np.asarray(model.coef_[0])


def first_right(weights: np.ndarray, rankings: Sequence[Ranking]) -> int:
    """How many questions get their right section ranked first under ``weights``."""
    return sum(bool(r.right[int(np.argmax(r.features @ weights))]) for r in rankings if len(r.right))


def fit_weights(rankings: Sequence[Ranking], current: Linear, fitted_on: str) -> tuple[Linear, dict[str, Any]]:
    """Fitted weights (positive part summing to one) and a report against ``current`` in and out of sample.
    Feature columns follow the sorted names of ``current``'s weights, as :func:`collect_rankings` lays them out."""
    names = sorted(current.weights)
    current_vector = np.asarray([current.weights.get(n, 0.0) for n in names])
    fitted = _fit(rankings)
    held_out: dict[str, dict[str, int]] = {}
    sets = sorted({r.set_name for r in rankings})
    if len(sets) > 1:
        for name in sets:
            train = [r for r in rankings if r.set_name != name]
            test = [r for r in rankings if r.set_name == name]
            held_out[name] = {
                "questions": len(test),
                "current": first_right(current_vector, test),
                "fitted": first_right(_fit(train), test),
            }
    linear = Linear({n: round(float(w), 6) for n, w in zip(names, fitted, strict=True)}, fitted_on).normalised()
    report = {
        "questions": len(rankings),
        "right_section_retrieved": sum(bool(r.right.any()) for r in rankings),
        "right_first": {"current": first_right(current_vector, rankings), "fitted": first_right(fitted, rankings)},
        "right_first_held_out_by_set": held_out,
        "regularisation_C": REGULARISATION_C,
    }
    if held_out:
        report["right_first_held_out_total"] = {
            key: sum(row[key] for row in held_out.values()) for key in ("current", "fitted")
        }
    return linear, report
