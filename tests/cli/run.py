"""Run the installed ``medcite`` command line in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def medcite(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "medcite.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"medcite {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
