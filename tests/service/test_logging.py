"""Structured JSON logs with request ids; audit records; no question text unless debug logging is on."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from service.logs import RequestIdFilter, configure_logging
from tests.imaging.conftest import build_dicom
from tests.service.conftest import KEYS, READ_KEY, REPORT, make_client

pytestmark = pytest.mark.unit

SECRET_QUESTION = "For Jane Doe (MRN-0042): what T category is a 4.5 cm tumour invading the visceral pleura?"


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_lines_with_request_id_and_no_question_text(
    knowledge_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(knowledge_index, api_keys=KEYS)
    capsys.readouterr()
    response = client.post(
        "/v1/ask", json={"question": SECRET_QUESTION}, headers={"X-API-Key": READ_KEY, "X-Request-ID": "trace-42"}
    )
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "trace-42"
    err = capsys.readouterr().err
    records = _json_lines(err)
    access = next(r for r in records if r["logger"] == "medcite.access")
    assert access["request_id"] == "trace-42" and access["key_id"] == "pacs" and access["status"] == 200
    assert access["path"] == "/v1/ask" and isinstance(access["duration_ms"], float)
    audit = next(r for r in records if r["logger"] == "medcite.audit")
    assert audit["key_id"] == "pacs" and audit["route"] == "/v1/ask" and audit["request_id"] == "trace-42"
    assert audit["index_version"] and "lung-tnm#t-categories/t2b" in audit["source_ids"]  # type: ignore[operator]
    assert "Jane" not in err and "MRN-0042" not in err


def test_dicom_patient_tags_and_pixels_are_never_logged(
    knowledge_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(knowledge_index, log_level="DEBUG")
    capsys.readouterr()
    dicom = build_dicom(np.zeros((32, 32), dtype=np.uint16))[:300]  # truncated: the error path logs too
    client.post("/v1/ask", data={"question": "effusion?"}, files={"image": ("a.dcm", dicom, "application/dicom")})
    err = capsys.readouterr().err
    assert "Doe^Jane" not in err and "MRN-0042" not in err and "19700101" not in err


def test_debug_logging_records_the_question(knowledge_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(knowledge_index, log_level="DEBUG")
    capsys.readouterr()
    client.post("/v1/ask", json={"question": SECRET_QUESTION})
    records = _json_lines(capsys.readouterr().err)
    assert any(r.get("question") == SECRET_QUESTION for r in records)


def test_audit_log_to_its_own_file(knowledge_index: Path, tmp_path: Path) -> None:
    audit_file = tmp_path / "audit" / "medcite-audit.jsonl"
    client = make_client(knowledge_index, audit_log=audit_file)
    client.post("/v1/stage", json={"report": REPORT})
    records = _json_lines(audit_file.read_text(encoding="utf-8"))
    assert records[-1]["route"] == "/v1/stage" and records[-1]["key_id"] == "anonymous"
    assert "lung-tnm#t-categories/t2b" in records[-1]["source_ids"]  # type: ignore[operator]
    assert records[-1]["index_version"] is None and records[-1]["time"]
    configure_logging("INFO", None)  # later tests log to stderr again


def test_request_ids_outside_requests_are_a_dash() -> None:
    record = logging.LogRecord("medcite", logging.INFO, __file__, 1, "x", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"  # type: ignore[attr-defined]
