"""Extractive generator: answers with the source sentences closest to the question, verbatim, each with
its [n]. No LLM, deterministic, and its output passes :func:`rag.cite.verify_answer` by construction;
it is the baseline every LLM backend has to beat and the fallback when none is configured."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.cite.lexical import content_tokens, recall
from rag.cite.sentences import split_sentences, strip_markers
from rag.cite.verify import INSUFFICIENT_EVIDENCE, is_closed_question
from rag.encoders.base import TextEncoder
from rag.generate.base import Generation, GenerationRequest, Generator

_COMPARATIVE = r"(?:more|less|greater|larger|smaller|exceeding|over|under)\b"
# Cues for the yes/no prefix. Comparatives ("not more than 5 cm") are limits, not negations.
_NEGATION = re.compile(
    rf"\b(?:(?:no|not)(?!\s+{_COMPARATIVE})|without|absent|absence\s+of"
    r"|negative\s+for|free\s+of|ruled\s+out|excluded|none)\b",
    re.IGNORECASE,
)
_UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|probable|probably|likely|unlikely|may|might|could|suspicious|suspected|questionable"
    r"|equivocal|indeterminate|cannot\s+be\s+(?:excluded|ruled\s+out)|not\s+excluded|versus|vs)\b",
    re.IGNORECASE,
)
# Clause boundaries end a cue's scope ("abutting but not invading"); "but not more than" is a range, not one.
_CLAUSE = re.compile(rf";|,?\s+(?:but(?!\s+not\s+{_COMPARATIVE})|however|whereas|although|while)\b,?", re.IGNORECASE)


@dataclass(frozen=True)
class _Candidate:
    n: int
    position: int
    text: str
    score: float


def yes_no_verdict(question: str, evidence: str) -> str | None:
    """Return "Yes"/"No" only when one clause of the evidence names every content word of the question and its
    polarity is clear: a negation cue gives "No", none gives "Yes", an uncertainty cue gives None. A negated
    question ("Is there no ...?") gives None rather than risk a double negative."""
    terms = content_tokens(question)
    if not terms or _NEGATION.search(question):
        return None
    for clause in _CLAUSE.split(evidence):
        if recall(terms, clause) < 1.0:
            continue
        if _UNCERTAIN.search(clause):
            return None
        return "No" if _NEGATION.search(clause) else "Yes"
    return None


class ExtractiveGenerator(Generator):
    """Scores every source sentence against the question: ``cosine_weight`` x embedding cosine +
    (1 - ``cosine_weight``) x share of question content words in the sentence. Keeps up to ``max_sentences``
    that reach ``min_score`` and ``relative_cutoff`` x the best score (so a clearly best passage is not
    diluted by loosely related ones); none reach it -> "INSUFFICIENT EVIDENCE"."""

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        max_sentences: int = 3,
        *,
        min_score: float = 0.35,
        relative_cutoff: float = 0.75,
        cosine_weight: float = 0.5,
    ) -> None:
        self._encoder = encoder
        self.max_sentences = max_sentences
        self.min_score = min_score
        self.relative_cutoff = relative_cutoff
        self.cosine_weight = cosine_weight

    def _get_encoder(self) -> TextEncoder:
        """The packaged MiniLM is loaded on first use, so constructing the generator stays cheap."""
        if self._encoder is None:
            from rag.encoders import create_text_encoder

            self._encoder = create_text_encoder("minilm")
        return self._encoder

    @property
    def info(self) -> dict[str, str]:
        """Names the encoder actually used (loading the default one if it has not been yet)."""
        return {"name": "extractive", "model": self._get_encoder().info.name, "version": "1"}

    def _candidates(self, request: GenerationRequest) -> list[_Candidate]:
        texts: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for source in sorted(request.sources, key=lambda s: s.n):
            for position, span in enumerate(split_sentences(source.text)):
                # Literature references inside the source ("[12]") would read as citations of our sources.
                text = strip_markers(span.text)
                if len(content_tokens(text)) < 2 or text.casefold() in seen:
                    continue
                seen.add(text.casefold())
                texts.append((source.n, position, text))
        if not texts:
            return []
        question_terms = content_tokens(request.question)
        vectors = self._get_encoder().encode([request.question] + [t for _, _, t in texts])
        cosines = vectors[1:] @ vectors[0]
        return [
            _Candidate(n, position, text, self._score(float(np.clip(cosine, 0.0, 1.0)), recall(question_terms, text)))
            for (n, position, text), cosine in zip(texts, cosines, strict=True)
        ]

    def _score(self, cosine: float, lexical: float) -> float:
        return round(self.cosine_weight * cosine + (1.0 - self.cosine_weight) * lexical, 6)

    def generate(self, request: GenerationRequest) -> Generation:
        candidates = self._candidates(request)
        ranked = sorted(candidates, key=lambda c: (-c.score, c.n, c.position))
        model = self._get_encoder().info.name
        if not ranked or ranked[0].score < self.min_score:
            return Generation(INSUFFICIENT_EVIDENCE, model, {"candidates": len(candidates), "selected": 0})
        floor = max(self.min_score, self.relative_cutoff * ranked[0].score)
        chosen = [c for c in ranked if c.score >= floor][: self.max_sentences]
        parts = [f"{c.text.rstrip(' .;:!?')} [{c.n}]." for c in chosen]
        if request.closed or is_closed_question(request.question):
            verdict = yes_no_verdict(request.question, chosen[0].text)
            if verdict is not None:
                parts.insert(0, f"{verdict}.")
        return Generation(" ".join(parts), model, {"candidates": len(candidates), "selected": len(chosen)})
