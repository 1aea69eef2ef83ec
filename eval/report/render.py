"""Render a :class:`Report` as Markdown (plots as PNG files beside it) and as one self-contained HTML file
(plots embedded as base64 PNG, no external CSS or scripts), and write both into the run folder."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from eval.report.content import Report, build_report
from eval.runfolder import RunFolder

PLOT_TITLES = {
    "accuracy_by_question_type": "Accuracy by question type",
    "k_distribution": "k distribution",
    "accuracy_vs_k": "Accuracy vs k",
    "coverage_risk": "Coverage-risk curve",
    "stage_confusion": "Stage confusion matrix",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report, plot_dir: str = "plots") -> str:
    lines = [f"# {report.title}", "", "*Preliminary decision support evaluation, not a clinical validation.*", ""]
    lines += [f"- **{key}**: {_cell(value)}" for key, value in report.facts]
    for table in report.tables:
        lines += ["", f"## {table.title}", ""]
        if table.note:
            lines += [f"_{table.note}_", ""]
        lines.append("| " + " | ".join(table.header) + " |")
        lines.append("|" + "---|" * len(table.header))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    for title, text in report.preformatted:
        lines += ["", f"## {title}", "", "```", text, "```"]
    if report.plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{PLOT_TITLES.get(name, name)}]({plot_dir}/{name}.png)" for name in report.plots]
    lines += ["", "## Worst failures", ""]
    for failure in report.failures:
        lines.append(f"### {failure['id']} (confidence {failure['confidence']}, {failure['mode']})")
        lines.append(f"- question: {_cell(str(failure['question']))}")
        lines.append(
            f"- gold: {_cell(json.dumps(failure['gold']) if not isinstance(failure['gold'], str) else failure['gold'])}"
        )
        if failure["answer"]:
            lines.append(f"- answer: {_cell(failure['answer'])}")
        for evidence in failure["evidence"]:
            where = f"{evidence['id']} ({evidence['kind']}, {evidence['domain']})"
            lines.append(f"  - [{evidence['n']}] {where}: {_cell(evidence['text'][:200])}")
    return "\n".join(lines) + "\n"


CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
th{background:#eef2f7;text-align:left}.note{color:#666;font-size:12px}.banner{background:#fff4e5;padding:6px 10px}
figure{display:inline-block;margin:0 1em 1em 0}figcaption{font-size:12px;color:#555}
pre{background:#f6f8fa;padding:8px;font-size:12px}.failure{border-left:3px solid #b3261e;padding-left:10px;margin:1em 0}
"""


def to_html(report: Report) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        "<p class='banner'>Preliminary decision support evaluation, not a clinical validation.</p><ul>",
        *(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in report.facts),
        "</ul>",
    ]
    for table in report.tables:
        parts.append(f"<h2>{e(table.title)}</h2>")
        if table.note:
            parts.append(f"<p class='note'>{e(table.note)}</p>")
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in table.header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in table.rows]
        parts.append("</table>")
    for title, text in report.preformatted:
        parts.append(f"<h2>{e(title)}</h2><pre>{e(text)}</pre>")
    if report.plots:
        parts.append("<h2>Plots</h2><div id='plots'>")
        for name, png in report.plots.items():
            data = base64.b64encode(png).decode("ascii")
            title = PLOT_TITLES.get(name, name)
            parts.append(
                f"<figure><img class='plot' id='plot-{e(name)}' alt='{e(title)}' src='data:image/png;base64,{data}'>"
                f"<figcaption>{e(title)}</figcaption></figure>"
            )
        parts.append("</div>")
    parts.append("<h2>Worst failures</h2>")
    for failure in report.failures:
        gold = failure["gold"] if isinstance(failure["gold"], str) else json.dumps(failure["gold"])
        parts.append(
            f"<div class='failure'><b>{e(str(failure['id']))}</b> (confidence {e(str(failure['confidence']))}, "
            f"{e(str(failure['mode']))})<br>question: {e(str(failure['question']))}<br>gold: {e(gold)}"
        )
        if failure["answer"]:
            parts.append(f"<br>answer: {e(failure['answer'])}")
        parts.append("<ul>")
        parts += [
            f"<li>[{e(str(ev['n']))}] {e(str(ev['id']))} ({e(str(ev['kind']))}, {e(str(ev['domain']))}): "
            f"{e(str(ev['text'])[:200])}</li>"
            for ev in failure["evidence"]
        ]
        parts.append("</ul></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: Path) -> dict[str, Any]:
    """report.md (+ plots/*.png) and report.html in the run folder; returns what was written."""
    folder = RunFolder(path)
    plan = folder.plan()
    report = build_report(folder.metrics(), folder.config(), plan, folder.ordered_rows(plan))
    plot_dir = path / "plots"
    plot_dir.mkdir(exist_ok=True)
    for name, png in report.plots.items():
        (plot_dir / f"{name}.png").write_bytes(png)
    (path / "report.md").write_text(to_markdown(report), encoding="utf-8")
    (path / "report.html").write_text(to_html(report), encoding="utf-8")
    return {"markdown": str(path / "report.md"), "html": str(path / "report.html"), "plots": sorted(report.plots)}
