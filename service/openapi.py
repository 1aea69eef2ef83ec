"""Request bodies FastAPI cannot describe by itself: one route that takes JSON or multipart."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def _inline(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    if "$defs" in schema:
        raise ValueError(f"{model.__name__} nests models; an inline request body cannot carry $defs")
    schema.pop("examples", None)
    return schema


def _form_field(prop: dict[str, Any]) -> dict[str, Any]:
    """A form field is sent or left out, never null: ``anyOf [X, null]`` becomes X."""
    options = [option for option in prop.get("anyOf", []) if option.get("type") != "null"]
    if len(options) != 1:
        return prop
    field = {**options[0], "description": prop.get("description", "")}
    if "title" in prop:
        field["title"] = prop["title"]
    return field


def request_body(json_model: type[BaseModel] | None, form_model: type[BaseModel] | None) -> dict[str, Any]:
    """An ``openapi_extra`` request body with a JSON and/or a multipart schema."""
    content: dict[str, Any] = {}
    if json_model is not None:
        schema = _inline(json_model)
        examples: Any = json_model.model_config.get("json_schema_extra", {})
        entry: dict[str, Any] = {"schema": schema}
        if isinstance(examples, dict) and examples.get("examples"):
            entry["example"] = examples["examples"][0]
        content["application/json"] = entry
    if form_model is not None:
        form = _inline(form_model)
        form["properties"] = {name: _form_field(prop) for name, prop in form.get("properties", {}).items()}
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"required": True, "content": content}}


def _error_ref() -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}


def complete_schema(schema: dict[str, Any], *, open_paths: frozenset[str], unlimited_paths: frozenset[str]) -> None:
    """Make every operation declare what the middleware and auth layers may answer, with one error body.

    FastAPI documents its own 422 body; the service sends ``ErrorResponse`` for every error, and the body-size,
    in-flight, auth and rate-limit layers answer before any route, so their statuses are added here once.
    """
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer"},
        "Basic": {"type": "http", "scheme": "basic", "description": "any user name; the API key as password"},
    }
    descriptions = {
        "400": "The body could not be parsed (not UTF-8 JSON, or a broken multipart form).",
        "401": "Missing, malformed or unknown API key.",
        "403": "The API key lacks the scope this route needs.",
        "413": "Request body over the size limit.",
        "422": "Invalid request: the detail names each field and problem.",
        "429": "Per-key rate limit reached; see Retry-After.",
        "503": "Too many requests in flight; see Retry-After.",
    }
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            wanted = {"413"}
            if path not in unlimited_paths:
                wanted.add("503")
            if path not in open_paths:
                wanted |= {"401", "403", "429"}
                operation["security"] = [{"ApiKey": []}, {"Bearer": []}, {"Basic": []}]
            if "requestBody" in operation or operation.get("parameters"):
                wanted |= {"400", "422"}
            for code in sorted(wanted):
                responses.setdefault(code, {"description": descriptions[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and _needs_error_body(response):
                    response.update(_error_ref())


def _needs_error_body(response: dict[str, Any]) -> bool:
    """No body declared, or FastAPI's own validation body (which the service never sends)."""
    content = response.get("content")
    return not content or "HTTPValidationError" in str(content)
