"""Model-assisted extraction: only the rules' gaps are asked, and only answers quoted verbatim are used.

The assistants here are scripted stand-ins for the model's reply (the protocol is one method); the real
llama.cpp server runs the same path in tests/generate/test_llm_end_to_end.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from rag.staging import stage_report
from rag.staging.assistant import Gap

pytestmark = pytest.mark.unit

UNMEASURED = "Right upper lobe tumour, irregular, about three centimetres across on the sagittal images."


class Scripted:
    """Replies with fixed answers and records the questions it was asked."""

    def __init__(self, *answers: dict[str, str]) -> None:
        self.answers = list(answers)
        self.asked: list[list[str]] = []

    def propose(self, report: str, gaps: list[Gap]) -> dict[str, Any]:
        self.asked.append([gap.key for gap in gaps])
        return {"answers": self.answers}


def test_no_gap_means_no_model_call() -> None:
    assistant = Scripted()
    stage_report("Right upper lobe mass 2.5 cm. No lymphadenopathy.", "9", assistant=assistant)
    assert assistant.asked == []


def test_a_quoted_answer_fills_the_gap_and_is_reported() -> None:
    quote = "Right upper lobe tumour, irregular, about three centimetres across on the sagittal images."
    assistant = Scripted({"key": "tumour_size", "value": "30 mm", "quote": quote})
    plain = stage_report(UNMEASURED, "9")
    assisted = stage_report(UNMEASURED, "9", assistant=assistant)
    assert assistant.asked == [["tumour_size"]]
    assert (plain.t, assisted.t) == ("TX", "T1c")
    assert any(w.startswith("assistant filled tumour_size = 30 mm") for w in assisted.warnings)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"key": "tumour_size", "value": "30 mm", "quote": "The tumour measures 3 cm."}, "not in the report verbatim"),
        ({"key": "tumour_size", "value": "80 mm", "quote": UNMEASURED}, "does not contain"),
        ({"key": "metastasis_count:liver", "value": "single", "quote": UNMEASURED}, "was not asked"),
    ],
)
def test_answers_without_verbatim_support_are_rejected(answer: dict[str, str], reason: str) -> None:
    assisted = stage_report(UNMEASURED, "9", assistant=Scripted(answer))
    assert assisted.t == "TX"
    assert any("rejected" in w and reason in w for w in assisted.warnings)


def test_the_model_never_overrides_what_the_rules_read() -> None:
    report = "Right upper lobe mass 2.5 cm. Mediastinal lymphadenopathy. Bone metastases."
    assistant = Scripted(
        {"key": "tumour_size", "value": "80 mm", "quote": "Right upper lobe mass 2.5 cm."},
        {"key": "n2_stations", "value": "4R, 7", "quote": "Mediastinal lymphadenopathy."},
    )
    result = stage_report(report, "9", assistant=assistant)
    assert assistant.asked == [["n2_stations"]]
    assert result.t == "T1c" and result.findings.tumour is not None and result.findings.tumour.size_mm == 25
    assert result.n == "N2" and any("n2_stations rejected" in w for w in result.warnings)


def test_stations_and_counts_fill_undecided_splits() -> None:
    report = (
        "Right upper lobe mass 2.5 cm. Mediastinal lymphadenopathy in 4R and 7 territories. Liver metastatic disease."
    )
    assistant = Scripted(
        {"key": "n2_stations", "value": "4R, 7", "quote": "Mediastinal lymphadenopathy in 4R and 7 territories."},
        {"key": "metastasis_count:liver", "value": "multiple", "quote": "Liver metastatic disease."},
    )
    result = stage_report(report, "9", assistant=assistant)
    assert (result.n, result.m, result.stage) == ("N2b", "M1c1", "IVB")


def test_unparseable_reply_is_a_warning_not_a_failure() -> None:
    class Broken:
        def propose(self, report: str, gaps: list[Gap]) -> dict[str, Any]:
            return {"unparseable_model_output": "I think it is T2"}

    result = stage_report(UNMEASURED, "9", assistant=Broken())
    assert result.t == "TX" and any("no answers list" in w for w in result.warnings)
