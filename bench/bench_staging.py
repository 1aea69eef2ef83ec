"""Batch staging throughput (``medcite stage --jsonl``) on the test cases, repeated.

The baseline in the same process is the bare JSONL round trip (parse each line, write a JSON
line back), so the ratio shows what staging itself costs on this machine, whatever its load.

    python -m bench.bench_staging [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rag.staging import stage_jsonl

CASE_FILES = [Path("tests/staging/cases.jsonl"), Path("tests/staging/blind_cases.jsonl")]


def _round_trip(source: Path, target: Path) -> int:
    count = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            row = json.loads(line)
            out.write(json.dumps({"id": row["id"], "report": row["report"]}) + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    rows = [
        json.dumps({"id": f"{case['id']}-{i}", "report": case["report"]})
        for i in range(args.repeat)
        for path in CASE_FILES
        for case in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("\n".join(rows) + "\n", encoding="utf-8")
        stage_jsonl(source, target, "9")
        timings = {}
        for name, run in (
            ("staging", lambda: stage_jsonl(source, target, "9")),
            ("jsonl round trip", lambda: _round_trip(source, target)),
        ):
            started = time.perf_counter()
            count = run()
            timings[name] = count / (time.perf_counter() - started)
    print(f"reports: {len(rows)} (edition 9)")
    for name, rate in timings.items():
        print(f"{name:<18} {rate:>10.0f} reports/s")
    print(f"staging / round trip  {timings['staging'] / timings['jsonl round trip']:.4f}")


if __name__ == "__main__":
    main()
