"""The learned answerer inside ``Pipeline.answer``: predict, abstain below the risk threshold, cite.

The model's answer is cited through the verbatim Q/A line of a retrieved similar case that asked
(nearly) the same question and got the same answer, so :mod:`rag.cite` verifies it like any quote.
When no retrieved case supports it, the answer says so instead of citing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answerer.data import normalise_answer
from rag.answerer.model import Inputs, asks_yes_no
from rag.answerer.saved import SavedAnswerer, load_answerer
from rag.cite import INSUFFICIENT_EVIDENCE
from rag.encoders.base import EncoderInfo, TextEncoder
from rag.retrieve.retriever import EvidenceItem
from rag.store.fsio import CURRENT
from rag.vqa import qa_line, same_subject

MODE = "answerer"
UNCITED_MODE = "answerer-uncited"
MIN_QUESTION_SIMILARITY = 0.6
MIN_TERM_OVERLAP = 0.6


@dataclass(frozen=True)
class LearnedAnswer:
    text: str
    mode: str
    info: dict[str, Any]


class ServedAnswerer:
    """The artifact under ``root``, reloaded when its ``CURRENT`` pointer moves; None when none is trained."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._loaded: tuple[str, SavedAnswerer] | None = None

    def version(self) -> str | None:
        """The version ``CURRENT`` names (what answers would come from), or None when none is trained."""
        pointer = self.root / CURRENT
        return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None

    def get(self, encoders: Mapping[str, EncoderInfo]) -> SavedAnswerer | None:
        pointer = self.root / CURRENT
        if not pointer.is_file():
            return None
        with self._lock:
            name = pointer.read_text(encoding="utf-8").strip()
            if self._loaded is None or self._loaded[0] != name:
                self._loaded = (name, load_answerer(self.root, encoders))
            return self._loaded[1]


def _support(
    question: str, answer: str, cases: Sequence[EvidenceItem], encoder: TextEncoder, yes_no: bool
) -> tuple[EvidenceItem, str] | None:
    """The retrieved case whose Q/A pair asks the same thing and gives the same answer (best match)."""
    pairs = [
        (case, qa)
        for case in cases
        for qa in case.metadata.get("qa", [])
        if normalise_answer(qa.get("answer", "")) == answer
    ]
    if not pairs:
        return None
    vectors = encoder.encode([question, *(qa["question"] for _, qa in pairs)])
    similarities = np.asarray(vectors[1:] @ vectors[0], dtype=float)
    ranked = [
        (max(case.similarity, 0.0) * float(similarity), case, qa)
        for (case, qa), similarity in zip(pairs, similarities, strict=True)
        if similarity >= MIN_QUESTION_SIMILARITY
        and (not yes_no or same_subject(question, qa["question"], MIN_TERM_OVERLAP))
    ]
    if not ranked:
        return None
    _, case, qa = max(ranked, key=lambda entry: entry[0])
    return case, qa_line(qa["question"], qa["answer"])


def answer_image_question(
    saved: SavedAnswerer,
    question: str,
    question_vector: np.ndarray,
    image_vector: np.ndarray,
    *,
    closed: bool,
    cases: Sequence[EvidenceItem],
    numbers: Mapping[str, int],
    encoder: TextEncoder,
    controlled: bool,
    exclude_image: str | None = None,
) -> LearnedAnswer:
    """Answer (or abstain) with the learned model; ``exclude_image`` keeps that image's training votes out."""
    inputs = Inputs([question], question_vector, image_vector, [None], np.array([asks_yes_no(question, closed)]))
    prediction = saved.model.predict(inputs, exclude=[exclude_image])[0]
    threshold = saved.threshold(prediction.head, controlled)
    info: dict[str, Any] = {
        "name": "answerer",
        "version": saved.version,
        "answer": prediction.answer,
        "head": prediction.head,
        "recalled": prediction.recalled,
        "probability": round(prediction.probability, 4),
        "threshold": threshold.as_dict()["threshold"],
        "risk_control": {"alpha": threshold.alpha, "delta": threshold.delta} if controlled else None,
    }
    if not threshold.answers(prediction.probability):
        return LearnedAnswer(INSUFFICIENT_EVIDENCE, MODE, {**info, "abstained": True})
    support = _support(question, prediction.answer, cases, encoder, prediction.head == "yes-no")
    shown = prediction.answer.capitalize() if prediction.head == "yes-no" else prediction.answer
    if support is None:
        text = f"{shown}. No similar retrieved case supports this answer; it is the learned answerer's prediction."
        return LearnedAnswer(text, UNCITED_MODE, {**info, "abstained": False, "cited": False})
    case, line = support
    if prediction.head == "yes-no":
        text = f'{shown}. "{line}" [{numbers[case.id]}]'
    else:
        text = f'The answer is {shown}, as in a similar case: "{line}" [{numbers[case.id]}]'
    return LearnedAnswer(text, MODE, {**info, "abstained": False, "cited": True})
