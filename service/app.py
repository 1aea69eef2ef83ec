"""FastAPI application: health, index information and text search over the served index.

Model calls run in a worker thread so the event loop never blocks on them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rag import __version__
from rag.config import Settings
from rag.errors import IndexMismatchError, InputError, NotFoundError
from rag.runtime import Runtime
from rag.search import search_text


class SearchRequest(BaseModel):
    query: Annotated[str, Field(min_length=1, max_length=2000, description="Question or keywords.")]
    k: Annotated[int, Field(ge=1, le=50)] = 5
    domains: list[str] | None = None


def create_app(settings: Settings | None = None) -> FastAPI:
    runtime = Runtime(settings or Settings())
    app = FastAPI(title="medcite", version=__version__)

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(InputError)
    async def bad_input(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(IndexMismatchError)
    async def mismatch(_: Request, exc: IndexMismatchError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/index")
    async def index_info() -> dict[str, Any]:
        catalog = await run_in_threadpool(runtime.catalog)
        return catalog.manifest()

    @app.post("/v1/search")
    async def search(request: SearchRequest) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            catalog = runtime.catalog()
            results = search_text(catalog, runtime.text_encoder, request.query, k=request.k, domains=request.domains)
            return {
                "query": request.query,
                "index_version": catalog.version,
                "results": [result.as_dict(rank) for rank, result in enumerate(results, start=1)],
                "preliminary": True,
            }

        return await run_in_threadpool(run)

    return app
