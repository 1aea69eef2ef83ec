"""What every category rule returns: the decision and the values it may still stand for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from rag.staging.result import Decision

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Outcome:
    """A category decision, the values it may stand for, and warnings raised on the way.

    ``options`` lets the stage grouping tell a certain category from an undecidable split (N2 in the 9th
    edition, M1 with an unknown lesion count) or an unknown one (TX, NX).
    """

    decision: Decision
    options: tuple[str, ...]
    ambiguous: bool = False
    warnings: list[str] = field(default_factory=list)


def unique(items: list[_Item]) -> list[_Item]:
    """Order-preserving de-duplication for lists of unhashable items."""
    seen: list[_Item] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
