"""metrics.json from a plan and its rows: per variant figures, probes on the probe variant, and headline
figures (``accuracy`` and the like, each ``{"value", "low", "high", "n"}``) at the top.

Everything outside ``timing`` is a function of the rows' answers alone, so two runs of the same plan (threads,
resumed, or a job on several workers) give the same figures; ``timing`` holds latency and wall time.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from eval.plan import Plan
from eval.summary.common import Figures, Row, citation_figures, coverage_risk, latency, retrieval_figures
from eval.summary.text_kinds import guideline_figures, report_figures, staging_figures
from eval.summary.vqa import answer_figures, consistency, correct, sensitivity


def _kind_figures(plan: Plan, rows: list[Row], figures: Figures) -> dict[str, Any]:
    if plan.kind == "vqa":
        return answer_figures(rows, plan, figures)
    if plan.kind == "staging":
        return staging_figures(rows, figures)
    if plan.kind == "guideline":
        return guideline_figures(rows, figures)
    return report_figures(rows, plan, figures)


def _headline(plan: Plan, variants: dict[str, Any]) -> dict[str, Any]:
    primary = variants[plan.primary]
    if plan.kind == "vqa":
        head = {
            "accuracy": primary["closed"]["accuracy"],
            "abstention_rate": primary["closed"]["abstention_rate"],
            "open_accuracy": primary["open"]["accuracy"],
            "open_exact_match": primary["open"]["exact_match"],
            "open_token_recall": primary["open"]["token_recall"],
            "open_f1": primary["open"]["f1"],
        }
        for baseline in ("majority", "question_only"):
            if baseline in variants:
                head[f"{baseline}_accuracy"] = variants[baseline]["closed"]["accuracy"]
                head[f"{baseline}_open_accuracy"] = variants[baseline]["open"]["accuracy"]
    elif plan.kind == "staging":
        head = {"accuracy": primary["accuracy"]}
        for edition, scores in primary["editions"].items():
            head[f"stage_agreement_{edition}"] = scores["agreement"]["stage"]
    elif plan.kind == "guideline":
        head = {"accuracy": primary["accuracy"], "complete_and_cited": primary["complete_and_cited"]}
    else:
        head = {"bleu": primary["bleu"], "rouge_l": primary["rouge_l"]}
    if "citations" in primary:
        head["citation_validity"] = primary["citations"]["citation_validity"]
    return head


def summarise(plan: Plan, rows: list[Row]) -> dict[str, Any]:
    figures = Figures(plan.config.resamples, plan.config.seed)
    main: dict[str, list[Row]] = defaultdict(list)
    probes: dict[str, list[Row]] = defaultdict(list)
    errors = [r for r in rows if "error" in r]
    for row in rows:
        if "error" in row:
            continue
        if row["probe"]:
            probes[row["probe"]].append(row)
        else:
            main[row["variant"]].append(row)
    variants: dict[str, Any] = {}
    latency_ms: dict[str, Any] = {}
    majority = {r["item"]: r for r in main.get("majority", [])}
    for variant in plan.variants:
        chosen = main.get(variant.name, [])
        entry: dict[str, Any] = {"kind": variant.kind, "items": len(chosen), **_kind_figures(plan, chosen, figures)}
        if variant.kind == "pipeline":
            entry["citations"] = citation_figures(chosen, figures)
            # For image questions the curve is over closed questions, whose right/wrong is exact.
            scored = [r for r in chosen if plan.kind != "vqa" or plan.item(r["item"]).answer_type == "closed"]
            entry["coverage_risk"] = coverage_risk(scored)
            entry["retrieval"] = retrieval_figures(chosen, plan, figures)
            entry["accuracy_by_k_cases"] = figures.by(chosen, lambda r: str(r.get("k_cases")), correct)
            entry["accuracy_by_k_passages"] = figures.by(chosen, lambda r: str(r.get("k_passages")), correct)
            abstained = [r for r in chosen if not r.get("answered") and r["item"] in majority]
            entry["majority_accuracy_where_abstained"] = figures.mean([correct(majority[r["item"]]) for r in abstained])
            latency_ms[variant.name] = latency(chosen)
        if variant.name == plan.probe_variant and plan.kind == "vqa":
            by_item = {r["item"]: r for r in chosen}
            entry["image_sensitivity"] = sensitivity(by_item, probes, plan, figures)
            entry["consistency"] = consistency(by_item, probes, figures)
        variants[variant.name] = entry
    return {
        "dataset": plan.dataset,
        "kind": plan.kind,
        "split": plan.split,
        "items": len(plan.items),
        "tasks": len(plan.tasks),
        "completed": len(rows),
        "complete": len(rows) == len(plan.tasks),
        "errors": len(errors),
        "error_examples": [{"key": r["key"], "error": r["error"]} for r in errors[:5]],
        "primary": plan.primary,
        **_headline(plan, variants),
        "variants": variants,
        "timing": {"latency_ms": latency_ms},
    }
