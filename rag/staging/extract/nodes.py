"""Regional lymph nodes: stations in every usual spelling, their side, and whether the report calls them involved.

Stations come as "4R", "#4R", "station 4R", "level 7", "No. 7", "#11s", or by name ("right lower
paratracheal", "subcarinal", "AP window"). A node counts as involved when the report says so
("enlarged", "swollen", "FDG-avid", "metastasis is suspected") or measures it at 10 mm or more in
short axis; "reactive", "calcified", "not enlarged" deny it; "cannot be excluded" leaves it possible.
The impression's judgement of the nodes wins over the findings'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.staging.certainty import strongest
from rag.staging.extract.context import Group, Unit, cue_certainty, groups, ranked
from rag.staging.extract.vocabulary import (
    METASTATIC_CUE,
    NODE_BENIGN,
    NODE_CUE,
    NODE_POSITIVE,
    NON_REGIONAL_NODE,
)
from rag.staging.findings import Certainty, NodeFinding, Side
from rag.staging.sizes import measurements

_I = re.IGNORECASE
_ITEM = r"(?:1[0-4]|[1-9])(?:[RLrlap]|[siuml](?![a-z]))?(?!\d)(?!\.\d)(?!\s*(?:mm|cm))"
_STATION_LIST = re.compile(
    rf"(?:\b(?:stations?|levels?|No\.?|nos\.?)\s*|#\s*)({_ITEM}(?:\s*(?:,|and|/|&|or|\+)\s*#?\s*{_ITEM})*)",
    _I,
)
_STATION_TOKEN = re.compile(r"(?<![\w.])(1[0-4]|[1-9])([RLrl]|[ap]|[siuml](?![a-z]))?(?![\w.])")
_STATION_ITEM = r"#?(?:1[0-4]|[1-9])[RLap]?(?![\w.])(?!\s*(?:mm|cm))"
_BARE_STATION = re.compile(
    rf"(?<![\w.#])(?:(?:1[0-4]|[1-9])[RL]|3[ap])(?![\w])(?:\s*(?:,|and|/|&|or)\s*{_STATION_ITEM})*"
)
_SIDE_BEFORE = r"(?:(right|left|ipsilateral|contralateral|bilateral)\s+(?:(?:and|or|&)\s+(?:right|left)\s+)?)?"
_NODE_PLACES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_SIDE_BEFORE + r"(lower|upper|high|low)?\s*paratracheal", _I), "paratracheal"),
    (re.compile(_SIDE_BEFORE + r"(?:peri)?hil(?:ar|um)", _I), "hilar"),
    (re.compile(r"subcarinal|tracheal\s+bifurcation\s+(?:lymph|node)", _I), "7"),
    (re.compile(r"prevascular|anterior\s+mediastinal|pretracheal", _I), "3a"),
    (re.compile(r"retrotracheal|prevertebral", _I), "3p"),
    (re.compile(r"aorto-?pulmonary|\bA-?P\s+window|subaortic|aortopulmonary", _I), "5"),
    (re.compile(r"para-?aortic(?!\s+(?:abdominal|retroperitoneal))|ascending\s+aort", _I), "6"),
    (re.compile(_SIDE_BEFORE + r"para-?o?esophageal", _I), "8"),
    (re.compile(_SIDE_BEFORE + r"(?:inferior\s+)?pulmonary\s+ligament", _I), "9"),
    (re.compile(_SIDE_BEFORE + r"interlobar", _I), "11"),
    (re.compile(_SIDE_BEFORE + r"(?:peribronchial|intrapulmonary|lobar|segmental)", _I), "peribronchial"),
    (
        re.compile(_SIDE_BEFORE + r"(?:supraclav\w*|scalene|low(?:er)?\s+cervical|sternal\s+notch)", _I),
        "supraclavicular",
    ),
    (re.compile(_SIDE_BEFORE + r"mediastin(?:al|um)", _I), "mediastinal"),
)
_PLACE_NUMBERS = {
    "3a": {"3"}, "3p": {"3"}, "5": {"5"}, "6": {"6"}, "7": {"7"}, "8": {"8"}, "9": {"9"}, "11": {"11"},
    "hilar": {"10"}, "supraclavicular": {"1"}, "peribronchial": {"11", "12", "13", "14"},
}  # fmt: skip
_REGIONS = {
    "paratracheal": "paratracheal", "hilar": "hilar", "supraclavicular": "supraclavicular",
    "peribronchial": "peribronchial", "mediastinal": "mediastinal", "11": "peribronchial", "8": "mediastinal",
    "9": "mediastinal",
}  # fmt: skip


@dataclass(frozen=True)
class NodeReading:
    """What one clause group says about nodes: the nodes, the certainty, and whether it speaks of nodes at all."""

    nodes: list[NodeFinding]
    certainty: Certainty | None
    impression: bool
    non_regional: bool
    text: str = ""
    exclusive: bool = False


def _station_id(number: str, suffix: str | None) -> str:
    """IASLC id of a station token; Japanese sub-stations ("#11s", "#12u", "#12l") keep only their number."""
    suffix = suffix or ""
    if number == "3":
        return "3" + (suffix.lower() if suffix.lower() in ("a", "p") else "a")
    if number in ("5", "6", "7"):
        return number
    if suffix in ("s", "i", "u", "m") or (suffix == "l" and number in ("11", "12", "13", "14")):
        return number
    return number + suffix.upper()


def _names_explicit_station(place: str, level: str, side: Side | None, explicit: set[str]) -> bool:
    """True when a descriptive name only repeats a station number in the same text ("4R lower paratracheal node")."""
    if place == "paratracheal":
        numbers = {"lower": {"4"}, "low": {"4"}, "upper": {"2"}, "high": {"2"}}.get(level, {"2", "4"})
    else:
        numbers = _PLACE_NUMBERS.get(place, set())
    for station in explicit:
        match = re.fullmatch(r"(1[0-4]|[1-9])([RLap]?)", station)
        if not match or match.group(1) not in numbers:
            continue
        station_side = {"R": "right", "L": "left"}.get(match.group(2))
        if side is None or station_side is None or station_side == side:
            return True
    return False


def _described(
    place: str, qualifier: str, level: str, text: str, explicit: set[str], certainty: Certainty
) -> list[NodeFinding]:
    side: Side | None = qualifier if qualifier in ("right", "left") else None  # type: ignore[assignment]
    contralateral = {"ipsilateral": False, "contralateral": True}.get(qualifier)
    sides: list[Side | None] = ["right", "left"] if qualifier == "bilateral" else [side]
    found: list[NodeFinding] = []
    for one_side in sides:
        suffix = {"right": "R", "left": "L"}.get(one_side or "", "")
        station: str | None
        if place in ("3a", "3p", "5", "6", "7"):
            station = place
        elif place == "paratracheal":
            number = {"lower": "4", "low": "4", "upper": "2", "high": "2"}.get(level)
            station = f"{number}{suffix}" if number and suffix else None
        elif place in ("8", "9", "11"):
            station = f"{place}{suffix}" if suffix else None
        elif place == "hilar":
            station = f"10{suffix}" if suffix else None
        elif place == "supraclavicular":
            station = f"1{suffix}" if suffix else None
        else:
            station = None
        if station is not None and station in explicit:
            continue
        if qualifier in ("", "right", "left") and _names_explicit_station(place, level, one_side, explicit):
            continue
        if qualifier == "bilateral" and place in ("mediastinal", "paratracheal"):
            contralateral = True
        found.append(
            NodeFinding(
                station=station,
                side=one_side,
                region=_REGIONS.get(place),  # type: ignore[arg-type]
                contralateral=contralateral if station is None or contralateral else None,
                evidence=text,
                certainty=certainty,
            )
        )
    return found


def nodes_in(text: str, evidence: str, certainty: Certainty, only: set[str] | None = None) -> list[NodeFinding]:
    """Every node group named in ``text``; with ``only``, just those explicit stations."""
    findings: list[NodeFinding] = []
    covered: list[tuple[int, int]] = []
    for match in _STATION_LIST.finditer(text):
        covered.append(match.span())
        for token in _STATION_TOKEN.finditer(match.group(1)):
            findings.append(
                NodeFinding(station=_station_id(token.group(1), token.group(2)), evidence=evidence, certainty=certainty)
            )
    for match in _BARE_STATION.finditer(text):
        if any(a <= match.start() < b for a, b in covered):
            continue
        for token in _STATION_TOKEN.finditer(match.group(0).replace("#", " ")):
            findings.append(
                NodeFinding(station=_station_id(token.group(1), token.group(2)), evidence=evidence, certainty=certainty)
            )
    if only is not None:
        return [f for f in findings if f.station in only]
    explicit = {f.station for f in findings if f.station}
    for pattern, place in _NODE_PLACES:
        for match in pattern.finditer(text):
            qualifier = (match.group(1) or "").lower() if pattern.groups else ""
            level = (match.group(2) or "").lower() if pattern.groups >= 2 else ""
            if place == "mediastinal" and findings:
                break
            findings.extend(_described(place, qualifier, level, text, explicit, certainty))
            if place == "mediastinal":
                break
    return _dedupe(findings)


def _dedupe(findings: list[NodeFinding]) -> list[NodeFinding]:
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        key = (finding.station, finding.side, finding.region, finding.contralateral)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _measured(text: str) -> tuple[bool, bool, set[str]]:
    """(some node >= 10 mm short axis, some only possibly enlarged by long axis, stations measured >= 10 mm)."""
    enlarged, borderline = False, False
    stations: set[str] = set()
    for m in measurements(text):
        size = m.smallest if m.axis == "short" or len(m.dims) > 1 else m.greatest
        positive = size >= 15 if m.axis == "long" else size >= 10
        maybe = m.axis == "long" and 10 <= size < 15
        enlarged |= positive
        borderline |= maybe
        if positive:
            lead = text[max(0, m.start - 25) : m.start]
            tokens = list(_STATION_TOKEN.finditer(lead.replace("#", " ")))
            if tokens:
                stations.add(_station_id(tokens[-1].group(1), tokens[-1].group(2)))
    return enlarged, borderline, stations


def _judge(group: Group) -> tuple[Certainty | None, set[str] | None]:
    """The group's certainty of nodal involvement, and (for size-only findings) which stations it covers."""
    metastatic = cue_certainty(group, METASTATIC_CUE)
    positive = cue_certainty(group, NODE_POSITIVE)
    benign = cue_certainty(group, NODE_BENIGN)
    if ranked(metastatic) >= 2:
        return metastatic, None
    if ranked(benign) >= 2 and ranked(positive) < 3:
        return "absent", None
    if ranked(benign) >= 2 and positive == "present" and not metastatic:
        return "absent", None
    if metastatic == "possible" or positive == "possible":
        return "possible", None
    if benign == "possible" and not metastatic:
        return "possible", None  # "slightly prominent, but reactive change is possible": in doubt
    if ranked(positive) >= 2:
        return positive, None
    enlarged, borderline, stations = _measured(group.clause.text)
    if enlarged:
        return "present", stations or None
    if borderline:
        return "possible", stations or None
    if positive == "absent" or metastatic == "absent":
        return "absent", None
    return None, None


# "Metastatic 4R node; no other nodal disease": the impression names every involved node.
_EXCLUSIVE = re.compile(
    r"\bno\s+other\s+(?:nodal|lymph|node|mediastinal|hilar|suspicious)|\bonly\s+(?:involved\s+)?(?:node|station)|"
    r"\bsingle\s+(?:involved\s+)?station\b|\bthe\s+only\b",
    _I,
)


def _without_heading(text: str, heading: str) -> str:
    """A clause without the organ heading it starts with ("Mediastinum and hila: subcarinal node ...")."""
    if heading and text.startswith(heading):
        return text[len(heading) :].lstrip(" :")
    return text


def read_nodes(units: list[Unit]) -> list[NodeReading]:
    """Each node statement of the findings and impression, in order."""
    readings: list[NodeReading] = []
    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        for group in groups(unit, lambda text: bool(NODE_CUE.search(text) or _BARE_STATION.search(text))):
            certainty, only = _judge(group)
            text = _without_heading(group.clause.text, unit.heading)
            non_regional = bool(NON_REGIONAL_NODE.search(text)) and not re.search(
                r"hil|mediastin|paratrache|subcarin|supraclavic|#|station", text, _I
            )
            nodes = [] if certainty is None else nodes_in(text, unit.text, certainty, only)
            exclusive = bool(_EXCLUSIVE.search(unit.text)) and bool(nodes)
            readings.append(NodeReading(nodes, certainty, unit.in_impression, non_regional, unit.text, exclusive))
    return readings


def resolve_nodes(readings: list[NodeReading]) -> list[NodeFinding]:
    """Regional nodes after the impression's say: a denial there removes the findings' nodes, a judgement there
    replaces the findings' certainty for the same station or region."""
    regional = [r for r in readings if not r.non_regional]
    impression = [r for r in regional if r.impression and r.certainty is not None]
    findings_nodes = [n for r in regional if not r.impression for n in r.nodes]
    impression_nodes = [n for r in impression for n in r.nodes]
    if any(r.exclusive for r in impression):
        named = {(n.station, n.region) for n in impression_nodes}
        findings_nodes = [n for n in findings_nodes if (n.station, n.region) in named]
    if any(r.certainty == "absent" and not r.nodes for r in impression) and not any(
        ranked(r.certainty) >= 2 for r in impression
    ):
        return []
    by_key: dict[tuple[object, ...], NodeFinding] = {}
    key: tuple[object, ...]
    for node in findings_nodes:
        key = (node.station, node.side, node.region, node.contralateral)
        known = by_key.get(key)
        if known is None or ranked(node.certainty) > ranked(known.certainty):
            by_key[key] = node
    for denial in (n for n in impression_nodes if n.certainty == "absent" and n.station is None):
        for key, node in list(by_key.items()):
            if _within(node, denial.region):
                by_key[key] = node.model_copy(update={"certainty": "absent"})
    general = [n for n in impression_nodes if n.station is None and n.certainty != "absent"]
    for node in impression_nodes:
        key = (node.station, node.side, node.region, node.contralateral)
        if node.station is None and any(k[0] is not None or k[2] == node.region for k in by_key):
            continue
        by_key[key] = node
    if general:
        upgrade = strongest([n.certainty for n in general])
        for key, node in list(by_key.items()):
            if node.certainty == "possible" and ranked(upgrade) >= 2:
                by_key[key] = node.model_copy(update={"certainty": upgrade})
    return [n for n in by_key.values() if n.certainty != "absent"]


_REGION_STATIONS = {
    "mediastinal": {"2", "3", "4", "5", "6", "7", "8", "9"},
    "paratracheal": {"2", "4"},
    "hilar": {"10"},
    "peribronchial": {"11", "12", "13", "14"},
    "supraclavicular": {"1"},
}


def _within(node: NodeFinding, region: str | None) -> bool:
    """Whether a node lies in a region a statement names ("mediastinal nodes likely reactive")."""
    if region is None:
        return True
    if node.region == region or (region == "mediastinal" and node.region == "paratracheal"):
        return True
    number = re.match(r"\d+", node.station or "")
    return number is not None and number.group(0) in _REGION_STATIONS.get(region, set())


def non_regional_readings(readings: list[NodeReading]) -> list[NodeReading]:
    return [r for r in readings if r.non_regional and r.certainty not in (None, "absent")]
