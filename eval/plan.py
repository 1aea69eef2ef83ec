"""A run's plan: items, variants and the exact list of tasks, built once and saved with the run.

Every task is fully specified (question text, image, leakage filter, probe), so any executor - this process,
a thread, or an arq worker on another machine - produces the same row for it, and a resumed run does exactly
the tasks that are missing. Tasks go item by item, so a run stopped halfway has whole items across variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.ablations import resolve_variants
from eval.baselines import majority_predictions, question_only_predictions
from eval.config import PROBES, RunConfig, Variant, check_settings
from eval.datasets import Dataset
from eval.items import EvalItem
from eval.probes import absent_findings, absent_probe, flip, negate, paraphrase
from rag.errors import InputError


@dataclass
class Plan:
    dataset: str
    kind: str
    root: str
    split: str
    items: list[EvalItem]
    variants: list[Variant]
    tasks: list[dict[str, Any]]
    primary: str
    probe_variant: str | None
    config: RunConfig
    images: dict[str, dict[str, str]] = field(default_factory=dict)  # case id -> organ domain, modality
    extra: dict[str, Any] = field(default_factory=dict)

    def item(self, item_id: str) -> EvalItem:
        return self._by_id()[item_id]

    def _by_id(self) -> dict[str, EvalItem]:
        cached: dict[str, EvalItem] | None = self.extra.get("_by_id")
        if cached is None:
            cached = {item.id: item for item in self.items}
            self.extra["_by_id"] = cached
        return cached

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "kind": self.kind,
            "root": self.root,
            "split": self.split,
            "items": [item.to_dict() for item in self.items],
            "variants": [v.model_dump() for v in self.variants],
            "tasks": self.tasks,
            "primary": self.primary,
            "probe_variant": self.probe_variant,
            "config": self.config.model_dump(),
            "images": self.images,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            dataset=data["dataset"],
            kind=data["kind"],
            root=data["root"],
            split=data["split"],
            items=[EvalItem.from_dict(item) for item in data["items"]],
            variants=[Variant.model_validate(v) for v in data["variants"]],
            tasks=data["tasks"],
            primary=data["primary"],
            probe_variant=data["probe_variant"],
            config=RunConfig.model_validate(data["config"]),
            images=data.get("images", {}),
        )


def task_key(variant: str, item_id: str, probe: str = "") -> str:
    return f"{variant}|{item_id}|{probe}"


def _task(variant: str, item: EvalItem, probe: str = "", **fields: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "key": task_key(variant, item.id, probe),
        "variant": variant,
        "item": item.id,
        "probe": probe,
        "question": item.question,
        "gold": item.answer,
        "image": item.image,
        "image_id": item.image_id,
        "blank": False,
    }
    task.update(fields)
    return task


def _shuffled(items: list[EvalItem]) -> dict[str, str]:
    """Each image mapped to another one, half the list away (a fixed derangement, no randomness to store)."""
    images = sorted({item.image for item in items if item.image is not None})
    if len(images) < 2:
        return {}
    shift = len(images) // 2
    return {image: images[(i + shift) % len(images)] for i, image in enumerate(images)}


def _probe_tasks(variant: str, item: EvalItem, probes: list[str], maps: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = []
    if item.image is not None and "blank" in probes:
        tasks.append(_task(variant, item, "blank", blank=True))
    if item.image is not None and "shuffled" in probes and item.image in maps["shuffled"]:
        other = maps["shuffled"][item.image]
        tasks.append(_task(variant, item, "shuffled", image=other, image_id=other.rsplit("/", 1)[-1].rsplit(".", 1)[0]))
    if not item.is_yes_no:
        return tasks
    if "negated" in probes and (negated := negate(item.question)):
        tasks.append(_task(variant, item, "negated", question=negated, gold=flip(item.answer)))
    if "paraphrase" in probes:
        tasks.append(_task(variant, item, "paraphrase", question=paraphrase(item.question)))
    if "absent" in probes and (absent := absent_probe(item, maps["absent"])):
        tasks.append(_task(variant, item, "absent", question=absent, gold="no"))
    return tasks


def build_plan(dataset: Dataset, config: RunConfig, *, limit: int | None = None) -> Plan:
    check_settings(config.settings, "run config")
    variants = resolve_variants(config, dataset.kind)
    answering = [v for v in variants if v.kind != "baseline"]
    if not answering:
        raise InputError("a run needs at least one variant that answers (not only baselines)")
    items = dataset.items[:limit] if limit is not None else list(dataset.items)
    if not items:
        raise InputError(f"{dataset.name} {dataset.split}: no items to evaluate")
    probes: list[str] = (
        list(config.probes) if config.probes is not None else (list(PROBES) if dataset.kind == "vqa" else [])
    )
    probe_variant = config.probe_variant or (answering[0].name if probes else None)
    if probe_variant is not None and probe_variant not in {v.name for v in answering}:
        raise InputError(f"probe variant {probe_variant!r} is not one of the run's variants")
    baseline_answers = {
        "majority": majority_predictions(items, dataset.reference)
        if any(v.baseline == "majority" for v in variants)
        else {},
        "question_only": (
            question_only_predictions(items, dataset.reference)
            if any(v.baseline == "question_only" for v in variants)
            else {}
        ),
    }
    maps = {"shuffled": _shuffled(items), "absent": absent_findings([*dataset.items, *dataset.reference])}
    tasks: list[dict[str, Any]] = []
    for item in items:
        for variant in variants:
            if variant.kind == "baseline":
                assert variant.baseline is not None
                tasks.append(_task(variant.name, item, prediction=baseline_answers[variant.baseline][item.id]))
            else:
                tasks.append(_task(variant.name, item))
        if probe_variant is not None:
            tasks.extend(_probe_tasks(probe_variant, item, probes, maps))
    return Plan(
        dataset=dataset.name,
        kind=dataset.kind,
        root=str(dataset.root),
        split=dataset.split,
        items=items,
        variants=variants,
        tasks=tasks,
        primary=answering[0].name,
        probe_variant=probe_variant,
        config=config,
        images=_image_attributes([*dataset.items, *dataset.reference]),
    )


def _image_attributes(items: list[EvalItem]) -> dict[str, dict[str, str]]:
    """Organ domain and modality of every image the set knows, to judge retrieved cases by (both splits)."""
    found: dict[str, dict[str, str]] = {}
    for item in items:
        if item.image_id is not None:
            found.setdefault(item.image_id, {"domain": item.domain or "", "modality": item.modality})
    return found
