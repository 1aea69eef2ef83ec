"""Training: the train split in, a versioned answerer with a calibrated abstention threshold out.

Only ``trainset.json`` is read. The abstention thresholds are calibrated on out-of-fold predictions
(folds grouped by image), i.e. on images the predicting model never saw, which is the harder case.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.answerer.data import QAItem, load_split, split_path
from rag.answerer.features import encode_image_files, encode_questions
from rag.answerer.model import AnswererModel, Inputs, ModelConfig, Prediction, fit, image_folds
from rag.answerer.risk import calibrate_threshold
from rag.answerer.saved import save_answerer
from rag.encoders.base import ImageEncoder, TextEncoder

HEADS = ("yes-no", "open")


def encode_items(
    items: Sequence[QAItem],
    data_dir: Path,
    text_encoder: TextEncoder,
    image_encoder: ImageEncoder,
    cache_dir: Path | None,
) -> Inputs:
    questions = encode_questions(text_encoder, [i.question for i in items], cache_dir)
    images = encode_image_files(image_encoder, [data_dir / "images" / i.image for i in items], cache_dir)
    return Inputs.of(items, questions, images)


def out_of_fold(items: Sequence[QAItem], inputs: Inputs, config: ModelConfig) -> list[Prediction]:
    """Each question answered by a model trained without its image (folds grouped by image)."""
    folds = image_folds(inputs.images, config.folds)
    out: list[Prediction | None] = [None] * len(items)
    for fold in np.unique(folds):
        train, held = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        model = fit([items[int(r)] for r in train], inputs.subset(train), config)
        for row, prediction in zip(held, model.predict(inputs.subset(held)), strict=True):
            out[int(row)] = prediction
    return [p for p in out if p is not None]


def correct(items: Sequence[QAItem], predictions: Sequence[Prediction]) -> np.ndarray:
    return np.array([p.answer == i.answer for i, p in zip(items, predictions, strict=True)])


def head_of(prediction: Prediction) -> str:
    return "yes-no" if prediction.head == "yes-no" else "open"


def calibrate(
    items: Sequence[QAItem], predictions: Sequence[Prediction], *, alpha: float, delta: float, data: str
) -> dict[str, dict[str, Any]]:
    """One risk-controlled threshold per head: yes/no probabilities start at 0.5, open ones near 0."""
    right = correct(items, predictions)
    out = {}
    for head in HEADS:
        rows = [r for r, p in enumerate(predictions) if head_of(p) == head]
        probs = [predictions[r].probability for r in rows]
        out[head] = calibrate_threshold(probs, right[rows], alpha=alpha, delta=delta, data=data).as_dict()
    return out


def accuracy(items: Sequence[QAItem], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Closed/open/overall accuracy and accuracy by primary question type."""
    right = correct(items, predictions)
    closed = np.array([i.answer_type == "CLOSED" for i in items])
    by_type: dict[str, dict[str, float | None]] = {}
    for qtype in sorted({i.question_type for i in items}):
        rows = np.array([i.question_type == qtype for i in items])
        by_type[qtype] = {
            "n": int(rows.sum()),
            "accuracy": round(float(right[rows].mean()), 4),
            "closed_n": int((rows & closed).sum()),
            "closed_accuracy": round(float(right[rows & closed].mean()), 4) if (rows & closed).any() else None,
        }
    return {
        "n": len(items),
        "closed": round(float(right[closed].mean()), 4) if closed.any() else None,
        "open": round(float(right[~closed].mean()), 4) if (~closed).any() else None,
        "overall": round(float(right.mean()), 4),
        "by_question_type": by_type,
    }


def train_answerer(
    data_dir: Path,
    out_root: Path,
    text_encoder: TextEncoder,
    image_encoder: ImageEncoder,
    *,
    cache_dir: Path | None,
    alpha: float = 0.1,
    delta: float = 0.1,
    config: ModelConfig | None = None,
) -> tuple[Path, AnswererModel, dict[str, Any]]:
    """Fit on the train split, calibrate abstention out of fold, save; returns (version dir, model, manifest)."""
    config = config or ModelConfig()
    started = time.perf_counter()
    items = load_split(data_dir, "train")
    inputs = encode_items(items, data_dir, text_encoder, image_encoder, cache_dir)
    held_out = out_of_fold(items, inputs, config)
    model = fit(items, inputs, config)
    split_file = split_path(data_dir, "train")
    manifest: dict[str, Any] = {
        "encoders": {"text": text_encoder.info.as_dict(), "image": image_encoder.info.as_dict()},
        "training": {
            "data_dir": str(data_dir.resolve()),
            "split": "train",
            "split_file": str(split_file.resolve()),
            "split_sha256": hashlib.sha256(split_file.read_bytes()).hexdigest(),
            "item_count": len(items),
            "image_count": len({i.image for i in items}),
            "item_ids": [i.qid for i in items],
            "vocabulary_size": len(model.vocabulary),
            "wall_s": round(time.perf_counter() - started, 1),
        },
        "validation": {"unseen_image_cv": {"folds": config.folds, **accuracy(items, held_out)}},
        "risk": {
            "alpha": alpha,
            "delta": delta,
            **calibrate(items, held_out, alpha=alpha, delta=delta, data="train split, out-of-fold by image"),
        },
    }
    return save_answerer(out_root, model, manifest), model, manifest
