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
