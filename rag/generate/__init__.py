"""Generator backends behind one interface, chosen by name in config."""

from __future__ import annotations

import importlib
from typing import Any

from rag.errors import InputError
from rag.generate.base import Generation, GenerationRequest, Generator, Source

GENERATORS: dict[str, str] = {
    "extractive": "rag.generate.extractive:ExtractiveGenerator",
    "llama-cpp": "rag.generate.llama_cpp:LlamaCppGenerator",
    "transformers": "rag.generate.transformers_vlm:TransformersGenerator",
    "openai": "rag.generate.openai_compat:OpenAICompatibleGenerator",
}


def create_generator(name: str, **options: Any) -> Generator:
    """Instantiate a backend by name; heavy imports happen only for the chosen one."""
    if name not in GENERATORS:
        raise InputError(f"unknown generator {name!r}; choose one of {sorted(GENERATORS)}")
    module_name, class_name = GENERATORS[name].split(":")
    generator: Generator = getattr(importlib.import_module(module_name), class_name)(**options)
    return generator


__all__ = ["GENERATORS", "Generation", "GenerationRequest", "Generator", "Source", "create_generator"]
