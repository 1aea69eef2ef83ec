"""``POST /v1/ask`` and ``POST /v1/retrieve``: the same evidence path as ``medcite ask``.

Both take JSON, or multipart with an ``image`` file (PNG, JPEG or DICOM). Answers are cached in Redis by
exact question, image hash, options, index version and model versions.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rag import __version__
from rag.contracts import Query
from service.cache import cache_key
from service.deps import FormatParam, Reader, StateDep
from service.fhir import answer_report
from service.logs import audit
from service.openapi import request_body
from service.responses import fhir_alternative, fhir_response, json_response
from service.schemas.ask import AnswerResponse, AskForm, AskRequest, RetrieveForm, RetrieveRequest, RetrieveResponse
from service.schemas.common import ALL_ERRORS
from service.state import ServiceState
from service.uploads import ImageUpload, decode_image, read_question

router = APIRouter(prefix="/v1", tags=["answers"])
log = logging.getLogger("medcite.ask")


async def _query(
    state: ServiceState,
    body: RetrieveRequest,
    upload: ImageUpload | None,
    generator: str | None,
    answerer_risk: Literal["controlled", "all"] | None = None,
) -> Query:
    loaded = await state.workers.run(lambda: decode_image(upload, state)) if upload is not None else None
    return Query(
        question=body.question,
        image=loaded.image if loaded else None,
        dicom=dict(loaded.dicom_header) if loaded and loaded.dicom_header else None,
        image_id=body.image_id,
        domain=body.domain,
        generator=generator,
        exclude_same_image=body.exclude_same_image,
        answerer_risk=answerer_risk,
    )


def _answer_key(state: ServiceState, body: AskRequest, upload: ImageUpload | None, catalog: Any) -> str:
    pipeline = state.pipelines.get(body.k_policy)
    settings = pipeline.settings
    generator = body.generator or settings.generator
    options = {k: v for k, v in settings.generator_options(generator).items() if k != "api_key"}
    return cache_key(
        {
            "question": body.question,
            "image_sha256": upload.sha256 if upload else None,
            "domain": body.domain,
            "exclude_same_image": body.exclude_same_image,
            "image_id": body.image_id if body.exclude_same_image else None,
            "k_policy": settings.adaptive_k,
            "generator": generator,
            "generator_options": options,
            "answerer": pipeline.answerer_version() if upload else None,
            "answerer_risk": (body.answerer_risk or settings.answerer_risk) if upload else None,
            "index_version": catalog.version,
            "encoders": catalog.encoders,
            "reranker": pipeline.reranker.name if pipeline.reranker is not None else "none",
            "medcite": __version__,
        }
    )


@router.post(
    "/ask",
    summary="Answer a question with verified, numbered citations",
    response_model=AnswerResponse,
    responses={**ALL_ERRORS, 200: {"content": fhir_alternative("with ?format=fhir")}},
    openapi_extra=request_body(AskRequest, AskForm),
)
async def ask(request: Request, state: StateDep, principal: Reader, output: FormatParam = "json") -> Response:
    """JSON ``{question, domain?, generator?, k_policy?, exclude_same_image?, answerer_risk?}`` or multipart."""
    body, upload = await read_question(request, AskRequest)
    if state.service.debug:
        log.debug("question", extra={"question": body.question})
    catalog = await state.workers.run(state.runtime.catalog)
    # In a worker: the key names the reranker, which a new index version rebuilds (word statistics over it).
    key = await state.workers.run(lambda: _answer_key(state, body, upload, catalog))
    answer = await state.cache.get(key)
    hit = answer is not None
    if answer is None:
        query = await _query(state, body, upload, body.generator, body.answerer_risk)
        pipeline = state.pipelines.get(body.k_policy)
        answer = await state.workers.run(lambda: pipeline.answer(query).to_dict())
        await state.cache.put(key, answer)
    audit(
        key_id=principal.key_id,
        route="/v1/ask",
        status=200,
        index_version=answer.get("versions", {}).get("index"),
        source_ids=[c["source_id"] for c in answer["citations"]],
        cache="hit" if hit else "miss",
    )
    if output == "fhir":
        base = str(request.base_url)
        return fhir_response(await state.workers.run(lambda: answer_report(answer, body.question, base)))
    return json_response(answer, headers={"X-Cache": "hit" if hit else "miss"})


@router.post(
    "/retrieve",
    summary="The evidence /v1/ask would use, without writing an answer",
    response_model=RetrieveResponse,
    responses=ALL_ERRORS,
    openapi_extra=request_body(RetrieveRequest, RetrieveForm),
)
async def retrieve(request: Request, state: StateDep, principal: Reader) -> Response:
    """Hybrid (dense + BM25) passages, similar cases for an image, domain routing and adaptive k."""
    body, upload = await read_question(request, RetrieveRequest)
    query = await _query(state, body, upload, None)
    pipeline = state.pipelines.get(body.k_policy)
    found = await state.workers.run(lambda: pipeline.retrieve(query).to_dict())
    audit(
        key_id=principal.key_id,
        route="/v1/retrieve",
        status=200,
        index_version=found["versions"].get("index"),
        source_ids=[row["id"] for row in (*found["passages"], *found["cases"])],
    )
    return json_response(found)
