"""A sentence-transformers model's forward pass run by ONNX Runtime on the CPU: same weights, same vectors.

On a 2-core box most of a text query's cost is the model call, and a good part of that is PyTorch's and
sentence-transformers' per-call overhead rather than arithmetic (measured in ``bench/bench_text_encoder.py``).
ONNX Runtime runs the same graph with less of it; large batches (index building) stay with PyTorch, which is
faster there. The graph is exported once from the local weights into a cache folder (never downloaded) and
checked against PyTorch on a probe sentence before it is used: vectors that differ by more than
:data:`MAX_DEVIATION` are refused, so an index built with either runtime serves queries from the other.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import InputError, MissingDependencyError

MAX_DEVIATION = 1e-4
# ONNX Runtime wins on small inputs (a question alone: about 2x; eight questions: 1.2x) and loses on large
# ones (32 long passages while indexing: 0.7x), where PyTorch's kernels do better; batches past this many
# padded tokens go to PyTorch. Measured by bench/bench_text_encoder.py.
ONNX_MAX_BATCH_TOKENS = 256
OPSET = 17
PROBE = "A 7 mm solid pulmonary nodule in a high-risk patient: CT at 6 to 12 months."
POOLING_MODES = ("mean", "cls")


def _require_onnx() -> Any:
    try:
        import onnx  # noqa: F401  (the exporter needs it)
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError(
            "the onnx text runtime needs `pip install onnx onnxruntime`; or set MEDCITE_TEXT_RUNTIME=torch"
        ) from exc
    return onnxruntime


def pooling_mode(model: Any) -> str:
    """The model's pooling, which this runtime reproduces in NumPy; other layouts are refused by name."""
    modules = list(model)
    pooling = modules[1] if len(modules) > 1 else None
    mode = getattr(pooling, "pooling_mode", None)
    extra = [type(m).__name__ for m in modules[2:] if type(m).__name__ != "Normalize"]
    if mode not in POOLING_MODES or extra:
        raise InputError(
            f"the onnx text runtime handles a transformer with {' or '.join(POOLING_MODES)} pooling "
            f"(and Normalize); this model has pooling {mode!r} and modules {extra}: set MEDCITE_TEXT_RUNTIME=torch"
        )
    return str(mode)


def _export(model: Any, input_names: list[str], target: Path) -> None:
    """Writes the transformer's graph to ``target`` atomically (two workers may export at once)."""
    import torch

    transformer = model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(**dict(zip(input_names, tensors, strict=True))).last_hidden_state
            return hidden

    sample = model.tokenizer([PROBE, "pleural effusion"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in [*input_names, "last_hidden_state"]}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    except OSError as exc:
        raise InputError(
            f"cannot write the onnx graph into {target.parent} ({exc.strerror}): set MEDCITE_ONNX_CACHE_DIR "
            "to a writable folder, or MEDCITE_TEXT_RUNTIME=torch"
        ) from exc
    os.close(handle)
    try:
        # The tracer warns about Python branches on shapes inside the model; the probe check after export is
        # what tells whether the graph is right.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(),
                tuple(sample[name] for name in input_names),
                temporary,
                input_names=input_names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


class OnnxForward:
    """Tokenise, run the exported graph, pool, normalise: what ``SentenceTransformer.encode`` does."""

    def __init__(self, model: Any, cache_dir: Path, fingerprint: str, threads: int) -> None:
        ort = _require_onnx()
        self.mode = pooling_mode(model)
        self.tokenizer = model.tokenizer
        self.max_length = int(model.max_seq_length or 512)
        self.input_names = list(self.tokenizer([PROBE], return_tensors="np").keys())
        path = cache_dir / f"{fingerprint}-{'-'.join(self.input_names)}-opset{OPSET}.onnx"
        if not path.is_file():
            _export(model, self.input_names, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path

    def tokenize(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        tokens = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        return {name: np.asarray(tokens[name], dtype=np.int64) for name in self.input_names}

    def run(self, tokens: dict[str, np.ndarray]) -> np.ndarray:
        hidden = self.session.run(["last_hidden_state"], tokens)[0]
        if self.mode == "cls":
            return np.asarray(hidden[:, 0], dtype=np.float32)
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        return np.asarray((hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9), dtype=np.float32)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return self.run(self.tokenize(texts))


def deviation(first: np.ndarray, second: np.ndarray) -> float:
    """Largest absolute difference between two sets of unit vectors."""
    return float(np.abs(first - second).max()) if first.size else 0.0
