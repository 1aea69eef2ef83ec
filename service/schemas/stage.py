"""``/v1/stage`` and ``/v1/stage/batch``: a report (or structured findings) in, cited T/N/M and stage out."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rag.staging.findings import Findings
from service.schemas.common import CertaintyPolicy, Edition, Open

REPORT_EXAMPLE = (
    "CT chest: 4.5 cm spiculated mass in the right upper lobe invading the visceral pleura. "
    "Enlarged right hilar lymph node (station 10R). No pleural effusion. No distant metastases."
)
Report = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100_000,
        pattern=r"\S",
        description="Free-text radiology report or findings.",
        examples=[REPORT_EXAMPLE],
    ),
]
EditionField = Annotated[Edition, Field(description="TNM edition: 8 or 9.")]
PolicyField = Annotated[
    CertaintyPolicy,
    Field(description="Which findings count: probable (present and probable), present, or possible (all but denied)."),
]


class _OneInput(BaseModel):
    report: Report | None = None
    findings: Findings | None = Field(default=None, description="Structured findings instead of report text.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.report is None) == (self.findings is None):
            raise ValueError("send exactly one of 'report' (text) or 'findings' (structured)")
        return self


class StageRequest(_OneInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"report": REPORT_EXAMPLE, "edition": "9", "policy": "probable"},
                {"findings": {"tumour": {"side": "right", "lobe": "RUL", "size_mm": 45}}, "edition": "8"},
            ]
        },
    )

    edition: EditionField = "9"
    policy: PolicyField = "probable"


class StageBatchItem(_OneInput):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200, description="Caller's id, echoed in the result.")


class StageBatchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"items": [{"id": "r1", "report": REPORT_EXAMPLE}, {"id": "r2", "report": "No mass."}]}]
        },
    )

    items: list[StageBatchItem] = Field(min_length=1, max_length=1000)
    edition: EditionField = "9"
    policy: PolicyField = "probable"


class StageCitation(Open):
    source_id: str = Field(examples=["lung-tnm#t-categories/t2b"])
    section: str
    quote: str


class StageDecision(Open):
    category: str = Field(examples=["T"])
    value: str = Field(examples=["T2b"])
    reason: str
    findings: list[str]
    citations: list[StageCitation]


class WouldBe(Open):
    t: str
    n: str
    m: str
    stage: str


class IfConfirmed(Open):
    finding: str
    certainty: str
    quote: str
    would_be: WouldBe
    changes: list[str]


class StageResponse(Open):
    """Preliminary TNM staging; every decision has its reason and verbatim guideline citations."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "edition": "9",
                    "t": "T2b",
                    "n": "N1",
                    "m": "M0",
                    "stage": "IIB",
                    "decisions": [
                        {
                            "category": "T",
                            "value": "T2b",
                            "reason": "greatest dimension 45 mm (> 40 and <= 50 mm)",
                            "findings": ["4.5 cm spiculated mass"],
                            "citations": [
                                {
                                    "source_id": "lung-tnm#t-categories/t2b",
                                    "section": "T categories > T2b",
                                    "quote": "T2b: greater than 4 cm and at most 5 cm",
                                }
                            ],
                        }
                    ],
                    "findings": {},
                    "warnings": [],
                    "if_confirmed": [],
                    "certainty_policy": "probable",
                    "preliminary": True,
                }
            ]
        },
    )

    edition: str
    t: str
    n: str
    m: str
    stage: str
    decisions: list[StageDecision]
    findings: dict[str, Any]
    warnings: list[str]
    if_confirmed: list[IfConfirmed]
    certainty_policy: str
    stage_alternatives: dict[str, str] | None = None
    preliminary: bool = True


class StageBatchResult(BaseModel):
    id: str | None
    ok: bool
    result: StageResponse | None = None
    error: str | None = Field(default=None, description="Why this item could not be staged (the rest still are).")


class StageBatchResponse(BaseModel):
    edition: str
    policy: str
    results: list[StageBatchResult]
    staged: int
    failed: int
    preliminary: bool = True
