"""Guideline questions: does the answer contain every required fact, cited from the section that states it?

An item is ``{"id", "question", "answerable", "required_facts": [[alternatives...], ...], "source_doc",
"source_section"}``. An answerable item is *complete* when every fact (any alternative, case- and
dash-insensitive) is in the answer, and *complete and cited* when each fact sits in a sentence that cites a
passage of the expected document and section whose text contains the fact. An out-of-scope item is right
when the answer abstains. A cited sentence whose fact is not in the cited passage counts as unsupported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.cite.sentences import parse_markers, split_sentences
from rag.errors import InputError

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    return " ".join(text.translate(_DASHES).casefold().split())


@dataclass(frozen=True)
class GuidelineItem:
    id: str
    question: str
    answerable: bool
    facts: list[list[str]]
    source_doc: str | None
    source_section: str | None
    topic: str = ""
    qtype: str = ""


def load_guideline_items(path: Path) -> list[GuidelineItem]:
    """Read a guideline-questions JSONL file; every line is checked so a typo fails with its line number."""
    if not path.is_file():
        raise InputError(f"guideline questions file not found: {path}")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            answerable = bool(row["answerable"])
            facts = [list(map(str, alternatives)) for alternatives in row.get("required_facts", [])]
            if answerable and not facts:
                raise ValueError("an answerable question needs required_facts")
            items.append(
                GuidelineItem(
                    id=str(row["id"]),
                    question=str(row["question"]),
                    answerable=answerable,
                    facts=facts,
                    source_doc=row.get("source_doc"),
                    source_section=row.get("source_section"),
                    topic=str(row.get("topic", "")),
                    qtype=str(row.get("qtype", "")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}:{number}: not a guideline question: {exc}") from exc
    return items


def is_source_section(passage_id: str, section: str, item: GuidelineItem) -> bool:
    """Whether a passage lies in the document and section that the item says states the answer: its own
    heading, or one above it when the item names a parent section (a comparison of two subsections is labelled
    with the heading they share: "Solid nodules" for 7 mm against 9 mm; without this such items could never
    score)."""
    wanted = normalise(item.source_section or "")
    headings = [normalise(part) for part in section.split(" > ")]
    return passage_id.split("#", 1)[0] == item.source_doc and wanted in headings


def _in_section(row: dict[str, Any], item: GuidelineItem) -> bool:
    return is_source_section(str(row.get("id", "")), str(row.get("section") or ""), item)


def score_answer(item: GuidelineItem, answer: dict[str, Any]) -> dict[str, Any]:
    """Score one answer (the ``Answer.to_dict()`` contract) against its item."""
    abstained = bool(answer.get("abstained"))
    if not item.answerable:
        return {"id": item.id, "answerable": False, "correct": abstained, "abstained": abstained}
    passages = {row["n"]: row for row in answer.get("evidence", {}).get("passages", [])}
    sentences = [span.text for span in split_sentences(str(answer.get("answer", "")))]
    present, cited, cited_anywhere, unsupported = 0, 0, 0, 0
    for alternatives in item.facts:
        wanted = [normalise(a) for a in alternatives]
        holders = [s for s in sentences if any(w in normalise(s) for w in wanted)]
        if not holders or abstained:
            continue
        present += 1
        ok = anywhere = False
        for sentence in holders:
            numbers = [n for marker in parse_markers(sentence) for n in marker.numbers]
            sources = [passages[n] for n in numbers if n in passages]
            holding = [p for p in sources if any(w in normalise(str(p.get("text", ""))) for w in wanted)]
            if sources and not holding:
                unsupported += 1
            ok = ok or any(_in_section(p, item) for p in holding)
            anywhere = anywhere or bool(holding)
        cited += ok
        cited_anywhere += anywhere
    total = len(item.facts)
    return {
        "id": item.id,
        "answerable": True,
        "abstained": abstained,
        "facts": total,
        "facts_present": present,
        "facts_cited": cited,
        "complete": present == total and not abstained,
        "correct": cited == total and not abstained,
        "cited_from_any_section": cited_anywhere == total and not abstained,
        "unsupported_fact_citations": unsupported,
    }


@dataclass
class GuidelineSummary:
    """Headline figures for one generator on one question set."""

    generator: str
    answerable: int = 0
    out_of_scope: int = 0
    complete: int = 0
    correct: int = 0
    correct_any_section: int = 0
    abstained_answerable: int = 0
    oos_abstained: int = 0
    unsupported: int = 0
    seconds: float = 0.0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, scored: dict[str, Any], seconds: float) -> None:
        self.rows.append({**scored, "seconds": round(seconds, 3)})
        self.seconds += seconds
        if scored["answerable"]:
            self.answerable += 1
            self.complete += scored["complete"]
            self.correct += scored["correct"]
            self.correct_any_section += scored["cited_from_any_section"]
            self.abstained_answerable += scored["abstained"]
            self.unsupported += scored["unsupported_fact_citations"]
        else:
            self.out_of_scope += 1
            self.oos_abstained += scored["abstained"]

    def as_dict(self) -> dict[str, Any]:
        answered = max(1, self.answerable)
        return {
            "generator": self.generator,
            "answerable": self.answerable,
            "out_of_scope": self.out_of_scope,
            "complete_rate": round(self.complete / answered, 4),
            "complete_and_cited_rate": round(self.correct / answered, 4),
            "complete_and_cited_any_section_rate": round(self.correct_any_section / answered, 4),
            "abstained_on_answerable": round(self.abstained_answerable / answered, 4),
            "oos_abstention_rate": round(self.oos_abstained / max(1, self.out_of_scope), 4),
            "unsupported_fact_citations": self.unsupported,
            "seconds_per_answer": round(self.seconds / max(1, len(self.rows)), 3),
        }


def run_guideline_eval(
    answer: Callable[[str], dict[str, Any]], items: list[GuidelineItem], generator: str
) -> GuidelineSummary:
    """Ask every question through ``answer`` (the façade's text-only path) and score it."""
    summary = GuidelineSummary(generator)
    for item in items:
        started = time.perf_counter()
        result = answer(item.question)
        summary.add(score_answer(item, result), time.perf_counter() - started)
    return summary


def failures(summary: GuidelineSummary, items: list[GuidelineItem]) -> list[str]:
    """One line per wrong item, for reading the misses of a development set."""
    by_id = {item.id: item for item in items}
    lines = []
    for row in summary.rows:
        if row["correct"]:
            continue
        item = by_id[row["id"]]
        detail = "abstained" if row["abstained"] else f"facts {row.get('facts_present')}/{row.get('facts')} present"
        if not item.answerable:
            detail = "answered an out-of-scope question"
        question = " ".join(item.question.split())[:90]
        lines.append(f"{item.id} [{item.qtype or 'oos'}] {detail}: {question}")
    return lines
