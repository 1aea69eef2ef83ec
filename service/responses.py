"""JSON and FHIR responses for payloads the library builds as plain dicts.

Routes declare their pydantic response models for the OpenAPI schema and return these directly, so
FastAPI does not re-validate every answer on the hot path; tests and the schemathesis run check that
the payloads match the declared models.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

from service.fhir import FHIR_MEDIA_TYPE


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars from scores
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, default=_plain, separators=(",", ":")).encode("utf-8")


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return Response(dumps(payload), status_code=status, media_type="application/json", headers=headers)


def fhir_response(resource: dict[str, Any]) -> Response:
    return Response(dumps(resource), media_type=FHIR_MEDIA_TYPE)


def fhir_alternative(description: str) -> dict[str, Any]:
    """The OpenAPI entry for ``?format=fhir``: the same 200 as a FHIR JSON resource."""
    return {
        FHIR_MEDIA_TYPE: {
            "schema": {
                "type": "object",
                "required": ["resourceType", "status"],
                "properties": {"resourceType": {"const": "DiagnosticReport"}, "status": {"const": "preliminary"}},
                "description": description,
            }
        }
    }
