"""A tiny VQA-RAD-style set (synthetic chest and head images, train and test Q/A) and a real index over it:
hashing text encoder (fast, deterministic) and the packaged EfficientNet-Lite0 image encoder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.runtime import Runtime
from rag.store.catalog import save_catalog
from tests.synthetic import synthetic_picture

REPO = Path(__file__).resolve().parents[2]
IMAGES = 8


def _rows(name: str, kind: str, index: int) -> list[dict[str, Any]]:
    chest = kind == "chest"
    organ = "CHEST" if chest else "HEAD"

    def row(question: str, answer: str, answer_type: str, qtype: str, phrase: str) -> dict[str, Any]:
        return {
            "qid": f"{name}-{len(question)}-{phrase}",
            "image_name": name,
            "image_organ": organ,
            "question": question,
            "answer": answer,
            "answer_type": answer_type,
            "question_type": qtype,
            "phrase_type": phrase,
        }

    rows = [
        row("Is there a pleural effusion?", "yes" if chest else "no", "CLOSED", "PRES", "freeform"),
        row("Is there a mass?", "no", "CLOSED", "PRES", "freeform"),
        row("What imaging modality is this?", "x-ray" if chest else "mri", "OPEN", "MODALITY", "freeform"),
        row("What organ is shown?", "chest" if chest else "brain", "OPEN", "ORGAN", "para"),
    ]
    if index % 2 == 0:  # half of the images are asked about in the test split
        rows += [
            row("Is there a pleural effusion?", "yes" if chest else "no", "CLOSED", "PRES", "test_freeform"),
            row("Is this an x-ray?", "yes" if chest else "no", "CLOSED", "MODALITY", "test_freeform"),
            row("What organ is shown in the image?", "chest" if chest else "brain", "OPEN", "ORGAN", "test_para"),
        ]
    return rows


def build_vqa_set(root: Path) -> Path:
    images = root / "images"
    images.mkdir(parents=True)
    rows: list[dict[str, Any]] = []
    for index in range(IMAGES):
        kind = "chest" if index < IMAGES // 2 else "head"
        name = f"synth{kind}{index}.png"
        synthetic_picture(kind, index).save(images / name)
        rows += _rows(name, kind, index)
    (root / "VQA_RAD Dataset Public.json").write_text(json.dumps(rows), encoding="utf-8")
    return root


def build_index(cases: Path, index_dir: Path) -> Path:
    runtime = Runtime(Settings(index_dir=index_dir, text_encoder="hashing"))
    catalog = new_catalog(
        runtime.text_encoder.info, runtime.image_encoder.info, chunking_params(1500), runtime.collection_options()
    )
    builder = IndexBuilder(catalog, runtime.text_encoder, lambda: runtime.image_encoder)
    builder.add_knowledge(runtime.settings.knowledge_dir)
    builder.add_cases(cases)
    assert not builder.report.errors, builder.report.errors
    save_catalog(catalog, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def vqa_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(dataset folder, index folder)."""
    root = tmp_path_factory.mktemp("eval-vqa")
    cases = build_vqa_set(root / "vqa")
    return cases, build_index(cases, root / "idx")


def eval_env(index_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI run or worker process: the test index with the hashing text encoder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDCITE_")}
    env.update(
        MEDCITE_INDEX_DIR=str(index_dir), MEDCITE_TEXT_ENCODER="hashing", HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1"
    )
    env.update(extra)
    return env


def without_timing(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics less latency and wall time: what two runs of the same plan must agree on exactly."""
    return {k: v for k, v in metrics.items() if k != "timing"}
