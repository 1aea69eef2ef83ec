"""Knowledge-base documents as a small store: add (Markdown, text, PDF), list, get, delete.

Every change is parsed before the index is touched, applied to a freshly loaded copy of the served
catalog and written as a new index version (``save_catalog`` switches ``CURRENT`` atomically), so a bad
upload or a crash never loses what is already indexed and readers keep the version they hold.
Writers are serialised within the process (a lock) and across processes (``flock`` on the index folder).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rag.build import DOCUMENT_SUFFIXES, IndexBuilder, chunking_params, new_catalog
from rag.errors import CorruptFileError, IndexMismatchError, InputError, NotFoundError, UnsupportedFileError
from rag.ingest.documents import ParsedDocument, doc_id_for, parse_document
from rag.runtime import Runtime
from rag.sources import SOURCE_KINDS
from rag.store.catalog import Catalog, current_version_dir, load_catalog, save_catalog
from rag.store.fsio import fsync_path

UPLOAD_DIR = "uploads"
LOCK_FILE = ".documents.lock"
UPLOAD_ORIGIN = "upload"
MAX_NAME_CHARS = 200


class DocumentConflictError(InputError):
    """An upload would replace a source that was not uploaded (a shipped guideline, a dataset)."""


@dataclass(frozen=True)
class DocumentChange:
    """What one add or delete did; ``index_version`` is the version now served."""

    doc_id: str
    status: str
    index_version: str
    title: str = ""
    chunks: int = 0
    duplicates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "status": self.status,
            "index_version": self.index_version,
            "title": self.title,
            "chunks": self.chunks,
            "duplicates": list(self.duplicates),
        }


def citable_items(catalog: Catalog, entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(collection, id) of the passages, reports or cases a source put in the index, in document order;
    derived vectors (a passage's sentence units, a case's image vector) are left out."""
    return [
        (name, item_id)
        for name, ids in entry.get("items", {}).items()
        if name in catalog.domains and catalog.domains[name][0] in SOURCE_KINDS
        for item_id in ids
    ]


def summary(catalog: Catalog, doc_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The public view of a manifest entry (no server paths)."""
    return {
        "doc_id": doc_id,
        "title": entry.get("title", doc_id),
        "kind": entry.get("kind", "passage"),
        "items": len(citable_items(catalog, entry)),
        "origin": entry.get("origin", "index-build"),
        "content_hash": entry.get("content_hash", ""),
    }


class DocumentStore:
    """Document operations over the runtime's index folder; the CLI and the service share it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()

    @property
    def index_dir(self) -> Path:
        return self.runtime.settings.index_dir

    def list(self) -> list[dict[str, Any]]:
        catalog = self.runtime.catalog()
        return [summary(catalog, doc_id, entry) for doc_id, entry in sorted(catalog.documents.items())]

    def get(self, doc_id: str) -> dict[str, Any]:
        """The summary plus every indexed item (id, section, page) in document order."""
        catalog = self.runtime.catalog()
        entry = catalog.documents.get(doc_id)
        if entry is None:
            raise NotFoundError(f"no indexed document {doc_id!r}; list the documents to see their ids")
        items = []
        for name, item_id in citable_items(catalog, entry):
            collection = catalog.collections[name]
            if item_id in collection:
                meta = collection.get(item_id)
                items.append(
                    {"id": item_id, "section": meta.get("section"), "page": meta.get("page"), "collection": name}
                )
        return {**summary(catalog, doc_id, entry), "index_version": catalog.version, "chunks": items}

    def add(self, filename: str, data: bytes) -> DocumentChange:
        """Index one uploaded document; an upload with the name of an earlier upload replaces it."""
        name = _safe_name(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in DOCUMENT_SUFFIXES:
            raise UnsupportedFileError(
                f"{name}: unsupported document type {suffix or '(no extension)'!r}; send .md, .txt or .pdf"
            )
        doc_id = doc_id_for(Path(name))
        if not doc_id:
            raise InputError(f"{name}: the file name gives no usable document id; use letters or digits")
        if not data:
            raise CorruptFileError(f"{name}: the file is empty")
        parsed = self._parse(name, data)
        with self._writing():
            catalog = self._writable_catalog()
            existing = catalog.documents.get(doc_id)
            if existing is not None and existing.get("origin") != UPLOAD_ORIGIN:
                raise DocumentConflictError(
                    f"{name}: document id {doc_id!r} belongs to a source that was not uploaded "
                    f"({existing.get('kind', 'passage')} {existing.get('title', doc_id)!r}); rename the file"
                )
            stored = self._store_upload(doc_id, suffix, data)
            builder = IndexBuilder(catalog, self.runtime.text_encoder, max_chars=self.runtime.settings.chunk_max_chars)
            builder.add_parsed_document(replace(parsed, path=stored), "passage", "general")
            report = builder.report
            if not report.changed:
                return DocumentChange(doc_id, "unchanged", catalog.version, parsed.title, len(parsed.chunks))
            catalog.documents[doc_id]["origin"] = UPLOAD_ORIGIN
            self._save(catalog)
            status = "updated" if report.updated else "added"
            count = len(citable_items(catalog, catalog.documents[doc_id]))
            return DocumentChange(doc_id, status, catalog.version, parsed.title, count, tuple(report.duplicates))

    def delete(self, doc_id: str) -> DocumentChange:
        """Remove one source's items and write a new version; an uploaded file is deleted too."""
        with self._writing():
            if current_version_dir(self.index_dir) is None:
                raise NotFoundError(f"no indexed document {doc_id!r}: there is no index yet")
            catalog = self._load()
            entry = catalog.documents.get(doc_id)
            if entry is None:
                raise NotFoundError(f"no indexed document {doc_id!r}; list the documents to see their ids")
            catalog.remove_source(doc_id)
            self._save(catalog)
            if entry.get("origin") == UPLOAD_ORIGIN:
                Path(entry["path"]).unlink(missing_ok=True)
            return DocumentChange(doc_id, "deleted", catalog.version, str(entry.get("title", doc_id)))

    def _parse(self, name: str, data: bytes) -> ParsedDocument:
        """Parse from a private temporary file so that nothing under the index folder changes on failure."""
        with tempfile.TemporaryDirectory(prefix="medcite-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                parsed = parse_document(path, max_chars=self.runtime.settings.chunk_max_chars)
            except InputError as exc:  # name the upload, not the private temporary path
                raise type(exc)(str(exc).replace(str(path), name)) from exc
        if not parsed.chunks:
            raise CorruptFileError(f"{name}: no text to index")
        return parsed

    def _load(self) -> Catalog:
        return load_catalog(
            self.index_dir, use_gpu=self.runtime.settings.use_gpu, collection_options=self.runtime.collection_options()
        )

    def _writable_catalog(self) -> Catalog:
        """A private copy of the served version (readers keep theirs), or a new text-only catalog."""
        settings = self.runtime.settings
        chunking = chunking_params(settings.chunk_max_chars)
        if current_version_dir(self.index_dir) is None:
            return new_catalog(self.runtime.text_encoder.info, None, chunking, self.runtime.collection_options())
        catalog = self._load()
        if catalog.chunking != chunking:
            raise IndexMismatchError(
                f"the index was chunked with {catalog.chunking}, this service uses {chunking}; "
                "rebuild it with `medcite index build --fresh` before adding documents"
            )
        return catalog

    def _store_upload(self, doc_id: str, suffix: str, data: bytes) -> Path:
        folder = self.index_dir / UPLOAD_DIR
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{doc_id}{suffix}"
        tmp = folder / f".{doc_id}{suffix}.tmp"
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_path(folder)
        return target

    def _save(self, catalog: Catalog) -> None:
        save_catalog(catalog, self.index_dir, keep_versions=self.runtime.settings.keep_versions)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with self._lock, (self.index_dir / LOCK_FILE).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _safe_name(filename: str) -> str:
    """The base name of an uploaded file; directories and control characters are refused, not stripped."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise InputError("the uploaded document has no file name; send it as a named file (e.g. guideline.md)")
    if len(name) > MAX_NAME_CHARS or any(ord(ch) < 32 for ch in name):
        raise InputError(f"the file name {filename[:60]!r} is too long or has control characters")
    return name
