"""The generator contract: numbered sources and a question in, text with [n] markers out.

Generators never decide what is cited; :mod:`rag.cite` checks every marker afterwards.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from PIL import Image


@dataclass(frozen=True)
class Source:
    """One retrieved piece of evidence, numbered as the prompt shows it ([n])."""

    n: int
    source_id: str
    title: str
    text: str
    score: float
    kind: str = "passage"
    section: str | None = None
    page: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationRequest:
    question: str
    sources: list[Source]
    image: Image.Image | None = None
    closed: bool = False
    max_tokens: int = 256


@dataclass(frozen=True)
class Generation:
    text: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)


class Generator(ABC):
    """A backend that writes an answer; it must only use the numbered sources.

    ``accepts_images`` says whether the model sees the query image; only such a model may give a
    yes/no verdict about the image itself when no similar case answers the question.
    """

    accepts_images: bool = False

    @property
    @abstractmethod
    def info(self) -> dict[str, str]:
        """name, model and version, recorded in every answer."""

    @abstractmethod
    def generate(self, request: GenerationRequest) -> Generation: ...
