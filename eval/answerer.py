"""How good the learned answerer is, and how much of that the image provides.

Official MEVF test split (its images also occur in training with other questions), unseen-image
grouped cross-validation on the train split, the question-only and majority baselines beside the
full model, blank/shuffled-image controls, and coverage/wrong-answer rate under risk control.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rag.answerer.data import YES_NO, QAItem, load_split
from rag.answerer.features import blank_image_vector
from rag.answerer.model import Inputs, ModelConfig, Prediction, fit, image_folds
from rag.answerer.risk import RiskThreshold
from rag.answerer.train import accuracy, calibrate, correct, encode_items, head_of, out_of_fold
from rag.build import refuse_test_qa
from rag.encoders.base import ImageEncoder, TextEncoder
from rag.store.catalog import Catalog

SHUFFLE_SEED = 0
SHORT_NAMES = {"full": "full", "question_only": "q-only", "majority": "major."}


def majority(train: Sequence[QAItem], inputs: Inputs) -> list[Prediction]:
    """The commonest training answer: yes/no for yes/no questions, else the commonest other answer."""
    yes_no = Counter(i.answer for i in train if i.answer in YES_NO).most_common(1)[0][0]
    other = Counter(i.answer for i in train if i.answer not in YES_NO).most_common(1)[0][0]
    return [Prediction(yes_no, 1.0, "yes-no") if y else Prediction(other, 1.0, "open") for y in inputs.yes_no]


def _majority_out_of_fold(items: Sequence[QAItem], inputs: Inputs, folds: int) -> list[Prediction]:
    fold_of = image_folds(inputs.images, folds)
    out: list[Prediction | None] = [None] * len(items)
    for fold in np.unique(fold_of):
        train = [items[int(r)] for r in np.flatnonzero(fold_of != fold)]
        held = np.flatnonzero(fold_of == fold)
        for row, prediction in zip(held, majority(train, inputs.subset(held)), strict=True):
            out[int(row)] = prediction
    return [p for p in out if p is not None]


def risk_outcome(
    items: Sequence[QAItem], predictions: Sequence[Prediction], thresholds: dict[str, dict[str, Any]]
) -> dict[str, float]:
    """Coverage and wrong-answer rate (wrong answers / all questions) when each head abstains below its threshold."""
    right = correct(items, predictions)
    cuts = {head: RiskThreshold.from_dict(thresholds[head]) for head in ("yes-no", "open")}
    answered = np.array([cuts[head_of(p)].answers(p.probability) for p in predictions])
    n = max(len(items), 1)
    return {
        "n": len(items),
        "coverage": round(float(answered.sum() / n), 4),
        "wrong_answer_rate": round(float((answered & ~right).sum() / n), 4),
        "accuracy_when_answered": round(float(right[answered].mean()), 4) if answered.any() else 0.0,
    }


def _cross_fit_risk(
    items: Sequence[QAItem], predictions: Sequence[Prediction], inputs: Inputs, folds: int, alpha: float, delta: float
) -> dict[str, float]:
    """Unseen-image risk: each fold's thresholds come from the other folds' out-of-fold predictions."""
    fold_of = image_folds(inputs.images, folds)
    answered_wrong = answered_total = 0.0
    right_answered = 0.0
    for fold in np.unique(fold_of):
        calib, held = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
        thresholds = calibrate(
            [items[int(r)] for r in calib],
            [predictions[int(r)] for r in calib],
            alpha=alpha,
            delta=delta,
            data="other folds",
        )
        outcome = risk_outcome([items[int(r)] for r in held], [predictions[int(r)] for r in held], thresholds)
        answered_total += outcome["coverage"] * outcome["n"]
        answered_wrong += outcome["wrong_answer_rate"] * outcome["n"]
        right_answered += outcome["accuracy_when_answered"] * outcome["coverage"] * outcome["n"]
    n = len(items)
    return {
        "n": n,
        "coverage": round(answered_total / n, 4),
        "wrong_answer_rate": round(answered_wrong / n, 4),
        "accuracy_when_answered": round(right_answered / answered_total, 4) if answered_total else 0.0,
    }


def _control(
    items: Sequence[QAItem], reference: Sequence[Prediction], predictions: Sequence[Prediction]
) -> dict[str, Any]:
    changed = np.mean([a.answer != b.answer for a, b in zip(reference, predictions, strict=True)])
    return {**accuracy(items, predictions), "changed_answers": round(float(changed), 4)}


def evaluate_answerer(
    data_dir: Path,
    text_encoder: TextEncoder,
    image_encoder: ImageEncoder,
    *,
    cache_dir: Path | None,
    folds: int = 5,
    alpha: float = 0.1,
    delta: float = 0.1,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Every number of the answerer report; fits on the train split only and scores the test split."""
    started = time.perf_counter()
    if catalog is not None:
        refuse_test_qa(catalog)
    train, test = load_split(data_dir, "train"), load_split(data_dir, "test")
    train_in = encode_items(train, data_dir, text_encoder, image_encoder, cache_dir)
    test_in = encode_items(test, data_dir, text_encoder, image_encoder, cache_dir)
    config = ModelConfig(folds=folds)
    question_only = replace(config, use_image=False)

    full = fit(train, train_in, config)
    predicted = full.predict(test_in)
    official = {
        "full": accuracy(test, predicted),
        "question_only": accuracy(test, fit(train, train_in, question_only).predict(test_in)),
        "majority": accuracy(test, majority(train, test_in)),
    }
    held_out = out_of_fold(train, train_in, config)
    unseen = {
        "folds": folds,
        "full": accuracy(train, held_out),
        "question_only": accuracy(train, out_of_fold(train, train_in, question_only)),
        "majority": accuracy(train, _majority_out_of_fold(train, train_in, folds)),
    }
    blank = np.repeat(blank_image_vector(image_encoder, cache_dir)[None, :], len(test), axis=0)
    shuffled = test_in.image_vectors[np.random.default_rng(SHUFFLE_SEED).permutation(len(test))]
    controls = {
        "blank_image": _control(test, predicted, full.predict(replace(test_in, image_vectors=blank))),
        "shuffled_image": _control(test, predicted, full.predict(replace(test_in, image_vectors=shuffled))),
    }
    thresholds = calibrate(train, held_out, alpha=alpha, delta=delta, data="train split, out-of-fold by image")
    risk = {
        "alpha": alpha,
        "delta": delta,
        "official_test": risk_outcome(test, predicted, thresholds),
        "unseen_images": _cross_fit_risk(train, held_out, train_in, folds, alpha, delta),
    }
    return {
        "data_dir": str(data_dir),
        "official_test": official,
        "unseen_image_cv": unseen,
        "controls": controls,
        "risk": risk,
        "wall_s": round(time.perf_counter() - started, 1),
    }


def _cell(value: float | None) -> str:
    return f"{value:>8.3f}" if value is not None else f"{'-':>8}"


def format_report(report: dict[str, Any]) -> str:
    """The report as the aligned text `medcite eval answerer` prints."""
    lines = [f"learned answerer, {report['data_dir']}"]

    def table(title: str, block: dict[str, Any]) -> None:
        lines.append(title)
        models = [m for m in ("full", "question_only", "majority") if m in block]
        lines.append(f"  {'':<14}" + "".join(f"{m:>15}" for m in models))
        for key in ("closed", "open", "overall"):
            lines.append(f"  {key:<14}" + "".join(f"{block[m][key]:>15.3f}" for m in models))
        names = "".join(f"{SHORT_NAMES[m]:>8}" for m in models)
        lines.append(f"  {'by type':<9}{'n':>5}{names}   {'closed':>5}{names}")
        for qtype, row in block["full"]["by_question_type"].items():
            cells = "".join(f"{block[m]['by_question_type'][qtype]['accuracy']:>8.3f}" for m in models)
            closed = "".join(_cell(block[m]["by_question_type"][qtype]["closed_accuracy"]) for m in models)
            lines.append(f"  {qtype:<9}{row['n']:>5}{cells}   {row['closed_n']:>5}{closed}")

    table(f"official test split (n={report['official_test']['full']['n']})", report["official_test"])
    cv = report["unseen_image_cv"]
    table(f"unseen images: {cv['folds']}-fold CV on train, grouped by image (n={cv['full']['n']})", cv)
    for name, row in report["controls"].items():
        lines.append(
            f"{name} (official test): closed {row['closed']:.3f} open {row['open']:.3f} "
            f"changed answers {row['changed_answers']:.3f}"
        )
    risk = report["risk"]
    for name in ("official_test", "unseen_images"):
        row = risk[name]
        lines.append(
            f"risk control alpha={risk['alpha']} delta={risk['delta']} on {name}: coverage {row['coverage']:.3f} "
            f"wrong-answer rate {row['wrong_answer_rate']:.3f} "
            f"accuracy when answered {row['accuracy_when_answered']:.3f}"
        )
    lines.append(f"wall time {report['wall_s']:.1f} s")
    return "\n".join(lines)
