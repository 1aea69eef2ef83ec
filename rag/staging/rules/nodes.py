"""N: the highest-ranked involved regional node; in the 9th edition N2 splits by the number of stations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.staging.citations import Citation, cite
from rag.staging.findings import Findings, NodeFinding, Side
from rag.staging.result import Decision
from rag.staging.rules.outcome import Outcome, unique
from rag.staging.stage_groups import N_VALUES

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
_CLINICAL_N0 = (
    "n-categories/n0",
    "regional nodes that the chest imaging shows without enlargement or other sign of metastasis are cN0",
)
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
            "N",
            "NX",
            "the regional lymph nodes were not evaluated; missing: a statement on the hilar and mediastinal nodes",
            [],
            [cite(*_N_QUOTES["NX"])],
        )
        return Outcome(decision, every_n, warnings=warnings)
    if not known and not unknown:
        decision = Decision(
            "N",
            "N0",
            "no involved regional lymph node is described: clinical N0",
            [],
            [cite(*_N_QUOTES["N0"]), cite(*_CLINICAL_N0)],
        )
        return Outcome(decision, ("N0",), warnings=warnings)
    top = max((_N_RANK[r.role] for _, r in known if r.role), default=0)
    if unknown and top < 3:
        unknown_labels = ", ".join(r.label for r in unknown)
        decision = Decision(
            "N",
            "NX",
            f"the N role of {unknown_labels} depends on the tumour side; missing: the side of the primary tumour",
            [n.evidence for n, _ in roles if n.evidence][:3],
            [cite(*_N_QUOTES["NX"])],
        )
        return Outcome(decision, every_n, warnings=warnings)
    top_role = {1: "N1", 2: "N2", 3: "N3"}[top]
    top_nodes = [(node, r) for node, r in known if r.role == top_role]
    labels = unique([r.label for _, r in top_nodes])
    evidence = unique([node.evidence for node, _ in top_nodes if node.evidence])
    station_citations = [cite(*_STATION_QUOTES[r.station_group]) for _, r in top_nodes if r.station_group]
    if top_role != "N2" or edition == "8":
        reason = f"involved {', '.join(labels)} -> {top_role}"
        citations = unique([cite(*_N_QUOTES[top_role]), *station_citations])
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
        citations = unique([cite(*_N_QUOTES["N2b"]), count_citation, *station_citations])
        return Outcome(Decision("N", "N2b", reason, evidence, citations), ("N2b",), warnings=warnings)
    if not uncertain:
        reason = f"a single involved ipsilateral mediastinal/subcarinal station ({stations_text}) -> N2a"
        citations = unique([cite(*_N_QUOTES["N2a"]), count_citation, *station_citations])
        return Outcome(Decision("N", "N2a", reason, evidence, citations), ("N2a",), warnings=warnings)
    reason = (
        f"ipsilateral mediastinal involvement ({', '.join(labels)}) without the number of involved stations; "
        "N2a or N2b cannot be decided"
    )
    warnings = [*warnings, "9th edition: N2a/N2b split undecidable; give the involved IASLC stations"]
    citations = unique([cite(*_N_QUOTES["N2a"]), cite(*_N_QUOTES["N2b"]), count_citation, *station_citations])
    return Outcome(Decision("N", "N2", reason, evidence, citations), ("N2a", "N2b"), ambiguous=True, warnings=warnings)
