"""Image case sets in the VQA-RAD layout: ``images/`` plus ``VQA_RAD Dataset Public.json``.

Each image becomes one case whose text is its question/answer pairs. Pairs from the test split
are left out of the case text by default so that evaluation on that split cannot read its own
answers from the index.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from rag.cues import modality_from_text
from rag.errors import CorruptFileError, NotFoundError
from rag.types import Case

VQA_RAD_JSON = "VQA_RAD Dataset Public.json"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".dcm"}
ORGAN_DOMAINS = {"CHEST": "radiology:chest", "ABD": "radiology:abdomen", "HEAD": "radiology:head"}


def _qa_rows(root: Path) -> list[dict[str, Any]]:
    path = root / VQA_RAD_JSON
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorruptFileError(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})") from exc
    if not isinstance(rows, list):
        raise CorruptFileError(f"{path}: expected a JSON list of question/answer rows")
    return rows


def _modality(qas: list[dict[str, Any]]) -> str | None:
    """Answers to MODALITY questions are the most reliable; other question text is the fallback."""
    votes: list[str] = []
    for qa in qas:
        if "MODALITY" not in qa["question_type"] or re.search(r"\bnot\b", qa["question"], re.IGNORECASE):
            continue
        answer = qa["answer"].lower()
        source = qa["question"] if answer == "yes" else None if answer == "no" else qa["answer"]
        found = modality_from_text(source) if source else None
        if found:
            votes.append(found)
    if votes:
        return max(set(votes), key=votes.count)
    return modality_from_text(" ".join(qa["question"] for qa in qas if "MODALITY" not in qa["question_type"]))


def load_vqa_rad_cases(root: Path, *, include_test_qa: bool = False) -> list[Case]:
    """Every image under ``root/images`` becomes a case, with or without QA rows."""
    image_dir = root / "images"
    if not image_dir.is_dir():
        raise NotFoundError(f"{root}: no images/ folder (expected the VQA-RAD layout)")
    by_image: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _qa_rows(root):
        by_image[str(row["image_name"])].append(row)
    cases = []
    for image_path in sorted(p for p in image_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        rows = by_image.get(image_path.name, [])
        qas = [
            {
                "question": str(row["question"]),
                "answer": str(row["answer"]).strip(),
                "answer_type": str(row["answer_type"]).strip(),
                "question_type": str(row.get("question_type", "")),
                "split": "test" if str(row.get("phrase_type", "")).startswith("test") else "train",
            }
            for row in rows
        ]
        visible = [qa for qa in qas if include_test_qa or qa["split"] == "train"]
        # Header and metadata come from the visible rows only: a test question must not leak through them.
        organs = {str(row["image_organ"]).strip() for row, qa in zip(rows, qas, strict=True) if qa in visible}
        organ = organs.pop() if len(organs) == 1 else None
        modality = _modality(visible)
        region = (organ or "unknown").lower()
        header = f"{modality or 'Radiology'} image, {region}."
        text = " ".join([header, *(f"Q: {qa['question']} A: {qa['answer']}." for qa in visible)])
        metadata: dict[str, Any] = {
            "organ": organ or "UNKNOWN",
            "source": root.name,
            "kind": "case",
            "image": image_path.name,
        }
        if modality:
            metadata["modality"] = modality
        metadata["qa"] = visible
        cases.append(
            Case(
                case_id=image_path.stem,
                image_path=image_path,
                text=text,
                domain=ORGAN_DOMAINS.get(organ or "", "radiology:unknown"),
                metadata=metadata,
            )
        )
    if not cases:
        raise NotFoundError(f"{image_dir}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return cases
