"""One pipeline per variant, all sharing one runtime (encoders and index load once per process).

A variant that changes settings (adaptive k, k caps, reranker) gets a pipeline whose ``settings`` are a copy
with those fields changed; it shares the base retriever when retrieval itself is unchanged, so the BM25 index
is built once per index version (the service's per-k-policy pipelines do the same).
"""

from __future__ import annotations

import threading
from typing import Any

from rag.config import Settings
from rag.pipeline import Pipeline
from rag.retrieve.retriever import Retriever
from rag.runtime import Runtime
from rag.store.catalog import Catalog


class VariantPipeline(Pipeline):
    def __init__(self, base: Pipeline, overrides: dict[str, Any]) -> None:
        super().__init__(base.runtime)
        self._base = base
        self._settings = base.runtime.settings.model_copy(update=overrides)

    @property
    def settings(self) -> Any:
        return self._settings

    def retriever(self, catalog: Catalog) -> Retriever:
        if self._settings.retrieval_candidates == self._base.settings.retrieval_candidates:
            return self._base.retriever(catalog)
        return super().retriever(catalog)


class Pipelines:
    """Pipelines by settings overrides, made on first use; safe to call from worker threads."""

    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime(settings)
        self.base = Pipeline(self.runtime)
        self._lock = threading.Lock()
        self._made: dict[str, Pipeline] = {}

    def get(self, overrides: dict[str, Any]) -> Pipeline:
        if not overrides:
            return self.base
        key = repr(sorted(overrides.items()))
        with self._lock:
            if key not in self._made:
                self._made[key] = VariantPipeline(self.base, overrides)
            return self._made[key]


def base_settings(overrides: dict[str, Any], settings: Settings | None = None) -> Settings:
    """The environment's settings (``MEDCITE_*``) with the run config's overrides, validated."""
    current = settings or Settings()
    if not overrides:
        return current
    return Settings.model_validate({**current.model_dump(), **overrides})
