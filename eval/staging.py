"""Staging evaluation: exact stage agreement and T, N, M agreement per edition on a labelled case file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.staging import stage_report
from rag.staging.stage_groups import EDITIONS

_FIELDS = ("t", "n", "m", "stage")


@dataclass
class EditionScore:
    """Agreement counts for one edition; ``mismatches`` lists every case that differs in any field."""

    edition: str
    cases: int = 0
    agree: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, name: str) -> float:
        return self.agree[name] / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["agreement"] = {name: round(self.rate(name), 4) for name in _FIELDS}
        return data


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Read labelled cases (``{"id", "report", "expected": {"8": {...}, "9": {...}}}``), one per line."""
    if not path.is_file():
        raise InputError(f"cases file not found: {path}")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
        if not isinstance(case, dict) or "report" not in case or "expected" not in case:
            raise InputError(f"{path}:{number}: a case needs 'report' and 'expected'")
        cases.append(case)
    return cases


def evaluate(cases: list[dict[str, Any]]) -> dict[str, EditionScore]:
    """Stage every case in both editions and compare with its expected categories."""
    scores = {edition: EditionScore(edition) for edition in EDITIONS}
    for case in cases:
        for edition in EDITIONS:
            expected = case["expected"].get(edition)
            if expected is None:
                continue
            result = stage_report(case["report"], edition).to_dict()
            score = scores[edition]
            score.cases += 1
            wrong = {}
            for name in _FIELDS:
                if result[name] == expected.get(name):
                    score.agree[name] += 1
                else:
                    wrong[name] = {"expected": expected.get(name), "got": result[name]}
            if wrong:
                score.mismatches.append({"id": case.get("id"), "differences": wrong})
    return scores


def format_scores(scores: dict[str, EditionScore]) -> str:
    """Plain-text table, one line per edition, followed by the mismatching cases."""
    lines = ["edition  cases  stage    T        N        M"]
    for edition, score in scores.items():
        rates = "  ".join(f"{score.rate(name):7.1%}" for name in ("stage", "t", "n", "m"))
        lines.append(f"{edition:>7}  {score.cases:>5}  {rates}")
    for edition, score in scores.items():
        for mismatch in score.mismatches:
            diffs = ", ".join(
                f"{k}: expected {v['expected']} got {v['got']}" for k, v in mismatch["differences"].items()
            )
            lines.append(f"  [{edition}th] {mismatch['id']}: {diffs}")
    return "\n".join(lines)
