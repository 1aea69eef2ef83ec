"""Unit tests of the lung TNM staging engine against hand-labelled cases and the knowledge passages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import InputError
from rag.knowledge import get_passage
from rag.staging import Findings, StagingResult, extract_findings, stage_findings, stage_jsonl, stage_report
from rag.staging.findings import MAIN_BRONCHUS_FEATURE
from rag.staging.stage_groups import stage_group

pytestmark = pytest.mark.unit

CASES_PATH = Path(__file__).with_name("cases.jsonl")
# blind_cases.jsonl was written by a tester who never saw the engine; its first run scored 91.7%
# in each edition, and the seven cases it caught are now regression tests too.
BLIND_PATH = Path(__file__).with_name("blind_cases.jsonl")
CASES = [
    json.loads(line)
    for path in (CASES_PATH, BLIND_PATH)
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
CONTRACT_KEYS = {
    "edition", "t", "n", "m", "stage", "decisions", "findings", "warnings", "if_confirmed", "certainty_policy",
    "preliminary",
}  # fmt: skip


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


# --- rules added after the blind test set: general phrasing variants -----------------------------------------


@pytest.mark.parametrize(
    "nodes",
    [
        "Hilar and mediastinal nodes all measure less than 1 cm in short axis.",
        "Mediastinal lymph nodes are under 10 mm short axis.",
        "All mediastinal nodes < 10 mm.",
        "No adenopathy; hilar nodes below 1 cm.",
    ],
)
def test_size_given_as_a_limit_is_not_an_enlarged_node(nodes: str) -> None:
    result = stage_report(f"Left lower lobe mass 2.5 cm. {nodes} No distant metastases.", "9")
    assert (result.n, result.findings.nodes) == ("N0", [])


def test_measured_node_of_10_mm_still_counts() -> None:
    result = stage_report("Left lower lobe mass 2.5 cm. Subcarinal node measuring 12 mm. No distant metastases.", "9")
    assert result.n == "N2a"


@pytest.mark.parametrize(
    ("report", "side"),
    [
        ("Mass within the right main bronchus, 2.2 cm, sparing the carina.", "right"),
        ("Left mainstem bronchus tumour measuring 1.9 cm; carina not involved.", "left"),
        ("Tumour arising from the left main bronchus, 2.4 cm.", "left"),
        ("Right lower lobe mass 2.6 cm with right main bronchus involvement.", "right"),
    ],
)
def test_tumour_in_the_main_bronchus_is_t2a_with_its_side(report: str, side: str) -> None:
    result = stage_report(report + " No lymphadenopathy. No distant metastases.", "8")
    assert result.findings.tumour is not None
    features = {i.structure for i in result.findings.tumour.invasions}
    assert MAIN_BRONCHUS_FEATURE in features and result.findings.tumour.side == side
    assert result.t == "T2a"


def test_main_bronchus_tumour_reaching_the_carina_is_t4() -> None:
    result = stage_report("Left main bronchus mass of 2.5 cm invading the carina. No distant metastases.", "8")
    assert result.t == "T4"


@pytest.mark.parametrize(
    ("phrase", "t"),
    [
        ("with phrenic nerve infiltration", "T3"),
        ("and chest wall invasion", "T3"),
        ("with parietal pericardium involvement", "T3"),
        ("showing mediastinal invasion", "T4"),
        ("with diaphragm invasion", "T4"),
        ("with SVC invasion", "T4"),
        ("with oesophageal involvement", "T4"),
    ],
)
def test_structure_before_invasion_noun_counts_as_invasion(phrase: str, t: str) -> None:
    result = stage_report(f"Right upper lobe mass 2.6 cm {phrase}. No lymphadenopathy. No distant metastases.", "9")
    assert result.t == t


def test_negated_structure_invasion_noun_is_ignored() -> None:
    result = stage_report("Right upper lobe mass 2.6 cm. No chest wall or phrenic nerve invasion.", "9")
    assert result.t == "T1c" and result.findings.tumour is not None and result.findings.tumour.invasions == []


@pytest.mark.parametrize(
    ("location", "nodes", "n"),
    [
        ("Right main bronchus tumour, 2.5 cm.", "Enlarged 4L node.", "N3"),
        ("Left hilar mass, 2.5 cm.", "Enlarged 4L node.", "N2"),
        ("Mass in the left lung measuring 2.5 cm.", "Enlarged 2R node.", "N3"),
        ("Tumour in the left main bronchus, 2.5 cm.", "Enlarged 10L node.", "N1"),
    ],
)
def test_tumour_side_from_sided_locations_without_a_lobe(location: str, nodes: str, n: str) -> None:
    assert stage_report(f"{location} {nodes} No distant metastases.", "8").n == n


@pytest.mark.parametrize(
    "nodule",
    [
        "A 6 mm nodule in the left upper lobe, suspicious for metastasis.",
        "New 8 mm nodule in the contralateral left lower lobe, compatible with a metastasis.",
        "Solid 5 mm nodule in the opposite lung, consistent with metastatic disease.",
    ],
)
def test_metastatic_nodule_in_the_other_lung_is_m1a(nodule: str) -> None:
    result = stage_report(f"Right lower lobe mass 2.5 cm. {nodule} No extrathoracic metastases.", "9")
    assert result.m == "M1a"
    assert [n.location for n in result.findings.separate_nodules] == ["contralateral"]


@pytest.mark.parametrize(
    "nodule",
    [
        "A 4 mm nodule in the left upper lobe.",
        "A 4 mm nodule in the left upper lobe, likely benign.",
        "No suspicious nodule in the left lung.",
    ],
)
def test_plain_or_benign_nodule_in_the_other_lung_is_not_m1a(nodule: str) -> None:
    result = stage_report(f"Right lower lobe mass 2.5 cm. {nodule} No distant metastases.", "9")
    assert result.m == "M0" and result.findings.separate_nodules == []


def test_primary_sentence_calling_its_own_nodule_suspicious_is_not_a_separate_nodule() -> None:
    result = stage_report("Spiculated 1.8 cm nodule in the right upper lobe, suspicious for malignancy.", "9")
    assert result.t == "T1b" and result.findings.separate_nodules == []


@pytest.mark.parametrize(
    "metastases",
    [
        "Sclerotic metastases involving several thoracic vertebral bodies and ribs.",
        "Bone metastases with destruction of the T9 vertebral body.",
        "Liver metastasis extending to the diaphragm.",
        "Osseous deposits infiltrating the sternum and the left 4th rib.",
    ],
)
def test_structures_named_by_a_metastasis_are_not_t_invasion(metastases: str) -> None:
    result = stage_report(f"Left upper lobe mass 2.2 cm. No lymphadenopathy. {metastases}", "9")
    assert result.t == "T1c" and result.findings.tumour is not None and result.findings.tumour.invasions == []
    assert result.m.startswith("M1")


def test_primary_invasion_still_counts_next_to_metastases() -> None:
    result = stage_report("Left upper lobe mass 2.2 cm invading the chest wall. Bone metastases in T7 and L2.", "9")
    assert (result.t, result.m) == ("T3", "M1c1")


@pytest.mark.parametrize(
    ("node", "n9"),
    [
        ("Enlarged 2R upper paratracheal node.", "N2a"),
        ("Enlarged lower paratracheal (4R) node.", "N2a"),
        ("FDG-avid subcarinal station 7 node.", "N2a"),
        ("Enlarged station 3a (prevascular) node.", "N2a"),
        ("Enlarged 8R paraoesophageal node.", "N2a"),
        ("Enlarged 10R hilar node.", "N1"),
        ("Enlarged 11R interlobar node.", "N1"),
    ],
)
def test_station_number_with_its_name_is_one_station(node: str, n9: str) -> None:
    result = stage_report(f"Right upper lobe mass 2.2 cm. {node} No distant metastases.", "9")
    assert result.n == n9 and len(result.findings.nodes) == 1


def test_named_station_on_the_other_side_stays_a_second_node() -> None:
    result = stage_report("Right upper lobe mass 2.2 cm. Enlarged 4R and left lower paratracheal nodes.", "9")
    assert result.n == "N3"
