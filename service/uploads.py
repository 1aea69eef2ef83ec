"""Reading ``/v1/ask`` and ``/v1/retrieve`` bodies: JSON, or multipart with an image file.

One route takes both, so the body is parsed here rather than by FastAPI: the same pydantic model
validates the JSON object and the form fields, and the same clear 4xx comes back either way.
The image is decoded in a worker thread with the pixel limit, its SHA-256 keys the answer cache,
and only the whitelisted, non-identifying DICOM header fields travel on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from rag.errors import CorruptFileError, UnsupportedFileError
from rag.imaging.load import LoadedImage, load_image
from service.errors import validation_detail
from service.schemas.ask import RetrieveRequest
from service.state import ServiceState

M = TypeVar("M", bound=RetrieveRequest)
DICOM_SUFFIXES = (".dcm", ".dicom")
MAX_FORM_FIELDS = 20


@dataclass(frozen=True)
class ImageUpload:
    data: bytes
    filename: str
    sha256: str


def _invalid(exc: ValidationError) -> HTTPException:
    detail, _ = validation_detail(list(exc.errors()))
    return HTTPException(status_code=422, detail=detail)


def _validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc) from exc


async def read_question(request: Request, model: type[M]) -> tuple[M, ImageUpload | None]:
    """The request model and the uploaded image, if any; wrong content types are a 415."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        raw = await request.body()
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HTTPException(status_code=422, detail=f"the body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise HTTPException(status_code=422, detail='the JSON body must be an object such as {"question": "..."}')
        return _validate(model, data), None
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return await _read_form(request, model)
    raise HTTPException(
        status_code=415,
        detail=f"content type {content_type or '(none)'!r} is not accepted; send application/json, "
        "or multipart/form-data with an 'image' file and a 'question' field",
    )


async def _read_form(request: Request, model: type[M]) -> tuple[M, ImageUpload | None]:
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    fields: dict[str, Any] = {}
    image: ImageUpload | None = None
    for name, value in form.multi_items():
        if name in fields or (name == "image" and image is not None):
            raise HTTPException(status_code=422, detail=f"form field {name!r} is given more than once")
        if isinstance(value, UploadFile):
            if name != "image":
                raise HTTPException(
                    status_code=422, detail=f"unexpected file field {name!r}; send the image as 'image'"
                )
            data = await value.read()
            filename = PurePosixPath((value.filename or "upload").replace("\\", "/")).name or "upload"
            image = ImageUpload(data, filename, hashlib.sha256(data).hexdigest())
        elif name == "image":
            raise HTTPException(status_code=422, detail="'image' must be a file upload, not a text field")
        else:
            fields[name] = value
    if image is not None and "image_id" not in fields:
        fields["image_id"] = PurePosixPath(image.filename).stem or None
    return _validate(model, fields), image


def decode_image(upload: ImageUpload, state: ServiceState) -> LoadedImage:
    """Decode with the pixel limit (runs in a worker thread); a file named .dcm that is not DICOM says so."""
    try:
        return load_image(upload.data, name=upload.filename, max_pixels=state.service.max_image_pixels)
    except UnsupportedFileError as exc:
        if upload.filename.lower().endswith(DICOM_SUFFIXES):
            raise CorruptFileError(
                f"{upload.filename}: named as DICOM but is not a DICOM file (no DICM marker and no DICOM tags at "
                "the start); export the image again or send it as PNG/JPEG"
            ) from exc
        raise
