"""``/v1/ask`` and ``/v1/retrieve``: the question (JSON, or multipart with an image) and what comes back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.common import GeneratorName, KPolicy, Open

Question = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="The question, in plain language (not only spaces).",
        examples=["What T category is a 4.5 cm tumour invading the visceral pleura?"],
    ),
]
DomainHint = Annotated[
    str | None,
    Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Domain hint, e.g. radiology:chest; unknown domains are a 422 naming the known ones.",
        examples=["radiology:chest"],
    ),
]
ImageId = Annotated[
    str | None,
    Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Id of the asked-about image for the leakage filter (multipart: the file name stem).",
    ),
]


class RetrieveRequest(BaseModel):
    """Evidence for a question; send multipart with an ``image`` file to add similar cases."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Which nodal stations are N3 for a right upper lobe tumour?"}]},
    )

    question: Question
    domain: DomainHint = None
    k_policy: KPolicy | None = Field(default=None, description="Adaptive-k policy (default: the configured one).")
    exclude_same_image: bool = Field(default=False, description="Leave the asked-about image's own case out.")
    image_id: ImageId = None


class AskRequest(RetrieveRequest):
    """A question, optionally about an image (send multipart with an ``image`` file for that)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "What T category is a 4.5 cm tumour invading the visceral pleura?"},
                {"question": "What are Light's criteria?", "generator": "extractive", "k_policy": "gap"},
            ]
        },
    )

    generator: GeneratorName | None = Field(default=None, description="Answer writer (default: the configured one).")
    answerer_risk: Literal["controlled", "all"] | None = Field(
        default=None,
        description="Image questions: 'controlled' abstains below the risk-calibrated threshold, 'all' answers "
        "everything (default: the configured one).",
    )


class RetrieveForm(RetrieveRequest):
    """Multipart form of :class:`RetrieveRequest`: the same fields plus an optional image file."""

    model_config = ConfigDict(extra="forbid")

    image: bytes | None = Field(default=None, description="PNG, JPEG or DICOM file.")


class AskForm(AskRequest):
    """Multipart form of :class:`AskRequest`: the same fields plus an optional image file."""

    model_config = ConfigDict(extra="forbid")

    image: bytes | None = Field(default=None, description="PNG, JPEG or DICOM file.")


class Citation(Open):
    n: int = Field(description="The [n] marker in the answer text.", examples=[6])
    source_id: str = Field(examples=["lung-tnm#t-categories/t2b"])
    title: str
    section: str | None = None
    page: int | None = None
    quote: str = Field(description="Verbatim words of the source that support the sentence.")
    score: float | None = None


class EvidenceRow(Open):
    n: int
    id: str
    kind: str = Field(examples=["passage", "report", "case"])
    domain: str
    score: float
    title: str
    text: str
    section: str | None = None
    page: int | None = None
    image: str | None = None


class Evidence(Open):
    passages: list[EvidenceRow]
    cases: list[EvidenceRow]


class RetrieveResponse(Open):
    """The evidence ``/v1/ask`` would use: hybrid passages and similar cases after adaptive k."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "passages": [
                        {
                            "n": 1,
                            "id": "lung-tnm#n-categories/n3",
                            "kind": "passage",
                            "domain": "radiology:chest",
                            "score": 0.65,
                            "title": "Lung cancer TNM classification, 8th and 9th editions",
                            "section": "N categories > N3",
                            "page": None,
                            "text": "N3: metastasis in contralateral mediastinal or hilar nodes ...",
                        }
                    ],
                    "cases": [],
                    "domain": {"domain": "radiology:chest", "confidence": 0.6, "signal": "question"},
                    "k": {"passages": {"k": 1, "method": "gap-ratio", "detail": {}}},
                    "versions": {"index": "v-20261130T011842865154-e9ad3b"},
                    "timings": {"encode": 9.1, "domain": 0.1, "retrieve": 7.8},
                    "preliminary": True,
                }
            ]
        },
    )

    passages: list[EvidenceRow]
    cases: list[EvidenceRow]
    domain: dict[str, Any]
    k: dict[str, Any]
    versions: dict[str, Any]
    timings: dict[str, float]
    spelling: list[dict[str, str]] = Field(
        default_factory=list,
        description='Typos of knowledge-base words repaired before retrieval: [{"from": ..., "to": ...}]',
    )
    preliminary: bool = True


class AnswerResponse(Open):
    """The CLI's ``medcite ask --json`` contract: a verified answer with numbered citations."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "answer": 'T2b (9th edition): "T2b: greater than 4 cm and at most 5 cm" [1].',
                    "closed_answer": None,
                    "abstained": False,
                    "citations": [
                        {
                            "n": 1,
                            "source_id": "lung-tnm#t-categories/t2b",
                            "title": "Lung cancer TNM classification, 8th and 9th editions",
                            "section": "T categories > T2b",
                            "page": None,
                            "quote": "T2b: greater than 4 cm and at most 5 cm",
                            "score": 0.61,
                        }
                    ],
                    "removed": [],
                    "closest_sources": [],
                    "evidence": {"passages": [], "cases": []},
                    "domain": {"domain": "radiology:chest", "confidence": 0.6, "signal": "question"},
                    "k": {"passages": {"k": 5, "method": "gap-ratio", "detail": {}}},
                    "mode": "staging-rules",
                    "versions": {"index": "v-20261130T011842865154-e9ad3b"},
                    "timings": {"total": 48.2},
                    "preliminary": True,
                }
            ]
        },
    )

    answer: str
    closed_answer: str | None = None
    abstained: bool
    citations: list[Citation]
    removed: list[dict[str, Any]]
    closest_sources: list[dict[str, Any]] = Field(default_factory=list)
    evidence: Evidence
    domain: dict[str, Any]
    k: dict[str, Any]
    mode: str
    versions: dict[str, Any]
    timings: dict[str, float]
    spelling: list[dict[str, str]] = Field(
        default_factory=list,
        description='Typos of knowledge-base words repaired before retrieval: [{"from": ..., "to": ...}]',
    )
    preliminary: bool = True
