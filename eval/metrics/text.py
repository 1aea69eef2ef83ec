"""Answer text scores: exact match, token recall and F1 for short answers; BLEU and ROUGE-L for reports."""

from __future__ import annotations

import re
import string
from collections import Counter

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MARKERS = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


def strip_citations(text: str) -> str:
    """The answer text without its [n] markers, which are not part of what it says."""
    return " ".join(_MARKERS.sub(" ", text).split())


def normalise(text: str) -> str:
    """SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCT)).split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def exact_match(prediction: str, gold: str) -> float:
    return float(bool(normalise(gold)) and normalise(prediction) == normalise(gold))


def token_recall(prediction: str, gold: str) -> float:
    """Share of the gold answer's tokens found in the prediction (a long cited answer still gets credit)."""
    wanted = Counter(tokens(gold))
    if not wanted:
        return 0.0
    found = wanted & Counter(tokens(prediction))
    return sum(found.values()) / sum(wanted.values())


def token_f1(prediction: str, gold: str) -> float:
    predicted, wanted = Counter(tokens(prediction)), Counter(tokens(gold))
    common = sum((predicted & wanted).values())
    if not common:
        return 0.0
    precision = common / sum(predicted.values())
    recall = common / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def sentence_bleu(prediction: str, reference: str) -> float:
    """sacrebleu sentence BLEU on a 0-1 scale (exponential smoothing, as sacrebleu defaults)."""
    from sacrebleu.metrics.bleu import BLEU

    return float(BLEU(effective_order=True).sentence_score(prediction, [reference]).score) / 100.0


def corpus_bleu(predictions: list[str], references: list[str]) -> float:
    from sacrebleu.metrics.bleu import BLEU

    if not predictions:
        return 0.0
    return float(BLEU().corpus_score(predictions, [references]).score) / 100.0


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure (rouge-score, with stemming)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return float(scorer.score(reference, prediction)["rougeL"].fmeasure)
