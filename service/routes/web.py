"""``GET /``: the clinician's page (static HTML, CSS and JS shipped as package data).

In a browser the API key is the password of HTTP Basic auth: the browser asks once and then sends it
with every call the page makes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import Response

from rag.resources import package_dir
from service.deps import Browser
from service.schemas.common import AUTH_ERRORS, ErrorResponse

router = APIRouter(include_in_schema=True, tags=["web page"])
ASSETS = {"app.js": "text/javascript", "app.css": "text/css"}
HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


def _asset(name: str) -> bytes:
    return (package_dir("service") / "web" / name).read_bytes()


@router.get("/", summary="The web page", response_class=Response, responses={**AUTH_ERRORS, 200: HTML})
async def page(principal: Browser) -> Response:
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


@router.get(
    "/static/{name}",
    summary="The web page's script and style",
    response_class=Response,
    responses={**AUTH_ERRORS, 404: {"model": ErrorResponse, "description": "No such asset."}},
)
async def asset(name: Annotated[str, Path(max_length=40)], principal: Browser) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, f"no static asset {name!r}; the page uses {sorted(ASSETS)}")
    return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
