"""Documents over REST: add (Markdown, text, PDF), list, get, delete; each change is a new index version the
running service serves at once, and a bad upload never loses what is indexed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.documents import DocumentStore
from rag.runtime import Runtime
from rag.store.catalog import current_version_dir
from service.schemas.documents import DocumentChange, DocumentDetail, DocumentList, SourceResponse
from tests.conftest import write_pdf
from tests.service.conftest import hashing_settings, make_client

pytestmark = pytest.mark.unit

GUIDE = b"# Zebra guide\n## Stripes\nZebra stripes are unique to each animal, like fingerprints.\n"


def _upload(client: TestClient, name: str, data: bytes) -> tuple[int, dict[str, object]]:
    response = client.post("/v1/documents", files={"file": (name, data, "application/octet-stream")})
    return response.status_code, response.json()


def _top_passage(client: TestClient, question: str) -> str:
    response = client.post("/v1/retrieve", json={"question": question})
    assert response.status_code == 200, response.text
    return str(response.json()["passages"][0]["id"])


def test_add_list_get_replace_delete(index_copy: Path) -> None:
    client = make_client(index_copy)
    before = client.get("/v1/documents").json()["index_version"]
    status, body = _upload(client, "zebra-guide.md", GUIDE)
    change = DocumentChange.model_validate(body)
    assert status == 201 and change.status == "added" and change.doc_id == "zebra-guide" and change.chunks == 1
    assert change.index_version != before
    assert _top_passage(client, "zebra stripes fingerprints") == "zebra-guide#zebra-guide/stripes"

    listing = DocumentList.model_validate(client.get("/v1/documents").json())
    assert listing.index_version == change.index_version
    assert {d.doc_id: d.origin for d in listing.documents}["zebra-guide"] == "upload"
    detail = DocumentDetail.model_validate(client.get("/v1/documents/zebra-guide").json())
    assert [c.id for c in detail.chunks] == ["zebra-guide#zebra-guide/stripes"]

    assert _upload(client, "zebra-guide.md", GUIDE) == (200, {**body, "status": "unchanged", "duplicates": []})
    status, replaced = _upload(client, "zebra-guide.md", GUIDE + b"## Diet\nZebras graze on grasses.\n")
    assert status == 200 and replaced["status"] == "updated" and replaced["chunks"] == 2

    deleted = client.delete("/v1/documents/zebra-guide")
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert client.get("/v1/documents/zebra-guide").status_code == 404
    assert not (index_copy / "uploads" / "zebra-guide.md").exists()
    assert _top_passage(client, "zebra stripes fingerprints") != "zebra-guide#zebra-guide/stripes"


def test_text_and_pdf_documents(index_copy: Path, tmp_path: Path) -> None:
    client = make_client(index_copy)
    status, body = _upload(client, "notes.txt", b"Plain text notes about the quokka, a small marsupial.\n")
    assert status == 201 and body["doc_id"] == "notes"
    pdf = write_pdf(tmp_path / "leaflet.pdf", ["The okapi is related to the giraffe.", "It lives in the Congo."])
    status, body = _upload(client, "leaflet.pdf", pdf.read_bytes())
    assert status == 201 and body["chunks"] == 2
    assert _top_passage(client, "okapi giraffe").startswith("leaflet#page-1")


def test_bad_uploads_leave_the_index_as_it_was(index_copy: Path) -> None:
    client = make_client(index_copy)
    version = current_version_dir(index_copy)
    documents = client.get("/v1/documents").json()["documents"]
    cases = [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", 422, "broken.pdf: cannot read PDF"),
        ("empty.md", b"", 422, "empty.md: the file is empty"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), 422, "latin1.txt: not valid UTF-8 text"),
        ("slides.pptx", b"PK\x03\x04", 415, "slides.pptx: unsupported document type '.pptx'; send .md, .txt or .pdf"),
        ("lung-tnm.md", GUIDE, 409, "document id 'lung-tnm' belongs to a source that was not uploaded"),
    ]
    for name, data, status, message in cases:
        code, body = _upload(client, name, data)
        assert code == status, (name, body)
        assert message in str(body["detail"]), (name, body)
    assert current_version_dir(index_copy) == version
    assert client.get("/v1/documents").json()["documents"] == documents
    response = client.post("/v1/documents", content=b"# x", headers={"content-type": "text/markdown"})
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]
    response = client.post("/v1/documents", files={"other": ("a.md", b"# A", "text/markdown")})
    assert response.status_code == 422 and "file field named 'file'" in response.json()["detail"]


def test_running_service_picks_up_an_index_written_elsewhere(index_copy: Path, tmp_path: Path) -> None:
    client = make_client(index_copy)
    served = client.get("/v1/index").json()["version"]
    source = tmp_path / "okapi.md"
    source.write_bytes(b"# Okapi\n## Habitat\nThe okapi lives in the Ituri rainforest.\n")
    change = DocumentStore(Runtime(hashing_settings(index_copy))).add(source.name, source.read_bytes())
    assert client.get("/v1/index").json()["version"] == change.index_version != served
    assert _top_passage(client, "okapi Ituri rainforest") == "okapi#okapi/habitat"


def test_first_upload_creates_the_index(tmp_path: Path) -> None:
    client = make_client(tmp_path / "fresh")
    assert client.get("/v1/documents").json() == {"index_version": None, "documents": []}
    status, body = _upload(client, "zebra-guide.md", GUIDE)
    assert status == 201 and body["status"] == "added"
    assert _top_passage(client, "zebra stripes") == "zebra-guide#zebra-guide/stripes"


def test_source_with_context_and_highlight(client: TestClient) -> None:
    response = client.get(
        "/v1/sources/lung-tnm%23t-categories%2Ft2b", params={"quote": "greater than 4 cm and at most 5 cm"}
    )
    assert response.status_code == 200
    source = SourceResponse.model_validate(response.json())
    assert source.kind == "passage" and source.doc_id == "lung-tnm" and source.index_version
    assert source.highlight is not None
    assert source.text[source.highlight.start : source.highlight.end] == "greater than 4 cm and at most 5 cm"
    assert source.context.previous is not None and source.context.next is not None
    assert source.context.previous.source_id == "lung-tnm#t-categories/t2a"


def test_shipped_passages_resolve_without_an_index(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    response = client.get("/v1/sources/lung-tnm%23t-categories%2Ft2b", params={"quote": "GREATER than 4 cm"})
    source = SourceResponse.model_validate(response.json())
    assert response.status_code == 200 and source.index_version is None and source.highlight is not None
