"""``POST/GET/DELETE /v1/eval/jobs``: evaluation runs queued on Redis (arq) and executed by eval workers.

The service only records the request and queues the planning step: workers (``medcite eval worker``, on this or
other machines sharing the Redis) load the dataset, execute tasks and write the metrics. Queuing needs the write
scope (it spends CPU on every worker); reading a job needs read.
"""

from __future__ import annotations

from typing import Annotated, Any

from arq.connections import ArqRedis
from fastapi import APIRouter, HTTPException, Path, Request

from eval.config import RunConfig, check_settings
from eval.jobs import store
from rag.errors import InputError
from service.deps import Reader, StateDep, Writer
from service.responses import json_response
from service.schemas.common import ALL_ERRORS
from service.schemas.jobs import JOB_ID, EvalJob, EvalJobRequest
from service.state import ServiceState

router = APIRouter(prefix="/v1/eval", tags=["evaluation"])
JobId = Annotated[str, Path(pattern=JOB_ID, description="The id POST returned.")]
NO_REDIS = (
    "evaluation jobs are not enabled on this service: they need a Redis (set MEDCITE_REDIS_URL) and workers "
    "(`medcite eval worker`) sharing it"
)


def _queue(request: Request, state: ServiceState) -> ArqRedis:
    """The arq connection of this app, opened on first use (no connection is made until a command runs). Without a
    configured Redis the job routes do not exist here (404); a configured Redis that is down is a 503."""
    if state.service.redis_url is None:
        raise HTTPException(404, NO_REDIS)
    queue: ArqRedis | None = getattr(request.app.state, "eval_queue", None)
    if queue is None:
        queue = ArqRedis.from_url(state.service.redis_url.get_secret_value(), socket_connect_timeout=2)
        request.app.state.eval_queue = queue
    return queue


async def _call(operation: Any) -> Any:
    from redis.exceptions import RedisError

    try:
        return await operation
    except (RedisError, OSError) as exc:
        raise HTTPException(503, f"the job queue's Redis is unreachable ({type(exc).__name__}); retry later") from exc


async def _job(queue: ArqRedis, job_id: str) -> dict[str, Any]:
    found = await _call(store.view(queue, job_id))
    if found is None:
        raise HTTPException(404, f"no evaluation job {job_id} (unknown, or expired after 7 days)")
    result: dict[str, Any] = found
    return result


@router.post("/jobs", summary="Queue an evaluation run", status_code=202, response_model=EvalJob, responses=ALL_ERRORS)
async def create_job(body: EvalJobRequest, request: Request, state: StateDep, principal: Writer) -> Any:
    """Validated here (run config, setting names); the dataset itself is read by the worker that plans the job."""
    try:
        config = RunConfig.model_validate(body.config)
        check_settings(config.settings, "config")
        for variant in config.variants:
            check_settings(variant.settings, f"config: variant {variant.name}")
    except (ValueError, InputError) as exc:
        raise HTTPException(422, f"invalid run config: {exc}") from exc
    queue = _queue(request, state)
    job_id = store.new_job_id()
    payload = body.model_dump()
    payload["config"] = config.model_dump()
    await _call(store.create(queue, job_id, {**payload, "key_id": principal.key_id}))
    await _call(queue.enqueue_job("plan_job", job_id, _queue_name=store.QUEUE))
    return json_response(await _job(queue, job_id), status=202)


@router.get("/jobs/{job_id}", summary="Progress and results of a job", response_model=EvalJob, responses=ALL_ERRORS)
async def get_job(job_id: JobId, request: Request, state: StateDep, principal: Reader) -> Any:
    """``done`` of ``total`` tasks; ``metrics`` (the run's metrics.json) once the status is completed."""
    return json_response(await _job(_queue(request, state), job_id))


@router.delete("/jobs/{job_id}", summary="Cancel a job", response_model=EvalJob, responses=ALL_ERRORS)
async def cancel_job(job_id: JobId, request: Request, state: StateDep, principal: Writer) -> Any:
    """Workers stop before their next task; rows already stored stay readable. A finished job is a 409."""
    queue = _queue(request, state)
    found = await _job(queue, job_id)
    if found["status"] in store.FINISHED:
        raise HTTPException(409, f"job {job_id} is already {found['status']}")
    await _call(store.set_status(queue, job_id, "cancelled"))
    return json_response(await _job(queue, job_id))
