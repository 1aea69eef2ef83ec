"""Which certainties count, and what each uncounted finding would change if it were confirmed.

The default counts findings the report states as present or probable (the radiologist's conclusion);
"present" counts only unhedged findings; "possible" counts everything not denied. An uncounted finding
is restaged on its own as if confirmed, so a hedge that would move the stage is never silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

from rag.errors import InputError
from rag.staging.findings import (
    ATELECTASIS_FEATURE,
    CERTAINTY_RANK,
    MAIN_BRONCHUS_FEATURE,
    Findings,
    Invasion,
    Metastasis,
    NodeFinding,
    PleuralFinding,
    SeparateNodule,
)

CertaintyPolicy = Literal["probable", "present", "possible"]
DEFAULT_POLICY: CertaintyPolicy = "probable"
Item = Invasion | SeparateNodule | NodeFinding | PleuralFinding | Metastasis
_LISTS = ("separate_nodules", "nodes", "pleural", "metastases")


def check_policy(policy: str) -> CertaintyPolicy:
    if policy not in get_args(CertaintyPolicy):
        raise InputError(f"certainty policy must be one of {list(get_args(CertaintyPolicy))}, got {policy!r}")
    return policy  # type: ignore[return-value]


def _counts(item: Item, policy: CertaintyPolicy) -> bool:
    return CERTAINTY_RANK[item.certainty] >= CERTAINTY_RANK[policy]


def apply_policy(findings: Findings, policy: CertaintyPolicy) -> Findings:
    """The findings staging counts under ``policy`` (denied findings never count)."""
    update: dict[str, object] = {
        name: [i for i in getattr(findings, name) if _counts(i, policy) and i.certainty != "absent"] for name in _LISTS
    }
    if findings.tumour is not None:
        invasions = [i for i in findings.tumour.invasions if _counts(i, policy) and i.certainty != "absent"]
        update["tumour"] = findings.tumour.model_copy(update={"invasions": invasions})
    return findings.model_copy(update=update)


@dataclass(frozen=True)
class Uncounted:
    """A finding below the policy's threshold, with the counted findings it would join if confirmed."""

    item: Item
    description: str
    confirmed: Findings


def describe(item: Item) -> str:
    """A short clinical name for a finding ("possible pleural nodules", "station 4R node")."""
    if isinstance(item, Invasion):
        if item.structure in (MAIN_BRONCHUS_FEATURE, ATELECTASIS_FEATURE):
            return item.structure
        return f"invasion of the {item.structure}"
    if isinstance(item, SeparateNodule):
        where = {"same_lobe": "the same lobe", "other_ipsilateral_lobe": "another ipsilateral lobe"}.get(
            item.location, "the opposite lung"
        )
        what = "lymphangitic spread" if item.kind == "lymphangitic" else "separate tumour nodule"
        return f"{what} in {where}"
    if isinstance(item, NodeFinding):
        if item.station:
            return f"involved station {item.station} node"
        side = f"{item.side} " if item.side else ""
        return f"involved {side}{item.region or 'regional'} node"
    if isinstance(item, PleuralFinding):
        return {
            "pleural_nodules": "pleural nodules or dissemination",
            "pericardial_nodules": "pericardial nodules",
        }.get(item.kind, item.kind.replace("_", " "))
    return f"{item.system} metastasis"


def uncounted(findings: Findings, counted: Findings, policy: CertaintyPolicy) -> Iterator[Uncounted]:
    """Each hedged finding left out by the policy, with ``counted`` plus that finding confirmed."""
    for name in _LISTS:
        for item in getattr(findings, name):
            if item.certainty == "absent" or _counts(item, policy):
                continue
            confirmed = item.model_copy(update={"certainty": "present"})
            others = [i for i in getattr(counted, name) if not _same(i, item)]
            yield Uncounted(item, describe(item), counted.model_copy(update={name: [*others, confirmed]}))
    if findings.tumour is None or counted.tumour is None:
        return
    for invasion in findings.tumour.invasions:
        if invasion.certainty == "absent" or _counts(invasion, policy):
            continue
        confirmed_invasion = invasion.model_copy(update={"certainty": "present"})
        tumour = counted.tumour.model_copy(update={"invasions": [*counted.tumour.invasions, confirmed_invasion]})
        yield Uncounted(invasion, describe(invasion), counted.model_copy(update={"tumour": tumour}))


def _same(a: Item, b: Item) -> bool:
    """Metastases of one organ system are one finding: confirming a hedged one replaces the counted one."""
    return isinstance(a, Metastasis) and isinstance(b, Metastasis) and a.system == b.system
