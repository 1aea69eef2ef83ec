"""Run one task and return its row: the same code in ``medcite eval run`` and in the arq workers."""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from eval.items import EvalItem
from eval.pipelines import Pipelines, base_settings
from eval.plan import Plan
from eval.score import answer_row, baseline_row
from eval.staging import evaluate
from rag.config import Settings
from rag.contracts import Query
from rag.errors import InputError, NotFoundError
from rag.imaging.load import load_image
from rag.staging.policy import DEFAULT_POLICY

BLANK_GREY = 128


@lru_cache(maxsize=64)
def _image(path: str) -> Image.Image:
    return load_image(Path(path)).image


def staging_row(item: EvalItem, policy: str | None) -> dict[str, Any]:
    """Each edition the case is labelled for, scored by :func:`eval.staging.evaluate` on that one case, so the
    agreement rules (main-category labels, exact values) are the staging evaluation's own."""
    scores = evaluate([item.payload["case"]], policy=policy or DEFAULT_POLICY)
    editions: dict[str, Any] = {}
    for edition, score in scores.items():
        if not score.cases:
            continue
        (expected, got_counts), *_ = score.confusion.items()
        editions[edition] = {
            **{name: float(agree) for name, agree in score.agree.items()},
            "main": {name: float(agree) for name, agree in score.agree_main.items()},
            "expected_stage": expected,
            "stage_got": next(iter(got_counts)),
            "differences": score.mismatches[0]["differences"] if score.mismatches else {},
        }
    correct = [e["stage"] for e in editions.values()]
    return {"editions": editions, "correct": sum(correct) / len(correct) if correct else 0.0, "abstained": False}


class Executor:
    """Holds the pipelines (models load once) and answers tasks of one plan."""

    def __init__(self, plan: Plan, settings: Settings | None = None, *, pipelines: Pipelines | None = None) -> None:
        self.plan = plan
        self.root = Path(plan.root)
        self._settings = settings
        self._pipelines = pipelines

    @property
    def pipelines(self) -> Pipelines:
        if self._pipelines is None:
            self._pipelines = Pipelines(base_settings(self.plan.config.settings, self._settings))
        return self._pipelines

    def _query(self, task: dict[str, Any], item: EvalItem) -> Query:
        variant = self.plan.variant(task["variant"])
        image = None
        if task.get("image"):
            image = _image(str(self.root / task["image"]))
            if task.get("blank"):
                image = Image.new("RGB", image.size, (BLANK_GREY,) * 3)
        return Query(
            question=task["question"],
            image=image,
            image_id=task.get("image_id"),
            domain=item.payload.get("domain_hint"),
            generator=variant.generator,
            exclude_same_image=variant.exclude_same_image,
            use_retrieval=variant.use_retrieval,
        )

    def execute(self, task: dict[str, Any]) -> dict[str, Any]:
        """The task's row. An item's own problem (unreadable image, rejected question) is recorded on the row;
        a missing index or a backend that cannot load stops the run."""
        started = time.perf_counter()
        item = self.plan.item(task["item"])
        variant = self.plan.variant(task["variant"])
        head = {"key": task["key"], "variant": task["variant"], "item": task["item"], "probe": task["probe"]}
        try:
            if variant.kind == "baseline":
                body = baseline_row(task, item)
            elif variant.kind == "staging":
                body = staging_row(item, variant.policy)
            else:
                query = self._query(task, item)
                pipeline = self.pipelines.get(variant.settings)
                body = answer_row(task, item, pipeline.answer(query).to_dict())
        except NotFoundError:
            raise  # no index built: every task would fail the same way, so the run stops
        except (InputError, OSError) as exc:
            body = {"error": f"{type(exc).__name__}: {exc}"}
        return {**head, "gold": task["gold"], **body, "seconds": round(time.perf_counter() - started, 4)}
