"""JSONL report corpora (one report or caption per line) to chunks.

Field names differ between corpora, so the id and text fields are looked up from a short list
(ROCO uses ``roco_id``/``caption``; hospital exports tend to use ``id``/``report``/``text``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag.cues import modality_from_text, region_from_text
from rag.errors import CorruptFileError
from rag.ingest.documents import ParsedDocument, doc_id_for
from rag.ingest.injection import find_injections
from rag.types import Chunk, content_hash

ID_FIELDS = ("id", "report_id", "roco_id", "case_id")
TEXT_FIELDS = ("report", "text", "caption", "findings")
KEPT_FIELDS = ("license", "pmc_file", "split", "modality", "organ", "keywords")


def _first(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name]
    return None


def _domain(text: str) -> tuple[str, str | None]:
    region = region_from_text(text)
    return (f"radiology:{region}" if region else "radiology:unknown"), modality_from_text(text)


def parse_reports(path: Path, *, doc_id: str | None = None) -> tuple[ParsedDocument, list[str]]:
    """Parse a report corpus; bad lines are reported by line number and skipped, never fatal."""
    doc = doc_id or doc_id_for(path)
    chunks: list[Chunk] = []
    problems: list[str] = []
    digest_parts: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path}: not valid UTF-8 ({exc.reason})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}:{number}: expected a JSON object")
            continue
        text = _first(row, TEXT_FIELDS)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{path}:{number}: no report text in any of the fields {list(TEXT_FIELDS)}")
            continue
        injected = find_injections(text)
        if injected:
            problems.append(f"{path}:{number}: instructions aimed at the answering model ({injected[0]!r}); skipped")
            continue
        row_id = str(_first(row, ID_FIELDS) or f"line-{number}")
        domain, modality = _domain(text)
        metadata: dict[str, Any] = {"source": doc, "kind": "report", "domain": domain, "line": number}
        if modality:
            metadata["modality"] = modality
        metadata.update({name: row[name] for name in KEPT_FIELDS if isinstance(row.get(name), str)})
        chunks.append(Chunk(f"{doc}#{row_id}", doc, path.stem, row_id, text.strip(), 0, len(text), metadata=metadata))
        digest_parts.append(line)
    if not chunks:
        raise CorruptFileError(f"{path}: no usable report lines ({len(problems)} problems, first: {problems[:1]})")
    return ParsedDocument(doc, path.stem, path, chunks, content_hash("\n".join(digest_parts))), problems
