"""The cross-encoder reranker loads a sentence-transformers CrossEncoder from a local directory; the test
builds a tiny randomly initialised BERT cross-encoder itself (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.question import profile
from rag.answering.rerank import Candidate, CrossEncoderReranker, create_reranker
from tests.tiny_models import save_tiny_bert

pytestmark = pytest.mark.integration

WORDS = "the a of in is nodule solid mm ct months follow up high low risk patient criteria light pleural fluid"


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_bert(tmp_path_factory.mktemp("cross-encoder"), WORDS, head="classifier", num_labels=1)


def test_cross_encoder_scores_every_candidate_deterministically(tiny_cross_encoder: Path) -> None:
    reranker = create_reranker("cross-encoder", tiny_cross_encoder)
    assert isinstance(reranker, CrossEncoderReranker) and reranker.name == f"cross-encoder:{tiny_cross_encoder.name}"
    question = profile("How should a solid nodule be followed up?")
    candidates = [
        Candidate("a", "Solid nodule 6 to 8 mm: CT at 6 to 12 months.", "Solid nodules", "Fleischner", 0.5),
        Candidate("b", "Light's criteria for pleural fluid.", "Light's criteria", "Effusion", 0.4),
    ]
    first, second = reranker.score(question, candidates), reranker.score(question, candidates)
    assert [s.id for s in first] == ["a", "b"] and first == second
    assert all(0.0 < s.score < 1.0 and "cross_encoder" in s.features for s in first)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    from rag.errors import InputError

    with pytest.raises(InputError, match="cross-encoder directory not found"):
        CrossEncoderReranker(tmp_path / "nope")
