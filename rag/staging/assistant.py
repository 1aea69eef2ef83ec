"""Optional model-assisted extraction: proposals only ever fill gaps left by the rule-based extractor.

The assistant (an LLM backend, built elsewhere) proposes findings as a dict; they are validated against the
same schema and merged without overriding any rule-extracted finding, so staging stays reproducible and the
stage grouping itself is never delegated to a model.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from rag.errors import InputError
from rag.staging.findings import Findings, parse_findings


@runtime_checkable
class ExtractionAssistant(Protocol):
    """Anything that can propose structured findings for a report."""

    def propose(self, report: str) -> dict[str, Any]: ...


def merge_proposal(rules: Findings, proposal: dict[str, Any], report: str | None = None) -> tuple[Findings, list[str]]:
    """Fill empty fields of ``rules`` from a validated proposal; returns the merge and warnings naming filled fields."""
    try:
        proposed = parse_findings(proposal)
    except InputError as exc:
        return rules, [f"assistant proposal rejected: {exc}"]
    merged: dict[str, Any] = rules.model_dump()
    filled: list[str] = []
    if rules.tumour is None and proposed.tumour is not None:
        merged["tumour"] = proposed.tumour.model_dump()
        filled.append("tumour")
    elif rules.tumour is not None and proposed.tumour is not None:
        for name, value in proposed.tumour.model_dump().items():
            if merged["tumour"][name] in (None, False, [], "solid") and value not in (None, False, [], "solid"):
                merged["tumour"][name] = value
                filled.append(f"tumour.{name}")
    for name, value in proposed.model_dump().items():
        if name in ("tumour", "notes"):
            continue
        if merged[name] in (False, []) and value not in (False, []):
            merged[name] = value
            filled.append(name)
    warnings = [f"assistant filled: {', '.join(filled)} (not found by the rules; please verify)"] if filled else []
    return Findings.model_validate(merged), warnings
