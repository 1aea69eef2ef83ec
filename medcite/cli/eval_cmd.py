"""``medcite eval run|report|compare|worker`` (the batch runner) and the older single-purpose commands
(``vqa``, ``guideline``, ``calibrate-answerability``, ``calibrate-k``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from medcite.cli.common import handle_errors, print_json
from rag.config import Settings
from rag.contracts import Query
from rag.errors import InputError
from rag.pipeline import Pipeline
from rag.runtime import Runtime

eval_app = typer.Typer(help="Offline batch evaluation.", no_args_is_help=True)


def _progress_bar(enabled: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr fed by the runner's (done, total) callbacks, and how to close it."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(unit="task", file=sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


@eval_app.command("run")
@handle_errors
def run(
    out: Annotated[Path, typer.Option(help="Run folder (per-item results, config.json, metrics.json).")],
    dataset: Annotated[
        str, typer.Option(help="vqa-rad, vqa-rad-official, slake, vqa-jsonl, staging, guideline, report-pairs.")
    ] = "vqa-rad",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Dataset folder or file (default: shared VQA-RAD; eval/sets dev sets for staging and guideline)."
        ),
    ] = None,
    split: Annotated[str, typer.Option(help="Split to evaluate (train, test, validate, or a file stem).")] = "test",
    config: Annotated[Path | None, typer.Option(help="Run config (TOML or JSON): settings, variants, probes.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N items.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Tasks answered at once (threads sharing the models).")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="Finish the run in --out; reruns nothing done.")] = False,
    ablation: Annotated[
        list[str] | None, typer.Option(help="rag, k, generator, same-image or policy (repeatable).")
    ] = None,
    generator: Annotated[
        list[str] | None, typer.Option(help="Generators to compare (repeatable, with --ablation generator).")
    ] = None,
    probes: Annotated[
        str | None, typer.Option(help="Comma-separated probes (blank,shuffled,negated,paraphrase,absent) or none.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print metrics.json.")] = False,
) -> None:
    """Evaluate a dataset through the answering pipeline; results are saved per item as they finish."""
    from eval.config import load_config
    from eval.console import format_metrics
    from eval.datasets import default_path, load_dataset
    from eval.execute import Executor
    from eval.plan import build_plan
    from eval.runfolder import RunFolder
    from eval.runner import prepare, run_configuration, run_plan

    folder = RunFolder(out)
    plan = None
    if not (resume and folder.exists):
        settings = Settings()
        run_config = load_config(config)
        run_config.ablations.extend(ablation or [])
        run_config.generators.extend(generator or [])
        if probes is not None:
            chosen = [p.strip() for p in probes.split(",") if p.strip() and p.strip() != "none"]
            run_config = run_config.model_validate({**run_config.model_dump(), "probes": chosen})
        if run_config.name is None:
            run_config.name = out.name
        path = data_dir or default_path(dataset, settings.default_cases())
        plan = build_plan(load_dataset(dataset, path, split), run_config, limit=limit)
    plan = prepare(folder, plan, resume=resume)
    executor = Executor(plan)
    if not folder.exists:
        source = {"command": " ".join(sys.argv), "limit": limit, "workers": workers}
        folder.create(plan, run_configuration(plan, executor, source=source))
    update, close = _progress_bar(progress)
    try:
        metrics = run_plan(folder, executor, workers=workers, progress=update)
    finally:
        close()
    if json_output:
        print_json(metrics)
    else:
        typer.echo(format_metrics(metrics))
        typer.echo(f"run folder: {out}  (medcite eval report {out})")


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
    questions: Annotated[
        list[Path], typer.Argument(help="labelled guideline question files JSONL (in scope and out of scope)")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the model JSON.")] = Path(
        "rag/answering/answerability.json"
    ),
) -> None:
    """Fit the answerability model (when to abstain on a text question) and print how it separates the sets."""
    from eval.answerability import calibrate, collect_signals
    from eval.guideline import load_guideline_items

    items = [item for path in questions for item in load_guideline_items(path)]
    pipeline = Pipeline(Runtime(Settings()))
    fitted_on = " + ".join(str(path) for path in questions)
    calibration = calibrate(collect_signals(pipeline, items), items, fitted_on=fitted_on)
    calibration.model.save(out)
    print_json({**calibration.report, "saved_to": str(out)})


@eval_app.command("fit-reranker")
@handle_errors
def fit_reranker(
    questions: Annotated[list[Path], typer.Argument(help="labelled guideline question files JSONL (one per set)")],
    out: Annotated[Path, typer.Option(help="Where to write the weights JSON.")] = Path("rag/answering/rerank.json"),
) -> None:
    """Fit the feature reranker's weights (right section first) and print in- and out-of-sample ranking."""
    from eval.guideline import load_guideline_items
    from eval.reranker import collect_rankings, current_weights, fit_weights

    pipeline = Pipeline(Runtime(Settings()))
    sets = [(path.stem, load_guideline_items(path)) for path in questions]
    try:
        current = current_weights(pipeline)
        weights, report = fit_weights(
            collect_rankings(pipeline, sets), current, fitted_on=" + ".join(map(str, questions))
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    weights.save(out, report)
    print_json({**report, "weights": weights.weights, "saved_to": str(out)})


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


@eval_app.command("report")
@handle_errors
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `medcite eval run`.")],
) -> None:
    """Write report.md (with plots/*.png) and a self-contained report.html into the run folder."""
    from eval.report.render import write_report

    written = write_report(run_dir)
    typer.echo(f"wrote {written['markdown']} and {written['html']} (plots: {', '.join(written['plots']) or 'none'})")


@eval_app.command("compare")
@handle_errors
def compare(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (the reference).")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B.")],
    variant: Annotated[
        list[str] | None,
        typer.Option(help="Compare A's variant X with B's Y, as X:Y (repeatable); default: shared names."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """B - A on the items both runs answered, with paired bootstrap intervals."""
    from eval.compare import compare_runs, format_comparison
    from eval.runfolder import RunFolder

    folder_a, folder_b = RunFolder(run_a), RunFolder(run_b)
    plan_a, plan_b = folder_a.plan(), folder_b.plan()
    pairs = None
    if variant:
        if any(":" not in v for v in variant):
            raise InputError("--variant takes A_VARIANT:B_VARIANT, e.g. rag:no_rag")
        pairs = [(v.split(":", 1)[0], v.split(":", 1)[1]) for v in variant]
    try:
        result = compare_runs(plan_a, folder_a.ordered_rows(plan_a), plan_b, folder_b.ordered_rows(plan_b), pairs)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if json_output:
        print_json(result)
    else:
        typer.echo(format_comparison(result, str(run_a), str(run_b)))


@eval_app.command("worker")
@handle_errors
def worker(
    redis_url: Annotated[str | None, typer.Option(help="Redis URL (default: MEDCITE_REDIS_URL).")] = None,
    burst: Annotated[bool, typer.Option("--burst", help="Exit once the queue is empty.")] = False,
) -> None:
    """An evaluation worker for jobs queued through POST /v1/eval/jobs (run one per core or machine)."""
    from eval.jobs.worker import run as run_worker

    run_worker(redis_url, burst=burst)


@eval_app.command("answerer")
@handle_errors
def answerer(
    data_dir: Annotated[Path, typer.Option(help="VQA-RAD folder (images/ + mevf_split/).")],
    folds: Annotated[int, typer.Option(min=2, help="Folds of the unseen-image cross-validation.")] = 5,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """The learned answerer: official test, unseen-image CV beside baselines, image controls, risk control."""
    from eval.answerer import evaluate_answerer, format_report
    from rag.store.catalog import current_version_dir, load_catalog

    runtime = Runtime(Settings())
    settings = runtime.settings
    catalog = load_catalog(settings.index_dir) if current_version_dir(settings.index_dir) is not None else None
    report = evaluate_answerer(
        data_dir,
        runtime.text_encoder,
        runtime.image_encoder,
        cache_dir=settings.answerer_root() / "cache",
        folds=folds,
        alpha=settings.answerer_alpha,
        delta=settings.answerer_delta,
        catalog=catalog,
    )
    if json_output:
        print_json(report)
    else:
        typer.echo(format_report(report))
