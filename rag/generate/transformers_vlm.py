"""Local Med-LVLM generation with transformers: MedGemma, Qwen2.5-VL, LLaVA(-Med) and kin.

The model directory must already be on disk (``save_pretrained`` layout); nothing is fetched from
a hub. Any architecture that ``AutoModelForImageTextToText`` and ``AutoProcessor`` know works,
because the prompt is rendered with the model's own chat template.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from rag.errors import InputError, MissingDependencyError
from rag.generate.base import Generation, GenerationRequest, Generator
from rag.generate.prompt import DEFAULT_SOURCE_CHARS, build_messages


def _directory_fingerprint(model_dir: Path) -> str:
    """Hash of config.json plus weight file names and sizes: changes when the checkpoint does, cheaply."""
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def chat_messages(request: GenerationRequest, max_source_chars: int) -> list[dict[str, Any]]:
    """The shared prompt in multimodal chat form, with an image entry first in the user turn."""
    messages: list[dict[str, Any]] = []
    for message in build_messages(request, max_source_chars):
        content: list[dict[str, Any]] = [{"type": "text", "text": message["content"]}]
        if message["role"] == "user" and request.image is not None:
            content.insert(0, {"type": "image"})
        messages.append({"role": message["role"], "content": content})
    return messages


class TransformersGenerator(Generator):
    """Greedy generation with a local image-text-to-text model; CUDA when available, else CPU."""

    accepts_images = True

    def __init__(
        self,
        model_dir: Path | str,
        device: str | None = None,
        max_new_tokens: int = 256,
        max_source_chars: int = DEFAULT_SOURCE_CHARS,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForImageTextToText, AutoProcessor
        except ImportError as exc:
            raise MissingDependencyError(f"transformers backend needs torch and transformers: {exc}") from exc
        path = Path(model_dir).expanduser()
        if not (path / "config.json").is_file():
            raise InputError(f"no transformers model directory (config.json missing) at {path}")
        self._device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = torch.bfloat16 if self._device.type == "cuda" else torch.float32
        try:
            processor_class: Any = AutoProcessor
            model_class: Any = AutoModelForImageTextToText
            self._processor: Any = processor_class.from_pretrained(path, local_files_only=True)
            model: Any = model_class.from_pretrained(path, dtype=dtype, local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"cannot load an image-text-to-text model from {path}: {exc}") from exc
        self._model: Any = model.to(self._device).eval()
        self._max_new_tokens = max_new_tokens
        self._max_source_chars = max_source_chars
        self._lock = threading.Lock()
        architecture = (self._model.config.architectures or [type(self._model).__name__])[0]
        self._info = {
            "name": "transformers",
            "model": path.name,
            "architecture": architecture,
            "version": _directory_fingerprint(path),
        }

    @property
    def info(self) -> dict[str, str]:
        return dict(self._info)

    def generate(self, request: GenerationRequest) -> Generation:
        import torch

        prompt = self._processor.apply_chat_template(
            chat_messages(request, self._max_source_chars), add_generation_prompt=True, tokenize=False
        )
        images = [request.image.convert("RGB")] if request.image is not None else None
        inputs = self._processor(text=[prompt], images=images, return_tensors="pt").to(self._device)
        if "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(self._model.dtype)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        with self._lock, torch.inference_mode():
            output = self._model.generate(
                **inputs, max_new_tokens=min(request.max_tokens, self._max_new_tokens), do_sample=False
            )
        new_tokens = output[0, prompt_tokens:]
        text = self._processor.decode(new_tokens, skip_special_tokens=True)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": int(new_tokens.shape[0]),
            "total_tokens": prompt_tokens + int(new_tokens.shape[0]),
        }
        return Generation(text=text.strip(), model=self._info["model"], usage=usage)
