"""``/healthz``, ``/readyz`` and ``/v1/index``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from service.schemas.common import Open


class Healthz(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class IndexState(BaseModel):
    loaded: bool
    version: str | None
    built_at: str | None = None
    detail: str | None = Field(description="Why no index is loaded, with what to run.")


class RedisReport(BaseModel):
    state: Literal["disabled", "up", "down", "unknown"]
    detail: str


class Readyz(BaseModel):
    ready: bool
    detail: str | None = Field(description="Why the service is not ready (None when it is).")
    index: IndexState
    encoders: dict[str, Any] = Field(
        description="Per role: the index's encoder, the configured one, a match, and the runtime (torch or onnx).",
    )
    models_warm: bool
    redis: RedisReport


class IndexInfo(Open):
    version: str
    built_at: str
    encoders: dict[str, Any]
    chunking: dict[str, Any]
    documents: dict[str, Any]
    collections: dict[str, Any]
