"""One item shape for every dataset, so one runner, one executor and one summary serve them all.

Items travel as JSON (run folders, Redis jobs), so they hold plain values only; image paths are relative to the
dataset root recorded in the plan, which lets a worker on another machine resolve them against its own mount.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["vqa", "staging", "guideline", "report"]


@dataclass(frozen=True)
class EvalItem:
    """A question (or report) with its gold answer and the attributes results are broken down by."""

    id: str
    kind: Kind
    question: str = ""
    answer: str = ""
    answer_type: str = ""  # "closed" or "open" for VQA items
    image: str | None = None  # path relative to the dataset root
    question_type: str = ""
    organ: str = ""
    modality: str = ""
    domain: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)  # staging case, guideline item, reference report

    @property
    def image_id(self) -> str | None:
        """The indexed case id of the image (its file stem), for the same-image leakage filter."""
        if self.image is None:
            return None
        name = self.image.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0]

    @property
    def is_yes_no(self) -> bool:
        return self.answer_type == "closed" and self.answer in ("yes", "no")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalItem:
        return cls(**data)


def normalise_answer_type(value: object) -> str:
    """VQA-RAD writes "CLOSED", "CLOSED " and "OPEN"; SLAKE the same; generic files may write either case."""
    text = str(value or "").strip().lower()
    return text if text in ("closed", "open") else ""


def normalise_gold(answer: object) -> str:
    return " ".join(str(answer).strip().lower().split())
