"""How much retrieved context to use.

* Gap ratio (MMed-RAG): sort the similarities and cut at the first i where
  ``log(S_i / S_{i+1})`` exceeds a threshold: a sharp drop separates relevant from filler.
* Calibrated (RULE): on a calibration split, measure the factuality risk of answers built with
  each k, and pick the smallest k whose upper confidence bound on risk is at most ``alpha``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError, NotFoundError


@dataclass(frozen=True)
class KChoice:
    """The k used and why; reported in every answer."""

    k: int
    method: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def gap_ratio_k(similarities: Sequence[float], *, threshold: float = 0.15, k_min: int = 1, k_max: int = 8) -> KChoice:
    """Cut at the first large relative drop between consecutive sorted similarities."""
    if k_min < 1 or k_max < k_min:
        raise InputError(f"need 1 <= k_min <= k_max (got k_min={k_min}, k_max={k_max})")
    scores = sorted((max(float(s), 1e-6) for s in similarities), reverse=True)[:k_max]
    if not scores:
        return KChoice(0, "gap-ratio", {"threshold": threshold, "reason": "no candidates"})
    for i in range(len(scores) - 1):
        gap = math.log(scores[i] / scores[i + 1])
        if gap > threshold and i + 1 >= k_min:
            return KChoice(i + 1, "gap-ratio", {"threshold": threshold, "cut_after": i + 1, "log_gap": round(gap, 4)})
    return KChoice(min(len(scores), k_max), "gap-ratio", {"threshold": threshold, "reason": "no gap above threshold"})


def hoeffding_upper_bound(risk: float, n: int, delta: float) -> float:
    """One-sided (1 - delta) upper confidence bound of a mean of n bounded losses."""
    return min(1.0, risk + math.sqrt(math.log(1.0 / delta) / (2.0 * n)))


@dataclass(frozen=True)
class Calibration:
    """Risk per k measured on a named calibration set, and the k it licenses."""

    alpha: float
    delta: float
    n: int
    risks: dict[int, float]
    upper_bounds: dict[int, float]
    k: int
    controlled: bool
    data: str
    coverage: dict[int, float]

    def choice(self) -> KChoice:
        return KChoice(
            self.k,
            "calibrated",
            {
                "alpha": self.alpha,
                "delta": self.delta,
                "n": self.n,
                "controlled": self.controlled,
                "data": self.data,
                "risk_upper_bound": self.upper_bounds[self.k],
                "coverage": self.coverage[self.k],
            },
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        if not path.is_file():
            raise NotFoundError(
                f"no k calibration at {path}; run `medcite eval calibrate-k` first or use adaptive_k=gap"
            )
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            alpha=raw["alpha"],
            delta=raw["delta"],
            n=raw["n"],
            data=raw["data"],
            k=raw["k"],
            controlled=raw["controlled"],
            risks={int(k): v for k, v in raw["risks"].items()},
            upper_bounds={int(k): v for k, v in raw["upper_bounds"].items()},
            coverage={int(k): v for k, v in raw["coverage"].items()},
        )


def calibrate_k(
    losses: Mapping[int, Sequence[float]],
    *,
    alpha: float,
    delta: float = 0.1,
    data: str,
    coverage: Mapping[int, float] | None = None,
) -> Calibration:
    """``losses[k][i]`` is 1 when the answer to calibration item i with k sources was not factual.

    Among the k whose Hoeffding bound is <= alpha, the one answering most items wins (``coverage``,
    the share of items answered rather than abstained; without it the smallest k). If no k
    qualifies, the k with the lowest bound is chosen and the calibration says so.
    """
    if not losses:
        raise InputError("calibration needs losses for at least one k")
    sizes = {len(v) for v in losses.values()}
    if len(sizes) != 1 or 0 in sizes:
        raise InputError("every k must be measured on the same, non-empty calibration items")
    n = sizes.pop()
    risks = {k: sum(v) / n for k, v in sorted(losses.items())}
    bounds = {k: hoeffding_upper_bound(r, n, delta) for k, r in risks.items()}
    answered = dict(coverage) if coverage is not None else {k: 0.0 for k in risks}
    controlled = [k for k, b in bounds.items() if b <= alpha]
    if controlled:
        k = max(controlled, key=lambda key: (answered[key], -key))
    else:
        k = min(bounds, key=lambda key: (bounds[key], key))
    return Calibration(alpha, delta, n, risks, bounds, k, bool(controlled), data, answered)
