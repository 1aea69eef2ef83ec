"""arq worker: plans queued evaluation jobs and executes their tasks.

Run one or many (``medcite eval worker`` or ``arq eval.jobs.worker.WorkerSettings``) on any machine that reaches
the Redis in ``MEDCITE_REDIS_URL`` and sees the dataset at the path the job names. The worker that plans a job
splits it into chunks of tasks; whichever worker stores the last row computes the metrics, with the same
:func:`eval.summary.summarise` as ``medcite eval run``, over rows in plan order: the figures equal the CLI's.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any, ClassVar

from arq.connections import RedisSettings

from eval.config import RunConfig
from eval.datasets import default_path, load_dataset
from eval.execute import Executor
from eval.jobs import store
from eval.pipelines import Pipelines, base_settings
from eval.plan import Plan, build_plan
from eval.summary import summarise
from rag.config import Settings
from rag.errors import InputError

CHUNK = 4


def _executor(ctx: dict[str, Any], job_id: str, plan_data: dict[str, Any]) -> Executor:
    """One executor per job in this process; pipelines (models) are shared by every job with the same settings."""
    executors: dict[str, Executor] = ctx.setdefault("executors", {})
    if job_id not in executors:
        plan = Plan.from_dict(plan_data)
        key = json.dumps(plan.config.settings, sort_keys=True)
        pipelines: dict[str, Pipelines] = ctx.setdefault("pipelines", {})
        if key not in pipelines:
            pipelines[key] = Pipelines(base_settings(plan.config.settings, ctx.get("settings")))
        executors[job_id] = Executor(plan, pipelines=pipelines[key])
    return executors[job_id]


async def plan_job(ctx: dict[str, Any], job_id: str) -> int:
    """Load the dataset here, build the plan, store it and queue its tasks in chunks; returns the task count."""
    redis = ctx["redis"]
    if await store.status(redis, job_id) != "queued":
        return 0
    await store.set_status(redis, job_id, "planning")
    wanted = await store.request(redis, job_id)
    try:
        settings: Settings = ctx.get("settings") or Settings()
        given = wanted.get("data_dir")
        path = Path(given) if given else default_path(wanted["dataset"], settings.default_cases())
        config = RunConfig.model_validate(wanted.get("config") or {})
        dataset = await asyncio.to_thread(load_dataset, wanted["dataset"], path, wanted.get("split", "test"))
        plan = await asyncio.to_thread(build_plan, dataset, config, limit=wanted.get("limit"))
    except (InputError, ValueError) as exc:
        await store.set_status(redis, job_id, "failed", error=str(exc))
        return 0
    await store.save_plan(redis, job_id, plan.to_dict())
    await store.set_status(redis, job_id, "running", total=len(plan.tasks))
    for start in range(0, len(plan.tasks), CHUNK):
        await redis.enqueue_job("run_tasks", job_id, start, start + CHUNK, _queue_name=store.QUEUE)
    return len(plan.tasks)


async def run_tasks(ctx: dict[str, Any], job_id: str, start: int, stop: int) -> int:
    """Execute tasks [start, stop) that have no row yet; the worker storing the last row finishes the job."""
    redis = ctx["redis"]
    plan_data = await store.load_plan(redis, job_id)
    if plan_data is None:
        return 0
    executor = _executor(ctx, job_id, plan_data)
    tasks = executor.plan.tasks
    count = 0
    for task in tasks[start:stop]:
        if await store.status(redis, job_id) in store.FINISHED:
            return count
        if await store.has_row(redis, job_id, task["key"]):
            continue
        row = await asyncio.to_thread(executor.execute, task)
        count += 1
        if await store.add_row(redis, job_id, row) >= len(tasks):
            await finish(redis, job_id, executor.plan)
    return count


async def finish(redis: Any, job_id: str, plan: Plan) -> None:
    if not await store.claim_finish(redis, job_id):
        return
    found = await store.rows(redis, job_id)
    ordered = [found[task["key"]] for task in plan.tasks if task["key"] in found]
    metrics = await asyncio.to_thread(summarise, plan, ordered)
    await store.save_metrics(redis, job_id, metrics)
    await store.set_status(redis, job_id, "completed", errors=metrics["errors"])


async def startup(ctx: dict[str, Any]) -> None:
    ctx["settings"] = Settings()
    ctx["executors"] = {}
    ctx["pipelines"] = {}


def redis_settings(url: str | None = None) -> RedisSettings:
    dsn = url or os.environ.get("MEDCITE_REDIS_URL")
    if not dsn:
        raise InputError("an evaluation worker needs a Redis: set MEDCITE_REDIS_URL or pass --redis-url")
    return RedisSettings.from_dsn(dsn)


class WorkerSettings:
    """For ``arq eval.jobs.worker.WorkerSettings``; one job at a time per process (the work is CPU-bound)."""

    functions: ClassVar[list[Any]] = [plan_job, run_tasks]
    queue_name = store.QUEUE
    on_startup = startup
    max_jobs = 1
    job_timeout = 6 * 3600
    max_tries = 3
    poll_delay = 0.2
    keep_result = 3600
    redis_settings = RedisSettings.from_dsn(os.environ.get("MEDCITE_REDIS_URL", "redis://localhost:6379"))


def run(url: str | None = None, *, burst: bool = False) -> None:
    """Start a worker in this process (blocks until stopped, or until the queue is empty with ``burst``)."""
    import logging

    from arq.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_worker(WorkerSettings, redis_settings=redis_settings(url), burst=burst)  # type: ignore[arg-type]
