"""The HTTP skeleton: health, index info and search, with clear 4xx errors."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.build import IndexBuilder, new_catalog
from rag.config import Settings
from rag.encoders.hashing import HashingTextEncoder
from rag.store.catalog import save_catalog
from service.app import create_app

pytestmark = pytest.mark.unit


def _client(index_dir: Path) -> TestClient:
    return TestClient(create_app(Settings(index_dir=index_dir, text_encoder="hashing")))


def test_health_needs_no_index(tmp_path: Path) -> None:
    response = _client(tmp_path).get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_missing_index_is_404_with_instructions(tmp_path: Path) -> None:
    response = _client(tmp_path).post("/v1/search", json={"query": "pleural effusion"})
    assert response.status_code == 404
    assert "medcite index build" in response.json()["detail"]


def test_search_and_validation(tmp_path: Path) -> None:
    docs = tmp_path / "guide.md"
    docs.write_text("# Effusion\n## Radiograph\nBlunting of the costophrenic angle.\n")
    catalog = new_catalog(HashingTextEncoder().info, None, {}, {})
    builder = IndexBuilder(catalog, HashingTextEncoder())
    builder.add_documents([docs])
    save_catalog(catalog, tmp_path / "idx")
    client = _client(tmp_path / "idx")
    response = client.post("/v1/search", json={"query": "costophrenic angle", "k": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["preliminary"] is True and body["results"][0]["id"] == "guide#effusion/radiograph"
    assert client.post("/v1/search", json={"query": "x", "k": "many"}).status_code == 422
    assert client.post("/v1/search", json={"query": ""}).status_code == 422
    unknown = client.post("/v1/search", json={"query": "x", "domains": ["pathology"]})
    assert unknown.status_code == 422 and "unknown domain" in unknown.json()["detail"]
    assert client.get("/v1/index").json()["encoders"]["text"]["name"] == "hashing"
