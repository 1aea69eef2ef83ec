"""What a report says, independent of format: tables (header + rows), plots and the worst failures.

Markdown and HTML render the same :class:`Report`, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.compare import paired_figure
from eval.console import dig, figure, variant_columns
from eval.plan import Plan
from eval.report.plots import make_plots
from eval.staging import EditionScore, confusion_table


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Report:
    title: str
    facts: list[tuple[str, str]]
    tables: list[Table] = field(default_factory=list)
    preformatted: list[tuple[str, str]] = field(default_factory=list)
    plots: dict[str, bytes] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)


def _headline(metrics: dict[str, Any]) -> Table:
    rows = [
        [name, figure(value), str(value.get("n", ""))]
        for name, value in metrics.items()
        if isinstance(value, dict) and {"value", "low", "high"} <= set(value)
    ]
    return Table("Headline figures", ["figure", "value [95% CI]", "n"], rows, f"primary variant: {metrics['primary']}")


MAIN_FIGURE = {
    "vqa": ("closed", "accuracy"),
    "staging": ("accuracy",),
    "guideline": ("accuracy",),
    "report": ("rouge_l",),
}
ROW_VALUE = {"vqa": "correct", "staging": "correct", "guideline": "correct", "report": "rouge_l"}


def _variants(metrics: dict[str, Any], plan: Plan, rows: list[dict[str, Any]]) -> Table:
    """Every variant's figures, and its paired difference from the primary variant on the same items."""
    columns = variant_columns(metrics["kind"])
    header = [
        "variant",
        *(title for title, _ in columns),
        "abstain (all)",
        "citation validity",
        "Δ vs primary [95% CI]",
    ]
    table_rows = []
    value = ROW_VALUE[metrics["kind"]]
    for name, figures in metrics["variants"].items():
        delta = "-" if name == metrics["primary"] else paired_figure(rows, rows, metrics["primary"], name, value, plan)
        table_rows.append(
            [
                name,
                *(figure(dig(figures, path)) for _, path in columns),
                figure(dig(figures, ("citations", "abstention_rate"))),
                figure(dig(figures, ("citations", "citation_validity"))),
                delta,
            ]
        )
    return Table(
        "Variants and ablations", header, table_rows, f"Δ: paired bootstrap of per-item {value} (variant - primary)"
    )


def _probes(metrics: dict[str, Any]) -> list[Table]:
    probed = next((v for v in metrics["variants"].values() if "image_sensitivity" in v), None)
    if probed is None:
        return []
    sensitivity = [
        [probe, figure(f["accuracy_real"]), figure(f["accuracy"]), figure(f["answer_changed"])]
        for probe, f in probed["image_sensitivity"].items()
    ]
    consistency = [
        [
            probe,
            str(f["pairs"]),
            figure(f.get("consistent") or f.get("pair_accuracy")),
            figure(f["probe_accuracy"]),
            figure(f["probe_abstention"]),
        ]
        for probe, f in probed["consistency"].items()
    ]
    return [
        Table(
            "Image sensitivity",
            ["image", "closed acc (real image)", "closed acc (probe)", "answer changed"],
            sensitivity,
        ),
        Table(
            "Consistency probes",
            ["probe", "pairs", "consistent / pair accuracy", "probe accuracy", "probe abstention"],
            consistency,
            "negated: opposite answers; paraphrase: same answer; absent: real finding right and absent finding 'no'",
        ),
    ]


def _evidence_tables(metrics: dict[str, Any]) -> list[Table]:
    rows = []
    for name, v in metrics["variants"].items():
        if "citations" not in v:
            continue
        c, r = v["citations"], v["retrieval"]
        rows.append(
            [
                name,
                figure(c["answers_with_citation"]),
                figure(c["citation_validity"]),
                figure(c["sentences_removed"]),
                figure(r["k_passages"]["mean"], percent=False),
                figure(r["k_cases"]["mean"], percent=False),
                figure(r["same_organ_evidence"]),
                figure(r["same_modality_evidence"]),
                str(v["coverage_risk"]["aurc"]),
            ]
        )
    header = ["variant", "with citation", "valid citations", "sentences removed", "k passages", "k cases",
              "same-organ cases", "same-modality cases", "AURC"]  # fmt: skip
    latency = [
        [name, stage, f"{s['mean']:.0f}", f"{s['p50']:.0f}", f"{s['p95']:.0f}"]
        for name, stages in metrics.get("timing", {}).get("latency_ms", {}).items()
        for stage, s in stages.items()
    ]
    tables = [Table("Citations, abstention and retrieval", header, rows)] if rows else []
    if latency:
        tables.append(Table("Latency per pipeline stage (ms)", ["variant", "stage", "mean", "p50", "p95"], latency))
    return tables


def _confusions(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """The stage confusion table as eval.staging prints it."""
    editions = metrics["variants"].get(metrics["primary"], {}).get("editions", {})
    return [
        (
            f"Stage confusion, edition {edition}",
            "\n".join(confusion_table(EditionScore(edition, confusion=s["confusion"]))),
        )
        for edition, s in sorted(editions.items())
    ]


def _failures(plan: Plan, rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Wrong answers of the primary variant, confident ones first (a confident error is the worst kind)."""
    wrong = [
        r for r in rows if r["variant"] == plan.primary and not r["probe"] and "error" not in r and not r.get("correct")
    ]
    wrong.sort(key=lambda r: (r.get("confidence") is None, -(r.get("confidence") or 0.0), r["key"]))
    out = []
    for row in wrong[:limit]:
        item = plan.item(row["item"])
        out.append(
            {
                "id": item.id,
                "question": item.question[:600],
                "gold": item.answer if item.kind != "staging" else row.get("editions"),
                "answer": row.get("answer", "")[:600] if item.kind != "staging" else "",
                "confidence": row.get("confidence"),
                "mode": row.get("mode"),
                "image": item.image,
                "evidence": row.get("evidence", [])[:3],
            }
        )
    return out


def build_report(metrics: dict[str, Any], config: dict[str, Any], plan: Plan, rows: list[dict[str, Any]]) -> Report:
    versions = config.get("versions", {})
    code = versions.get("code", {})
    facts = [
        ("dataset", f"{metrics['dataset']} ({config.get('data_dir')}), split {metrics['split']}"),
        (
            "items / tasks",
            f"{metrics['items']} items, {metrics['completed']}/{metrics['tasks']} tasks, {metrics['errors']} errors",
        ),
        ("index", str(versions.get("index", "-"))),
        ("generators", ", ".join(versions.get("generators", [])) or "-"),
        (
            "code",
            f"medcite {code.get('medcite')} commit {code.get('commit')}"
            + (" (with changes)" if code.get("dirty") else ""),
        ),
        ("created", str(config.get("created"))),
        ("wall time", f"{metrics.get('timing', {}).get('wall_seconds', 0):.0f} s"),
    ]
    report = Report(f"Evaluation report: {config.get('name') or metrics['dataset']}", facts)
    report.tables = [_headline(metrics), _variants(metrics, plan, rows), *_probes(metrics), *_evidence_tables(metrics)]
    report.preformatted = _confusions(metrics)
    report.plots = make_plots(metrics)
    report.failures = _failures(plan, rows, plan.config.failures)
    return report
