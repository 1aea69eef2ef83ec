"""Index building: sources in, a new catalog version out.

Each source (a document, a report corpus, a case set) is recorded in the manifest with its
content hash and the ids it put in each collection. Re-ingesting an unchanged source is a no-op,
a changed one replaces its old items, and ``remove_source`` deletes them; chunks whose text is
already indexed under another id are skipped and reported as duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.encoders.base import EncoderInfo, ImageEncoder, TextEncoder
from rag.errors import IndexMismatchError, InputError, MedciteError, NotFoundError
from rag.ingest.blocks import passage_units
from rag.ingest.cases import VQA_RAD_JSON, load_vqa_rad_cases
from rag.ingest.documents import ParsedDocument, parse_document
from rag.ingest.reports import parse_reports
from rag.knowledge import document_chunks, load_manifest
from rag.store.catalog import Catalog, collection_name
from rag.types import Case, Chunk

DOCUMENT_SUFFIXES = {".md", ".markdown", ".txt", ".pdf"}
FOLDER_NOTES = {"SOURCE.MD", "README.MD"}


@dataclass
class BuildReport:
    """What a build did, per source; printed by the CLI and returned by the API."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            name: list(getattr(self, name))
            for name in ("added", "updated", "unchanged", "removed", "duplicates", "errors")
        }


# 3: Markdown rendered to blocks (links as text, lists with lead-in, table rows with headers);
# 4: guideline passages also indexed unit by unit (sentences, whole lists) for fine-grained dense matching.
# 5: blocks under a bold pseudo-heading ("**Kerley B lines**") carry it as a label.
# 6: a second delimiter row inside a table body ("| --- | --- |", in PDQ's AJCC tables) is not a row.
INDEXING_RULES = "6"
UNIT_KIND = "unit"


def chunking_params(max_chars: int) -> dict[str, Any]:
    """Recorded in the manifest; an index chunked by other rules must be rebuilt, not patched."""
    return {"max_chars": max_chars, "splitter": "markdown-blocks", "rules": INDEXING_RULES}


BIBLIOGRAPHY_HEADINGS = {"sources", "references", "bibliography", "reference list"}


def is_bibliography(chunk: Chunk) -> bool:
    """Reference lists match every query on author and journal words and answer none: not indexed."""
    leaf = chunk.section.split(" > ")[-1].strip().lower()
    parent = chunk.section.split(" > ")[-2].strip().lower() if " > " in chunk.section else ""
    return leaf in BIBLIOGRAPHY_HEADINGS or parent in BIBLIOGRAPHY_HEADINGS


def passage_embedding_text(chunk: Chunk) -> str:
    """Title and section path go into the vector too: headings carry most of a passage's topic."""
    return f"{chunk.title}. {chunk.section}. {chunk.text}"


TEST_QA_MARK = "+test"


def refuse_test_qa(catalog: Catalog) -> None:
    """Evaluation on a test split is void when the index holds that split's answers."""
    leaky = [
        doc_id
        for doc_id, entry in catalog.documents.items()
        if str(entry.get("content_hash", "")).endswith(TEST_QA_MARK)
    ]
    if leaky:
        raise IndexMismatchError(
            f"the index was built with --include-test-qa ({', '.join(leaky)}): its case texts hold test answers; "
            "rebuild it without that flag before evaluating"
        )


def _file_hash(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def new_catalog(
    text: EncoderInfo, image: EncoderInfo | None, chunking: dict[str, Any], options: dict[str, Any]
) -> Catalog:
    encoders = {"text": text.as_dict()}
    if image is not None:
        encoders["image"] = image.as_dict()
    return Catalog(encoders=encoders, chunking=chunking, collection_options=options)


class IndexBuilder:
    """Applies sources to a catalog in memory; the caller saves the catalog when done."""

    def __init__(
        self,
        catalog: Catalog,
        text_encoder: TextEncoder,
        image_encoder_factory: Callable[[], ImageEncoder] | None = None,
        *,
        max_chars: int = 1500,
        progress: bool = False,
    ) -> None:
        catalog.check_encoder("text", text_encoder.info)
        self.catalog = catalog
        self.text_encoder = text_encoder
        self._image_encoder_factory = image_encoder_factory
        self._image_encoder: ImageEncoder | None = None
        self.max_chars = max_chars
        self.progress = progress
        self.report = BuildReport()
        self._known_hashes = self._indexed_hashes()

    def _indexed_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for name, collection in self.catalog.collections.items():
            if self.catalog.domains[name][0] in ("passage", "report"):
                for item_id in collection.ids():
                    item_hash = collection.get(item_id).get("content_hash")
                    if item_hash:
                        hashes[item_hash] = item_id
        return hashes

    def image_encoder(self) -> ImageEncoder:
        if self._image_encoder is None:
            if self._image_encoder_factory is None:
                raise InputError("this build has no image encoder configured, so image cases cannot be indexed")
            self._image_encoder = self._image_encoder_factory()
            self.catalog.check_encoder("image", self._image_encoder.info)
            self.catalog.encoders["image"] = self._image_encoder.info.as_dict()
        return self._image_encoder

    def _start(self, doc_id: str, content_hash: str) -> bool:
        """Decide whether a source needs (re)indexing; clears the old items of a changed one."""
        existing = self.catalog.documents.get(doc_id)
        if existing and existing["content_hash"] == content_hash:
            self.report.unchanged.append(doc_id)
            return False
        if existing:
            self.catalog.delete_items(existing["items"])
            self._known_hashes = self._indexed_hashes()
            self.report.updated.append(doc_id)
        else:
            self.report.added.append(doc_id)
        return True

    def remove_source(self, doc_id: str) -> None:
        self.catalog.remove_source(doc_id)
        self._known_hashes = self._indexed_hashes()
        self.report.removed.append(doc_id)

    def _add_chunks(self, kind: str, chunks: list[Chunk], default_domain: str) -> dict[str, list[str]]:
        fresh: list[Chunk] = []
        for chunk in chunks:
            if is_bibliography(chunk):
                continue
            owner = self._known_hashes.get(chunk.content_hash)
            if owner is not None and owner != chunk.chunk_id:
                self.report.duplicates.append(f"{chunk.chunk_id} repeats {owner}")
                continue
            self._known_hashes[chunk.content_hash] = chunk.chunk_id
            fresh.append(chunk)
        vectors = self.text_encoder.encode([passage_embedding_text(c) for c in fresh], progress=self.progress)
        items: dict[str, list[str]] = {}
        by_domain: dict[str, list[int]] = {}
        for row, chunk in enumerate(fresh):
            by_domain.setdefault(str(chunk.metadata.get("domain", default_domain)), []).append(row)
        for domain, rows in by_domain.items():
            collection = self.catalog.collection(kind, domain, self.text_encoder.info.dim)
            ids = [fresh[row].chunk_id for row in rows]
            collection.upsert(ids, vectors[rows], [self._chunk_metadata(fresh[row], domain) for row in rows])
            items.setdefault(collection.name, []).extend(ids)
            if kind == "passage":
                self._add_units([fresh[row] for row in rows], domain, items)
        return items

    def _add_units(self, chunks: list[Chunk], domain: str, items: dict[str, list[str]]) -> None:
        """Each passage's units (sentences, whole lists) as their own vectors: a long passage is found by its
        best sentence, not only by its average. Units point back to their passage."""
        ids: list[str] = []
        texts: list[str] = []
        metadata: list[dict[str, Any]] = []
        for chunk in chunks:
            leaf = chunk.section.split(" > ")[-1]
            for index, (unit, is_list) in enumerate(passage_units(chunk.text)):
                ids.append(f"{chunk.chunk_id}@{index}")
                texts.append(f"{leaf}. {unit}")
                metadata.append({"parent": chunk.chunk_id, "text": unit, "is_list": is_list, "domain": domain})
        if not ids:
            return
        vectors = self.text_encoder.encode(texts, progress=self.progress)
        collection = self.catalog.collection(UNIT_KIND, domain, self.text_encoder.info.dim)
        collection.upsert(ids, vectors, metadata)
        items.setdefault(collection.name, []).extend(ids)

    @staticmethod
    def _chunk_metadata(chunk: Chunk, domain: str) -> dict[str, Any]:
        return {
            **chunk.metadata,
            "domain": domain,
            "doc_id": chunk.doc_id,
            "title": chunk.title,
            "section": chunk.section,
            "text": chunk.text,
            "page": chunk.page,
            "char_start": chunk.char_start,
            "char_end": chunk.char_end,
            "content_hash": chunk.content_hash,
        }

    def _record(
        self, doc_id: str, kind: str, path: Path, content_hash: str, title: str, items: dict[str, list[str]]
    ) -> None:
        self.catalog.documents[doc_id] = {
            "kind": kind,
            "path": str(path),
            "title": title,
            "content_hash": content_hash,
            "items": items,
            "count": sum(len(ids) for name, ids in items.items() if self.catalog.domains[name][0] != UNIT_KIND),
        }

    def add_parsed_document(self, parsed: ParsedDocument, kind: str = "passage", domain: str = "general") -> None:
        if self._start(parsed.doc_id, parsed.content_hash):
            items = self._add_chunks(kind, parsed.chunks, domain)
            self._record(parsed.doc_id, kind, parsed.path, parsed.content_hash, parsed.title, items)

    def add_knowledge(self, knowledge_dir: Path) -> None:
        for document in load_manifest(knowledge_dir):
            chunks = document_chunks(document, max_chars=self.max_chars)
            text_hash = _file_hash([document.path])
            parsed = ParsedDocument(document.doc_id, document.title, document.path, chunks, text_hash)
            self.add_parsed_document(parsed, "passage", document.domain)

    def add_documents(self, paths: Sequence[Path]) -> None:
        """Files or folders of documents; a bad file is reported and the rest still go in."""
        for path in _expand(paths, DOCUMENT_SUFFIXES):
            try:
                self.add_parsed_document(parse_document(path, max_chars=self.max_chars), "passage", "general")
            except MedciteError as exc:
                self.report.errors.append(str(exc))

    def add_reports(self, paths: Sequence[Path]) -> None:
        for path in _expand(paths, {".jsonl"}):
            try:
                parsed, problems = parse_reports(path)
            except MedciteError as exc:
                self.report.errors.append(str(exc))
                continue
            self.report.errors.extend(problems)
            self.add_parsed_document(parsed, "report", "radiology:unknown")

    def add_cases(self, root: Path, *, include_test_qa: bool = False) -> None:
        try:
            cases = load_vqa_rad_cases(root, include_test_qa=include_test_qa)
        except MedciteError as exc:
            self.report.errors.append(str(exc))
            return
        doc_id = f"cases:{root.name}"
        qa_files = [path for path in [root / VQA_RAD_JSON] if path.is_file()]
        case_hash = _file_hash([*qa_files, *(c.image_path for c in cases)]) + (TEST_QA_MARK if include_test_qa else "")
        if self._start(doc_id, case_hash):
            items = self._index_cases(doc_id, cases)
            self._record(doc_id, "cases", root, case_hash, root.name, items)

    def _index_cases(self, doc_id: str, cases: list[Case]) -> dict[str, list[str]]:
        from rag.imaging.load import load_image

        usable: list[Case] = []
        images = []
        for case in cases:
            try:
                images.append(load_image(case.image_path).image)
                usable.append(case)
            except MedciteError as exc:
                self.report.errors.append(str(exc))
        image_vectors = self.image_encoder().encode(images, progress=self.progress)
        text_vectors = self.text_encoder.encode([c.text for c in usable], progress=self.progress)
        items: dict[str, list[str]] = {}
        for domain in sorted({c.domain for c in usable}):
            rows = [i for i, c in enumerate(usable) if c.domain == domain]
            ids = [usable[i].case_id for i in rows]
            metadata = [
                {
                    **usable[i].metadata,
                    "domain": domain,
                    "doc_id": doc_id,
                    "text": usable[i].text,
                    "path": str(usable[i].image_path),
                }
                for i in rows
            ]
            for kind, vectors, dim in (
                ("case_image", image_vectors, self.image_encoder().info.dim),
                ("case_text", text_vectors, self.text_encoder.info.dim),
            ):
                collection = self.catalog.collection(kind, domain, dim)
                collection.upsert(ids, np.asarray(vectors)[rows], metadata)
                items.setdefault(collection_name(kind, domain), []).extend(ids)
        return items


def _expand(paths: Sequence[Path], suffixes: set[str]) -> list[Path]:
    """Folders expand to their matching files (sorted), leaving out a dataset's own SOURCE/README
    notes; a file named explicitly is always taken; a missing path is an error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in suffixes and p.name.upper() not in FOLDER_NOTES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise NotFoundError(f"{path}: no such file or folder")
    return files
