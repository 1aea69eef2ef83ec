"""Text-only sets through the same runner: labelled staging cases and guideline questions.

Both reuse the existing readers (:func:`eval.staging.load_cases`, :func:`eval.guideline.load_guideline_items`),
so a file that ``medcite stage-eval`` or ``medcite eval guideline`` accepts is accepted here unchanged.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from eval.datasets.base import Dataset, split_file
from eval.guideline import load_guideline_items
from eval.items import EvalItem
from eval.staging import load_cases


def load_staging_set(path: Path, split: str) -> Dataset:
    file = split_file(path, split, ".jsonl")
    items = [
        EvalItem(
            id=str(case.get("id", number)),
            kind="staging",
            question=str(case["report"]),
            payload={"case": case},
        )
        for number, case in enumerate(load_cases(file), start=1)
    ]
    return Dataset("staging", "staging", file.parent, split, items)


def load_guideline_set(path: Path, split: str) -> Dataset:
    file = split_file(path, split, ".jsonl")
    items = [
        EvalItem(
            id=item.id,
            kind="guideline",
            question=item.question,
            answer_type="answerable" if item.answerable else "out-of-scope",
            question_type=item.qtype or ("out-of-scope" if not item.answerable else ""),
            payload={"item": asdict(item)},
        )
        for item in load_guideline_items(file)
    ]
    return Dataset("guideline", "guideline", file.parent, split, items)
