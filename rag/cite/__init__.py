"""Verified citations: every [n] names a retrieved source, every quote is verbatim, every kept sentence is
supported; otherwise the sentence goes, and with nothing left the answer abstains."""

from __future__ import annotations

from rag.cite.sentences import Marker, Span, parse_markers, split_sentences, strip_markers
from rag.cite.verify import (
    ABSTAIN_TEXT,
    INSUFFICIENT_EVIDENCE,
    Citation,
    CitationConfig,
    DroppedMarker,
    KeptSentence,
    Removed,
    VerifiedAnswer,
    closed_answer,
    is_closed_question,
    verify_answer,
)

__all__ = [
    "ABSTAIN_TEXT",
    "INSUFFICIENT_EVIDENCE",
    "Citation",
    "CitationConfig",
    "DroppedMarker",
    "KeptSentence",
    "Marker",
    "Removed",
    "Span",
    "VerifiedAnswer",
    "closed_answer",
    "is_closed_question",
    "parse_markers",
    "split_sentences",
    "strip_markers",
    "verify_answer",
]
