from pathlib import Path

import pytest

from eval.vqa import RunScore, load_closed_items, majority_answer
from rag.errors import InputError

pytestmark = pytest.mark.unit


def test_closed_yes_no_items_of_each_split(datasets: Path) -> None:
    test = load_closed_items(datasets / "vqa-rad", "test")
    train = load_closed_items(datasets / "vqa-rad", "train")
    assert len(test) == 251 and len(train) == 942
    assert {item.answer for item in test} == {"yes", "no"}
    assert majority_answer(train) == "no"
    assert not {item.image_path.name for item in test} - {p.name for p in (datasets / "vqa-rad" / "images").iterdir()}


def test_run_score_counts_abstentions_as_not_correct() -> None:
    score = RunScore("r")
    for predicted, gold in (("yes", "yes"), (None, "no"), ("no", "yes")):
        score.add(predicted, gold)
    assert score.as_dict() == {
        "run": "r",
        "n": 3,
        "accuracy": pytest.approx(1 / 3),
        "abstention_rate": pytest.approx(1 / 3),
        "accuracy_when_answered": pytest.approx(1 / 2),
    }


def test_missing_dataset_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="VQA-RAD layout"):
        load_closed_items(tmp_path, "test")
