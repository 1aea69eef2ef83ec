"""VQA-RAD question/answer items as the answerer sees them (MEVF train/test split).

The split files decide what is training data; nothing here reads the test file unless asked for
the test split by name, so a training run cannot pick up a test item by accident.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import CorruptFileError, InputError, NotFoundError

SPLIT_DIR = "mevf_split"
SPLIT_FILES = {"train": "trainset.json", "test": "testset.json"}
YES_NO = ("yes", "no")
CLOSED = "CLOSED"
OPEN = "OPEN"


_ARTICLES = frozenset({"a", "an", "the"})


def normalise_answer(answer: object) -> str:
    """VQA-style answer matching: case, punctuation and articles do not count ("The T2-weighted." ==
    "t2 weighted"), but a decimal point does ("1.5 cm")."""
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", str(answer).lower())
    text = re.sub(r"[^a-z0-9. ]", " ", text)
    return " ".join(word for word in text.split() if word not in _ARTICLES)


def primary_type(question_type: str) -> str:
    """'POS, PRES' counts as POS: one label per question keeps per-type tables additive."""
    first = str(question_type).split(",")[0].strip().upper()
    return first or "OTHER"


@dataclass(frozen=True)
class QAItem:
    """One question about one image, with its gold answer."""

    qid: str
    image: str
    question: str
    answer: str
    answer_type: str
    question_type: str
    phrase_type: str
    organ: str

    @property
    def image_id(self) -> str:
        return Path(self.image).stem


def _item(row: dict[str, Any]) -> QAItem:
    return QAItem(
        qid=str(row["qid"]),
        image=str(row["image_name"]),
        question=" ".join(str(row["question"]).split()),
        answer=normalise_answer(row["answer"]),
        answer_type=CLOSED if str(row["answer_type"]).strip().upper() == CLOSED else OPEN,
        question_type=primary_type(str(row.get("question_type", ""))),
        phrase_type=str(row.get("phrase_type", "")),
        organ=str(row.get("image_organ", "")).strip().upper(),
    )


def split_path(root: Path, split: str) -> Path:
    if split not in SPLIT_FILES:
        raise InputError(f"unknown split {split!r}; expected one of {sorted(SPLIT_FILES)}")
    return root / SPLIT_DIR / SPLIT_FILES[split]


def load_split(root: Path, split: str) -> list[QAItem]:
    """The MEVF split's items (``root/mevf_split/{trainset,testset}.json``), answers normalised."""
    path = split_path(root, split)
    if not path.is_file():
        raise NotFoundError(f"{path}: missing; expected the VQA-RAD layout with {SPLIT_DIR}/ (see SOURCE.md)")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorruptFileError(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})") from exc
    if not isinstance(rows, list) or not rows:
        raise CorruptFileError(f"{path}: expected a non-empty JSON list of question/answer rows")
    try:
        items = [_item(row) for row in rows]
    except (KeyError, TypeError) as exc:
        raise CorruptFileError(f"{path}: a row lacks a required field ({exc})") from exc
    missing = sorted({item.image for item in items if not (root / "images" / item.image).is_file()})
    if missing:
        raise NotFoundError(
            f"{root / 'images'}: {len(missing)} image(s) named in {path.name} are missing: {missing[:3]}"
        )
    return items


_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)


def offered_choices(question: str, vocabulary: list[str]) -> list[str]:
    """Answers from the vocabulary that a choice question names ("... left or right?"), longest first.

    Only questions with an "or" offer choices; a yes/no question names none."""
    if not _CHOICE.search(question):
        return []
    text = f" {' '.join(re.findall(r'[a-z0-9]+', question.lower()))} "
    found = [a for a in vocabulary if a not in YES_NO and f" {' '.join(re.findall(r'[a-z0-9]+', a))} " in text]
    # Keep "left lung" and drop "left" when both are named.
    return [a for a in found if not any(a != b and f" {a} " in f" {b} " for b in found)]
