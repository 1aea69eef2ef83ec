"""The staging result: the JSON contract (``to_dict``) and a radiologist-style summary (``to_text``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rag.staging.citations import Citation
from rag.staging.findings import Findings

Category = Literal["T", "N", "M", "stage"]
UNDETERMINABLE = "undeterminable"


@dataclass(frozen=True)
class Decision:
    """One category decision with the plain-language reason, the phrases it rests on and its citations."""

    category: Category
    value: str
    reason: str
    findings: list[str]
    citations: list[Citation]

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "value": self.value,
            "reason": self.reason,
            "findings": list(self.findings),
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class IfConfirmed:
    """What a finding the report only hedges would change if it were confirmed, with its verbatim sentence."""

    finding: str
    certainty: str
    quote: str
    t: str
    n: str
    m: str
    stage: str
    changes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "finding": self.finding,
            "certainty": self.certainty,
            "quote": self.quote,
            "would_be": {"t": self.t, "n": self.n, "m": self.m, "stage": self.stage},
            "changes": list(self.changes),
        }

    def to_text(self) -> str:
        values = zip(("T", "N", "M"), (self.t, self.n, self.m), strict=True)
        moved = ", ".join(value for name, value in values if name in self.changes)
        stage = f"stage {self.stage}" if self.stage != UNDETERMINABLE else "stage undeterminable"
        what = f"{moved}, {stage}" if moved else stage
        return f'would be {what} if the {self.finding} (reported as {self.certainty}) were confirmed: "{self.quote}"'


@dataclass(frozen=True)
class StagingResult:
    """A preliminary TNM staging; always for review by a clinician, never a final report."""

    edition: str
    t: str
    n: str
    m: str
    stage: str
    decisions: list[Decision]
    findings: Findings
    warnings: list[str] = field(default_factory=list)
    stage_alternatives: dict[str, str] = field(default_factory=dict)
    if_confirmed: list[IfConfirmed] = field(default_factory=list)
    policy: str = "probable"
    preliminary: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON contract; ``stage_alternatives`` appears only when a split was undecidable."""
        data: dict[str, Any] = {
            "edition": self.edition,
            "t": self.t,
            "n": self.n,
            "m": self.m,
            "stage": self.stage,
            "decisions": [d.to_dict() for d in self.decisions],
            "findings": self.findings.model_dump(mode="json"),
            "warnings": list(self.warnings),
            "if_confirmed": [change.to_dict() for change in self.if_confirmed],
            "certainty_policy": self.policy,
            "preliminary": self.preliminary,
        }
        if self.stage_alternatives:
            data["stage_alternatives"] = dict(self.stage_alternatives)
        return data

    def to_text(self) -> str:
        """A short staging summary in the order a radiologist dictates it, with its sources."""
        stage = f"stage {self.stage}" if self.stage != UNDETERMINABLE else "stage undeterminable"
        lines = [
            f"TNM staging, {self.edition}th edition (preliminary, for clinical review)",
            f"Classification: c{self.t} {self.n} {self.m}, {stage}.",
        ]
        if self.stage_alternatives:
            options = "; ".join(f"{key} gives stage {value}" for key, value in self.stage_alternatives.items())
            lines.append(f"Alternatives: {options}.")
        for change in self.if_confirmed:
            lines.append(f"If confirmed: {change.to_text()}")
        lines.append("")
        for decision in self.decisions:
            label = "Stage" if decision.category == "stage" else decision.category
            lines.append(f"{label} ({decision.value}): {decision.reason}")
            for citation in decision.citations:
                lines.append(f'  [{citation.source_id}] "{citation.quote}"')
        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            lines.extend(f"- {warning}" for warning in self.warnings)
        return "\n".join(lines)
