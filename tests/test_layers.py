"""Layering: the library (rag) imports neither evaluation, the service nor the command line; evaluation and
the service never import the command line. The command line is the top floor that composes them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {"rag": {"eval", "service", "medcite"}, "eval": {"service", "medcite"}, "service": {"medcite"}}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_a_higher_floor(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_top_levels(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
        if _imported_top_levels(path) & FORBIDDEN[package]
    }
    assert offenders == {}
