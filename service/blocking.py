"""Model, index and parsing work runs in worker threads, never on the event loop, under a time limit.

Encoders, FAISS and NumPy release the GIL, so the threads overlap; a bounded pool keeps a burst from
starting more threads than the box can use. A request past its time limit gets a 504 at once; its thread
finishes in the background (Python threads cannot be killed) and its result is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import HTTPException

T = TypeVar("T")


class ModelWorkers:
    """``thread_setup`` runs in a worker thread before its work (it must be cheap when repeated)."""

    def __init__(self, threads: int, timeout_seconds: float, thread_setup: Callable[[], None]) -> None:
        self.threads = threads
        self.timeout_seconds = timeout_seconds
        self.thread_setup = thread_setup
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # created on the serving event loop, not at import time
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    async def run(self, function: Callable[[], T], *, time_limit: bool = True) -> T:
        """``time_limit=False`` for writes, which must finish once started rather than answer 504 midway."""

        def work() -> T:
            self.thread_setup()
            return function()

        try:
            with anyio.fail_after(self.timeout_seconds if time_limit else None):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True, limiter=self.limiter)
        except TimeoutError as exc:
            raise HTTPException(
                status_code=504,
                detail=f"the request took longer than the {self.timeout_seconds:g} s limit; "
                "try a shorter input or a lighter generator",
            ) from exc
