"""Figures for staging cases, guideline questions and report pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.metrics.text import corpus_bleu
from eval.plan import Plan
from eval.summary.common import Figures, Row

FIELDS = ("stage", "t", "n", "m")


def staging_figures(rows: Sequence[Row], figures: Figures) -> dict[str, Any]:
    """Exact agreement per edition and field (the rules of eval.staging), main-category agreement, and the
    expected-by-staged confusion table."""
    editions: dict[str, Any] = {}
    for edition in sorted({e for r in rows for e in r.get("editions", {})}):
        scored = [r["editions"][edition] for r in rows if edition in r.get("editions", {})]
        confusion: dict[str, dict[str, int]] = {}
        for row in scored:
            line = confusion.setdefault(str(row["expected_stage"]), {})
            line[row["stage_got"]] = line.get(row["stage_got"], 0) + 1
        editions[edition] = {
            "cases": len(scored),
            "agreement": {name: figures.mean([float(row[name]) for row in scored]) for name in FIELDS},
            "agreement_main_category": {
                name: figures.mean([float(row["main"][name]) for row in scored]) for name in ("t", "n", "m")
            },
            "confusion": confusion,
        }
    return {"editions": editions, "accuracy": figures.mean([float(r.get("correct", 0.0)) for r in rows])}


def guideline_figures(rows: Sequence[Row], figures: Figures) -> dict[str, Any]:
    """The guideline evaluation's own scores (eval.guideline.score_answer) with intervals."""
    answerable = [r["guideline"] for r in rows if r.get("guideline", {}).get("answerable")]
    out_of_scope = [r["guideline"] for r in rows if r.get("guideline") and not r["guideline"]["answerable"]]
    return {
        "accuracy": figures.mean([float(r.get("correct", 0.0)) for r in rows]),
        "complete_and_cited": figures.mean([float(g["correct"]) for g in answerable]),
        "complete": figures.mean([float(g["complete"]) for g in answerable]),
        "abstained_on_answerable": figures.mean([float(g["abstained"]) for g in answerable]),
        "out_of_scope_abstention": figures.mean([float(g["abstained"]) for g in out_of_scope]),
    }


def report_figures(rows: Sequence[Row], plan: Plan, figures: Figures) -> dict[str, Any]:
    predictions = [str(r.get("prediction", "")) for r in rows]
    references = [plan.item(r["item"]).answer for r in rows]
    return {
        "bleu": figures.mean([float(r.get("bleu", 0.0)) for r in rows]),
        "corpus_bleu": round(corpus_bleu(predictions, references), 4),
        "rouge_l": figures.mean([float(r.get("rouge_l", 0.0)) for r in rows]),
        "token_f1": figures.mean([float(r.get("f1", 0.0)) for r in rows]),
    }
