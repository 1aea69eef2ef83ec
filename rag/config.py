"""One Settings object, read once from ``MEDCITE_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Defaults run the embedded, fully offline configuration on one CPU box."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", extra="ignore")

    index_dir: Path = REPO_ROOT / "indexes"
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    shared_dir: Path = REPO_ROOT.parent / "shared"

    text_encoder: str = "minilm"
    text_model_dir: Path | None = None
    image_encoder: str = "efficientnet-lite0"
    image_model_dir: Path | None = None
    device: str | None = None

    chunk_max_chars: int = 1500
    exact_threshold: int = 50_000
    ann: Literal["hnsw", "ivf"] = "hnsw"
    use_gpu: bool | None = None
    keep_versions: int = 2

    def default_cases(self) -> Path:
        return self.shared_dir / "datasets" / "vqa-rad"

    def default_reports(self) -> Path:
        return self.shared_dir / "datasets" / "roco-captions" / "roco_radiology_ccby_captions.jsonl"

    def default_docs(self) -> Path:
        return self.shared_dir / "datasets" / "nci-pdq-lung"
