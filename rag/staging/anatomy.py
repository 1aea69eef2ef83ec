"""Where a finding is: lobes, segments (S1-S10 and their names), sides, in the spellings reports use.

Segment notation is common in reports translated from Japanese ("right S6", "left S1+2", "S4 of the
lingula"); a segment maps to exactly one lobe once its side is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.staging.findings import Lobe, Side

_I = re.IGNORECASE
_RIGHT = r"(?:right|rt\.?)"
_LEFT = r"(?:left|lt\.?)"

_LOBE_PATTERNS: tuple[tuple[re.Pattern[str], Lobe], ...] = (
    (
        re.compile(
            rf"\b{_RIGHT}\s*(?:lung\s+)?upper\s+lobe\b|\bRUL\b|\bupper\s+lobe\s+of\s+the\s+right\s+lung\b|"
            r"\bright\s+(?:lung\s+)?apex\b|\bright\s+apical\b",
            _I,
        ),
        "RUL",
    ),
    (
        re.compile(rf"\b(?:{_RIGHT}\s*)?(?:lung\s+)?middle\s+lobe\b|\bRML\b|\bmiddle\s+lobe\s+of\s+the\s+right\b", _I),
        "RML",
    ),
    (
        re.compile(
            rf"\b{_RIGHT}\s*(?:lung\s+)?lower\s+lobe\b|\bRLL\b|\blower\s+lobe\s+of\s+the\s+right\s+lung\b|"
            r"\bright\s+(?:lung\s+)?base\b",
            _I,
        ),
        "RLL",
    ),
    (
        re.compile(
            rf"\b{_LEFT}\s*(?:lung\s+)?upper\s+lobe\b|\bLUL\b|\bupper\s+lobe\s+of\s+the\s+left\s+lung\b|\blingul\w*|"
            r"\bleft\s+(?:lung\s+)?apex\b|\bleft\s+apical\b",
            _I,
        ),
        "LUL",
    ),
    (
        re.compile(
            rf"\b{_LEFT}\s*(?:lung\s+)?lower\s+lobe\b|\bLLL\b|\blower\s+lobe\s+of\s+the\s+left\s+lung\b|"
            r"\bleft\s+(?:lung\s+)?base\b",
            _I,
        ),
        "LLL",
    ),
)
# "right S6", "rt. S2", "RS6", "left S1+2", "S1+2", "S6 of the right lower lobe"; the side may be implicit.
_SEGMENT = re.compile(
    r"(?:(?i:\b(?P<side>right|left|rt\.?|lt\.?)\s*(?:lung\s*)?(?:,\s*)?)|\b(?P<letter>[RL])|(?<![A-Za-z0-9#]))"
    r"(?i:segment\s+)?S(?P<num>10|[1-9])(?P<plus>\s*\+\s*S?[1-9])?(?:\s*[abc])?(?![0-9])"
    r"(?!\s*(?i:vertebra|nerve|root))"
)
_NAMED_SEGMENT = re.compile(
    r"\b(?P<name>apical|apicoposterior|posterior|anterior|superior|lateral|medial|inferior|superior\s+lingular|"
    r"inferior\s+lingular|(?:anterior|posterior|lateral|medial)\s+basal|basal|basilar)\s+segments?\b",
    _I,
)
_SIDED = (
    r"(?:lung|hil(?:um|ar)|perihilar|hemithorax|apex|apical|pancoast|superior\s+sulcus|chest|central|"
    r"main(?:stem)?[- ]?bronch\w*|(?:upper|lower|middle)\s+lobe\s+bronch\w*|bronch\w*|side|pleura\w*|thorax|"
    r"pulmonary|lung\s+cancer|infrahilar|suprahilar)\b"
)
# "right hilum", "Lt. main bronchus", terse "L central mass" / "R hilar" (capital letter only), "left-sided".
_SIDE_WORD = re.compile(
    rf"\b(right|left|rt\.|lt\.|rt|lt)\s*{_SIDED}|(?-i:\b([RL]))\s+{_SIDED}|\b(right|left)[- ]sided\b|"
    r"\b(right|left)\s+S(?:10|[1-9])\b",
    _I,
)
_BOTH_SIDES = re.compile(r"\bboth\s+lungs?\b|\bbilateral(?:ly)?\b|\bboth\s+(?:sides|hemithoraces|upper|lower)\b", _I)
_CONTRALATERAL = re.compile(r"\bcontralateral\b|\bopposite\s+(?:lung|side|hemithorax)\b|\bother\s+lung\b", _I)
_IPSILATERAL = re.compile(r"\bipsilateral\b|\bsame\s+(?:lung|side)\b", _I)
_SAME_LOBE = re.compile(
    r"\bsame\s+(?:lobe|segment)\b|\bsame\s+(?:right|left)?\s*\w+\s+lobe\b|\bwithin\s+the\s+lobe\b", _I
)

RIGHT_SEGMENT_LOBES: dict[str, Lobe] = {
    "1": "RUL", "2": "RUL", "3": "RUL", "4": "RML", "5": "RML",
    "6": "RLL", "7": "RLL", "8": "RLL", "9": "RLL", "10": "RLL",
}  # fmt: skip
LEFT_SEGMENT_LOBES: dict[str, Lobe] = {
    "1": "LUL", "2": "LUL", "3": "LUL", "4": "LUL", "5": "LUL",
    "6": "LLL", "7": "LLL", "8": "LLL", "9": "LLL", "10": "LLL",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A lung location found in text: a lobe (or None), its side, where it was found, and how."""

    lobe: Lobe | None
    side: Side | None
    start: int
    end: int
    segment: str | None = None


def side_of_lobe(lobe: Lobe | None) -> Side | None:
    if lobe is None:
        return None
    return "right" if lobe.startswith("R") else "left"


def _side_word(text: str) -> Side | None:
    word = text.strip().lower()
    if not word:
        return None
    return "right" if word.startswith("r") else "left"


def places(text: str, default_side: Side | None = None) -> list[Place]:
    return list(_places(text, default_side))


@lru_cache(maxsize=8192)
def _places(text: str, default_side: Side | None) -> tuple[Place, ...]:
    """Every lobe or segment mentioned in ``text``, in order; an unsided segment takes ``default_side``."""
    found: list[Place] = []
    for pattern, named in _LOBE_PATTERNS:
        for match in pattern.finditer(text):
            found.append(Place(named, side_of_lobe(named), match.start(), match.end()))
    for match in _SEGMENT.finditer(text):
        if any(p.start <= match.start() < p.end for p in found):
            continue
        number = match.group("num")
        plus = match.group("plus")
        side = _side_word(match.group("side") or match.group("letter") or "")
        if side is None and plus and number in ("1", "2"):
            side = "left"  # S1+2 exists only on the left
        if side is None:
            side = _nearby_side(text, match.start(), match.end()) or default_side
        segment = f"S{number}" + ("+2" if plus else "")
        lobe: Lobe | None = None
        if side is not None:
            lobe = (RIGHT_SEGMENT_LOBES if side == "right" else LEFT_SEGMENT_LOBES)[number]
        found.append(Place(lobe, side, match.start(), match.end(), segment))
    return tuple(sorted(found, key=lambda p: p.start))


def _nearby_side(text: str, start: int, end: int) -> Side | None:
    """A side named right after a segment ("S6 of the right lung") or just before it ("right lung, S6")."""
    after = re.match(r"\s*(?:of|in)\s+the\s+(right|left)\b", text[end : end + 30], _I)
    if after:
        return _side_word(after.group(1))
    before = re.search(r"\b(right|left)\b[^.;]{0,12}$", text[max(0, start - 20) : start], _I)
    return _side_word(before.group(1)) if before else None


def lobe_of(text: str, default_side: Side | None = None) -> Lobe | None:
    """The first lobe (or segment's lobe) named in ``text``."""
    for place in places(text, default_side):
        if place.lobe is not None:
            return place.lobe
    return None


def side_in(text: str) -> Side | None:
    """The first side named in ``text`` by a lobe, a segment or a sided structure ("left hilum")."""
    for place in places(text):
        if place.side is not None:
            return place.side
    match = _SIDE_WORD.search(text)
    if match:
        return _side_word(next(g for g in match.groups() if g))
    return None


def names_both_sides(text: str) -> bool:
    return bool(_BOTH_SIDES.search(text))


def names_contralateral(text: str) -> bool:
    return bool(_CONTRALATERAL.search(text))


def names_ipsilateral(text: str) -> bool:
    return bool(_IPSILATERAL.search(text))


def names_same_lobe(text: str) -> bool:
    return bool(_SAME_LOBE.search(text))


def is_named_segment(text: str) -> bool:
    return bool(_NAMED_SEGMENT.search(text))
