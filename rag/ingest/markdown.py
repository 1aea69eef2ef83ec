"""Section-aware Markdown chunking.

A chunk never crosses a heading, so every chunk has one section path to cite. Its text is the section
rendered to clean blocks (:mod:`rag.ingest.blocks`); long sections are split between blocks and the
parts share the section id plus ``~2``, ``~3``... ``char_start``/``char_end`` give the section's span in
the source file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rag.ingest.blocks import render_blocks
from rag.types import Chunk

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
DEFAULT_MAX_CHARS = 1500


def slugify(text: str) -> str:
    """Lower-case ASCII slug used in section ids (``"N2a / N2b"`` -> ``"n2a-n2b"``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


@dataclass(frozen=True)
class Section:
    """The body text under one heading (subsections excluded) and where it sits."""

    path: tuple[str, ...]
    body: str
    start: int
    end: int

    @property
    def slug(self) -> str:
        return "/".join(slugify(part) for part in self.path) or "preamble"

    @property
    def label(self) -> str:
        return " > ".join(self.path) or "(preamble)"


def iter_sections(text: str) -> Iterator[Section]:
    """Yield each heading's own body with its heading path and character span in ``text``."""
    front = _FRONT_MATTER.match(text)
    offset = front.end() if front else 0
    path: list[tuple[int, str]] = []
    current: tuple[str, ...] = ()
    body_start = offset
    in_fence = False
    pos = offset
    for line in text[offset:].splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(stripped)
        if match:
            yield from _section(text, current, body_start, pos)
            level = len(match.group(1))
            path = [(lvl, name) for lvl, name in path if lvl < level]
            path.append((level, match.group(2).strip()))
            current = tuple(name for _, name in path)
            body_start = pos + len(line)
        pos += len(line)
    yield from _section(text, current, body_start, len(text))


def _section(text: str, path: tuple[str, ...], start: int, end: int) -> Iterator[Section]:
    body = text[start:end]
    lead = len(body) - len(body.lstrip())
    stripped = body.strip()
    if stripped:
        yield Section(path=path, body=stripped, start=start + lead, end=start + lead + len(stripped))


def _pack(blocks: list[str], max_chars: int) -> list[str]:
    """Greedy block packing into parts of at most ``max_chars``; a block is never split unless it alone is too
    long, and then a list keeps its lead-in line at the top of every part."""
    parts: list[str] = []
    for block in blocks:
        pieces = [block] if len(block) <= max_chars else _split_long(block, max_chars)
        for piece in pieces:
            if parts and len(parts[-1]) + 2 + len(piece) <= max_chars:
                parts[-1] = f"{parts[-1]}\n\n{piece}"
            else:
                parts.append(piece)
    return parts


def _split_long(block: str, max_chars: int) -> list[str]:
    lines = block.split("\n")
    lead = lines[0] if lines[0].rstrip().endswith(":") else ""
    pieces: list[str] = []
    current = ""
    for line in lines[1:] if lead else lines:
        candidate = f"{current}\n{line}" if current else (f"{lead}\n{line}" if lead else line)
        if current and len(candidate) > max_chars:
            pieces.append(current)
            current = f"{lead}\n{line}" if lead else line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def chunk_markdown(
    text: str,
    doc_id: str,
    title: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    metadata: Mapping[str, Any] | None = None,
) -> list[Chunk]:
    """Split a Markdown document into section chunks with stable, citable ids."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in iter_sections(text):
        base = section.slug
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            base = f"{base}-{seen[base]}"
        parts = _pack([block.text for block in render_blocks(section.body)], max_chars)
        for index, part in enumerate(parts, start=1):
            suffix = "" if index == 1 else f"~{index}"
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}#{base}{suffix}",
                    doc_id=doc_id,
                    title=title,
                    section=section.label,
                    text=part,
                    char_start=section.start,
                    char_end=section.end,
                    metadata=dict(metadata or {}),
                )
            )
    return chunks
