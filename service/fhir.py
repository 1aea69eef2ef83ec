"""FHIR R4 ``DiagnosticReport`` views of an answer and of a staging, built and validated with fhir.resources.

Both are ``preliminary``. Staging becomes one coded ``Observation`` per T, N, M and stage group (LOINC
clinical TNM codes), each with its reason as a note; every cited guideline passage becomes a contained
``DocumentReference`` the observations derive from, whose attachment URL opens the passage in
``/v1/sources``. fhir.resources ships R4B, whose DiagnosticReport, Observation and DocumentReference
are the R4 structures.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.reference import Reference

LOINC = "http://loinc.org"
TNM_CODES = {
    "T": ("21905-5", "Primary tumor.clinical [Class] Cancer"),
    "N": ("21906-3", "Regional lymph nodes.clinical [Class] Cancer"),
    "M": ("21907-1", "Distant metastases.clinical [Class] Cancer"),
    "stage": ("21908-9", "Stage group.clinical Cancer"),
}
DISCLAIMER = "Preliminary decision support for a clinician, not a diagnosis."
FHIR_MEDIA_TYPE = "application/fhir+json"


class _Sources:
    """Contained DocumentReferences, one per cited source id, numbered in order of first citation."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.ids: dict[str, str] = {}
        self.resources: list[DocumentReference] = []

    def reference(self, source_id: str, title: str, section: str | None, quote_text: str | None) -> Reference:
        if source_id not in self.ids:
            local = f"source-{len(self.ids) + 1}"
            self.ids[source_id] = local
            url = f"{self.base_url}/v1/sources/{quote(source_id, safe='')}"
            if quote_text:
                url += f"?quote={quote(quote_text, safe='')}"
            self.resources.append(
                DocumentReference(
                    id=local,
                    status="current",
                    description=f"{title} — {section}" if section else title,
                    content=[
                        DocumentReferenceContent(
                            attachment=Attachment(contentType="application/json", url=url, title=source_id)
                        )
                    ],
                )
            )
        return Reference(reference=f"#{self.ids[source_id]}", display=source_id)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _dump(report: DiagnosticReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.model_dump_json(exclude_none=True))
    DiagnosticReport.model_validate(data)  # the JSON we send must parse back as a valid resource
    return data


def staging_report(result: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A staging result (``StagingResult.to_dict()``) as a preliminary DiagnosticReport."""
    sources = _Sources(base_url)
    observations: list[Observation] = []
    for decision in result["decisions"]:
        code, display = TNM_CODES[decision["category"]]
        references = [
            sources.reference(c["source_id"], "Lung cancer TNM guideline", c.get("section"), c.get("quote"))
            for c in decision["citations"]
        ]
        notes = [Annotation(text=decision["reason"])]
        notes += [Annotation(text=f'"{c["quote"]}" ({c["source_id"]})') for c in decision["citations"]]
        if decision["category"] == "stage":
            notes += [
                Annotation(
                    text=f"If confirmed: {alt['finding']} ({alt['certainty']}) would give "
                    f"{alt['would_be']['t']} {alt['would_be']['n']} {alt['would_be']['m']}, "
                    f"stage {alt['would_be']['stage']}"
                )
                for alt in result.get("if_confirmed", [])
            ]
        observations.append(
            Observation(
                id=f"tnm-{decision['category'].lower()}",
                status="preliminary",
                code=CodeableConcept(coding=[Coding(system=LOINC, code=code, display=display)], text=display),
                valueCodeableConcept=CodeableConcept(text=decision["value"]),
                method=CodeableConcept(
                    text=f"TNM {result['edition']}th edition, medcite staging rules, "
                    f"certainty policy {result['certainty_policy']}"
                ),
                derivedFrom=references or None,
                note=notes,
            )
        )
    stage = "undeterminable" if result["stage"] == "undeterminable" else f"stage {result['stage']}"
    report = DiagnosticReport(
        id=str(uuid.uuid4()),
        status="preliminary",
        code=CodeableConcept(text=f"Lung cancer TNM staging, {result['edition']}th edition"),
        issued=_now(),
        contained=[*observations, *sources.resources],
        result=[Reference(reference=f"#{o.id}", display=o.code.text) for o in observations],
        conclusion=f"c{result['t']} {result['n']} {result['m']}, {stage}. {DISCLAIMER}",
    )
    return _dump(report)


def answer_report(answer: dict[str, Any], question: str, base_url: str) -> dict[str, Any]:
    """A cited answer (``Answer.to_dict()``) as a preliminary DiagnosticReport with one answer Observation."""
    sources = _Sources(base_url)
    references = [
        sources.reference(c["source_id"], c["title"], c.get("section"), c.get("quote")) for c in answer["citations"]
    ]
    notes = [Annotation(text=f'[{c["n"]}] "{c["quote"]}" ({c["source_id"]})') for c in answer["citations"]]
    observation = Observation(
        id="answer",
        status="preliminary",
        code=CodeableConcept(text=question),
        valueString=answer["answer"],
        method=CodeableConcept(text=f"medcite retrieval-augmented answer, mode {answer['mode']}"),
        derivedFrom=references or None,
        note=notes or None,
    )
    report = DiagnosticReport(
        id=str(uuid.uuid4()),
        status="preliminary",
        code=CodeableConcept(text="medcite cited answer"),
        issued=_now(),
        contained=[observation, *sources.resources],
        result=[Reference(reference="#answer", display="answer")],
        conclusion=("Insufficient evidence. " if answer["abstained"] else "") + f"{answer['answer']} {DISCLAIMER}",
    )
    return _dump(report)
