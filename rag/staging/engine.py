"""Orchestration: findings -> T, N, M decisions -> deterministic stage group -> :class:`StagingResult`."""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from typing import Any

from rag.errors import InputError
from rag.staging.assistant import ExtractionAssistant, find_gaps, merge_proposal
from rag.staging.citations import Citation, cite
from rag.staging.extract import Mode, extract_findings
from rag.staging.findings import Findings, parse_findings
from rag.staging.policy import DEFAULT_POLICY, CertaintyPolicy, apply_policy, check_policy, uncounted
from rag.staging.result import UNDETERMINABLE, Decision, IfConfirmed, StagingResult
from rag.staging.rules import Outcome, decide_m, decide_n, decide_t
from rag.staging.stage_groups import check_edition, stage_group
from rag.staging.stated import disagreement

_TABLE = {"8": "stage-groups/8th-edition-stage-table", "9": "stage-groups/9th-edition-stage-table"}
_ROWS = {
    "Occult carcinoma": "Occult carcinoma: TX N0 M0.",
    "0": "Stage 0: Tis N0 M0.",
    "IA1": "Stage IA1: T1mi N0 M0 or T1a N0 M0.",
    "IA2": "Stage IA2: T1b N0 M0.",
    "IA3": "Stage IA3: T1c N0 M0.",
    "IB": "Stage IB: T2a N0 M0.",
    "IVA": "Stage IVA: any T and any N with M1a or M1b.",
    "IIIC": "Stage IIIC: T3 or T4 N3 M0.",
}
_ROWS_BY_EDITION = {
    "8": {
        "IIA": "Stage IIA: T2b N0 M0.",
        "IIB": "Stage IIB: T1a to T1c N1 M0; T2a or T2b N1 M0; T3 N0 M0.",
        "IIIA": "Stage IIIA: T1a to T1c N2 M0; T2a or T2b N2 M0; T3 N1 M0; T4 N0 or N1 M0.",
        "IIIB": "Stage IIIB: T1a to T1c N3 M0; T2a or T2b N3 M0; T3 or T4 N2 M0.",
        "IVB": "Stage IVB: any T and any N with M1c.",
    },
    "9": {
        "IIA": "Stage IIA: T2b N0 M0; T1a to T1c N1 M0.",
        "IIB": "Stage IIB: T2a or T2b N1 M0; T3 N0 M0; T1a to T1c N2a M0.",
        "IIIA": "Stage IIIA: T1a to T1c N2b M0; T2a or T2b N2a M0; T3 N1 or N2a M0; T4 N0 or N1 M0.",
        "IIIB": "Stage IIIB: T1a to T1c N3 M0; T2a or T2b N2b or N3 M0; T3 N2b M0; T4 N2a or N2b M0.",
        "IVB": "Stage IVB: any T and any N with M1c1 or M1c2.",
    },
}
_T4_N2 = (
    "stage-groups/changes-between-the-editions",
    "T4 N2a and T4 N2b are both IIIB, so a T4 N2 tumour can be grouped without the N2 split",
)


def stage_row(edition: str, stage: str) -> Citation:
    """The stage-table row of ``stage`` in ``edition``, quoted from the knowledge."""
    return cite(_TABLE[edition], _ROWS.get(stage) or _ROWS_BY_EDITION[edition][stage])


def _stages(edition: str, t: tuple[str, ...], n: tuple[str, ...], m: tuple[str, ...]) -> set[str | None]:
    return {stage_group(edition, *combo) for combo in product(t, n, m)}


def decide_stage(edition: str, t: Outcome, n: Outcome, m: Outcome) -> tuple[Decision, dict[str, str]]:
    """Group the categories; an undecidable split yields "undeterminable" plus the stage of each reading."""
    label = f"{t.decision.value} {n.decision.value} {m.decision.value}"
    stages = _stages(edition, t.options, n.options, m.options)
    alternatives: dict[str, str] = {}
    for outcome, position in ((n, 1), (m, 2)):
        if outcome.ambiguous:
            for option in outcome.options:
                parts = [t.options, n.options, m.options]
                parts[position] = (option,)
                found = _stages(edition, *parts)
                alternatives[option] = next(iter(found)) or UNDETERMINABLE if len(found) == 1 else UNDETERMINABLE
    if len(stages) == 1 and None not in stages:
        stage = next(iter(stages))
        assert stage is not None
        citations = [stage_row(edition, stage)]
        if n.ambiguous and t.decision.value == "T4":
            citations.append(cite(*_T4_N2))
        reason = f"{label} is stage {stage} in the {edition}th edition"
        if n.ambiguous or m.ambiguous:
            reason += " whichever way the undecided split goes"
        return Decision("stage", stage, reason, [label], citations), {}
    undecided = [o.decision for o in (t, n, m) if o.decision.value in ("TX", "NX", "N2", "M1")]
    why = ", ".join(f"{d.value} ({d.reason})" for d in undecided) or f"the {edition}th-edition tables define no group"
    citations = [stage_row(edition, s) for s in sorted(set(alternatives.values()) - {UNDETERMINABLE})]
    if not citations:
        citations = [cite(_TABLE[edition], f"Stage groups of the {edition}th edition")]
    reason = f"{label}: stage cannot be grouped because of {why}"
    return Decision("stage", UNDETERMINABLE, reason, [label], citations), alternatives


def _categorise(findings: Findings, edition: str) -> tuple[Outcome, Outcome, Outcome, Decision, dict[str, str]]:
    t = decide_t(findings)
    n = decide_n(findings, edition)
    m = decide_m(findings, edition)
    stage, alternatives = decide_stage(edition, t, n, m)
    return t, n, m, stage, alternatives


def _if_confirmed(
    findings: Findings, counted: Findings, edition: str, policy: CertaintyPolicy, current: tuple[str, ...]
) -> list[IfConfirmed]:
    """Every hedged finding that would change T, N, M or the stage if it were confirmed."""
    changes: list[IfConfirmed] = []
    for hedged in uncounted(findings, counted, policy):
        t, n, m, stage, _ = _categorise(hedged.confirmed, edition)
        would_be = (t.decision.value, n.decision.value, m.decision.value, stage.value)
        if would_be == current:
            continue
        changed = [name for name, a, b in zip(("T", "N", "M", "stage"), current, would_be, strict=True) if a != b]
        quote = hedged.item.evidence.split(" | ")[0]
        same = next((c for c in changes if c.quote == quote and (c.t, c.n, c.m, c.stage) == would_be), None)
        if same is not None:  # one hedged sentence, two readings with one outcome: say it once
            changes[changes.index(same)] = replace(same, finding=f"{same.finding} or {hedged.description}")
            continue
        changes.append(
            IfConfirmed(
                finding=hedged.description,
                certainty=hedged.item.certainty,
                quote=quote,
                t=would_be[0],
                n=would_be[1],
                m=would_be[2],
                stage=would_be[3],
                changes=changed,
            )
        )
    return changes


def _with_uncounted(decision: Decision, changes: list[IfConfirmed]) -> Decision:
    """A decision's reason names the hedged findings it left out that would have changed it."""
    left_out = [f"{c.finding} ({c.certainty})" for c in changes if decision.category in c.changes]
    if not left_out:
        return decision
    return replace(decision, reason=f"{decision.reason}; not counted: {', '.join(left_out)}")


def stage_findings(
    findings: dict[str, Any] | Findings,
    edition: str,
    *,
    extra_warnings: list[str] | None = None,
    policy: str = DEFAULT_POLICY,
) -> StagingResult:
    """Stage validated structured findings; raises :class:`InputError` on a bad edition, schema or policy."""
    edition = check_edition(edition)
    chosen = check_policy(policy)
    parsed = parse_findings(findings)
    counted = apply_policy(parsed, chosen)
    t, n, m, stage, alternatives = _categorise(counted, edition)
    current = (t.decision.value, n.decision.value, m.decision.value, stage.value)
    warnings = list(extra_warnings or []) + list(parsed.notes) + t.warnings + n.warnings + m.warnings
    changes = _if_confirmed(parsed, counted, edition, chosen, current)
    if any(nodule.kind == "lymphangitic" for nodule in counted.separate_nodules):
        warnings.append("lymphangitic spread classified by extent (medcite convention; the standard is silent)")
    return StagingResult(
        edition=edition,
        t=t.decision.value,
        n=n.decision.value,
        m=m.decision.value,
        stage=stage.value,
        decisions=[_with_uncounted(d, changes) for d in (t.decision, n.decision, m.decision)] + [stage],
        findings=parsed,
        warnings=list(dict.fromkeys(warnings)),
        stage_alternatives=alternatives,
        if_confirmed=changes,
        policy=chosen,
    )


def _assisted(
    findings: Findings, report: str, edition: str, policy: str, assistant: ExtractionAssistant
) -> tuple[Findings, list[str]]:
    """Ask the assistant only what the rules left open; no gap, no model call."""
    counted = apply_policy(findings, check_policy(policy))
    n = decide_n(counted, edition)
    gaps = find_gaps(counted, n2_undecided=n.ambiguous)
    if not gaps:
        return findings, []
    return merge_proposal(findings, assistant.propose(report, gaps), report, gaps)


def stage_report(
    text: str,
    edition: str,
    assistant: ExtractionAssistant | None = None,
    *,
    policy: str = DEFAULT_POLICY,
    mode: Mode = "report",
) -> StagingResult:
    """Extract findings from a free-text report (optionally helped by an assistant) and stage them."""
    edition = check_edition(edition)
    check_policy(policy)
    if not isinstance(text, str) or not text.strip():
        raise InputError("report text is empty")
    findings = extract_findings(text, mode=mode)
    warnings: list[str] = []
    if assistant is not None:
        findings, warnings = _assisted(findings, text, edition, policy, assistant)
    result = stage_findings(findings, edition, extra_warnings=warnings, policy=policy)
    conflict = disagreement(text, result.t, result.n, result.m)
    if conflict is None:
        return result
    return replace(result, warnings=[*result.warnings, conflict])
