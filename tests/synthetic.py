"""Synthetic 'radiographs' for tests that need real image files: noise with two lung-like ellipses
(chest) or one round blob (head), distinct enough for the packaged image encoder to tell apart."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw


def synthetic_picture(kind: str, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 40, (160, 160), dtype=np.uint8), mode="L").convert("RGB")
    draw = ImageDraw.Draw(image)
    if kind == "chest":
        draw.ellipse((20, 30, 75, 140), fill=(200, 200, 200))
        draw.ellipse((85, 30, 140, 140), fill=(200, 200, 200))
    else:
        draw.ellipse((30, 30, 130, 130), fill=(230, 230, 230))
    return image
