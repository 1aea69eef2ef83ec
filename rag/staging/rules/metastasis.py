"""M: intrathoracic spread (M1a) and the number of extrathoracic lesions and organ systems (M1b, M1c)."""

from __future__ import annotations

from rag.staging.citations import cite
from rag.staging.findings import Findings
from rag.staging.result import Decision
from rag.staging.rules.outcome import Outcome, unique

_M_QUOTES = {
    "M0": ("m-categories/m0", "M0: no distant metastasis"),
    "no-MX": (
        "m-categories/clinical-m0-and-the-absent-mx",
        "a case whose imaging work-up describes no distant metastasis is cM0",
    ),
    "M1a": (
        "m-categories/m1a",
        "M1a: separate tumour nodule(s) in a contralateral lobe, pleural or pericardial "
        "nodules, or a malignant pleural or pericardial effusion",
    ),
    "M1b": (
        "m-categories/m1b",
        "M1b: a single extrathoracic metastasis in a single organ, which includes a single "
        "non-regional lymph node; the 9th edition speaks of a single organ system",
    ),
    "M1c": (
        "m-categories/m1c-8th-edition",
        "M1c (8th edition): multiple extrathoracic metastases in one organ or in several organs",
    ),
    "M1c1": (
        "m-categories/m1c1-9th-edition",
        "M1c1 (9th edition): multiple extrathoracic metastases within one organ system",
    ),
    "M1c2": (
        "m-categories/m1c2-9th-edition",
        "M1c2 (9th edition): multiple extrathoracic metastases in two or more organ systems",
    ),
}
_ORGAN_SYSTEM = ("m-categories/organ-systems", "both sides of a paired organ count as one system")
_CONTRALATERAL_NODULE = (
    "t-categories/multiple-lesions",
    "A separate nodule of the same cancer in the opposite lung: M1a",
)
_NON_REGIONAL = (
    "n-categories/nodes-outside-the-regional-map",
    "Parasternal and axillary nodes are not regional lymph nodes; their involvement is distant (M) disease",
)


def decide_m(findings: Findings, edition: str) -> Outcome:
    """M from intrathoracic spread (M1a) and the number of extrathoracic lesions and organ systems."""
    m1a_evidence = [n.evidence for n in findings.separate_nodules if n.location == "contralateral"]
    m1a_evidence += [p.evidence for p in findings.pleural]
    systems = findings.metastases
    if systems:
        return _extrathoracic(findings, edition, m1a_evidence)
    if m1a_evidence:
        citations = [cite(*_M_QUOTES["M1a"])]
        if any(n.location == "contralateral" for n in findings.separate_nodules):
            citations.append(cite(*_CONTRALATERAL_NODULE))
        kinds = [p.kind.replace("_", " ") for p in findings.pleural]
        kinds += [
            "lymphangitic spread to the opposite lung" if n.kind == "lymphangitic" else "contralateral lung nodule"
            for n in findings.separate_nodules
            if n.location == "contralateral"
        ]
        reason = f"{', '.join(unique(kinds))} without extrathoracic metastasis -> M1a"
        return Outcome(Decision("M", "M1a", reason, unique(m1a_evidence), citations), ("M1a",))
    if findings.distant_assessed:
        decision = Decision("M", "M0", "distant sites are described without metastasis", [], [cite(*_M_QUOTES["M0"])])
        return Outcome(decision, ("M0",))
    decision = Decision(
        "M",
        "M0",
        "no distant metastasis is described: clinical M0 (the standard has no MX category)",
        [],
        [cite(*_M_QUOTES["M0"]), cite(*_M_QUOTES["no-MX"])],
    )
    return Outcome(decision, ("M0",))


def _extrathoracic(findings: Findings, edition: str, m1a_evidence: list[str]) -> Outcome:
    systems = findings.metastases
    names = [m.system for m in systems]
    evidence = unique([m.evidence for m in systems] + m1a_evidence)
    extra = [cite(*_NON_REGIONAL)] if "non-regional lymph nodes" in names else []
    also = " (M1a disease also present)" if m1a_evidence else ""
    multiple_value = "M1c" if edition == "8" else "M1c1"
    if len(systems) >= 2:
        value = "M1c" if edition == "8" else "M1c2"
        reason = f"metastases in {len(systems)} organ systems ({', '.join(names)}){also} -> {value}"
        citations = [cite(*_M_QUOTES[value])] + ([cite(*_ORGAN_SYSTEM)] if edition == "9" else []) + extra
        return Outcome(Decision("M", value, reason, evidence, unique(citations)), (value,))
    only = systems[0]
    if only.count == 1:
        reason = f"a single extrathoracic metastasis ({only.system}){also} -> M1b"
        return Outcome(Decision("M", "M1b", reason, evidence, [cite(*_M_QUOTES["M1b"]), *extra]), ("M1b",))
    if only.count is not None:
        reason = f"multiple metastases within one organ system ({only.system}){also} -> {multiple_value}"
        citations = [cite(*_M_QUOTES[multiple_value])] + ([cite(*_ORGAN_SYSTEM)] if edition == "9" else []) + extra
        return Outcome(Decision("M", multiple_value, reason, evidence, unique(citations)), (multiple_value,))
    reason = (
        f"extrathoracic metastatic disease in one organ system ({only.system}) without a lesion count: "
        f"M1b or {multiple_value}"
    )
    citations = [cite(*_M_QUOTES["M1b"]), cite(*_M_QUOTES[multiple_value]), *extra]
    warning = f"number of {only.system} metastases not stated: M1b versus {multiple_value} undecidable"
    return Outcome(
        Decision("M", "M1", reason, evidence, citations), ("M1b", multiple_value), ambiguous=True, warnings=[warning]
    )
