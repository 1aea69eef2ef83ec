"""Dataset loaders on the shared VQA-RAD copy and on small files written here, plus probes and baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.baselines import majority_predictions, question_only_predictions
from eval.datasets import load_dataset
from eval.items import EvalItem
from eval.probes import absent_findings, absent_probe, negate, paraphrase
from rag.errors import InputError

pytestmark = pytest.mark.unit


def test_vqa_rad_test_split_is_the_451_questions_in_both_layouts(datasets: Path) -> None:
    mevf = load_dataset("vqa-rad", datasets / "vqa-rad", "test")
    official = load_dataset("vqa-rad-official", datasets / "vqa-rad", "test")
    assert len(mevf.items) == len(official.items) == 451
    assert sum(item.answer_type == "closed" for item in mevf.items) == 272
    assert len(mevf.reference) == 3064  # the MEVF train split, framed questions included
    assert {item.organ for item in mevf.items} == {"CHEST", "ABD", "HEAD"}
    assert {"CT", "MRI", "XR"} <= {item.modality for item in mevf.items}
    first = mevf.items[0]
    assert (first.image, first.image_id, first.domain) == ("images/synpic42202.jpg", "synpic42202", "radiology:chest")


def test_slake_jsonl_and_report_pairs(tmp_path: Path) -> None:
    slake = tmp_path / "slake"
    slake.mkdir()
    rows = [
        {"qid": 1, "img_name": "xmlab1/source.jpg", "question": "Is the lung healthy?", "answer": "No", "q_lang": "en",
         "answer_type": "CLOSED", "location": "Lung", "modality": "CT", "content_type": "Abnormality"},
        {"qid": 2, "img_name": "xmlab1/source.jpg", "question": "肺健康吗?", "answer": "否", "q_lang": "zh",
         "answer_type": "CLOSED", "location": "Lung", "modality": "CT", "content_type": "Abnormality"},
    ]  # fmt: skip
    (slake / "test.json").write_text(json.dumps(rows))
    loaded = load_dataset("slake", slake, "test")
    assert [(i.image, i.answer, i.organ, i.modality) for i in loaded.items] == [
        ("imgs/xmlab1/source.jpg", "no", "Lung", "CT")
    ]

    generic = tmp_path / "set.jsonl"
    lines = [
        {"image": "a.png", "question": "Is there a mass?", "answer": "Yes", "domain": "radiology:chest"},
        {"image": "b.png", "question": "Which lobe?", "answer": "right upper", "answer_type": "open"},
    ]
    generic.write_text("\n".join(json.dumps(line) for line in lines))
    items = load_dataset("vqa-jsonl", generic, "test").items
    assert [(i.answer_type, i.answer, i.payload.get("domain_hint")) for i in items] == [
        ("closed", "yes", "radiology:chest"),
        ("open", "right upper", None),
    ]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"image": "a.png", "report": "No acute findings."}) + "\n")
    assert load_dataset("report-pairs", pairs, "test").items[0].answer == "No acute findings."
    pairs.write_text(json.dumps({"image": "a.png"}) + "\n")
    with pytest.raises(InputError, match="needs 'image' and 'report'"):
        load_dataset("report-pairs", pairs, "test")
    with pytest.raises(InputError, match="unknown dataset"):
        load_dataset("imagenet", pairs, "test")


def test_text_sets_reuse_the_existing_readers() -> None:
    repo = Path(__file__).resolve().parents[2]
    staging = load_dataset("staging", repo / "eval/sets/staging-dev-a.jsonl", "test")
    assert staging.kind == "staging" and staging.items[0].payload["case"]["expected"]
    guideline = load_dataset("guideline", repo / "eval/sets/guideline-dev.jsonl", "test")
    assert guideline.items[0].payload["item"]["facts"]


def test_negation_and_paraphrase_rewrites() -> None:
    assert negate("Is there a pleural effusion?") == "Is there no pleural effusion?"
    assert negate("Are there any fractures?") == "Are there no fractures?"
    assert negate("Does the film show a pneumothorax?") == "Does the film not show a pneumothorax?"
    assert negate("Is this an MRI?") == "Is this not an MRI?"
    assert negate("Is there no mass?") is None and negate("Is the heart enlarged?") is None
    assert paraphrase("Is there a pleural effusion?") == "Can pleural effusion be seen in this image?"
    assert paraphrase("Is this an MRI?") == "Would you say this is an MRI?"
    assert paraphrase("Is the heart enlarged?") == "Looking at this image, is the heart enlarged?"


def _item(qid: str, question: str, answer: str, image: str = "images/a.png", qtype: str = "PRES") -> EvalItem:
    return EvalItem(qid, "vqa", question, answer, "closed", image, qtype)


def test_absent_finding_probe_asks_what_the_same_image_does_not_show() -> None:
    items = [
        _item("1", "Is there a pleural effusion?", "yes"),
        _item("2", "Is there a pneumothorax?", "no"),
        _item("3", "Is there a mass?", "no", image="images/b.png"),
    ]
    absent = absent_findings(items)
    assert absent_probe(items[0], absent) == "Is there a pneumothorax?"
    assert absent_probe(items[1], absent) is None  # only present findings get a probe


def test_baselines_fit_on_the_reference_split_or_leave_one_out() -> None:
    reference = [_item(f"r{i}", f"Is there a mass number {i}?", "no") for i in range(3)]
    reference.append(_item("r9", "Is this a CT scan?", "yes"))
    asked = [_item("t1", "Is this a CT scan of the head?", "yes"), _item("t2", "Is there a mass?", "no")]
    assert majority_predictions(asked, reference) == {"t1": "no", "t2": "no"}
    assert question_only_predictions(asked, reference) == {"t1": "yes", "t2": "no"}
    alone = majority_predictions([_item("a", "q", "yes"), _item("b", "q", "no"), _item("c", "q", "no")], [])
    assert alone == {"a": "no", "b": "no", "c": "no"}  # each item's own answer is left out
