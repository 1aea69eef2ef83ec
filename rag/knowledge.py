"""The guideline knowledge medcite ships in ``knowledge/``: documents, passages, manifest.

Passages are Markdown sections with stable ids (``"{doc_id}#{section-slug-path}"``), so
answers and staging decisions can cite them and a test can check every quote is verbatim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import InputError, NotFoundError
from rag.ingest.markdown import DEFAULT_MAX_CHARS, chunk_markdown
from rag.resources import knowledge_dir as packaged_knowledge_dir
from rag.types import Chunk

DEFAULT_KNOWLEDGE_DIR = packaged_knowledge_dir()
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class KnowledgeDocument:
    """One entry of ``knowledge/manifest.json``."""

    doc_id: str
    path: Path
    title: str
    version: str
    domain: str
    sources: list[dict[str, Any]] = field(default_factory=list)


def load_manifest(knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR) -> list[KnowledgeDocument]:
    """Read the manifest; every listed file must exist."""
    manifest_path = knowledge_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        raise NotFoundError(f"knowledge manifest not found: {manifest_path}")
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    documents = []
    for entry in raw["documents"]:
        path = knowledge_dir / entry["path"]
        if not path.is_file():
            raise InputError(f"{manifest_path}: document {entry['doc_id']!r} points at missing file {path}")
        documents.append(
            KnowledgeDocument(
                doc_id=entry["doc_id"],
                path=path,
                title=entry["title"],
                version=entry["version"],
                domain=entry["domain"],
                sources=list(entry.get("sources", [])),
            )
        )
    return documents


def document_chunks(document: KnowledgeDocument, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunk one knowledge document, tagging each chunk with its domain and kind."""
    metadata = {"domain": document.domain, "source": document.doc_id, "kind": "guideline", "version": document.version}
    text = document.path.read_text(encoding="utf-8")
    return chunk_markdown(text, document.doc_id, document.title, max_chars=max_chars, metadata=metadata)


@lru_cache(maxsize=4)
def load_passages(knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR) -> dict[str, Chunk]:
    """Every passage of the shipped knowledge, keyed by its citable id."""
    passages: dict[str, Chunk] = {}
    for document in load_manifest(knowledge_dir):
        for chunk in document_chunks(document):
            passages[chunk.chunk_id] = chunk
    return passages


def get_passage(passage_id: str, knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR) -> Chunk:
    """Look a passage up by id; unknown ids are an error, never a silent miss."""
    passages = load_passages(knowledge_dir)
    if passage_id not in passages:
        raise NotFoundError(f"unknown knowledge passage id {passage_id!r}")
    return passages[passage_id]
