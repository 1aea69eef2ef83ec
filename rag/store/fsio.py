"""Durable writes: a rename only protects data whose bytes and directory entries reached the disk."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or a directory by path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


CURRENT = "CURRENT"


def version_name(prefix: str, now: float) -> str:
    """``<prefix>-<UTC time to the microsecond>-<random>``: sorts by creation time, unique across writers."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1e6):06d}"
    return f"{prefix}-{stamp}-{uuid.uuid4().hex[:6]}"


def publish_version(root: Path, name: str, fill: Callable[[Path], None]) -> Path:
    """Write ``root/name`` through a temporary directory (``fill`` writes into it), then switch ``root/CURRENT``
    to it; a crash at any point leaves the previous version serving."""
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{name}"
    staging.mkdir()
    try:
        fill(staging)
        fsync_path(staging)
        final = root / name
        os.rename(staging, final)
        fsync_path(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = root / f"{CURRENT}.tmp"
    with pointer.open("w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, root / CURRENT)
    fsync_path(root)
    return final
