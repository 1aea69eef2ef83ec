from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag.answerer.answering import UNCITED_MODE, answer_image_question
from rag.answerer.artifact import read_manifest
from rag.answerer.data import load_split
from rag.answerer.risk import ANSWER_ALL
from rag.answerer.saved import load_answerer, save_answerer
from rag.answerer.train import encode_items, train_answerer
from rag.contracts import Query
from rag.encoders.base import EncoderInfo
from rag.errors import IndexMismatchError
from rag.pipeline import Pipeline
from rag.runtime import Runtime
from tests.answerer.conftest import picture

pytestmark = pytest.mark.integration


def _encoders(runtime: Runtime) -> dict[str, EncoderInfo]:
    return {"text": runtime.text_encoder.info, "image": runtime.image_encoder.info}


def test_artifact_round_trips_and_records_only_train_items(answerer_env: tuple[Runtime, Path]) -> None:
    runtime, data = answerer_env
    saved = load_answerer(runtime.settings.answerer_root(), _encoders(runtime))
    manifest = saved.manifest
    train_ids = {r["qid"] for r in json.loads((data / "mevf_split" / "trainset.json").read_text())}
    test_ids = {r["qid"] for r in json.loads((data / "mevf_split" / "testset.json").read_text())}
    assert set(manifest["training"]["item_ids"]) == train_ids
    assert not set(manifest["training"]["item_ids"]) & test_ids
    assert manifest["training"]["split"] == "train" and manifest["training"]["item_count"] == len(train_ids)
    assert manifest["encoders"]["text"]["name"] == runtime.text_encoder.info.name
    assert {"yes-no", "open", "alpha", "delta"} <= set(manifest["risk"])
    items = load_split(data, "test")
    inputs = encode_items(items, data, runtime.text_encoder, runtime.image_encoder, None)
    again = load_answerer(runtime.settings.answerer_root(), _encoders(runtime))
    assert saved.model.predict(inputs) == again.model.predict(inputs)


def test_training_never_opens_the_test_split(answerer_env: tuple[Runtime, Path], tmp_path: Path) -> None:
    runtime, data = answerer_env
    copy = tmp_path / "vqa"
    shutil.copytree(data, copy)
    (copy / "mevf_split" / "testset.json").write_text("not json", encoding="utf-8")  # reading it would fail
    version, _, manifest = train_answerer(
        copy, tmp_path / "out", runtime.text_encoder, runtime.image_encoder, cache_dir=None
    )
    assert manifest["training"]["split_file"].endswith("trainset.json")
    assert read_manifest(version)["version"] == version.name


def test_loading_beside_other_encoders_is_refused(answerer_env: tuple[Runtime, Path]) -> None:
    runtime, _ = answerer_env
    other = {"text": EncoderInfo("other-text", 384, "1"), "image": runtime.image_encoder.info}
    with pytest.raises(IndexMismatchError, match="other-text"):
        load_answerer(runtime.settings.answerer_root(), other)


def _pipeline(runtime: Runtime, **settings: object) -> Pipeline:
    return Pipeline(Runtime(runtime.settings.model_copy(update=settings)))


def test_pipeline_image_question_is_answered_by_the_answerer_with_a_verified_citation(
    answerer_env: tuple[Runtime, Path],
) -> None:
    runtime, _ = answerer_env
    answer = _pipeline(runtime).answer(
        Query("Is there a pleural effusion?", image=picture("chest", 0), answerer_risk="all")
    )
    assert answer.mode == "answerer" and not answer.abstained
    assert answer.versions["generator"]["name"] == "answerer"
    assert answer.answerer["version"].startswith("a-") and 0.5 <= answer.answerer["probability"] <= 1
    assert answer.closed_answer == answer.answerer["answer"]
    assert answer.citations and answer.citations[0]["source_id"].startswith("synth")
    assert "Q: Is there a pleural effusion?" in answer.citations[0]["quote"]


def test_controlled_risk_abstains_below_the_threshold_and_answer_all_does_not(
    answerer_env: tuple[Runtime, Path], tmp_path: Path
) -> None:
    runtime, _ = answerer_env
    saved = load_answerer(runtime.settings.answerer_root(), _encoders(runtime))
    assert saved.threshold("yes-no", controlled=False) == ANSWER_ALL
    strict = {**saved.manifest["risk"], "yes-no": {**saved.manifest["risk"]["yes-no"], "threshold": None}}
    save_answerer(tmp_path, saved.model, {**saved.manifest, "risk": strict})
    pipeline = _pipeline(runtime, answerer_dir=tmp_path)
    query = Query("Is there a pleural effusion?", image=picture("chest", 0))
    controlled = pipeline.answer(query)
    assert controlled.abstained and controlled.mode == "answerer" and controlled.answerer["abstained"]
    assert controlled.answerer["threshold"] is None
    everything = pipeline.answer(replace(query, answerer_risk="all"))
    assert not everything.abstained and everything.answerer["threshold"] == 0.0


def test_without_an_artifact_the_case_vote_answers(answerer_env: tuple[Runtime, Path], tmp_path: Path) -> None:
    runtime, _ = answerer_env
    answer = _pipeline(runtime, answerer_dir=tmp_path).answer(
        Query("Is there a pleural effusion?", image=picture("chest", 0))
    )
    assert answer.mode == "case-vote" and answer.answerer == {}


def test_answer_without_a_supporting_case_cites_nothing_and_says_so(answerer_env: tuple[Runtime, Path]) -> None:
    runtime, _ = answerer_env
    saved = load_answerer(runtime.settings.answerer_root(), _encoders(runtime))
    question = "Is there a pleural effusion?"
    learned = answer_image_question(
        saved,
        question,
        runtime.text_encoder.encode([question]),
        runtime.image_encoder.encode([picture("chest", 0)]),
        closed=True,
        cases=[],
        numbers={},
        encoder=runtime.text_encoder,
        controlled=False,
    )
    assert learned.mode == UNCITED_MODE and "[" not in learned.text
    assert "No similar retrieved case supports this answer" in learned.text
    assert learned.info["cited"] is False
