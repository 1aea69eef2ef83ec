"""Warm-up at start and after every index change, and the ``/readyz`` report.

Loading the encoders and building the retriever (BM25) takes seconds; doing it before the first request
and again as soon as ``CURRENT`` moves keeps that cost off requests. A new index written by another
process (``medcite index build``) is picked up by polling ``CURRENT``.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import anyio.to_thread
from PIL import Image

from rag.contracts import Query
from rag.errors import MedciteError, NotFoundError
from rag.store.catalog import Catalog, current_version_dir
from service.runtime import pin_search_threads
from service.state import ServiceState

log = logging.getLogger("medcite.readiness")


def warm(state: ServiceState) -> None:
    """Load the encoders the served index needs and build its retriever; records the outcome."""
    runtime, readiness = state.runtime, state.readiness
    pin_search_threads()
    try:
        runtime.text_encoder.encode(["warm-up"])
        try:
            catalog = runtime.catalog()
        except NotFoundError as exc:
            readiness.warm, readiness.version, readiness.error = True, None, str(exc)
            log.warning("no index to serve yet", extra={"reason": str(exc)})
            return
        catalog.check_encoder("text", runtime.text_encoder.info)
        if "image" in catalog.encoders:
            runtime.image_encoder.encode([Image.new("RGB", (64, 64))])
            catalog.check_encoder("image", runtime.image_encoder.info)
        state.pipelines.default.retrieve(Query(question="warm-up"))
    except MedciteError as exc:
        readiness.warm, readiness.error = False, str(exc)
        log.error("warm-up failed", extra={"reason": str(exc)})
        return
    readiness.warm, readiness.version, readiness.error = True, catalog.version, None
    log.info("warm", extra={"index_version": catalog.version})


async def watch_index(state: ServiceState) -> None:
    """Re-warm whenever ``CURRENT`` names another version; runs for the life of the app."""
    seen: object = None
    while True:
        try:
            current = await anyio.to_thread.run_sync(current_version_dir, state.settings.index_dir)
        except MedciteError as exc:
            current = None
            log.warning("index pointer unreadable", extra={"reason": str(exc)})
        if current != seen:
            seen = current
            await anyio.to_thread.run_sync(warm, state)
        await anyio.sleep(state.service.index_poll_seconds)


def _encoder_report(state: ServiceState, catalog: Catalog) -> tuple[bool, dict[str, Any]]:
    """Per role, the index's encoder beside the configured one once it is loaded (``None`` while loading)."""
    report: dict[str, Any] = {}
    ok = True
    for role in ("text", "image"):
        built = catalog.encoders.get(role)
        if built is None:
            continue
        encoder = state.runtime.loaded_encoder(role)
        configured = encoder.info.as_dict() if encoder is not None else None
        match = configured == built if configured is not None else None
        report[role] = {"index": built, "configured": configured, "match": match}
        if isinstance(runtime := getattr(encoder, "runtime", None), str):
            report[role]["runtime"] = runtime  # who runs the model: torch or onnx
        ok = ok and match is True
    return ok, report


async def readiness_report(state: ServiceState) -> tuple[bool, dict[str, Any]]:
    """Index loaded, encoders match it, models warm; Redis is reported but never makes the service unready."""
    redis_state = await state.redis.ping()
    redis = {"state": redis_state, "detail": state.redis.detail}
    warm = state.readiness.warm
    try:
        catalog = await anyio.to_thread.run_sync(state.runtime.catalog)
    except MedciteError as exc:
        return False, {
            "ready": False,
            "detail": str(exc),
            "index": {"loaded": False, "version": None, "built_at": None, "detail": str(exc)},
            "encoders": {},
            "models_warm": warm,
            "redis": redis,
        }
    matched, encoders = _encoder_report(state, catalog)
    ready = matched and warm
    detail = None if ready else state.readiness.error or ("models are loading" if not warm else "encoder mismatch")
    return ready, {
        "ready": ready,
        "detail": detail,
        "index": {"loaded": True, "version": catalog.version, "built_at": catalog.built_at, "detail": None},
        "encoders": encoders,
        "models_warm": warm,
        "redis": redis,
    }
