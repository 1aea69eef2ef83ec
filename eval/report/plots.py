"""Plots as PNG bytes (matplotlib, Agg: no display needed): accuracy by question type, k distribution,
accuracy vs k, coverage-risk curves and the stage confusion matrix."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

STAGE_ORDER = (
    "Occult carcinoma", "0", "IA1", "IA2", "IA3", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB",
    "undeterminable",
)  # fmt: skip


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()


def _bars(ax: Any, groups: dict[str, dict[str, dict[str, Any]]], ylabel: str) -> None:
    """Grouped bars (one colour per series) with interval whiskers."""
    categories = sorted({c for series in groups.values() for c in series})
    width = 0.8 / max(1, len(groups))
    for offset, (name, series) in enumerate(groups.items()):
        xs, ys, low, high = [], [], [], []
        for index, category in enumerate(categories):
            figure = series.get(category)
            if not figure or figure.get("value") is None:
                continue
            xs.append(index + offset * width)
            ys.append(figure["value"])
            low.append(figure["value"] - (figure["low"] if figure["low"] is not None else figure["value"]))
            high.append((figure["high"] if figure["high"] is not None else figure["value"]) - figure["value"])
        ax.bar(xs, ys, width=width, label=name, yerr=[low, high], capsize=2)
    ax.set_xticks([i + width * (len(groups) - 1) / 2 for i in range(len(categories))])
    ax.set_xticklabels(categories, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def accuracy_by_type(metrics: dict[str, Any]) -> bytes | None:
    groups = {
        name: v["closed"]["by_question_type"]
        for name, v in metrics["variants"].items()
        if v.get("closed", {}).get("by_question_type")
    }
    if not groups:
        return None
    figure, ax = plt.subplots(figsize=(9, 4))
    _bars(ax, groups, "closed accuracy")
    ax.set_title("Closed-question accuracy by question type (95% CI)")
    return _png(figure)


def k_distribution(metrics: dict[str, Any]) -> bytes | None:
    primary = metrics["variants"].get(metrics["primary"], {}).get("retrieval")
    if not primary:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, which in zip(axes, ("k_passages", "k_cases"), strict=True):
        distribution = primary[which]["distribution"]
        ks = sorted(distribution, key=int)
        ax.bar(ks, [distribution[k] for k in ks], color="#4a78a8")
        ax.set_xlabel(which.replace("_", " "))
        ax.set_ylabel("answers")
    figure.suptitle(f"k chosen per answer ({metrics['primary']})")
    return _png(figure)


def accuracy_vs_k(metrics: dict[str, Any]) -> bytes | None:
    series = {n: v["accuracy_by_k_cases"] for n, v in metrics["variants"].items() if v.get("accuracy_by_k_cases")}
    if not series:
        return None
    figure, ax = plt.subplots(figsize=(6, 3.5))
    for name, by_k in series.items():
        ks = sorted((k for k in by_k if k not in ("None", "unknown") and by_k[k]["value"] is not None), key=int)
        if ks:
            ax.errorbar(
                [int(k) for k in ks],
                [by_k[k]["value"] for k in ks],
                yerr=[
                    [by_k[k]["value"] - by_k[k]["low"] for k in ks],
                    [by_k[k]["high"] - by_k[k]["value"] for k in ks],
                ],
                marker="o",
                capsize=3,
                label=name,
            )
    ax.set_xlabel("similar cases used (k)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Accuracy vs k")
    return _png(figure)


def coverage_risk(metrics: dict[str, Any]) -> bytes | None:
    curves = {
        n: v["coverage_risk"]["points"]
        for n, v in metrics["variants"].items()
        if v.get("coverage_risk", {}).get("points")
    }
    if not curves:
        return None
    figure, ax = plt.subplots(figsize=(6, 3.5))
    for name, points in curves.items():
        ax.step([p["coverage"] for p in points], [p["risk"] for p in points], where="post", marker=".", label=name)
    ax.set_xlabel("coverage (share of items answered)")
    ax.set_ylabel("risk (error rate among answered)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Coverage-risk curve")
    return _png(figure)


def stage_confusion(metrics: dict[str, Any]) -> bytes | None:
    editions = metrics["variants"].get(metrics["primary"], {}).get("editions")
    if not editions:
        return None
    figure, axes = plt.subplots(1, len(editions), figsize=(6 * len(editions), 5), squeeze=False)
    for ax, (edition, scores) in zip(axes[0], sorted(editions.items()), strict=True):
        confusion = scores["confusion"]
        seen = set(confusion) | {g for row in confusion.values() for g in row}
        order = [s for s in STAGE_ORDER if s in seen] + sorted(seen - set(STAGE_ORDER))
        grid = [[confusion.get(e, {}).get(g, 0) for g in order] for e in order]
        ax.imshow(grid, cmap="Blues")
        for i, line in enumerate(grid):
            for j, count in enumerate(line):
                if count:
                    ax.text(j, i, str(count), ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(order)))
        ax.set_xticklabels(order, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels(order, fontsize=8)
        ax.set_xlabel("staged")
        ax.set_ylabel("expected")
        ax.set_title(f"Stage confusion, edition {edition}")
    return _png(figure)


PLOTS = {
    "accuracy_by_question_type": accuracy_by_type,
    "k_distribution": k_distribution,
    "accuracy_vs_k": accuracy_vs_k,
    "coverage_risk": coverage_risk,
    "stage_confusion": stage_confusion,
}


def make_plots(metrics: dict[str, Any]) -> dict[str, bytes]:
    """Every plot that applies to this run (a staging run has no k, a VQA run no stage table)."""
    made = {name: plot(metrics) for name, plot in PLOTS.items()}
    return {name: png for name, png in made.items() if png is not None}
