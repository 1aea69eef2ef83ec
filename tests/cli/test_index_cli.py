"""The CLI end to end with the real packaged models: build, info, search by text and image."""

import json
import os
from pathlib import Path

import pytest

from tests.cli.run import medcite

pytestmark = pytest.mark.integration

CASE_IMAGES = ["synpic29265.jpg", "synpic54610.jpg", "synpic42202.jpg", "synpic100132.jpg", "synpic16520.jpg"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> tuple[dict[str, str], Path]:
    """A small case set (5 VQA-RAD images), a few reports and the shipped knowledge."""
    root = tmp_path_factory.mktemp("medcite")
    cases = root / "cases"
    (cases / "images").mkdir(parents=True)
    for name in CASE_IMAGES:
        (cases / "images" / name).symlink_to(datasets / "vqa-rad" / "images" / name)
    rows = json.loads((datasets / "vqa-rad" / "VQA_RAD Dataset Public.json").read_text())
    (cases / "VQA_RAD Dataset Public.json").write_text(json.dumps([r for r in rows if r["image_name"] in CASE_IMAGES]))
    reports = root / "reports.jsonl"
    reports.write_text(
        '{"id": "r1", "report": "Chest radiograph: large right pleural effusion with mediastinal shift."}\n'
        '{"id": "r2", "report": "Brain MRI: acute infarct in the left MCA territory."}\n'
        "{broken\n"
    )
    env = {**os.environ, "MEDCITE_INDEX_DIR": str(root / "indexes"), "HF_HUB_OFFLINE": "1"}
    result = medcite(env, "index", "build", "--cases", str(cases), "--reports", str(reports), "--no-progress", "--json")
    summary = json.loads(result.stdout)
    assert summary["changed"] is True
    assert {"cases:cases", "reports", "lung-tnm"} <= set(summary["added"])
    assert any("reports.jsonl:3" in error for error in summary["errors"])
    return env, cases


def test_rebuild_with_same_sources_changes_nothing(built: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, cases = built
    result = medcite(env, "index", "build", "--cases", str(cases), "--no-progress", "--json")
    summary = json.loads(result.stdout)
    assert summary["changed"] is False
    assert "cases:cases" in summary["unchanged"]


def test_info_describes_encoders_and_collections(built: tuple[dict[str, str], Path]) -> None:
    env, _ = built
    manifest = json.loads(medcite(env, "index", "info", "--json").stdout)
    assert manifest["encoders"]["text"]["dim"] == 384
    assert manifest["encoders"]["image"]["dim"] == 1280
    kinds = {entry["kind"] for entry in manifest["collections"].values()}
    assert kinds == {"passage", "report", "case_image", "case_text", "unit"}
    assert manifest["collections"]["case_image__radiology-chest"]["count"] >= 1


def test_image_search_finds_the_same_case_first(built: tuple[dict[str, str], Path]) -> None:
    env, cases = built
    result = medcite(env, "search", "--image", str(cases / "images" / "synpic54610.jpg"), "-k", "3", "--json")
    payload = json.loads(result.stdout)
    top = payload["results"][0]
    assert top["id"] == "synpic54610" and top["kind"] == "case_image"
    assert top["score"] > 0.99
    assert [r["score"] for r in payload["results"]] == sorted((r["score"] for r in payload["results"]), reverse=True)


def test_text_search_json_schema_and_domain_filter(built: tuple[dict[str, str], Path]) -> None:
    env, _ = built
    result = medcite(env, "search", "pleural effusion with mediastinal shift", "--domain", "radiology:chest", "--json")
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "k", "domains", "index_version", "encoders", "results"}
    assert payload["results"] and all(r["domain"] == "radiology:chest" for r in payload["results"])
    # text questions are answered from guideline passages, never from other patients' captions
    assert {r["kind"] for r in payload["results"]} == {"passage"}
    assert payload["results"][0]["id"].endswith("massive-effusion-and-mediastinal-position")
    assert set(payload["results"][0]) == {
        "rank",
        "id",
        "score",
        "kind",
        "domain",
        "title",
        "section",
        "page",
        "source",
        "image",
        "text",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--domain", "pathology"], "unknown domain"),
        (["search"], "either query TEXT or --image"),
        (["search", "--image", "/nonexistent.png"], "no such file"),
        (["search", "x", "-k", "0"], "k must be at least 1"),
        (["index", "remove", "no-such-source"], "no indexed source"),
    ],
)
def test_bad_input_exits_2_with_a_message(built: tuple[dict[str, str], Path], args: list[str], message: str) -> None:
    env, _ = built
    result = medcite(env, *args, check=False)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_corrupt_query_image_is_rejected(built: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, _ = built
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    result = medcite(env, "search", "--image", str(bad), check=False)
    assert result.returncode == 2 and "scan.png" in result.stderr


def test_ask_image_question_answered_from_the_similar_case_with_a_verbatim_quote(
    built: tuple[dict[str, str], Path],
) -> None:
    env, cases = built
    image = cases / "images" / "synpic29265.jpg"
    result = medcite(env, "ask", "--image", str(image), "Is there evidence of a pneumothorax?", "--json")
    answer = json.loads(result.stdout)
    assert answer["preliminary"] is True and answer["mode"] == "case-vote"
    assert answer["closed_answer"] == "no"
    case_text = {c["id"]: c["text"] for c in answer["evidence"]["cases"]}
    citation = answer["citations"][0]
    assert citation["source_id"] == "synpic29265"
    assert citation["quote"] in case_text["synpic29265"]
    assert answer["domain"]["signal"] == "image-neighbours"
    assert set(answer["versions"]) == {"generator", "encoders", "index", "reranker", "medcite"}


def test_ask_with_the_same_image_excluded_never_uses_it(built: tuple[dict[str, str], Path]) -> None:
    env, cases = built
    image = cases / "images" / "synpic29265.jpg"
    args = ["ask", "--image", str(image), "Is there evidence of a pneumothorax?", "--exclude-same-image", "--json"]
    answer = json.loads(medcite(env, *args).stdout)
    assert answer["k"]["leakage_filter"] == ["synpic29265"]
    assert "synpic29265" not in {c["id"] for c in answer["evidence"]["cases"]}
    assert "synpic29265" not in {c["source_id"] for c in answer["citations"]}


def test_ask_with_a_dicom_routes_by_its_header(built: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    import numpy as np

    from tests.imaging.conftest import build_dicom

    env, _ = built
    pixels = (np.indices((64, 64)).sum(axis=0) * 30).astype(np.uint16)
    dicom = tmp_path / "study.dcm"
    dicom.write_bytes(build_dicom(pixels, attributes={"BodyPartExamined": "HEAD", "Modality": "MR"}))
    answer = json.loads(medcite(env, "ask", "--image", str(dicom), "Is the lesion enhancing?", "--json").stdout)
    assert answer["domain"]["signal"] == "dicom" and answer["domain"]["domain"] == "radiology:head"
    assert answer["domain"]["modality"] == "MRI"
    assert "Doe" not in json.dumps(answer) and "MRN-0042" not in json.dumps(answer)
    assert all(c["domain"] == "radiology:head" for c in answer["evidence"]["cases"])


def test_eval_vqa_scores_runs_and_resumes(built: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, cases = built
    rows = tmp_path / "rows.jsonl"
    args = ["eval", "vqa", "--cases", str(cases), "--limit", "3", "--out", str(rows), "--json"]
    summary = json.loads(medcite(env, *args).stdout)
    runs = {row["run"]: row for row in summary["results"]}
    assert summary["questions"] == 3
    assert set(runs) >= {"majority_baseline", "rag_same_image_allowed", "rag_same_image_excluded", "no_rag"}
    assert all(0.0 <= row["accuracy"] <= 1.0 and row["n"] == 3 for row in runs.values())
    assert runs["no_rag"]["abstention_rate"] == 1.0
    written = rows.read_text().splitlines()
    assert len(written) == 9
    again = json.loads(medcite(env, *args).stdout)
    assert again["results"] == summary["results"]
    assert len(rows.read_text().splitlines()) == 9


def test_ask_says_how_a_misspelt_question_was_read(built: tuple[dict[str, str], Path]) -> None:
    env, _ = built
    shown = medcite(env, "ask", "What are Light's cirteria for an exudative pleuarl effusion?").stdout
    assert "read as: cirteria -> criteria, pleuarl -> pleural" in shown
    assert "light-s-criteria" in shown and "0.6" in shown
