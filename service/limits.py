"""Request limits as plain ASGI middleware: body size (413) and requests in flight (503 + Retry-After).

Both answer before any route code runs, so an oversize upload is never buffered whole and a saturated
service refuses quickly instead of queueing requests until they time out.
"""

from __future__ import annotations

import json
import threading

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Probes and metrics must answer even when the service is saturated.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


async def send_json(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes``: at once from Content-Length, else as soon as the stream passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self, size: int | None) -> str:
        told = f"{size} bytes" if size is not None else "more"
        return f"request body is {told}, over the limit of {self.max_bytes} bytes; send a smaller file"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_json(send, 413, self._message(int(declared)))
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    await send_json(send, 413, self._message(None))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # once the 413 is sent, whatever the app answers to the disconnect is dropped
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


class InFlightLimiter:
    """Counts requests being processed; ``try_acquire`` fails when ``limit`` are already in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                return False
            self.in_flight += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.in_flight -= 1


class InFlightMiddleware:
    """503 with Retry-After when the limiter is full; probes and metrics are never refused."""

    def __init__(self, app: ASGIApp, limiter: InFlightLimiter, retry_after_seconds: int) -> None:
        self.app = app
        self.limiter = limiter
        self.retry_after = str(retry_after_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        if not self.limiter.try_acquire():
            await send_json(
                send,
                503,
                f"the service is busy ({self.limiter.limit} requests in flight); retry in {self.retry_after} s",
                {"Retry-After": self.retry_after},
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.release()
