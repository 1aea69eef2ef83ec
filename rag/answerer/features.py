"""Frozen-encoder embeddings of questions and images, cached on disk per encoder version.

Training and evaluation encode the same 315 images and ~3,500 questions many times over; the
cache makes every run after the first take seconds. Entries are keyed by content (image bytes,
question text) and the file by encoder name and version, so a new encoder never reads old vectors.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from rag.encoders.base import EncoderInfo, ImageEncoder, TextEncoder

BLANK_SIZE = 224


def _cache_file(directory: Path, role: str, info: EncoderInfo) -> Path:
    tag = hashlib.sha256(f"{info.name}|{info.dim}|{info.version}".encode()).hexdigest()[:12]
    return directory / f"{role}-{tag}.npz"


class EmbeddingCache:
    """Vectors by key for one encoder; missing keys are computed in one batch and saved atomically."""

    def __init__(self, directory: Path | None, role: str, info: EncoderInfo) -> None:
        self.info = info
        self.path = _cache_file(directory, role, info) if directory is not None else None
        self._vectors: dict[str, np.ndarray] = {}
        if self.path is not None and self.path.is_file():
            with np.load(self.path, allow_pickle=False) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
            if vectors.ndim == 2 and vectors.shape[1] == info.dim:
                self._vectors = {str(k): v for k, v in zip(keys, vectors, strict=True)}

    def get(self, keys: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        missing = sorted({k for k in keys if k not in self._vectors})
        if missing:
            fresh = np.asarray(compute(missing), dtype=np.float32)
            self._vectors.update(zip(missing, fresh, strict=True))
            self._save()
        if not keys:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        os.replace(tmp, self.path)


def encode_questions(encoder: TextEncoder, questions: Sequence[str], cache_dir: Path | None) -> np.ndarray:
    cache = EmbeddingCache(cache_dir, "text", encoder.info)
    return cache.get(list(questions), lambda missing: encoder.encode(missing))


def image_key(path: Path) -> str:
    return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def encode_image_files(encoder: ImageEncoder, paths: Sequence[Path], cache_dir: Path | None) -> np.ndarray:
    """One vector per file, in order; files are decoded only when their vector is not cached."""
    from rag.imaging.load import load_image

    keys = [image_key(path) for path in paths]
    by_key = dict(zip(keys, paths, strict=True))
    cache = EmbeddingCache(cache_dir, "image", encoder.info)
    return cache.get(keys, lambda missing: encoder.encode([load_image(by_key[k]).image for k in missing]))


def blank_image_vector(encoder: ImageEncoder, cache_dir: Path | None) -> np.ndarray:
    """The embedding of an all-black picture: the "no image" control."""
    cache = EmbeddingCache(cache_dir, "image", encoder.info)
    blank = Image.new("RGB", (BLANK_SIZE, BLANK_SIZE))
    return np.asarray(cache.get(["<blank>"], lambda _: encoder.encode([blank]))[0])
