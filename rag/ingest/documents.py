"""Text documents (Markdown, plain text, PDF) to citable chunks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import CorruptFileError, UnsupportedFileError
from rag.ingest.injection import refuse_injections
from rag.ingest.markdown import DEFAULT_MAX_CHARS, chunk_markdown, slugify
from rag.types import Chunk, content_hash

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
PDF_SUFFIXES = {".pdf"}


@dataclass(frozen=True)
class ParsedDocument:
    """A document ready for indexing: its chunks and the hash that decides whether it changed."""

    doc_id: str
    title: str
    path: Path
    chunks: list[Chunk]
    content_hash: str


def doc_id_for(path: Path) -> str:
    return slugify(path.stem)


def _title_from_markdown(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path}: not valid UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def parse_text_document(
    path: Path, *, doc_id: str | None = None, max_chars: int = DEFAULT_MAX_CHARS, metadata: dict[str, Any] | None = None
) -> ParsedDocument:
    """Markdown and plain text share the section-aware chunker (plain text has no headings)."""
    text = _read_text(path)
    if not text.strip():
        raise CorruptFileError(f"{path}: the file is empty")
    refuse_injections(text, str(path))
    doc = doc_id or doc_id_for(path)
    title = _title_from_markdown(text, path.stem)
    chunks = chunk_markdown(text, doc, title, max_chars=max_chars, metadata={"source": doc, **(metadata or {})})
    return ParsedDocument(doc, title, path, chunks, content_hash(text))


def parse_pdf(
    path: Path, *, doc_id: str | None = None, max_chars: int = DEFAULT_MAX_CHARS, metadata: dict[str, Any] | None = None
) -> ParsedDocument:
    """One section per page so every chunk keeps the page number a reader can open."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    doc = doc_id or doc_id_for(path)
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        refuse_injections("\n".join(pages), str(path))
        title = (reader.metadata.title if reader.metadata else None) or path.stem
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise CorruptFileError(f"{path}: cannot read PDF ({exc})") from exc
    chunks: list[Chunk] = []
    for number, page_text in enumerate(pages, start=1):
        for chunk in chunk_markdown(
            page_text, doc, title, max_chars=max_chars, metadata={"source": doc, **(metadata or {})}
        ):
            anchor = chunk.chunk_id.split("#", 1)[1]
            anchor = anchor.removeprefix("preamble") if anchor.startswith("preamble") else f"/{anchor}"
            chunks.append(
                Chunk(
                    chunk_id=f"{doc}#page-{number}{anchor}",
                    doc_id=doc,
                    title=title,
                    section=f"page {number}",
                    text=chunk.text,
                    char_start=chunk.char_start,
                    char_end=chunk.char_end,
                    page=number,
                    metadata=chunk.metadata,
                )
            )
    if not chunks:
        raise CorruptFileError(f"{path}: the PDF has no extractable text (scanned images need OCR first)")
    return ParsedDocument(doc, title, path, chunks, content_hash("\n".join(pages)))


def parse_document(path: Path, **options: Any) -> ParsedDocument:
    """Dispatch on the file suffix; unknown types are an error naming the file."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return parse_text_document(path, **options)
    if suffix in PDF_SUFFIXES:
        return parse_pdf(path, **options)
    raise UnsupportedFileError(f"{path}: unsupported document type {suffix!r}; use .md, .txt or .pdf")
