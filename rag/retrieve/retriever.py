"""Evidence for one query: guideline/report passages (dense + BM25, fused) and similar cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.retrieve.bm25 import BM25Index
from rag.retrieve.fusion import reciprocal_rank_fusion
from rag.store.catalog import Catalog
from rag.store.collection import VectorCollection

PASSAGE_KINDS = ("passage", "report")


@dataclass(frozen=True)
class EvidenceItem:
    """One candidate; ``similarity`` is the dense cosine used for the adaptive-k cut."""

    id: str
    kind: str
    domain: str
    similarity: float
    metadata: dict[str, Any] = field(default_factory=dict)
    fused: float = 0.0
    relevance: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    unit_similarity: float | None = None

    @property
    def text(self) -> str:
        return str(self.metadata.get("text", ""))

    @property
    def score(self) -> float:
        """The reranker's relevance when there is one, else the dense cosine."""
        return self.relevance if self.relevance is not None else self.similarity


def build_bm25(catalog: Catalog, kinds: Sequence[str] = PASSAGE_KINDS) -> BM25Index:
    ids: list[str] = []
    texts: list[str] = []
    domains: list[str] = []
    for kind in kinds:
        for domain, collection in catalog.of_kind(kind):
            for item_id in collection.ids():
                meta = collection.get(item_id)
                ids.append(item_id)
                texts.append(f"{meta.get('title', '')} {meta.get('section', '')} {meta.get('text', '')}")
                domains.append(domain)
    return BM25Index(ids, texts, domains)


class Retriever:
    """Stateless over one catalog version; the BM25 index is built once per version."""

    def __init__(self, catalog: Catalog, bm25: BM25Index | None = None, candidates: int = 20) -> None:
        self.catalog = catalog
        self.bm25 = bm25 if bm25 is not None else build_bm25(catalog)
        self.candidates = candidates
        self._owner: dict[str, tuple[str, str, VectorCollection]] = {}
        for kind in (*PASSAGE_KINDS, "case_text", "case_image"):
            for domain, collection in catalog.of_kind(kind):
                for item_id in collection.ids():
                    self._owner[f"{kind}/{item_id}"] = (kind, domain, collection)

    def passages(
        self,
        question_vector: np.ndarray,
        question: str,
        *,
        domains: Sequence[str] | None,
        exclude: frozenset[str] | set[str] = frozenset(),
        kinds: Sequence[str] = PASSAGE_KINDS,
    ) -> list[EvidenceItem]:
        """Dense and BM25 rankings fused by RRF; each item keeps its dense cosine. ``kinds`` narrows the
        collections (a text question is answered from guideline passages, not from other patients' captions)."""
        dense: list[tuple[str, str, float]] = []
        for kind in kinds:
            for _, collection in self.catalog.of_kind(kind, list(domains) if domains else None):
                for hit in collection.search(question_vector, self.candidates)[0]:
                    dense.append((kind, hit.id, hit.score))
        dense.sort(key=lambda row: row[2], reverse=True)
        dense_ranking = [f"{kind}/{item_id}" for kind, item_id, _ in dense[: self.candidates]]
        best_unit = self._best_units(question_vector, domains) if "passage" in kinds else {}
        unit_ranking = [f"passage/{parent}" for parent in sorted(best_unit, key=lambda p: -best_unit[p])]
        lexical = self.bm25.search(question, 4 * self.candidates, domains)
        lexical_ranking = [key for key in (self._key(item_id) for item_id, _ in lexical) if key.split("/")[0] in kinds]
        fused = reciprocal_rank_fusion(
            [dense_ranking, lexical_ranking[: self.candidates], unit_ranking[: self.candidates]]
        )
        items = []
        for key, score in fused[: self.candidates]:
            kind, domain, collection = self._owner[key]
            item_id = key.split("/", 1)[1]
            if item_id in exclude:
                continue
            similarity = float(collection.vector(item_id) @ np.asarray(question_vector).reshape(-1))
            items.append(
                EvidenceItem(
                    item_id,
                    kind,
                    domain,
                    similarity,
                    collection.get(item_id),
                    fused=score,
                    unit_similarity=best_unit.get(item_id),
                )
            )
        return items

    def _best_units(self, question_vector: np.ndarray, domains: Sequence[str] | None) -> dict[str, float]:
        """The best unit similarity of each passage among the nearest units (indexes built before units
        existed have none, and retrieval falls back to whole passages)."""
        best: dict[str, float] = {}
        for _, collection in self.catalog.of_kind("unit", list(domains) if domains else None):
            for hit in collection.search(question_vector, 3 * self.candidates)[0]:
                parent = str(hit.metadata.get("parent", ""))
                if parent and hit.score > best.get(parent, -1.0):
                    best[parent] = hit.score
        return best

    def passage(self, item_id: str, question_vector: np.ndarray) -> EvidenceItem | None:
        """An indexed passage by id (e.g. one the staging rules cite), scored against the question."""
        key = self._key(item_id)
        if not key:
            return None
        kind, domain, collection = self._owner[key]
        similarity = float(collection.vector(item_id) @ np.asarray(question_vector).reshape(-1))
        return EvidenceItem(item_id, kind, domain, similarity, collection.get(item_id))

    def _key(self, item_id: str) -> str:
        for kind in PASSAGE_KINDS:
            if f"{kind}/{item_id}" in self._owner:
                return f"{kind}/{item_id}"
        return ""

    def similar_cases(
        self,
        image_vector: np.ndarray,
        *,
        domains: Sequence[str] | None,
        exclude: frozenset[str] | set[str] = frozenset(),
        k: int | None = None,
    ) -> list[EvidenceItem]:
        """Image-to-image neighbours; ``exclude`` drops the asked-about image itself (leakage filter)."""
        limit = k or self.candidates
        hits: list[EvidenceItem] = []
        for domain, collection in self.catalog.of_kind("case_image", list(domains) if domains else None):
            for hit in collection.search(image_vector, limit + len(exclude))[0]:
                if hit.id not in exclude and hit.metadata.get("image") not in exclude:
                    hits.append(EvidenceItem(hit.id, "case", domain, hit.score, hit.metadata))
        hits.sort(key=lambda item: item.similarity, reverse=True)
        return hits[:limit]
