"""Measurements in report text: "3.2 x 2.1 cm", "28mm", "18 mm in long-axis diameter", "25mm-sized".

A measurement is kept with its position so it can be attached to the nearest finding. Sizes that are not the
current size of something are dropped: prior sizes ("previously 12mm", "from 25 to 32 mm" keeps 32),
distances ("2 cm caudal to", "1.5 cm from the carina") and limits ("nodes under 10 mm").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_I = re.IGNORECASE
_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?:mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?)(?![a-z])"
_SIZE = re.compile(
    rf"(?<![\w.])({_NUM})\s*({_UNIT})?((?:\s*(?:x|×|\*|by)\s*{_NUM}\s*(?:{_UNIT})?){{0,2}})(?:[- ]?(?:sized?|large))?",
    _I,
)
_SIZE_NUM = re.compile(rf"({_NUM})\s*({_UNIT})?", _I)
_PRIOR_BEFORE = re.compile(
    r"(?:\b(?:previously|prior(?:ly)?|formerly|was|were|from|compared\s+(?:to|with)|vs\.?|versus|then|"
    r"originally|initially|earlier|last\s+time|before)\s*(?:(?:measuring|measured|at|of|approximately|approx\.?|"
    r"about|only)\s*)?)$|(?:\bin\s+(?:19|20)\d\d\s*)$",
    _I,
)
_PRIOR_AFTER = re.compile(
    r"^\s*(?:\)?\s*)?(?:previously|before|on\s+the\s+prior|at\s+the\s+(?:last|previous|prior))", _I
)
_DISTANCE_AFTER = re.compile(
    r"^\s*(?:\)\s*)?(?:caudal|cranial|proximal|distal|away|above|below|beyond|lateral|medial|anterior|posterior|"
    r"inferior|superior|deep|from|to\s+the|of\s+the\s+(?:carina|pleura|fissure|hilum|chest\s+wall)|"
    r"of\s+(?:contact|abutment)|long\s+segment|in\s+length\s+of)",
    _I,
)
_DISTANCE_BEFORE = re.compile(r"(?:\bwithin|\bup\s+to|\bdistance\s+of|\bextends?|\bextending)\s*$", _I)
_LIMIT_BEFORE = re.compile(
    r"(?:\b(?:below|under|beneath|less\s+than|smaller\s+than|not\s+exceeding|not\s+more\s+than|up\s+to|<\s*|≤\s*|<=\s*|"
    r"threshold\s+of|cut-?off\s+of)|<|≤|<=|>|≥|>=)\s*$",
    _I,
)
_SHORT_AXIS = re.compile(r"^[^.;]{0,25}?\bshort[- ]?axis|short[- ]?axis(?:\s+diameter)?\s*(?:of|:)?\s*$", _I)
_LONG_AXIS = re.compile(r"^[^.;]{0,25}?\blong[- ]?axis|long[- ]?axis(?:\s+diameter)?\s*(?:of|:)?\s*$", _I)

Axis = Literal["short", "long", "unspecified"]


@dataclass(frozen=True)
class Measurement:
    """One current measurement: all its dimensions in mm and where it sits in the text."""

    start: int
    end: int
    dims: tuple[float, ...]
    axis: Axis = "unspecified"

    @property
    def greatest(self) -> float:
        return max(self.dims)

    @property
    def smallest(self) -> float:
        return min(self.dims)


def _to_mm(value: str, unit: str) -> float:
    number = float(value)
    return round(number * 10 if unit.lower().startswith(("cm", "centi")) else number, 3)


def _dimensions(expression: str) -> tuple[float, ...]:
    parts = _SIZE_NUM.findall(expression)
    final_unit = next((unit for _, unit in reversed(parts) if unit), "")
    if not final_unit:
        return ()
    return tuple(_to_mm(number, unit or final_unit) for number, unit in parts)


def _is_current(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 40]
    if _PRIOR_BEFORE.search(before) or _PRIOR_AFTER.match(after):
        return False
    if _DISTANCE_AFTER.match(after) or _DISTANCE_BEFORE.search(before):
        return False
    return not _LIMIT_BEFORE.search(before)


def measurements(text: str) -> list[Measurement]:
    """Every current measurement in ``text``; "increased from 25 to 32 mm" keeps only 32 mm."""
    found: list[Measurement] = []
    for match in _SIZE.finditer(text):
        dims = _dimensions(match.group(1) + (match.group(2) or "") + (match.group(3) or ""))
        if not dims or not match.group(0).strip():
            continue
        start, end = match.start(), match.end()
        if re.match(r"\s*(?:to|-|–|→|->|⇒)\s*\d", text[end : end + 6]) and (
            not match.group(2) or re.match(r"\s*(?:→|->|⇒)", text[end : end + 4])
        ):
            continue  # "from 25 to 32 mm", "45mm → 58mm": the first number is the old size
        if not _is_current(text, start, end):
            continue
        axis: Axis = "unspecified"
        around_before, around_after = text[max(0, start - 30) : start], text[end : end + 30]
        if _SHORT_AXIS.search(around_before) or _SHORT_AXIS.match(around_after):
            axis = "short"
        elif _LONG_AXIS.search(around_before) or _LONG_AXIS.match(around_after):
            axis = "long"
        found.append(Measurement(start, end, dims, axis))
    return found


def limits(text: str) -> list[float]:
    """Sizes stated as limits ("all nodes under 10 mm"), in mm."""
    values: list[float] = []
    for match in _SIZE.finditer(text):
        dims = _dimensions(match.group(0))
        if dims and _LIMIT_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            values.append(max(dims))
    return values


def parse_size(text: str) -> float | None:
    """Greatest dimension in mm of the first current measurement in ``text`` (``3.2 x 2.1 x 2.8 cm`` -> 32.0)."""
    found = measurements(text)
    return found[0].greatest if found else None
