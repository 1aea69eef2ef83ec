"""``medcite eval compare runs/A runs/B``: differences on the items both runs answered, with paired intervals.

Pairing by item removes the item-to-item variance both runs share, so a small real difference shows up where
two independent intervals would overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eval.metrics.stats import paired_bootstrap
from eval.plan import Plan

Row = dict[str, Any]
Value = Callable[[Row], float]
Keep = Callable[[Plan, Row], bool]


def _main(rows: list[Row], variant: str) -> dict[str, Row]:
    return {r["item"]: r for r in rows if r["variant"] == variant and not r["probe"] and "error" not in r}


def paired(
    rows_a: list[Row], rows_b: list[Row], variant_a: str, variant_b: str, value: Value, plan: Plan,
    keep: Keep = lambda plan, row: True, *, resamples: int = 1000, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    a, b = _main(rows_a, variant_a), _main(rows_b, variant_b)
    items = [item for item in a if item in b and keep(plan, a[item])]
    result = paired_bootstrap(
        [value(a[i]) for i in items], [value(b[i]) for i in items], resamples=resamples, seed=seed
    )
    result["a_value"] = round(sum(value(a[i]) for i in items) / len(items), 4) if items else None
    result["b_value"] = round(sum(value(b[i]) for i in items) / len(items), 4) if items else None
    return result


def format_difference(result: dict[str, Any]) -> str:
    if result.get("value") is None:
        return "-"
    return (
        f"{result['value'] * 100:+.1f} [{result['low'] * 100:+.1f}, {result['high'] * 100:+.1f}] pp "
        f"(p={result['p_value']}, n={result['n']})"
    )


def paired_figure(rows_a: list[Row], rows_b: list[Row], variant_a: str, variant_b: str, value: str, plan: Plan) -> str:
    """Per-item ``value`` of ``variant_b`` minus ``variant_a``, formatted for a table cell."""
    result = paired(
        rows_a, rows_b, variant_a, variant_b, lambda r: float(r.get(value) or 0.0), plan,
        resamples=plan.config.resamples, seed=plan.config.seed,
    )  # fmt: skip
    return format_difference(result)


def _closed(plan: Plan, row: Row) -> bool:
    return plan.item(row["item"]).answer_type == "closed"


def _open(plan: Plan, row: Row) -> bool:
    return plan.item(row["item"]).answer_type != "closed"


def _figures(kind: str) -> dict[str, tuple[Value, Keep]]:
    correct: Value = lambda r: float(r.get("correct") or 0.0)  # noqa: E731
    always: Keep = lambda plan, row: True  # noqa: E731
    if kind == "vqa":
        return {
            "closed accuracy": (correct, _closed),
            "open accuracy": (correct, _open),
            "open token recall": (lambda r: float(r.get("recall") or 0.0), _open),
            "open F1": (lambda r: float(r.get("f1") or 0.0), _open),
            "abstention": (lambda r: float(not r.get("answered")), always),
        }
    if kind == "report":
        return {
            "BLEU": (lambda r: float(r.get("bleu") or 0.0), always),
            "ROUGE-L": (lambda r: float(r.get("rouge_l") or 0.0), always),
        }
    return {"accuracy": (correct, always)}


def compare_runs(
    plan_a: Plan, rows_a: list[Row], plan_b: Plan, rows_b: list[Row], variants: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """Each figure for each pair of variants (default: every variant name the two runs share)."""
    if plan_a.kind != plan_b.kind:
        raise ValueError(f"cannot compare a {plan_a.kind} run with a {plan_b.kind} run")
    names_b = {v.name for v in plan_b.variants}
    pairs = variants or [(v.name, v.name) for v in plan_a.variants if v.name in names_b]
    out: dict[str, Any] = {"kind": plan_a.kind, "comparisons": []}
    for variant_a, variant_b in pairs:
        for name, (value, keep) in _figures(plan_a.kind).items():
            result = paired(
                rows_a, rows_b, variant_a, variant_b, value, plan_a, keep,
                resamples=plan_a.config.resamples, seed=plan_a.config.seed,
            )  # fmt: skip
            out["comparisons"].append({"a": variant_a, "b": variant_b, "figure": name, **result})
    return out


def format_comparison(result: dict[str, Any], label_a: str, label_b: str) -> str:
    lines = [
        f"A = {label_a}",
        f"B = {label_b}",
        f"{'variant':<28}{'figure':<20}{'A':>8}{'B':>8}  B - A [95% paired CI]",
    ]
    for row in result["comparisons"]:
        a = "-" if row["a_value"] is None else f"{row['a_value']:.3f}"
        b = "-" if row["b_value"] is None else f"{row['b_value']:.3f}"
        variant = row["a"] if row["a"] == row["b"] else f"{row['a']} vs {row['b']}"
        lines.append(f"{variant:<28}{row['figure']:<20}{a:>8}{b:>8}  {format_difference(row)}")
    return "\n".join(lines)
