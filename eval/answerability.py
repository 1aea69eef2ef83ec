"""Calibrate the answerability model on labelled in-scope and out-of-scope guideline questions.

A logistic regression (scikit-learn) over the signals of :mod:`rag.answering.answerability`. The
threshold minimises a cost in which answering an out-of-scope question weighs ``OOS_COST`` times as much as
abstaining on an answerable one (a confident wrong answer is worse than a referral to the sources). The cut is
chosen on leave-one-out probabilities, questions the fit did not see: a cut chosen on the fit's own
probabilities sat too low (0.40; leave-one-out out-of-scope abstention 85% where 0.45 gives 90% at the same
answerable share kept), and a fresh blind set confirmed the slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneOut

from eval.guideline import GuidelineItem
from rag.answering.answerability import AnswerabilityModel, Signals
from rag.contracts import Query
from rag.pipeline import Pipeline

OOS_COST = 2.0


@dataclass(frozen=True)
class Calibration:
    model: AnswerabilityModel
    report: dict[str, Any]


def collect_signals(pipeline: Pipeline, items: list[GuidelineItem]) -> list[Signals]:
    """The answerability signals of every question, from the same retrieval path ``answer`` uses."""
    found = []
    for item in items:
        retrieval = pipeline.retrieve(Query(item.question))
        found.append(pipeline.answerability_signals(item.question, retrieval.passages))
    return found


@dataclass(frozen=True)
class _Fitted:
    """Logistic coefficients on the signals as they come, though fitted on standardised signals: the
    regularisation then does not depend on the units of a signal (the reranker's score has no fixed scale)."""

    coefficients: np.ndarray
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-(x @ self.coefficients + self.intercept))))


def _fit(x: np.ndarray, y: np.ndarray) -> _Fitted:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((x - mean) / scale, y)
    coefficients = model.coef_[0] / scale
    return _Fitted(coefficients, float(model.intercept_[0] - coefficients @ mean))


def _threshold(probabilities: np.ndarray, y: np.ndarray) -> float:
    """The cut with the lowest cost; ties go to the higher (more cautious) cut."""
    candidates = np.unique(np.concatenate([probabilities, [0.5]]))
    costs = [
        (float((probabilities[y == 1] < t).mean()) + OOS_COST * float((probabilities[y == 0] >= t).mean()), -t)
        for t in candidates
    ]
    return float(-min(costs)[1])


def calibrate(found: list[Signals], items: list[GuidelineItem], fitted_on: str) -> Calibration:
    x = np.asarray([s.vector() for s in found], dtype=float)
    y = np.asarray([int(item.answerable) for item in items])
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both answerable and out-of-scope questions")
    fitted = _fit(x, y)
    probabilities = fitted.predict(x)
    held_out = np.zeros(len(y))
    for train, test in LeaveOneOut().split(x):
        held_out[test] = _fit(x[train], y[train]).predict(x[test])
    threshold = _threshold(held_out, y)
    model = AnswerabilityModel(
        coefficients=[round(float(c), 6) for c in fitted.coefficients],
        intercept=round(fitted.intercept, 6),
        threshold=round(threshold, 4),
        fitted_on=fitted_on,
    )
    report = {
        "questions": len(y),
        "answerable": int(y.sum()),
        "out_of_scope": int((y == 0).sum()),
        "threshold": model.threshold,
        "fit": {
            "answerable_kept": round(float((probabilities[y == 1] >= threshold).mean()), 4),
            "out_of_scope_abstained": round(float((probabilities[y == 0] < threshold).mean()), 4),
        },
        "leave_one_out": {
            "answerable_kept": round(float((held_out[y == 1] >= threshold).mean()), 4),
            "out_of_scope_abstained": round(float((held_out[y == 0] < threshold).mean()), 4),
        },
    }
    return Calibration(model, report)
