"""FAISS index construction for one collection: exact, HNSW or IVF, on CPU or GPU.

Kept apart from :mod:`rag.store.collection` so that the choice of index and device is one small,
testable place, and so that faiss-cpu builds never touch GPU-only symbols.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np

from rag.errors import MissingDependencyError

IndexKind = Literal["flat", "hnsw", "ivf"]
AnnKind = Literal["hnsw", "ivf"]

# faiss warns (on stderr) and clusters badly with fewer training points than this per centroid.
_MIN_POINTS_PER_CENTROID = 39


@dataclass(frozen=True)
class AnnParams:
    """ANN build and search knobs. ``nprobe=None`` derives it from the number of IVF lists."""

    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    nprobe: int | None = None

    def ivf_nprobe(self, nlist: int) -> int:
        return self.nprobe if self.nprobe is not None else max(1, nlist // 4)


def gpu_count() -> int:
    """GPUs faiss can use; 0 on faiss-cpu builds, which may lack the function altogether."""
    get_num_gpus = getattr(faiss, "get_num_gpus", None)
    return int(get_num_gpus()) if get_num_gpus is not None else 0


def resolve_use_gpu(use_gpu: bool | None) -> bool:
    """``None`` means "GPU when faiss sees one"; ``True`` without a GPU is a configuration error."""
    available = gpu_count() > 0 and hasattr(faiss, "index_cpu_to_all_gpus")
    if use_gpu is None:
        return available
    if use_gpu and not available:
        raise MissingDependencyError(
            "use_gpu=True but faiss reports no GPU (faiss.get_num_gpus() == 0): install faiss-gpu on a "
            "CUDA machine, or pass use_gpu=None to fall back to CPU"
        )
    return use_gpu


def ivf_nlist(n: int) -> int:
    """About 4*sqrt(n) lists, capped so every centroid still gets enough training points."""
    return max(1, min(round(4 * math.sqrt(n)), n // _MIN_POINTS_PER_CENTROID))


def build_index(kind: IndexKind, dim: int, vectors: np.ndarray, ids: np.ndarray, params: AnnParams) -> faiss.Index:
    """Build a CPU index over ``vectors`` labelled with our int64 ``ids`` (inner-product metric).

    IVF takes custom ids natively (and its ``remove_ids`` keeps them consistent); flat and HNSW
    are wrapped in ``IndexIDMap2`` because they only know positions.
    """
    index: faiss.Index
    if kind == "ivf":
        nlist = ivf_nlist(len(vectors))
        quantizer = faiss.IndexFlatIP(dim)
        ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(vectors)
        ivf.nprobe = params.ivf_nprobe(nlist)
        index = ivf
    elif kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = params.ef_construction
        hnsw.hnsw.efSearch = params.ef_search
        index = faiss.IndexIDMap2(hnsw)
    else:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(vectors):
        index.add_with_ids(vectors, ids)
    return index


def index_kind(index: faiss.Index) -> IndexKind:
    """Recognise an index built by :func:`build_index` (used to validate a loaded file)."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexIVFFlat) and index.metric_type == faiss.METRIC_INNER_PRODUCT:
        return "ivf"
    if isinstance(index, faiss.IndexIDMap):
        inner = faiss.downcast_index(index.index)
        if inner.metric_type == faiss.METRIC_INNER_PRODUCT:
            if isinstance(inner, faiss.IndexHNSWFlat):
                return "hnsw"
            if isinstance(inner, faiss.IndexFlatIP):
                return "flat"
    raise ValueError(f"unsupported index layout {type(index).__name__}")


def search_parameters(
    kind: IndexKind, k: int, nlist: int, params: AnnParams, selector: faiss.IDSelector | None
) -> faiss.SearchParameters | None:
    """Per-call parameters, so efSearch/nprobe and the filter never mutate the shared index."""
    search_params: faiss.SearchParameters
    if kind == "hnsw":
        hnsw_params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # missing from faiss stubs
        hnsw_params.efSearch = max(params.ef_search, k)
        search_params = hnsw_params
    elif kind == "ivf":
        ivf_params = faiss.SearchParametersIVF()
        ivf_params.nprobe = params.ivf_nprobe(nlist)
        search_params = ivf_params
    elif selector is None:
        return None
    else:
        search_params = faiss.SearchParameters()
    search_params.sel = selector
    return search_params


def trained_nlist(index: faiss.Index) -> int:
    """Number of IVF lists of an index from :func:`build_index` (0 for flat and HNSW)."""
    index = faiss.downcast_index(index)
    return index.nlist if isinstance(index, faiss.IndexIVF) else 0


def runs_on_gpu(kind: IndexKind, use_gpu: bool) -> bool:
    """faiss has no GPU HNSW, so HNSW stays on CPU even when a GPU is there."""
    return use_gpu and kind != "hnsw"


def to_gpu(index: faiss.Index) -> faiss.Index:
    """Copy a CPU index onto all visible GPUs (sharded/replicated by faiss)."""
    return faiss.index_cpu_to_all_gpus(index)
