"""Image question sets: VQA-RAD (MEVF split or the official JSON), SLAKE-style JSON and a generic JSONL.

Organ and modality come with each item so results break down by them; VQA-RAD has no modality field, so an
image's modality is read from the answers its own MODALITY questions got (both splits: it describes the image,
not the answer being scored).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eval.datasets.base import Dataset, read_json_list, read_jsonl, split_file
from eval.items import EvalItem, normalise_answer_type, normalise_gold
from rag.cues import modality_from_text
from rag.errors import InputError

VQA_RAD_JSON = "VQA_RAD Dataset Public.json"
MEVF_DIR = "mevf_split"
ORGAN_DOMAINS = {"CHEST": "radiology:chest", "ABD": "radiology:abdomen", "HEAD": "radiology:head"}


def _modalities(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    votes: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if "MODALITY" not in str(row.get("question_type", "")) or re.search(r"\bnot\b", str(row["question"]), re.I):
            continue
        answer = normalise_gold(row["answer"])
        source = str(row["question"]) if answer == "yes" else None if answer == "no" else answer
        found = modality_from_text(source) if source else None
        if found:
            votes[str(row["image_name"])].append(found)
    return {image: max(sorted(set(v)), key=v.count) for image, v in votes.items()}


def _vqa_rad_rows(root: Path, split: str, layout: str) -> list[dict[str, Any]]:
    mevf = root / MEVF_DIR / f"{split}set.json"
    if layout == "mevf" or (layout == "auto" and mevf.is_file()):
        return read_json_list(mevf)
    official = root / VQA_RAD_JSON
    if not official.is_file():
        raise InputError(f"{root}: neither {MEVF_DIR}/{split}set.json nor {VQA_RAD_JSON}; expected the VQA-RAD layout")
    return [
        r for r in read_json_list(official) if str(r.get("phrase_type", "")).startswith("test") == (split == "test")
    ]


def _vqa_rad_items(rows: list[dict[str, Any]], modalities: dict[str, str], prefix: str) -> list[EvalItem]:
    items, seen = [], set()
    for number, row in enumerate(rows):
        qid = f"{prefix}{row.get('qid', number)}"
        if qid in seen:
            qid = f"{qid}~{number}"
        seen.add(qid)
        organ = str(row.get("image_organ", "")).strip().upper()
        image = str(row["image_name"])
        items.append(
            EvalItem(
                id=qid,
                kind="vqa",
                question=str(row["question"]).strip(),
                answer=normalise_gold(row["answer"]),
                answer_type=normalise_answer_type(row.get("answer_type")),
                image=f"images/{image}",
                question_type=str(row.get("question_type", "")).split(",")[0].strip(),
                organ=organ,
                modality=modalities.get(image, "unknown"),
                domain=ORGAN_DOMAINS.get(organ),
            )
        )
    return items


def load_vqa_rad(root: Path, split: str, *, layout: str = "auto") -> Dataset:
    """``split`` is train or test; ``layout`` auto (MEVF when present), mevf or official."""
    if split not in ("train", "test"):
        raise InputError(f"VQA-RAD has the splits train and test, not {split!r}")
    if not (root / "images").is_dir():
        raise InputError(f"{root}: no images/ folder; expected the VQA-RAD layout")
    rows = _vqa_rad_rows(root, split, layout)
    other = _vqa_rad_rows(root, "train" if split == "test" else "test", layout)
    modalities = _modalities([*rows, *other])
    name = "vqa-rad" if layout != "official" else "vqa-rad-official"
    return Dataset(
        name, "vqa", root, split, _vqa_rad_items(rows, modalities, ""), _vqa_rad_items(other, modalities, "ref-")
    )


def _slake_items(rows: list[dict[str, Any]], prefix: str) -> list[EvalItem]:
    items = []
    for number, row in enumerate(rows):
        if str(row.get("q_lang", "en")) != "en":
            continue
        items.append(
            EvalItem(
                id=f"{prefix}{row.get('qid', number)}",
                kind="vqa",
                question=str(row["question"]).strip(),
                answer=normalise_gold(row["answer"]),
                answer_type=normalise_answer_type(row.get("answer_type")),
                image=f"imgs/{row['img_name']}",
                question_type=str(row.get("content_type", "")),
                organ=str(row.get("location", "")),
                modality=str(row.get("modality", "")),
            )
        )
    return items


def load_slake(root: Path, split: str) -> Dataset:
    """SLAKE layout: ``{train,validate,test}.json`` beside ``imgs/``; English questions only."""
    path = split_file(root, split, ".json")
    base = path.parent
    train = base / "train.json"
    reference = _slake_items(read_json_list(train), "ref-") if split != "train" and train.is_file() else []
    return Dataset("slake", "vqa", base, split, _slake_items(read_json_list(path), ""), reference)


def _jsonl_items(path: Path, prefix: str) -> list[EvalItem]:
    items = []
    for number, row in enumerate(read_jsonl(path), start=1):
        missing = [key for key in ("question", "answer") if key not in row]
        if missing:
            raise InputError(f"{path}:{number}: missing {', '.join(missing)}")
        answer_type = normalise_answer_type(row.get("answer_type"))
        if not answer_type:
            answer_type = "closed" if normalise_gold(row["answer"]) in ("yes", "no") else "open"
        items.append(
            EvalItem(
                id=f"{prefix}{row.get('id', number)}",
                kind="vqa",
                question=str(row["question"]).strip(),
                answer=normalise_gold(row["answer"]),
                answer_type=answer_type,
                image=str(row["image"]) if row.get("image") else None,
                question_type=str(row.get("question_type", "")),
                organ=str(row.get("organ", "")),
                modality=str(row.get("modality", "")),
                domain=row.get("domain"),
                payload={"domain_hint": row["domain"]} if row.get("domain") else {},
            )
        )
    return items


def load_vqa_jsonl(path: Path, split: str) -> Dataset:
    """``{"image", "question", "answer", "answer_type", "domain"?}`` per line; images relative to the file.
    A folder holds ``{split}.jsonl`` (and ``train.jsonl`` for the baselines)."""
    file = split_file(path, split, ".jsonl")
    train = file.parent / "train.jsonl"
    reference = _jsonl_items(train, "ref-") if path.is_dir() and split != "train" and train.is_file() else []
    return Dataset("vqa-jsonl", "vqa", file.parent, split, _jsonl_items(file, ""), reference)
