"""The learned answerer over HTTP: multipart image questions choose the risk policy per request."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from rag.runtime import Runtime
from tests.answerer.conftest import picture
from tests.service.conftest import make_client

pytestmark = pytest.mark.integration


def _png() -> bytes:
    buffer = io.BytesIO()
    picture("chest", 0).save(buffer, format="PNG")
    return buffer.getvalue()


def test_ask_with_an_image_is_answered_by_the_answerer_at_the_requested_risk(
    answerer_env: tuple[Runtime, Path],
) -> None:
    runtime, _ = answerer_env
    with make_client(runtime.settings.index_dir, runtime.settings) as client:
        files = {"image": ("chest.png", _png(), "image/png")}
        fields = {"question": "Is there a pleural effusion?", "answerer_risk": "all"}
        response = client.post("/v1/ask", files=files, data=fields)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["mode"] == "answerer" and not answer["abstained"]
        assert answer["answerer"]["threshold"] == 0.0 and answer["answerer"]["version"].startswith("a-")
        assert answer["versions"]["generator"]["name"] == "answerer" and answer["preliminary"] is True

        bad = client.post("/v1/ask", files=files, data={**fields, "answerer_risk": "sometimes"})
        assert bad.status_code == 422 and "answerer_risk" in bad.json()["detail"]
        text_only = client.post("/v1/ask", json={"question": "Is there a pleural effusion?", "answerer_risk": "all"})
        assert text_only.status_code == 200 and text_only.json()["answerer"] == {}
