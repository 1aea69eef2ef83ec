"""Prometheus metrics: request counts and latencies per route (prometheus-fastapi-instrumentator) plus
what is particular to medcite: Redis state, requests in flight and encoder batch sizes (cache hits: service.cache)."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from prometheus_client import Gauge
from prometheus_fastapi_instrumentator import Instrumentator

from service.state import ServiceState


def _count(state: ServiceState, role: str, which: int) -> float:
    return float(state.runtime.batch_counts(role)[which])


def install_metrics(app: FastAPI, state: ServiceState) -> None:
    registry = state.registry
    Instrumentator(registry=registry, excluded_handlers=["/metrics", "/healthz"]).instrument(app)
    Gauge("medcite_redis_up", "1 when Redis answers, 0 when down or not configured", registry=registry).set_function(
        lambda: 1.0 if state.redis.state == "up" else 0.0
    )
    Gauge("medcite_requests_in_flight", "Requests being processed", registry=registry).set_function(
        lambda: float(state.in_flight.in_flight)
    )
    batches = Gauge(
        "medcite_encoder_batches", "Encoder forward passes run by the micro-batcher", ["encoder"], registry=registry
    )
    items = Gauge(
        "medcite_encoder_batched_items", "Inputs encoded by the micro-batcher", ["encoder"], registry=registry
    )
    for role in ("text", "image"):
        batches.labels(role).set_function(partial(_count, state, role, 0))
        items.labels(role).set_function(partial(_count, state, role, 1))
