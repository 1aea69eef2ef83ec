"""Plain-text tables for the terminal: headline figures per variant with their intervals."""

from __future__ import annotations

from typing import Any


def figure(value: dict[str, Any] | None, percent: bool = True) -> str:
    """``0.532 [0.470, 0.591]`` (or ``-`` with no items)."""
    if not value or value.get("value") is None:
        return "-"
    scale = 100 if percent else 1
    unit = "%" if percent else ""
    low, high = value.get("low"), value.get("high")
    interval = f" [{low * scale:.1f}, {high * scale:.1f}]" if low is not None and high is not None else ""
    return f"{value['value'] * scale:.1f}{unit}{interval}"


def variant_columns(kind: str) -> list[tuple[str, tuple[str, ...]]]:
    """(column title, path inside a variant's figures) for each kind of set."""
    if kind == "vqa":
        return [
            ("closed acc", ("closed", "accuracy")),
            ("closed abstain", ("closed", "abstention_rate")),
            ("open acc", ("open", "accuracy")),
            ("open recall", ("open", "token_recall")),
            ("open F1", ("open", "f1")),
        ]
    if kind == "staging":
        return [("stage (all editions)", ("accuracy",))]
    if kind == "guideline":
        return [("correct", ("accuracy",)), ("complete+cited", ("complete_and_cited",))]
    return [("BLEU", ("bleu",)), ("ROUGE-L", ("rouge_l",))]


def dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def format_metrics(metrics: dict[str, Any]) -> str:
    columns = variant_columns(metrics["kind"])
    lines = [
        f"{metrics['dataset']} {metrics['split']}: {metrics['items']} items, "
        f"{metrics['completed']}/{metrics['tasks']} tasks, {metrics['errors']} errors "
        f"(95% bootstrap intervals)"
    ]
    header = f"{'variant':<20}" + "".join(f"{title:>24}" for title, _ in columns)
    lines.append(header)
    for name, figures in metrics["variants"].items():
        lines.append(f"{name:<20}" + "".join(f"{figure(dig(figures, path)):>24}" for _, path in columns))
    if metrics["kind"] == "staging":
        for name, figures in metrics["variants"].items():
            for edition, scores in figures.get("editions", {}).items():
                cells = "  ".join(f"{f}: {figure(scores['agreement'][f])}" for f in ("stage", "t", "n", "m"))
                lines.append(f"  {name} edition {edition} ({scores['cases']} cases)  {cells}")
    wall = metrics.get("timing", {}).get("wall_seconds")
    if wall is not None:
        lines.append(f"wall time {wall:.0f} s")
    return "\n".join(lines)
