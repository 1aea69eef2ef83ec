"""JSONL batch staging: one case per line in, one result (or one error) per line out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.staging.engine import stage_findings, stage_report
from rag.staging.policy import DEFAULT_POLICY, check_policy
from rag.staging.stage_groups import check_edition


def stage_case(case: Any, edition: str, policy: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Stage one decoded JSONL case (``{"id", "report"}`` or ``{"id", "findings"}``)."""
    if not isinstance(case, dict):
        raise InputError("each line must be a JSON object with 'id' and 'report' or 'findings'")
    if "report" in case:
        result = stage_report(case["report"], edition, policy=policy)
    elif "findings" in case:
        result = stage_findings(case["findings"], edition, policy=policy)
    else:
        raise InputError("line has neither 'report' nor 'findings'")
    return {"id": case.get("id"), **result.to_dict()}


def stage_jsonl(in_path: Path, out_path: Path, edition: str, policy: str = DEFAULT_POLICY) -> int:
    """Stage every line of ``in_path`` into ``out_path``; bad lines become error lines. Returns lines written."""
    edition = check_edition(edition)
    check_policy(policy)
    if not in_path.is_file():
        raise InputError(f"input file not found: {in_path}")
    written = 0
    with in_path.open(encoding="utf-8") as source, out_path.open("w", encoding="utf-8") as sink:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            case_id: Any = None
            try:
                case = json.loads(line)
                case_id = case.get("id") if isinstance(case, dict) else None
                record = stage_case(case, edition, policy)
            except json.JSONDecodeError as exc:
                record = {"id": None, "error": f"line {number}: invalid JSON: {exc.msg}"}
            except InputError as exc:
                record = {"id": case_id, "error": f"line {number}: {exc}"}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written
