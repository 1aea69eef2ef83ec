"""Staging evaluation: exact stage agreement and T, N, M agreement per edition on a labelled case file."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.staging import ExtractionAssistant, stage_report
from rag.staging.policy import DEFAULT_POLICY
from rag.staging.stage_groups import EDITIONS

_FIELDS = ("t", "n", "m", "stage")
_STAGE_ORDER = (
    "Occult carcinoma", "0", "IA1", "IA2", "IA3", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB",
    "undeterminable",
)  # fmt: skip


@dataclass
class EditionScore:
    """Agreement counts for one edition; ``mismatches`` lists every case that differs in any field."""

    edition: str
    cases: int = 0
    agree: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))
    agree_main: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("t", "n", "m"), 0))
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    assistant: dict[str, int] = field(default_factory=dict)

    def rate(self, name: str) -> float:
        return self.agree[name] / self.cases if self.cases else 0.0

    def main_rate(self, name: str) -> float:
        return self.agree_main[name] / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["agreement"] = {name: round(self.rate(name), 4) for name in _FIELDS}
        data["agreement_main_category"] = {name: round(self.main_rate(name), 4) for name in ("t", "n", "m")}
        return data


def _count_assistant(
    score: EditionScore, case: dict[str, Any], edition: str, assisted: dict[str, Any], policy: str
) -> None:
    """What the assistant did on one case: answers filled and rejected, and whether the stage got better or worse."""
    filled = sum(w.startswith("assistant filled") for w in assisted["warnings"])
    rejected = sum(w.startswith("assistant") and "rejected" in w for w in assisted["warnings"])
    rules = stage_report(case["report"], edition, policy=policy).to_dict()
    expected = case["expected"][edition]
    counters = score.assistant
    counters["cases_asked"] = counters.get("cases_asked", 0) + bool(filled or rejected)
    counters["answers_filled"] = counters.get("answers_filled", 0) + filled
    counters["answers_rejected"] = counters.get("answers_rejected", 0) + rejected
    for name in _FIELDS:
        before, after = _agrees(rules[name], expected.get(name)), _agrees(assisted[name], expected.get(name))
        if before != after:
            key = f"{name}_{'fixed' if after else 'broken'}"
            counters[key] = counters.get(key, 0) + 1


def _agrees(got: str, expected: str | None) -> bool:
    """Exact agreement; a label given only as a main category ("T2", "M1", as real-report corpora label)
    is compared at that granularity."""
    if expected is None:
        return False
    if expected in ("T1", "T2", "M1") or (expected == main_category(expected) and got.startswith(expected)):
        return main_category(got) == expected
    return got == expected


def main_category(value: str) -> str:
    """T2a -> T2, N2b -> N2, M1c2 -> M1, T1mi -> T1, Tis -> Tis: the granularity real-report corpora label."""
    match = re.match(r"([TNM])(is|X|\d)", value or "")
    return match.group(0) if match else value


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


def evaluate(
    cases: list[dict[str, Any]], *, assistant: ExtractionAssistant | None = None, policy: str = DEFAULT_POLICY
) -> dict[str, EditionScore]:
    """Stage every case in both editions and compare with its expected categories."""
    scores = {edition: EditionScore(edition) for edition in EDITIONS}
    for case in cases:
        for edition in EDITIONS:
            expected = case["expected"].get(edition)
            if expected is None:
                continue
            result = stage_report(case["report"], edition, assistant=assistant, policy=policy).to_dict()
            if assistant is not None:
                _count_assistant(scores[edition], case, edition, result, policy)
            score = scores[edition]
            score.cases += 1
            wrong = {}
            for name in _FIELDS:
                if _agrees(result[name], expected.get(name)):
                    score.agree[name] += 1
                else:
                    wrong[name] = {"expected": expected.get(name), "got": result[name]}
            for name in ("t", "n", "m"):
                score.agree_main[name] += main_category(result[name]) == main_category(expected.get(name, ""))
            row = score.confusion.setdefault(str(expected.get("stage")), {})
            row[result["stage"]] = row.get(result["stage"], 0) + 1
            if wrong:
                score.mismatches.append({"id": case.get("id"), "differences": wrong})
    return scores


def confusion_table(score: EditionScore) -> list[str]:
    """Expected stage (rows) against staged stage (columns), only the stages that occur."""
    seen = set(score.confusion) | {got for row in score.confusion.values() for got in row}
    order = [stage for stage in _STAGE_ORDER if stage in seen] + sorted(seen - set(_STAGE_ORDER))
    short = {"Occult carcinoma": "Occ", "undeterminable": "und"}
    header = "  expected \\ staged " + "".join(f"{short.get(s, s):>5}" for s in order)
    lines = [header]
    for expected in order:
        row = score.confusion.get(expected, {})
        if not row:
            continue
        cells = "".join(f"{row.get(got, 0) or '.':>5}" for got in order)
        lines.append(f"  {short.get(expected, expected):>18} {cells}")
    return lines


def format_scores(scores: dict[str, EditionScore]) -> str:
    """Per-category agreement (exact and main category), a stage confusion table per edition, then the misses."""
    lines = ["edition  cases  stage    T        N        M        | main category: T        N        M"]
    for edition, score in scores.items():
        rates = "  ".join(f"{score.rate(name):7.1%}" for name in ("stage", "t", "n", "m"))
        main = "  ".join(f"{score.main_rate(name):7.1%}" for name in ("t", "n", "m"))
        lines.append(f"{edition:>7}  {score.cases:>5}  {rates}  |                {main}")
    for edition, score in scores.items():
        if score.assistant:
            counts = ", ".join(f"{key} {value}" for key, value in sorted(score.assistant.items()))
            lines.append(f"assistant, {edition}th edition: {counts}")
    for edition, score in scores.items():
        lines.append(f"stage confusion, {edition}th edition:")
        lines.extend(confusion_table(score))
    for edition, score in scores.items():
        for mismatch in score.mismatches:
            diffs = ", ".join(
                f"{k}: expected {v['expected']} got {v['got']}" for k, v in mismatch["differences"].items()
            )
            lines.append(f"  [{edition}th] {mismatch['id']}: {diffs}")
    return "\n".join(lines)
