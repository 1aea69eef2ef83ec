"""Property-based run of the live OpenAPI schema (schemathesis): no 5xx and no response that breaks the
schema, over a bounded number of generated requests per operation (valid and invalid data), with a
write-capable key.

Operations are driven one by one with hypothesis' ``@given`` rather than schemathesis' pytest plugin,
whose lazy-fixture mode does not run under pytest 9.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.openapi import from_asgi

from service.app import create_app
from service.readiness import warm
from service.settings import ServiceSettings
from tests.service.conftest import KEYS, WRITE_KEY, hashing_settings

pytestmark = pytest.mark.integration

AUTH = {"X-API-Key": WRITE_KEY}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 12


def test_no_server_errors_and_no_schema_violations(knowledge_index: Path, tmp_path: Path) -> None:
    index_dir = Path(shutil.copytree(knowledge_index, tmp_path / "idx"))
    app = create_app(hashing_settings(index_dir), ServiceSettings(warm_on_start=False, api_keys=KEYS))
    warm(app.state.medcite)  # a cold service answers /readyz with 503 by design
    schema = from_asgi("/openapi.json", app, headers=AUTH)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 14
    tried: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def run(case: Case) -> None:
                case.call_and_validate(headers=AUTH, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, f"{operation.path}: no valid request could be generated"
                continue  # an operation without inputs has no invalid request to send
            tried.append(f"{operation.method.upper()} {operation.path} {mode.value}")
    assert "POST /v1/ask positive" in tried and "POST /v1/stage negative" in tried
