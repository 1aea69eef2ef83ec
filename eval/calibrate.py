"""RULE-style calibration of how many similar cases to use for closed questions.

For each calibration question (VQA-RAD train split, the asked-about image's own case excluded)
the similar-case vote is run with the top-k cases for every k; a wrong yes/no counts as a
factuality loss (an abstention is not an error, it lowers coverage). :func:`rag.retrieve.adaptive_k.calibrate_k`
then picks, among the k whose risk bound is at most alpha, the one that answers most questions.
"""

from __future__ import annotations

import random
from pathlib import Path

from eval.vqa import load_closed_items
from rag.imaging.load import load_image
from rag.pipeline import Pipeline
from rag.retrieve.adaptive_k import Calibration, calibrate_k
from rag.vqa import vote_closed_answer


def calibrate_case_k(
    pipeline: Pipeline, root: Path, *, alpha: float, delta: float = 0.1, k_max: int = 8, n: int = 300, seed: int = 0
) -> Calibration:
    runtime = pipeline.runtime
    catalog = runtime.catalog()
    retriever = pipeline.retriever(catalog)
    items = load_closed_items(root, "train")
    random.Random(seed).shuffle(items)
    items = items[:n]
    losses: dict[int, list[float]] = {k: [] for k in range(1, k_max + 1)}
    answered: dict[int, int] = dict.fromkeys(losses, 0)
    for item in items:
        vector = runtime.image_encoder.encode([load_image(item.image_path).image])
        cases = retriever.similar_cases(vector, domains=None, exclude={item.image_path.stem}, k=k_max)
        for k in losses:
            vote = vote_closed_answer(
                item.question,
                cases[:k],
                runtime.text_encoder,
                min_question_similarity=pipeline.settings.case_vote_min_question_similarity,
                min_term_overlap=pipeline.settings.case_vote_min_term_overlap,
            )
            answered[k] += vote is not None
            losses[k].append(1.0 if vote is not None and vote.answer != item.answer else 0.0)
    data = f"VQA-RAD train closed yes/no questions, n={len(items)} (seed {seed}), same image excluded, from {root}"
    coverage = {k: count / len(items) for k, count in answered.items()}
    return calibrate_k(losses, alpha=alpha, delta=delta, data=data, coverage=coverage)
