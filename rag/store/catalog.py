"""A versioned set of collections under ``indexes/``: one FAISS collection per (kind, domain).

Layout::

    indexes/CURRENT            name of the version being served (replaced atomically)
    indexes/v-<time>-<rand>/   manifest.json + one sub-directory per collection

A new version is written to a temporary directory, fsynced and renamed, and only then does
``CURRENT`` move; a crash mid-build leaves the previous version serving.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag import __version__
from rag.encoders.base import EncoderInfo
from rag.errors import IndexMismatchError, InputError, NotFoundError
from rag.store.collection import VectorCollection
from rag.store.fsio import CURRENT, publish_version, version_name

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
STALE_BUILD_SECONDS = 6 * 3600
KINDS = ("passage", "report", "case_image", "case_text", "unit")


def collection_name(kind: str, domain: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown collection kind {kind!r}; expected one of {KINDS}")
    return f"{kind}__{domain.replace(':', '-').replace('/', '-')}"


def _write_json(path: Path, payload: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass
class Catalog:
    """Collections plus the manifest that describes how they were built."""

    encoders: dict[str, dict[str, Any]]
    chunking: dict[str, Any]
    collections: dict[str, VectorCollection] = field(default_factory=dict)
    domains: dict[str, tuple[str, str]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str = ""
    built_at: str = ""
    collection_options: dict[str, Any] = field(default_factory=dict)

    def collection(self, kind: str, domain: str, dim: int) -> VectorCollection:
        """The collection for (kind, domain), created empty on first use."""
        name = collection_name(kind, domain)
        if name not in self.collections:
            self.collections[name] = VectorCollection(name, dim, **self.collection_options)
            self.domains[name] = (kind, domain)
        return self.collections[name]

    def of_kind(self, kind: str, domains: list[str] | None = None) -> Iterator[tuple[str, VectorCollection]]:
        """(domain, collection) pairs of one kind, optionally restricted to some domains."""
        for name, (collection_kind, domain) in sorted(self.domains.items()):
            if collection_kind == kind and (domains is None or domain in domains):
                yield domain, self.collections[name]

    def delete_items(self, items: dict[str, list[str]]) -> None:
        for name, ids in items.items():
            if name in self.collections:
                self.collections[name].delete(ids)

    def remove_source(self, doc_id: str) -> None:
        """Delete everything one source put into the collections."""
        if doc_id not in self.documents:
            raise NotFoundError(f"no indexed source {doc_id!r}; `medcite index info` lists them")
        self.delete_items(self.documents.pop(doc_id)["items"])

    def known_domains(self) -> list[str]:
        return sorted({domain for _, domain in self.domains.values()})

    def check_encoder(self, role: str, info: EncoderInfo) -> None:
        """Refuse to query an index with an encoder it was not built with."""
        built = self.encoders.get(role)
        if built is None:
            return
        if built != info.as_dict():
            raise IndexMismatchError(
                f"the index's {role} vectors were built with {built['name']} (dim {built['dim']}, version "
                f"{built['version']}) but the configured {role} encoder is {info.name} (dim {info.dim}, version "
                f"{info.version}); rebuild with `medcite index build` or configure the original encoder"
            )

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "medcite_version": __version__,
            "version": self.version,
            "built_at": self.built_at,
            "encoders": self.encoders,
            "chunking": self.chunking,
            "documents": self.documents,
            "collections": {
                name: {"kind": kind, "domain": domain, **self.collections[name].info}
                for name, (kind, domain) in sorted(self.domains.items())
            },
        }


def current_version_dir(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.is_file():
        return None
    target = root / pointer.read_text(encoding="utf-8").strip()
    if not (target / MANIFEST).is_file():
        raise InputError(f"{pointer} points at {target.name}, which has no {MANIFEST}; rebuild the index")
    return target


def load_catalog(
    root: Path, *, use_gpu: bool | None = None, collection_options: dict[str, Any] | None = None
) -> Catalog:
    """Load the version ``CURRENT`` names; a missing index is a clear error, not an empty answer."""
    version_dir = current_version_dir(root)
    if version_dir is None:
        raise NotFoundError(f"no index under {root}; build one with `medcite index build`")
    manifest = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{version_dir}: index format {manifest.get('format')} is not {FORMAT_VERSION}; rebuild"
        )
    catalog = Catalog(
        encoders=manifest["encoders"],
        chunking=manifest["chunking"],
        documents=manifest["documents"],
        version=manifest["version"],
        built_at=manifest["built_at"],
        collection_options=dict(collection_options or {}),
    )
    for name, entry in manifest["collections"].items():
        catalog.collections[name] = VectorCollection.load(version_dir / name, use_gpu=use_gpu)
        catalog.domains[name] = (entry["kind"], entry["domain"])
    return catalog


def save_catalog(catalog: Catalog, root: Path, *, keep_versions: int = 2) -> Path:
    """Write a new version beside the old ones, then switch ``CURRENT`` to it atomically."""
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    catalog.version = version_name("v", now)
    catalog.built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))

    def fill(staging: Path) -> None:
        for name, collection in catalog.collections.items():
            collection.save(staging / name)
        _write_json(staging / MANIFEST, catalog.manifest())

    final = publish_version(root, catalog.version, fill)
    _prune(root, keep_versions, serving=final.name)
    return final


def _prune(root: Path, keep: int, serving: str) -> None:
    """Drop old versions; a temporary directory is removed only once it is clearly an abandoned build."""
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v-"))
    for old in versions[:-keep]:
        if old.name != serving:
            shutil.rmtree(old)
    for leftover in root.glob(".tmp-*"):
        if time.time() - leftover.stat().st_mtime > STALE_BUILD_SECONDS:
            shutil.rmtree(leftover)
