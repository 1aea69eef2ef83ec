"""Bootstrap intervals, paired bootstrap, answer-text scores, coverage-risk: small inputs with known answers."""

from __future__ import annotations

import pytest

from eval.metrics.stats import mean_ci, paired_bootstrap, ratio_ci
from eval.metrics.text import (
    exact_match,
    rouge_l,
    sentence_bleu,
    strip_citations,
    token_f1,
    token_recall,
)
from eval.summary.common import coverage_risk

pytestmark = pytest.mark.unit


def test_mean_interval_brackets_the_mean_and_is_reproducible() -> None:
    values = [1.0] * 60 + [0.0] * 40
    first = mean_ci(values, seed=3)
    assert first == mean_ci(values, seed=3)
    assert first["value"] == 0.6 and first["n"] == 100
    assert 0.48 < first["low"] < 0.6 < first["high"] < 0.72
    assert mean_ci([]) == {"value": None, "low": None, "high": None, "n": 0}
    assert mean_ci([1.0, 1.0, 1.0]) == {"value": 1.0, "low": 1.0, "high": 1.0, "n": 3}


def test_ratio_interval_resamples_items_together() -> None:
    figure = ratio_ci([1, 1, 0, 0], [1, 1, 1, 0])
    assert figure["value"] == pytest.approx(2 / 3, abs=1e-4) and figure["n"] == 3
    assert ratio_ci([0, 0], [0, 0])["value"] is None


def test_paired_bootstrap_sees_a_consistent_small_gain() -> None:
    a = [0.0] * 50 + [1.0] * 50
    b = [1.0] * 8 + [0.0] * 42 + [1.0] * 50  # b right on 8 more items, wrong on none that a got
    diff = paired_bootstrap(a, b)
    assert diff["value"] == pytest.approx(0.08) and diff["low"] > 0 and diff["p_value"] < 0.05
    same = paired_bootstrap(a, a)
    assert same["value"] == 0 and same["p_value"] == 1.0
    with pytest.raises(ValueError, match="one value per item"):
        paired_bootstrap([1.0], [1.0, 0.0])


def test_short_answer_scores() -> None:
    assert strip_citations('Yes. "Q: Is it? A: yes." [7]') == 'Yes. "Q: Is it? A: yes."'
    assert exact_match("The Chest.", "chest") == 1.0 and exact_match("left chest", "chest") == 0.0
    assert token_recall("there is a mass in the left lung [2]", "left lung") == 1.0
    assert token_recall("right lung", "left lung") == 0.5
    assert token_f1("left lung", "left lung") == 1.0
    assert token_f1("mass in left lung", "left lung") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert token_f1("", "left lung") == 0.0


def test_report_scores_use_sacrebleu_and_rouge() -> None:
    reference = "There is a large right pleural effusion with compressive atelectasis."
    assert sentence_bleu(reference, reference) == pytest.approx(1.0)
    assert rouge_l(reference, reference) == pytest.approx(1.0)
    partial = "Large right pleural effusion."
    assert 0 < sentence_bleu(partial, reference) < 1 and 0 < rouge_l(partial, reference) < 1


def test_coverage_risk_orders_by_confidence_and_skips_abstentions() -> None:
    rows = [
        {"confidence": 0.9, "correct": 1.0},
        {"confidence": 0.8, "correct": 0.0},
        {"confidence": None, "correct": 0.0},
        {"confidence": 0.5, "correct": 1.0, "answered": True},
        {"confidence": 0.4, "correct": 0.0, "answered": False},
    ]
    curve = coverage_risk(rows)
    assert [(p["coverage"], p["risk"]) for p in curve["points"]] == [
        (0.2, 0.0),
        (0.4, 0.5),
        (0.6, pytest.approx(1 / 3, abs=1e-4)),
    ]


def test_open_vqa_answer_is_scored_on_the_learned_answerers_short_answer() -> None:
    from eval.items import EvalItem
    from eval.score import answer_row

    item = EvalItem(id="q1", kind="vqa", question="What organ is shown?", answer="brain", answer_type="open")
    answer = {
        "answer": 'The answer is brain, as in a similar case: "Q: What organ is this? A: brain." [1]',
        "abstained": False,
        "answerer": {"answer": "brain", "probability": 0.83},
        "citations": [{"n": 1, "score": 0.4}],
    }
    row = answer_row({"gold": "brain"}, item, answer)
    assert row["prediction"] == "brain" and row["correct"] == 1.0 and row["confidence"] == 0.83
    wrong = answer_row({"gold": "chest"}, item, answer)
    assert wrong["correct"] == 0.0
    abstained = answer_row({"gold": "brain"}, item, {**answer, "abstained": True})
    assert abstained["short_answer"] is None and abstained["correct"] == 0.0
