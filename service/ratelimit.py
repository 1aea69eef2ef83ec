"""Per-key request limits on Redis: a fixed one-minute window counted with INCR.

Every replica shares the counters. When Redis is down the limit is not enforced (the service keeps
answering; ``/readyz`` and the log say so).
"""

from __future__ import annotations

import time

from fastapi import HTTPException
from redis.asyncio import Redis

from service.redis_link import RedisLink

WINDOW_SECONDS = 60


class RateLimiter:
    def __init__(self, link: RedisLink, per_minute: int) -> None:
        self.link = link
        self.per_minute = per_minute

    async def check(self, identity: str) -> None:
        """Count one request for ``identity``; over the limit is a 429 saying when to retry."""
        if self.per_minute == 0:
            return
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"medcite:rate:{identity}:{window}"

        async def count(client: Redis) -> int:
            pipe = client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 2 * WINDOW_SECONDS)
            incremented, _ = await pipe.execute()
            return int(incremented)

        used = await self.link.call(count)
        if used is not None and used > self.per_minute:
            retry = max(1, int(WINDOW_SECONDS - now % WINDOW_SECONDS))
            raise HTTPException(
                status_code=429,
                detail=f"rate limit of {self.per_minute} requests per minute reached for {identity!r}; "
                f"retry in {retry} s",
                headers={"Retry-After": str(retry)},
            )
