"""Dynamic micro-batching of encoder calls made by many threads at once.

A service thread that embeds one question pays nearly the whole cost of a model forward pass for one row;
twenty threads doing so in turn pay it twenty times. Here concurrent calls queue, and one worker thread
runs everything queued so far as a single batch (continuous batching, as text-embeddings servers do):
an idle service adds no wait, a busy one shares each forward pass between its callers.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from PIL import Image

from rag.encoders.base import EncoderInfo, ImageEncoder, TextEncoder

T = TypeVar("T")


@dataclass
class _Job(Generic[T]):
    items: list[T]
    future: Future[np.ndarray] = field(default_factory=Future)


class MicroBatcher(Generic[T]):
    """Runs ``encode`` over the items of concurrent ``submit`` calls, at most ``max_batch`` items at a time.

    ``max_wait_s`` > 0 holds a batch open that long for more callers (more throughput, more latency);
    0 batches only what is already queued. A failing batch is retried job by job, so one bad input fails
    only its own caller.
    """

    def __init__(
        self,
        encode: Callable[[list[T]], np.ndarray],
        *,
        max_batch: int = 32,
        max_wait_s: float = 0.0,
        name: str = "encoder",
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must be >= 0, got {max_wait_s}")
        self._encode = encode
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.Queue[_Job[T]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"batch-{name}", daemon=True)
        self._start_lock = threading.Lock()
        self.batches = 0
        self.items = 0

    def submit(self, items: Sequence[T]) -> np.ndarray:
        """Encode ``items`` as part of the next batch; blocks the calling thread until its rows are ready."""
        job: _Job[T] = _Job(list(items))
        if not job.items:
            raise ValueError("nothing to encode")
        self._ensure_started()
        self._queue.put(job)
        return job.future.result()

    def _ensure_started(self) -> None:
        with self._start_lock:
            if not self._thread.is_alive():
                self._thread.start()

    def _collect(self) -> list[_Job[T]]:
        """The first queued job, then whatever else is queued (or arrives within ``max_wait_s``) up to the cap."""
        jobs = [self._queue.get()]
        size = len(jobs[0].items)
        deadline = time.monotonic() + self.max_wait_s
        while size < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                job = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            jobs.append(job)
            size += len(job.items)
        return jobs

    def _run(self) -> None:
        while True:
            jobs = self._collect()
            self.batches += 1
            self.items += sum(len(job.items) for job in jobs)
            try:
                rows = self._encode([item for job in jobs for item in job.items])
            except Exception:  # one bad input must not fail everyone batched with it: retry alone
                for job in jobs:
                    self._run_alone(job)
                continue
            start = 0
            for job in jobs:
                job.future.set_result(rows[start : start + len(job.items)])
                start += len(job.items)

    def _run_alone(self, job: _Job[T]) -> None:
        try:
            job.future.set_result(self._encode(job.items))
        except Exception as exc:
            job.future.set_exception(exc)


class BatchingTextEncoder(TextEncoder):
    """A text encoder whose small calls from concurrent threads share forward passes; large calls go direct."""

    def __init__(self, inner: TextEncoder, *, max_batch: int = 32, max_wait_s: float = 0.0) -> None:
        self.inner = inner
        self.batcher: MicroBatcher[str] = MicroBatcher(
            lambda texts: inner.encode(texts, batch_size=max_batch),
            max_batch=max_batch,
            max_wait_s=max_wait_s,
            name="text",
        )

    @property
    def info(self) -> EncoderInfo:
        return self.inner.info

    @property
    def runtime(self) -> str | None:
        """Who runs the wrapped model ("onnx" or "torch"), for ``/readyz``; None for encoders without a choice."""
        runtime = getattr(self.inner, "runtime", None)
        return runtime if isinstance(runtime, str) else None

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if progress or not texts or len(texts) >= self.batcher.max_batch:
            return self.inner.encode(texts, batch_size=batch_size, progress=progress)
        return self.batcher.submit(texts)


class BatchingImageEncoder(ImageEncoder):
    """The image counterpart of :class:`BatchingTextEncoder`."""

    def __init__(self, inner: ImageEncoder, *, max_batch: int = 16, max_wait_s: float = 0.0) -> None:
        self.inner = inner
        self.batcher: MicroBatcher[Image.Image] = MicroBatcher(
            lambda images: inner.encode(images, batch_size=max_batch),
            max_batch=max_batch,
            max_wait_s=max_wait_s,
            name="image",
        )

    @property
    def info(self) -> EncoderInfo:
        return self.inner.info

    def encode(self, images: Sequence[Image.Image], *, batch_size: int = 16, progress: bool = False) -> np.ndarray:
        if progress or not images or len(images) >= self.batcher.max_batch:
            return self.inner.encode(images, batch_size=batch_size, progress=progress)
        return self.batcher.submit(images)
