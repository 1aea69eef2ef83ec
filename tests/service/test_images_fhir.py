"""Image questions (PNG and DICOM, real EfficientNet-Lite0 features) and FHIR R4 output for ask and stage."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.diagnosticreport import DiagnosticReport

from service.fhir import TNM_CODES
from service.schemas.ask import AnswerResponse, RetrieveResponse
from service.schemas.stage import StageBatchResponse, StageResponse
from tests.imaging.conftest import build_dicom
from tests.service.conftest import REPORT, hashing_settings, make_client


@pytest.fixture(scope="module")
def case_client(case_index: tuple[Path, Path]) -> TestClient:
    index_dir, _ = case_index
    return make_client(index_dir, hashing_settings(index_dir))


@pytest.mark.integration
def test_ask_about_a_png_finds_its_similar_cases(case_client: TestClient, case_index: tuple[Path, Path]) -> None:
    image = (case_index[1] / "synthchest0.png").read_bytes()
    response = case_client.post(
        "/v1/ask",
        data={"question": "Is there a pleural effusion?"},
        files={"image": ("synthchest0.png", image, "image/png")},
    )
    assert response.status_code == 200, response.text
    answer = AnswerResponse.model_validate(response.json())
    assert answer.domain["domain"] == "radiology:chest"
    assert answer.evidence.cases[0].id == "synthchest0" and answer.k["cases"]["k"] >= 1
    thumbnail = case_client.get(f"/v1/cases/{answer.evidence.cases[0].id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"

    excluded = case_client.post(
        "/v1/retrieve",
        data={"question": "Is there a pleural effusion?", "exclude_same_image": "true"},
        files={"image": ("synthchest0.png", image, "image/png")},
    )
    found = RetrieveResponse.model_validate(excluded.json())
    assert excluded.status_code == 200 and "synthchest0" not in [case.id for case in found.cases]
    assert found.k["leakage_filter"] == ["synthchest0"]


@pytest.mark.integration
def test_dicom_header_routes_the_domain_and_patient_tags_stay_out(case_client: TestClient) -> None:
    dicom = build_dicom((np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 7) % 4096)
    response = case_client.post(
        "/v1/retrieve",
        data={"question": "Is there a pleural effusion?"},
        files={"image": ("study.dcm", dicom, "application/dicom")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["domain"]["signal"] == "dicom" and body["domain"]["domain"] == "radiology:chest"
    assert "Doe^Jane" not in response.text and "MRN-0042" not in response.text


@pytest.mark.unit
def test_stage_report_and_structured_findings(client: TestClient) -> None:
    response = client.post("/v1/stage", json={"report": REPORT, "edition": "9"})
    assert response.status_code == 200
    result = StageResponse.model_validate(response.json())
    assert (result.t, result.m) == ("T2b", "M0") and result.preliminary
    assert all(d.citations for d in result.decisions)
    findings = {"tumour": {"side": "right", "lobe": "RUL", "size_mm": 45}, "nodes_assessed": True}
    structured = StageResponse.model_validate(client.post("/v1/stage", json={"findings": findings}).json())
    assert structured.t == "T2b" and structured.n == "N0"


@pytest.mark.unit
def test_stage_batch_reports_each_item(client: TestClient) -> None:
    items = [{"id": "a", "report": REPORT}, {"id": "b", "findings": {"tumour": {"size_mm": 8}}}]
    response = client.post("/v1/stage/batch", json={"items": items, "edition": "8"})
    assert response.status_code == 200
    batch = StageBatchResponse.model_validate(response.json())
    assert batch.staged == 2 and batch.failed == 0 and [r.id for r in batch.results] == ["a", "b"]
    assert batch.results[0].result is not None and batch.results[0].result.edition == "8"


def _report(response_body: dict[str, object]) -> DiagnosticReport:
    report = DiagnosticReport.model_validate(response_body)
    assert report.status == "preliminary"
    return report


@pytest.mark.unit
def test_stage_as_fhir_diagnostic_report(client: TestClient) -> None:
    response = client.post("/v1/stage?format=fhir", json={"report": REPORT})
    assert response.status_code == 200 and response.headers["content-type"] == "application/fhir+json"
    report = _report(response.json())
    contained = {r.id: r for r in report.contained or []}
    observations = [contained[ref.reference.lstrip("#")] for ref in report.result or []]
    codes = [o.code.coding[0].code for o in observations]
    assert codes == [TNM_CODES[c][0] for c in ("T", "N", "M", "stage")]
    assert all(o.status == "preliminary" for o in observations)
    assert observations[0].valueCodeableConcept.text == "T2b"
    cited = {ref.reference.lstrip("#") for o in observations for ref in o.derivedFrom or []}
    assert cited and all(contained[c].get_resource_type() == "DocumentReference" for c in cited)
    url = contained[sorted(cited)[0]].content[0].attachment.url
    assert "/v1/sources/lung-tnm%23" in url
    assert "not a diagnosis" in (report.conclusion or "")


@pytest.mark.unit
def test_ask_as_fhir_diagnostic_report(client: TestClient) -> None:
    question = "What T category is a 4.5 cm tumour invading the visceral pleura?"
    response = client.post("/v1/ask?format=fhir", json={"question": question})
    assert response.status_code == 200
    report = _report(response.json())
    answer = next(r for r in report.contained or [] if r.get_resource_type() == "Observation")
    assert answer.valueString.startswith("T2b") and answer.code.text == question
    assert {ref.display for ref in answer.derivedFrom or []} >= {"lung-tnm#t-categories/t2b"}


@pytest.mark.unit
def test_format_must_be_json_or_fhir(client: TestClient) -> None:
    response = client.post("/v1/stage?format=xml", json={"report": REPORT})
    assert response.status_code == 422 and "format: Input should be 'json' or 'fhir'" in response.json()["detail"]


@pytest.mark.integration
def test_web_assets_are_package_data(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "PRELIMINARY" in page.text
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../app.py").status_code == 404
    assert io.BytesIO(client.get("/static/app.css").content).read(1)
