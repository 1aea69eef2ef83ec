"""Service configuration (``MEDCITE_*`` environment variables), beside the library's ``rag.config.Settings``.

API keys arrive as JSON (``MEDCITE_API_KEYS='[{"id": "pacs", "sha256": "<hex>", "scopes": ["read"]}]'``);
a plain ``key`` is accepted too but is hashed at once and held as a ``SecretStr``, so no plain key is
kept, logged or shown in a traceback.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Scope = Literal["read", "write"]
SCOPES: tuple[Scope, ...] = ("read", "write")


def hash_key(key: str) -> str:
    """API keys are long random strings, so one SHA-256 is the stored form (as token stores do)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKey(BaseModel):
    """One configured key: an id for logs and audit, its SHA-256 and what it may do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    sha256: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None
    key: SecretStr | None = None
    scopes: tuple[Scope, ...] = ("read",)

    @model_validator(mode="after")
    def _one_secret(self) -> Self:
        if (self.sha256 is None) == (self.key is None):
            raise ValueError(f"API key {self.id!r}: give exactly one of 'sha256' (preferred) or 'key'")
        if self.key is not None and len(self.key.get_secret_value()) < 16:
            raise ValueError(f"API key {self.id!r}: keys must be at least 16 characters")
        return self

    @property
    def digest(self) -> str:
        if self.sha256 is not None:
            return self.sha256
        assert self.key is not None  # guaranteed by _one_secret
        return hash_key(self.key.get_secret_value())


class ServiceSettings(BaseSettings):
    """Defaults serve one CPU box with auth off (no keys configured) and no Redis."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", extra="ignore")

    api_keys: list[ApiKey] = Field(default_factory=list)
    redis_url: SecretStr | None = None
    redis_timeout_seconds: Annotated[float, Field(gt=0)] = 0.25
    redis_retry_seconds: Annotated[float, Field(gt=0)] = 2.0
    cache_ttl_seconds: Annotated[int, Field(ge=1)] = 3600
    rate_limit_per_minute: Annotated[int, Field(ge=0, description="per API key (or client address); 0 = off")] = 600

    max_body_bytes: Annotated[int, Field(ge=1024)] = 25 * 1024 * 1024
    max_image_pixels: Annotated[int, Field(ge=1)] = 50_000_000
    request_timeout_seconds: Annotated[float, Field(gt=0)] = 60.0
    max_in_flight: Annotated[int, Field(ge=1, description="requests processed at once before 503")] = 64
    retry_after_seconds: Annotated[int, Field(ge=1)] = 1

    workers: Annotated[int, Field(ge=1)] = 1
    model_threads: Annotated[int | None, Field(ge=1)] = None
    encoder_max_batch: Annotated[int, Field(ge=1)] = 32
    encoder_max_wait_ms: Annotated[float, Field(ge=0)] = 0.0
    worker_threads: Annotated[int, Field(ge=1, description="threads running model and index work")] = 32

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    audit_log: Path | None = None
    warm_on_start: bool = True
    index_poll_seconds: Annotated[float, Field(ge=0)] = 2.0

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)

    @property
    def debug(self) -> bool:
        """Only debug logging may record question text."""
        return self.log_level == "DEBUG"

    def threads_per_worker(self) -> int:
        """Model threads per worker: its share of the cores less one for the event loop and the Python work
        around each model call. OpenMP teams that oversubscribe the cores slow every encode by 10x or more
        (measured on 2 shared cores), so the default leaves room rather than claiming every core."""
        if self.model_threads is not None:
            return self.model_threads
        return max(1, (os.cpu_count() or 1) // self.workers - 1)
