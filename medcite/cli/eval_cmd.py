"""``medcite eval vqa|calibrate-k``: offline factuality evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from medcite.cli.common import handle_errors, print_json
from rag.config import Settings
from rag.pipeline import Pipeline, Query
from rag.runtime import Runtime

eval_app = typer.Typer(help="Offline batch evaluation.", no_args_is_help=True)


@eval_app.command("vqa")
@handle_errors
def vqa(
    cases: Annotated[Path | None, typer.Option(help="VQA-RAD folder (default: the shared dataset).")] = None,
    generator: Annotated[str | None, typer.Option(help="Generator backend for the generated runs.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N test questions.")] = None,
    run: Annotated[list[str] | None, typer.Option(help="Only these runs (repeatable); default all.")] = None,
    out: Annotated[Path | None, typer.Option(help="Per-question JSONL; a rerun resumes from it.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Closed questions of the VQA-RAD test split: RAG (same image allowed/excluded), no RAG, majority."""
    from eval.vqa import RUNS, run_vqa_eval

    settings = Settings()
    pipeline = Pipeline(Runtime(settings))
    summary = run_vqa_eval(
        pipeline, cases or settings.default_cases(), generator=generator, runs=run or tuple(RUNS), limit=limit, out=out
    )
    if json_output:
        print_json(summary)
        return
    typer.echo(f"VQA-RAD closed yes/no test questions: {summary['questions']}  generator: {summary['generator']}")
    typer.echo(f"{'run':<42} {'accuracy':>9} {'abstain':>8} {'acc|answered':>13}")
    for row in summary["results"]:
        accuracy, abstained, answered = row["accuracy"], row["abstention_rate"], row["accuracy_when_answered"]
        typer.echo(f"{row['run']:<42} {accuracy:>9.3f} {abstained:>8.3f} {answered:>13.3f}")


@eval_app.command("guideline")
@handle_errors
def guideline(
    questions: Annotated[
        Path, typer.Argument(help="guideline questions JSONL (question, answerable, required_facts...)")
    ],
    generator: Annotated[str | None, typer.Option(help="Generator backend (default: settings).")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    show_failures: Annotated[bool, typer.Option("--failures", help="List every wrong item.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write per-question scores as JSONL.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Open guideline questions and out-of-scope ones: required facts cited from the right section, abstention."""
    from eval.guideline import failures, load_guideline_items, run_guideline_eval

    settings = Settings()
    pipeline = Pipeline(Runtime(settings))
    items = load_guideline_items(questions)[:limit]
    name = generator or settings.generator
    summary = run_guideline_eval(lambda q: pipeline.answer(Query(q, generator=generator)).to_dict(), items, name)
    if out is not None:
        out.write_text("".join(json.dumps(row) + "\n" for row in summary.rows), encoding="utf-8")
    if json_output:
        print_json(summary.as_dict())
    else:
        for key, value in summary.as_dict().items():
            typer.echo(f"{key:<28} {value}")
    if show_failures:
        typer.echo("\n".join(failures(summary, items)))


@eval_app.command("calibrate-answerability")
@handle_errors
def calibrate_answerability(
    questions: Annotated[Path, typer.Argument(help="labelled guideline questions JSONL (in scope and out of scope)")],
    out: Annotated[Path, typer.Option(help="Where to write the model JSON.")] = Path(
        "rag/answering/answerability.json"
    ),
) -> None:
    """Fit the answerability model (when to abstain on a text question) and print how it separates the set."""
    from eval.answerability import calibrate, collect_signals
    from eval.guideline import load_guideline_items

    items = load_guideline_items(questions)
    pipeline = Pipeline(Runtime(Settings()))
    calibration = calibrate(collect_signals(pipeline, items), items, fitted_on=str(questions))
    calibration.model.save(out)
    print_json({**calibration.report, "saved_to": str(out)})


@eval_app.command("calibrate-k")
@handle_errors
def calibrate(
    alpha: Annotated[float, typer.Option(help="Risk level to control (fraction of wrong answers).")] = 0.2,
    delta: Annotated[float, typer.Option(help="Allowed probability that the bound fails.")] = 0.1,
    n: Annotated[int, typer.Option(help="Calibration questions drawn from the train split.")] = 300,
    cases: Annotated[Path | None, typer.Option(help="VQA-RAD folder (default: the shared dataset).")] = None,
) -> None:
    """Choose k for similar cases with controlled factuality risk; saved for adaptive_k=calibrated."""
    from eval.calibrate import calibrate_case_k

    settings = Settings()
    calibration = calibrate_case_k(
        Pipeline(Runtime(settings)), cases or settings.default_cases(), alpha=alpha, delta=delta, n=n
    )
    calibration.save(settings.calibration_file)
    print_json(
        {
            **calibration.choice().as_dict(),
            "risks": calibration.risks,
            "upper_bounds": calibration.upper_bounds,
            "coverage": calibration.coverage,
            "saved_to": str(settings.calibration_file),
        }
    )
