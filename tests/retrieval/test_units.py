"""Pure retrieval logic: fusion, BM25, adaptive k, calibration, domain routing, case vote."""

import math

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from rag.cite import is_closed_question
from rag.domain import identify_domain
from rag.encoders.hashing import HashingTextEncoder
from rag.errors import InputError
from rag.knowledge import load_passages
from rag.retrieve.adaptive_k import Calibration, calibrate_k, gap_ratio_k, hoeffding_upper_bound
from rag.retrieve.bm25 import BM25Index, tokenize
from rag.retrieve.fusion import reciprocal_rank_fusion
from rag.retrieve.retriever import EvidenceItem
from rag.vqa import qa_line, vote_closed_answer

pytestmark = pytest.mark.unit

KNOWN = ["radiology:chest", "radiology:head", "radiology:abdomen", "general"]


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert next(item for item, _ in fused) == "b"
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_bm25_matches_exact_terms_and_filters_domains() -> None:
    index = BM25Index(
        ["n2b", "m1c", "eff"],
        ["N2b multiple stations", "M1c multiple organs", "pleural effusion"],
        ["radiology:chest", "radiology:chest", "general"],
    )
    assert index.search("stations N2b", 2)[0][0] == "n2b"
    assert index.search("pleural effusion", 3, domains=["radiology:chest"]) == []
    assert index.search("the of", 3) == []


def test_bm25_sparse_scores_equal_okapi_bm25_on_the_knowledge() -> None:
    """The precomputed sparse weights must score exactly as rank_bm25 does, repeated and unknown words included."""
    passages = list(load_passages().items())[:120]
    texts = [chunk.text for _, chunk in passages]
    index = BM25Index([passage_id for passage_id, _ in passages], texts, ["general"] * len(passages))
    reference = BM25Okapi([tokenize(text) or ["_"] for text in texts])
    for query in ["N2b stations stations", "pleural effusion Light's criteria", "metformin dose", "T1mi 0.5 cm"]:
        assert np.allclose(index.scores(query), reference.get_scores(tokenize(query)))
    assert index.search("metformin xyzzy", 5) == []


def test_gap_ratio_cuts_at_first_large_drop() -> None:
    choice = gap_ratio_k([0.82, 0.80, 0.79, 0.41, 0.40], threshold=0.15, k_max=5)
    assert choice.k == 3 and choice.method == "gap-ratio"
    assert choice.detail["log_gap"] == pytest.approx(math.log(0.79 / 0.41), abs=1e-4)
    assert gap_ratio_k([0.8, 0.79, 0.78], threshold=0.15, k_max=2).k == 2
    assert gap_ratio_k([], threshold=0.15).k == 0
    assert gap_ratio_k([0.9, 0.2, 0.1], threshold=0.15, k_min=2).k == 2
    with pytest.raises(InputError):
        gap_ratio_k([0.5], k_min=0)


def test_calibration_picks_smallest_controlled_k(tmp_path) -> None:
    n = 400
    losses = {1: [1.0] * 160 + [0.0] * 240, 2: [1.0] * 80 + [0.0] * 320, 3: [1.0] * 60 + [0.0] * 340}
    calibration = calibrate_k(losses, alpha=0.3, delta=0.1, data="synthetic")
    assert calibration.k == 2 and calibration.controlled
    assert calibration.upper_bounds[2] == pytest.approx(hoeffding_upper_bound(0.2, n, 0.1))
    strict = calibrate_k(losses, alpha=0.05, data="synthetic")
    assert strict.k == 3 and not strict.controlled
    calibration.save(tmp_path / "k.json")
    assert Calibration.load(tmp_path / "k.json") == calibration
    with pytest.raises(InputError):
        calibrate_k({1: [1.0], 2: [1.0, 0.0]}, alpha=0.1, data="bad")
    widest = calibrate_k(losses, alpha=0.3, data="synthetic", coverage={1: 0.9, 2: 0.5, 3: 0.95})
    assert widest.k == 3 and widest.choice().detail["coverage"] == 0.95


@pytest.mark.parametrize(
    ("kwargs", "domain", "signal"),
    [
        (
            {"dicom": {"Modality": "CT", "BodyPartExamined": "CHEST"}, "hint": "radiology:head"},
            "radiology:chest",
            "dicom",
        ),
        ({"hint": "radiology:head", "question": "Is there a lung nodule?"}, "radiology:head", "hint"),
        (
            {"neighbours": [("radiology:abdomen", 0.9), ("radiology:abdomen", 0.8), ("radiology:chest", 0.3)]},
            "radiology:abdomen",
            "image-neighbours",
        ),
        ({"question": "Is there a pleural effusion in the chest?"}, "radiology:chest", "question"),
    ],
)
def test_domain_signals_in_order_of_trust(kwargs: dict, domain: str, signal: str) -> None:
    decision = identify_domain(known_domains=KNOWN, **kwargs)
    assert (decision.domain, decision.signal) == (domain, signal)


def test_low_confidence_or_unindexed_domain_searches_everything() -> None:
    split = identify_domain(known_domains=KNOWN, neighbours=[("radiology:chest", 0.5), ("radiology:head", 0.5)])
    assert split.domain is None and split.guess in {"radiology:chest", "radiology:head"}
    assert split.search_domains() is None
    pathology = identify_domain(known_domains=KNOWN, dicom={"Modality": "SM"})
    assert pathology.domain is None and pathology.guess == "pathology" and "not an indexed domain" in pathology.detail
    with pytest.raises(InputError, match="unknown domain hint"):
        identify_domain(known_domains=KNOWN, hint="dermatology")


def test_closed_question_detection() -> None:
    assert is_closed_question("Is there a pleural effusion?")
    assert not is_closed_question("Is the lesion in the left or right lung?")
    assert not is_closed_question("What modality is this?")
    assert is_closed_question("Looking at this image, are there more than 12 ribs?")
    assert not is_closed_question("Looking at this image, what organ is shown?")
    assert not is_closed_question("Looking at this image, is it the left or the right lung?")
    assert not is_closed_question("Effusion, mass and consolidation are seen")


def _case(case_id: str, similarity: float, qa: list[tuple[str, str]]) -> EvidenceItem:
    rows = [{"question": q, "answer": a} for q, a in qa]
    return EvidenceItem(
        case_id, "case", "radiology:chest", similarity, {"qa": rows, "text": " ".join(qa_line(q, a) for q, a in qa)}
    )


def test_case_vote_weighs_neighbours_that_were_asked_the_same_question() -> None:
    encoder = HashingTextEncoder()
    cases = [
        _case("near", 0.9, [("Is there a pleural effusion?", "no")]),
        _case("far", 0.4, [("Is there a pleural effusion?", "yes")]),
        _case("other", 0.95, [("Is the heart enlarged?", "yes")]),
    ]
    vote = vote_closed_answer("Is there a pleural effusion?", cases, encoder, min_term_overlap=0.5)
    assert vote is not None and vote.answer == "no" and vote.case_id == "near"
    assert vote.line in cases[0].text
    assert vote.confidence == pytest.approx(0.9 / 1.3)
    assert vote_closed_answer("Is the liver enlarged?", cases[:2], encoder) is None
