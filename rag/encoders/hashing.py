"""Deterministic hashed bag-of-words embedder for fast unit tests (no model, no torch)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from rag.encoders.base import EncoderInfo, TextEncoder, l2_normalise

_TOKEN = re.compile(r"[a-z0-9]+")


class HashingTextEncoder(TextEncoder):
    """Words hashed into ``dim`` buckets; similar wording gives similar vectors."""

    def __init__(self, dim: int = 256) -> None:
        self._info = EncoderInfo(name="hashing", dim=dim, version="1")

    @property
    def info(self) -> EncoderInfo:
        return self._info

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self._info.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
                vectors[row, bucket % self._info.dim] += 1.0
        return l2_normalise(vectors)
