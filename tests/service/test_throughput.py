"""Model calls stay off the event loop, and concurrent encoder calls share batches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest

from rag.batching import BatchingTextEncoder, MicroBatcher
from rag.encoders.hashing import HashingTextEncoder
from service.app import create_app
from service.settings import ServiceSettings
from service.state import ServiceState
from tests.service.conftest import REPORT, hashing_settings

pytestmark = pytest.mark.unit


def _slow_rows(items: Sequence[str]) -> np.ndarray:
    """Stands in for a forward pass: a fixed cost per call, whatever the batch size."""
    if "bad" in items:
        raise ValueError("cannot encode 'bad'")
    time.sleep(0.05)
    return np.array([[float(len(item))] for item in items], dtype=np.float32)


def test_micro_batcher_shares_calls_and_isolates_failures() -> None:
    batcher: MicroBatcher[str] = MicroBatcher(lambda items: _slow_rows(items), max_batch=32)
    words = [f"w{'x' * i}" for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        rows = list(pool.map(lambda word: batcher.submit([word]), words))
    assert [float(r[0, 0]) for r in rows] == [float(len(w)) for w in words]
    assert batcher.items == 12 and batcher.batches < 12

    with ThreadPoolExecutor(2) as pool:
        good = pool.submit(batcher.submit, ["good"])
        bad = pool.submit(batcher.submit, ["bad"])
        assert float(good.result()[0, 0]) == 4.0
        with pytest.raises(ValueError, match="cannot encode 'bad'"):
            bad.result()


def test_batching_encoder_matches_the_plain_one() -> None:
    plain = HashingTextEncoder()
    batched = BatchingTextEncoder(plain, max_batch=4)
    texts = ["pleural effusion", "split pleura sign", "T2b tumour"]
    assert np.allclose(batched.encode(texts), plain.encode(texts))
    assert np.allclose(batched.encode(texts * 3), plain.encode(texts * 3))  # large calls go direct
    assert batched.info == plain.info and batched.batcher.batches == 1
    # /readyz names the runtime of the wrapped model; the hashing encoder has none to name.
    assert batched.runtime is None
    plain.runtime = "onnx"  # type: ignore[attr-defined]
    assert batched.runtime == "onnx"


def test_event_loop_answers_while_a_long_batch_runs(knowledge_index: Path) -> None:
    app = create_app(hashing_settings(knowledge_index), ServiceSettings(warm_on_start=False))
    items = [{"id": str(i), "report": REPORT} for i in range(200)]

    async def scenario() -> tuple[float, bool]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            batch = asyncio.create_task(client.post("/v1/stage/batch", json={"items": items}))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            health = await client.get("/healthz")
            elapsed = time.perf_counter() - started
            still_running = not batch.done()
            assert health.status_code == 200 and (await batch).status_code == 200
            return elapsed, still_running

    elapsed, still_running = asyncio.run(scenario())
    assert still_running, "the batch finished too early to show anything; make it longer"
    assert elapsed < 0.1


def test_concurrent_retrieves_share_encoder_batches(knowledge_index: Path) -> None:
    app = create_app(hashing_settings(knowledge_index), ServiceSettings(warm_on_start=False, encoder_max_wait_ms=50))
    state: ServiceState = app.state.medcite
    questions = [f"pleural effusion question {i}" for i in range(8)]

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(*(client.post("/v1/retrieve", json={"question": q}) for q in questions))
            return [r.status_code for r in responses]

    assert asyncio.run(scenario()) == [200] * 8
    batches, items = state.runtime.batch_counts("text")
    assert items == 8 and batches < 8
