"""Lung cancer TNM staging (8th and 9th editions) with a guideline citation for every decision.

Free text or structured findings go in; T, N, M and the stage group come out, each decision carrying its
reason, the report phrases it rests on and verbatim quotes from ``knowledge/lung-tnm.md``. Results are
preliminary: they support, never replace, a clinician's staging.
"""

from rag.staging.assistant import ExtractionAssistant
from rag.staging.batch import stage_jsonl
from rag.staging.engine import stage_findings, stage_report
from rag.staging.extract import extract_findings
from rag.staging.findings import Findings
from rag.staging.result import Decision, StagingResult

__all__ = [
    "Decision",
    "ExtractionAssistant",
    "Findings",
    "StagingResult",
    "extract_findings",
    "stage_findings",
    "stage_jsonl",
    "stage_report",
]
