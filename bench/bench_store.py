"""Benchmark rag.store.VectorCollection against llama-index's FaissVectorStore and plain numpy.

All methods search the SAME random unit vectors in one process. Run::

    python -m bench.bench_store [--n 100000 --dim 384 --queries 1000 --k 10 --json out.json]

Reported per method: build time, single-query latency p50/p95, batched throughput and recall@k
against exact numpy results. llama-index has no batch query API, so its "batched" throughput is
sequential single queries, as a caller would have to issue them.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

from rag.store import VectorCollection
from rag.store.backend import gpu_count

NUMPY_BATCH = 256  # queries per matrix product, so the (batch, n) score matrix stays ~100 MB at n=100k


def unit_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def numpy_topk(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k row indices by inner product, best first: the reference every method is held to."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), NUMPY_BATCH):
        sims = queries[start : start + NUMPY_BATCH] @ vectors.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1)
        out[start : start + NUMPY_BATCH] = np.take_along_axis(top, order, axis=1)
    return out


def latencies_ms(search_one: Callable[[np.ndarray], Sequence[int]], queries: np.ndarray) -> tuple[np.ndarray, list]:
    """Time each query alone; returns per-query milliseconds and the row indices each returned."""
    search_one(queries[0])  # warm caches and lazy state outside the measurement
    times, found = [], []
    for query in queries:
        start = time.perf_counter()
        rows = search_one(query)
        times.append((time.perf_counter() - start) * 1000)
        found.append(rows)
    return np.asarray(times), found


def recall(found: Sequence[Sequence[int]], truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(rows) & set(row.tolist())) / k for rows, row in zip(found, truth, strict=True)]))


def summary(
    build_s: float, times_ms: np.ndarray, qps: float, found: Sequence[Sequence[int]], truth: np.ndarray, **extra: Any
) -> dict[str, Any]:
    return {
        "build_s": round(build_s, 3),
        "p50_ms": round(float(np.percentile(times_ms, 50)), 3),
        "p95_ms": round(float(np.percentile(times_ms, 95)), 3),
        "batch_qps": round(qps, 1),
        "recall_at_k": round(recall(found, truth[: len(found)]), 4),
        "latency_queries": len(times_ms),
        **extra,
    }


def bench_ours(
    label: str, vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, k: int, options: dict[str, Any]
) -> dict[str, Any]:
    ids = [str(i) for i in range(len(vectors))]
    metadata = [{"domain": f"d{i % 8}"} for i in range(len(vectors))]
    start = time.perf_counter()
    collection = VectorCollection(label, vectors.shape[1], **options)
    collection.upsert(ids, vectors, metadata)
    collection.refresh()
    build_s = time.perf_counter() - start

    def search_one(query: np.ndarray) -> list[int]:
        return [int(hit.id) for hit in collection.search(query, k)[0]]

    times, found = latencies_ms(search_one, queries)
    start = time.perf_counter()
    collection.search(queries, k)
    qps = len(queries) / (time.perf_counter() - start)
    filtered, _ = latencies_ms(
        lambda q: [int(h.id) for h in collection.search(q, k, filters={"domain": "d3"})[0]],
        queries[: min(len(queries), 200)],
    )
    info = collection.info
    return summary(
        build_s,
        times,
        qps,
        found,
        truth,
        index_type=info["index_type"],
        device=info["device"],
        filtered_p50_ms=round(float(np.percentile(filtered, 50)), 3),
    )


def bench_llama(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, k: int) -> dict[str, Any]:
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores.types import VectorStoreQuery
    from llama_index.vector_stores.faiss import FaissVectorStore

    start = time.perf_counter()
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(vectors.shape[1]))
    for chunk in range(0, len(vectors), 10_000):  # chunked so the Python float lists never all coexist
        rows = vectors[chunk : chunk + 10_000]
        store.add([TextNode(text=f"doc {chunk + i}", embedding=row.tolist()) for i, row in enumerate(rows)])
    build_s = time.perf_counter() - start

    def search_one(query: np.ndarray) -> list[int]:
        result = store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=k))
        return [int(node_id) for node_id in result.ids or []]  # llama-index ids ARE faiss positions

    times, found = latencies_ms(search_one, queries)
    qps = 1000.0 / float(np.mean(times))
    return summary(build_s, times, qps, found, truth, batch_note="no batch API: sequential single queries")


def bench_numpy(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, k: int) -> dict[str, Any]:
    def search_one(query: np.ndarray) -> list[int]:
        sims = vectors @ query
        top = np.argpartition(-sims, k - 1)[:k]
        return top[np.argsort(-sims[top])].tolist()

    times, found = latencies_ms(search_one, queries)
    start = time.perf_counter()
    numpy_topk(vectors, queries, k)
    qps = len(queries) / (time.perf_counter() - start)
    return summary(0.0, times, qps, found, truth)


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b > 0 else None


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--llama-queries",
        type=int,
        default=None,
        help="single queries for llama-index (default: --queries); its store has no batch API",
    )
    parser.add_argument("--ef-search", type=int, default=128)
    parser.add_argument("--ef-construction", type=int, default=80)
    parser.add_argument("--hnsw-m", type=int, default=32)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for faiss (OpenMP) and numpy (BLAS); 0 keeps the libraries' defaults. On a shared 2-core "
        "box, spin-waiting thread pools made single queries 10-50x slower with 2 threads than with 1",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)

    if args.threads > 0:
        faiss.omp_set_num_threads(args.threads)
        threadpool_limits(limits=args.threads)
    rng = np.random.default_rng(args.seed)
    vectors = unit_vectors(args.n, args.dim, rng)
    queries = unit_vectors(args.queries, args.dim, rng)
    truth = numpy_topk(vectors, queries, args.k)
    llama_queries = queries[: args.llama_queries or args.queries]
    hnsw = {
        "exact_threshold": 1,
        "ann": "hnsw",
        "ef_search": args.ef_search,
        "ef_construction": args.ef_construction,
        "hnsw_m": args.hnsw_m,
    }

    results: dict[str, dict[str, Any]] = {}
    results["ours_exact"] = bench_ours("bench_exact", vectors, queries, truth, args.k, {"exact_threshold": args.n + 1})
    gc.collect()
    results["ours_hnsw"] = bench_ours("bench_hnsw", vectors, queries, truth, args.k, hnsw)
    gc.collect()
    results["llama_index_faiss_flat"] = bench_llama(vectors, llama_queries, truth, args.k)
    gc.collect()
    results["numpy_brute_force"] = bench_numpy(vectors, queries, truth, args.k)

    base = results["numpy_brute_force"]
    llama = results["llama_index_faiss_flat"]
    ratios: dict[str, dict[str, float | None]] = {}
    for name, row in results.items():
        ratios[f"{name}/numpy"] = {
            "p50": ratio(row["p50_ms"], base["p50_ms"]),
            "p95": ratio(row["p95_ms"], base["p95_ms"]),
            "qps": ratio(row["batch_qps"], base["batch_qps"]),
        }
    for name in ("ours_exact", "ours_hnsw"):
        ratios[f"{name}/llama_index"] = {
            "build": ratio(results[name]["build_s"], llama["build_s"]),
            "p50": ratio(results[name]["p50_ms"], llama["p50_ms"]),
            "p95": ratio(results[name]["p95_ms"], llama["p95_ms"]),
            "qps": ratio(results[name]["batch_qps"], llama["batch_qps"]),
        }
    report = {
        "config": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()},
        "faiss_version": faiss.__version__,
        "faiss_num_gpus": gpu_count(),
        "ours_device": results["ours_exact"]["device"],
        "results": results,
        "ratios": ratios,
    }
    print_report(report)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def print_report(report: dict[str, Any]) -> None:
    config = report["config"]
    print(
        f"vectors {config['n']} x {config['dim']} (random, L2-normalised), {config['queries']} queries, "
        f"k={config['k']}; faiss {report['faiss_version']}, faiss.get_num_gpus()={report['faiss_num_gpus']}, "
        f"threads {report['config']['threads']} (0 = library default), ours on {report['ours_device']}"
    )
    header = f"{'method':<24}{'build s':>9}{'p50 ms':>9}{'p95 ms':>9}{'batch q/s':>11}{'recall@k':>10}{'lat. n':>8}"
    print(header)
    print("-" * len(header))
    for name, row in report["results"].items():
        print(
            f"{name:<24}{row['build_s']:>9.2f}{row['p50_ms']:>9.3f}{row['p95_ms']:>9.3f}{row['batch_qps']:>11.1f}"
            f"{row['recall_at_k']:>10.4f}{row['latency_queries']:>8}"
        )
    print()
    for name in ("ours_exact", "ours_hnsw"):
        row = report["results"][name]
        print(
            f"{name}: index={row['index_type']} device={row['device']} filtered (1/8 match) p50 "
            f"{row['filtered_p50_ms']:.3f} ms"
        )
    print(
        f"llama_index_faiss_flat: {report['results']['llama_index_faiss_flat']['batch_note']}; "
        "build includes TextNode creation; ids returned are FAISS positions, no metadata"
    )
    print()
    print(f"{'ratio (a/b)':<36}{'build':>8}{'p50':>8}{'p95':>8}{'qps':>8}")
    for name, values in report["ratios"].items():
        cells = "".join(
            f"{'' if values.get(col) is None else values[col]:>8}" for col in ("build", "p50", "p95", "qps")
        )
        print(f"{name:<36}{cells}")
    print("(latency ratios < 1 and qps ratios > 1 mean a is faster than b)")


if __name__ == "__main__":
    main()
