"""A named FAISS collection of unit vectors with string ids, JSON metadata, filters and persistence.

The raw vectors (kept in a float32 array) are the source of truth; the FAISS index is derived from
them. That is what lets the index be rebuilt after deletes (HNSW cannot remove), switch from exact
to ANN as the collection grows, and move between CPU and GPU. Mutations only record what changed;
the index catches up lazily on the next search or save.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np

from rag.errors import InputError, MedciteError, NotFoundError
from rag.store.backend import (
    AnnParams,
    IndexKind,
    build_index,
    index_kind,
    ivf_nlist,
    resolve_use_gpu,
    runs_on_gpu,
    search_parameters,
    to_gpu,
    trained_nlist,
)
from rag.store.filters import FilterValue, MetadataIndex, normalise_filters
from rag.store.fsio import fsync_path
from rag.types import Hit

FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
VECTORS_FILE = "vectors.npy"
META_FILE = "meta.json"

# Encoders give |‖v‖ - 1| around 1e-7 in float32; anything beyond this was never normalised.
_NORM_TOLERANCE = 1e-3
# Below this many filter matches an ANN index is skipped for an exact scan of just those vectors:
# faster than walking a graph / probing lists that mostly hold excluded items, and always complete.
_EXACT_SUBSET_MAX = 4096
# Internal ids are (23-bit hash of the collection name) << 40 | serial: unique across collections
# (up to hash collisions of names) and never reused after a delete.
_SERIAL_BITS = 40
_PREFIX_BITS = 23


def _id_prefix(name: str) -> int:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") & ((1 << _PREFIX_BITS) - 1)) << _SERIAL_BITS


def _as_vectors(array: Any, dim: int, what: str, *, allow_1d: bool) -> np.ndarray:
    """Validate shape, dtype, finiteness and unit norm; return a C-contiguous float32 (n, dim) array."""
    vectors = np.asarray(array)
    if not np.issubdtype(vectors.dtype, np.floating):
        raise InputError(f"{what} must be a float32 array, got dtype {vectors.dtype}")
    if allow_1d and vectors.ndim == 1:
        vectors = vectors[np.newaxis, :]
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        expected = f"(n, {dim}) or ({dim},)" if allow_1d else f"(n, {dim})"
        raise InputError(f"{what} must have shape {expected}, got {vectors.shape}")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        raise InputError(f"{what} row {int(np.argmin(finite))} contains NaN or infinity")
    norms = np.linalg.norm(vectors, axis=1)
    bad = np.abs(norms - 1.0) > _NORM_TOLERANCE
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"{what} row {row} has L2 norm {norms[row]:.4f}; vectors must be L2-normalised "
            "(rag.encoders.base.l2_normalise) so that inner product is cosine similarity"
        )
    return vectors


def _json_metadata(item_id: str, metadata: Any) -> dict[str, Any]:
    """Round-trip through JSON now, so what get() returns before and after save/load is identical."""
    if not isinstance(metadata, Mapping):
        raise InputError(f"metadata for id {item_id!r} must be a mapping, got {type(metadata).__name__}")
    try:
        normalised: dict[str, Any] = json.loads(json.dumps(dict(metadata), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"metadata for id {item_id!r} is not JSON-serialisable: {exc}") from exc
    return normalised


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


_IMMUTABLE = (str, int, float, bool, type(None))


def _copied(metadata: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change without touching the stored metadata; flat values (most of them) are shared,
    which is what makes a search that returns 80 hits cheap (a full deep copy cost ~3.5 ms per query)."""
    return {key: value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value) for key, value in metadata.items()}


class VectorCollection:
    """Cosine-similarity search over unit vectors with string ids and filterable JSON metadata.

    Exact (``IndexFlatIP``) below ``exact_threshold`` vectors, HNSW or IVF above it. Scores are
    always similarities (inner products, higher is better). ``ids()`` order is unspecified.
    All public methods take one lock, so a collection may be shared between threads.
    """

    def __init__(
        self,
        name: str,
        dim: int,
        *,
        exact_threshold: int = 50_000,
        ann: Literal["hnsw", "ivf"] = "hnsw",
        use_gpu: bool | None = None,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
        nprobe: int | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InputError(f"collection name must be a non-empty string, got {name!r}")
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise InputError(f"dim must be a positive integer, got {dim!r}")
        if isinstance(exact_threshold, bool) or not isinstance(exact_threshold, int) or exact_threshold < 1:
            raise InputError(f"exact_threshold must be a positive integer, got {exact_threshold!r}")
        if ann not in ("hnsw", "ivf"):
            raise InputError(f"ann must be 'hnsw' or 'ivf', got {ann!r}")
        for knob, value in (("hnsw_m", hnsw_m), ("ef_construction", ef_construction), ("ef_search", ef_search)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{knob} must be a positive integer, got {value!r}")
        if nprobe is not None and (isinstance(nprobe, bool) or not isinstance(nprobe, int) or nprobe < 1):
            raise InputError(f"nprobe must be a positive integer or None, got {nprobe!r}")
        self._name = name
        self._dim = dim
        self._exact_threshold = exact_threshold
        self._ann: Literal["hnsw", "ivf"] = ann
        self._params = AnnParams(hnsw_m=hnsw_m, ef_construction=ef_construction, ef_search=ef_search, nprobe=nprobe)
        self._use_gpu = resolve_use_gpu(use_gpu)
        self._prefix = _id_prefix(name)
        self._next_serial = 0
        self._lock = threading.RLock()
        # Row-aligned storage; rows [0, _count) are live, the buffers grow geometrically.
        self._count = 0
        self._vectors = np.empty((0, dim), dtype=np.float32)
        self._internal = np.empty(0, dtype=np.int64)
        self._ids: list[str] = []
        self._metadata: list[dict[str, Any]] = []
        self._row_of: dict[str, int] = {}
        self._row_of_internal: dict[int, int] = {}
        self._filter_index = MetadataIndex()
        # Derived FAISS state: the CPU index is authoritative; _device_index is it or its GPU copy.
        self._index: faiss.Index | None = None
        self._index_kind: IndexKind | None = None
        self._device_index: faiss.Index | None = None
        self._pending_add: set[int] = set()
        self._pending_remove: set[int] = set()

    # ------------------------------------------------------------------ mutation

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[Mapping[str, Any]]) -> None:
        """Insert items; an id that already exists is replaced (vector and metadata)."""
        if isinstance(ids, str):
            raise InputError("ids must be a sequence of strings, not a single string")
        id_list = list(ids)
        matrix = _as_vectors(vectors, self._dim, "vectors", allow_1d=False)
        meta_list = list(metadata)
        if not len(id_list) == len(matrix) == len(meta_list):
            raise InputError(
                f"upsert needs one vector and one metadata mapping per id: got {len(id_list)} ids, "
                f"{len(matrix)} vectors, {len(meta_list)} metadata"
            )
        seen: set[str] = set()
        for item_id in id_list:
            if not isinstance(item_id, str) or not item_id:
                raise InputError(f"ids must be non-empty strings, got {item_id!r}")
            if item_id in seen:
                raise InputError(f"id {item_id!r} appears twice in one upsert")
            seen.add(item_id)
        normalised = [_json_metadata(item_id, meta) for item_id, meta in zip(id_list, meta_list, strict=True)]
        with self._lock:
            for item_id in id_list:
                if item_id in self._row_of:
                    self._remove(item_id)
            self._append(id_list, matrix, normalised)

    def delete(self, ids: Iterable[str]) -> int:
        """Remove items; unknown ids are ignored. Returns how many of the given ids existed."""
        if isinstance(ids, str):
            raise InputError("delete() takes an iterable of ids; wrap a single id in a list")
        removed = 0
        with self._lock:
            for item_id in dict.fromkeys(ids):
                if item_id in self._row_of:
                    self._remove(item_id)
                    removed += 1
        return removed

    def _append(self, ids: list[str], vectors: np.ndarray, metadata: list[dict[str, Any]]) -> None:
        n = len(ids)
        if self._next_serial + n >= 1 << _SERIAL_BITS:
            raise MedciteError(f"collection {self._name!r} ran out of internal ids; rebuild it from scratch")
        self._reserve(self._count + n)
        internal = self._prefix | np.arange(self._next_serial, self._next_serial + n, dtype=np.int64)
        self._next_serial += n
        start = self._count
        self._vectors[start : start + n] = vectors
        self._internal[start : start + n] = internal
        for offset, (item_id, meta, internal_id) in enumerate(zip(ids, metadata, internal.tolist(), strict=True)):
            self._ids.append(item_id)
            self._metadata.append(meta)
            self._row_of[item_id] = start + offset
            self._row_of_internal[internal_id] = start + offset
            self._filter_index.add(internal_id, meta)
            self._pending_add.add(internal_id)
        self._count += n

    def _reserve(self, needed: int) -> None:
        capacity = len(self._vectors)
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity, 1024)
        vectors = np.empty((new_capacity, self._dim), dtype=np.float32)
        vectors[: self._count] = self._vectors[: self._count]
        internal = np.empty(new_capacity, dtype=np.int64)
        internal[: self._count] = self._internal[: self._count]
        self._vectors, self._internal = vectors, internal

    def _remove(self, item_id: str) -> None:
        """Swap the last row into the removed one so storage stays dense."""
        row = self._row_of.pop(item_id)
        internal_id = int(self._internal[row])
        self._filter_index.remove(internal_id, self._metadata[row])
        del self._row_of_internal[internal_id]
        last = self._count - 1
        if row != last:
            self._vectors[row] = self._vectors[last]
            self._internal[row] = self._internal[last]
            self._ids[row] = self._ids[last]
            self._metadata[row] = self._metadata[last]
            self._row_of[self._ids[row]] = row
            self._row_of_internal[int(self._internal[row])] = row
        self._ids.pop()
        self._metadata.pop()
        self._count = last
        if internal_id in self._pending_add:
            self._pending_add.discard(internal_id)
        else:
            self._pending_remove.add(internal_id)

    # ------------------------------------------------------------------ index maintenance

    def _planned_kind(self) -> IndexKind:
        return "flat" if self._count < self._exact_threshold else self._ann

    def _sync_index(self) -> None:
        """Bring the FAISS index up to date: incrementally where the index type allows, else rebuild."""
        kind = self._planned_kind()
        if self._index is not None and self._index_kind == kind and self._can_update(kind):
            if not self._pending_add and not self._pending_remove:
                return
            if self._pending_remove:
                self._index.remove_ids(faiss.IDSelectorBatch(np.fromiter(self._pending_remove, dtype=np.int64)))
            if self._pending_add:
                rows = np.sort(np.fromiter((self._row_of_internal[i] for i in self._pending_add), dtype=np.int64))
                self._index.add_with_ids(self._vectors[rows], self._internal[rows])
        else:
            live = slice(0, self._count)
            self._index = build_index(kind, self._dim, self._vectors[live], self._internal[live], self._params)
            self._index_kind = kind
        self._pending_add.clear()
        self._pending_remove.clear()
        self._refresh_device_index()

    def _can_update(self, kind: IndexKind) -> bool:
        if kind == "hnsw":
            return not self._pending_remove  # HNSW graphs cannot drop nodes
        if kind == "ivf":
            # Centroids trained on a much smaller or larger collection no longer partition it well.
            assert self._index is not None
            trained = trained_nlist(self._index)
            return trained / 2 <= ivf_nlist(self._count) <= trained * 2
        return True

    def _refresh_device_index(self) -> None:
        assert self._index is not None and self._index_kind is not None
        if runs_on_gpu(self._index_kind, self._use_gpu) and self._index.ntotal > 0:
            self._device_index = to_gpu(self._index)
        else:
            self._device_index = self._index

    def refresh(self) -> None:
        """Build or update the FAISS index now rather than on the next search (e.g. before serving)."""
        with self._lock:
            self._sync_index()

    # ------------------------------------------------------------------ search

    def search(
        self, queries: np.ndarray, k: int, *, filters: Mapping[str, FilterValue] | None = None
    ) -> list[list[Hit]]:
        """Top-``k`` hits per query, best first; fewer only when fewer items (or filter matches) exist.

        ``filters`` maps a metadata key to a value or a list of accepted values; all keys must match.
        """
        matrix = _as_vectors(queries, self._dim, "queries", allow_1d=True)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InputError(f"k must be a positive integer, got {k!r}")
        conditions = normalise_filters(filters) if filters is not None else {}
        empty: list[list[Hit]] = [[] for _ in range(len(matrix))]
        with self._lock:
            if self._count == 0 or len(matrix) == 0:
                return empty
            if not conditions:
                return self._search_index(matrix, min(k, self._count), None)
            allowed = self._filter_index.match(conditions)
            if not allowed:
                return empty
            allowed_ids = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
            k_eff = min(k, len(allowed_ids))
            if self._planned_kind() != "flat" and len(allowed_ids) <= _EXACT_SUBSET_MAX:
                return self._search_subset(matrix, k_eff, allowed_ids)
            results = self._search_index(matrix, k_eff, allowed_ids)
            # ANN traversal under a selective filter can stop short of k; finish those queries exactly.
            short = [qi for qi, hits in enumerate(results) if len(hits) < k_eff]
            if short:
                for qi, hits in zip(short, self._search_subset(matrix[short], k_eff, allowed_ids), strict=True):
                    results[qi] = hits
            return results

    def _search_index(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None) -> list[list[Hit]]:
        self._sync_index()
        assert self._index is not None and self._index_kind is not None and self._device_index is not None
        if allowed_ids is None and self._device_index is not self._index:
            # GPU copy: nprobe was copied from the CPU index; GPU indexes take no IDSelector.
            scores, labels = self._device_index.search(queries, k)
        else:
            selector = faiss.IDSelectorBatch(allowed_ids) if allowed_ids is not None else None
            nlist = trained_nlist(self._index)
            params = search_parameters(self._index_kind, k, nlist, self._params, selector)
            scores, labels = self._index.search(queries, k, params=params)
        return [self._hits(row_scores, row_labels) for row_scores, row_labels in zip(scores, labels, strict=True)]

    def _search_subset(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray) -> list[list[Hit]]:
        """Exact search restricted to ``allowed_ids`` (numpy), for small filter matches."""
        rows = np.fromiter((self._row_of_internal[int(i)] for i in allowed_ids), dtype=np.int64, count=len(allowed_ids))
        sims = queries @ self._vectors[rows].T
        if k < len(rows):
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(len(rows)), sims.shape)
        results = []
        for qi in range(len(queries)):
            order = top[qi][np.argsort(-sims[qi, top[qi]], kind="stable")]
            results.append(self._hits(sims[qi, order], self._internal[rows[order]]))
        return results

    def _hits(self, scores: np.ndarray, labels: np.ndarray) -> list[Hit]:
        hits = []
        for score, label in zip(scores.tolist(), labels.tolist(), strict=True):
            if label < 0:  # faiss pads with -1 when it finds fewer than k
                continue
            row = self._row_of_internal[label]
            hits.append(Hit(id=self._ids[row], score=float(score), metadata=_copied(self._metadata[row])))
        return hits

    # ------------------------------------------------------------------ access

    def get(self, id: str) -> dict[str, Any]:
        """Metadata of one item (a copy)."""
        with self._lock:
            return _copied(self._metadata[self._row(id)])

    def vector(self, id: str) -> np.ndarray:
        """Stored vector of one item (a copy)."""
        with self._lock:
            vector: np.ndarray = self._vectors[self._row(id)].copy()
            return vector

    def _row(self, item_id: str) -> int:
        row = self._row_of.get(item_id)
        if row is None:
            raise NotFoundError(f"collection {self._name!r} has no id {item_id!r}")
        return row

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, id: object) -> bool:
        return id in self._row_of

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def info(self) -> dict[str, Any]:
        """What an index manifest or a health endpoint reports about this collection."""
        with self._lock:
            kind = self._planned_kind()
            return {
                "name": self._name,
                "dim": self._dim,
                "count": self._count,
                "index_type": kind,
                "device": "gpu" if runs_on_gpu(kind, self._use_gpu) else "cpu",
                "exact_threshold": self._exact_threshold,
                "ann": self._ann,
                "hnsw_m": self._params.hnsw_m,
                "ef_construction": self._params.ef_construction,
                "ef_search": self._params.ef_search,
                "nprobe": self._params.nprobe,
            }

    # ------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> None:
        """Write ``index.faiss``, ``vectors.npy`` and ``meta.json`` (each fsynced) into ``directory``.

        The CPU index is the one written: a GPU copy is only ever a mirror of it, which is what
        ``faiss.index_gpu_to_cpu`` would give back. Atomic replacement is the caller's job.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._sync_index()
            assert self._index is not None
            faiss.write_index(self._index, str(directory / INDEX_FILE))
            fsync_path(directory / INDEX_FILE)
            with open(directory / VECTORS_FILE, "wb") as handle:
                np.save(handle, self._vectors[: self._count], allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            meta = {
                "format": FORMAT_VERSION,
                **self.info,
                "index_type": self._index_kind,
                "next_serial": self._next_serial,
                "ids": self._ids,
                "internal_ids": self._internal[: self._count].tolist(),
                "metadata": self._metadata,
            }
            _write_bytes(directory / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @classmethod
    def load(cls, directory: Path, *, use_gpu: bool | None = None) -> VectorCollection:
        """Read a collection written by :meth:`save`; anything missing or inconsistent is an InputError."""
        directory = Path(directory)
        missing = [name for name in (INDEX_FILE, VECTORS_FILE, META_FILE) if not (directory / name).is_file()]
        if missing:
            raise InputError(f"{directory} is not a saved collection: missing {', '.join(missing)}")
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            vectors = np.load(directory / VECTORS_FILE, allow_pickle=False)
            index = faiss.read_index(str(directory / INDEX_FILE))  # already downcast; owns the C++ object
        except (OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"{directory}: cannot read saved collection: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
            raise InputError(f"{directory}: {META_FILE} is not format {FORMAT_VERSION}")
        try:
            collection = cls(
                meta["name"],
                meta["dim"],
                exact_threshold=meta["exact_threshold"],
                ann=meta["ann"],
                use_gpu=use_gpu,
                hnsw_m=meta["hnsw_m"],
                ef_construction=meta["ef_construction"],
                ef_search=meta["ef_search"],
                nprobe=meta["nprobe"],
            )
            ids, internal, metadata = meta["ids"], meta["internal_ids"], meta["metadata"]
            count, kind, next_serial = meta["count"], meta["index_type"], meta["next_serial"]
        except KeyError as exc:
            raise InputError(f"{directory}: {META_FILE} lacks field {exc}") from exc
        dim = collection.dim
        problems = []
        if not len(ids) == len(internal) == len(metadata) == count:
            problems.append(f"{len(ids)} ids, {len(internal)} internal ids, {len(metadata)} metadata, count {count}")
        if len(set(ids)) != len(ids):
            problems.append("duplicate ids")
        if vectors.dtype != np.float32 or vectors.shape != (count, dim):
            problems.append(f"{VECTORS_FILE} is {vectors.dtype} {vectors.shape}, expected float32 ({count}, {dim})")
        if index.ntotal != count or index.d != dim:
            problems.append(f"{INDEX_FILE} holds {index.ntotal} vectors of dim {index.d}, expected {count} of {dim}")
        try:
            actual_kind = index_kind(index)
        except ValueError as exc:
            problems.append(f"{INDEX_FILE}: {exc}")
        else:
            if actual_kind != kind:
                problems.append(f"{INDEX_FILE} is {actual_kind}, {META_FILE} says {kind}")
            elif isinstance(index, faiss.IndexIDMap) and set(faiss.vector_to_array(index.id_map).tolist()) != set(
                internal
            ):
                problems.append(f"{INDEX_FILE} ids differ from {META_FILE}")
        if problems:
            raise InputError(f"{directory}: inconsistent saved collection: {'; '.join(problems)}")
        collection._restore(ids, np.asarray(internal, dtype=np.int64), vectors, metadata, next_serial, index, kind)
        return collection

    def _restore(
        self,
        ids: list[str],
        internal: np.ndarray,
        vectors: np.ndarray,
        metadata: list[dict[str, Any]],
        next_serial: int,
        index: faiss.Index,
        kind: IndexKind,
    ) -> None:
        self._count = len(ids)
        self._vectors = np.ascontiguousarray(vectors)
        self._internal = internal
        self._ids = list(ids)
        self._metadata = list(metadata)
        self._row_of = {item_id: row for row, item_id in enumerate(ids)}
        self._row_of_internal = {internal_id: row for row, internal_id in enumerate(internal.tolist())}
        for internal_id, meta in zip(internal.tolist(), metadata, strict=True):
            self._filter_index.add(internal_id, meta)
        self._next_serial = next_serial
        self._index = index
        self._index_kind = kind
        self._refresh_device_index()
