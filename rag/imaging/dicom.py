"""DICOM → display-ready RGB image, following the DICOM grayscale pipeline.

Stored values go through the Modality LUT (or RescaleSlope/Intercept) to physical units, then the
VOI LUT (or WindowCenter/Width) chosen by the acquiring site, then MONOCHROME1 is inverted, so an
encoder sees what a radiologist sees rather than raw detector counts.
Only a few non-identifying header fields leave this module; patient data never does.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.processing import apply_modality_lut, apply_voi_lut
from pydicom.pixels.utils import pixel_array

from rag.errors import CorruptFileError, InputError, MissingDependencyError, UnsupportedFileError

#: Header fields safe to pass on (they feed domain routing). Never add patient/study identifiers here.
SAFE_HEADER_FIELDS: tuple[str, ...] = ("Modality", "BodyPartExamined", "StudyDescription")

_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
_PARSE_ERRORS = (InvalidDicomError, EOFError, ValueError, TypeError, KeyError, IndexError, OSError, AttributeError)


def looks_like_preambleless_dicom(data: bytes) -> bool:
    """Cheap check for a DICOM stream without the 128-byte preamble: it starts with a group 0x0002/0x0008 tag."""
    return len(data) >= 8 and data[:2] in (b"\x02\x00", b"\x08\x00") and data[3:4] == b"\x00"


def read_dataset(data: bytes, *, name: str, force: bool = False) -> Dataset:
    """Parse a DICOM byte stream; any parse failure becomes :class:`CorruptFileError` naming the file."""
    try:
        return dcmread(io.BytesIO(data), force=force)
    except _PARSE_ERRORS as exc:
        raise CorruptFileError(f"{name}: DICOM file could not be parsed ({type(exc).__name__}: {exc})") from exc


def safe_header(ds: Dataset) -> dict[str, str]:
    """The whitelisted, non-identifying header fields that are present and non-empty."""
    header: dict[str, str] = {}
    for keyword in SAFE_HEADER_FIELDS:
        value = ds.get(keyword)
        if value is not None and str(value).strip():
            header[keyword] = str(value).strip()
    return header


def dicom_to_rgb(ds: Dataset, *, name: str, max_pixels: int) -> Image.Image:
    """Decode the middle frame of `ds` and map it to an 8-bit RGB image (see module docstring)."""
    if not any(keyword in ds for keyword in _PIXEL_KEYWORDS):
        if len(ds) == 0 or "Rows" in ds:
            raise CorruptFileError(f"{name}: DICOM file ends before its pixel data (truncated?)")
        sop = ds.get("SOPClassUID")
        sop_name = getattr(sop, "name", str(sop)) if sop is not None else "unknown SOP class"
        raise UnsupportedFileError(f"{name}: DICOM object has no pixel data ({sop_name}); send an image series instead")
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        frames = int(ds.get("NumberOfFrames") or 1)
        samples = int(ds.get("SamplesPerPixel") or 1)
        photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).upper()
    except _PARSE_ERRORS as exc:
        raise CorruptFileError(f"{name}: DICOM image attributes are missing or invalid ({exc})") from exc
    if rows <= 0 or columns <= 0 or frames <= 0:
        raise CorruptFileError(f"{name}: DICOM image has invalid size {rows}x{columns}x{frames}")
    if rows * columns > max_pixels:
        raise InputError(
            f"{name}: DICOM frame is {columns}x{rows} = {rows * columns} pixels, over the limit of {max_pixels}; "
            "downsample it before sending"
        )

    frame = _decode_frame(ds, index=frames // 2 if frames > 1 else None, name=name)
    if frame.shape[:2] != (rows, columns):
        raise CorruptFileError(f"{name}: decoded DICOM frame has shape {frame.shape}, expected {rows}x{columns}")

    if samples == 3:
        # pydicom converts YBR to RGB by default; only the bit depth is left to normalise.
        return Image.fromarray(_to_uint8(frame.astype(np.float64), *_stored_range(ds)), mode="RGB")
    if samples != 1:
        raise UnsupportedFileError(f"{name}: DICOM with {samples} samples per pixel is not supported")
    if photometric == "PALETTE COLOR":
        raise UnsupportedFileError(f"{name}: PALETTE COLOR DICOM images are not supported")

    gray = _grayscale_to_uint8(frame, ds)
    if photometric == "MONOCHROME1":
        gray = 255 - gray
    return Image.fromarray(gray, mode="L").convert("RGB")


def _decode_frame(ds: Dataset, *, index: int | None, name: str) -> np.ndarray:
    """Decode one frame (the middle one for multi-frame data) without decoding the rest."""
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    try:
        if syntax is not None and syntax.is_compressed:
            decoder = get_decoder(syntax)
            if not decoder.is_available:
                raise MissingDependencyError(
                    f"{name}: cannot decompress {syntax.name} pixel data; install one of: "
                    + "; ".join(decoder.missing_dependencies)
                )
        arr: np.ndarray = pixel_array(ds, index=index)
    except MissingDependencyError:
        raise
    except NotImplementedError as exc:
        raise UnsupportedFileError(f"{name}: DICOM pixel data cannot be decoded here ({exc})") from exc
    except (*_PARSE_ERRORS, RuntimeError) as exc:
        raise CorruptFileError(f"{name}: DICOM pixel data is truncated or malformed ({exc})") from exc
    return arr


def _grayscale_to_uint8(frame: np.ndarray, ds: Dataset) -> np.ndarray:
    """Modality LUT, then VOI LUT/window mapped over its full output range, else min-max."""
    values = np.asarray(apply_modality_lut(frame, ds), dtype=np.float64)
    if ds.get("VOILUTSequence"):
        lut_bits = int(ds.VOILUTSequence[0].LUTDescriptor[2])
        return _to_uint8(np.asarray(apply_voi_lut(values, ds), dtype=np.float64), 0.0, float(2**lut_bits - 1))
    if "WindowCenter" in ds and "WindowWidth" in ds and ds.WindowCenter is not None and ds.WindowWidth is not None:
        low, high = _window_output_range(ds)
        return _to_uint8(np.asarray(apply_voi_lut(values, ds), dtype=np.float64), low, high)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    return _to_uint8(values, float(finite.min()), float(finite.max()))


def _stored_range(ds: Dataset) -> tuple[float, float]:
    """Range of the stored values, from BitsStored and PixelRepresentation."""
    bits = int(ds.get("BitsStored") or ds.get("BitsAllocated") or 8)
    if int(ds.get("PixelRepresentation") or 0) == 0:
        return 0.0, float(2**bits - 1)
    return float(-(2 ** (bits - 1))), float(2 ** (bits - 1) - 1)


def _window_output_range(ds: Dataset) -> tuple[float, float]:
    """The output range pydicom's windowing maps onto (mirrors ``pydicom.pixels.apply_windowing``)."""
    if ds.get("ModalityLUTSequence"):
        bits = int(ds.ModalityLUTSequence[0].LUTDescriptor[2])
        return 0.0, float(2**bits - 1)
    low, high = _stored_range(ds)
    slope: Any = ds.get("RescaleSlope")
    intercept: Any = ds.get("RescaleIntercept")
    if slope is not None and intercept is not None:
        low, high = low * float(slope) + float(intercept), high * float(slope) + float(intercept)
    return min(low, high), max(low, high)


def _to_uint8(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Linearly map [low, high] to [0, 255] with clipping; a flat range maps to black."""
    if not high > low:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (np.nan_to_num(values, nan=low) - low) * (255.0 / (high - low))
    out: np.ndarray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return out
