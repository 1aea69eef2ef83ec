"""Library errors and rejected requests become 4xx JSON bodies a person can act on; bugs become a 500
that names the request id to quote, with the traceback in the log only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.documents import DocumentConflictError
from rag.errors import IndexMismatchError, InputError, MissingDependencyError, NotFoundError, UnsupportedFileError
from service.logs import request_id_var

log = logging.getLogger("medcite.errors")

FASTAPI_PARSE_ERROR = "There was an error parsing the body"
UNPARSABLE_BODY = (
    "the request body could not be parsed: send UTF-8 JSON with a matching content-type, "
    "or a well-formed multipart/form-data form"
)

#: Most specific first: each library error maps to one status.
STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (DocumentConflictError, 409),
    (UnsupportedFileError, 415),
    (InputError, 422),
    (IndexMismatchError, 409),
    (MissingDependencyError, 501),
)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def validation_detail(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    """One readable line (``field: problem; ...``) plus the per-field list."""
    fields = [
        {"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())], "msg": e["msg"], "type": e["type"]}
        for e in errors
    ]
    line = "; ".join(f"{_location(tuple(e['loc']))}: {e['msg']}" for e in fields)
    return f"invalid request: {line}", fields


def error_response(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    content: dict[str, Any] = {"detail": detail}
    if errors is not None:
        content["errors"] = errors
    return JSONResponse(status_code=status, content=content)


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        detail, fields = validation_detail(list(exc.errors()))
        return error_response(422, detail, fields)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and exc.detail == FASTAPI_PARSE_ERROR:
            return error_response(400, UNPARSABLE_BODY)
        return await http_exception_handler(request, exc)

    async def on_library_error(_: Request, exc: Exception) -> JSONResponse:
        status = next((code for kind, code in STATUS_OF if isinstance(exc, kind)), 500)
        return error_response(status, str(exc))

    async def on_bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, f"internal error; quote request id {request_id_var.get()} when reporting it")

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    for kind in (InputError, IndexMismatchError, MissingDependencyError):
        app.add_exception_handler(kind, on_library_error)
    app.add_exception_handler(Exception, on_bug)
