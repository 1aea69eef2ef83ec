"""Image-to-image retrieval robustness on VQA-RAD: is the original the top-1 after augmentation?

Indexes every image of the case set through the same builder the CLI uses, then queries with a
randomly cropped, flipped and brightness-changed copy of each image. A raw-pixel baseline
(32x32 grey thumbnails, cosine) runs on the same queries in the same process, and the ratio is
printed, so the figure does not depend on how busy the machine is.

    python -m bench.bench_image_retrieval [--cases ../shared/datasets/vqa-rad] [--seed 0] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.encoders.base import l2_normalise
from rag.imaging.load import load_image
from rag.runtime import Runtime
from rag.search import search_image
from rag.store.catalog import load_catalog, save_catalog


def augment(image: Image.Image, rng: random.Random) -> Image.Image:
    """Random crop keeping 80-95% of each side, horizontal flip, brightness x0.8-1.2."""
    width, height = image.size
    keep_w, keep_h = int(width * rng.uniform(0.80, 0.95)), int(height * rng.uniform(0.80, 0.95))
    left, top = rng.randint(0, width - keep_w), rng.randint(0, height - keep_h)
    cropped = image.crop((left, top, left + keep_w, top + keep_h))
    flipped = ImageOps.mirror(cropped)
    return ImageEnhance.Brightness(flipped).enhance(rng.uniform(0.8, 1.2))


def thumbnails(images: list[Image.Image]) -> np.ndarray:
    """Raw-pixel baseline embedding: centred 32x32 grey thumbnails."""
    rows = [np.asarray(img.convert("L").resize((32, 32)), dtype=np.float32).ravel() for img in images]
    matrix = np.stack(rows)
    return l2_normalise(matrix - matrix.mean(axis=1, keepdims=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=Settings().default_cases())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings(index_dir=Path(tmp)))
        catalog = new_catalog(
            runtime.text_encoder.info, runtime.image_encoder.info, chunking_params(1500), runtime.collection_options()
        )
        builder = IndexBuilder(catalog, runtime.text_encoder, lambda: runtime.image_encoder)
        started = time.perf_counter()
        builder.add_cases(args.cases)
        build_seconds = time.perf_counter() - started
        if builder.report.errors:
            raise SystemExit(f"build errors: {builder.report.errors}")
        save_catalog(catalog, Path(tmp))
        served = load_catalog(Path(tmp))
        case_paths = sorted(p for p in (args.cases / "images").iterdir() if p.suffix.lower() in {".jpg", ".png"})
        originals = [load_image(p).image for p in case_paths]
        queries = [augment(img, rng) for img in originals]

        started = time.perf_counter()
        ours_hits = 0
        for path, query in zip(case_paths, queries, strict=True):
            results = search_image(served, runtime.image_encoder, query, k=1)
            ours_hits += results[0].hit.id == path.stem
        query_seconds = time.perf_counter() - started

        base_index, base_queries = thumbnails(originals), thumbnails(queries)
        baseline_hits = int(np.sum(np.argmax(base_queries @ base_index.T, axis=1) == np.arange(len(originals))))

    total = len(case_paths)
    figures = {
        "images_indexed": sum(len(c) for _, c in served.of_kind("case_image")),
        "queries": total,
        "top1_ours": ours_hits / total,
        "top1_raw_pixel_baseline": baseline_hits / total,
        "ratio_ours_vs_baseline": (ours_hits / max(baseline_hits, 1)),
        "build_seconds": round(build_seconds, 2),
        "query_ms_per_image": round(1000 * query_seconds / total, 1),
        "image_encoder": served.encoders["image"]["name"],
    }
    print(f"images indexed           {figures['images_indexed']}")
    print(f"top-1 after augmentation {figures['top1_ours']:.3f}  ({ours_hits}/{total}), target >= 0.95")
    print(f"raw-pixel baseline top-1 {figures['top1_raw_pixel_baseline']:.3f}  ({baseline_hits}/{total})")
    print(f"ratio ours / baseline    {figures['ratio_ours_vs_baseline']:.2f}x")
    print(
        f"build {figures['build_seconds']} s (cases + case texts); "
        f"query {figures['query_ms_per_image']} ms/image incl. encoding"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
