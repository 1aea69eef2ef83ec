"""Image input: format sniffing, PNG/JPEG decoding, the DICOM grayscale pipeline and its guards."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rag.errors import CorruptFileError, InputError, UnsupportedFileError
from rag.imaging import DEFAULT_MAX_PIXELS, LoadedImage, detect_format, load_image

pytestmark = pytest.mark.unit

MakeDicom = Callable[..., bytes]


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _gradient(width: int = 32, height: int = 24) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.float64)[None, :].repeat(height, axis=0)
    rgb = np.stack([x, x[::-1, ::-1], np.full_like(x, 90.0)], axis=-1)
    return Image.fromarray(rgb.astype(np.uint8), mode="RGB")


def _window_reference(hu: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM PS3.3 C.11.2.1.2 LINEAR window onto [0, 255], written out independently of the code under test."""
    scaled = ((hu - (center - 0.5)) / (width - 1) + 0.5) * 255.0
    return np.clip(scaled, 0, 255)


# --- PNG / JPEG ---------------------------------------------------------------------------------


def test_png_bytes_round_trip_exactly() -> None:
    original = _gradient()
    loaded = load_image(_encode(original, "PNG"), name="grad.png")
    assert isinstance(loaded, LoadedImage)
    assert loaded.format == "png"
    assert loaded.image.mode == "RGB"
    assert loaded.size == (32, 24)
    assert loaded.dicom_header == {}
    assert np.array_equal(np.asarray(loaded.image), np.asarray(original))


def test_jpeg_from_path_is_detected_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"  # a JPEG with a misleading name
    path.write_bytes(_encode(_gradient(), "JPEG"))
    loaded = load_image(path)
    assert loaded.format == "jpeg"
    assert loaded.name == str(path)
    assert loaded.image.mode == "RGB"
    assert np.abs(np.asarray(loaded.image, dtype=int) - np.asarray(_gradient(), dtype=int)).mean() < 8


def test_grayscale_and_rgba_pngs_become_rgb() -> None:
    gray = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8), mode="L")
    loaded = load_image(_encode(gray, "PNG"))
    assert loaded.image.mode == "RGB"
    assert np.array_equal(np.asarray(loaded.image)[..., 0], np.asarray(gray))

    rgba = Image.new("RGBA", (4, 4), (200, 100, 50, 0))  # fully transparent → black background
    assert np.asarray(load_image(_encode(rgba, "PNG")).image).max() == 0


def test_16_bit_png_is_min_max_scaled() -> None:
    values = np.array([[1000, 2000], [3000, 5000]], dtype=np.uint16)
    loaded = load_image(_encode(Image.fromarray(values), "PNG"))
    channel = np.asarray(loaded.image)[..., 0]
    assert channel[0, 0] == 0 and channel[1, 1] == 255
    assert channel[0, 1] == round(1000 / 4000 * 255)


def test_real_vqa_rad_jpeg(vqa_rad_image: Path) -> None:
    loaded = load_image(vqa_rad_image)
    assert loaded.format == "jpeg" and loaded.image.mode == "RGB" and min(loaded.size) > 32


def test_detect_format() -> None:
    assert detect_format(_encode(_gradient(), "PNG")) == "png"
    assert detect_format(_encode(_gradient(), "JPEG")) == "jpeg"
    assert detect_format(b"\0" * 128 + b"DICM" + b"\0" * 8) == "dicom"
    assert detect_format(b"GIF89a" + b"\0" * 200) is None


# --- errors -------------------------------------------------------------------------------------


def test_random_bytes_are_unsupported() -> None:
    data = b"\x13\x37" + np.random.default_rng(0).bytes(2048)
    with pytest.raises(UnsupportedFileError, match=r"blob.bin"):
        load_image(data, name="blob.bin")


def test_other_image_formats_are_unsupported() -> None:
    with pytest.raises(UnsupportedFileError, match=r"PNG, JPEG or DICOM"):
        load_image(_encode(_gradient(), "GIF"), name="anim.gif")


def test_empty_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(CorruptFileError, match=r"empty.jpg.*empty"):
        load_image(path)


def test_truncated_png_and_jpeg_are_corrupt() -> None:
    noisy = Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    for fmt in ("PNG", "JPEG"):
        data = _encode(noisy, fmt)
        with pytest.raises(CorruptFileError, match=f"cut.{fmt.lower()}"):
            load_image(data[: len(data) // 2], name=f"cut.{fmt.lower()}")


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"not found"):
        load_image(tmp_path / "nope.png")


def test_pixel_limit_is_checked_before_decoding() -> None:
    assert DEFAULT_MAX_PIXELS == 80_000_000
    with pytest.raises(InputError, match=r"over the limit of 500"):
        load_image(_encode(_gradient(32, 24), "PNG"), max_pixels=500)
    assert load_image(_encode(_gradient(32, 24), "PNG"), max_pixels=768).size == (32, 24)


# --- DICOM --------------------------------------------------------------------------------------


def test_dicom_rescale_and_window_map_to_expected_grey_levels(make_dicom: MakeDicom) -> None:
    stored = np.array([[12, 462, 532], [600, 1024, 4000]], dtype=np.uint16)
    data = make_dicom(
        stored,
        attributes={"RescaleSlope": 2, "RescaleIntercept": -1024, "WindowCenter": 40, "WindowWidth": 400},
    )
    loaded = load_image(data, name="ct.dcm")
    assert loaded.format == "dicom"
    assert loaded.size == (3, 2)
    channels = np.asarray(loaded.image)
    assert np.array_equal(channels[..., 0], channels[..., 1]) and np.array_equal(channels[..., 0], channels[..., 2])
    expected = _window_reference(stored.astype(np.float64) * 2 - 1024, center=40, width=400)
    grey = channels[..., 0]
    assert np.abs(grey.astype(np.float64) - expected).max() <= 1.0
    assert grey[0, 0] == 0 and grey[1, 2] == 255 and 126 <= grey[0, 2] <= 129


def test_dicom_without_window_is_min_max_scaled(make_dicom: MakeDicom) -> None:
    stored = np.array([[100, 180], [340, 500]], dtype=np.uint16)
    channel = np.asarray(load_image(make_dicom(stored)).image)[..., 0]
    assert channel.tolist() == [[0, 51], [153, 255]]


def test_monochrome1_is_inverted(make_dicom: MakeDicom) -> None:
    stored = np.array([[100, 180], [340, 500]], dtype=np.uint16)
    channel = np.asarray(load_image(make_dicom(stored, photometric="MONOCHROME1")).image)[..., 0]
    assert channel.tolist() == [[255, 204], [102, 0]]


def test_multi_frame_takes_the_middle_frame(make_dicom: MakeDicom) -> None:
    frames = np.zeros((5, 4, 4), dtype=np.uint16)
    for index in range(5):
        frames[index, index % 4, 0] = 1000  # one bright pixel whose row identifies the frame
    loaded = load_image(make_dicom(frames), name="cine.dcm")
    channel = np.asarray(loaded.image)[..., 0]
    assert channel.shape == (4, 4)
    assert np.argwhere(channel == 255).tolist() == [[2, 0]]


def test_rgb_dicom_passes_through(make_dicom: MakeDicom) -> None:
    rgb = np.asarray(_gradient(6, 5))
    loaded = load_image(make_dicom(rgb, photometric="RGB", bits_stored=8))
    assert np.array_equal(np.asarray(loaded.image), rgb)


def test_dicom_header_keeps_only_safe_fields(make_dicom: MakeDicom) -> None:
    loaded = load_image(make_dicom(np.ones((2, 2), dtype=np.uint16)))
    assert dict(loaded.dicom_header) == {
        "Modality": "CT",
        "BodyPartExamined": "CHEST",
        "StudyDescription": "CT CHEST WITHOUT CONTRAST",
    }
    flattened = repr(loaded)
    assert "Doe" not in flattened and "MRN-0042" not in flattened and "1970" not in flattened


def test_preambleless_dicom_is_read(make_dicom: MakeDicom) -> None:
    data = make_dicom(np.array([[0, 10], [20, 30]], dtype=np.uint16))
    loaded = load_image(data[132:], name="raw.dcm")
    assert loaded.format == "dicom"
    assert np.asarray(loaded.image)[..., 0].tolist() == [[0, 85], [170, 255]]


def test_truncated_dicom_is_corrupt(make_dicom: MakeDicom) -> None:
    data = make_dicom(np.arange(64 * 64, dtype=np.uint16).reshape(64, 64))
    with pytest.raises(CorruptFileError, match=r"cut.dcm"):
        load_image(data[: len(data) - 1000], name="cut.dcm")
    with pytest.raises(CorruptFileError, match=r"cut.dcm"):
        load_image(data[:200], name="cut.dcm")


def test_oversized_dicom_is_refused_before_decoding(make_dicom: MakeDicom) -> None:
    data = make_dicom(np.ones((2, 2), dtype=np.uint16), attributes={"Rows": 10_000, "Columns": 10_000})
    with pytest.raises(InputError, match=r"huge.dcm.*over the limit"):
        load_image(data, name="huge.dcm")


def test_dicom_without_pixels_is_unsupported(make_dicom: MakeDicom) -> None:
    from pydicom import dcmread

    ds = dcmread(io.BytesIO(make_dicom(np.ones((2, 2), dtype=np.uint16))))
    for keyword in ("PixelData", "Rows", "Columns"):
        delattr(ds, keyword)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    with pytest.raises(UnsupportedFileError, match=r"no pixel data"):
        load_image(buffer.getvalue(), name="sr.dcm")
