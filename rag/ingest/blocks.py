"""Markdown section bodies rendered to clean, citable blocks with markdown-it-py.

What a reader needs to cite survives; what only a browser needs does not: a link becomes its text
(``[Chemoradiation therapy](/types/...)`` -> ``Chemoradiation therapy``), literature and evidence-level
markers (``[[12](#cit/section_7.12)]``, ``[[Level of evidence A1](...)]``, ``[Enlarge](...jpg)``) go, a
list keeps the sentence that introduces it and all its items in one block, and a table row keeps its
column headers ("Stage: IIIA; T: T1a; ..."). Blocks are joined with blank lines, so any block is a
verbatim slice of the passage text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rag.cite.sentences import split_sentences

BlockKind = Literal["paragraph", "list", "table", "code"]
_DROPPED_LINK = re.compile(r"^(?:#cit/|/Common/PopUps|https?://(?:www\.)?ncbi\.nlm\.nih\.gov)", re.IGNORECASE)
_DROPPED_TEXT = re.compile(r"^(?:Enlarge|PUBMED Abstract|Level of evidence [A-Z0-9]+|\d+(?:,\s*\d+)*)$", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\[[\s\-–,;]*\]")
_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z][^.!?]*:\s*$)")
_SPACES = re.compile(r"[ \t]+")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Block:
    """One citable unit of a section: its kind and its rendered text."""

    kind: BlockKind
    text: str


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _inline(token: Token) -> str:
    """Inline children as plain text: links as their text (or nothing for citation/evidence links)."""
    parts: list[str] = []
    skipping = 0
    link_text: list[str] = []
    for child in token.children or []:
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            skipping += 1
            link_text = []
            if _DROPPED_LINK.match(href):
                link_text.append("\0drop")
            continue
        if child.type == "link_close":
            skipping -= 1
            text = "".join(t for t in link_text if t != "\0drop")
            if "\0drop" not in link_text and not _DROPPED_TEXT.match(text.strip()):
                parts.append(text)
            continue
        piece = {"softbreak": " ", "hardbreak": " ", "image": ""}.get(child.type, child.content)
        if child.type in ("strong_open", "strong_close", "em_open", "em_close"):
            piece = ""
        (link_text if skipping else parts).append(piece)
    text = _EMPTY_BRACKETS.sub("", "".join(parts))
    return _SPACES.sub(" ", text).strip()


def _list_items(tokens: list[Token], start: int) -> tuple[list[str], int]:
    """Rendered items of the list opening at ``tokens[start]`` (nested items indented); returns the end index."""
    items: list[str] = []
    depth = 0
    number = 0
    ordered_stack: list[bool] = []
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered_stack.append(token.type == "ordered_list_open")
            depth += 1
            number = 0
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            ordered_stack.pop()
            depth -= 1
            if depth == 0:
                return items, index
        elif token.type == "list_item_open":
            number += 1
            marker = f"{token.info or number}." if ordered_stack and ordered_stack[-1] else "-"
            items.append(f"{'  ' * (depth - 1)}{marker} ")
        elif token.type == "inline" and items:
            joiner = "" if items[-1].endswith(" ") else " "
            items[-1] = f"{items[-1]}{joiner}{_inline(token)}"
        index += 1
    return items, index


_RULE = re.compile(r":?-{3,}:?")


def _table(tokens: list[Token], start: int) -> tuple[list[str], int]:
    """Table rows rendered as "Header: cell; Header: cell" lines; returns the end index."""
    headers: list[str] = []
    rows: list[list[str]] = []
    in_head = False
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token.type == "table_close":
            break
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            (headers if in_head else rows[-1]).append(_inline(token))
        index += 1
    lines = []
    for row in rows:
        if all(_RULE.fullmatch(c) for c in row if c):
            continue  # a second delimiter row inside the body ("| --- | --- |"), as converted documents carry
        cells = [f"{h}: {c}" if h else c for h, c in zip(headers or [""] * len(row), row, strict=False) if c]
        if cells:
            lines.append("; ".join(cells))
    return lines, index


def _bold_label(token: Token) -> str | None:
    """The text of a paragraph that is only a short bold phrase ("**Kerley B lines**"): a heading in all but name."""
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) < 3 or children[0].type != "strong_open" or children[-1].type != "strong_close":
        return None
    text = _inline(token)
    return text if 0 < len(text) <= 80 and not text.endswith((".", ":")) else None


def _labelled(blocks: list[Block], label: str | None, start: int) -> None:
    """Prefix the blocks from ``start`` with the bold label they sit under, so each stays self-explanatory."""
    if label is None:
        return
    for position in range(start, len(blocks)):
        block = blocks[position]
        if block.text.startswith(f"{label}:"):
            continue
        separator = "\n" if block.kind == "list" and _ITEM.match(block.text) else " "
        blocks[position] = Block(block.kind, f"{label}:{separator}{block.text}")


def render_blocks(markdown: str) -> list[Block]:
    """Clean blocks of one section body; a list (or a run of lists) joins the paragraph that leads into it, and
    blocks under a bold pseudo-heading carry it as their label."""
    tokens = _parser().parse(markdown)
    blocks: list[Block] = []
    label: str | None = None
    label_start = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "inline" and token.level == 1 and _bold_label(token) is not None:
            _labelled(blocks, label, label_start)
            label, label_start = _bold_label(token), len(blocks)
        elif token.type == "inline" and token.level == 1:
            text = _inline(token)
            if text:
                blocks.append(Block("paragraph", text))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            items, index = _list_items(tokens, index)
            rendered = "\n".join(items)
            previous = blocks[-1] if blocks else None
            if previous is not None and previous.kind == "list":
                blocks[-1] = Block("list", f"{previous.text}\n{rendered}")
            elif previous is not None and previous.kind == "paragraph" and previous.text.rstrip().endswith(":"):
                # Only the sentence that introduces the list leads it; the ones before stay a paragraph.
                parts = _LAST_SENTENCE.split(previous.text)
                head, lead = " ".join(parts[:-1]), parts[-1]
                blocks[-1:] = [Block("paragraph", head)] * bool(head) + [Block("list", f"{lead}\n{rendered}")]
            elif rendered.strip():
                blocks.append(Block("list", rendered))
        elif token.type == "table_open":
            lines, index = _table(tokens, index)
            if lines:
                blocks.append(Block("table", "\n".join(lines)))
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(Block("code", token.content.strip()))
        index += 1
    _labelled(blocks, label, label_start)
    return blocks


def split_blocks(text: str) -> list[str]:
    """The blocks of a rendered passage text (blank-line separated)."""
    return [part for part in re.split(r"\n\s*\n", text) if part.strip()]


def is_list_block(block: str) -> bool:
    lines = block.split("\n")
    return len(lines) > 1 and any(_ITEM.match(line) or ": " in line for line in lines[1:])


def passage_units(text: str) -> list[tuple[str, bool]]:
    """A passage as answer units, with whether each is a list: list and table blocks whole (with their
    lead-in), paragraphs sentence by sentence."""
    units: list[tuple[str, bool]] = []
    for block in split_blocks(text):
        if is_list_block(block):
            units.append((block, True))
            continue
        # The verifier's splitter, so a unit is a sentence the verifier also sees whole ("Balik et al. 2006").
        units.extend((span.text, False) for span in split_sentences(block))
    return units
