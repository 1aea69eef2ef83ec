"""Can the knowledge base answer this text question at all? A small calibrated model over four signals.

- ``relevance``: the reranker's score of the best passage;
- ``coverage``: the largest share (weighted by rarity in the knowledge) of the question's concept words that one
  of the three best passages contains, after abbreviations are spelled out: a passage about the asked subject
  holds the asked subject's words together;
- ``unknown``: how many of the question's words the knowledge never uses and that look like technical terms
  (the text encoder's tokenizer splits them into three or more pieces: "metformin", "nintedanib"), or
  hyphenated names it never mentions ("TI-RADS", "BI-RADS", though "RADS" alone is known);
- ``heading``: how much of the best passage's own heading the question says (weighted by rarity): a question
  that names the section's subject ("split pleura sign", "stage IIIA treatment") is about what the knowledge
  covers, however long its vignette. Measured held out by set on seven labelled sets, adding it kept 350
  instead of 346 of 398 answerable questions and abstained on 87 instead of 84 of 96 out-of-scope ones.

A logistic model over these, fitted on a labelled set of in-scope and out-of-scope questions
(``medcite eval calibrate-answerability``), gives a probability; below the calibrated threshold the
answer abstains and lists the closest sources. The shipped coefficients say what they were fitted on.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rag.answering.question import QUESTION_WORDS, concept_terms
from rag.answering.rerank import weighted_recall
from rag.answering.spelling import PieceCounter, Speller
from rag.answering.synonyms import expand, known_aliases
from rag.cite.lexical import content_tokens
from rag.errors import InputError

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]{2,}")
# Written as a name: upper case after the first letter, with a hyphenated part ("TI-RADS", "BI-RADS"); no digits,
# which would also catch TNM codes such as "cT2aN0".
_NAME = re.compile(r"[A-Za-z]+-[A-Za-z-]*[A-Z][A-Za-z-]*|[A-Z]+[a-z]*-[A-Za-z-]+")
# TNM notation written glued ("T3N0", "cT2aN1M0"): the knowledge spells the same categories apart.
_TNM_CODE = re.compile(
    r"[cpy]?T(?:X|is|[0-4](?:mi|[a-c])?)(?:N(?:X|[0-3][ab]?))?(?:M(?:0|1[a-c]?[12]?))?", re.IGNORECASE
)


_RAW_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*")
MIN_NAME_USES = 3
NAME_CAPITAL_SHARE = 0.9


def proper_names(texts: Iterable[str]) -> frozenset[str]:
    """Words the knowledge writes with a capital at least ``MIN_NAME_USES`` times and nine times in ten
    ("Fleischner", "RADS", "TNM"; "RADS" is also once a unit of dose), as content tokens: a question that types
    them in lower case ("per fleischner", "lung-rads cat") still names them. A common word is written in lower
    case mostly, so it never qualifies."""
    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for word in _RAW_WORD.findall(text):
            (capital if word[0].isupper() else lower).update(content_tokens(word))
    return frozenset(
        token
        for token, uses in capital.items()
        if uses >= MIN_NAME_USES and uses >= NAME_CAPITAL_SHARE * (uses + lower[token])
    )


@dataclass(frozen=True)
class TermStats:
    """Document frequencies of content words over the guideline passages of one index version."""

    documents: int
    frequency: dict[str, int]
    speller: Speller = field(default_factory=lambda: Speller(()), compare=False, repr=False)
    corpus: str = field(default="", compare=False, repr=False)
    names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def build(cls, texts: Iterable[str], pieces: PieceCounter | None = None) -> TermStats:
        """Also the spelling vocabulary: the words a question is repaired towards are the passages' words."""
        kept = list(texts)
        counts: Counter[str] = Counter()
        for text in kept:
            counts.update(set(content_tokens(text)))
        return cls(len(kept), dict(counts), Speller(kept, pieces), "\n".join(kept).lower(), proper_names(kept))

    def mentions(self, word: str) -> bool:
        """Whether the knowledge uses ``word`` as a whole word (any case)."""
        return bool(word) and re.search(rf"\b{re.escape(word.lower())}\b", self.corpus) is not None

    def idf(self, token: str) -> float:
        return math.log((self.documents + 1) / (self.frequency.get(token, 0) + 1)) + 1.0


@dataclass(frozen=True)
class Signals:
    relevance: float
    coverage: float
    unknown: int
    heading: float

    def vector(self) -> list[float]:
        return [self.relevance, self.coverage, float(self.unknown), self.heading]


SIGNAL_NAMES = tuple(Signals.__dataclass_fields__)


def signals(
    question: str,
    passages: Sequence[str],
    relevance: float,
    stats: TermStats,
    pieces: PieceCounter | None,
    heading: str = "",
) -> Signals:
    """The answerability signals for a question, its best passages (best first) and the best one's own heading."""
    concepts = concept_terms(question)
    weights = {t: stats.idf(t) for t in concepts}
    total = sum(weights.values())
    coverage = 0.0
    for text in passages[:3]:
        present = set(content_tokens(text))
        if total:
            coverage = max(coverage, sum(w for t, w in weights.items() if t in present) / total)
    aliases = known_aliases(question)
    unknown = 0
    for written in dict.fromkeys(_WORD.findall(question)):
        word = written.lower()
        tokens = content_tokens(word)
        if not tokens or word in aliases or any(t in QUESTION_WORDS for t in tokens) or _TNM_CODE.fullmatch(written):
            continue
        parts_known = all(part in aliases or stats.mentions(part) for part in word.split("-"))
        if _NAME.fullmatch(written) and word not in stats.corpus and not parts_known:
            unknown += 1  # a named system the knowledge never mentions ("TI-RADS" beside "Lung-RADS")
        elif all(stats.frequency.get(t, 0) == 0 for t in tokens) and (pieces is None or pieces.word_pieces(word) >= 3):
            unknown += 1
    # Read as the reranker reads the question (abbreviations and synonyms spelled out), so that the signal is the
    # reranker's title coverage of the best passage.
    said = weighted_recall(content_tokens(heading), expand(question), stats.idf)
    return Signals(round(relevance, 6), round(coverage, 6), unknown, round(said, 6))


@dataclass(frozen=True)
class AnswerabilityModel:
    """Logistic coefficients over the signals (in ``SIGNAL_NAMES`` order) and the probability threshold."""

    coefficients: list[float]
    intercept: float
    threshold: float
    fitted_on: str = ""

    def probability(self, found: Signals) -> float:
        z = self.intercept + sum(c * x for c, x in zip(self.coefficients, found.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerabilityModel:
        """The model at ``path``, or the one shipped with medcite."""
        try:
            raw: Any = json.loads(
                path.read_text(encoding="utf-8")
                if path is not None
                else resources.files("rag.answering").joinpath("answerability.json").read_text(encoding="utf-8")
            )
            coefficients = [float(c) for c in raw["coefficients"]]
            if len(coefficients) != len(SIGNAL_NAMES):
                raise ValueError(
                    f"it has {len(coefficients)} coefficients but the signals are {', '.join(SIGNAL_NAMES)}; "
                    "refit it with `medcite eval calibrate-answerability`"
                )
            return cls(
                coefficients=coefficients,
                intercept=float(raw["intercept"]),
                threshold=float(raw["threshold"]),
                fitted_on=str(raw.get("fitted_on", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"cannot read the answerability model {path or '(shipped)'}: {exc}") from exc
