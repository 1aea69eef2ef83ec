"""Unit tests of the lung TNM staging engine against hand-labelled cases and the knowledge passages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import InputError
from rag.knowledge import get_passage
from rag.staging import Findings, StagingResult, extract_findings, stage_findings, stage_jsonl, stage_report
from rag.staging.stage_groups import stage_group

pytestmark = pytest.mark.unit

CASES_PATH = Path(__file__).with_name("cases.jsonl")
CASES = [json.loads(line) for line in CASES_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
CONTRACT_KEYS = {"edition", "t", "n", "m", "stage", "decisions", "findings", "warnings", "preliminary"}


@pytest.fixture(scope="module")
def results() -> dict[tuple[str, str], dict[str, Any]]:
    return {(case["id"], ed): stage_report(case["report"], ed).to_dict() for case in CASES for ed in ("8", "9")}


def test_case_file_is_large_and_covers_every_category() -> None:
    assert len(CASES) >= 90
    seen = {(ed, key, case["expected"][ed][key]) for case in CASES for ed in ("8", "9") for key in ("t", "n", "m")}
    for t in ("TX", "T0", "Tis", "T1mi", "T1a", "T1b", "T1c", "T2a", "T2b", "T3", "T4"):
        assert ("8", "t", t) in seen
    for ed, n_values, m_values in (
        ("8", ("N0", "N1", "N2", "N3"), ("M0", "M1a", "M1b", "M1c")),
        ("9", ("N0", "N1", "N2a", "N2b", "N3"), ("M0", "M1a", "M1b", "M1c1", "M1c2")),
    ):
        assert all((ed, "n", n) in seen for n in n_values)
        assert all((ed, "m", m) in seen for m in m_values)
    stages = {ed: {case["expected"][ed]["stage"] for case in CASES} for ed in ("8", "9")}
    every = {"Occult carcinoma", "0", "IA1", "IA2", "IA3", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB"}
    assert every <= stages["8"] and every <= stages["9"]


@pytest.mark.parametrize("edition", ["8", "9"])
def test_exact_stage_agreement_at_least_98_percent(
    results: dict[tuple[str, str], dict[str, Any]], edition: str
) -> None:
    misses = [
        (
            case["id"],
            case["expected"][edition],
            {k: results[(case["id"], edition)][k] for k in ("t", "n", "m", "stage")},
        )
        for case in CASES
        if results[(case["id"], edition)]["stage"] != case["expected"][edition]["stage"]
    ]
    assert 1 - len(misses) / len(CASES) >= 0.98, misses


def test_every_decision_is_cited_verbatim(results: dict[tuple[str, str], dict[str, Any]]) -> None:
    for key, result in results.items():
        assert [d["category"] for d in result["decisions"]] == ["T", "N", "M", "stage"], key
        for decision in result["decisions"]:
            assert decision["citations"], (key, decision)
            for citation in decision["citations"]:
                passage = get_passage(citation["source_id"])
                assert citation["quote"] in passage.text, (key, citation)
                assert citation["section"] == passage.section


def test_json_contract_keys(results: dict[tuple[str, str], dict[str, Any]]) -> None:
    for result in results.values():
        assert CONTRACT_KEYS <= set(result) <= CONTRACT_KEYS | {"stage_alternatives"}
        assert result["preliminary"] is True
        for decision in result["decisions"]:
            assert set(decision) == {"category", "value", "reason", "findings", "citations"}
            assert all(set(c) == {"source_id", "section", "quote"} for c in decision["citations"])
        json.dumps(result)


def test_negation_and_distractors_do_not_upstage() -> None:
    report = (
        "Right upper lobe mass measuring 2.7 cm abutting but not invading the pleura. No lymphadenopathy; "
        "subcentimeter mediastinal nodes, not suspicious. Benign calcified granuloma in the left lower lobe. "
        "Simple hepatic cyst. Small pleural effusion related to heart failure, without pleural nodularity."
    )
    result = stage_report(report, "9")
    assert (result.t, result.n, result.m, result.stage) == ("T1c", "N0", "M0", "IA3")
    findings = result.findings
    assert findings.tumour is not None and findings.tumour.invasions == []
    assert findings.nodes == [] and findings.metastases == [] and findings.pleural == []


def test_negated_mention_is_dropped_but_positive_clause_kept() -> None:
    findings = extract_findings(
        "Left lower lobe mass 2 cm. No mediastinal adenopathy, but an enlarged left hilar node."
    )
    assert [(n.station, n.side) for n in findings.nodes] == [("10L", "left")]


def test_sizes_in_mm_cm_and_three_dimensions() -> None:
    assert extract_findings("Mass in the RUL measuring 3.2 x 4.1 x 2.8 cm.").tumour.size_mm == 41.0  # type: ignore[union-attr]
    assert extract_findings("RLL nodule of 9 mm.").tumour.size_mm == 9.0  # type: ignore[union-attr]


def test_station_side_decides_n_role() -> None:
    left = stage_report("Left upper lobe mass 2.5 cm. Enlarged station 5 node. No distant metastases.", "8")
    right = stage_report("Right upper lobe mass 2.5 cm. Enlarged station 5 node. No distant metastases.", "8")
    assert (left.n, right.n) == ("N2", "N3")


def test_unsplit_n2_gives_stage_alternatives() -> None:
    result = stage_report("Right upper lobe mass 2.7 cm. Mediastinal lymphadenopathy. No distant metastases.", "9")
    assert (result.n, result.stage) == ("N2", "undeterminable")
    assert result.stage_alternatives == {"N2a": "IIB", "N2b": "IIIA"}
    assert any("N2a/N2b" in warning for warning in result.warnings)
    assert result.to_dict()["stage_alternatives"] == {"N2a": "IIB", "N2b": "IIIA"}


def test_structured_findings_input_and_schema_errors() -> None:
    findings = {
        "tumour": {"side": "left", "lobe": "LUL", "size_mm": 45},
        "nodes": [{"station": "4L"}, {"station": "7"}],
        "nodes_assessed": True,
        "metastases": [{"system": "skeletal system", "count": 3}],
    }
    result = stage_findings(findings, "9")
    assert (result.t, result.n, result.m, result.stage) == ("T2b", "N2b", "M1c1", "IVB")
    assert isinstance(stage_findings(Findings.model_validate(findings), "8"), StagingResult)
    with pytest.raises(InputError, match=r"tumour\.size_mm"):
        stage_findings({"tumour": {"size_mm": "big"}}, "9")
    with pytest.raises(InputError, match="unknown IASLC station"):
        stage_findings({"nodes": [{"station": "15R"}]}, "9")
    with pytest.raises(InputError, match="edition"):
        stage_report("Right upper lobe mass 2 cm.", "7")


def test_stage_tables_changed_cells() -> None:
    assert [stage_group("8", "T1a", "N1", "M0"), stage_group("9", "T1a", "N1", "M0")] == ["IIB", "IIA"]
    assert [stage_group("8", "T1c", "N2", "M0"), stage_group("9", "T1c", "N2a", "M0")] == ["IIIA", "IIB"]
    assert [stage_group("8", "T3", "N2", "M0"), stage_group("9", "T3", "N2a", "M0")] == ["IIIB", "IIIA"]
    assert [stage_group("8", "T2b", "N2", "M0"), stage_group("9", "T2b", "N2b", "M0")] == ["IIIA", "IIIB"]
    assert stage_group("9", "T1a", "N0", "M1c2") == "IVB"


def test_assistant_fills_gaps_without_overriding_rules() -> None:
    class Assistant:
        def propose(self, report: str) -> dict[str, Any]:
            return {"tumour": {"side": "left", "size_mm": 80}, "metastases": [{"system": "liver", "count": 1}]}

    result = stage_report("Right upper lobe mass 2.5 cm. No lymphadenopathy.", "9", assistant=Assistant())
    assert result.t == "T1c" and result.findings.tumour is not None and result.findings.tumour.side == "right"
    assert result.m == "M1b" and any("assistant filled" in warning for warning in result.warnings)


def test_batch_jsonl_with_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "report": CASES[0]["report"]}),
                "{not json",
                json.dumps({"id": "b", "findings": {"tumour": {"size_mm": -1}}}),
                json.dumps(
                    {
                        "id": "c",
                        "findings": {
                            "tumour": {"side": "right", "size_mm": 25},
                            "nodes_assessed": True,
                            "distant_assessed": True,
                        },
                    }
                ),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert stage_jsonl(source, out, "9") == 4
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == "a" and lines[0]["stage"] == CASES[0]["expected"]["9"]["stage"]
    assert "error" in lines[1] and "invalid JSON" in lines[1]["error"]
    assert lines[2]["id"] == "b" and "schema" in lines[2]["error"]
    assert (lines[3]["id"], lines[3]["stage"]) == ("c", "IA3")


def test_text_output_reads_like_a_staging_summary() -> None:
    text = stage_report(CASES[44]["report"], "9").to_text()
    assert text.startswith("TNM staging, 9th edition (preliminary, for clinical review)")
    assert "Classification: cT1b N2b M0, stage IIIA." in text
    assert "[lung-tnm#n-categories/n2b-9th-edition]" in text


def test_throughput_hundreds_per_second() -> None:
    import time

    reports = [case["report"] for case in CASES]
    start = time.perf_counter()
    for report in reports:
        stage_report(report, "9")
    assert len(reports) / (time.perf_counter() - start) > 100
