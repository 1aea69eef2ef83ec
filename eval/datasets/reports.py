"""Report pairs: an image and its reference report, scored with BLEU and ROUGE-L against the answer."""

from __future__ import annotations

from pathlib import Path

from eval.datasets.base import Dataset, read_jsonl, split_file
from eval.items import EvalItem
from rag.errors import InputError

DEFAULT_PROMPT = "Describe the findings in this image."


def load_report_pairs(path: Path, split: str) -> Dataset:
    """``{"image", "report", "id"?, "question"?}`` per line; images relative to the file."""
    file = split_file(path, split, ".jsonl")
    items = []
    for number, row in enumerate(read_jsonl(file), start=1):
        if not row.get("image") or not row.get("report"):
            raise InputError(f"{file}:{number}: a report pair needs 'image' and 'report'")
        items.append(
            EvalItem(
                id=str(row.get("id", number)),
                kind="report",
                question=str(row.get("question") or DEFAULT_PROMPT),
                answer=str(row["report"]),
                answer_type="open",
                image=str(row["image"]),
                organ=str(row.get("organ", "")),
                modality=str(row.get("modality", "")),
                domain=row.get("domain"),
            )
        )
    return Dataset("report-pairs", "report", file.parent, split, items)
