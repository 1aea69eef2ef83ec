"""`medcite train answerer`, `medcite index info` and `medcite eval answerer` as a user runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rag.runtime import Runtime
from tests.cli.run import medcite as run_medcite

pytestmark = pytest.mark.integration


def medcite(env: dict[str, str], *args: str, fails: bool = False) -> str:
    """stdout of a successful run, or stderr of one that must fail."""
    result = run_medcite(env, *args, check=not fails)
    if fails:
        assert result.returncode != 0, f"medcite {' '.join(args)} should have failed:\n{result.stdout}"
        return result.stderr
    return result.stdout


def test_train_skip_info_and_evaluate_from_the_command_line(answerer_env: tuple[Runtime, Path], tmp_path: Path) -> None:
    runtime, data = answerer_env
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "MEDCITE_INDEX_DIR": str(runtime.settings.index_dir),
        "MEDCITE_TEXT_ENCODER": "hashing",
        "MEDCITE_ANSWERER_DIR": str(tmp_path / "answerer"),
    }
    trained = medcite(env, "train", "answerer", "--data-dir", str(data))
    assert "unseen-image 5-fold CV: closed" in trained and "yes-no: threshold" in trained
    again = medcite(env, "train", "answerer", "--data-dir", str(data))
    assert "is up to date" in again and "skipped" in again

    info = json.loads(medcite(env, "index", "info", "--json"))
    assert info["answerer"]["version"] in trained
    assert info["answerer"]["training"]["split"] == "train"

    report = json.loads(medcite(env, "eval", "answerer", "--data-dir", str(data), "--folds", "2", "--json"))
    official = report["official_test"]
    assert official["full"]["n"] == 5 and {"question_only", "majority"} <= set(official)
    assert {"blank_image", "shuffled_image"} == set(report["controls"])
    assert 0.0 <= report["controls"]["blank_image"]["changed_answers"] <= 1.0
    assert report["unseen_image_cv"]["folds"] == 2


def test_evaluation_refuses_an_index_that_holds_test_answers(
    answerer_env: tuple[Runtime, Path], tmp_path: Path
) -> None:
    _, data = answerer_env
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "MEDCITE_INDEX_DIR": str(tmp_path / "leaky"),
        "MEDCITE_TEXT_ENCODER": "hashing",
        "MEDCITE_ANSWERER_DIR": str(tmp_path / "answerer"),
    }
    medcite(env, "index", "build", "--cases", str(data), "--include-test-qa", "--no-knowledge", "--no-progress")
    run = ["eval", "run", "--dataset", "vqa-rad", "--data-dir", str(data), "--out", str(tmp_path / "run")]
    for args in (run, ["eval", "answerer", "--data-dir", str(data), "--folds", "2"]):
        error = medcite(env, *args, "--no-progress" if args is run else "--json", fails=True)
        assert "--include-test-qa" in error and "rebuild it without that flag" in error
