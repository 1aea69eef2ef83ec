"""``POST /v1/stage`` and ``POST /v1/stage/batch``: cited lung cancer TNM staging."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rag.errors import InputError
from rag.staging import stage_findings, stage_report
from rag.staging.findings import Findings
from service.deps import FormatParam, Reader, StateDep
from service.fhir import staging_report
from service.logs import audit
from service.responses import fhir_alternative, fhir_response, json_response
from service.schemas.common import ALL_ERRORS
from service.schemas.stage import StageBatchRequest, StageBatchResponse, StageRequest, StageResponse

router = APIRouter(prefix="/v1", tags=["staging"])


def _stage(report: str | None, findings: Findings | None, edition: str, policy: str) -> dict[str, Any]:
    if report is not None:
        return stage_report(report, edition, policy=policy).to_dict()
    assert findings is not None  # the request model requires exactly one
    # As a dict, so the library's own checks beyond the schema (IASLC station ids) run too.
    return stage_findings(findings.model_dump(mode="json"), edition, policy=policy).to_dict()


def _cited(result: dict[str, Any]) -> list[str]:
    return sorted({c["source_id"] for d in result["decisions"] for c in d["citations"]})


@router.post(
    "/stage",
    summary="Stage one report (or structured findings)",
    response_model=StageResponse,
    responses={**ALL_ERRORS, 200: {"content": fhir_alternative("with ?format=fhir")}},
)
async def stage(
    body: StageRequest, request: Request, state: StateDep, principal: Reader, output: FormatParam = "json"
) -> Response:
    """T, N, M and stage group, each with its reason, the report phrases and verbatim guideline quotes."""
    result = await state.workers.run(lambda: _stage(body.report, body.findings, body.edition, body.policy))
    audit(key_id=principal.key_id, route="/v1/stage", status=200, index_version=None, source_ids=_cited(result))
    if output == "fhir":  # building and validating the resource is CPU work too
        base = str(request.base_url)
        return fhir_response(await state.workers.run(lambda: staging_report(result, base)))
    return json_response(result)


@router.post(
    "/stage/batch",
    summary="Stage many reports in one call",
    response_model=StageBatchResponse,
    responses=ALL_ERRORS,
)
async def stage_batch(body: StageBatchRequest, state: StateDep, principal: Reader) -> Response:
    """Each item is staged on its own; an item that cannot be staged reports why and the rest still are."""

    def run() -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for item in body.items:
            try:
                staged = _stage(item.report, item.findings, body.edition, body.policy)
            except InputError as exc:
                results.append({"id": item.id, "ok": False, "result": None, "error": str(exc)})
            else:
                results.append({"id": item.id, "ok": True, "result": staged, "error": None})
        return results

    results = await state.workers.run(run)
    staged = sum(1 for r in results if r["ok"])
    audit(
        key_id=principal.key_id,
        route="/v1/stage/batch",
        status=200,
        index_version=None,
        source_ids=sorted({s for r in results if r["ok"] for s in _cited(r["result"])}),
        items=len(results),
    )
    return json_response(
        {
            "edition": body.edition,
            "policy": body.policy,
            "results": results,
            "staged": staged,
            "failed": len(results) - staged,
            "preliminary": True,
        }
    )
