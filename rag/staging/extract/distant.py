"""Metastatic disease: pleural/pericardial spread (M1a) and extrathoracic metastases by organ system.

Metastases are often named only by their organ and a judgement ("left adrenal nodule, metastasis is
suspected", "osteolytic change in Th10"); the judgement decides the certainty and benign readings
("adenoma", "cyst", "bone island") deny it. The impression's judgement of an organ wins over the
findings'. Only single versus multiple matters for M1b/M1c, so counts are 1 or 2 ("several").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rag.staging.certainty import certainty_at, strongest
from rag.staging.extract.context import Group, Unit, cue_certainty, groups, ranked
from rag.staging.extract.nodes import NodeReading
from rag.staging.extract.vocabulary import (
    ANY_ORGAN,
    BENIGN_EFFUSION,
    DISTANT_BENIGN,
    DISTANT_METASTATIC,
    EFFUSION,
    INDETERMINATE,
    INVASION_VERB,
    MALIGNANT_EFFUSION,
    METASTATIC_SUBJECT,
    NODE_CUE,
    NON_REGIONAL_NODE,
    ORGANS,
    PERICARDIAL_SPREAD,
    PLEURAL_SPREAD,
    PRIMARY_SUBJECT,
)
from rag.staging.findings import Certainty, Metastasis, PleuralFinding, PleuralKind

_I = re.IGNORECASE
_MULTIPLE = re.compile(
    r"\b(?:multiple|numerous|several|innumerable|diffuse|widespread|bilateral|both|multifocal|few|various|"
    r"two|three|four|five|six|many|scattered|disseminated)\b|\banother\b|\badditional\b|(?<![\d.])\d+\s+"
    r"(?:[\w-]+\s+){0,2}(?:metastases|lesions|deposits|nodules|foci|masses|nodes)",
    _I,
)
_SINGLE = re.compile(r"\b(?:a|an|single|solitary|one|isolated|1|sole|only)\b", _I)
_STATED_SINGLE = re.compile(r"\b(?:single|solitary|isolated|sole)\b", _I)
_PLURAL = re.compile(r"metastases|lesions|deposits|nodules|masses|foci|nodes|secondaries|mets\b", _I)
_SINGULAR = re.compile(r"metastasis|lesion|deposit|nodule|mass|focus|node\b", _I)
_LOCATION_TOKEN = re.compile(
    r"\b(right|left|(?:Th|T|L|C)\s?\d{1,2}|iliac|rib|femur|femoral|sacr\w*|humer\w*|sternum|scapula|frontal|"
    r"parietal|temporal|occipital|cerebell\w*|segment\s+[IVX]+|S[1-8](?=\b))\b",
    _I,
)


@dataclass(frozen=True)
class _OrganMention:
    system: str
    certainty: Certainty
    count: int | None
    location: str
    evidence: str
    impression: bool


def _count(text: str) -> int | None:
    """2 stands for "multiple": only single versus multiple matters for M1b/M1c. A quantifier says more than a
    plural noun, which may belong to another organ in the stretch ("nodal metastases and a single adrenal
    metastasis")."""
    if _MULTIPLE.search(text):
        return 2
    if _STATED_SINGLE.search(text):
        return 1
    if _PLURAL.search(text):
        return 2
    if _SINGLE.search(text) or _SINGULAR.search(text):
        return 1
    return None


def _organ_anchors(text: str) -> list[tuple[int, int, str]]:
    found = [(m.start(), m.end(), system) for pattern, system in ORGANS for m in pattern.finditer(text)]
    found += [(m.start(), m.end(), "node") for m in NODE_CUE.finditer(text)]
    return sorted(found)


_TOWARDS = re.compile(
    r"(?:\s+(?:lesions?|metastas[ie]s|deposits?|foci|focus|changes?|nodules?|masses|mets))?"
    r"\s+(?:in|of|at|within|involving|to)\s+(?:the\s+)?(?:(?:left|right|both|lumbar|thoracic|cervical)\s+)?",
    _I,
)


def _owner(anchors: list[tuple[int, int, str]], start: int, end: int, text: str = "") -> str | None:
    """The anchor a cue belongs to: the nearest one, or the organ it points at ("metastasis in the iliac bone")."""
    towards = _TOWARDS.match(text, end) if text else None
    if towards:
        following = next((a for a in anchors if a[0] == towards.end()), None)
        if following is not None:
            return following[2]

    def gap(anchor: tuple[int, int, str]) -> int:
        if anchor[1] <= start:
            return start - anchor[1]
        if anchor[0] >= end:
            return anchor[0] - end
        return 0

    return min(anchors, key=gap)[2] if anchors else None


# Words that list organs side by side ("bone plus adrenal", "liver along with brain"): coordinating words, not
# phrases of any one report.
_COORDINATION = re.compile(
    r"\s*(?:,|and|or|&|plus|as\s+well\s+as|along\s+with|together\s+with|in\s+addition\s+to|/)\s*"
    r"(?:(?:both|bilateral|the|left|right|multiple|several)\s+)*",
    _I,
)


def _coordinated(anchors: list[tuple[int, int, str]], text: str, owner: str) -> set[str]:
    """The owner and the organs listed with it ("liver and bilateral adrenal metastases": both)."""
    systems = {owner}
    ordered = sorted(anchors)
    for (_, a_end, a_sys), (b_start, _, b_sys) in itertools.pairwise(ordered):
        if _COORDINATION.fullmatch(text[a_end:b_start]) and {a_sys, b_sys} & systems and "node" not in (a_sys, b_sys):
            systems |= {a_sys, b_sys}
    return systems


def _segment(anchors: list[tuple[int, int, str]], text: str, system: str) -> str:
    """The stretch of a clause about one organ: from the previous other anchor to the next one."""
    spans = [a for a in anchors if a[2] == system]
    if not spans:
        return text
    first, last = spans[0], spans[-1]
    start = max((a[1] for a in anchors if a[1] <= first[0] and a[2] != system), default=0)
    end = min((a[0] for a in anchors if a[0] >= last[1] and a[2] != system), default=len(text))
    return text[start:end]


def _owned_certainty(group: Group, pattern: re.Pattern[str], system: str) -> Certainty | None:
    clause = group.clause
    anchors = _organ_anchors(clause.text)
    found: list[Certainty] = []
    for match in pattern.finditer(clause.text):
        owner = _owner(anchors, match.start(), match.end(), clause.text)
        if owner is not None and system in _coordinated(anchors, clause.text, owner):
            found.append(certainty_at(group.unit.text, clause.start + match.start(), clause.start + match.end()))
    if group.followers:
        follower = cue_certainty(Group(group.unit, group.followers[0], group.followers[1:]), pattern)
        if follower is not None:
            found.append(follower)
    return strongest(found) if found else None


def _is_local_extent(text: str) -> bool:
    """A clause whose verb describes the primary growing into something ("the tumour invades the diaphragm")."""
    verb = INVASION_VERB.search(text)
    if not verb or re.search(r"meta(?!bol)", text, _I):
        return False
    before = text[: verb.start()]
    cues = [(m.start(), False) for m in METASTATIC_SUBJECT.finditer(before)]
    cues += [(m.start(), True) for m in PRIMARY_SUBJECT.finditer(before)]
    return bool(cues) and max(cues)[1]


def _organ_mentions(units: list[Unit]) -> list[_OrganMention]:
    mentions: list[_OrganMention] = []
    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        for group in groups(unit, lambda text: bool(ANY_ORGAN.search(text))):
            text = group.clause.text
            if _is_local_extent(text):
                continue
            for pattern, system in ORGANS:
                organ = pattern.search(text)
                if not organ:
                    continue
                metastatic = _owned_certainty(group, DISTANT_METASTATIC, system)
                benign = _owned_certainty(group, DISTANT_BENIGN, system)
                if metastatic is None and INDETERMINATE.search(group.text):
                    metastatic = "possible"  # "left adrenal nodule, indeterminate": possibly metastatic
                if metastatic is None:
                    continue
                certainty = metastatic
                if ranked(benign) >= 2 and metastatic != "present":
                    certainty = "possible" if metastatic in ("possible", "probable") else metastatic
                own = _segment(_organ_anchors(text), text, system)
                about = own + " " + " ".join(f.text for f in group.followers)
                location = " ".join(sorted({m.group(1).lower() for m in _LOCATION_TOKEN.finditer(about)}))
                mentions.append(
                    _OrganMention(system, certainty, _count(about), location, unit.text, unit.in_impression)
                )
    return mentions


def _system_count(mentions: list[_OrganMention]) -> int | None:
    stated: list[int | None] = [m.count for m in mentions if m.impression and m.count is not None]
    counts = stated or [m.count for m in mentions]
    if any(count is not None and count >= 2 for count in counts):
        return 2
    if not stated and len({m.location for m in mentions if m.location}) >= 2:
        return 2
    return 1 if counts and all(count == 1 for count in counts) else None


_SITE_SIDE = re.compile(r"\b(right|left|rt|lt|bilateral)\b", re.IGNORECASE)


def _node_sites(text: str) -> set[tuple[str | None, str]]:
    """Non-regional node sites a text names, as (side, site): ("l", "axill") for "left axillary node"."""
    sites = set()
    for match in NON_REGIONAL_NODE.finditer(text):
        side = _SITE_SIDE.search(text[max(0, match.start() - 12) : match.start()])
        sites.add((side.group(1)[0].lower() if side else None, match.group(0).lower()[:5]))
    return sites


def distant_metastases(units: list[Unit], non_regional: list[NodeReading]) -> list[Metastasis]:
    """Extrathoracic metastases per organ system; the impression's judgement of a system wins."""
    by_system: dict[str, list[_OrganMention]] = {}
    for mention in _organ_mentions(units):
        by_system.setdefault(mention.system, []).append(mention)
    result: list[Metastasis] = []
    for system, mentions in by_system.items():
        judged = [m for m in mentions if m.impression] or mentions
        certainty = strongest([m.certainty for m in judged])
        if certainty == "absent":
            continue
        counted = [m for m in mentions if m.certainty == certainty or m.impression]
        result.append(
            Metastasis(
                system=system,
                count=_system_count([m for m in counted if m.certainty != "absent"]),
                evidence=" | ".join(dict.fromkeys(m.evidence for m in counted)),
                certainty=certainty,
            )
        )
    if non_regional:
        certainty = strongest([r.certainty for r in non_regional if r.certainty])
        texts = list(dict.fromkeys(r.text for r in non_regional))
        counts = [_count(text) for text in texts]
        # The findings and the impression naming the same "left axillary node" describe one node, not two.
        sites = {site for text in texts for site in _node_sites(text)}
        distinct = len(sites) if sites else len(texts)
        count = 2 if distinct > 1 or 2 in counts else (1 if counts and all(c == 1 for c in counts) else None)
        result.append(
            Metastasis(system="non-regional lymph nodes", count=count, evidence=" | ".join(texts), certainty=certainty)
        )
    return result


def pleural_spread(units: list[Unit], notes: list[str]) -> list[PleuralFinding]:
    """Pleural and pericardial M1a findings; an effusion of unstated nature is only possible M1a."""
    found: dict[PleuralKind, PleuralFinding] = {}

    def add(kind: PleuralKind, certainty: Certainty, evidence: str, impression: bool) -> None:
        known = found.get(kind)
        if known is None or ranked(certainty) > ranked(known.certainty) or impression:
            found[kind] = PleuralFinding(kind=kind, evidence=evidence, certainty=certainty)

    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        text = unit.text
        spreads: tuple[tuple[re.Pattern[str], PleuralKind], ...] = (
            (PLEURAL_SPREAD, "pleural_nodules"),
            (PERICARDIAL_SPREAD, "pericardial_nodules"),
        )
        for pattern, spread in spreads:
            for match in pattern.finditer(text):
                add(spread, certainty_at(text, match.start(), match.end()), text, unit.in_impression)
        for group in groups(unit, lambda clause: bool(EFFUSION.search(clause))):
            effusion = EFFUSION.search(group.clause.text)
            if effusion is None:
                continue
            span = (group.clause.start + effusion.start(), group.clause.start + effusion.end())
            if certainty_at(text, *span) == "absent":
                continue
            pericardial = (effusion.group(1) or "").lower() == "pericardial"
            kind: PleuralKind = "malignant_pericardial_effusion" if pericardial else "malignant_pleural_effusion"
            malignant = cue_certainty(group, MALIGNANT_EFFUSION)
            benign = cue_certainty(group, BENIGN_EFFUSION)
            if malignant is not None and malignant != "absent":
                add(kind, malignant, text, unit.in_impression)
            elif ranked(benign) >= 2 or (malignant == "absent"):
                continue
            else:
                notes.append(f"effusion of unstated nature: possible M1a only if malignant: {text!r}")
                add(kind, "possible", text, unit.in_impression)
    return [finding for finding in found.values() if finding.certainty != "absent"]
