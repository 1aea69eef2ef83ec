"""Where the data files medcite ships with its packages live once installed.

``importlib.resources`` finds them in an editable checkout, a wheel installed into site-packages and the
Docker image alike; a path computed from ``__file__`` up to the repository root finds only the first.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rag.errors import MissingDependencyError


def package_dir(package: str) -> Path:
    """The folder holding ``package``'s files; installed packages are plain directories, never zips."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"the {package!r} package data is not installed; reinstall medcite (`pip install .`)"
        ) from exc
    if not isinstance(root, Path):
        raise MissingDependencyError(f"{package!r} is installed as {type(root).__name__}, not a folder; reinstall it")
    return root


def knowledge_dir() -> Path:
    """The shipped guideline knowledge (``knowledge/``: manifest.json and Markdown)."""
    return package_dir("knowledge")
