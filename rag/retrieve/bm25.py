"""BM25 over indexed passage texts, rebuilt from the catalog once per index version."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "what",
        "which",
        "with",
    ]
)


def tokenize(text: str) -> list[str]:
    return [token for token in _TOKEN.findall(text.lower()) if token not in STOPWORDS]


class BM25Index:
    """Lexical scores complement dense vectors on exact terms: station names, T4, 'N2b'."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str], domains: Sequence[str]) -> None:
        self.ids = list(ids)
        self.domains = np.asarray(domains)
        self._bm25 = BM25Okapi([tokenize(text) or ["_"] for text in texts]) if ids else None

    def search(self, query: str, k: int, domains: Sequence[str] | None = None) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if self._bm25 is None or not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)
        if domains is not None:
            scores = np.where(np.isin(self.domains, list(domains)), scores, -np.inf)
        top = np.argsort(-scores)[:k]
        return [(self.ids[i], float(scores[i])) for i in top if np.isfinite(scores[i]) and scores[i] > 0]
