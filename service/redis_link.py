"""The service's one Redis connection, and whether Redis is usable right now.

Redis is an accelerator, never a dependency: when a call fails the link is marked down (logged once),
callers get ``None`` and carry on without cache or rate limits, and after ``retry_seconds`` the next call
tries again; the first success is logged as recovery. Timeouts are short and redis-py's own retries are
off, so a dead server costs a request at most one connection attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from pydantic import SecretStr
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger("medcite.redis")

T = TypeVar("T")
RedisState = Literal["disabled", "up", "down", "unknown"]


class RedisLink:
    """Wraps every Redis call; ``state`` is what ``/readyz`` reports."""

    def __init__(self, url: SecretStr | None, *, timeout_seconds: float, retry_seconds: float) -> None:
        self.retry_seconds = retry_seconds
        self.client: Redis | None = None
        self.state: RedisState = "disabled"
        self.detail = "no MEDCITE_REDIS_URL configured: answers are not cached and rate limits are off"
        self._next_try = 0.0
        if url is not None:
            self.client = Redis.from_url(
                url.get_secret_value(),
                socket_timeout=timeout_seconds,
                socket_connect_timeout=timeout_seconds,
                retry=Retry(NoBackoff(), 0),
                health_check_interval=0,
            )
            self.state = "unknown"
            self.detail = "not contacted yet"

    async def call(self, operation: Callable[[Redis], Awaitable[T]]) -> T | None:
        """Run one operation, or return None when Redis is off, known down, or fails now."""
        if self.client is None or (self.state == "down" and time.monotonic() < self._next_try):
            return None
        try:
            result = await operation(self.client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._mark_down(exc)
            return None
        if self.state != "up":
            if self.state == "down":
                log.warning("redis reachable again: answer cache and rate limits are back on")
            self.state, self.detail = "up", "connected"
        return result

    def _mark_down(self, exc: BaseException) -> None:
        self._next_try = time.monotonic() + self.retry_seconds
        reason = f"{type(exc).__name__}: {exc}"
        if self.state != "down":
            log.warning(
                "redis unreachable: serving without answer cache and rate limits until it returns",
                extra={"reason": reason},
            )
        self.state = "down"
        self.detail = f"unreachable ({reason}); serving without cache and rate limits, retrying every " + (
            f"{self.retry_seconds:g} s"
        )

    async def ping(self) -> RedisState:
        """Contact Redis now (even inside the retry pause) so a readiness probe sees the present state."""
        if self.client is None:
            return self.state
        self._next_try = 0.0
        await self.call(lambda client: client.ping())
        return self.state

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
