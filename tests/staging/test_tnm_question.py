"""Guideline questions that ask for a category or a stage, answered by the staging rules."""

from __future__ import annotations

import pytest

from rag.answering.synonyms import spell_out
from rag.tnm_question import answer_tnm_question, asked_category

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("3.5 cm RLL adeno, no mets. Stage group per 9th edition?", "stage"),
        ("what M category and stage does that make it", "stage"),
        ("bone plus adrenal disease: M1c1 or M1c2?", "M"),
        ("T3 vs T4 for a 6 cm mass invading the diaphragm", "T"),
        ("4.5cm RUL mass, no pleural invasion - T cat?", "T"),
        ("What is the recommended treatment for stage IIIA non-small cell lung cancer?", None),
        ("Is stage IV disease curable?", None),
    ],
)
def test_asked_category_reads_what_is_asked_not_what_is_named(question: str, asked: str | None) -> None:
    assert asked_category(question) == asked


def test_shorthand_is_spelled_out_where_it_stands() -> None:
    assert spell_out("3.5 cm RLL adeno w/ mets to L adrenal") == (
        "3.5 cm right lower lobe adenocarcinoma with metastases to left adrenal"
    )


def test_shorthand_vignette_is_staged() -> None:
    answer = answer_tnm_question(
        "3.5 cm RLL adeno, involved subcarinal (7) node, no distant mets. Stage group, 9th ed?"
    )
    assert answer is not None
    assert answer.value == "T2a N2a M0, stage IIIA"
    assert any("Stage IIIA" in quote for _, quote in answer.quotes)


def test_terse_category_question_is_staged() -> None:
    answer = answer_tnm_question("4.5cm RUL mass, no pleural invasion, no atelectasis, no other nodules - T cat?")
    assert answer is not None and answer.value == "T2b"


def test_offered_codes_are_not_read_as_a_hedge() -> None:
    """ "M1c1 or M1c2" is the choice asked, not doubt about the metastases beside it."""
    answer = answer_tnm_question("mets to bone and L adrenal - M1c1 or M1c2 (9th ed)?")
    assert answer is not None and answer.value == "M1c2"


def test_stated_categories_are_taken_as_given() -> None:
    answer = answer_tnm_question("cT2aN0 adeno LLL, now pleural fluid cytology positive. what M category and stage?")
    assert answer is not None and answer.value == "T2a N0 M1a, stage IVA"
    assert answer_tnm_question("T2a N0 M1b - what stage?").value == "T2a N0 M1b, stage IVA"  # type: ignore[union-attr]
    eighth = answer_tnm_question("What stage group is T2a N2 M0 in the 8th edition?")
    assert eighth is not None and eighth.value.endswith("stage IIIA")


def test_undecidable_or_two_scenario_questions_are_left_to_retrieval() -> None:
    assert answer_tnm_question("What stage group is T2a N2 M0 in the 9th edition?") is None  # N2a or N2b?
    assert answer_tnm_question("mets to bone and L adrenal - M1c1 or M1c2? what about bilat adrenal mets only") is None
