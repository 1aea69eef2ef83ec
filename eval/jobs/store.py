"""A job's state in Redis, shared by the service (create, read, cancel) and the workers (plan, rows, metrics).

Keys, under ``medcite:eval:job:{id}``: a hash with the status and request, ``:plan`` (the plan JSON, written
once by the worker that plans), ``:results`` (a hash task key -> row; rows are written with HSETNX, so a retried
task never counts twice) and ``:metrics``. Everything expires ``TTL`` after the last write.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from redis.asyncio import Redis

T = TypeVar("T")

Status = Literal["queued", "planning", "running", "completed", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
QUEUE = "medcite:eval:queue"
TTL_SECONDS = 7 * 24 * 3600
PREFIX = "medcite:eval:job:"


async def _done(value: Awaitable[T] | T) -> T:
    """redis-py types its commands as sync-or-async; on an asyncio client they are awaitables."""
    if isinstance(value, Awaitable):
        return await value
    return value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_job_id() -> str:
    return uuid.uuid4().hex


def key(job_id: str, part: str = "") -> str:
    return f"{PREFIX}{job_id}{':' + part if part else ''}"


async def _touch(redis: Redis, job_id: str) -> None:
    for part in ("", "plan", "results", "metrics"):
        await redis.expire(key(job_id, part), TTL_SECONDS)


async def create(redis: Redis, job_id: str, request: dict[str, Any]) -> None:
    now = _now()
    await _done(
        redis.hset(
            key(job_id), mapping={"status": "queued", "request": json.dumps(request), "created": now, "updated": now}
        )
    )
    await _touch(redis, job_id)


async def set_status(redis: Redis, job_id: str, status: Status, **fields: str | int) -> None:
    await _done(redis.hset(key(job_id), mapping={"status": status, "updated": _now(), **fields}))
    await _touch(redis, job_id)


async def status(redis: Redis, job_id: str) -> str | None:
    value = await _done(redis.hget(key(job_id), "status"))
    return value.decode() if isinstance(value, bytes) else value


async def request(redis: Redis, job_id: str) -> dict[str, Any]:
    raw = await _done(redis.hget(key(job_id), "request"))
    data: dict[str, Any] = json.loads(raw) if raw else {}
    return data


async def save_plan(redis: Redis, job_id: str, plan: dict[str, Any]) -> None:
    await redis.set(key(job_id, "plan"), json.dumps(plan), ex=TTL_SECONDS)


async def load_plan(redis: Redis, job_id: str) -> dict[str, Any] | None:
    raw = await redis.get(key(job_id, "plan"))
    return json.loads(raw) if raw else None


async def has_row(redis: Redis, job_id: str, task_key: str) -> bool:
    return bool(await _done(redis.hexists(key(job_id, "results"), task_key)))


async def add_row(redis: Redis, job_id: str, row: dict[str, Any]) -> int:
    """Store a row unless its task already has one; returns how many rows the job has now."""
    await _done(redis.hsetnx(key(job_id, "results"), row["key"], json.dumps(row, default=str)))
    return int(await _done(redis.hlen(key(job_id, "results"))))


async def rows(redis: Redis, job_id: str) -> dict[str, dict[str, Any]]:
    found = await _done(redis.hgetall(key(job_id, "results")))
    return {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in found.items()}


async def claim_finish(redis: Redis, job_id: str) -> bool:
    """True for exactly one caller: the worker that computes the metrics."""
    return bool(await redis.set(key(job_id, "finishing"), "1", nx=True, ex=TTL_SECONDS))


async def save_metrics(redis: Redis, job_id: str, metrics: dict[str, Any]) -> None:
    await redis.set(key(job_id, "metrics"), json.dumps(metrics), ex=TTL_SECONDS)


async def view(redis: Redis, job_id: str) -> dict[str, Any] | None:
    """What GET /v1/eval/jobs/{id} shows: status, progress and, once complete, the metrics."""
    raw = await _done(redis.hgetall(key(job_id)))
    if not raw:
        return None
    fields = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in raw.items()
    }
    done = int(await _done(redis.hlen(key(job_id, "results"))))
    metrics_raw = await redis.get(key(job_id, "metrics"))
    requested = json.loads(fields.get("request", "{}"))
    return {
        "id": job_id,
        "status": fields["status"],
        "dataset": requested.get("dataset"),
        "split": requested.get("split"),
        "created": fields.get("created"),
        "updated": fields.get("updated"),
        "total": int(fields["total"]) if fields.get("total") else None,
        "done": done,
        "errors": int(fields.get("errors", 0)),
        "error": fields.get("error") or None,
        "metrics": json.loads(metrics_raw) if metrics_raw else None,
    }
