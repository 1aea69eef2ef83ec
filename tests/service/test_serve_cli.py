"""``medcite api-key`` prints a key once and a configuration entry holding only its hash."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from medcite.cli.main import app
from service.settings import ServiceSettings, hash_key

pytestmark = pytest.mark.unit


def test_api_key_prints_a_key_and_its_hashed_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["api-key", "pacs-gateway", "--write"])
    assert result.exit_code == 0, result.output
    key_line, entry_line = result.output.strip().splitlines()
    key = key_line.rsplit(" ", 1)[-1]
    entry = json.loads(entry_line.split(": ", 1)[1])
    assert entry == {"id": "pacs-gateway", "sha256": hash_key(key), "scopes": ["read", "write"]}
    assert key not in entry_line
    monkeypatch.setenv("MEDCITE_API_KEYS", json.dumps([entry]))
    assert ServiceSettings().api_keys[0].digest == hash_key(key)


def test_serve_help_names_the_knobs() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--workers" in result.output and "MEDCITE_API_KEYS" in result.output
