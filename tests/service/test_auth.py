"""API keys: 401 when missing, malformed or unknown; 403 when the key lacks the scope; /healthz stays open."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.auth import KeyRing
from service.settings import ApiKey, ServiceSettings, hash_key
from tests.service.conftest import READ_KEY, REPORT, WRITE_KEY

pytestmark = pytest.mark.unit


def test_healthz_is_open_and_everything_else_needs_a_key(keyed_client: TestClient) -> None:
    assert keyed_client.get("/healthz").status_code == 200
    for method, path in (
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("GET", "/v1/index"),
        ("POST", "/v1/stage"),
        ("GET", "/v1/documents"),
        ("GET", "/"),
    ):
        response = keyed_client.request(method, path)
        assert response.status_code == 401, path
        assert response.json()["detail"].startswith("missing API key"), path


def test_missing_key_says_how_to_send_one(keyed_client: TestClient) -> None:
    response = keyed_client.post("/v1/stage", json={"report": REPORT})
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "missing API key: send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>'"
    )
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_key_is_401_not_recognised(keyed_client: TestClient) -> None:
    response = keyed_client.post("/v1/stage", json={"report": REPORT}, headers={"X-API-Key": "not-a-key"})
    assert response.status_code == 401
    assert response.json()["detail"] == "API key not recognised: check the key or ask for a new one"


def test_malformed_authorization_header_is_401(keyed_client: TestClient) -> None:
    response = keyed_client.get("/v1/index", headers={"Authorization": "Token abc"})
    assert response.status_code == 401 and "unsupported Authorization scheme 'Token'" in response.json()["detail"]
    response = keyed_client.get("/v1/index", headers={"Authorization": "Basic !!!"})
    assert response.status_code == 401 and "malformed Basic credentials" in response.json()["detail"]


def test_valid_keys_by_header_bearer_and_basic(keyed_client: TestClient) -> None:
    basic = base64.b64encode(f"clinician:{READ_KEY}".encode()).decode()
    for headers in (
        {"X-API-Key": READ_KEY},
        {"Authorization": f"Bearer {READ_KEY}"},
        {"Authorization": f"Basic {basic}"},
    ):
        assert keyed_client.post("/v1/stage", json={"report": REPORT}, headers=headers).status_code == 200


def test_read_key_cannot_change_documents_403(keyed_client: TestClient) -> None:
    files = {"file": ("note.md", b"# Note\nText.\n", "text/markdown")}
    response = keyed_client.post("/v1/documents", files=files, headers={"X-API-Key": READ_KEY})
    assert response.status_code == 403
    assert response.json()["detail"] == "API key 'pacs' lacks the 'write' scope needed to change documents"
    response = keyed_client.delete("/v1/documents/lung-tnm", headers={"X-API-Key": READ_KEY})
    assert response.status_code == 403


def test_write_key_passes_the_scope_check(keyed_client: TestClient) -> None:
    response = keyed_client.delete("/v1/documents/no-such-doc", headers={"X-API-Key": WRITE_KEY})
    assert response.status_code == 404 and "no indexed document 'no-such-doc'" in response.json()["detail"]


def test_web_page_challenges_the_browser_with_basic(keyed_client: TestClient) -> None:
    response = keyed_client.get("/")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    basic = base64.b64encode(f"me:{READ_KEY}".encode()).decode()
    page = keyed_client.get("/", headers={"Authorization": f"Basic {basic}"})
    assert page.status_code == 200 and "not for diagnostic use" in page.text


def test_keys_are_held_hashed_and_secret() -> None:
    settings = ServiceSettings(api_keys=[{"id": "pacs", "key": READ_KEY}])  # type: ignore[list-item]
    assert READ_KEY not in repr(settings) and READ_KEY not in str(settings.model_dump())
    assert settings.api_keys[0].digest == hash_key(READ_KEY)
    stored = ApiKey(id="ris", sha256=hash_key(WRITE_KEY), scopes=("read", "write"))
    assert stored.digest == hash_key(WRITE_KEY)


def test_bad_key_configuration_fails_loudly() -> None:
    with pytest.raises(ValidationError, match="exactly one of 'sha256'"):
        ApiKey(id="x")
    with pytest.raises(ValidationError, match="at least 16 characters"):
        ApiKey(id="x", key="short")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="repeated: \\['a'\\]"):
        KeyRing([ApiKey(id="a", key=READ_KEY), ApiKey(id="a", key=WRITE_KEY)])  # type: ignore[arg-type]
