"""Reranking after fusion: a second, closer look at the fused candidates, pluggable by name.

``features`` (default, offline): a linear model fitted on labelled questions (:mod:`rag.answering.weights`)
over dense cosine, question-word recall in the passage and in its section title, how much of the section title
the question says (which a long vignette does not dilute), and whether the passage's ranges contain the
question's numbers ("6 to 8 mm" for a 7 mm nodule) or name only the branch the question excludes ("low-risk"
for a high-risk patient).
``cross-encoder``: a sentence-transformers ``CrossEncoder`` loaded from a local directory (for example a
MedCPT or ms-marco cross-encoder copied to disk); nothing is downloaded.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.answering.numbers import numeric_fit
from rag.answering.question import QuestionProfile
from rag.answering.weights import Linear, shipped_rerank_weights
from rag.cite.lexical import content_tokens, recall
from rag.errors import InputError, MissingDependencyError


@dataclass(frozen=True)
class Candidate:
    """What a reranker sees of one fused candidate."""

    id: str
    text: str
    section: str
    title: str
    dense: float
    unit: float | None = None


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    features: dict[str, float]


class Reranker(ABC):
    """Scores candidates for a question; higher is better. ``name`` goes into answer versions."""

    name: str

    @abstractmethod
    def score(self, question: QuestionProfile, candidates: Sequence[Candidate]) -> list[Scored]: ...


def weighted_recall(terms: Sequence[str], text: str, idf: Callable[[str], float] | None) -> float:
    """Share of the question's words found in ``text``, each weighted by its rarity (``idf``) when known."""
    unique = list(dict.fromkeys(terms))
    if not unique:
        return 0.0
    if idf is None:
        return recall(unique, text)
    present = set(content_tokens(text))
    weights = {t: idf(t) for t in unique}
    return sum(w for t, w in weights.items() if t in present) / sum(weights.values())


_NAME = re.compile(r"(?<=\S\s)[A-Z][a-z]+(?:'s)?\b|\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z0-9-]*")


def named_tokens(question: str, names: frozenset[str] = frozenset(), written: str = "") -> set[str]:
    """Words of the question written as names: acronyms and mixed case ("Lung-RADS", "TNM", "PDQ"),
    capitalised words inside a sentence ("Fleischner", "Light's"), and words the knowledge writes as names
    (``names``), however the author typed them (``written``, the question before its abbreviations were spelled
    out: "lung-rads cat", "per fleischner"; the spelled-out "non-small cell" names nothing). A question that
    names a standard asks about that standard's document."""
    capitalised = {token for match in _NAME.finditer(question) for token in content_tokens(match.group(0))}
    return capitalised | (set(content_tokens(written or question)) & names)


class FeatureReranker(Reranker):
    """The offline default: everything it uses is in the index already. ``idf`` (word rarity over the
    guideline passages) makes a rare shared word such as "T1mi" count for more than "lung"."""

    def __init__(
        self,
        weights: Linear | None = None,
        idf: Callable[[str], float] | None = None,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self.weights = weights or shipped_rerank_weights()
        self.idf = idf
        self.names = names
        self.name = f"features:{self.weights.version}"

    def score(self, question: QuestionProfile, candidates: Sequence[Candidate]) -> list[Scored]:
        terms = content_tokens(question.text)
        named = named_tokens(question.text, self.names, question.written)
        titles = {candidate.title: set(content_tokens(candidate.title)) for candidate in candidates}
        # A name shared by most candidate documents ("Lung" in every lung title) picks none of them out.
        common = {t for t in named if sum(t in tokens for tokens in titles.values()) * 2 > len(titles)}
        scored = []
        for candidate in candidates:
            heading = f"{candidate.title} {candidate.section}"
            heading_words = content_tokens(candidate.section.split(" > ")[-1])
            features = {
                "document_named": float(bool((named - common) & titles[candidate.title])),
                "dense": candidate.dense,
                "unit": candidate.unit if candidate.unit is not None else candidate.dense,
                "text_recall": weighted_recall(terms, f"{heading} {candidate.text}", self.idf),
                "title_recall": weighted_recall(terms, candidate.section.split(" > ")[-1], self.idf),
                "title_coverage": weighted_recall(heading_words, question.text, self.idf),
                "document_recall": weighted_recall(terms, candidate.title, self.idf),
                "title_numbers": numeric_fit(candidate.section, question.quantities),
                "text_numbers": numeric_fit(question.on_branch(candidate.text), question.quantities),
                "branch_conflict": float(question.conflicts(candidate.section)),
            }
            total = self.weights.score(features)
            scored.append(Scored(candidate.id, round(total, 6), {k: round(v, 4) for k, v in features.items()}))
        return scored


class CrossEncoderReranker(Reranker):
    """A sentence-transformers cross-encoder from a local directory; its logit passes through a sigmoid."""

    name = "cross-encoder"

    def __init__(self, model_dir: Path | str, device: str | None = None, max_length: int = 512) -> None:
        path = Path(model_dir).expanduser()
        if not path.is_dir():
            raise InputError(f"cross-encoder directory not found: {path}")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:  # pragma: no cover - sentence-transformers is a core dependency
            raise MissingDependencyError("the cross-encoder reranker needs sentence-transformers") from exc
        self._model = CrossEncoder(str(path), device=device, max_length=max_length, local_files_only=True)
        self.name = f"cross-encoder:{path.name}"

    def score(self, question: QuestionProfile, candidates: Sequence[Candidate]) -> list[Scored]:
        if not candidates:
            return []
        pairs = [(question.text, f"{c.section}. {c.text}") for c in candidates]
        logits: Any = self._model.predict(pairs, show_progress_bar=False)
        return [
            Scored(c.id, round(1.0 / (1.0 + math.exp(-float(logit))), 6), {"cross_encoder": round(float(logit), 4)})
            for c, logit in zip(candidates, logits, strict=True)
        ]


RERANKERS = ("features", "cross-encoder", "none")


def create_reranker(
    name: str,
    model_dir: Path | None = None,
    device: str | None = None,
    idf: Callable[[str], float] | None = None,
    weights: Path | None = None,
    names: frozenset[str] = frozenset(),
) -> Reranker | None:
    """The reranker named in settings; ``none`` keeps the fused order (for ablations). ``weights``: a fitted
    weights file for the feature reranker instead of the shipped one; ``names``: the knowledge's proper names."""
    if name == "features":
        return FeatureReranker(Linear.load(weights) if weights is not None else None, idf=idf, names=names)
    if name == "cross-encoder":
        if model_dir is None:
            raise InputError("the cross-encoder reranker needs MEDCITE_RERANKER_MODEL_DIR (a local model directory)")
        return CrossEncoderReranker(model_dir, device=device)
    if name == "none":
        return None
    raise InputError(f"unknown reranker {name!r}; choose one of {list(RERANKERS)}")
