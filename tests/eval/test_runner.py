"""`medcite eval run` end to end in subprocesses on a tiny VQA-RAD-style set: a run killed halfway and resumed
gives exactly the figures of an uninterrupted run, and staging cases and guideline questions go through the
same runner."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eval.staging import evaluate, load_cases
from tests.eval.conftest import REPO, eval_env, without_timing

pytestmark = pytest.mark.integration


def _run(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "medcite.cli", "eval", "run", "--no-progress", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout, check=False)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.is_file() else 0


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_figures(vqa_set: tuple[Path, Path], tmp_path: Path) -> None:
    cases, index = vqa_set
    env = eval_env(index)
    args = ["--dataset", "vqa-rad", "--data-dir", str(cases), "--split", "test"]

    whole = _run(env, *args, "--out", str(tmp_path / "whole"), "--json")
    assert whole.returncode == 0, whole.stderr
    expected = json.loads((tmp_path / "whole" / "metrics.json").read_text())
    tasks = expected["tasks"]
    assert expected["complete"] and expected["errors"] == 0 and tasks >= 40

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "medcite.cli", "eval", "run", "--no-progress", *args, "--out", str(out)]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _lines(out / "results.jsonl") < tasks // 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_at_kill = _lines(out / "results.jsonl")
    assert 0 < done_at_kill < tasks, f"the run was not stopped halfway ({done_at_kill}/{tasks})"
    assert not (out / "metrics.json").exists()
    with (out / "results.jsonl").open("a") as handle:  # a kill mid-write leaves a torn last line
        handle.write('{"key": "rag|torn')

    again = _run(env, *args, "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr  # never silently over an existing run

    resumed = _run(env, "--out", str(out), "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == tasks and len({row["key"] for row in rows}) == tasks  # nothing twice, nothing torn
    got = json.loads((out / "metrics.json").read_text())
    assert without_timing(got) == without_timing(expected)
    assert len(json.loads((out / "timing.json").read_text())["sessions"]) == 2

    config = json.loads((out / "config.json").read_text())
    assert config["versions"]["index"].startswith("v-") and config["versions"]["code"]["medcite"]
    assert config["versions"]["encoders"]["text"]["name"] == "hashing"
    assert {v["name"] for v in config["variants"]} == {"rag", "rag_same_image", "no_rag", "majority", "question_only"}
    for name in ("accuracy", "majority_accuracy", "question_only_accuracy", "open_f1"):
        assert {"value", "low", "high", "n"} <= set(got[name]), name
        assert got[name]["low"] <= got[name]["value"] <= got[name]["high"]
    probed = got["variants"]["rag"]
    assert set(probed["image_sensitivity"]) == {"blank", "shuffled"}
    assert {"negated", "paraphrase"} <= set(probed["consistency"])


def test_staging_cases_through_the_runner_agree_with_stage_eval(tmp_path: Path) -> None:
    cases = REPO / "eval" / "sets" / "staging-dev-a.jsonl"
    done = _run(eval_env(tmp_path / "no-index"), "--dataset", "staging", "--data-dir", str(cases),
                "--limit", "12", "--out", str(tmp_path / "staging"), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    reference = evaluate(load_cases(cases)[:12])
    for edition, score in reference.items():
        figures = metrics["variants"]["rules"]["editions"][edition]
        assert figures["cases"] == score.cases
        for name in ("stage", "t", "n", "m"):
            assert figures["agreement"][name]["value"] == pytest.approx(score.rate(name), abs=1e-4)
        assert figures["confusion"] == score.confusion
    assert metrics[f"stage_agreement_{next(iter(reference))}"]["n"] == 12


def test_guideline_questions_through_the_runner(vqa_set: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = vqa_set
    done = _run(eval_env(index), "--dataset", "guideline", "--limit", "4", "--out", str(tmp_path / "g"), "--json")
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["kind"] == "guideline" and metrics["completed"] == 4 and metrics["errors"] == 0
    assert {"accuracy", "complete_and_cited", "citation_validity"} <= set(metrics)
    rows = [json.loads(line) for line in (tmp_path / "g" / "results.jsonl").read_text().splitlines()]
    assert all({"facts", "complete", "correct"} <= set(row["guideline"]) for row in rows)
