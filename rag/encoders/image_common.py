"""Helpers shared by the image encoders: device choice, weight fingerprints, batching."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import torch

T = TypeVar("T")


def default_device(device: str | None) -> torch.device:
    """The requested device, else CUDA when present, else CPU."""
    if device:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a weights file, so an index records exactly which weights built it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def batches(items: Sequence[T], batch_size: int, *, progress: bool, desc: str) -> Iterator[Sequence[T]]:
    """Consecutive slices of `items`, with a tqdm bar when asked for."""
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    starts: Any = range(0, len(items), batch_size)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=desc, unit="batch")
    for start in starts:
        yield items[start : start + batch_size]
