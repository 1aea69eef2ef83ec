"""Malformed and hostile input: every case is a 4xx whose message says what is wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.state import ServiceState
from tests.imaging.conftest import build_dicom
from tests.service.conftest import REPORT, bomb_png, make_client, png_bytes

pytestmark = pytest.mark.unit

QUESTION = {"question": "Is there a pleural effusion?"}


def _ask_with(client: TestClient, name: str, data: bytes) -> tuple[int, str]:
    response = client.post("/v1/ask", data=QUESTION, files={"image": (name, data, "application/octet-stream")})
    return response.status_code, response.json()["detail"]


def test_truncated_png_is_422(client: TestClient) -> None:
    status, detail = _ask_with(client, "chest.png", png_bytes()[:60])
    assert status == 422
    assert detail.startswith("chest.png: PNG file is truncated or malformed")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_png_is_refused_before_decoding(client: TestClient) -> None:
    data = bomb_png()
    assert len(data) < 2_000
    status, detail = _ask_with(client, "bomb.png", data)
    assert status == 422
    assert detail == (
        "bomb.png: image is 10000x10000 = 100000000 pixels, over the limit of 50000000; downsample it before sending"
    )


def test_non_dicom_file_named_dcm_is_422(client: TestClient) -> None:
    status, detail = _ask_with(client, "scan.dcm", b"this is a text file, not a DICOM object" * 10)
    assert status == 422
    assert detail.startswith("scan.dcm: named as DICOM but is not a DICOM file")


def test_truncated_dicom_is_422(client: TestClient) -> None:
    dicom = build_dicom(np.zeros((64, 64), dtype=np.uint16))
    status, detail = _ask_with(client, "ct.dcm", dicom[: len(dicom) // 2])
    assert status == 422
    assert detail.startswith("ct.dcm: DICOM")


def test_unknown_image_format_is_415(client: TestClient) -> None:
    status, detail = _ask_with(client, "photo.gif", b"GIF89a" + b"\x00" * 100)
    assert status == 415
    assert detail == "photo.gif: not a PNG, JPEG or DICOM file (unrecognised file signature)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"question": 42}, "question: Input should be a valid string"),
        ({"question": ""}, "question: String should have at least 1 character"),
        ({"question": "   "}, "question: String should match pattern"),
        ({"question": "x", "k_policy": "best"}, "k_policy: Input should be 'gap', 'calibrated' or 'fixed'"),
        ({"question": "x", "exclude_same_image": "maybe"}, "exclude_same_image: Input should be a valid boolean"),
        ({"question": "x", "colour": "red"}, "colour: Extra inputs are not permitted"),
        ({}, "question: Field required"),
    ],
)
def test_wrong_field_types_on_ask_are_422(client: TestClient, body: dict[str, object], expected: str) -> None:
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 422
    assert expected in response.json()["detail"]


def test_unknown_domain_names_the_known_ones(client: TestClient) -> None:
    response = client.post("/v1/retrieve", json={"question": "effusion", "domain": "pathology"})
    assert response.status_code == 422 and "pathology" in response.json()["detail"]


def test_invalid_json_and_wrong_content_type(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"].startswith("the body is not valid JSON")
    response = client.post("/v1/ask", content=b"[1, 2]", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "must be an object" in response.json()["detail"]
    response = client.post("/v1/ask", content=b"question=x", headers={"content-type": "text/plain"})
    assert response.status_code == 415 and "send application/json" in response.json()["detail"]


def test_multipart_image_as_text_field_is_422(client: TestClient) -> None:
    response = client.post("/v1/ask", data={"question": "x", "image": "not a file"})
    assert response.status_code == 422 and "'image' must be a file upload" in response.json()["detail"]


def test_stage_validation(client: TestClient) -> None:
    both = client.post("/v1/stage", json={"report": REPORT, "findings": {}})
    assert both.status_code == 422 and "exactly one of 'report'" in both.json()["detail"]
    edition = client.post("/v1/stage", json={"report": REPORT, "edition": "7"})
    assert edition.status_code == 422 and "edition: Input should be '8' or '9'" in edition.json()["detail"]
    policy = client.post("/v1/stage", json={"report": REPORT, "policy": "likely"})
    assert policy.status_code == 422 and "policy: Input should be 'probable'" in policy.json()["detail"]
    findings = client.post("/v1/stage", json={"findings": {"tumour": {"size_mm": "big"}}})
    assert findings.status_code == 422 and "findings.tumour.size_mm" in findings.json()["detail"]
    station = client.post("/v1/stage", json={"findings": {"nodes": [{"station": "99Z"}]}})
    assert station.status_code == 422 and "unknown IASLC station '99Z'" in station.json()["detail"]
    empty = client.post("/v1/stage/batch", json={"items": []})
    assert empty.status_code == 422 and "items: List should have at least 1 item" in empty.json()["detail"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    document = client.get("/v1/documents/no-such-document")
    assert document.status_code == 404
    assert document.json()["detail"] == ("no indexed document 'no-such-document'; list the documents to see their ids")
    source = client.get("/v1/sources/lung-tnm%23no-such-section")
    assert source.status_code == 404
    assert "no source 'lung-tnm#no-such-section'" in source.json()["detail"]
    case = client.get("/v1/cases/synpic0/thumbnail")
    assert case.status_code == 404 and "no similar case 'synpic0'" in case.json()["detail"]


def test_oversize_body_is_413_by_length_and_by_stream(knowledge_index: Path) -> None:
    client = make_client(knowledge_index, max_body_bytes=4096)
    big = png_bytes((256, 256), colour=7) + b"\x00" * 8192
    response = client.post("/v1/ask", data=QUESTION, files={"image": ("big.png", big, "image/png")})
    assert response.status_code == 413
    assert response.json()["detail"].endswith("over the limit of 4096 bytes; send a smaller file")

    def chunks() -> object:
        for _ in range(10):
            yield b"x" * 1024

    streamed = client.post("/v1/stage", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and "over the limit of 4096 bytes" in streamed.json()["detail"]


def test_saturated_service_is_503_with_retry_after(knowledge_index: Path) -> None:
    client = make_client(knowledge_index, max_in_flight=2, retry_after_seconds=3)
    state: ServiceState = client.app.state.medcite  # type: ignore[attr-defined]
    assert state.in_flight.try_acquire() and state.in_flight.try_acquire()  # two requests hold every slot
    try:
        response = client.post("/v1/stage", json={"report": REPORT})
        assert response.status_code == 503 and response.headers["Retry-After"] == "3"
        assert response.json()["detail"] == "the service is busy (2 requests in flight); retry in 3 s"
        assert client.get("/healthz").status_code == 200  # probes still answer
    finally:
        state.in_flight.release()
        state.in_flight.release()
    assert client.post("/v1/stage", json={"report": REPORT}).status_code == 200


def test_request_past_the_time_limit_is_504(knowledge_index: Path) -> None:
    client = make_client(knowledge_index, request_timeout_seconds=0.001)
    items = [{"id": str(i), "report": REPORT} for i in range(200)]
    response = client.post("/v1/stage/batch", json={"items": items})
    assert response.status_code == 504
    assert response.json()["detail"].startswith("the request took longer than the 0.001 s limit")
