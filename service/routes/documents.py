"""The knowledge base over REST: documents in and out, cited sources and similar-case thumbnails.

Adding or deleting a document writes a new index version atomically; this and every other worker
serve it as soon as ``CURRENT`` moves, and a bad upload leaves the index as it was.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from rag.errors import NotFoundError
from rag.imaging.load import load_image
from rag.sources import case_image_path, find_source
from rag.store.catalog import Catalog
from service.deps import Reader, StateDep, Writer
from service.logs import audit
from service.openapi import request_body
from service.responses import json_response
from service.schemas.common import ALL_ERRORS, AUTH_ERRORS, LOAD_ERRORS, MODEL_ERRORS
from service.schemas.documents import (
    DocumentChange,
    DocumentDetail,
    DocumentForm,
    DocumentList,
    SourceResponse,
)
from service.state import ServiceState

router = APIRouter(prefix="/v1", tags=["knowledge base"])
THUMBNAIL_PIXELS = 192
DocId = Annotated[str, Path(min_length=1, max_length=200, description="Document id as listed by GET /v1/documents.")]
READ_ERRORS = {**AUTH_ERRORS, **LOAD_ERRORS, 404: MODEL_ERRORS[404], 409: MODEL_ERRORS[409], 422: MODEL_ERRORS[422]}


def _served(state: ServiceState) -> Catalog | None:
    try:
        return state.runtime.catalog()
    except NotFoundError:
        return None


@router.get("/documents", summary="List indexed documents", response_model=DocumentList, responses=READ_ERRORS)
async def list_documents(state: StateDep, principal: Reader) -> Response:
    catalog = await state.workers.run(lambda: _served(state))
    if catalog is None:
        return json_response({"index_version": None, "documents": []})
    documents = await state.workers.run(state.documents.list)
    return json_response({"index_version": catalog.version, "documents": documents})


@router.post(
    "/documents",
    summary="Add or replace a Markdown, text or PDF document",
    status_code=201,
    response_model=DocumentChange,
    responses={**ALL_ERRORS, 200: {"model": DocumentChange, "description": "Replaced or unchanged."}},
    openapi_extra=request_body(None, DocumentForm),
)
async def add_document(request: Request, state: StateDep, principal: Writer) -> Response:
    """Multipart with one ``file``; its name gives the document id. A new index version is written atomically."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise HTTPException(415, f"send the document as multipart/form-data with a 'file' field, not {content_type!r}")
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "send the document as a file field named 'file' (Markdown, text or PDF)")
    data = await upload.read()
    change = await state.workers.run(lambda: state.documents.add(upload.filename or "", data), time_limit=False)
    audit(
        key_id=principal.key_id,
        route="POST /v1/documents",
        status=200,
        index_version=change.index_version,
        source_ids=[change.doc_id],
        change=change.status,
    )
    return json_response(change.as_dict(), status=201 if change.status == "added" else 200)


@router.get(
    "/documents/{doc_id}",
    summary="One document and its indexed chunks",
    response_model=DocumentDetail,
    responses=READ_ERRORS,
)
async def get_document(doc_id: DocId, state: StateDep, principal: Reader) -> Response:
    return json_response(await state.workers.run(lambda: state.documents.get(doc_id)))


@router.delete(
    "/documents/{doc_id}",
    summary="Delete a document from the index",
    response_model=DocumentChange,
    responses=READ_ERRORS,
)
async def delete_document(doc_id: DocId, state: StateDep, principal: Writer) -> Response:
    change = await state.workers.run(lambda: state.documents.delete(doc_id), time_limit=False)
    audit(
        key_id=principal.key_id,
        route="DELETE /v1/documents",
        status=200,
        index_version=change.index_version,
        source_ids=[doc_id],
        change=change.status,
    )
    return json_response(change.as_dict())


@router.get(
    "/sources/{source_id:path}",
    summary="A cited passage with its context, the quote located in it",
    response_model=SourceResponse,
    responses=READ_ERRORS,
)
async def get_source(
    source_id: Annotated[
        str, Path(description="Source id as cited, e.g. lung-tnm#t-categories/t2b (encode # as %23).")
    ],
    state: StateDep,
    principal: Reader,
    quote: Annotated[str | None, Query(max_length=2000, description="Quoted words to locate.")] = None,
) -> Response:
    def run() -> dict[str, Any]:
        return find_source(_served(state), source_id, state.settings.knowledge_dir, quote)

    found = await state.workers.run(run)
    audit(
        key_id=principal.key_id,
        route="/v1/sources",
        status=200,
        index_version=found["index_version"],
        source_ids=[source_id],
    )
    return json_response(found)


@router.get(
    "/cases/{case_id}/thumbnail",
    summary="Thumbnail of a similar case's image",
    response_class=Response,
    responses={**READ_ERRORS, 200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def case_thumbnail(
    case_id: Annotated[str, Path(min_length=1, max_length=200)], state: StateDep, principal: Reader
) -> Response:
    def run() -> bytes:
        catalog = _served(state)
        if catalog is None:
            raise NotFoundError("no index is served yet, so there are no similar cases")
        image = load_image(case_image_path(catalog, case_id)).image  # PNG, JPEG or DICOM, like every image
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        return buffer.getvalue()

    data = await state.workers.run(run)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
