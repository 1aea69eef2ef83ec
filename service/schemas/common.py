"""Shared pieces: the error body every 4xx/5xx uses, and the error responses each route declares."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KPolicy = Literal["gap", "calibrated", "fixed"]
GeneratorName = Literal["extractive", "llama-cpp", "openai", "transformers"]
Edition = Literal["8", "9"]
CertaintyPolicy = Literal["probable", "present", "possible"]


class Open(BaseModel):
    """Base of response models: known fields are declared, fields added later pass through."""

    model_config = ConfigDict(extra="allow")


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every error: ``detail`` says what went wrong and how to fix it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "upload.png: PNG file is truncated or malformed (OSError: ...)"}]}
    )

    detail: str = Field(description="What went wrong and what to do about it.")
    errors: list[FieldError] | None = Field(default=None, description="Per-field problems of a rejected request.")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Missing, malformed or unknown API key."),
    403: _error("The API key lacks the scope this route needs."),
    429: _error("Per-key rate limit reached; see Retry-After."),
}
LOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("The body could not be parsed (not UTF-8 JSON, or a broken multipart form)."),
    413: _error("Request body over the size limit."),
    503: _error("Too many requests in flight; see Retry-After."),
}
MODEL_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _error("No index built yet, or an unknown id."),
    409: _error("The index was built with other encoders or chunking rules."),
    415: _error("Unsupported media type."),
    422: _error("Invalid request: wrong field types, empty or oversize text, corrupt image or DICOM."),
    501: _error("A backend this request needs is not installed."),
    504: _error("The request ran past the time limit."),
}
ALL_ERRORS = {**AUTH_ERRORS, **LOAD_ERRORS, **MODEL_ERRORS}
