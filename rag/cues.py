"""Modality and body-region cues in free text (captions, questions, study descriptions).

Used to tag ingested reports and, later, as the weakest signal of domain routing.
"""

from __future__ import annotations

import re

_MODALITY_CUES: dict[str, re.Pattern[str]] = {
    "CT": re.compile(r"\b(ct|cta|computed tomograph\w*|hrct)\b", re.I),
    "MRI": re.compile(r"\b(mri?|magnetic resonance|t1[- ]weighted|t2[- ]weighted|flair|dwi)\b", re.I),
    "XR": re.compile(r"\b(x-?ray|radiograph\w*|cxr|plain film|chest film)\b", re.I),
    "US": re.compile(r"\b(ultrasound|ultrasonograph\w*|sonograph\w*|doppler|echocardiograph\w*)\b", re.I),
    "PET": re.compile(r"\b(pet|positron emission|fdg)\b", re.I),
    "ANGIO": re.compile(r"\b(angiogra\w*|dsa)\b", re.I),
}

_REGION_CUES: dict[str, re.Pattern[str]] = {
    "chest": re.compile(r"\b(chest|thora\w*|lungs?|pulmonary|pleura\w*|mediastin\w*|cardiac|heart|hilar|lobe)\b", re.I),
    "abdomen": re.compile(
        r"\b(abdom\w*|liver|hepat\w*|kidneys?|renal|pancrea\w*|spleen|splenic|bowel|colon|pelvi\w*|bladder|gallbladder)\b",
        re.I,
    ),
    "head": re.compile(r"\b(head|brain|cerebr\w*|skull|intracranial|ventricl\w*|orbit\w*|sinus\w*|cranial)\b", re.I),
    "spine": re.compile(r"\b(spine|spinal|vertebra\w*|lumbar|cervical spine|thoracic spine)\b", re.I),
    "musculoskeletal": re.compile(r"\b(knee|shoulder|hip|femur|tibia|humerus|wrist|ankle|bone)\b", re.I),
}


def _best(cues: dict[str, re.Pattern[str]], text: str) -> str | None:
    counts = {label: len(pattern.findall(text)) for label, pattern in cues.items()}
    label, count = max(counts.items(), key=lambda item: item[1])
    return label if count else None


def modality_from_text(text: str) -> str | None:
    """Most-mentioned imaging modality, or None when the text names none."""
    return _best(_MODALITY_CUES, text)


def region_from_text(text: str) -> str | None:
    """Most-mentioned body region, or None when the text names none."""
    return _best(_REGION_CUES, text)
