"""The library runtime as the service uses it: batching encoders, one pipeline per k policy, thread counts.

``ServiceRuntime`` wraps the encoders ``rag.runtime.Runtime`` creates so concurrent requests share forward
passes. A request may choose its adaptive-k policy; the pipelines for other policies share the default
pipeline's retriever, so a BM25 index is built once per index version, not once per policy.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import Any

from rag.batching import BatchingImageEncoder, BatchingTextEncoder
from rag.config import Settings
from rag.encoders.base import ImageEncoder, TextEncoder
from rag.pipeline import Pipeline
from rag.retrieve.retriever import Retriever
from rag.runtime import Runtime
from rag.store.catalog import Catalog

log = logging.getLogger("medcite.runtime")


class ServiceRuntime(Runtime):
    """The library runtime whose encoders batch the calls of concurrent requests."""

    def __init__(self, settings: Settings, *, max_batch: int, max_wait_s: float) -> None:
        super().__init__(settings)
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s

    @cached_property
    def text_encoder(self) -> TextEncoder:
        return BatchingTextEncoder(super().text_encoder, max_batch=self.max_batch, max_wait_s=self.max_wait_s)

    @cached_property
    def image_encoder(self) -> ImageEncoder:
        return BatchingImageEncoder(
            super().image_encoder, max_batch=max(1, self.max_batch // 2), max_wait_s=self.max_wait_s
        )

    def loaded_encoder(self, role: str) -> BatchingTextEncoder | BatchingImageEncoder | None:
        """The ``text`` or ``image`` encoder if it is loaded already; never loads it (probes must stay fast)."""
        encoder = self.__dict__.get(f"{role}_encoder")
        return encoder if isinstance(encoder, BatchingTextEncoder | BatchingImageEncoder) else None

    def batch_counts(self, role: str) -> tuple[int, int]:
        """(batches, items) run by a loaded encoder's batcher; (0, 0) before it is loaded."""
        encoder = self.loaded_encoder(role)
        return (encoder.batcher.batches, encoder.batcher.items) if encoder is not None else (0, 0)


class PolicyPipeline(Pipeline):
    """The default pipeline with another adaptive-k policy (settings copy), sharing its retriever."""

    def __init__(self, base: Pipeline, adaptive_k: str) -> None:
        super().__init__(base.runtime)
        self._base = base
        self._settings = base.runtime.settings.model_copy(update={"adaptive_k": adaptive_k})

    @property
    def settings(self) -> Any:
        return self._settings

    def retriever(self, catalog: Catalog) -> Retriever:
        return self._base.retriever(catalog)


class Pipelines:
    """The pipeline for a request's k policy (``None``: the configured one)."""

    def __init__(self, runtime: Runtime) -> None:
        self.default = Pipeline(runtime)
        self._by_policy: dict[str, Pipeline] = {runtime.settings.adaptive_k: self.default}

    def get(self, k_policy: str | None) -> Pipeline:
        if k_policy is None:
            return self.default
        if k_policy not in self._by_policy:
            self._by_policy[k_policy] = PolicyPipeline(self.default, k_policy)
        return self._by_policy[k_policy]


_pinned = threading.local()


def pin_search_threads() -> None:
    """One OpenMP thread for FAISS in the calling thread (once per thread).

    OpenMP's thread count is per calling thread: worker threads start from the default (all cores), not from
    what the main thread set, and every concurrent tiny search then spins up its own team. Measured on 2
    cores, that made a 2 ms retrieval take 15 ms alone and 100 ms under 20 clients.
    """
    if not getattr(_pinned, "done", False):
        import faiss

        faiss.omp_set_num_threads(1)
        _pinned.done = True


def configure_threads(model_threads: int, *, load_torch: bool) -> None:
    """Torch gets the cores meant for this worker; FAISS searches run one thread each (see
    :func:`pin_search_threads`), since requests already search in parallel."""
    pin_search_threads()
    if load_torch:
        import torch

        torch.set_num_threads(model_threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set once in this process (a second app in tests)
            log.debug("torch inter-op threads were already set")
    log.info("threads configured", extra={"model_threads": model_threads, "faiss_threads": 1})
