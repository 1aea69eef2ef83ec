"""T, N and M decisions from structured findings, each with its reason, evidence and guideline citations.

Each rule returns an :class:`Outcome`: the decision plus the values it may still stand for (``options``),
so that the stage grouping can tell a certain category from an undecidable split (N2 in the 9th edition,
M1 with an unknown lesion count) or an unknown one (NX, MX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from rag.staging.citations import Citation, cite
from rag.staging.findings import Findings, NodeFinding, Side, Tumour
from rag.staging.result import Decision
from rag.staging.stage_groups import M_VALUES, N_VALUES, T_VALUES

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Outcome:
    """A category decision, the values it may stand for, and warnings raised on the way."""

    decision: Decision
    options: tuple[str, ...]
    ambiguous: bool = False
    warnings: list[str] = field(default_factory=list)


# --- T -------------------------------------------------------------------------------------------------

_T_SIZE_QUOTES = {
    "T1a": ("t-categories/t1a", "T1a: greatest dimension of 1 cm or less"),
    "T1b": ("t-categories/t1b", "T1b: greater than 1 cm and at most 2 cm"),
    "T1c": ("t-categories/t1c", "T1c: greater than 2 cm and at most 3 cm"),
    "T2a": ("t-categories/t2a", "T2a: greater than 3 cm and at most 4 cm"),
    "T2b": ("t-categories/t2b", "T2b: greater than 4 cm and at most 5 cm"),
    "T3": ("t-categories/t3", "T3: greater than 5 cm and at most 7 cm"),
    "T4": ("t-categories/t4", "T4: greater than 7 cm"),
}
_SIZE_LIMITS = ((10.0, "T1a"), (20.0, "T1b"), (30.0, "T1c"), (40.0, "T2a"), (50.0, "T2b"), (70.0, "T3"))
_T2A_FEATURE = (
    "t-categories/t2a",
    "A tumour with a T2 feature is T2a when it measures 4 cm or less or when its size cannot be determined",
)
_FEATURE_QUOTES = {
    "main bronchus": (
        "t-categories/t2",
        "it involves the main bronchus at any distance from the carina, without involving the carina itself",
    ),
    "visceral pleura": ("t-categories/t2", "it invades the visceral pleura (PL1 or PL2)"),
    "pleura (layer not stated)": ("t-categories/t2", "it invades the visceral pleura (PL1 or PL2)"),
    "atelectasis": (
        "t-categories/t2",
        "it causes atelectasis or obstructive pneumonitis that reaches the hilar region, in part or all of the lung",
    ),
    "fissure": ("t-categories/t2a", "S5 also places invasion of an adjacent lobe across the fissure under T2a"),
    "T3": (
        "t-categories/t3",
        "Any size is T3 when the tumour directly invades the parietal pleura (PL3), the chest "
        "wall (superior sulcus tumours included), the phrenic nerve or the parietal pericardium",
    ),
    "T3-9th": (
        "t-categories/t3",
        "The 9th edition wording in S5 also names the azygos vein, thoracic nerve roots such "
        "as T1 and T2, and the stellate ganglion",
    ),
    "T4": (
        "t-categories/t4",
        "Any size is T4 when the tumour invades the diaphragm, mediastinum, heart, great "
        "vessels, trachea, recurrent laryngeal nerve, oesophagus, vertebral body or carina",
    ),
    "T4-9th": (
        "t-categories/t4",
        "The 9th edition wording in S5 also names the thymus, vagus nerve, intrapericardial "
        "pulmonary arteries and veins, supra-aortic arteries, brachiocephalic veins, subclavian vessels, "
        "vertebral lamina, spinal canal, cervical nerve roots and brachial plexus",
    ),
}
_NINTH_WORDING = {
    "azygos vein",
    "stellate ganglion",
    "thoracic nerve roots",
    "thymus",
    "vagus nerve",
    "brachial plexus",
    "subclavian vessels",
    "brachiocephalic vein",
    "spinal canal",
    "vertebral lamina",
}
_NODULE_QUOTES = {
    "same_lobe": (
        "T3",
        "t-categories/multiple-lesions",
        "A separate nodule of the same cancer in the same lobe: T3",
        "t-categories/t3",
        "Any size is T3 when there are separate tumour nodules in the same lobe as the primary",
    ),
    "other_ipsilateral_lobe": (
        "T4",
        "t-categories/multiple-lesions",
        "A separate nodule of the same cancer in another lobe of the same lung: T4",
        "t-categories/t4",
        "Any size is T4 when there are separate tumour nodules in a different lobe of the same lung",
    ),
}
_SUBSOLID = "t-categories/subsolid-nodules"
_HIGHEST_T = (
    "t-categories/rules-shared-by-all-t-categories",
    "a tumour takes the highest T category reached by its size or by any one of its features",
)
_SIZE_RULE = (
    "t-categories/rules-shared-by-all-t-categories",
    "The size that counts is the greatest dimension of the invasive (solid) part of the tumour",
)


@dataclass(frozen=True)
class _TCandidate:
    value: str
    reason: str
    evidence: list[str]
    citations: list[Citation]


def _cm(mm: float) -> str:
    return f"{mm / 10:g} cm"


def size_category(size_mm: float) -> str:
    """T category from the greatest dimension of the invasive part (identical in both editions)."""
    for limit, category in _SIZE_LIMITS:
        if size_mm <= limit:
            return category
    return "T4"


def _size_candidate(tumour: Tumour, warnings: list[str]) -> _TCandidate | None:
    evidence = tumour.evidence[:2]
    if tumour.histology in ("AIS", "SCIS"):
        return _TCandidate(
            "Tis",
            f"carcinoma in situ ({tumour.histology}) is described",
            evidence,
            [
                cite(
                    "t-categories/tis",
                    "Tis: carcinoma in situ, either squamous cell carcinoma in situ (SCIS) or "
                    "adenocarcinoma in situ (AIS, a purely lepidic tumour of 3 cm or less)",
                )
            ],
        )
    if tumour.histology == "MIA":
        return _TCandidate(
            "T1mi",
            "minimally invasive adenocarcinoma is described",
            evidence,
            [
                cite(
                    "t-categories/t1mi",
                    "T1mi: minimally invasive adenocarcinoma, 3 cm or less, mainly lepidic, with an "
                    "invasive part of 5 mm or less",
                )
            ],
        )
    size = tumour.size_mm
    if tumour.density == "ground-glass" and size is not None:
        if size <= 30:
            return _TCandidate(
                "Tis",
                f"pure ground-glass lesion of {_cm(size)} (3 cm or less)",
                evidence,
                [cite(_SUBSOLID, "A pure ground-glass lesion of 3 cm or less is at most cTis")],
            )
        return _TCandidate(
            "T1a",
            f"pure ground-glass lesion of {_cm(size)} (over 3 cm)",
            evidence,
            [cite(_SUBSOLID, "A subsolid lesion larger than 3 cm overall is at least cT1a, whatever it looks like")],
        )
    if tumour.density == "part-solid":
        if tumour.solid_mm is None:
            warnings.append("part-solid lesion without a measured solid component: T is based on the total size")
        else:
            return _part_solid_candidate(tumour.solid_mm, size, evidence)
    if size is None:
        return None
    category = size_category(size)
    return _TCandidate(
        category,
        f"greatest tumour dimension {_cm(size)}",
        evidence,
        [cite(*_T_SIZE_QUOTES[category]), cite(*_SIZE_RULE)],
    )


def _part_solid_candidate(solid: float, total: float | None, evidence: list[str]) -> _TCandidate:
    invasive = cite(_SUBSOLID, "In a part-solid lesion the solid component stands for the invasive part and sets cT")
    total_text = f"total {_cm(total)}" if total is not None else "total size not given"
    if solid <= 5:
        if total is None or total <= 30:
            return _TCandidate(
                "T1mi",
                f"part-solid lesion, solid component {solid:g} mm ({total_text})",
                evidence,
                [invasive, cite(_SUBSOLID, "Solid component of 5 mm or less with a total size of 3 cm or less: cT1mi")],
            )
        return _TCandidate(
            "T1a",
            f"part-solid lesion, solid component {solid:g} mm ({total_text}, over 3 cm)",
            evidence,
            [invasive, cite(_SUBSOLID, "Solid component of 5 mm or less with a total size over 3 cm: cT1a")],
        )
    category = size_category(solid)
    return _TCandidate(
        category,
        f"part-solid lesion, solid component {_cm(solid)} ({total_text})",
        evidence,
        [
            invasive,
            cite(
                _SUBSOLID,
                "A larger solid component follows the usual size scale: up to 10 mm "
                "cT1a, 11 to 20 mm cT1b, 21 to 30 mm cT1c, and so on",
            ),
            cite(*_T_SIZE_QUOTES[category]),
        ],
    )


def _feature_candidates(findings: Findings, tumour: Tumour, warnings: list[str]) -> list[_TCandidate]:
    candidates: list[_TCandidate] = []
    t2a = cite(*_T2A_FEATURE)
    if tumour.main_bronchus and not any(i.structure == "carina" for i in tumour.invasions):
        distance = f" {_cm(tumour.carina_distance_mm)} from the carina" if tumour.carina_distance_mm else ""
        candidates.append(
            _TCandidate(
                "T2a",
                f"main bronchus involved{distance}, carina spared",
                tumour.evidence[:1],
                [cite(*_FEATURE_QUOTES["main bronchus"]), t2a],
            )
        )
    if tumour.atelectasis_to_hilum:
        candidates.append(
            _TCandidate(
                "T2a",
                "atelectasis or obstructive pneumonitis extending to the hilum",
                tumour.evidence[:1],
                [cite(*_FEATURE_QUOTES["atelectasis"]), t2a],
            )
        )
    for invasion in tumour.invasions:
        if invasion.level == "T2":
            if invasion.structure == "pleura (layer not stated)":
                warnings.append("pleural invasion without the layer named: read as visceral pleura (T2)")
            candidates.append(
                _TCandidate(
                    "T2a",
                    f"invasion of the {invasion.structure}",
                    [invasion.evidence],
                    [cite(*_FEATURE_QUOTES.get(invasion.structure, _FEATURE_QUOTES["visceral pleura"])), t2a],
                )
            )
            continue
        key = invasion.level + ("-9th" if invasion.structure in _NINTH_WORDING else "")
        reason = f"direct invasion of the {invasion.structure}"
        if invasion.structure in _NINTH_WORDING:
            reason += " (named in the 9th-edition wording, S5 only)"
        candidates.append(_TCandidate(invasion.level, reason, [invasion.evidence], [cite(*_FEATURE_QUOTES[key])]))
    for nodule in findings.separate_nodules:
        if nodule.location in _NODULE_QUOTES:
            value, slug_a, quote_a, slug_b, quote_b = _NODULE_QUOTES[nodule.location]
            where = "the same lobe" if nodule.location == "same_lobe" else "another lobe of the same lung"
            candidates.append(
                _TCandidate(
                    value,
                    f"separate tumour nodule in {where}",
                    [nodule.evidence],
                    [cite(slug_a, quote_a), cite(slug_b, quote_b)],
                )
            )
    return candidates


def decide_t(findings: Findings) -> Outcome:
    """T from size (or subsolid rules) and every non-size feature; the highest category wins."""
    tumour = findings.tumour
    if tumour is None:
        return _no_tumour(findings)
    warnings: list[str] = []
    candidates = [c for c in [_size_candidate(tumour, warnings)] if c is not None]
    candidates += _feature_candidates(findings, tumour, warnings)
    if not candidates:
        decision = Decision(
            "T",
            "TX",
            "a primary tumour is described but neither its size nor any T-defining feature is given",
            tumour.evidence[:1],
            [cite("t-categories/tx", "TX: the primary tumour cannot be assessed")],
        )
        return Outcome(decision, ("TX",), warnings=warnings)
    rank = max(T_VALUES.index(c.value) for c in candidates)
    value = T_VALUES[rank]
    winners = [c for c in candidates if T_VALUES.index(c.value) == rank]
    others = [c for c in candidates if T_VALUES.index(c.value) < rank]
    reason = "; ".join(c.reason for c in winners) + f" -> {value}"
    if others:
        reason += ". Also noted: " + "; ".join(f"{c.reason} ({c.value})" for c in others)
    citations = _unique([cit for c in winners for cit in c.citations] + ([cite(*_HIGHEST_T)] if others else []))
    evidence = _unique([e for c in winners for e in c.evidence if e])
    return Outcome(Decision("T", value, reason, evidence, citations), (value,), warnings=warnings)


def _no_tumour(findings: Findings) -> Outcome:
    tx = cite(
        "t-categories/tx",
        "TX: the primary tumour cannot be assessed, or malignant cells are found in sputum or "
        "bronchial washings while imaging and bronchoscopy show no tumour",
    )
    if findings.malignant_cytology:
        decision = Decision(
            "T", "TX", "malignant cells in sputum or bronchial washings without a tumour on imaging", [], [tx]
        )
    elif findings.primary_not_seen:
        decision = Decision(
            "T",
            "T0",
            "no primary tumour is seen",
            [],
            [cite("t-categories/t0", "T0: there is no evidence of a primary tumour")],
        )
    else:
        decision = Decision("T", "TX", "the text describes no primary tumour, so T cannot be assessed", [], [tx])
    return Outcome(decision, (decision.value,))


# --- N -------------------------------------------------------------------------------------------------

_N_QUOTES = {
    "NX": ("n-categories/nx", "NX: the regional lymph nodes cannot be assessed"),
    "N0": ("n-categories/n0", "N0: no metastasis in regional lymph nodes"),
    "N1": (
        "n-categories/n1",
        "N1: metastasis in ipsilateral peribronchial and/or ipsilateral hilar and "
        "intrapulmonary nodes, including involvement by direct extension",
    ),
    "N2": (
        "n-categories/n2-8th-edition",
        "N2 (8th edition): metastasis in ipsilateral mediastinal and/or subcarinal "
        "node(s); the 8th edition does not subdivide N2",
    ),
    "N2a": (
        "n-categories/n2a-9th-edition",
        "N2a (9th edition): a single ipsilateral mediastinal or subcarinal nodal station is involved",
    ),
    "N2b": (
        "n-categories/n2b-9th-edition",
        "N2b (9th edition): two or more ipsilateral mediastinal nodal stations "
        "are involved, whether or not the subcarinal station is one of them",
    ),
    "N3": (
        "n-categories/n3",
        "N3: metastasis in contralateral mediastinal or contralateral hilar nodes, or in scalene "
        "or supraclavicular nodes on either side",
    ),
}
_STATIONS_COUNT = ("n-categories/n2b-9th-edition", "N2a and N2b count involved stations, not involved nodes")
_STATION_QUOTES = {
    "1": ("iaslc-lymph-node-stations/station-1", "Station 1 nodes are N3 whatever the side of the tumour"),
    "2": (
        "iaslc-lymph-node-stations/station-2",
        "Station 2 is N2 on the side of the tumour and N3 on the opposite side",
    ),
    "3": (
        "iaslc-lymph-node-stations/stations-3a-and-3p",
        "Stations 3a and 3p lie in the midline and are N2 for a tumour of either side",
    ),
    "4": (
        "iaslc-lymph-node-stations/station-4",
        "Station 4 is N2 on the side of the tumour and N3 on the opposite side",
    ),
    "5": (
        "iaslc-lymph-node-stations/stations-5-and-6",
        "Stations 5 and 6 are left-sided mediastinal stations: N2 for "
        "a left-sided tumour and N3 for a right-sided tumour",
    ),
    "7": ("iaslc-lymph-node-stations/station-7", "Station 7 is N2 for a tumour of either side"),
    "8": (
        "iaslc-lymph-node-stations/stations-8-and-9",
        "Stations 8 and 9 are N2 on the side of the tumour and N3 on the opposite side",
    ),
    "10": (
        "iaslc-lymph-node-stations/stations-10-to-14",
        "Stations 10 to 14 are N1 on the side of the tumour and N3 on the opposite side",
    ),
}
_STATION_RE = re.compile(r"^(1[0-4]|[1-9])([RL]|[ap])?$")
_N_RANK = {"N1": 1, "N2": 2, "N3": 3}


@dataclass(frozen=True)
class _NodeRole:
    role: str | None  # N1, N2, N3; None when the tumour side is needed but unknown
    label: str
    station_group: str | None  # key of _STATION_QUOTES
    n2_stations: frozenset[str] | None  # possible N2 stations (None: any station)
    assumption: str | None


def _station_role(node: NodeFinding, tumour_side: Side | None) -> _NodeRole:
    station = node.station or ""
    match = _STATION_RE.match(station)
    if not match:
        return _NodeRole(None, f"station {station}", None, None, f"unknown station {station!r} ignored")
    number, suffix = match.group(1), match.group(2) or ""
    label = f"station {station}"
    group = {"6": "5", "9": "8", "11": "10", "12": "10", "13": "10", "14": "10"}.get(number, number)
    if number == "1":
        return _NodeRole("N3", label, group, None, None)
    if number in ("3", "7"):
        return _NodeRole("N2", label, group, frozenset({station}), None)
    if number in ("5", "6"):
        if tumour_side is None:
            return _NodeRole(None, label, group, None, f"{label}: tumour side unknown")
        role = "N2" if tumour_side == "left" else "N3"
        return _NodeRole(role, label, group, frozenset({station}), None)
    ipsilateral_role = "N1" if int(number) >= 10 else "N2"
    node_side = {"R": "right", "L": "left"}.get(suffix)
    if node_side is None or tumour_side is None:
        if node_side is not None and tumour_side is None:
            return _NodeRole(None, label, group, None, f"{label}: tumour side unknown")
        note = f"{label} given without side: read as ipsilateral"
        return _NodeRole(ipsilateral_role, label, group, frozenset({station}), note)
    if node_side == tumour_side:
        return _NodeRole(ipsilateral_role, label, group, frozenset({station}), None)
    return _NodeRole("N3", label, group, None, None)


def _region_role(node: NodeFinding, tumour_side: Side | None) -> _NodeRole:
    region = node.region or "mediastinal"
    side_word = f"{node.side} " if node.side else ""
    label = f"{side_word}{region} node(s)"
    if region == "supraclavicular":
        return _NodeRole("N3", label, "1", None, None)
    if node.contralateral:
        return _NodeRole("N3", f"contralateral {region} node(s)", None, None, None)
    ipsilateral_role = "N1" if region in ("hilar", "peribronchial") else "N2"
    group = "10" if ipsilateral_role == "N1" else None
    if node.side is not None and tumour_side is not None:
        if node.side != tumour_side:
            return _NodeRole("N3", label, group, None, None)
        possible = (
            frozenset({f"2{node.side[0].upper()}", f"4{node.side[0].upper()}"}) if region == "paratracheal" else None
        )
        return _NodeRole(ipsilateral_role, label, group, possible, None)
    if node.side is not None and tumour_side is None:
        return _NodeRole(None, label, group, None, f"{label}: tumour side unknown")
    assumption = None if node.contralateral is False else f"{label} without side: read as ipsilateral"
    return _NodeRole(ipsilateral_role, label, group, None, assumption)


def _role(node: NodeFinding, tumour_side: Side | None) -> _NodeRole:
    return _station_role(node, tumour_side) if node.station else _region_role(node, tumour_side)


def decide_n(findings: Findings, edition: str) -> Outcome:
    """N from the highest-ranked involved node; in the 9th edition N2 splits by the number of N2 stations."""
    side = findings.tumour.side if findings.tumour else None
    roles = [(node, _role(node, side)) for node in findings.nodes]
    warnings = [r.assumption for _, r in roles if r.assumption]
    known = [(node, r) for node, r in roles if r.role is not None]
    unknown = [r for _, r in roles if r.role is None]
    every_n = N_VALUES[edition]
    if not findings.nodes and not findings.nodes_assessed:
        decision = Decision(
            "N", "NX", "the text makes no statement on the regional lymph nodes", [], [cite(*_N_QUOTES["NX"])]
        )
        return Outcome(decision, every_n, warnings=warnings)
    if not known and not unknown:
        decision = Decision("N", "N0", "no involved regional lymph node is described", [], [cite(*_N_QUOTES["N0"])])
        return Outcome(decision, ("N0",), warnings=warnings)
    top = max((_N_RANK[r.role] for _, r in known if r.role), default=0)
    if unknown and top < 3:
        unknown_labels = ", ".join(r.label for r in unknown)
        decision = Decision(
            "N",
            "NX",
            f"the N role of {unknown_labels} depends on the tumour side, which is not stated",
            [n.evidence for n, _ in roles if n.evidence][:3],
            [cite(*_N_QUOTES["NX"])],
        )
        return Outcome(decision, every_n, warnings=warnings)
    top_role = {1: "N1", 2: "N2", 3: "N3"}[top]
    top_nodes = [(node, r) for node, r in known if r.role == top_role]
    labels = _unique([r.label for _, r in top_nodes])
    evidence = _unique([node.evidence for node, _ in top_nodes if node.evidence])
    station_citations = [cite(*_STATION_QUOTES[r.station_group]) for _, r in top_nodes if r.station_group]
    if top_role != "N2" or edition == "8":
        reason = f"involved {', '.join(labels)} -> {top_role}"
        citations = _unique([cite(*_N_QUOTES[top_role]), *station_citations])
        return Outcome(Decision("N", top_role, reason, evidence, citations), (top_role,), warnings=warnings)
    return _split_n2(top_nodes, labels, evidence, station_citations, warnings)


def _split_n2(
    top_nodes: list[tuple[NodeFinding, _NodeRole]],
    labels: list[str],
    evidence: list[str],
    station_citations: list[Citation],
    warnings: list[str],
) -> Outcome:
    definite = {next(iter(r.n2_stations)) for _, r in top_nodes if r.n2_stations and len(r.n2_stations) == 1}
    uncertain = [r.n2_stations for _, r in top_nodes if not (r.n2_stations and len(r.n2_stations) == 1)]
    extra = 1 if any(group is not None and not (group & definite) for group in uncertain) else 0
    minimum = len(definite) + extra
    count_citation = cite(*_STATIONS_COUNT)
    stations_text = ", ".join(sorted(definite)) or "none named"
    if minimum >= 2:
        reason = (
            f"involved ipsilateral mediastinal/subcarinal stations: {', '.join(labels)} (at least {minimum}) -> N2b"
        )
        citations = _unique([cite(*_N_QUOTES["N2b"]), count_citation, *station_citations])
        return Outcome(Decision("N", "N2b", reason, evidence, citations), ("N2b",), warnings=warnings)
    if not uncertain:
        reason = f"a single involved ipsilateral mediastinal/subcarinal station ({stations_text}) -> N2a"
        citations = _unique([cite(*_N_QUOTES["N2a"]), count_citation, *station_citations])
        return Outcome(Decision("N", "N2a", reason, evidence, citations), ("N2a",), warnings=warnings)
    reason = (
        f"ipsilateral mediastinal involvement ({', '.join(labels)}) without the number of involved stations; "
        "N2a or N2b cannot be decided"
    )
    warnings = [*warnings, "9th edition: N2a/N2b split undecidable; give the involved IASLC stations"]
    citations = _unique([cite(*_N_QUOTES["N2a"]), cite(*_N_QUOTES["N2b"]), count_citation, *station_citations])
    return Outcome(Decision("N", "N2", reason, evidence, citations), ("N2a", "N2b"), ambiguous=True, warnings=warnings)


# --- M -------------------------------------------------------------------------------------------------

_M_QUOTES = {
    "M0": ("m-categories/m0", "M0: no distant metastasis"),
    "MX": (
        "m-categories/m0",
        "M0 is a positive finding of the work-up: distant sites were looked at and no metastasis was found",
    ),
    "M1a": (
        "m-categories/m1a",
        "M1a: separate tumour nodule(s) in a contralateral lobe, pleural or pericardial "
        "nodules, or a malignant pleural or pericardial effusion",
    ),
    "M1b": (
        "m-categories/m1b",
        "M1b: a single extrathoracic metastasis in a single organ, which includes a single "
        "non-regional lymph node; the 9th edition speaks of a single organ system",
    ),
    "M1c": (
        "m-categories/m1c-8th-edition",
        "M1c (8th edition): multiple extrathoracic metastases in one organ or in several organs",
    ),
    "M1c1": (
        "m-categories/m1c1-9th-edition",
        "M1c1 (9th edition): multiple extrathoracic metastases within one organ system",
    ),
    "M1c2": (
        "m-categories/m1c2-9th-edition",
        "M1c2 (9th edition): multiple extrathoracic metastases in two or more organ systems",
    ),
}
_ORGAN_SYSTEM = ("m-categories/organ-systems", "both sides of a paired organ count as one system")
_CONTRALATERAL_NODULE = (
    "t-categories/multiple-lesions",
    "A separate nodule of the same cancer in the opposite lung: M1a",
)
_NON_REGIONAL = (
    "n-categories/nodes-outside-the-regional-map",
    "Parasternal and axillary nodes are not regional lymph nodes; their involvement is distant (M) disease",
)


def decide_m(findings: Findings, edition: str) -> Outcome:
    """M from intrathoracic spread (M1a) and the number of extrathoracic lesions and organ systems."""
    m1a_evidence = [n.evidence for n in findings.separate_nodules if n.location == "contralateral"]
    m1a_evidence += [p.evidence for p in findings.pleural]
    systems = findings.metastases
    if systems:
        return _extrathoracic(findings, edition, m1a_evidence)
    if m1a_evidence:
        citations = [cite(*_M_QUOTES["M1a"])]
        if any(n.location == "contralateral" for n in findings.separate_nodules):
            citations.append(cite(*_CONTRALATERAL_NODULE))
        kinds = [p.kind.replace("_", " ") for p in findings.pleural]
        kinds += ["contralateral lung nodule"] * any(n.location == "contralateral" for n in findings.separate_nodules)
        reason = f"{', '.join(_unique(kinds))} without extrathoracic metastasis -> M1a"
        return Outcome(Decision("M", "M1a", reason, _unique(m1a_evidence), citations), ("M1a",))
    if findings.distant_assessed:
        decision = Decision("M", "M0", "distant sites are described without metastasis", [], [cite(*_M_QUOTES["M0"])])
        return Outcome(decision, ("M0",))
    decision = Decision(
        "M",
        "MX",
        "the text makes no statement on distant metastasis, so M0 cannot be confirmed",
        [],
        [cite(*_M_QUOTES["MX"])],
    )
    return Outcome(decision, M_VALUES[edition], warnings=["no statement on distant metastasis: M not assessed"])


def _extrathoracic(findings: Findings, edition: str, m1a_evidence: list[str]) -> Outcome:
    systems = findings.metastases
    names = [m.system for m in systems]
    evidence = _unique([m.evidence for m in systems] + m1a_evidence)
    extra = [cite(*_NON_REGIONAL)] if "non-regional lymph nodes" in names else []
    also = " (M1a disease also present)" if m1a_evidence else ""
    multiple_value = "M1c" if edition == "8" else "M1c1"
    if len(systems) >= 2:
        value = "M1c" if edition == "8" else "M1c2"
        reason = f"metastases in {len(systems)} organ systems ({', '.join(names)}){also} -> {value}"
        citations = [cite(*_M_QUOTES[value])] + ([cite(*_ORGAN_SYSTEM)] if edition == "9" else []) + extra
        return Outcome(Decision("M", value, reason, evidence, _unique(citations)), (value,))
    only = systems[0]
    if only.count == 1:
        reason = f"a single extrathoracic metastasis ({only.system}){also} -> M1b"
        return Outcome(Decision("M", "M1b", reason, evidence, [cite(*_M_QUOTES["M1b"]), *extra]), ("M1b",))
    if only.count is not None:
        reason = f"multiple metastases within one organ system ({only.system}){also} -> {multiple_value}"
        citations = [cite(*_M_QUOTES[multiple_value])] + ([cite(*_ORGAN_SYSTEM)] if edition == "9" else []) + extra
        return Outcome(Decision("M", multiple_value, reason, evidence, _unique(citations)), (multiple_value,))
    reason = (
        f"extrathoracic metastatic disease in one organ system ({only.system}) without a lesion count: "
        f"M1b or {multiple_value}"
    )
    citations = [cite(*_M_QUOTES["M1b"]), cite(*_M_QUOTES[multiple_value]), *extra]
    warning = f"number of {only.system} metastases not stated: M1b versus {multiple_value} undecidable"
    return Outcome(
        Decision("M", "M1", reason, evidence, citations), ("M1b", multiple_value), ambiguous=True, warnings=[warning]
    )


def _unique(items: list[_Item]) -> list[_Item]:
    seen: list[_Item] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
