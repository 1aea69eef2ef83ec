"""A run folder: its configuration, plan, per-task results (appended as they finish) and metrics.

``results.jsonl`` is append-only and each line is flushed when its task finishes. A run killed mid-write
leaves at most one partial last line; reading skips it and resuming cuts it off before appending, and rows
are keyed by task, so nothing is counted twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from eval.plan import Plan
from rag.errors import InputError

CONFIG = "config.json"
PLAN = "plan.json"
RESULTS = "results.jsonl"
METRICS = "metrics.json"
TIMING = "timing.json"


def write_json(path: Path, data: Any) -> None:
    """Atomic: a reader never sees half a file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise InputError(f"{path.parent}: no {path.name}; is this a run folder (medcite eval run --out ...)?")
    return json.loads(path.read_text(encoding="utf-8"))


class RunFolder:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def exists(self) -> bool:
        return (self.path / PLAN).is_file()

    def create(self, plan: Plan, config: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.path / CONFIG, config)
        write_json(self.path / PLAN, plan.to_dict())
        (self.path / RESULTS).touch()

    def plan(self) -> Plan:
        return Plan.from_dict(read_json(self.path / PLAN))

    def config(self) -> dict[str, Any]:
        data: dict[str, Any] = read_json(self.path / CONFIG)
        return data

    def rows(self) -> dict[str, dict[str, Any]]:
        """Complete rows by task key (the first row of a key wins; a torn last line is skipped)."""
        found: dict[str, dict[str, Any]] = {}
        path = self.path / RESULTS
        if not path.is_file():
            return found
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "key" in row:
                found.setdefault(str(row["key"]), row)
        return found

    def repair(self) -> None:
        """Cut a partial last line (a kill mid-write) so the next append starts on a fresh line."""
        path = self.path / RESULTS
        data = path.read_bytes() if path.is_file() else b""
        if data and not data.endswith(b"\n"):
            with path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def appender(self) -> IO[str]:
        return (self.path / RESULTS).open("a", encoding="utf-8")

    def ordered_rows(self, plan: Plan) -> list[dict[str, Any]]:
        """Rows in plan order, one per finished task: what every figure is computed from."""
        rows = self.rows()
        return [rows[task["key"]] for task in plan.tasks if task["key"] in rows]

    def start_session(self) -> None:
        """Open a timing entry now, so the time of a session that is killed still counts (it is updated as rows
        arrive; see :meth:`update_session`)."""
        timing = self.timing()
        timing["sessions"].append({"seconds": 0.0, "tasks": 0})
        self._save_timing(timing)

    def update_session(self, seconds: float, tasks: int) -> dict[str, Any]:
        timing = self.timing()
        if not timing["sessions"]:
            timing["sessions"].append({})
        timing["sessions"][-1] = {"seconds": round(seconds, 2), "tasks": tasks}
        return self._save_timing(timing)

    def _save_timing(self, timing: dict[str, Any]) -> dict[str, Any]:
        timing["wall_seconds"] = round(sum(s["seconds"] for s in timing["sessions"]), 2)
        write_json(self.path / TIMING, timing)
        return timing

    def timing(self) -> dict[str, Any]:
        path = self.path / TIMING
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {"sessions": []}

    def write_metrics(self, metrics: dict[str, Any]) -> None:
        write_json(self.path / METRICS, metrics)

    def metrics(self) -> dict[str, Any]:
        data: dict[str, Any] = read_json(self.path / METRICS)
        return data


def append_row(handle: IO[str], row: dict[str, Any]) -> None:
    handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    handle.flush()


def missing_tasks(plan: Plan, done: Iterable[str]) -> list[dict[str, Any]]:
    finished = set(done)
    return [task for task in plan.tasks if task["key"] not in finished]
