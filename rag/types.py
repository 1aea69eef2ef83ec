"""Plain data carried between ingestion, encoding, storage and retrieval."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def content_hash(text: str) -> str:
    """Stable short hash of normalised text; identical text anywhere gives the same hash."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    """A citable piece of a text document.

    ``chunk_id`` is ``"{doc_id}#{section_slug}"`` (plus ``"~{part}"`` when a long section is
    split), so it stays the same when the same file is ingested again and can be cited.
    """

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    char_start: int
    char_end: int
    page: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class Case:
    """An indexed example case: one image and the text attached to it (report, Q/A pairs)."""

    case_id: str
    image_path: Path
    text: str
    domain: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One search result. ``score`` is a similarity: higher is better, cosine in [-1, 1]."""

    id: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)
