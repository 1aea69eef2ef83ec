"""A non-editable install finds its data: build the wheel, install it into a fresh venv and stage a report.

The fresh venv reuses this environment's dependencies through a .pth line (no download of torch again);
medcite itself comes only from the wheel, and the commands run outside the source tree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.service.conftest import REPORT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "rag", "service", "eval", "bench", "medcite", "knowledge")


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_wheel_installs_with_its_knowledge_and_stages(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(origin, source / name)
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        tmp_path,
    )  # fmt: skip
    wheel = next((tmp_path / "dist").glob("medcite-*.whl"))

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).strip()
    )
    (site / "_medcite_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        tmp_path,
    )

    where = json.loads(
        _run(
            [str(python), "-c",
             "import json, rag, knowledge; from rag.resources import package_dir; from rag.knowledge import "
             "DEFAULT_KNOWLEDGE_DIR as k; print(json.dumps({'rag': rag.__file__, 'knowledge': str(k), "
             "'manifest': (k / 'manifest.json').is_file(), "
             "'page': (package_dir('service') / 'web' / 'index.html').is_file()}))"],
            tmp_path,
        )
    )  # fmt: skip
    assert where["rag"].startswith(str(site)) and where["knowledge"].startswith(str(site))
    assert where["manifest"] and where["page"]
    data_files = [
        path.relative_to(source)
        for package in ("rag", "service", "knowledge")
        for path in (source / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    missing = [str(name) for name in data_files if not (site / name).is_file()]
    assert data_files and missing == [], f"data files left out of the wheel: {missing}"

    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    staged = json.loads(_run([str(venv / "bin" / "medcite"), "stage", "--edition", "9", str(report)], tmp_path))
    assert staged["t"] == "T2b" and staged["preliminary"] is True
    assert staged["decisions"][0]["citations"][0]["source_id"].startswith("lung-tnm#")
