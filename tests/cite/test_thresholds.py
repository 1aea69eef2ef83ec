"""Pins the CitationConfig defaults to examples: supported claims pass, topical-but-wrong ones do not."""

from __future__ import annotations

import pytest

from rag.cite import CitationConfig
from rag.cite.lexical import recall

T2 = "T2: tumour more than 3 cm but not more than 5 cm, or invading the visceral pleura."
EFFUSION = "A pleural effusion is an abnormal collection of fluid in the pleural space."
N1 = "N1: metastasis in ipsilateral peribronchial and/or hilar lymph nodes."
M1B = "M1b: single extrathoracic metastasis."

LEXICAL_SUPPORTED = [
    ("Tumours invading the visceral pleura are T2.", T2),
    ("A 4.5 cm tumour is T2 because it is more than 3 cm and not more than 5 cm.", T2),
    ("An effusion is fluid collecting in the pleural space.", EFFUSION),
]
LEXICAL_UNSUPPORTED = [
    ("A 6 cm tumour is staged as T4.", T2),
    ("The patient has a fractured femur.", EFFUSION),
    ("Pleural effusions are always malignant and need drainage.", EFFUSION),
]
PARAPHRASES = [  # share few words with the source, so only the embedding check can keep them
    ("Excess liquid accumulating around the lungs is called a pleural effusion.", EFFUSION),
    ("Pleural effusion means too much fluid around the lung.", EFFUSION),
    ("M1b denotes one distant metastasis outside the thorax.", M1B),
]
WRONG_OR_UNRELATED = [
    ("A 6 cm tumour is staged as T4.", T2),
    ("The patient has a fractured femur.", EFFUSION),
    ("There is a large pneumothorax on the right.", EFFUSION),
    ("Brain metastases require whole-brain radiotherapy.", N1),
]


@pytest.mark.unit
@pytest.mark.parametrize(("claim", "source"), LEXICAL_SUPPORTED)
def test_min_lexical_keeps_extracts_and_close_paraphrases(claim: str, source: str) -> None:
    assert recall(claim, source) >= CitationConfig().min_lexical


@pytest.mark.unit
@pytest.mark.parametrize(("claim", "source"), LEXICAL_UNSUPPORTED)
def test_min_lexical_rejects_claims_sharing_a_few_words(claim: str, source: str) -> None:
    assert recall(claim, source) < CitationConfig().min_lexical


@pytest.mark.integration
def test_min_cosine_separates_paraphrases_from_wrong_claims_with_minilm() -> None:
    from rag.encoders import create_text_encoder

    encoder = create_text_encoder("minilm")
    threshold = CitationConfig().min_cosine

    def cosine(claim: str, source: str) -> float:
        vectors = encoder.encode([claim, source])
        return float(vectors[0] @ vectors[1])

    assert all(cosine(c, s) >= threshold for c, s in PARAPHRASES)
    assert all(recall(c, s) < CitationConfig().min_lexical for c, s in PARAPHRASES)
    assert all(cosine(c, s) < threshold for c, s in WRONG_OR_UNRELATED)
