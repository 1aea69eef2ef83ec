"""Turn an uploaded or stored image (PNG, JPEG, DICOM) into one RGB picture the encoders accept.

The format is sniffed from magic bytes, never trusted from the file name, and the pixel count is
checked from the header before anything is decoded, so a small hostile file cannot exhaust memory.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps

from rag.errors import CorruptFileError, InputError, UnsupportedFileError
from rag.imaging.dicom import dicom_to_rgb, looks_like_preambleless_dicom, read_dataset, safe_header

ImageFormat = Literal["png", "jpeg", "dicom"]

#: Decompression-bomb guard: the most pixels (per frame) a loaded image may have.
DEFAULT_MAX_PIXELS = 80_000_000

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PIL_FORMATS: dict[str, str] = {"png": "PNG", "jpeg": "JPEG"}
_HIGH_BIT_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image plus what routing may use; ``dicom_header`` holds only non-identifying fields."""

    image: Image.Image
    format: ImageFormat
    name: str
    dicom_header: Mapping[str, str] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image.size


def detect_format(data: bytes) -> ImageFormat | None:
    """The format named by the magic bytes of `data`, or None when it is none we read."""
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "dicom"
    return None


def load_image(
    source: Path | str | bytes,
    *,
    name: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> LoadedImage:
    """Load `source` (a path or raw bytes) as RGB.

    `name` labels the image in error messages (defaults to the path, or ``"upload"`` for bytes).
    Raises :class:`UnsupportedFileError` for other formats, :class:`CorruptFileError` for empty,
    truncated or malformed files, and :class:`InputError` for a missing file or one over `max_pixels`.
    """
    if max_pixels <= 0:
        raise ValueError("max_pixels must be positive")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = name or "upload"
    else:
        path = Path(source)
        label = name or str(path)
        if not path.is_file():
            raise InputError(f"{label}: image file not found (or not a regular file)")
        data = path.read_bytes()

    if not data:
        raise CorruptFileError(f"{label}: file is empty")
    image_format = detect_format(data)
    if image_format == "dicom":
        return _load_dicom(data, name=label, max_pixels=max_pixels, force=False)
    if image_format is None:
        if looks_like_preambleless_dicom(data):
            return _load_dicom(data, name=label, max_pixels=max_pixels, force=True)
        raise UnsupportedFileError(f"{label}: not a PNG, JPEG or DICOM file (unrecognised file signature)")
    return _load_raster(data, image_format, name=label, max_pixels=max_pixels)


def _load_dicom(data: bytes, *, name: str, max_pixels: int, force: bool) -> LoadedImage:
    ds = read_dataset(data, name=name, force=force)
    image = dicom_to_rgb(ds, name=name, max_pixels=max_pixels)
    return LoadedImage(image=image, format="dicom", name=name, dicom_header=safe_header(ds))


def _load_raster(data: bytes, image_format: ImageFormat, *, name: str, max_pixels: int) -> LoadedImage:
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[image_format]]) as opened:
            width, height = opened.size
            if width * height > max_pixels:
                raise InputError(
                    f"{name}: image is {width}x{height} = {width * height} pixels, over the limit of {max_pixels}; "
                    "downsample it before sending"
                )
            opened.load()
            rgb = _to_rgb(opened)
    except Image.DecompressionBombError as exc:
        raise InputError(f"{name}: image is too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(
            f"{name}: {image_format.upper()} file is truncated or malformed ({type(exc).__name__}: {exc})"
        ) from exc
    return LoadedImage(image=rgb, format=image_format, name=name)


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB with EXIF orientation applied; alpha is composited on black, high bit depths min-max scaled."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "RGB":
        return image.copy()
    if image.mode in _HIGH_BIT_DEPTH_MODES:
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = np.zeros(values.shape, dtype=np.uint8)
        if high > low:
            scaled = np.clip(np.rint((values - low) * (255.0 / (high - low))), 0, 255).astype(np.uint8)
        return Image.fromarray(scaled, mode="L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
