"""Dense search over the catalog: one query against every collection of the asked kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from rag.encoders.base import ImageEncoder, TextEncoder
from rag.errors import InputError
from rag.store.catalog import Catalog
from rag.types import Hit

TEXT_KINDS = ("passage", "report", "case_text")


@dataclass(frozen=True)
class SearchResult:
    kind: str
    domain: str
    hit: Hit

    def as_dict(self, rank: int) -> dict[str, Any]:
        meta = self.hit.metadata
        return {
            "rank": rank,
            "id": self.hit.id,
            "score": round(float(self.hit.score), 6),
            "kind": self.kind,
            "domain": self.domain,
            "title": meta.get("title"),
            "section": meta.get("section"),
            "page": meta.get("page"),
            "source": meta.get("doc_id") or meta.get("source"),
            "image": meta.get("image"),
            "text": meta.get("text"),
        }


def _validate(k: int, domains: Sequence[str] | None, catalog: Catalog) -> list[str] | None:
    if k < 1:
        raise InputError(f"k must be at least 1 (got {k})")
    if domains:
        unknown = sorted(set(domains) - set(catalog.known_domains()))
        if unknown:
            raise InputError(f"unknown domain(s) {unknown}; this index has {catalog.known_domains()}")
        return list(domains)
    return None


def _merge(
    catalog: Catalog,
    vector: np.ndarray,
    kinds: Sequence[str],
    k: int,
    domains: list[str] | None,
    filters: dict[str, Any] | None,
) -> list[SearchResult]:
    results: list[SearchResult] = []
    for kind in kinds:
        for domain, collection in catalog.of_kind(kind, domains):
            for hit in collection.search(vector, k, filters=filters)[0]:
                results.append(SearchResult(kind, domain, hit))
    results.sort(key=lambda r: r.hit.score, reverse=True)
    return results[:k]


def search_text(
    catalog: Catalog,
    encoder: TextEncoder,
    query: str,
    *,
    k: int = 5,
    domains: Sequence[str] | None = None,
    kinds: Sequence[str] = TEXT_KINDS,
    filters: dict[str, Any] | None = None,
) -> list[SearchResult]:
    if not query.strip():
        raise InputError("the query text is empty")
    catalog.check_encoder("text", encoder.info)
    selected = _validate(k, domains, catalog)
    return _merge(catalog, encoder.encode([query]), kinds, k, selected, filters)


def search_image(
    catalog: Catalog,
    encoder: ImageEncoder,
    image: Image.Image,
    *,
    k: int = 5,
    domains: Sequence[str] | None = None,
    filters: dict[str, Any] | None = None,
) -> list[SearchResult]:
    if "image" not in catalog.encoders:
        raise InputError("this index has no image cases; build it with `medcite index build --cases PATH`")
    catalog.check_encoder("image", encoder.info)
    selected = _validate(k, domains, catalog)
    return _merge(catalog, encoder.encode([image]), ("case_image",), k, selected, filters)
