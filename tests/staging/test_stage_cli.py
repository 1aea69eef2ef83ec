"""End-to-end CLI runs of ``stage`` and ``stage-eval`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).with_name("cases.jsonl")


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medcite.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_stage_file_json_and_text(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("Left upper lobe mass 4.3 cm. Enlarged subcarinal node. No distant metastases.\n")
    done = _run(tmp_path, "stage", str(report), "--edition", "9")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["t"], data["n"], data["m"], data["stage"]) == ("T2b", "N2a", "M0", "IIIA")
    text = _run(tmp_path, "stage", "-", "--edition", "8", "--format", "text", stdin=report.read_text())
    assert text.returncode == 0 and "cT2b N2 M0, stage IIIA" in text.stdout


def test_stage_bad_edition_exits_2(tmp_path: Path) -> None:
    done = _run(tmp_path, "stage", "-", "--edition", "7", stdin="Right upper lobe mass 2 cm.")
    assert done.returncode == 2 and "edition" in done.stderr


def test_stage_jsonl_batch_and_eval(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "x", "report": "RUL nodule 9 mm. No adenopathy. No metastases."}) + "\nbad\n")
    out = tmp_path / "out.jsonl"
    done = _run(tmp_path, "stage", "--jsonl", str(source), "--out", str(out), "--edition", "9")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["stage"] == "IA1" and "error" in lines[1]
    scores = _run(tmp_path, "stage-eval", str(CASES), "--json")
    assert scores.returncode == 0, scores.stderr
    data = json.loads(scores.stdout)
    assert data["8"]["agreement"]["stage"] >= 0.98 and data["9"]["agreement"]["stage"] >= 0.98
