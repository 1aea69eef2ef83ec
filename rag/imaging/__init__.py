"""Image input: PNG, JPEG and DICOM files decoded to RGB, with safe DICOM header fields for routing."""

from rag.imaging.dicom import SAFE_HEADER_FIELDS
from rag.imaging.load import DEFAULT_MAX_PIXELS, ImageFormat, LoadedImage, detect_format, load_image

__all__ = ["DEFAULT_MAX_PIXELS", "SAFE_HEADER_FIELDS", "ImageFormat", "LoadedImage", "detect_format", "load_image"]
