"""Request context: a request id on every log line and response, and one access log line per request."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import new_request_id, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
log = logging.getLogger("medcite.access")


class RequestContextMiddleware:
    """Outermost layer: sets the request id, echoes it, and logs method, path, status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode())
        request_id = new_request_id(offered.decode("latin-1") if offered else None)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state", {})
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 2),
                    "key_id": state.get("key_id", "-"),
                },
            )
            request_id_var.reset(token)
