"""``medcite eval run``: plan once, execute the missing tasks (threads), append each row, then score.

Resuming reruns nothing that finished: the saved plan is reused and only tasks without a row run. Rows are
summarised in plan order, so the figures do not depend on which thread or worker finished first.
"""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.execute import Executor
from eval.plan import Plan
from eval.runfolder import RunFolder, append_row, missing_tasks
from eval.summary import summarise
from rag import __version__
from rag.build import refuse_test_qa
from rag.errors import InputError

REPO = Path(__file__).resolve().parent.parent
Progress = Callable[[int, int], None]
TIMING_EVERY_S = 5.0


def code_version() -> dict[str, Any]:
    """The commit the code came from and whether the tree had changes (None outside a git checkout)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"medcite": __version__, "commit": None, "dirty": None}
    return {"medcite": __version__, "commit": commit, "dirty": bool(dirty)}


def run_configuration(plan: Plan, executor: Executor, *, source: dict[str, Any]) -> dict[str, Any]:
    """What was evaluated with what: dataset, variants, settings, model/index/code versions."""
    versions: dict[str, Any] = {"code": code_version(), "python": platform.python_version()}
    settings: dict[str, Any] = {}
    if any(v.kind == "pipeline" for v in plan.variants):
        pipelines = executor.pipelines
        catalog = pipelines.runtime.catalog()
        if plan.kind == "vqa" and plan.split != "train":
            refuse_test_qa(catalog)
        versions.update(index=catalog.version, encoders=catalog.encoders)
        settings = pipelines.runtime.settings.model_dump(mode="json", exclude={"openai_api_key"})
        versions["generators"] = sorted(
            {v.generator or settings["generator"] for v in plan.variants if v.kind == "pipeline"}
        )
    return {
        "name": plan.config.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": plan.dataset,
        "kind": plan.kind,
        "data_dir": plan.root,
        "split": plan.split,
        "items": len(plan.items),
        "tasks": len(plan.tasks),
        "variants": [v.model_dump() for v in plan.variants],
        "config": plan.config.model_dump(),
        "settings": settings,
        "versions": versions,
        **source,
    }


def execute_tasks(
    executor: Executor,
    tasks: list[dict[str, Any]],
    on_row: Callable[[dict[str, Any]], None],
    *,
    workers: int = 1,
) -> None:
    """Run tasks, at most ``workers`` at a time, handing each row over as soon as it is done."""
    if workers <= 1:
        for task in tasks:
            on_row(executor.execute(task))
        return
    pending = iter(tasks)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eval") as pool:
        running: set[Future[dict[str, Any]]] = set()
        for task in pending:
            running.add(pool.submit(executor.execute, task))
            if len(running) >= 2 * workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                on_row(future.result())
                following = next(pending, None)
                if following is not None:
                    running.add(pool.submit(executor.execute, following))


def run_plan(
    folder: RunFolder,
    executor: Executor,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Execute what is missing in the folder, then write and return metrics.json."""
    plan = executor.plan
    folder.repair()
    todo = missing_tasks(plan, folder.rows())
    done = len(plan.tasks) - len(todo)
    started = saved = time.perf_counter()
    finished = 0
    folder.start_session()
    try:
        with folder.appender() as handle:

            def on_row(row: dict[str, Any]) -> None:
                nonlocal finished, saved
                append_row(handle, row)
                finished += 1
                if progress is not None:
                    progress(done + finished, len(plan.tasks))
                if time.perf_counter() - saved > TIMING_EVERY_S:
                    saved = time.perf_counter()
                    folder.update_session(saved - started, finished)

            execute_tasks(executor, todo, on_row, workers=workers)
    finally:
        timing = folder.update_session(time.perf_counter() - started, finished)
    metrics = summarise(plan, folder.ordered_rows(plan))
    metrics["timing"] = {
        **metrics.get("timing", {}),
        "wall_seconds": timing["wall_seconds"],
        "sessions": timing["sessions"],
    }
    folder.write_metrics(metrics)
    return metrics


def prepare(folder: RunFolder, plan: Plan | None, *, resume: bool) -> Plan:
    """The plan to run: the saved one when resuming, else the new one (never over an existing run)."""
    if folder.exists:
        if not resume:
            raise InputError(f"{folder.path} already holds a run; pass --resume to finish it or choose another --out")
        return folder.plan()
    if plan is None:
        raise InputError(f"{folder.path}: nothing to resume (no plan.json); start the run without --resume")
    return plan
