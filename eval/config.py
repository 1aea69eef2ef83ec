"""What a run evaluates: variants (RAG on/off, k policy, generator, same-image evidence), probes and baselines.

A config file is TOML or JSON with the fields of :class:`RunConfig`; command-line options add to it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.config import Settings
from rag.errors import InputError

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+-]{1,64}$")]
PROBES = ("blank", "shuffled", "negated", "paraphrase", "absent")
BASELINES = ("majority", "question_only")


class Variant(BaseModel):
    """One way of answering every item. ``settings`` overrides :class:`rag.config.Settings` fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    kind: Literal["pipeline", "baseline", "staging"] = "pipeline"
    use_retrieval: bool = True
    exclude_same_image: bool = True
    generator: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    policy: str | None = None
    baseline: Literal["majority", "question_only"] | None = None


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    variants: list[Variant] = Field(default_factory=list)
    ablations: list[str] = Field(default_factory=list)
    generators: list[str] = Field(default_factory=list)
    probes: list[Literal["blank", "shuffled", "negated", "paraphrase", "absent"]] | None = None
    probe_variant: str | None = None
    baselines: list[Literal["majority", "question_only"]] | None = None
    resamples: Annotated[int, Field(ge=100, le=100_000)] = 1000
    seed: int = 0
    failures: Annotated[int, Field(ge=0, le=200)] = 10


def check_settings(overrides: dict[str, Any], where: str) -> None:
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:
        raise InputError(f"{where}: unknown setting(s) {unknown}; see rag/config.py for the names")


def load_config(path: Path | None) -> RunConfig:
    if path is None:
        return RunConfig()
    if not path.is_file():
        raise InputError(f"config file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        config = RunConfig.model_validate(data)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise InputError(f"{path}: not a run config: {exc}") from exc
    check_settings(config.settings, str(path))
    for variant in config.variants:
        check_settings(variant.settings, f"{path}: variant {variant.name}")
    return config
