"""Sentence spans and citation markers: offsets must be exact, because quotes are cut from them."""

from __future__ import annotations

import pytest

from rag.cite import parse_markers, split_sentences, strip_markers

pytestmark = pytest.mark.unit


def _texts(text: str) -> list[str]:
    spans = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in spans)
    return [s.text for s in spans]


def test_decimals_units_and_abbreviations() -> None:
    text = "The tumour measures 4.5 cm. It invades the pleura, e.g. the visceral layer [1]. Compare Fig. 2 vs. prior."
    assert _texts(text) == [
        "The tumour measures 4.5 cm.",
        "It invades the pleura, e.g. the visceral layer [1].",
        "Compare Fig. 2 vs. prior.",
    ]


def test_markers_after_the_period_stay_with_their_sentence() -> None:
    assert _texts("T2 is more than 3 cm. [2] N0 means no nodes [3].") == [
        "T2 is more than 3 cm. [2]",
        "N0 means no nodes [3].",
    ]


def test_bullets_and_lines() -> None:
    text = "Findings:\n- Right pleural effusion [1]\n- No pneumothorax [2].\n1. First item.\n2) Second item"
    assert _texts(text) == [
        "Findings:",
        "Right pleural effusion [1]",
        "No pneumothorax [2].",
        "First item.",
        "Second item",
    ]


def test_soft_wrapped_lines_are_one_sentence() -> None:
    assert _texts("Tumours may invade the\nvisceral pleura [1].") == ["Tumours may invade the\nvisceral pleura [1]."]


def test_yes_no_and_answer_is_no_end_sentences() -> None:
    assert _texts("Yes. The answer is no. The mass is T2a [1].") == [
        "Yes.",
        "The answer is no.",
        "The mass is T2a [1].",
    ]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("a [1] b", [(1,)]),
        ("a [1, 3]", [(1, 3)]),
        ("a [1][2]", [(1,), (2,)]),
        ("a [1-3]", [(1, 2, 3)]),
        ("a [1–2; 4]", [(1, 2, 4)]),
        ("a [Source 2]", [(2,)]),
        ("a [T2a] [n]", []),
    ],
)
def test_marker_formats(text: str, numbers: list[tuple[int, ...]]) -> None:
    assert [m.numbers for m in parse_markers(text)] == numbers


def test_strip_markers_tidies_spacing() -> None:
    assert strip_markers("It is T2 [1, 2] , probably [3].") == "It is T2, probably."


@pytest.mark.unit
def test_stops_inside_a_double_quote_do_not_end_the_sentence() -> None:
    text = 'Yes. The case records "Q: Is there an effusion? A: no." [2]. Next one.'
    assert [span.text for span in split_sentences(text)] == [
        "Yes.",
        'The case records "Q: Is there an effusion? A: no." [2].',
        "Next one.",
    ]
