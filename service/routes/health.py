"""Probes, metrics, the index manifest and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from rag import __version__
from service.deps import Reader, StateDep
from service.readiness import readiness_report
from service.responses import json_response
from service.schemas.common import AUTH_ERRORS, ErrorResponse
from service.schemas.health import Healthz, IndexInfo, Readyz

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Alive (no key needed)", response_model=Healthz)
async def healthz() -> Response:
    return json_response({"status": "ok", "version": __version__})


@router.get(
    "/readyz",
    summary="Ready: index loaded, encoders match it, models warm; Redis state",
    response_model=Readyz,
    responses={**AUTH_ERRORS, 503: {"model": Readyz, "description": "Not ready; the body says why."}},
)
async def readyz(state: StateDep, principal: Reader) -> Response:
    ready, report = await readiness_report(state)
    return json_response(report, status=200 if ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={**AUTH_ERRORS, 200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
async def metrics(state: StateDep, principal: Reader) -> Response:
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/v1/index",
    summary="The served index manifest: version, encoders, sources, collections",
    response_model=IndexInfo,
    responses={**AUTH_ERRORS, 404: {"model": ErrorResponse, "description": "No index built yet."}},
)
async def index_info(state: StateDep, principal: Reader) -> Response:
    catalog = await state.workers.run(state.runtime.catalog)
    return json_response(catalog.manifest())


@router.get(
    "/openapi.json",
    summary="This API's OpenAPI schema",
    responses={**AUTH_ERRORS, 200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
    include_in_schema=False,
)
async def openapi(request: Request, principal: Reader) -> Response:
    schema: dict[str, Any] = request.app.openapi()
    return json_response(schema)
