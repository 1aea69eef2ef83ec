"""A trained answerer on disk and back: arrays in ``model.npz``, structure and provenance in the manifest."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answerer.artifact import check_encoders, read_manifest, resolve, save_version
from rag.answerer.model import AnswererModel
from rag.answerer.risk import ANSWER_ALL, RiskThreshold
from rag.encoders.base import EncoderInfo
from rag.errors import CorruptFileError

ARRAYS = "model.npz"
MODEL = "model.json"


@dataclass(frozen=True)
class SavedAnswerer:
    model: AnswererModel
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    def threshold(self, head: str, controlled: bool) -> RiskThreshold:
        """The probability a ``head`` ("yes-no" or "open") answer needs; none when risk is not controlled."""
        if not controlled:
            return ANSWER_ALL
        return RiskThreshold.from_dict(self.manifest["risk"]["yes-no" if head == "yes-no" else "open"])


def save_answerer(root: Path, model: AnswererModel, manifest: dict[str, Any]) -> Path:
    def write(directory: Path) -> None:
        arrays: dict[str, Any] = model.arrays()
        with (directory / ARRAYS).open("wb") as handle:
            np.savez(handle, **arrays)
        (directory / MODEL).write_text(json.dumps(model.description(), indent=1), encoding="utf-8")

    return save_version(root, manifest, write)


def load_answerer(path: Path, encoders: Mapping[str, EncoderInfo]) -> SavedAnswerer:
    """The served answerer under ``path``; refused (IndexMismatchError) when trained on other encoders."""
    manifest = read_manifest(path)
    check_encoders(manifest, encoders)
    directory = resolve(path)
    try:
        description = json.loads((directory / MODEL).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        model = AnswererModel.from_arrays(description, arrays)
    except (OSError, KeyError, ValueError) as exc:
        raise CorruptFileError(f"{directory}: the answerer's {ARRAYS}/{MODEL} cannot be read ({exc})") from exc
    return SavedAnswerer(model, manifest)
