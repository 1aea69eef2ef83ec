"""T, N and M decisions from structured findings, each with its reason, evidence and guideline citations."""

from rag.staging.rules.metastasis import decide_m
from rag.staging.rules.nodes import decide_n
from rag.staging.rules.outcome import Outcome
from rag.staging.rules.tumour import decide_t, size_category

__all__ = ["Outcome", "decide_m", "decide_n", "decide_t", "size_category"]
