"""Extractive generator: answers with the source sentences closest to the question, verbatim, each with
its [n]. No LLM, deterministic, and its output passes :func:`rag.cite.verify_answer` by construction;
it is the baseline every LLM backend has to beat and the fallback when none is configured."""

from __future__ import annotations

import re

from rag.answering.compose import compose, render, score_units
from rag.answering.question import profile
from rag.cite.lexical import content_tokens, recall
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
    """Answers with the units of the retrieved passages that fit the question, verbatim or as a whole list,
    each with its [n] (see :mod:`rag.answering.compose`); nothing good enough -> "INSUFFICIENT EVIDENCE".
    A yes/no question gets "Yes."/"No." only when the best unit states it plainly."""

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        max_sentences: int = 4,
        *,
        min_score: float = 0.35,
        relative_cutoff: float = 0.6,
    ) -> None:
        self._encoder = encoder
        self.max_sentences = max_sentences
        self.min_score = min_score
        self.relative_cutoff = relative_cutoff

    def _get_encoder(self) -> TextEncoder:
        """The packaged MiniLM is loaded on first use, so constructing the generator stays cheap."""
        if self._encoder is None:
            from rag.encoders import create_text_encoder

            self._encoder = create_text_encoder("minilm")
        return self._encoder

    @property
    def info(self) -> dict[str, str]:
        """Names the encoder actually used (loading the default one if it has not been yet)."""
        return {"name": "extractive", "model": self._get_encoder().info.name, "version": "2"}

    def generate(self, request: GenerationRequest) -> Generation:
        question = profile(request.question)
        scored = score_units(question, request.sources, self._get_encoder())
        chosen = compose(
            question,
            scored,
            max_units=self.max_sentences,
            min_score=self.min_score,
            relative_cutoff=self.relative_cutoff,
        )
        model = self._get_encoder().info.name
        usage = {"candidates": len(scored), "selected": len(chosen)}
        if not chosen:
            return Generation(INSUFFICIENT_EVIDENCE, model, usage)
        firsts = {s.unit.source.n: s for s in reversed(chosen)}
        parts = [render(s.unit, question, with_section=firsts[s.unit.source.n] is s) for s in chosen]
        if request.closed or is_closed_question(request.question):
            verdict = yes_no_verdict(request.question, chosen[0].unit.text)
            if verdict is not None:
                parts.insert(0, f"{verdict}.")
        return Generation(" ".join(parts), model, usage)
