"""Domain identification: which collections a query should search.

Signals in order of trust: DICOM header (Modality/BodyPartExamined), a caller's hint, a vote of
the query image's nearest indexed cases, cues in the question. Below ``min_confidence`` the
domain is reported but not used, and retrieval searches every domain instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rag.cues import modality_from_text, region_from_text
from rag.errors import InputError

DICOM_MODALITIES = {
    "CR": "XR",
    "DX": "XR",
    "DR": "XR",
    "CT": "CT",
    "MR": "MRI",
    "US": "US",
    "PT": "PET",
    "NM": "NM",
    "XA": "ANGIO",
    "MG": "MG",
}
NON_RADIOLOGY = {
    "SM": "pathology",
    "GM": "pathology",
    "OP": "ophthalmology",
    "OPT": "ophthalmology",
    "OPV": "ophthalmology",
    "OAM": "ophthalmology",
}
BODY_PARTS = {
    "CHEST": "chest",
    "THORAX": "chest",
    "LUNG": "chest",
    "HEART": "chest",
    "ABDOMEN": "abdomen",
    "PELVIS": "abdomen",
    "ABDOMENPELVIS": "abdomen",
    "LIVER": "abdomen",
    "KIDNEY": "abdomen",
    "HEAD": "head",
    "BRAIN": "head",
    "SKULL": "head",
    "NECK": "head",
}


@dataclass(frozen=True)
class DomainDecision:
    """The chosen domain (or None to search all), how sure we are, and which signal decided."""

    domain: str | None
    guess: str | None
    confidence: float
    signal: str
    detail: str
    modality: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def search_domains(self, extra: Sequence[str] = ()) -> list[str] | None:
        """Domains to search: the chosen one plus ``extra`` (e.g. general guidance), or None for all."""
        return None if self.domain is None else [self.domain, *extra]


def _from_dicom(header: Mapping[str, Any]) -> tuple[str | None, str | None, str]:
    modality_code = str(header.get("Modality") or "").upper()
    if modality_code in NON_RADIOLOGY:
        return NON_RADIOLOGY[modality_code], modality_code, f"Modality={modality_code}"
    part = str(header.get("BodyPartExamined") or "").upper().replace(" ", "")
    region = BODY_PARTS.get(part) or region_from_text(str(header.get("StudyDescription") or ""))
    modality = DICOM_MODALITIES.get(modality_code)
    detail = f"Modality={modality_code or '?'} BodyPartExamined={part or '?'}"
    return (f"radiology:{region}" if region else None), modality, detail


def _vote(neighbours: Sequence[tuple[str, float]]) -> tuple[str, float, str]:
    weights: dict[str, float] = defaultdict(float)
    for domain, score in neighbours:
        weights[domain] += max(score, 0.0)
    total = sum(weights.values()) or 1.0
    winner = max(weights, key=lambda d: weights[d])
    share = weights[winner] / total
    return winner, share, f"{sum(1 for d, _ in neighbours if d == winner)}/{len(neighbours)} nearest cases"


def identify_domain(
    *,
    known_domains: Sequence[str],
    dicom: Mapping[str, Any] | None = None,
    hint: str | None = None,
    neighbours: Sequence[tuple[str, float]] = (),
    question: str | None = None,
    min_confidence: float = 0.6,
) -> DomainDecision:
    """Apply the signals in order of trust; the first confident one that the index knows wins."""
    known = set(known_domains)
    if hint is not None and hint not in known:
        raise InputError(f"unknown domain hint {hint!r}; this index has {sorted(known)}")
    modality = modality_from_text(question or "")
    candidates: list[tuple[str | None, float, str, str]] = []
    if dicom:
        domain, dicom_modality, detail = _from_dicom(dicom)
        modality = dicom_modality or modality
        candidates.append((domain, 0.95 if domain else 0.0, "dicom", detail))
    if hint is not None:
        candidates.append((hint, 0.9, "hint", "caller hint"))
    if neighbours:
        winner, share, detail = _vote(neighbours)
        candidates.append((winner, share, "image-neighbours", detail))
    if question:
        region = region_from_text(question)
        if region:
            candidates.append((f"radiology:{region}", 0.6, "question", f"question mentions {region}"))
    for domain, confidence, signal, detail in candidates:
        if domain in known and confidence >= min_confidence:
            return DomainDecision(domain, domain, confidence, signal, detail, modality)
    best = max(candidates, key=lambda c: c[1], default=(None, 0.0, "none", "no domain signal"))
    reason = "not an indexed domain" if best[0] is not None and best[0] not in known else "below confidence threshold"
    return DomainDecision(None, best[0], best[1], best[2], f"{best[3]}; {reason}: searching all domains", modality)
