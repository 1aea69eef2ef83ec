"""The default text model run by PyTorch (baseline) and by ONNX Runtime, in one process, one thread each.

A service worker embeds questions one at a time or in the small micro-batches concurrent requests make, so
the batch sizes timed are 1 to 16 (the bench's service questions, repeated). The "onnx" encoder hands batches
past ``ONNX_MAX_BATCH_TOKENS`` padded tokens to PyTorch, so its larger workloads show that choice. The two
runtimes alternate round by round, so a noisy neighbour slows both alike; the ratio is the figure to read.
Index building (hundreds of passages in batches of 32) is timed the same way on the shipped knowledge's chunks.

    python -m bench.bench_text_encoder [--rounds 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from bench.bench_service import QUESTIONS
from rag.config import Settings
from rag.encoders.text_sentence_transformers import SentenceTransformerEncoder
from rag.ingest.markdown import chunk_markdown
from rag.resources import knowledge_dir

BATCH_SIZES = (1, 4, 8, 16)


def _passages() -> list[str]:
    return [
        chunk.text
        for path in sorted(knowledge_dir().glob("*.md"))
        for chunk in chunk_markdown(path.read_text(encoding="utf-8"), path.stem, path.stem)
    ]


def _seconds(encoder: SentenceTransformerEncoder, texts: Sequence[str], batch_size: int) -> float:
    start = time.perf_counter()
    encoder.encode(texts, batch_size=batch_size)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="alternating timing rounds per batch size")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)  # one model thread per service worker, as scripts/serve.sh runs them
    settings = Settings()
    runtimes = {
        name: SentenceTransformerEncoder(runtime=name, onnx_cache_dir=settings.onnx_cache_dir)
        for name in ("torch", "onnx")
    }
    questions = QUESTIONS * 2
    passages = _passages()
    deviation = np.abs(runtimes["onnx"].encode(passages) - runtimes["torch"].encode(passages)).max()
    print(f"{len(passages)} knowledge passages: largest vector difference onnx vs torch {deviation:.2e}")
    print(f"{'workload':<24} {'torch ms/text':>14} {'onnx ms/text':>13} {'torch/onnx':>11}")
    workloads = [(f"questions, batch {size}", questions[:size], size) for size in BATCH_SIZES]
    workloads.append((f"index build, {len(passages)} passages", passages, 32))
    for label, texts, size in workloads:
        totals = {name: 0.0 for name in runtimes}
        for encoder in runtimes.values():
            _seconds(encoder, texts, size)  # warm-up
        rounds = args.rounds if len(texts) <= 16 else max(1, args.rounds // 10)
        for _ in range(rounds):
            for name, encoder in runtimes.items():
                totals[name] += _seconds(encoder, texts, size)
        per_text = {name: total / rounds / len(texts) * 1000 for name, total in totals.items()}
        print(
            f"{label:<24} {per_text['torch']:>14.2f} {per_text['onnx']:>13.2f} "
            f"{per_text['torch'] / per_text['onnx']:>10.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
