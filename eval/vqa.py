"""VQA-RAD closed (yes/no) questions: accuracy with RAG, without RAG, and the majority baseline.

Evidence comes from the indexed train split (case texts hold train Q/A only); runs are made with
the asked-about image's own case allowed and excluded, to show how much comes from leakage.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.contracts import Query
from rag.errors import InputError
from rag.imaging.load import load_image
from rag.ingest.cases import VQA_RAD_JSON
from rag.pipeline import Pipeline

YES_NO = ("yes", "no")


@dataclass(frozen=True)
class VqaItem:
    qid: str
    image_path: Path
    question: str
    answer: str


def load_closed_items(root: Path, split: str) -> list[VqaItem]:
    """Closed questions answered yes or no (choice questions such as 'left or right?' are left out)."""
    path = root / VQA_RAD_JSON
    if not path.is_file():
        raise InputError(f"{root}: no {VQA_RAD_JSON}; expected the VQA-RAD layout")
    items = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        is_test = str(row["phrase_type"]).startswith("test")
        answer = str(row["answer"]).strip().lower()
        if str(row["answer_type"]).strip() == "CLOSED" and answer in YES_NO and is_test == (split == "test"):
            items.append(
                VqaItem(str(row["qid"]), root / "images" / str(row["image_name"]), str(row["question"]), answer)
            )
    return items


def majority_answer(items: Iterable[VqaItem]) -> str:
    counts = Counter(item.answer for item in items)
    return max(YES_NO, key=lambda answer: (counts[answer], answer == "no"))


@dataclass
class RunScore:
    name: str
    total: int = 0
    correct: int = 0
    abstained: int = 0

    def add(self, predicted: str | None, gold: str) -> None:
        self.total += 1
        self.correct += predicted == gold
        self.abstained += predicted is None

    def as_dict(self) -> dict[str, Any]:
        answered = self.total - self.abstained
        return {
            "run": self.name,
            "n": self.total,
            "accuracy": self.correct / self.total if self.total else 0.0,
            "abstention_rate": self.abstained / self.total if self.total else 0.0,
            "accuracy_when_answered": self.correct / answered if answered else 0.0,
        }


RUNS: dict[str, dict[str, Any]] = {
    "rag_same_image_allowed": {"use_retrieval": True, "exclude_same_image": False},
    "rag_same_image_excluded": {"use_retrieval": True, "exclude_same_image": True},
    "no_rag": {"use_retrieval": False, "exclude_same_image": True},
}


def run_vqa_eval(
    pipeline: Pipeline,
    root: Path,
    *,
    generator: str | None = None,
    runs: Iterable[str] = tuple(RUNS),
    limit: int | None = None,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Score each run; per-question rows go to ``out`` (JSONL) and a rerun skips rows already there."""
    test = load_closed_items(root, "test")[:limit]
    baseline = majority_answer(load_closed_items(root, "train"))
    done: dict[tuple[str, str], str | None] = {}
    if out is not None and out.is_file():
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            done[(row["run"], row["qid"])] = row["predicted"]
    unknown = sorted(set(runs) - set(RUNS))
    if unknown:
        raise InputError(f"unknown run(s) {unknown}; choose from {sorted(RUNS)}")
    scores = {name: RunScore(name) for name in runs}
    fallback = {name: RunScore(f"{name}+majority_fallback") for name in runs if RUNS[name]["use_retrieval"]}
    majority = RunScore("majority_baseline")
    handle = out.open("a", encoding="utf-8") if out is not None else None
    try:
        for index, item in enumerate(test, start=1):
            majority.add(baseline, item.answer)
            image = None
            for name in scores:
                key = (name, item.qid)
                if key not in done:
                    image = image or load_image(item.image_path).image
                    query = Query(
                        item.question, image=image, image_id=item.image_path.stem, generator=generator, **RUNS[name]
                    )
                    result = pipeline.answer(query)
                    done[key] = result.closed_answer
                    if handle is not None:
                        handle.write(
                            json.dumps(
                                {
                                    "run": name,
                                    "qid": item.qid,
                                    "gold": item.answer,
                                    "predicted": result.closed_answer,
                                    "mode": result.mode,
                                }
                            )
                            + "\n"
                        )
                        handle.flush()
                scores[name].add(done[key], item.answer)
                if name in fallback:
                    fallback[name].add(done[key] or baseline, item.answer)
            if progress is not None:
                progress(index, len(test))
    finally:
        if handle is not None:
            handle.close()
    return {
        "dataset": str(root),
        "questions": len(test),
        "majority_answer": baseline,
        "results": [
            majority.as_dict(),
            *(score.as_dict() for score in scores.values()),
            *(score.as_dict() for score in fallback.values()),
        ],
        "generator": generator or pipeline.settings.generator,
    }
