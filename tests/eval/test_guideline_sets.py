"""The labelled guideline question sets agree with the knowledge they claim to quote.

A set whose section label or required fact does not match the text as medcite reads it measures nothing:
the engine could never score that question. Each answerable item must name a section that exists in its
document (as the Markdown reader splits it, compared the way the scorer compares sections) and every
required fact must be in that section's rendered text. PDQ items are checked when the shared datasets are present.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from eval.guideline import GuidelineItem, is_source_section, load_guideline_items, normalise
from rag.config import Settings
from rag.ingest.markdown import chunk_markdown
from rag.knowledge import load_manifest
from rag.types import Chunk

pytestmark = pytest.mark.unit

SETS = sorted((Path(__file__).resolve().parents[2] / "eval" / "sets").glob("guideline-*.jsonl"))


@cache
def _documents() -> dict[str, str]:
    """Document id -> Markdown text, for the shipped knowledge and (when present) the PDQ summaries."""
    texts = {document.doc_id: document.path.read_text(encoding="utf-8") for document in load_manifest()}
    pdq = Settings().default_docs()
    if pdq.is_dir():
        texts.update({path.stem: path.read_text(encoding="utf-8") for path in sorted(pdq.glob("*.md"))})
    return texts


@cache
def _chunks(doc_id: str) -> list[Chunk]:
    return chunk_markdown(_documents()[doc_id], doc_id, "")


def _section_text(item: GuidelineItem) -> str | None:
    """The headings and rendered text of every chunk the scorer counts as the item's section (its own heading
    or one above it); None if there is none."""
    found = [
        f"{c.section} {c.text}" for c in _chunks(str(item.source_doc)) if is_source_section(c.chunk_id, c.section, item)
    ]
    return normalise(" ".join(found)) if found else None


@pytest.mark.parametrize("path", SETS, ids=[path.stem for path in SETS])
def test_every_answerable_item_names_a_real_section_holding_its_facts(path: Path) -> None:
    items = load_guideline_items(path)
    assert len({item.id for item in items}) == len(items), "question ids repeat"
    assert any(not item.answerable for item in items), "a set needs out-of-scope questions too"
    problems = []
    for item in (item for item in items if item.answerable):
        if item.source_doc not in _documents():
            if item.source_doc and item.source_doc.startswith("types-lung-hp-"):
                continue  # a PDQ summary, and the shared datasets are not on this machine
            problems.append(f"{item.id}: unknown document {item.source_doc!r}")
            continue
        text = _section_text(item)
        if text is None:
            problems.append(f"{item.id}: no section {item.source_section!r} in {item.source_doc}")
            continue
        missing = [facts for facts in item.facts if not any(normalise(fact) in text for fact in facts)]
        if missing:
            problems.append(f"{item.id}: {missing} not in {item.source_doc} > {item.source_section}")
    assert not problems, "\n".join(problems)


def test_a_parent_section_label_counts_its_subsections() -> None:
    item = GuidelineItem("q", "7 mm vs 9 mm?", True, [["PET"]], "nodules", "Solid nodules")
    section = "Fleischner > Solid nodules > Single solid nodule 6 to 8 mm"
    assert is_source_section("nodules#a/b", section, item)
    assert is_source_section("nodules#a/b", section, replace(item, source_section="single solid NODULE 6 to 8 mm"))
    assert not is_source_section("nodules#a/c", "Fleischner > Subsolid nodules", item)
    assert not is_source_section("other-doc#a/b", section, item)
