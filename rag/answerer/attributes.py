"""Image-level labels read off the training questions: organ, modality, plane, contrast.

These are properties of a picture, not of one question, so a head trained to predict them from the
image alone can transfer to images never seen in training (unlike "is there a mass?", whose answer
is specific to one patient). Each label comes only from the training items given.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from rag.answerer.data import CLOSED, QAItem
from rag.cues import modality_from_text, region_from_text

ATTRIBUTES = ("organ", "modality", "plane", "contrast")

_PLANES: dict[str, re.Pattern[str]] = {
    "axial": re.compile(r"\b(axial|transverse|cross[- ]?sectional)\b"),
    "coronal": re.compile(r"\bcoronal\b"),
    "sagittal": re.compile(r"\bsagittal\b"),
    "pa": re.compile(r"\b(pa|posteroanterior|postero anterior)\b"),
    "ap": re.compile(r"\b(ap|anteroposterior|antero posterior)\b"),
    "lateral": re.compile(r"\blateral (view|film|radiograph|projection)\b|^lateral$"),
}
_CONTRAST = re.compile(r"\bcontrast\b")
_NEGATED = re.compile(r"\b(not|without|non)\b")


def _first(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    return next((label for label, pattern in patterns.items() if pattern.search(text)), None)


def _from_answer_or_affirmed_question(item: QAItem, read: Callable[[str], str | None]) -> str | None:
    """An open answer names the value; a closed "yes" names it in the question; a "no" says nothing."""
    question = item.question.lower()
    if _NEGATED.search(question):
        return None
    if item.answer_type != CLOSED:
        return read(item.answer)
    return read(question) if item.answer == "yes" else None


def _modality(item: QAItem) -> str | None:
    if item.question_type != "MODALITY":
        return None
    return _from_answer_or_affirmed_question(item, modality_from_text)


def _plane(item: QAItem) -> str | None:
    if item.question_type != "PLANE":
        return None
    return _from_answer_or_affirmed_question(item, lambda text: _first(_PLANES, text.lower()))


def _contrast(item: QAItem) -> str | None:
    question = item.question.lower()
    if item.answer_type != CLOSED or not _CONTRAST.search(question) or _NEGATED.search(question):
        return None
    if not re.search(r"\b(contrast (used|given|administered|enhanced)|with contrast|contrast[- ]enhanced)\b", question):
        return None
    return {"yes": "with", "no": "without"}.get(item.answer)


def _organ(item: QAItem) -> str | None:
    return item.organ or None


READERS: dict[str, Callable[[QAItem], str | None]] = {
    "organ": _organ,
    "modality": _modality,
    "plane": _plane,
    "contrast": _contrast,
}


_ORGAN_OF_REGION = {"chest": "CHEST", "abdomen": "ABD", "head": "HEAD"}
_ASKS_CONTRAST = re.compile(r"\b(contrast|enhanc\w*)\b")


def named_values(question: str) -> dict[str, str | None]:
    """The attribute values a question names ("Is this an MRI?" names modality MRI; "Is the liver
    enlarged?" names the abdomen), to be compared with what the image shows."""
    text = question.lower()
    region = region_from_text(text)
    return {
        "organ": _ORGAN_OF_REGION.get(region) if region else None,
        "modality": modality_from_text(text),
        "plane": _first(_PLANES, text),
        "contrast": "with" if _ASKS_CONTRAST.search(text) else None,
    }


def image_labels(items: Sequence[QAItem]) -> dict[str, dict[str, str]]:
    """``{attribute: {image: label}}``: the majority label of each image's questions that state one."""
    out: dict[str, dict[str, str]] = {}
    for attribute, read in READERS.items():
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for item in items:
            label = read(item)
            if label:
                votes[item.image][label] += 1
        out[attribute] = {image: counts.most_common(1)[0][0] for image, counts in votes.items()}
    return out
