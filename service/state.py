"""Everything a request handler needs, built once per app from the two settings objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from rag.config import Settings
from rag.documents import DocumentStore
from service.auth import KeyRing
from service.blocking import ModelWorkers
from service.cache import AnswerCache
from service.limits import InFlightLimiter
from service.ratelimit import RateLimiter
from service.redis_link import RedisLink
from service.runtime import Pipelines, ServiceRuntime, pin_search_threads
from service.settings import ServiceSettings


@dataclass
class Readiness:
    """Set by the warm-up: models loaded, retriever built for ``version``, or why not."""

    warm: bool = False
    version: str | None = None
    error: str | None = None


@dataclass
class ServiceState:
    settings: Settings
    service: ServiceSettings
    runtime: ServiceRuntime
    pipelines: Pipelines
    documents: DocumentStore
    keys: KeyRing
    redis: RedisLink
    cache: AnswerCache
    rate_limiter: RateLimiter
    in_flight: InFlightLimiter
    workers: ModelWorkers
    registry: CollectorRegistry
    readiness: Readiness = field(default_factory=Readiness)


def build_state(settings: Settings, service: ServiceSettings) -> ServiceState:
    runtime = ServiceRuntime(
        settings, max_batch=service.encoder_max_batch, max_wait_s=service.encoder_max_wait_ms / 1000
    )
    registry = CollectorRegistry()
    redis = RedisLink(
        service.redis_url, timeout_seconds=service.redis_timeout_seconds, retry_seconds=service.redis_retry_seconds
    )
    return ServiceState(
        settings=settings,
        service=service,
        runtime=runtime,
        pipelines=Pipelines(runtime),
        documents=DocumentStore(runtime),
        keys=KeyRing(service.api_keys),
        redis=redis,
        cache=AnswerCache(redis, service.cache_ttl_seconds, registry),
        rate_limiter=RateLimiter(redis, service.rate_limit_per_minute),
        in_flight=InFlightLimiter(service.max_in_flight),
        workers=ModelWorkers(service.worker_threads, service.request_timeout_seconds, pin_search_threads),
        registry=registry,
    )
