"""Risk-controlled abstention: answer only when the model's probability clears a calibrated threshold.

Same RULE-style control as the case-count calibration (:func:`rag.retrieve.adaptive_k.calibrate_k`):
on held-out calibration questions a wrong answer is a loss of 1 and an abstention a loss of 0, and
the threshold kept is the one answering most questions whose Hoeffding upper bound on the
wrong-answer rate is at most ``alpha`` with probability ``1 - delta``. Lowering the threshold only
adds answers, so the controlled thresholds form a prefix and keeping the widest one is a valid
fixed-sequence test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rag.errors import InputError
from rag.retrieve.adaptive_k import calibrate_k

MAX_CANDIDATES = 200
NEVER = math.inf


@dataclass(frozen=True)
class RiskThreshold:
    """The probability an answer needs, and what that bought on the calibration questions."""

    alpha: float
    delta: float
    n: int
    threshold: float
    coverage: float
    risk: float
    risk_upper_bound: float
    accuracy_when_answered: float
    controlled: bool
    data: str

    def answers(self, probability: float) -> bool:
        return probability >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["threshold"] = None if self.threshold == NEVER else self.threshold
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RiskThreshold:
        threshold = raw["threshold"]
        return cls(**{**raw, "threshold": NEVER if threshold is None else float(threshold)})


ANSWER_ALL = RiskThreshold(1.0, 1.0, 0, 0.0, 1.0, 0.0, 1.0, 0.0, True, "no risk control: every question is answered")


def calibrate_threshold(
    probabilities: Sequence[float] | np.ndarray,
    correct: Sequence[bool] | np.ndarray,
    *,
    alpha: float,
    delta: float,
    data: str,
) -> RiskThreshold:
    """The lowest probability threshold whose wrong-answer rate is controlled; NEVER when none is."""
    if not 0 < alpha < 1 or not 0 < delta < 1:
        raise InputError(f"need 0 < alpha < 1 and 0 < delta < 1 (got alpha={alpha}, delta={delta})")
    probs = np.asarray(probabilities, dtype=float)
    right = np.asarray(correct, dtype=bool)
    if probs.shape != right.shape or probs.size == 0:
        raise InputError("calibration needs one correctness flag per probability, and at least one question")
    cuts = np.unique(probs)[::-1]
    if cuts.size > MAX_CANDIDATES:
        cuts = np.unique(np.quantile(probs, np.linspace(1.0, 0.0, MAX_CANDIDATES)))[::-1]
    candidates = [NEVER, *(float(c) for c in cuts)]
    losses: dict[int, list[float]] = {}
    coverage: dict[int, float] = {}
    for index, cut in enumerate(candidates):
        answered = probs >= cut
        losses[index] = (answered & ~right).astype(float).tolist()
        coverage[index] = float(answered.mean())
    chosen = calibrate_k(losses, alpha=alpha, delta=delta, data=data, coverage=coverage)
    cut = candidates[chosen.k] if chosen.controlled else NEVER
    answered = probs >= cut
    return RiskThreshold(
        alpha=alpha,
        delta=delta,
        n=int(probs.size),
        threshold=cut,
        coverage=float(answered.mean()),
        risk=float((answered & ~right).mean()),
        risk_upper_bound=chosen.upper_bounds[candidates.index(cut)],
        accuracy_when_answered=float(right[answered].mean()) if answered.any() else 0.0,
        controlled=chosen.controlled,
        data=data,
    )
