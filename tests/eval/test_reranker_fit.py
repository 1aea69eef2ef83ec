"""Fitting the feature reranker: the pairwise fit on made-up rankings, and `medcite eval fit-reranker` end to
end on a real index, whose weights file then ranks the evidence of `medcite ask` and is named in its versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eval.reranker import Ranking, first_right, fit_weights
from rag.answering.weights import Linear
from rag.errors import InputError
from tests.eval.conftest import REPO, eval_env


def _rankings(seed: int, count: int, set_name: str) -> list[Ranking]:
    """Candidates whose ``signal`` marks the right one (noisily) and whose ``lure`` marks a wrong one."""
    rng = np.random.default_rng(seed)
    rankings = []
    for n in range(count):
        features = rng.uniform(0, 0.5, size=(8, 2))  # columns: lure, signal (sorted names)
        right = np.zeros(8, dtype=bool)
        right[n % 8] = True
        features[n % 8, 1] += 0.6
        features[(n + 1) % 8, 0] += 0.6
        rankings.append(Ranking(f"{set_name}-{n}", set_name, features, right))
    return rankings


@pytest.mark.unit
def test_pairwise_fit_learns_the_signal_and_reports_held_out_sets() -> None:
    rankings = _rankings(1, 30, "a") + _rankings(2, 30, "b")
    lured = Linear({"lure": 1.0, "signal": 0.2})
    weights, report = fit_weights(rankings, lured, fitted_on="synthetic")
    assert weights.weights["signal"] > 0 > weights.weights["lure"]
    assert sum(w for w in weights.weights.values() if w > 0) == pytest.approx(1.0)
    assert report["right_first"]["fitted"] > report["right_first"]["current"]
    held = report["right_first_held_out_by_set"]
    assert set(held) == {"a", "b"} and all(row["fitted"] > row["current"] for row in held.values())
    assert first_right(np.array([0.0, 1.0]), rankings) == report["right_first"]["fitted"]


@pytest.mark.unit
def test_fit_refuses_rankings_without_a_right_section() -> None:
    nothing_right = [Ranking("q", "a", np.ones((3, 2)), np.zeros(3, dtype=bool))]
    with pytest.raises(ValueError, match="nothing to fit"):
        fit_weights(nothing_right, Linear({"lure": 1.0, "signal": 1.0}), fitted_on="synthetic")


@pytest.mark.unit
def test_weights_file_round_trip_and_bad_files(tmp_path: Path) -> None:
    weights = Linear({"dense": 2.0, "text_recall": 2.0, "branch_conflict": -1.0}, "test").normalised()
    assert weights.weights == {"dense": 0.5, "text_recall": 0.5, "branch_conflict": -0.25}
    weights.save(tmp_path / "w.json", {"note": "x"})
    assert Linear.load(tmp_path / "w.json") == weights
    assert Linear.load().weights  # the shipped file
    (tmp_path / "bad.json").write_text('{"weights": {"dense": "high"}}')
    with pytest.raises(InputError, match="not a reranker weights file"):
        Linear.load(tmp_path / "bad.json")
    with pytest.raises(InputError, match="not found"):
        Linear.load(tmp_path / "missing.json")
    with pytest.raises(InputError, match="positive weight"):
        Linear({"conflict": -1.0}).normalised()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "medcite.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)


@pytest.mark.integration
def test_fit_reranker_end_to_end(vqa_set: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = vqa_set
    rows = [json.loads(line) for line in (REPO / "eval/sets/guideline-dev.jsonl").read_text().splitlines()]
    shipped = {path.stem for path in (REPO / "knowledge").glob("*.md")}
    local = [row for row in rows if row["answerable"] and row["source_doc"] in shipped][:24]
    for name, part in (("one", local[:12]), ("two", local[12:])):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in part))
    out = tmp_path / "rerank.json"
    env = eval_env(index)
    fitted = _cli(
        env, "eval", "fit-reranker", str(tmp_path / "one.jsonl"), str(tmp_path / "two.jsonl"), "--out", str(out)
    )
    assert fitted.returncode == 0, fitted.stderr
    report = json.loads(fitted.stdout)
    assert report["questions"] == 24 and set(report["right_first_held_out_by_set"]) == {"one", "two"}
    weights = Linear.load(out)
    assert weights.weights == report["weights"] and "one.jsonl" in weights.fitted_on

    asked = _cli({**env, "MEDCITE_RERANK_WEIGHTS": str(out)}, "ask", "--json", local[0]["question"])
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["versions"]["reranker"] == f"features:{weights.version}"
    missing = _cli({**env, "MEDCITE_RERANK_WEIGHTS": str(tmp_path / "nope.json")}, "ask", local[0]["question"])
    assert missing.returncode != 0 and "reranker weights file not found" in missing.stderr
