"""Dataset loaders by name: each takes a path (file or folder) and a split, and downloads nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from eval.datasets.base import Dataset
from eval.datasets.reports import load_report_pairs
from eval.datasets.text_sets import load_guideline_set, load_staging_set
from eval.datasets.vqa import load_slake, load_vqa_jsonl, load_vqa_rad
from rag.errors import InputError

Loader = Callable[[Path, str], Dataset]

LOADERS: dict[str, Loader] = {
    "vqa-rad": lambda path, split: load_vqa_rad(path, split),
    "vqa-rad-official": lambda path, split: load_vqa_rad(path, split, layout="official"),
    "slake": load_slake,
    "vqa-jsonl": load_vqa_jsonl,
    "staging": load_staging_set,
    "guideline": load_guideline_set,
    "report-pairs": load_report_pairs,
}


SETS = Path(__file__).resolve().parents[1] / "sets"
DEFAULT_PATHS = {"staging": SETS / "staging-dev-a.jsonl", "guideline": SETS / "guideline-dev.jsonl"}


def default_path(name: str, vqa_rad: Path) -> Path:
    """Where a dataset is read from when no path is given: the shipped dev sets, else the shared VQA-RAD."""
    return DEFAULT_PATHS.get(name, vqa_rad)


def load_dataset(name: str, path: Path, split: str) -> Dataset:
    if name not in LOADERS:
        raise InputError(f"unknown dataset {name!r}; choose from {', '.join(sorted(LOADERS))}")
    return LOADERS[name](path, split)


__all__ = ["LOADERS", "Dataset", "default_path", "load_dataset"]
