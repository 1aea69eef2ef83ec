"""Check every [n] a generator wrote against the numbered sources it was given.

A sentence survives only when at least one marker names a retrieved source, its quotes are verbatim in a
cited source, and a cited source supports it (lexically or by embedding). Everything dropped is reported
with a reason, so a reader can see what the model claimed and why it was not shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.cite.lexical import content_tokens, normalise_text, recall
from rag.cite.sentences import Span, parse_markers, split_sentences, strip_markers
from rag.encoders.base import TextEncoder
from rag.errors import InputError
from rag.generate.base import Source

ABSTAIN_TEXT = "Insufficient evidence: the retrieved sources do not support an answer."
INSUFFICIENT_EVIDENCE = "INSUFFICIENT EVIDENCE"

_QUOTE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
_VERDICT = re.compile(r"^\s*(yes|no)\s*[.!,:;]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CitationConfig:
    """Thresholds for counting a citation as support; either check passing is enough.

    ``min_lexical`` 0.6: share of the claim's content words found in the cited source. Extracts score 1.0 and
    close paraphrases 0.6-0.8, while a claim sharing one or two words with the source ("A 6 cm tumour is
    staged as T4" against the T2 rule: 0.4) does not pass. ``min_cosine`` 0.7: all-MiniLM-L6-v2 cosine
    between the claim and the best source sentence. Topical but wrong claims reach ~0.6 (that T4 claim:
    0.615), real rewordings ~0.75, unrelated ones < 0.4; so cosine only rescues paraphrases that share few
    words. Both are pinned in tests/cite/test_thresholds.py; another encoder needs its own ``min_cosine``.
    """

    min_lexical: float = 0.6
    min_cosine: float = 0.7
    max_closest_sources: int = 3
    abstain_text: str = ABSTAIN_TEXT


@dataclass(frozen=True)
class Citation:
    """A checked citation; ``quote`` is a verbatim substring of the source text."""

    n: int
    source_id: str
    title: str
    section: str | None
    page: int | None
    quote: str
    score: float
    lexical: float
    cosine: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source_id": self.source_id,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "quote": self.quote,
            "score": self.score,
            "lexical": self.lexical,
            "cosine": self.cosine,
        }


@dataclass(frozen=True)
class Removed:
    sentence: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"sentence": self.sentence, "reason": self.reason}


@dataclass(frozen=True)
class DroppedMarker:
    """A marker taken off a sentence that was kept because another of its citations holds."""

    sentence: str
    n: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "n": self.n, "reason": self.reason}


@dataclass(frozen=True)
class KeptSentence:
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class VerifiedAnswer:
    """The answer as shown to users, plus the audit trail of what verification removed."""

    answer: str
    citations: list[Citation]
    removed: list[Removed]
    abstained: bool
    supported_fraction: float
    sentences: list[KeptSentence] = field(default_factory=list)
    fabricated: list[int] = field(default_factory=list)
    dropped_markers: list[DroppedMarker] = field(default_factory=list)
    closest_sources: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [citation.as_dict() for citation in self.citations],
            "removed": [item.as_dict() for item in self.removed],
            "abstained": self.abstained,
            "supported_fraction": self.supported_fraction,
            "fabricated": list(self.fabricated),
            "dropped_markers": [item.as_dict() for item in self.dropped_markers],
            "closest_sources": list(self.closest_sources),
        }


def _refs(numbers: Sequence[int]) -> str:
    return ", ".join(f"[{n}]" for n in numbers)


class _SourceIndex:
    """Sentences, tokens and (lazily) embeddings of the sources, computed once per verification."""

    def __init__(self, sources: Sequence[Source], encoder: TextEncoder | None) -> None:
        self.by_n: dict[int, Source] = {}
        for source in sources:
            if source.n in self.by_n:
                raise InputError(f"two sources are numbered [{source.n}]; source numbers must be unique")
            self.by_n[source.n] = source
        self.encoder = encoder
        self.spans: dict[int, list[Span]] = {n: split_sentences(s.text) for n, s in self.by_n.items()}
        self.tokens: dict[int, set[str]] = {n: set(content_tokens(s.text)) for n, s in self.by_n.items()}
        self.span_tokens: dict[int, list[set[str]]] = {
            n: [set(content_tokens(span.text)) for span in spans] for n, spans in self.spans.items()
        }
        self.normalised: dict[int, str] = {n: normalise_text(s.text) for n, s in self.by_n.items()}
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> None:
        """Encode texts not seen yet, in one batch."""
        if self.encoder is None:
            return
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            vectors = self.encoder.encode(missing)
            self._vectors.update(zip(missing, vectors, strict=True))

    def vector(self, text: str) -> np.ndarray:
        return self._vectors[text]


@dataclass(frozen=True)
class _Support:
    n: int
    lexical: float
    cosine: float | None
    quote: str


def _support(claim: str, claim_tokens: list[str], n: int, index: _SourceIndex) -> _Support:
    """Lexical recall against the whole source; cosine and the quote from its best-matching sentence."""
    spans = index.spans[n]
    if not spans:  # an empty source supports nothing
        return _Support(n, 0.0, None, "")
    span_tokens = index.span_tokens[n]
    lexical = recall(claim_tokens, index.tokens[n])
    claim_set = set(claim_tokens)
    cosines: list[float] | None = None
    if index.encoder is not None:
        claim_vector = index.vector(claim)
        cosines = [float(np.dot(claim_vector, index.vector(span.text))) for span in spans]
    best_value, best_span = -1.0, spans[0]
    for position, span in enumerate(spans):
        value = recall(list(claim_set), span_tokens[position])
        if cosines is not None:
            value += cosines[position]
        if value > best_value:
            best_value, best_span = value, span
    cosine = max(cosines) if cosines else None
    return _Support(n, round(lexical, 4), None if cosine is None else round(cosine, 4), best_span.text)


def _rebuild(sentence: str, keep: set[int]) -> str:
    """The sentence with only the kept numbers in its markers (original numbers, original places)."""
    pieces: list[str] = []
    cursor = 0
    for marker in parse_markers(sentence):
        pieces.append(sentence[cursor : marker.start])
        kept = [n for n in marker.numbers if n in keep]
        if kept:
            pieces.append("[" + ", ".join(str(n) for n in kept) + "]")
        cursor = marker.end
    pieces.append(sentence[cursor:])
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", "".join(pieces))
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _quotes(claim: str) -> list[str]:
    quotes = [a or b for a, b in _QUOTE.findall(claim)]
    return [q.strip().rstrip(".,;:!?").strip() for q in quotes if q.strip().rstrip(".,;:!?").strip()]


def _closest(sources: Sequence[Source], limit: int) -> list[dict[str, Any]]:
    ranked = sorted(sources, key=lambda s: (-s.score, s.n))[:limit]
    return [{"n": s.n, "source_id": s.source_id, "title": s.title, "score": s.score} for s in ranked]


def _abstain(sources: Sequence[Source], config: CitationConfig, removed: list[Removed], **extra: Any) -> VerifiedAnswer:
    return VerifiedAnswer(
        answer=config.abstain_text,
        citations=[],
        removed=removed,
        abstained=True,
        supported_fraction=0.0,
        closest_sources=_closest(sources, config.max_closest_sources),
        **extra,
    )


def _has_content(span: Span) -> bool:
    return bool(re.search(r"\w", strip_markers(span.text)))


def _claims(text: str) -> list[tuple[str, str | None]]:
    """(sentence, leading verdict) pairs; a bare "Yes."/"No." sentence is carried onto the next claim, and
    a marker-only fragment ("[2]" on its own line) is attached to the sentence before it."""
    merged: list[str] = []
    for span in split_sentences(text):
        if not _has_content(span) and merged:
            merged[-1] = f"{merged[-1]} {span.text}"
        else:
            merged.append(span.text)
    result: list[tuple[str, str | None]] = []
    verdict: str | None = None
    for sentence in merged:
        if _VERDICT.match(sentence) and not parse_markers(sentence):
            if verdict is not None:
                result.append((verdict, None))
            verdict = sentence.strip()
            continue
        result.append((sentence, verdict))
        verdict = None
    if verdict is not None:
        result.append((verdict, None))
    return result


def verify_answer(
    text: str, sources: Sequence[Source], *, encoder: TextEncoder | None = None, config: CitationConfig | None = None
) -> VerifiedAnswer:
    """Keep only sentences whose citations were retrieved, whose quotes are verbatim and that a cited
    source supports; abstain (with the closest sources) when nothing is left."""
    config = config or CitationConfig()
    index = _SourceIndex(sources, encoder)
    if not text.strip() or normalise_text(text).startswith(INSUFFICIENT_EVIDENCE.casefold()):
        return _abstain(sources, config, [])

    claims = _claims(text)
    cited_valid = {n for sentence, _ in claims for m in parse_markers(sentence) for n in m.numbers if n in index.by_n}
    index.embed(
        [strip_markers(sentence) for sentence, _ in claims] + [sp.text for n in cited_valid for sp in index.spans[n]]
    )

    kept: list[KeptSentence] = []
    removed: list[Removed] = []
    fabricated: list[int] = []
    dropped: list[DroppedMarker] = []
    claim_count = 0
    for sentence, verdict in claims:
        if _VERDICT.match(sentence) and not parse_markers(sentence):
            removed.append(Removed(sentence, "yes/no verdict without a supported sentence after it"))
            continue
        claim_count += 1
        reason, citations = _check(sentence, index, config, fabricated, dropped)
        if reason is not None:
            removed.append(Removed(sentence, reason))
            if verdict is not None:
                removed.append(Removed(verdict, "yes/no verdict without a supported sentence after it"))
            continue
        body = _rebuild(sentence, {c.n for c in citations})
        kept.append(KeptSentence(f"{verdict} {body}" if verdict else body, tuple(citations)))

    extra: dict[str, Any] = {"fabricated": sorted(set(fabricated)), "dropped_markers": dropped}
    if not kept:
        return _abstain(sources, config, removed, **extra)
    best: dict[int, Citation] = {}
    for sentence_ in kept:
        for citation in sentence_.citations:
            if citation.n not in best or citation.score > best[citation.n].score:
                best[citation.n] = citation
    order = list(dict.fromkeys(c.n for s in kept for c in s.citations))
    return VerifiedAnswer(
        answer=" ".join(s.text for s in kept),
        citations=[best[n] for n in order],
        removed=removed,
        abstained=False,
        supported_fraction=round(len(kept) / claim_count, 4) if claim_count else 0.0,
        sentences=kept,
        **extra,
    )


def _check(
    sentence: str,
    index: _SourceIndex,
    config: CitationConfig,
    fabricated: list[int],
    dropped: list[DroppedMarker],
) -> tuple[str | None, list[Citation]]:
    """Why the sentence must go (or None) and its supporting citations; records dropped markers."""
    numbers = list(dict.fromkeys(n for marker in parse_markers(sentence) for n in marker.numbers))
    if not numbers:
        return "no citation", []
    valid = [n for n in numbers if n in index.by_n]
    invalid = [n for n in numbers if n not in index.by_n]
    fabricated.extend(invalid)
    if not valid:
        return f"cites a source that was not retrieved ({_refs(invalid)})", []

    claim = strip_markers(sentence)
    for quote in _quotes(claim):
        needle = normalise_text(quote)
        if not any(needle in index.normalised[n] for n in valid):
            return f"quote not found verbatim in {_refs(valid)}: \u201c{quote}\u201d", []

    claim_tokens = content_tokens(claim)
    citations: list[Citation] = []
    unsupported: list[int] = []
    for n in valid:
        support = _support(claim, claim_tokens, n, index) if claim_tokens else None
        if support is not None and (
            support.lexical >= config.min_lexical
            or (support.cosine is not None and support.cosine >= config.min_cosine)
        ):
            source = index.by_n[n]
            score = max(support.lexical, support.cosine or 0.0)
            citations.append(
                Citation(
                    n=n,
                    source_id=source.source_id,
                    title=source.title,
                    section=source.section,
                    page=source.page,
                    quote=support.quote,
                    score=round(score, 4),
                    lexical=support.lexical,
                    cosine=support.cosine,
                )
            )
        else:
            unsupported.append(n)
    if not citations:
        return f"not supported by {_refs(unsupported)}", []
    dropped.extend(DroppedMarker(sentence, n, "cites a source that was not retrieved") for n in invalid)
    dropped.extend(DroppedMarker(sentence, n, f"not supported by [{n}]") for n in unsupported)
    return None, citations


_OPEN_QUESTION = re.compile(r"\s*(what|which|how|where|when|why|who|whom|whose)\b", re.IGNORECASE)
_CLOSED_QUESTION = re.compile(
    r"\s*(is|are|was|were|does|do|did|has|have|had|can|could|should|would|will|shall|may|might|must)\b", re.IGNORECASE
)


def question_clause(question: str) -> str:
    """The interrogative clause: a lead-in such as "Looking at this image, " or "On this CT, " is skipped when what
    follows the comma opens like a question."""
    text = question.strip()
    if _CLOSED_QUESTION.match(text) or _OPEN_QUESTION.match(text):
        return text
    _, comma, rest = text.partition(",")
    if comma and (_CLOSED_QUESTION.match(rest) or _OPEN_QUESTION.match(rest)):
        return rest.strip()
    return text


def is_closed_question(question: str) -> bool:
    """A yes/no question: its clause opens with an auxiliary verb and offers no alternatives ("T2 or T3?" is open)."""
    clause = question_clause(question)
    return bool(_CLOSED_QUESTION.match(clause)) and not re.search(r"\bor\b", clause, re.IGNORECASE)


def closed_answer(question: str, verified: VerifiedAnswer) -> str | None:
    """Lower-case "yes"/"no" from a leading Yes/No of the kept answer; None when abstained, when the answer does not
    open with one, or when the question is an open wh-question (a stray "No." there is not a verdict)."""
    if verified.abstained or _OPEN_QUESTION.match(question_clause(question)):
        return None
    match = re.match(r"\s*(yes|no)\b", verified.answer, re.IGNORECASE)
    return match.group(1).lower() if match else None
