"""The FastAPI application factory: ``create_app()`` is what ``medcite serve`` and uvicorn run.

Layers, outermost first: request id + access log, body-size limit, in-flight limit (503), metrics, then
the routers (auth, scope and rate limit as dependencies). Model and index work runs in worker threads;
at start the thread counts are set for this worker, and a background task warms the models and re-warms
whenever the index version changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rag import __version__
from rag.config import Settings
from service.errors import install_error_handlers
from service.limits import UNLIMITED_PATHS, BodyLimitMiddleware, InFlightMiddleware
from service.logs import configure_logging
from service.metrics import install_metrics
from service.middleware import RequestContextMiddleware
from service.openapi import complete_schema
from service.readiness import watch_index
from service.routes import router
from service.runtime import configure_threads
from service.settings import ServiceSettings
from service.state import build_state

OPEN_PATHS = frozenset({"/healthz"})
DESCRIPTION = (
    "Cited answers from medical images, reports and guidelines, and lung cancer TNM staging. "
    "Every result is preliminary decision support for a clinician, not a diagnosis."
)


def install_openapi(app: FastAPI) -> None:
    """The schema FastAPI generates, completed with what the middleware and auth layers may answer."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            complete_schema(schema, open_paths=OPEN_PATHS, unlimited_paths=UNLIMITED_PATHS)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, service: ServiceSettings | None = None) -> FastAPI:
    """Build the app from settings (default: the ``MEDCITE_*`` environment)."""
    settings = settings or Settings()
    service = service or ServiceSettings()
    configure_logging(service.log_level, service.audit_log)
    state = build_state(settings, service)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        configure_threads(service.threads_per_worker(), load_torch=settings.text_encoder != "hashing")
        async with anyio.create_task_group() as tasks:
            if service.warm_on_start:
                tasks.start_soon(watch_index, state)
            yield
            tasks.cancel_scope.cancel()
        await state.redis.close()

    app = FastAPI(
        title="medcite",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=None,  # served by service.routes.health behind the API key
        docs_url=None,
        redoc_url=None,
    )
    app.state.medcite = state
    install_error_handlers(app)
    app.include_router(router)
    install_openapi(app)
    install_metrics(app, state)
    app.add_middleware(InFlightMiddleware, limiter=state.in_flight, retry_after_seconds=service.retry_after_seconds)
    app.add_middleware(BodyLimitMiddleware, max_bytes=service.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app
