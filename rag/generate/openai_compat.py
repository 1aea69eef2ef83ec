"""Generation through an OpenAI-compatible HTTP server (vLLM, SGLang, llama-cpp-python's server).

This is the scale-out path: the model runs on its own box(es) and medcite only sends the prompt.
Every transport or protocol failure becomes a :class:`GeneratorServiceError` that names the URL.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from PIL import Image

from rag.errors import MedciteError
from rag.generate.base import Generation, GenerationRequest, Generator
from rag.generate.prompt import DEFAULT_SOURCE_CHARS, build_messages


class GeneratorServiceError(MedciteError):
    """The remote generator could not be reached or answered with something unusable."""


def _image_part(image: Image.Image) -> dict[str, Any]:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"type": "image_url", "image_url": {"url": url}}


class OpenAICompatibleGenerator(Generator):
    """``POST {base_url}/chat/completions`` with greedy, seeded decoding.

    ``base_url`` includes the API prefix, e.g. ``http://127.0.0.1:8000/v1``. Images are sent as
    base64 data URLs only when ``send_images`` is set, because text-only servers reject them.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        send_images: bool = False,
        seed: int = 0,
        max_source_chars: int = DEFAULT_SOURCE_CHARS,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._timeout = timeout
        self._send_images = send_images
        self.accepts_images = send_images
        self._seed = seed
        self._max_source_chars = max_source_chars
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)
        self._info = {"name": "openai", "model": model, "version": base_url.rstrip("/")}

    @property
    def info(self) -> dict[str, str]:
        return dict(self._info)

    def close(self) -> None:
        self._client.close()

    def _messages(self, request: GenerationRequest) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = list(build_messages(request, self._max_source_chars))
        if self._send_images and request.image is not None:
            user = messages[-1]
            messages[-1] = {
                "role": "user",
                "content": [_image_part(request.image), {"type": "text", "text": user["content"]}],
            }
        return messages

    def generate(self, request: GenerationRequest) -> Generation:
        return self.chat(self._messages(request), max_tokens=request.max_tokens)

    def chat(
        self, messages: list[dict[str, Any]], *, max_tokens: int, json_schema: dict[str, Any] | None = None
    ) -> Generation:
        """Raw chat completion, for tasks other than cited answering (e.g. findings extraction); with
        ``json_schema`` the server is asked for JSON matching it (llama.cpp and vLLM honour the schema)."""
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "temperature": 0.0,
            "max_tokens": max_tokens,
            "seed": self._seed,
        }
        if json_schema is not None:
            payload["response_format"] = {"type": "json_object", "schema": json_schema}
        try:
            response = self._client.post(self._url, json=payload)
        except httpx.TimeoutException as exc:
            raise GeneratorServiceError(f"generator at {self._url} did not answer within {self._timeout:g} s") from exc
        except httpx.ConnectError as exc:
            raise GeneratorServiceError(f"cannot connect to generator at {self._url}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise GeneratorServiceError(f"request to generator at {self._url} failed: {exc}") from exc
        if not response.is_success:
            raise GeneratorServiceError(
                f"generator at {self._url} answered HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            body = response.json()
            message = body["choices"][0]["message"]
            text = message.get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise GeneratorServiceError(
                f"generator at {self._url} sent an unexpected response: {response.text[:300]}"
            ) from exc
        usage = {key: value for key, value in (body.get("usage") or {}).items() if isinstance(value, int)}
        return Generation(text=str(text).strip(), model=str(body.get("model") or self._model), usage=usage)
