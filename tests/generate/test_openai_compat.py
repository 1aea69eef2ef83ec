from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from PIL import Image

from rag.generate import create_generator
from rag.generate.base import GenerationRequest, Source
from rag.generate.openai_compat import GeneratorServiceError, OpenAICompatibleGenerator
from tests.generate.conftest import free_port


class _StubHandler(BaseHTTPRequestHandler):
    """Answers every POST with the class-level canned status/body, recording the request."""

    status: ClassVar[int] = 200
    body: ClassVar[str] = ""
    delay: ClassVar[float] = 0.0
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "json": json.loads(self.rfile.read(length))}
        )
        time.sleep(self.delay)
        payload = self.body.encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture()
def stub() -> Iterator[tuple[str, type[_StubHandler]]]:
    handler = type("Handler", (_StubHandler,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()
    server.server_close()


def _request(sources: list[Source], **kwargs: Any) -> GenerationRequest:
    return GenerationRequest(question="What size is a T1 tumour?", sources=sources, max_tokens=32, **kwargs)


@pytest.mark.unit
def test_success_sends_prompt_and_parses_reply(stub: tuple[str, type[_StubHandler]], two_sources: list[Source]) -> None:
    url, handler = stub
    handler.body = json.dumps(
        {
            "model": "served-model",
            "choices": [{"message": {"content": " 3 cm or less. [1] "}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        }
    )
    generator = create_generator("openai", base_url=url + "/", model="m", api_key="secret")
    generation = generator.generate(_request(two_sources, image=Image.new("RGB", (4, 4))))
    assert generation.text == "3 cm or less. [1]"
    assert generation.model == "served-model"
    assert generation.usage == {"prompt_tokens": 10, "completion_tokens": 5}
    sent = handler.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer secret"
    assert sent["json"]["model"] == "m" and sent["json"]["temperature"] == 0.0 and sent["json"]["max_tokens"] == 32
    assert isinstance(sent["json"]["messages"][1]["content"], str)  # images only when send_images=True
    assert generator.info == {"name": "openai", "model": "m", "version": url}


@pytest.mark.unit
def test_images_are_sent_as_data_urls_when_enabled(
    stub: tuple[str, type[_StubHandler]], two_sources: list[Source]
) -> None:
    url, handler = stub
    handler.body = json.dumps({"choices": [{"message": {"content": "Yes. [1]"}}]})
    generator = OpenAICompatibleGenerator(url, "vlm", send_images=True)
    generation = generator.generate(_request(two_sources, image=Image.new("L", (4, 4)), closed=True))
    assert generation.model == "vlm"
    content = handler.requests[0]["json"]["messages"][1]["content"]
    assert content[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert content[1]["type"] == "text" and "Question:" in content[1]["text"]


@pytest.mark.unit
def test_closed_port_gives_clear_error(two_sources: list[Source]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    generator = OpenAICompatibleGenerator(url, "m", timeout=5)
    with pytest.raises(GeneratorServiceError, match=r"cannot connect to generator at http://127\.0\.0\.1:\d+/v1/chat"):
        generator.generate(_request(two_sources))


@pytest.mark.unit
def test_http_error_names_url_and_status(stub: tuple[str, type[_StubHandler]], two_sources: list[Source]) -> None:
    url, handler = stub
    handler.status, handler.body = 503, '{"error": "model is loading"}'
    with pytest.raises(GeneratorServiceError, match=r"answered HTTP 503: .*model is loading") as info:
        OpenAICompatibleGenerator(url, "m").generate(_request(two_sources))
    assert url in str(info.value)


@pytest.mark.unit
def test_timeout_and_malformed_reply(stub: tuple[str, type[_StubHandler]], two_sources: list[Source]) -> None:
    url, handler = stub
    handler.body = '{"choices": []}'
    with pytest.raises(GeneratorServiceError, match="unexpected response"):
        OpenAICompatibleGenerator(url, "m").generate(_request(two_sources))
    handler.delay = 1.0
    with pytest.raises(GeneratorServiceError, match=r"did not answer within 0\.2 s"):
        OpenAICompatibleGenerator(url, "m", timeout=0.2).generate(_request(two_sources))


@pytest.mark.integration
def test_against_llama_cpp_server(llama_server: str, two_sources: list[Source]) -> None:
    served = httpx.get(llama_server + "/models", timeout=5).json()["data"][0]["id"]
    generator = OpenAICompatibleGenerator(llama_server, served, timeout=120)
    generation = generator.generate(_request(two_sources))
    generator.close()
    assert generation.text.strip()
    assert generation.model == served
    assert generation.usage["completion_tokens"] > 0
