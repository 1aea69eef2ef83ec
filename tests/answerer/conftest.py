"""A tiny VQA-RAD-style set with an MEVF split (synthetic chest and head pictures), an index over its
train Q/A (hashing text encoder, packaged EfficientNet-Lite0) and an answerer trained on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from rag.answerer.train import train_answerer
from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.ingest.cases import VQA_RAD_JSON
from rag.runtime import Runtime
from rag.store.catalog import save_catalog

IMAGES = 10


def picture(kind: str, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 40, (128, 128), dtype=np.uint8), mode="L").convert("RGB")
    draw = ImageDraw.Draw(image)
    if kind == "chest":
        draw.ellipse((15, 25, 60, 115), fill=(200, 200, 200))
        draw.ellipse((68, 25, 113, 115), fill=(200, 200, 200))
    else:
        draw.ellipse((24, 24, 104, 104), fill=(230, 230, 230))
    return image


def _rows(name: str, chest: bool, index: int) -> list[dict[str, Any]]:
    def row(question: str, answer: str, answer_type: str, qtype: str, phrase: str) -> dict[str, Any]:
        return {
            "qid": f"{name}:{question}:{phrase}",
            "image_name": name,
            "image_organ": "CHEST" if chest else "HEAD",
            "question": question,
            "answer": answer,
            "answer_type": answer_type,
            "question_type": qtype,
            "phrase_type": phrase,
        }

    train = [
        row("Is there a pleural effusion?", "yes" if chest else "no", "CLOSED", "PRES", "freeform"),
        row("Is this an MRI?", "no" if chest else "yes", "CLOSED", "MODALITY", "freeform"),
        row("What imaging modality is this?", "x-ray" if chest else "mri", "OPEN", "MODALITY", "freeform"),
        row("What organ is shown?", "chest" if chest else "brain", "OPEN", "ORGAN", "para"),
        row("Is there a mass?", "no", "CLOSED", "PRES", "freeform"),
    ]
    test = [row("Is there an effusion in the pleura?", "yes" if chest else "no", "CLOSED", "PRES", "test_freeform")]
    return train + (test if index % 2 == 0 else [])


def build_dataset(root: Path) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "mevf_split").mkdir()
    rows: list[dict[str, Any]] = []
    for index in range(IMAGES):
        chest = index % 2 == 0
        name = f"synth{index}.png"
        picture("chest" if chest else "head", index).save(root / "images" / name)
        rows += _rows(name, chest, index)
    train = [r for r in rows if not r["phrase_type"].startswith("test")]
    test = [r for r in rows if r["phrase_type"].startswith("test")]
    (root / VQA_RAD_JSON).write_text(json.dumps(rows), encoding="utf-8")
    (root / "mevf_split" / "trainset.json").write_text(json.dumps(train), encoding="utf-8")
    (root / "mevf_split" / "testset.json").write_text(json.dumps(test), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def answerer_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runtime, Path]:
    """(runtime whose settings point at the test index and answerer, dataset folder)."""
    base = tmp_path_factory.mktemp("answerer")
    data = build_dataset(base / "vqa")
    settings = Settings(index_dir=base / "idx", text_encoder="hashing", answerer_dir=base / "answerer")
    runtime = Runtime(settings)
    catalog = new_catalog(
        runtime.text_encoder.info, runtime.image_encoder.info, chunking_params(1500), runtime.collection_options()
    )
    builder = IndexBuilder(catalog, runtime.text_encoder, lambda: runtime.image_encoder)
    builder.add_cases(data)
    assert not builder.report.errors, builder.report.errors
    save_catalog(catalog, settings.index_dir)
    train_answerer(
        data,
        settings.answerer_root(),
        runtime.text_encoder,
        runtime.image_encoder,
        cache_dir=settings.answerer_root() / "cache",
    )
    return runtime, data
