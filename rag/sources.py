"""A cited source by id, with the passages around it and where a quote sits in it.

Answers cite indexed passages, reports and similar cases; staging cites the shipped guideline passages,
which resolve even when no index has been built. A reader opening citation [n] sees the passage, the
quoted words located in it, and its neighbours in the same document for context.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rag.errors import NotFoundError
from rag.knowledge import load_passages
from rag.store.catalog import Catalog
from rag.store.collection import VectorCollection

SOURCE_KINDS = ("passage", "report", "case_text")


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Character span of ``quote`` in ``text``: exact first, then ignoring case and runs of whitespace."""
    quote = quote.strip()
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _neighbour(item_id: str | None, collection: VectorCollection | None) -> dict[str, Any] | None:
    if item_id is None or collection is None or item_id not in collection:
        return None
    meta = collection.get(item_id)
    return {"source_id": item_id, "section": meta.get("section"), "text": meta.get("text", "")}


def _indexed(catalog: Catalog, source_id: str) -> dict[str, Any] | None:
    for kind in SOURCE_KINDS:
        for domain, collection in catalog.of_kind(kind):
            if source_id not in collection:
                continue
            meta = collection.get(source_id)
            doc_id = str(meta.get("doc_id", ""))
            order = catalog.documents.get(doc_id, {}).get("items", {}).get(collection.name, [])
            position = order.index(source_id) if source_id in order else -1
            previous = order[position - 1] if position > 0 else None
            following = order[position + 1] if 0 <= position < len(order) - 1 else None
            return {
                "source_id": source_id,
                "kind": "case" if kind == "case_text" else kind,
                "domain": domain,
                "doc_id": doc_id,
                "title": meta.get("title") or (f"Similar case {source_id}" if kind == "case_text" else source_id),
                "section": meta.get("section"),
                "page": meta.get("page"),
                "text": meta.get("text", ""),
                "image": meta.get("image"),
                "index_version": catalog.version,
                "context": {
                    "previous": _neighbour(previous, collection),
                    "next": _neighbour(following, collection),
                },
            }
    return None


def _shipped(source_id: str, knowledge_dir: Path) -> dict[str, Any] | None:
    passages = load_passages(knowledge_dir)
    chunk = passages.get(source_id)
    if chunk is None:
        return None
    order = [pid for pid, other in passages.items() if other.doc_id == chunk.doc_id]
    position = order.index(source_id)

    def around(pid: str | None) -> dict[str, Any] | None:
        if pid is None:
            return None
        other = passages[pid]
        return {"source_id": pid, "section": other.section, "text": other.text}

    return {
        "source_id": source_id,
        "kind": "passage",
        "domain": str(chunk.metadata.get("domain", "general")),
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "page": chunk.page,
        "text": chunk.text,
        "image": None,
        "index_version": None,
        "context": {
            "previous": around(order[position - 1] if position > 0 else None),
            "next": around(order[position + 1] if position < len(order) - 1 else None),
        },
    }


def find_source(
    catalog: Catalog | None, source_id: str, knowledge_dir: Path, quote: str | None = None
) -> dict[str, Any]:
    """The source ``source_id`` from the served index, else from the shipped knowledge; unknown ids raise."""
    found = _indexed(catalog, source_id) if catalog is not None else None
    if found is None:
        found = _shipped(source_id, knowledge_dir)
    if found is None:
        raise NotFoundError(f"no source {source_id!r} in the served index or the shipped guidelines")
    span = locate(found["text"], quote) if quote else None
    found["highlight"] = {"start": span[0], "end": span[1]} if span else None
    return found


def case_image_path(catalog: Catalog, case_id: str) -> Path:
    """The stored image file of an indexed similar case (never a path taken from the request)."""
    for _, collection in catalog.of_kind("case_image"):
        if case_id in collection:
            path = Path(str(collection.get(case_id).get("path", "")))
            if not path.is_file():
                raise NotFoundError(f"the image of case {case_id!r} is no longer on disk ({path.name})")
            return path
    raise NotFoundError(f"no similar case {case_id!r} in the served index")
