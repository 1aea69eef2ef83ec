"""What a loader returns: the items of one split, and the other split for baselines and probes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.items import EvalItem, Kind
from rag.errors import InputError


@dataclass
class Dataset:
    """``items`` are evaluated; ``reference`` (the train split, when there is one) fits the majority and
    question-only baselines and supplies the absent findings the hallucination probe asks about."""

    name: str
    kind: Kind
    root: Path
    split: str
    items: list[EvalItem]
    reference: list[EvalItem] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file; a bad line fails with its number."""
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        rows.append(row)
    return rows


def read_json_list(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})") from exc
    if not isinstance(rows, list):
        raise InputError(f"{path}: expected a JSON list of rows")
    return [row for row in rows if isinstance(row, dict)]


def split_file(path: Path, split: str, suffix: str) -> Path:
    """A file as given, or ``{split}{suffix}`` inside a folder."""
    if path.is_dir():
        return path / f"{split}{suffix}"
    return path
