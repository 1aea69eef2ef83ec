"""Long-lived state shared by the CLI, the service and evaluation: settings, encoders, index.

Models load lazily and once; the catalog is reloaded only when ``CURRENT`` changes.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from rag import __version__
from rag.config import Settings
from rag.encoders import create_image_encoder, create_text_encoder
from rag.encoders.base import ImageEncoder, TextEncoder
from rag.store.catalog import Catalog, current_version_dir, load_catalog


class Runtime:
    version = __version__

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._catalog_dir: Path | None = None

    @cached_property
    def text_encoder(self) -> TextEncoder:
        options: dict[str, Any] = {}
        if self.settings.text_encoder != "hashing":
            options = {
                "model_dir": self.settings.text_model_dir,
                "device": self.settings.device,
                "runtime": self.settings.text_runtime,
                "onnx_cache_dir": self.settings.onnx_cache_dir,
            }
        return create_text_encoder(self.settings.text_encoder, **options)

    @cached_property
    def image_encoder(self) -> ImageEncoder:
        options: dict[str, Any] = {"device": self.settings.device}
        if self.settings.image_model_dir is not None:
            options["model_dir"] = self.settings.image_model_dir
        return create_image_encoder(self.settings.image_encoder, **options)

    def collection_options(self) -> dict[str, Any]:
        return {
            "exact_threshold": self.settings.exact_threshold,
            "ann": self.settings.ann,
            "use_gpu": self.settings.use_gpu,
        }

    def catalog(self) -> Catalog:
        """The served index version; picks up a new version after a rebuild."""
        with self._lock:
            version_dir = current_version_dir(self.settings.index_dir)
            if self._catalog is None or version_dir != self._catalog_dir:
                self._catalog = load_catalog(
                    self.settings.index_dir, use_gpu=self.settings.use_gpu, collection_options=self.collection_options()
                )
                self._catalog_dir = version_dir
            return self._catalog
