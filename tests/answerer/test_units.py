from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rag.answerer.heads import LogisticHead
from rag.answerer.risk import calibrate_threshold
from rag.build import TEST_QA_MARK, _file_hash, refuse_test_qa
from rag.errors import IndexMismatchError
from rag.ingest.cases import VQA_RAD_JSON, load_vqa_rad_cases
from rag.store.catalog import Catalog

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("classes", [2, 4])
def test_logistic_head_matches_scikit_learn(classes: int) -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 5))
    labels = [f"c{int(v)}" for v in np.clip((x[:, 0] * 2 + classes) // 2, 0, classes - 1)]
    head = LogisticHead.fit(x, labels, c=1.0)
    reference = LogisticRegression(C=1.0, max_iter=300, tol=1e-3).fit(x, labels)
    assert head.classes == tuple(reference.classes_)
    np.testing.assert_allclose(head.proba(x), reference.predict_proba(x), atol=1e-6)


def test_calibrated_threshold_controls_the_wrong_answer_rate() -> None:
    rng = np.random.default_rng(1)
    probs = rng.uniform(0.5, 1.0, 2000)
    correct = rng.uniform(size=2000) < probs
    threshold = calibrate_threshold(probs, correct, alpha=0.1, delta=0.1, data="synthetic")
    assert threshold.controlled and threshold.risk_upper_bound <= 0.1
    assert 0 < threshold.coverage < 1 and threshold.answers(0.999) and not threshold.answers(0.5)


def _case_set(root: Path, rows: list[dict[str, str]]) -> Path:
    (root / "images").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(root / "images" / "a.png")
    (root / VQA_RAD_JSON).write_text(json.dumps(rows), encoding="utf-8")
    return root


def _row(question: str, answer: str, phrase: str, qtype: str = "MODALITY") -> dict[str, str]:
    return {
        "image_name": "a.png",
        "image_organ": "CHEST",
        "question": question,
        "answer": answer,
        "answer_type": "OPEN",
        "question_type": qtype,
        "phrase_type": phrase,
    }


def test_case_header_and_metadata_come_from_train_rows_only(tmp_path: Path) -> None:
    root = _case_set(tmp_path / "v", [_row("What modality is this?", "CT", "test_freeform")])
    (case,) = load_vqa_rad_cases(root)
    assert "CT" not in case.text and "modality" not in case.metadata and case.metadata["qa"] == []
    assert case.metadata["organ"] == "UNKNOWN"
    (leaky,) = load_vqa_rad_cases(root, include_test_qa=True)
    assert leaky.text.startswith("CT image, chest.") and leaky.metadata["modality"] == "CT"


def test_case_hash_covers_the_question_file(tmp_path: Path) -> None:
    root = _case_set(tmp_path / "v", [_row("What modality is this?", "CT", "freeform")])
    before = _file_hash([root / VQA_RAD_JSON, root / "images" / "a.png"])
    (root / VQA_RAD_JSON).write_text(json.dumps([_row("What modality is this?", "MRI", "freeform")]))
    assert _file_hash([root / VQA_RAD_JSON, root / "images" / "a.png"]) != before


def test_evaluation_refuses_an_index_holding_test_answers() -> None:
    catalog = Catalog(encoders={}, chunking={})
    catalog.documents["cases:vqa-rad"] = {"content_hash": "abc"}
    refuse_test_qa(catalog)
    catalog.documents["cases:vqa-rad"] = {"content_hash": "abc" + TEST_QA_MARK}
    with pytest.raises(IndexMismatchError, match="include-test-qa"):
        refuse_test_qa(catalog)


def test_cli_names_the_answerers_verdict_and_the_risk_rule() -> None:
    from medcite.cli.ask_cmd import answerer_line

    learned = {"version": "a-1", "answer": "no", "probability": 0.636, "abstained": True}
    controlled = {**learned, "threshold": 0.925, "risk_control": {"alpha": 0.1, "delta": 0.1}}
    assert answerer_line(controlled) == (
        "answerer a-1: 'no' p=0.636, abstained; answers at p >= 0.925 (alpha 0.1, delta 0.1)"
    )
    assert answerer_line({**learned, "abstained": False, "threshold": 0.0, "risk_control": None}).endswith(
        "answered; every question answered"
    )
    assert answerer_line({**controlled, "threshold": None}).endswith("no threshold controls the risk")
    assert "'no' p=0.636 (recalled: this image was asked the same before), abstained" in answerer_line(
        {**controlled, "recalled": True}
    )
