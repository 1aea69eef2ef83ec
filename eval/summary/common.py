"""Figures every answering variant gets: citations, abstention, coverage-risk, retrieval, latency."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from eval.metrics.stats import mean_ci, ratio_ci
from eval.plan import Plan

Row = dict[str, Any]


class Figures:
    """Bootstrap settings of one run, so every interval uses the same resamples and seed."""

    def __init__(self, resamples: int, seed: int) -> None:
        self.resamples = resamples
        self.seed = seed

    def mean(self, values: Sequence[float]) -> dict[str, Any]:
        return mean_ci(values, resamples=self.resamples, seed=self.seed)

    def ratio(self, numerators: Sequence[float], denominators: Sequence[float]) -> dict[str, Any]:
        return ratio_ci(numerators, denominators, resamples=self.resamples, seed=self.seed)

    def by(self, rows: Sequence[Row], group: Callable[[Row], str], value: Callable[[Row], float]) -> dict[str, Any]:
        groups: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            groups[group(row) or "unknown"].append(value(row))
        return {name: self.mean(groups[name]) for name in sorted(groups)}


def coverage_risk(rows: Sequence[Row]) -> dict[str, Any]:
    """Answers sorted by confidence: at each cut, the share of items answered and the error rate among them.
    Abstentions are never answered; ``aurc`` is the mean risk over the curve (lower is better)."""
    scored = [
        (float(r["confidence"]), float(r.get("correct", 0.0)))
        for r in rows
        if r.get("confidence") is not None and r.get("answered", True)
    ]
    scored.sort(key=lambda pair: -pair[0])
    points, errors = [], 0.0
    total = len(rows)
    for index, (confidence, correct) in enumerate(scored, start=1):
        errors += 1.0 - correct
        if index == len(scored) or scored[index][0] != confidence:
            points.append(
                {
                    "confidence": round(confidence, 4),
                    "coverage": round(index / total, 4),
                    "risk": round(errors / index, 4),
                }
            )
    aurc = float(np.mean([p["risk"] for p in points])) if points else None
    return {"points": points, "aurc": None if aurc is None else round(aurc, 4)}


def citation_figures(rows: Sequence[Row], figures: Figures) -> dict[str, Any]:
    answered = [r for r in rows if not r.get("abstained")]
    return {
        "abstention_rate": figures.mean([float(bool(r.get("abstained"))) for r in rows]),
        "answers_with_citation": figures.ratio(
            [float(r.get("citations", 0) > 0) for r in answered], [1.0] * len(answered)
        ),
        "citation_validity": figures.ratio(
            [r.get("citations_valid", 0) for r in rows], [r.get("citations", 0) for r in rows]
        ),
        "sentences_removed": figures.ratio(
            [r.get("removed", 0) for r in rows], [r.get("removed", 0) + r.get("sentences", 0) for r in rows]
        ),
    }


def retrieval_figures(rows: Sequence[Row], plan: Plan, figures: Figures) -> dict[str, Any]:
    """k chosen (distribution), and how much of the retrieved case evidence shares the item's organ/modality."""
    out: dict[str, Any] = {}
    for which in ("k_passages", "k_cases"):
        values = [int(r[which]) for r in rows if r.get(which) is not None]
        out[which] = {
            "distribution": {str(k): n for k, n in sorted(Counter(values).items())},
            "mean": figures.mean(values),
        }
    organ, modality, organ_hit = [], [], []
    for row in rows:
        item = plan.item(row["item"])
        cases = [e for e in row.get("evidence", []) if e.get("kind") == "case"]
        if not cases:
            continue
        if item.domain:
            same = [e.get("domain") == item.domain for e in cases]
            organ.append(float(np.mean(same)))
            organ_hit.append(float(any(same)))
        known = [plan.images.get(str(e.get("id")), {}).get("modality") for e in cases]
        known = [m for m in known if m and m != "unknown"]
        if item.modality and item.modality != "unknown" and known:
            modality.append(float(np.mean([m == item.modality for m in known])))
    out["same_organ_evidence"] = figures.mean(organ)
    out["same_organ_hit"] = figures.mean(organ_hit)
    out["same_modality_evidence"] = figures.mean(modality)
    return out


def latency(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """Milliseconds per pipeline stage (Answer.timings): mean, median and 95th percentile."""
    stages: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for stage, ms in row.get("timings", {}).items():
            stages[stage].append(float(ms))
    return {
        stage: {
            "mean": round(float(np.mean(v)), 2),
            "p50": round(float(np.percentile(v, 50)), 2),
            "p95": round(float(np.percentile(v, 95)), 2),
            "n": len(v),
        }
        for stage, v in sorted(stages.items())
    }
