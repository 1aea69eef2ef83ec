"""One Settings object, read once from ``MEDCITE_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import InputError
from rag.resources import knowledge_dir as packaged_knowledge_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
# A source checkout keeps its indexes beside the code; an installed wheel (site-packages) keeps them in the
# user's data folder, never inside the installed package.
DATA_ROOT = REPO_ROOT if (REPO_ROOT / "pyproject.toml").is_file() else Path.home() / ".local" / "share" / "medcite"


class Settings(BaseSettings):
    """Defaults run the embedded, fully offline configuration on one CPU box."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", extra="ignore")

    index_dir: Path = DATA_ROOT / "indexes"
    knowledge_dir: Path = packaged_knowledge_dir()
    shared_dir: Path = REPO_ROOT.parent / "shared"

    text_encoder: str = "minilm"
    text_model_dir: Path | None = None
    # Who runs the text model: "auto" is ONNX Runtime on the CPU (same vectors, faster) and PyTorch on a GPU.
    text_runtime: Literal["auto", "torch", "onnx"] = "auto"
    onnx_cache_dir: Path | None = None  # None: ~/.cache/medcite/onnx
    image_encoder: str = "efficientnet-lite0"
    image_model_dir: Path | None = None
    device: str | None = None

    chunk_max_chars: int = 1500
    exact_threshold: int = 50_000
    ann: Literal["hnsw", "ivf"] = "hnsw"
    use_gpu: bool | None = None
    keep_versions: int = 2

    generator: str = "extractive"
    llama_model_path: Path | None = None
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_api_key: str | None = None
    vlm_model_dir: Path | None = None
    max_tokens: int = 256

    retrieval_candidates: int = 20
    adaptive_k: Literal["gap", "calibrated", "fixed"] = "gap"
    gap_threshold: float = 0.15
    k_max_passages: int = 5
    k_max_cases: int = 5
    k_min_cases: int = 3
    calibration_file: Path = DATA_ROOT / "indexes" / "k-calibration.json"
    domain_min_confidence: float = 0.6
    closed_case_vote: bool = True
    case_vote_min_question_similarity: float = 0.6
    case_vote_min_term_overlap: float = 0.6
    max_question_chars: int = 2000

    # The learned image-question answerer (`medcite train answerer`); None: <index_dir>/answerer.
    use_answerer: bool = True
    answerer_dir: Path | None = None
    # "controlled": abstain below the threshold calibrated for alpha/delta at training; "all": answer everything.
    answerer_risk: Literal["controlled", "all"] = "controlled"
    answerer_alpha: float = 0.1
    answerer_delta: float = 0.1

    reranker: str = "features"
    reranker_model_dir: Path | None = None
    # None: the feature reranker's weights shipped in rag/answering/rerank.json (see `medcite eval fit-reranker`).
    rerank_weights: Path | None = None
    # None: the model shipped in rag/answering/answerability.json (see `medcite eval calibrate-answerability`).
    answerability_model: Path | None = None
    text_questions_use_reports: bool = False
    # Repair typos of knowledge-base words in questions before retrieval (reported in the answer's "spelling").
    repair_spelling: bool = True

    citation_min_lexical: float = 0.6
    citation_min_cosine: float = 0.7

    def generator_options(self, name: str) -> dict[str, Any]:
        """Constructor arguments of the named generator backend, from settings."""
        if name == "llama-cpp":
            return {"model_path": self.llama_model_path}
        if name == "openai":
            if not self.openai_base_url or not self.openai_model:
                raise InputError("the openai generator needs MEDCITE_OPENAI_BASE_URL and MEDCITE_OPENAI_MODEL")
            return {"base_url": self.openai_base_url, "model": self.openai_model, "api_key": self.openai_api_key}
        if name == "transformers":
            if self.vlm_model_dir is None:
                raise InputError("the transformers generator needs MEDCITE_VLM_MODEL_DIR (a local model directory)")
            return {"model_dir": self.vlm_model_dir, "device": self.device}
        return {}

    def citation_options(self) -> dict[str, float]:
        return {"min_lexical": self.citation_min_lexical, "min_cosine": self.citation_min_cosine}

    def answerer_root(self) -> Path:
        return self.answerer_dir or self.index_dir / "answerer"

    def default_cases(self) -> Path:
        return self.shared_dir / "datasets" / "vqa-rad"

    def default_reports(self) -> Path:
        return self.shared_dir / "datasets" / "roco-captions" / "roco_radiology_ccby_captions.jsonl"

    def default_docs(self) -> Path:
        return self.shared_dir / "datasets" / "nci-pdq-lung"
