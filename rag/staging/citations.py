"""Citations into ``knowledge/lung-tnm.md``: a passage id, its section label and a verbatim quote.

Quotes are checked against the passage text when first built, so a knowledge edit that breaks a quote
fails loudly instead of shipping an unsupported citation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from rag.knowledge import load_passages

DOC_ID = "lung-tnm"


class CitationError(RuntimeError):
    """A rule cites text that is not in the knowledge document: a programming error, never bad input."""


@dataclass(frozen=True)
class Citation:
    """One supporting passage: ``quote`` is a verbatim substring of the passage ``source_id``."""

    source_id: str
    section: str
    quote: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@lru_cache(maxsize=512)
def cite(section_slug: str, quote: str) -> Citation:
    """Build the citation for ``quote`` in the section ``section_slug`` (long sections may be split in parts)."""
    passages = load_passages()
    base = f"{DOC_ID}#{section_slug}"
    candidates = [base] + [f"{base}~{part}" for part in range(2, 10)]
    for passage_id in candidates:
        passage = passages.get(passage_id)
        if passage is not None and quote in passage.text:
            return Citation(source_id=passage_id, section=passage.section, quote=quote)
    raise CitationError(f"quote not found verbatim in {base}: {quote!r}")
