"""Encoder tests run fully offline: nothing may reach a model hub."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import shared_datasets

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

VQA_RAD_IMAGES = shared_datasets() / "vqa-rad" / "images"


@pytest.fixture(scope="session")
def vqa_rad_images() -> list[Path]:
    images = sorted(VQA_RAD_IMAGES.glob("*.jpg"))
    if len(images) < 8:
        pytest.skip(f"VQA-RAD images not found in {VQA_RAD_IMAGES}")
    return images
