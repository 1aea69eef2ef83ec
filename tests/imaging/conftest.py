"""DICOM files built in memory by the tests (no fixture files, no patient data)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from tests.conftest import shared_datasets


def build_dicom(
    pixels: np.ndarray,
    *,
    photometric: str = "MONOCHROME2",
    bits_stored: int = 12,
    attributes: dict[str, Any] | None = None,
) -> bytes:
    """A complete Part-10 DICOM file (128-byte preamble + DICM) holding `pixels`."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "MRN-0042"
    ds.PatientBirthDate = "19700101"
    ds.Modality = "CT"
    ds.BodyPartExamined = "CHEST"
    ds.StudyDescription = "CT CHEST WITHOUT CONTRAST"
    ds.set_pixel_data(pixels, photometric_interpretation=photometric, bits_stored=bits_stored)
    for keyword, value in (attributes or {}).items():
        setattr(ds, keyword, value)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.fixture
def make_dicom() -> Callable[..., bytes]:
    return build_dicom


VQA_RAD_IMAGES = shared_datasets() / "vqa-rad" / "images"


@pytest.fixture
def vqa_rad_image() -> Path:
    images = sorted(VQA_RAD_IMAGES.glob("*.jpg"))
    if not images:
        pytest.skip(f"VQA-RAD images not found in {VQA_RAD_IMAGES}")
    return images[0]
