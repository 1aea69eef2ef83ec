"""``/v1/eval/jobs``: queue an evaluation run, follow its progress, read its metrics, cancel it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.common import Open

DatasetName = Literal["vqa-rad", "vqa-rad-official", "slake", "vqa-jsonl", "staging", "guideline", "report-pairs"]
JobStatus = Literal["queued", "planning", "running", "completed", "failed", "cancelled"]
JOB_ID = r"^[0-9a-f]{32}$"


class EvalJobRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"dataset": "vqa-rad", "split": "test", "limit": 20, "config": {"probes": []}}]
        },
    )

    dataset: DatasetName = Field(description="Which loader reads the data.")
    data_dir: Annotated[
        str | None,
        Field(max_length=4096, description="Dataset folder or file as the workers see it (default: theirs)."),
    ] = None
    split: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Split to evaluate.")] = "test"
    limit: Annotated[int | None, Field(ge=1, le=1_000_000, description="Only the first N items.")] = None
    config: dict[str, Any] = Field(
        default_factory=dict, description="Run config, as in `medcite eval run --config` (variants, probes, settings)."
    )


class EvalJob(Open):
    id: str
    status: JobStatus
    dataset: str | None = None
    split: str | None = None
    created: str | None = None
    updated: str | None = None
    total: int | None = Field(default=None, description="Tasks in the plan (known once a worker has planned it).")
    done: int = Field(description="Tasks finished so far.")
    errors: int = Field(default=0, description="Tasks that failed on their own item (unreadable image, ...).")
    error: str | None = Field(default=None, description="Why the job failed, when it did.")
    metrics: dict[str, Any] | None = Field(default=None, description="metrics.json of the run, once completed.")
