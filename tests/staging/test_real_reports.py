"""Staging on real-report wording: certainty, sections, lesion resolution, notation, conventions of the standard.

The labelled sets in eval/sets were written by helpers who never saw the engine (dev A: translated Japanese
and short reports; dev B: long Western and multi-lesion hedged reports; blind 2: scored once, first score
93.8% stage in each edition, then kept as regression).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import InputError
from rag.knowledge import get_passage
from rag.staging import extract_findings, stage_findings, stage_report
from rag.staging.certainty import certainty_at
from rag.staging.findings import Findings

pytestmark = pytest.mark.unit

SETS_DIR = Path(__file__).resolve().parents[2] / "eval" / "sets"
# A blind set is a measure until its misses are opened for development; only then does it guard against
# regressions here. staging-blind-4, -5 and -6 (first scores 90.0%, 90.0%, 85.0%) were opened on 2026-12-03.
UNOPENED: set[str] = set()
SET_FILES = sorted(path for path in SETS_DIR.glob("staging-*.jsonl") if path.stem not in UNOPENED)


def _cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.stem)
def test_labelled_sets_stage_at_least_98_percent_with_verbatim_citations(path: Path) -> None:
    cases = _cases(path)
    assert len(cases) >= 40
    for edition in ("8", "9"):
        misses = []
        for case in cases:
            result = stage_report(case["report"], edition).to_dict()
            if result["stage"] != case["expected"][edition]["stage"]:
                misses.append((case["id"], case["expected"][edition], result["t"], result["n"], result["m"]))
            assert "MX" not in (result["m"], *(d["value"] for d in result["decisions"]))
            for decision in result["decisions"]:
                assert decision["citations"], (case["id"], decision)
                for citation in decision["citations"]:
                    assert citation["quote"] in get_passage(citation["source_id"]).text
            for change in result["if_confirmed"]:
                assert change["quote"] in case["report"], (case["id"], change)
        assert 1 - len(misses) / len(cases) >= 0.98, misses


@pytest.mark.parametrize(
    ("sentence", "word", "certainty"),
    [
        ("Left adrenal nodule, metastasis is suspected.", "metastasis", "probable"),
        ("Findings consistent with bone metastasis.", "metastasis", "probable"),
        ("Brain metastasis cannot be ruled out.", "metastasis", "possible"),
        ("The differential includes metastasis.", "metastasis", "possible"),
        ("No bone metastasis.", "metastasis", "absent"),
        ("#7 is not swollen.", "swollen", "absent"),
        ("Chest wall invasion is not suspected.", "invasion", "absent"),
        ("No change in the 4R node.", "node", "present"),
        ("Osteolytic change in Th10.", "Osteolytic", "present"),
        ("Tumour involving the left main bronchus, carina spared.", "carina", "absent"),
    ],
)
def test_certainty_of_a_mention(sentence: str, word: str, certainty: str) -> None:
    start = sentence.index(word)
    assert certainty_at(sentence, start, start + len(word)) == certainty


def test_m0_by_convention_when_the_report_never_mentions_metastasis() -> None:
    result = stage_report("Spiculated 2.4 cm nodule in right S2. No swollen lymph nodes.", "9")
    assert (result.t, result.n, result.m, result.stage) == ("T1c", "N0", "M0", "IA3")
    m = result.decisions[2]
    assert "no MX" in m.reason or "has no MX" in m.reason
    assert any(c.source_id == "lung-tnm#m-categories/clinical-m0-and-the-absent-mx" for c in m.citations)


def test_n0_by_convention_and_nx_names_what_is_missing() -> None:
    assert stage_report("2.2 cm RUL mass.", "9").n == "N0"
    result = stage_report("2.2 cm solid nodule in the right lower lobe. The mediastinum was not imaged.", "9")
    assert result.n == "NX" and "missing:" in result.decisions[1].reason
    no_tumour = stage_report("Enlarged 4R node. No distant metastases.", "9")
    assert no_tumour.t == "TX" and "missing:" in no_tumour.decisions[0].reason


def test_segments_map_to_lobes_and_same_lobe_metastasis_is_t3() -> None:
    report = (
        "A 28mm solid nodule in right S6 with spiculation. An 8mm nodule in right S10, intrapulmonary metastasis "
        "is suspected. Impression: Right lower lobe lung cancer with intrapulmonary metastasis in the same lobe."
    )
    result = stage_report(report, "9")
    assert result.findings.tumour is not None and result.findings.tumour.lobe == "RLL"
    assert [(n.location, n.certainty) for n in result.findings.separate_nodules] == [("same_lobe", "probable")]
    assert result.t == "T3"


@pytest.mark.parametrize(
    ("nodule", "t", "m"),
    [
        ("A 9mm nodule in right S3, metastasis is suspected.", "T4", "M0"),
        ("A 9mm nodule in left S3, metastasis is suspected.", "T1c", "M1a"),
        ("Multiple small nodules in both lungs, suggesting intrapulmonary metastases.", "T1c", "M1a"),
        ("A calcified 5 mm granuloma in left S9.", "T1c", "M0"),
    ],
)
def test_separate_nodules_are_placed_relative_to_the_primary(nodule: str, t: str, m: str) -> None:
    result = stage_report(f"Right S6 mass, 26mm, primary lung cancer is suspected. {nodule}", "9")
    assert (result.t, result.m) == (t, m)


@pytest.mark.parametrize(
    ("nodes", "stations"),
    [
        ("Swollen lymph nodes at #4R (13mm) and #7 (15mm).", {"4R", "7"}),
        ("Enlarged nodes at stations 4R and 7.", {"4R", "7"}),
        ("No.7 lymph node is swollen, 12 mm.", {"7"}),
        ("Enlarged paraesophageal (station 8R, 1.3 cm) node.", {"8R"}),
        ("The #11s lymph node is swollen to 11mm in short axis.", {"11"}),
        ("#4R 15mm, #7 8mm.", {"4R"}),
    ],
)
def test_station_spellings_and_sizes_never_read_as_stations(nodes: str, stations: set[str]) -> None:
    findings = extract_findings(f"Right S1 mass 35mm. {nodes}")
    assert {n.station for n in findings.nodes} == stations


def test_impression_wins_over_findings() -> None:
    denied = stage_report(
        "RUL mass 3.2 cm. 4R node 11 mm. Impression: RUL lung cancer. Mediastinal nodes likely reactive.", "9"
    )
    assert denied.n == "N0"
    upgraded = stage_report(
        "RUL mass 3.2 cm. 1.8 cm left adrenal nodule, indeterminate. "
        "Impression: RUL lung cancer. Left adrenal metastasis is suspected.",
        "9",
    )
    assert upgraded.m == "M1b"
    assert upgraded.findings.metastases[0].certainty == "probable"


def test_possible_finding_that_would_change_the_stage_is_quoted() -> None:
    sentence = "Pleural dissemination cannot be excluded."
    result = stage_report(f"Left S1+2 mass of 36mm. No swollen lymph nodes. {sentence}", "9")
    assert (result.t, result.n, result.m, result.stage) == ("T2a", "N0", "M0", "IB")
    [change] = result.if_confirmed
    assert change.quote == sentence and (change.m, change.stage) == ("M1a", "IVA")
    assert change.to_text() == (
        "would be M1a, stage IVA if the pleural nodules or dissemination (reported as possible) were confirmed: "
        f'"{sentence}"'
    )
    assert "If confirmed: would be M1a, stage IVA" in result.to_text()
    m_decision = next(d for d in result.decisions if d.category == "M")
    assert m_decision.reason.endswith("not counted: pleural nodules or dissemination (possible)")
    t_decision = next(d for d in result.decisions if d.category == "T")
    assert "not counted" not in t_decision.reason


def test_certainty_policy_is_a_setting() -> None:
    report = "Right S2 mass 25mm. Right adrenal nodule, metastasis is suspected. Brain metastasis cannot be ruled out."
    assert stage_report(report, "9").m == "M1b"
    assert stage_report(report, "9", policy="present").m == "M0"
    assert stage_report(report, "9", policy="possible").m == "M1c2"
    with pytest.raises(InputError, match="certainty policy"):
        stage_report(report, "9", policy="maybe")


def test_structured_findings_carry_certainty() -> None:
    findings = Findings.model_validate(
        {
            "tumour": {"side": "left", "lobe": "LUL", "size_mm": 25},
            "nodes_assessed": True,
            "pleural": [{"kind": "pleural_nodules", "certainty": "possible", "evidence": "Pleural nodularity?"}],
        }
    )
    result = stage_findings(findings, "9")
    assert (result.m, [c.m for c in result.if_confirmed]) == ("M0", ["M1a"])


def test_bone_destruction_by_an_invading_primary_is_t_not_m() -> None:
    result = stage_report(
        "Right apical mass 4.5 cm destroying the first and second ribs and invading the chest wall. "
        "Bones: apart from the rib destruction described, no other osseous lesions.",
        "9",
    )
    assert (result.t, result.m) == ("T3", "M0")


def test_the_reports_own_staging_is_a_cross_check() -> None:
    result = stage_report("Left upper lobe mass 52 mm invading the chest wall. #5 node enlarged. cT3N3M0.", "8")
    assert result.n == "N2"
    assert any("the report states T3N3M0" in warning for warning in result.warnings)


def test_comparison_sizes_and_distances_are_not_the_tumour_size() -> None:
    result = stage_report(
        "Comparison: CT of 2023/05/30. The nodule in right S3 has grown and now measures 18mm (previously 12mm), "
        "about 2cm from the fissure.",
        "9",
    )
    assert result.findings.tumour is not None and result.findings.tumour.size_mm == 18.0


@pytest.mark.parametrize("joined", ["plus", "along with", "together with", "in addition to", "and", "/"])
def test_organs_listed_with_any_coordinating_word_are_separate_systems(joined: str) -> None:
    """ "Metastases to bone plus adrenal" names two organ systems (M1c2), not several bone lesions (M1c1)."""
    report = f"RUL mass 3.2 cm. Metastases to bone {joined} adrenal."
    assert stage_report(report, "9").m == "M1c2"
    assert stage_report(report, "8").m == "M1c"


def test_a_carina_named_as_intact_or_as_a_distance_is_not_invaded_and_rt_lt_give_the_side() -> None:
    """ "Extends into Lt. main bronchus (about 25mm from carina). Carina is intact." is T2a, and "Lt. hilum"
    puts the tumour on the left, so 4L and 5 are ipsilateral (N2b in the 9th edition), not NX."""
    report = (
        "Lt. hilum has a 35mm mass, it extends into Lt. main bronchus (about 25mm from carina). Carina is intact.\n"
        "#4L (14mm) and #5 (12mm) are swollen, LN metastasis is suspected. No distant metastasis."
    )
    result = stage_report(report, "9")
    assert (result.t, result.n, result.stage) == ("T2a", "N2b", "IIIB")


def test_a_node_offered_a_benign_explanation_is_in_doubt_and_not_counted() -> None:
    report = "Rt. S6 has a 22mm nodule with spicula. #7 is 9mm, slightly prominent, but reactive change is possible."
    assert stage_report(report, "9").n == "N0"
    # Without the benign alternative the same node counts.
    assert stage_report(report.replace(", but reactive change is possible", ""), "9").n == "N2a"


def test_the_diagnosis_naming_the_cancer_and_a_same_lobe_metastasis_keeps_the_mass_as_primary() -> None:
    report = (
        "Rt. S1 has a 26mm-sized mass. In same Rt. S1, another 8mm nodule is seen near the mass, "
        "intrapulmonary metastasis is suspected.\nDiagnosis: Rt. upper lobe lung cancer, PM1 suspected."
    )
    result = stage_report(report, "9")
    assert result.findings.tumour is not None and result.findings.tumour.size_mm == 26.0
    assert result.t == "T3"


def test_one_non_regional_node_named_in_findings_and_impression_is_one_metastasis() -> None:
    report = (
        "FINDINGS: 3.1 cm mass in the left upper lobe. A 2.2 cm left axillary lymph node is suspicious for "
        "metastasis.\nIMPRESSION: 1. Left upper lobe mass. 2. Left axillary lymph node suspicious for metastasis."
    )
    assert stage_report(report, "9").m == "M1b"
    both = report.replace("2. Left axillary", "2. Left axillary and right axillary")
    assert stage_report(both, "9").m == "M1c1"


def test_terse_abbreviations_fdg_plus_met_vpi_and_single_letter_sides() -> None:
    terse = (
        "LUL 2.3 cm spic nodule, SUV 9.\nLN: 4L, 5, 6 all FDG+ (SUV 6-8). 10L neg.\n"
        "R adrenal 2.6 cm, SUV 11 - met.\nLiver S7 1.9 cm, SUV 8 - met."
    )
    result = stage_report(terse, "9")
    assert (result.n, result.m) == ("N2b", "M1c2")
    assert stage_report("RLL 2.6 cm mass, broad pleural contact; VPI suspected. No mets.", "9").t == "T2a"
    central = stage_report("L central mass 4.8 cm involving L main bronchus. LN: 10R 1.5 cm - met. No eff.", "9")
    assert central.n == "N3"  # 10R is contralateral once "L central" gives the side


def test_segments_under_a_liver_heading_are_liver_segments() -> None:
    report = (
        "1. RML medial segment: 1.2 cm spiculated nodule (primary).\n"
        "2. Liver: two new hypoenhancing lesions, S6 2.1 cm and S8 1.4 cm, consistent with metastases."
    )
    result = stage_report(report, "9")
    assert result.t == "T1b" and result.m == "M1c1"
    assert not result.findings.separate_nodules


def test_a_stated_single_metastasis_is_not_made_plural_by_another_organs_plural() -> None:
    report = (
        "LLL mass 4.5 cm. Left adrenal: 3.2 cm mass; metastasis. Right adrenal: 1.2 cm nodule, -5 HU; adenoma.\n"
        "Impression: LLL cancer with subcarinal and left paraoesophageal nodal metastases and a single left "
        "adrenal metastasis. Right adrenal adenoma."
    )
    assert stage_report(report, "9").m == "M1b"


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        # "nod", "adeno", "solid comp", "supraclav": the terse report's own shorthand
        ("LLL post basal solid nod 8 x 7 x 6 mm. CT bx: adeno. No FDG+ LN.", ("T1a", "N0")),
        ("LUL ant seg part-solid nod, total 3.2 x 2.6 cm, solid comp 2.2 cm. bx: adeno.", ("T1c", "N0")),
        ("RUL 3.5 cm mass. LN: R supraclav 1.5 cm FDG+ (SUV 8.1). 4R 0.9 cm FDG neg.", ("T2a", "N3")),
        # "= phrenic n. invasion" after a raised hemidiaphragm: the nerve (T3), not the diaphragm (T4)
        ("LUL mass 3.9 cm; new L hemidiaphragm elevation on sniff test = phrenic n. invasion.", ("T3", "N0")),
    ],
)
def test_terse_shorthand_for_lesions_components_stations_and_nerves(report: str, expected: tuple[str, str]) -> None:
    result = stage_report(report, "9")
    assert (result.t, result.n) == expected


def test_rather_than_a_second_primary_is_a_separate_tumour_nodule() -> None:
    report = (
        "Left upper lobe: 2.9 cm spiculated mass (primary).\n"
        "Left lower lobe: 1.0 cm solid nodule. Biopsy: adenocarcinoma with the same morphology as the primary; "
        "intrapulmonary metastasis rather than a second primary."
    )
    assert stage_report(report, "9").t == "T4"


def test_a_benign_nodule_is_not_merged_into_a_separate_tumour_nodule_judgement() -> None:
    report = (
        "1. Right upper lobe, anterior segment: 2.3 cm spiculated mass (primary).\n"
        "2. Right upper lobe, apical segment: 8 mm solid nodule; likely a separate tumour nodule of the same cancer.\n"
        "3. Left lower lobe: 6 mm perifissural nodule, stable since 2021, intrapulmonary lymph node.\n"
        "Impression: Right upper lobe cancer with a separate tumour nodule in the same lobe. Benign lymph node."
    )
    result = stage_report(report, "9")
    assert (result.t, result.m) == ("T3", "M0")
