"""Exact-match answer cache on Redis.

The key is a hash of everything that decides the answer: the exact question, the image bytes' SHA-256,
the request options, the index version and the encoder, reranker, generator and medcite versions. Questions are
never matched by similarity: "T2a" and "T2b" questions look alike and have different answers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from service.redis_link import RedisLink

KEY_PREFIX = "medcite:answer:v1:"


def cache_key(parts: dict[str, Any]) -> str:
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AnswerCache:
    """Answers as JSON with a TTL; every failure degrades to a miss."""

    def __init__(self, link: RedisLink, ttl_seconds: int, registry: CollectorRegistry) -> None:
        self.link = link
        self.ttl_seconds = ttl_seconds
        self.lookups = Counter("medcite_answer_cache", "Answer cache lookups by result", ["result"], registry=registry)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.link.call(lambda client: client.get(key))
        value = json.loads(raw) if raw is not None else None
        if not isinstance(value, dict):
            self.lookups.labels("miss" if self.link.state == "up" else "unavailable").inc()
            return None
        self.lookups.labels("hit").inc()
        return value

    async def put(self, key: str, answer: dict[str, Any]) -> None:
        payload = json.dumps(answer, ensure_ascii=False, default=str)
        await self.link.call(lambda client: client.set(key, payload, ex=self.ttl_seconds))
