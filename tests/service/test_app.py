"""The app on a small real index: probes, retrieve (the hybrid path ask uses), ask, index info, OpenAPI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.schemas.ask import AnswerResponse, RetrieveResponse
from service.schemas.health import IndexInfo, Readyz
from tests.service.conftest import make_client

pytestmark = pytest.mark.unit


def test_healthz_needs_no_index(tmp_path: Path) -> None:
    response = make_client(tmp_path).get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["X-Request-ID"]


def test_missing_index_is_404_with_instructions(tmp_path: Path) -> None:
    response = make_client(tmp_path).post("/v1/retrieve", json={"question": "pleural effusion"})
    assert response.status_code == 404
    assert "medcite index build" in response.json()["detail"]


def test_readyz_reports_warm_index_and_redis_state(knowledge_index: Path) -> None:
    with make_client(knowledge_index, warm_on_start=True) as client:
        deadline = time.monotonic() + 30
        while (response := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
    body = Readyz.model_validate(response.json())
    assert response.status_code == 200 and body.ready and body.models_warm
    assert body.index.loaded and body.encoders["text"]["match"] is True
    assert body.redis.state == "disabled" and "MEDCITE_REDIS_URL" in body.redis.detail


def test_readyz_without_index_says_how_to_build_one(tmp_path: Path) -> None:
    with make_client(tmp_path, warm_on_start=True) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["ready"] is False and "medcite index build" in response.json()["detail"]


def test_retrieve_is_hybrid_with_domain_and_k(client: TestClient) -> None:
    response = client.post("/v1/retrieve", json={"question": "split pleura sign", "k_policy": "fixed"})
    assert response.status_code == 200
    body = RetrieveResponse.model_validate(response.json())
    assert body.passages[0].id == "pleural-effusion#pleural-effusion-imaging/split-pleura-sign"
    assert body.k["passages"]["method"] == "fixed" and body.preliminary
    assert set(body.timings) >= {"encode", "retrieve"}


def test_ask_returns_the_cli_contract(client: TestClient) -> None:
    question = "What T category is a 4.5 cm tumour invading the visceral pleura?"
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body = AnswerResponse.model_validate(response.json())
    assert body.answer.startswith("T2b") and body.mode == "staging-rules" and body.preliminary
    assert body.citations[0].source_id == "lung-tnm#t-categories/t2b"
    assert response.headers["X-Cache"] == "miss"  # no Redis configured


def test_index_info_and_openapi(client: TestClient) -> None:
    info = IndexInfo.model_validate(client.get("/v1/index").json())
    assert info.encoders["text"]["name"] == "hashing"
    schema = client.get("/openapi.json").json()
    ask_body = schema["paths"]["/v1/ask"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(ask_body)
    assert ask_body["multipart/form-data"]["schema"]["properties"]["image"]["format"] == "binary"
    assert "/v1/search" not in schema["paths"]
    for path in ("/v1/stage", "/v1/stage/batch", "/v1/documents", "/v1/sources/{source_id}", "/readyz", "/metrics"):
        assert path in schema["paths"]


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    client.post("/v1/stage", json={"report": "No mass."})
    text = client.get("/metrics").text
    assert 'http_requests_total{handler="/v1/stage",method="POST",status="2xx"}' in text
    assert "medcite_redis_up 0.0" in text and "medcite_requests_in_flight" in text
