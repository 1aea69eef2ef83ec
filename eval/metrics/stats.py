"""Percentile bootstrap intervals over items, and the paired bootstrap for comparing two runs on the same items.

Seeds are fixed, so the same per-item results always give the same interval: a resumed run, a job run by two
workers and an uninterrupted run agree to the last digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

DEFAULT_RESAMPLES = 1000
LEVEL = 0.95


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _bounds(samples: np.ndarray) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return float("nan"), float("nan")
    return float(np.quantile(finite, tail)), float(np.quantile(finite, 1 - tail))


def _figure(value: float, low: float, high: float, n: int) -> dict[str, Any]:
    def clean(x: float) -> float | None:
        return None if not np.isfinite(x) else round(float(x), 4)

    return {"value": clean(value), "low": clean(low), "high": clean(high), "n": n}


def mean_ci(values: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> dict[str, Any]:
    """Mean with a 95% percentile interval; ``value`` is None for no items."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return _figure(float("nan"), float("nan"), float("nan"), 0)
    samples = data[_indices(data.size, resamples, seed)].mean(axis=1)
    return _figure(float(data.mean()), *_bounds(samples), int(data.size))


def ratio_ci(
    numerators: Sequence[float], denominators: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> dict[str, Any]:
    """sum(num) / sum(den) with items resampled together (accuracy when answered, validity per citation)."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    if num.size == 0 or den.sum() == 0:
        return _figure(float("nan"), float("nan"), float("nan"), int(den.sum()) if den.size else 0)
    index = _indices(num.size, resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        samples = num[index].sum(axis=1) / den[index].sum(axis=1)
    return _figure(float(num.sum() / den.sum()), *_bounds(samples), int(den.sum()))


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> dict[str, Any]:
    """Difference of means (b - a) over the same items, with its interval and a two-sided bootstrap p-value."""
    first = np.asarray(a, dtype=float)
    second = np.asarray(b, dtype=float)
    if first.shape != second.shape:
        raise ValueError("paired bootstrap needs one value per item in both runs")
    if first.size == 0:
        return {**_figure(float("nan"), float("nan"), float("nan"), 0), "p_value": None}
    diff = second - first
    samples = diff[_indices(diff.size, resamples, seed)].mean(axis=1)
    below = float((samples <= 0).mean())
    above = float((samples >= 0).mean())
    p_value = min(1.0, 2 * min(below, above))
    return {**_figure(float(diff.mean()), *_bounds(samples), int(diff.size)), "p_value": round(p_value, 4)}
