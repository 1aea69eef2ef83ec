"""Extractive answer composition: the units of the best passages that answer this kind of question.

A unit is a sentence, or a whole list with the sentence that introduces it, or a table row block. Units
are scored against the question (embedding cosine and word recall, the question's numbers against the
unit's ranges, the question kind, the branch it names); the answer is built from the best unit's passage
first, so it reads as one coherent section rather than a mix of sentences from five sources; a second section
follows only when it matches the question nearly as well (the ranking between close sections is often wrong).
A list keeps every item that is not about a branch the question excludes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.answering.numbers import numeric_fit
from rag.answering.question import QuestionProfile, concept_terms
from rag.answering.weights import UNITS
from rag.cite.lexical import content_tokens, recall
from rag.cite.sentences import split_sentences, strip_markers
from rag.encoders.base import TextEncoder
from rag.generate.base import Source
from rag.ingest.blocks import passage_units

_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_RECOMMENDATION = re.compile(
    r"\b(?:recommend\w*|should|consider|follow[- ]?up|CT\s+at|treat\w*|options?|indicated|offer\w*|manage\w*)\b", re.I
)
_DEFINITION = re.compile(r"\b(?:is|are|means|refers\s+to|defined\s+as|describes?)\b", re.I)
_ARTICLE = re.compile(r"^(?:It|Its|This|These|They|The|A|An|In|On|With|When)\b")
MAX_ITEMS = 14
WHOLE_SECTION_UNITS = 9
WHOLE_SECTION_CHARS = 2200
# A second section joins the answer when its best unit matches the question at least this well relative to the
# best unit, and its passage is among the first three. Measured on nine labelled sets (494 questions): the
# reranker puts the right section first for 362 but among the first two for 418; with 0.8 complete and cited
# answers went from 312 to 334 (none lost), at about 190 more characters per answer.
SECOND_SECTION_RATIO = 0.8
SECOND_SECTION_WITHIN = 3


@dataclass(frozen=True)
class Unit:
    source: Source
    position: int
    text: str
    is_list: bool


# Where the unit's passage ranked: it steers the choice between units, never whether any unit answers.
RANK_FEATURES = frozenset({"first_passage", "second_passage"})


@dataclass(frozen=True)
class ScoredUnit:
    """``score`` ranks units; ``match`` (the score without the rank bonus) decides whether any answers."""

    unit: Unit
    score: float
    match: float


def units_of(source: Source) -> list[Unit]:
    """A passage as units: list and table blocks whole, paragraphs sentence by sentence."""
    units: list[Unit] = []
    for text, is_list in passage_units(source.text):
        clean = text if is_list else strip_markers(text).strip()
        if is_list or len(content_tokens(clean)) >= 2:
            units.append(Unit(source, len(units), clean, is_list))
    return units


def unit_features(
    question: QuestionProfile, unit: Unit, cosine: float, rank: int, terms: list[str]
) -> dict[str, float]:
    """What the unit scorer weighs: match to the question, fit of numbers and kind, branch, place in the ranking."""
    kind_match = (question.kind == "recommendation" and bool(_RECOMMENDATION.search(unit.text))) or (
        question.kind == "threshold" and bool(re.search(r"\d", unit.text))
    )
    return {
        "cosine": cosine,
        "recall": recall(terms, f"{unit.source.section or ''} {unit.text}"),
        "numbers": numeric_fit(question.on_branch(unit.text), question.quantities),
        "list_for_list": float(question.kind in ("list", "comparison") and unit.is_list),
        "kind_match": float(kind_match),
        "definition_lead": float(question.kind == "definition" and unit.position == 0),
        "conflict": float(question.conflicts(unit.text)),
        "first_passage": float(rank == 0),
        "second_passage": float(rank == 1),
    }


def score_units(
    question: QuestionProfile, sources: Sequence[Source], encoder: TextEncoder, *, passages: int = 5
) -> list[ScoredUnit]:
    """Every unit of the first ``passages`` sources with its score (sources arrive best first)."""
    units = [unit for source in sources[:passages] for unit in units_of(source)]
    if not units:
        return []
    terms = content_tokens(question.text)
    vectors = encoder.encode([question.text] + [unit.text for unit in units])
    cosines = np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
    rank = {source.n: index for index, source in enumerate(sources)}
    scored = []
    for unit, cosine in zip(units, cosines, strict=True):
        features = unit_features(question, unit, float(cosine), rank[unit.source.n], terms)
        match = UNITS.score({name: value for name, value in features.items() if name not in RANK_FEATURES})
        scored.append(ScoredUnit(unit, round(UNITS.score(features), 6), round(match, 6)))
    return scored


def render(unit: Unit, question: QuestionProfile, *, with_section: bool = False) -> str:
    """A unit as one cited sentence; a list as its lead-in and its items joined with semicolons. With
    ``with_section`` the section's name leads when the unit does not say what it is about ("Subpulmonic
    effusion: It mimics an elevated hemidiaphragm")."""
    if unit.is_list:
        lines = unit.text.split("\n")
        lead = "" if _ITEM.match(lines[0]) else lines[0].rstrip(" :")
        items = [_ITEM.sub("", line).strip().rstrip(" .;") for line in (lines[1:] if lead else lines)]
        kept = [item for item in items if item and not question.conflicts(item)][:MAX_ITEMS] or items[:MAX_ITEMS]
        body = f"{lead}: {'; '.join(kept)}" if lead else "; ".join(kept)
    else:
        body = unit.text.rstrip(" .;:!?")
    leaf = (unit.source.section or "").split(" > ")[-1].strip()
    if with_section and content_tokens(leaf) and recall(content_tokens(leaf), body) < 0.5:
        body = f"{leaf}: {_ARTICLE.sub(lambda m: m.group(0).lower(), body, count=1)}"
    # Every sentence carries the marker: list items hold sentences of their own, and the verifier drops an
    # uncited sentence.
    return " ".join(f"{span.text.rstrip(' .;:')} [{unit.source.n}]." for span in split_sentences(body))


def compose(
    question: QuestionProfile,
    scored: list[ScoredUnit],
    *,
    max_units: int = 3,
    min_score: float = 0.35,
    relative_cutoff: float = 0.6,
) -> list[ScoredUnit]:
    """The units of the answer, in reading order. The best unit fixes the home passage; a list question also
    takes that passage's best list; further units are added while they cover question words not covered yet
    (a two-part question gets both parts); one unit from another passage may complete it, and the best unit of
    a second section that matches nearly as well follows (:func:`with_second_section`). Empty when nothing
    reaches ``min_score``."""
    if not scored:
        return []
    ranked = sorted(scored, key=lambda s: (-s.score, s.unit.source.n, s.unit.position))
    best = ranked[0]
    if max(s.match for s in scored) < min_score:
        return []
    home = best.unit.source.n
    home_units = [s for s in scored if s.unit.source.n == home]
    short = len(home_units) <= WHOLE_SECTION_UNITS and sum(len(s.unit.text) for s in home_units) <= WHOLE_SECTION_CHARS
    if short and max_units >= 3:
        # A short section answers best whole: its lead-in, its list and its caveats read as one coherent answer.
        whole = sorted(
            (s for s in home_units if not question.conflicts(s.unit.text) or s is best), key=lambda s: s.unit.position
        )
        return with_second_section(whole, ranked, best)
    terms = set(concept_terms(question.text))
    chosen = [best]
    if question.kind in ("list", "comparison") and not best.unit.is_list:
        lists = [s for s in ranked if s.unit.source.n == home and s.unit.is_list]
        if lists:
            chosen.append(lists[0])
    covered = set().union(*(terms & set(content_tokens(s.unit.text)) for s in chosen))
    floor = max(min_score, relative_cutoff * best.score)
    pool = [s for s in ranked if s not in chosen and s.score >= floor]
    while len(chosen) < max_units and pool:
        gains = [(len((terms & set(content_tokens(s.unit.text))) - covered), s.unit.source.n == home, s) for s in pool]
        gain, at_home, pick = max(gains, key=lambda g: (g[0], g[1], g[2].score))
        if gain == 0 or (not at_home and pick.score < 0.9 * best.score):
            break
        chosen.append(pick)
        covered |= terms & set(content_tokens(pick.unit.text))
        pool.remove(pick)
    chosen.sort(key=lambda s: (s.unit.source.n != home, s.unit.source.n, s.unit.position))
    return with_second_section(chosen, ranked, best)


def with_second_section(
    chosen: list[ScoredUnit],
    ranked: list[ScoredUnit],
    best: ScoredUnit,
    *,
    ratio: float = SECOND_SECTION_RATIO,
    within: int = SECOND_SECTION_WITHIN,
) -> list[ScoredUnit]:
    """The answer's units plus the best unit of one more of the first ``within`` passages when it matches the
    question nearly as well as the best unit (``ratio`` of its match). When the ranking between two close
    sections is wrong, the section that answers is still in the answer. The home section stays first: read
    by match alone, a subsection that repeats its parent's words ("stage IIIA ... tumours that invade the
    chest wall") would lead the answer to a general question."""
    used = {s.unit.source.n for s in chosen}
    leading = sorted({s.unit.source.n for s in ranked})[:within]
    others = [s for s in ranked if s.unit.source.n not in used and s.unit.source.n in leading]
    if not others or others[0].match < ratio * best.match:
        return chosen
    return [*chosen, others[0]]
