"""Image question figures: closed accuracy (with the baselines beside it), open-answer scores, breakdowns,
image sensitivity and consistency probes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eval.plan import Plan
from eval.summary.common import Figures, Row


def correct(row: Row) -> float:
    return float(row.get("correct", 0.0))


def recall(row: Row) -> float:
    return float(row.get("recall", 0.0))


def answer_figures(rows: Sequence[Row], plan: Plan, figures: Figures) -> dict[str, Any]:
    """Closed and open figures of one variant's main rows (no probes)."""
    items = {row["item"]: plan.item(row["item"]) for row in rows}
    closed = [r for r in rows if items[r["item"]].answer_type == "closed"]
    opened = [r for r in rows if items[r["item"]].answer_type != "closed"]
    out: dict[str, Any] = {
        "closed": {
            "accuracy": figures.mean([correct(r) for r in closed]),
            "abstention_rate": figures.mean([float(not r.get("answered")) for r in closed]),
            "accuracy_answered": figures.ratio(
                [correct(r) for r in closed], [float(bool(r.get("answered"))) for r in closed]
            ),
            "by_question_type": figures.by(closed, lambda r: items[r["item"]].question_type, correct),
            "by_organ": figures.by(closed, lambda r: items[r["item"]].organ, correct),
            "by_modality": figures.by(closed, lambda r: items[r["item"]].modality, correct),
        },
        "open": {
            "accuracy": figures.mean([correct(r) for r in opened]),
            "exact_match": figures.mean([float(r.get("em", 0.0)) for r in opened]),
            "token_recall": figures.mean([float(r.get("recall", 0.0)) for r in opened]),
            "f1": figures.mean([float(r.get("f1", 0.0)) for r in opened]),
            "abstention_rate": figures.mean([float(not r.get("answered")) for r in opened]),
            "by_question_type": figures.by(opened, lambda r: items[r["item"]].question_type, recall),
        },
        "overall_accuracy": figures.mean([correct(r) for r in rows]),
    }
    return out


def _pairs(main: dict[str, Row], probes: Sequence[Row]) -> list[tuple[Row, Row]]:
    return [(main[p["item"]], p) for p in probes if p["item"] in main and "error" not in main[p["item"]]]


def sensitivity(main: dict[str, Row], probe_rows: dict[str, list[Row]], plan: Plan, figures: Figures) -> dict[str, Any]:
    """What the image adds: accuracy with a blank and a shuffled image beside the real one, and how often the
    answer changes."""
    out: dict[str, Any] = {}
    for probe in ("blank", "shuffled"):
        pairs = _pairs(main, probe_rows.get(probe, []))
        if not pairs:
            continue
        closed = [(m, p) for m, p in pairs if plan.item(m["item"]).answer_type == "closed"]
        out[probe] = {
            "accuracy_real": figures.mean([float(m.get("correct", 0.0)) for m, _ in closed]),
            "accuracy": figures.mean([float(p.get("correct", 0.0)) for _, p in closed]),
            "answer_changed": figures.mean([float(m.get("prediction") != p.get("prediction")) for m, p in pairs]),
        }
    return out


def consistency(main: dict[str, Row], probe_rows: dict[str, list[Row]], figures: Figures) -> dict[str, Any]:
    """Negated pairs should get opposite answers, paraphrases the same one, absent findings a "no"."""
    out: dict[str, Any] = {}
    rules: dict[str, Callable[[Row, Row], bool]] = {
        "negated": lambda m, p: (
            m.get("prediction") is not None and p.get("prediction") is not None and m["prediction"] != p["prediction"]
        ),
        "paraphrase": lambda m, p: m.get("prediction") is not None and m.get("prediction") == p.get("prediction"),
        "absent": lambda m, p: bool(m.get("correct")) and bool(p.get("correct")),
    }
    for probe, rule in rules.items():
        pairs = _pairs(main, probe_rows.get(probe, []))
        if not pairs:
            continue
        out[probe] = {
            "pairs": len(pairs),
            "consistent" if probe != "absent" else "pair_accuracy": figures.mean([float(rule(m, p)) for m, p in pairs]),
            "probe_accuracy": figures.mean([float(p.get("correct", 0.0)) for _, p in pairs]),
            "probe_abstention": figures.mean([float(p.get("prediction") is None) for _, p in pairs]),
        }
    return out
