"""The answerer on disk, laid out like an index: versions beside a ``CURRENT`` pointer.

Layout::

    <root>/CURRENT            name of the artifact being served (replaced atomically)
    <root>/a-<time>-<rand>/   manifest.json + the model's arrays and weights

A version is written to a temporary directory, fsynced and renamed before ``CURRENT`` moves, so a
crash mid-save leaves the previous answerer serving. The manifest says what the model was trained
on and with which encoders; loading it beside other encoders is refused, because its inputs would
then be vectors from another space.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rag.encoders.base import EncoderInfo
from rag.errors import IndexMismatchError, InputError, NotFoundError
from rag.store.fsio import CURRENT, fsync_path, publish_version, version_name

MANIFEST = "manifest.json"
KIND = "vqa-answerer"
FORMAT_VERSION = 1
KEEP_VERSIONS = 2


def resolve(path: Path) -> Path:
    """A version directory, or the one a root's ``CURRENT`` names."""
    if (path / MANIFEST).is_file():
        return path
    pointer = path / CURRENT
    if not pointer.is_file():
        raise NotFoundError(f"no answerer at {path}; train one with `medcite train answerer`")
    target = path / pointer.read_text(encoding="utf-8").strip()
    if not (target / MANIFEST).is_file():
        raise InputError(f"{pointer} names {target.name}, which has no {MANIFEST}; train the answerer again")
    return target


def read_manifest(path: Path) -> dict[str, Any]:
    version_dir = resolve(path)
    manifest: dict[str, Any] = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("kind") != KIND or manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{version_dir}: not a format-{FORMAT_VERSION} {KIND} artifact "
            f"(kind {manifest.get('kind')!r}, format {manifest.get('format')!r}); train the answerer again"
        )
    return manifest


def check_encoders(manifest: Mapping[str, Any], encoders: Mapping[str, EncoderInfo | Mapping[str, Any]]) -> None:
    """Refuse an answerer trained on vectors from other encoders than the index/runtime uses."""
    for role, info in encoders.items():
        current = info.as_dict() if isinstance(info, EncoderInfo) else dict(info)
        trained = manifest["encoders"].get(role)
        if trained is None or dict(trained) != current:
            raise IndexMismatchError(
                f"the answerer was trained on {role} vectors from {_describe(trained)} but this index/runtime uses "
                f"{_describe(current)}; train it again with `medcite train answerer` or configure the original encoder"
            )


def _describe(info: Mapping[str, Any] | None) -> str:
    if info is None:
        return "no encoder"
    return f"{info.get('name')} (dim {info.get('dim')}, version {info.get('version')})"


def save_version(root: Path, manifest: dict[str, Any], write: Callable[[Path], None]) -> Path:
    """Write a new version (``write`` fills the directory), then switch ``CURRENT`` to it; keep the last two."""
    now = time.time()
    version = version_name("a", now)
    full = {
        **manifest,
        "kind": KIND,
        "format": FORMAT_VERSION,
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }

    def fill(staging: Path) -> None:
        write(staging)
        (staging / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True), encoding="utf-8")
        for path in staging.iterdir():
            fsync_path(path)

    final = publish_version(root, version, fill)
    for old in sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("a-"))[:-KEEP_VERSIONS]:
        if old.name != version:
            shutil.rmtree(old)
    return final


def summary(root: Path) -> dict[str, Any] | None:
    """What `medcite index info` shows about the served answerer; None when there is none."""
    try:
        manifest = read_manifest(root)
    except (NotFoundError, InputError, IndexMismatchError, json.JSONDecodeError):
        return None
    return {
        "version": manifest["version"],
        "created_at": manifest["created_at"],
        "path": str(resolve(root)),
        "encoders": manifest["encoders"],
        "training": manifest.get("training", {}),
        "validation": manifest.get("validation", {}),
    }
