"""The linear weights of the feature reranker and the unit scorer.

The reranker's weights are fitted, not hand-set: ``medcite eval fit-reranker`` fits a pairwise logistic
regression (the right section against every other fused candidate of the same question) on the labelled
guideline development sets and writes ``rerank.json`` beside this module. Fitted on four sets, the weights put the
right section first for 186 of 254 questions held out by set (leave one set out), where the hand-set weights they
replaced managed 171; the fit also learned what hand-setting missed, for instance that question words found only
in a document's title say little about which of its sections answers. The weights are scaled so that the positive
ones sum to one: a candidate perfect on every feature scores 1, whatever scale the regression found.

The unit scorer's weights stay hand-set: ``first_passage`` (0.4) keeps the answer in the reranker's first passage
unless a unit from a lower passage matches clearly better.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rag.errors import InputError

UNIT_WEIGHTS = {
    "cosine": 0.5, "recall": 0.5, "numbers": 0.3, "list_for_list": 0.3, "kind_match": 0.1, "definition_lead": 0.3,
    "conflict": -0.3, "first_passage": 0.4, "second_passage": 0.05,
}  # fmt: skip


@dataclass(frozen=True)
class Linear:
    """A weighted sum of named features (missing features count as 0)."""

    weights: dict[str, float]
    fitted_on: str = ""

    def score(self, features: dict[str, float]) -> float:
        return sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    @property
    def version(self) -> str:
        """Short content hash: answers name the weights that ranked their evidence."""
        blob = json.dumps(self.weights, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def normalised(self) -> Linear:
        """Scaled so that the positive weights sum to one (ranking is unchanged by a positive scale)."""
        positive = sum(w for w in self.weights.values() if w > 0)
        if positive <= 0:
            raise InputError("reranker weights need at least one positive weight")
        return Linear({k: round(w / positive, 6) for k, w in self.weights.items()}, self.fitted_on)

    def save(self, path: Path, report: dict[str, Any] | None = None) -> None:
        payload = {"weights": self.weights, "fitted_on": self.fitted_on, "report": report or {}}
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Linear:
        """The weights at ``path``, or the ones shipped with medcite (``rag/answering/rerank.json``)."""
        if path is None:
            where, text = (
                "rag/answering/rerank.json",
                resources.files("rag.answering").joinpath("rerank.json").read_text(encoding="utf-8"),
            )
        elif path.is_file():
            where, text = str(path), path.read_text(encoding="utf-8")
        else:
            raise InputError(f"reranker weights file not found: {path}")
        try:
            raw: Any = json.loads(text)
            weights = {str(name): float(value) for name, value in raw["weights"].items()}
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(
                f'{where} is not a reranker weights file ({{"weights": {{name: number}}}}): {exc}'
            ) from exc
        return cls(weights, str(raw.get("fitted_on", "")))


@cache
def shipped_rerank_weights() -> Linear:
    return Linear.load()


UNITS = Linear(UNIT_WEIGHTS)
