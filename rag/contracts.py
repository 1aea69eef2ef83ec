"""The answer contracts the façade returns (``Query`` in, ``Retrieval`` and ``Answer`` out) and how retrieved
evidence becomes numbered sources and JSON rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image

from rag.domain import DomainDecision
from rag.generate import Source
from rag.retrieve.retriever import EvidenceItem


@dataclass(frozen=True)
class Query:
    """What a caller asks. ``image_id`` names the asked-about image for the leakage filter."""

    question: str
    image: Image.Image | None = None
    dicom: dict[str, Any] | None = None
    image_id: str | None = None
    domain: str | None = None
    generator: str | None = None
    exclude_same_image: bool = False
    use_retrieval: bool = True
    # None: Settings.answerer_risk ("controlled" abstains below the calibrated threshold, "all" never does).
    answerer_risk: Literal["controlled", "all"] | None = None


@dataclass
class Answer:
    """Stable JSON contract of an answer; ``preliminary`` is always true."""

    answer: str
    closed_answer: str | None
    citations: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    abstained: bool
    evidence: dict[str, list[dict[str, Any]]]
    domain: dict[str, Any]
    k: dict[str, Any]
    versions: dict[str, Any]
    timings: dict[str, float]
    mode: str
    closest_sources: list[dict[str, Any]] = field(default_factory=list)
    answerability: dict[str, Any] = field(default_factory=dict)
    answerer: dict[str, Any] = field(default_factory=dict)
    spelling: list[dict[str, str]] = field(default_factory=list)
    preliminary: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "closed_answer": self.closed_answer,
            "abstained": self.abstained,
            "citations": self.citations,
            "removed": self.removed,
            "closest_sources": self.closest_sources,
            "answerability": self.answerability,
            "answerer": self.answerer,
            "spelling": self.spelling,
            "evidence": self.evidence,
            "domain": self.domain,
            "k": self.k,
            "mode": self.mode,
            "versions": self.versions,
            "timings": self.timings,
            "preliminary": True,
        }


@dataclass
class Retrieval:
    """The evidence for one query, before any answer is written (``/v1/retrieve``, ``medcite search``)."""

    question_vector: np.ndarray
    image_vector: np.ndarray | None
    domain: DomainDecision
    passages: list[EvidenceItem]
    cases: list[EvidenceItem]
    k: dict[str, Any]
    versions: dict[str, Any]
    timings: dict[str, float]
    spelling: list[dict[str, str]] = field(default_factory=list)
    question: str = ""  # the question as retrieval read it (typos repaired)

    def to_dict(self) -> dict[str, Any]:
        sources = [source_of(n, item) for n, item in enumerate([*self.passages, *self.cases], start=1)]
        rows = [evidence_row(source, item) for source, item in zip(sources, [*self.passages, *self.cases], strict=True)]
        return {
            "passages": [row for row in rows if row["kind"] != "case"],
            "cases": [row for row in rows if row["kind"] == "case"],
            "domain": self.domain.as_dict(),
            "k": self.k,
            "versions": self.versions,
            "timings": self.timings,
            "spelling": self.spelling,
            "preliminary": True,
        }


@dataclass
class Timer:
    """Wall time per pipeline stage, in milliseconds, reported with every answer."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = round(1000 * (time.perf_counter() - started), 2)


def source_of(n: int, item: EvidenceItem) -> Source:
    meta = item.metadata
    title = f"Similar case {item.id} ({item.domain})" if item.kind == "case" else str(meta.get("title") or item.id)
    return Source(
        n=n,
        source_id=item.id,
        title=title,
        text=item.text,
        score=round(item.score, 6),
        kind=item.kind,
        section=meta.get("section"),
        page=meta.get("page"),
        metadata={"domain": item.domain},
    )


def metadata_text(item: EvidenceItem, key: str) -> str:
    return str(item.metadata.get(key) or "")


def evidence_row(source: Source, item: EvidenceItem) -> dict[str, Any]:
    row: dict[str, Any] = {
        "n": source.n,
        "id": item.id,
        "kind": item.kind,
        "domain": item.domain,
        "score": source.score,
        "title": source.title,
        "text": item.text,
    }
    if item.kind == "case":
        row["image"] = item.metadata.get("image")
    else:
        row.update(section=source.section, page=source.page, cosine=round(item.similarity, 6))
        if item.features:
            row["features"] = dict(item.features)
    return row
