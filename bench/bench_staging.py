"""Batch staging throughput (``medcite stage --jsonl``) on every labelled report we keep.

Short template cases (tests/staging) and long realistic reports (eval/sets/staging-dev-*) are timed
separately, because a 25-sentence PET-CT report costs several times a one-line finding. Each pass
starts with cold caches, so repeated reports do not flatter the figure. The baseline in the same
process is the bare JSONL round trip (parse each line, write a JSON line back), so the ratio shows what
staging itself costs on this machine, whatever its load.

    python -m bench.bench_staging [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rag.staging import stage_jsonl
from rag.staging.anatomy import _places
from rag.staging.extract.vocabulary import names_an_entity
from rag.staging.report_text import clauses

SETS = {
    "short template cases": [Path("tests/staging/cases.jsonl"), Path("tests/staging/blind_cases.jsonl")],
    "long realistic reports": [Path("eval/sets/staging-dev-a.jsonl"), Path("eval/sets/staging-dev-b.jsonl")],
}
_CACHED: list[Callable[..., object]] = [_places, names_an_entity, clauses]


def _cold() -> None:
    for function in _CACHED:
        function.cache_clear()  # type: ignore[attr-defined]


def _round_trip(source: Path, target: Path) -> int:
    count = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            row = json.loads(line)
            out.write(json.dumps({"id": row["id"], "report": row["report"]}) + "\n")
            count += 1
    return count


def _rate(run: Callable[[], int], repeat: int) -> float:
    best = 0.0
    for _ in range(repeat):
        _cold()
        started = time.perf_counter()
        count = run()
        best = max(best, count / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="passes per set; the best pass is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in SETS.items():
            rows = [
                json.dumps({"id": case["id"], "report": case["report"]})
                for path in paths
                for case in map(json.loads, path.read_text(encoding="utf-8").splitlines())
            ]
            source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
            source.write_text("\n".join(rows) + "\n", encoding="utf-8")
            staging = _rate(lambda s=source, t=target: stage_jsonl(s, t, "9"), args.repeat)
            baseline = _rate(lambda s=source, t=target: _round_trip(s, t), args.repeat)
            print(f"{name}: {len(rows)} reports, edition 9, cold caches")
            print(f"  staging            {staging:>10.0f} reports/s")
            print(f"  jsonl round trip   {baseline:>10.0f} reports/s")
            print(f"  staging / round trip  {staging / baseline:.4f}")


if __name__ == "__main__":
    main()
