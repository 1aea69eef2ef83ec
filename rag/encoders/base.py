"""Encoder interfaces. A new encoder is one module plus one line in :mod:`rag.encoders`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class EncoderInfo:
    """What an index manifest records so a query with another encoder can be refused."""

    name: str
    dim: int
    version: str

    def as_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "dim": self.dim, "version": self.version}


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-normalise to unit length (float32) so inner product is cosine similarity."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class TextEncoder(ABC):
    """Embeds text into unit-length float32 vectors of shape (n, dim)."""

    @property
    @abstractmethod
    def info(self) -> EncoderInfo: ...

    @abstractmethod
    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


class ImageEncoder(ABC):
    """Embeds RGB images into unit-length float32 vectors of shape (n, dim)."""

    @property
    @abstractmethod
    def info(self) -> EncoderInfo: ...

    @abstractmethod
    def encode(self, images: Sequence[Image.Image], *, batch_size: int = 16, progress: bool = False) -> np.ndarray: ...
