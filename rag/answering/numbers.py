"""Numbers in questions and the ranges and thresholds in guideline text, so "7 mm" meets "6 to 8 mm".

A question quantity is a value with a unit (mm and cm are one scale; a bare decimal such as an LDH ratio
has the unit ""). Text ranges come in the forms guidelines use: "6 to 8 mm", "6–8 mm", "between 6 and 8 mm",
"under 6 mm", "larger than 8 mm", "greater than 0.6", "10 mm or more", "at least 3 cm".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

_I = re.IGNORECASE
_UNIT = r"(?:mm3|mm³|mm|cm|ml|mL|l\b|%|g/dl|g/dL|mg/dl|months?|years?|weeks?|days?|pack[- ]years?|hu|HU|gy|Gy)"
_SCALE = {"cm": 10.0}
_NUMBER = r"\d+(?:\.\d+)?"
_QUANTITY = re.compile(rf"(?<![\w.])({_NUMBER})\s*({_UNIT})?(?![\w])", _I)
_BELOW = (
    r"(?:under|below|less\s+than|smaller\s+than|fewer\s+than|lower\s+than|up\s+to|at\s+most|<|≤|<=|not\s+exceeding)"
)
_ABOVE = r"(?:over|above|more\s+than|greater\s+than|larger\s+than|exceeding|higher\s+than|at\s+least|>|≥|>=)"
_RANGE = re.compile(
    rf"(?:between\s+)?({_NUMBER})\s*({_UNIT})?\s*(?:to|–|-|and|through)\s*(under\s+|below\s+|less\s+than\s+)?"
    rf"({_NUMBER})\s*({_UNIT})",
    _I,
)
# "under 10 mm" leaves 10 mm out and "8 to under 15 mm" leaves 15 mm out; "up to", "at most", "at least" keep it.
_STRICT_WORDS = re.compile(
    r"under|below|less|smaller|fewer|lower|over|above|more|greater|larger|exceeding|higher|<|>$", _I
)
_ONE_SIDED = re.compile(rf"({_BELOW}|{_ABOVE})\s*({_NUMBER})\s*({_UNIT})?", _I)
_TRAILING = re.compile(rf"({_NUMBER})\s*({_UNIT})\s+or\s+(more|greater|larger|above|less|smaller|below|fewer)", _I)


_STRICT = 1e-6


@dataclass(frozen=True)
class Quantity:
    """A value the question gives; ``low``/``high`` widen it when the question bounds it ("well under 6 mm"
    is everything below 6 mm, so it meets "under 6 mm" and not "6 to 8 mm")."""

    value: float
    unit: str
    low: float | None = None
    high: float | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)


@dataclass(frozen=True)
class Span:
    """A closed interval on one unit's scale."""

    low: float
    high: float
    unit: str

    def contains(self, quantity: Quantity) -> bool:
        """The span holds the quantity, or overlaps it when the question gives only a bound."""
        low, high = quantity.bounds
        return self.unit == quantity.unit and self.low <= high and low <= self.high


def _unit(raw: str | None) -> str:
    unit = (raw or "").lower().replace("³", "3")
    unit = {"month": "months", "year": "years", "week": "weeks", "day": "days", "ml": "ml"}.get(unit, unit)
    return "mm" if unit == "cm" else unit


def _value(number: str, raw_unit: str | None) -> float:
    return float(number) * _SCALE.get((raw_unit or "").lower(), 1.0)


def quantities(text: str) -> list[Quantity]:
    """Values with units in a question; bare decimals below 10 (ratios) count with the unit ""."""
    found = []
    bounded: dict[int, tuple[float, float]] = {}
    for match in _ONE_SIDED.finditer(text):
        if match.group(3) is None:
            continue
        value = _value(match.group(2), match.group(3))
        below = re.fullmatch(_BELOW, match.group(1), _I) is not None
        bounded[match.start(2)] = (-math.inf, value - _STRICT) if below else (value + _STRICT, math.inf)
    for match in _TRAILING.finditer(text):
        value = _value(match.group(1), match.group(2))
        up = match.group(3).lower() in ("more", "greater", "larger", "above")
        bounded[match.start(1)] = (value, math.inf) if up else (-math.inf, value)
    for match in _QUANTITY.finditer(text):
        number, unit = match.group(1), match.group(2)
        if unit is None and not ("." in number and float(number) < 10):
            continue
        low, high = bounded.get(match.start(1), (None, None))
        found.append(Quantity(_value(number, unit), _unit(unit), low, high))
    return found


@lru_cache(maxsize=8192)
def spans(text: str) -> tuple[Span, ...]:
    """Intervals stated in ``text``; "under"/"over" bounds are strict, "to", "up to" and "at least" inclusive.
    Cached: the same passages are read for every question that retrieves them."""
    found: list[Span] = []
    for match in _RANGE.finditer(text):
        unit = match.group(5)
        high = _value(match.group(4), unit) - (_STRICT if match.group(3) else 0.0)
        found.append(Span(_value(match.group(1), match.group(2) or unit), high, _unit(unit)))
    for match in _ONE_SIDED.finditer(text):
        value = _value(match.group(2), match.group(3))
        below = re.fullmatch(_BELOW, match.group(1), _I) is not None
        margin = _STRICT if _STRICT_WORDS.match(match.group(1).strip()) else 0.0
        found.append(
            Span(-math.inf, value - margin, _unit(match.group(3)))
            if below
            else Span(value + margin, math.inf, _unit(match.group(3)))
        )
    for match in _TRAILING.finditer(text):
        value = _value(match.group(1), match.group(2))
        up = match.group(3).lower() in ("more", "greater", "larger", "above")
        found.append(
            Span(value, math.inf, _unit(match.group(2))) if up else Span(-math.inf, value, _unit(match.group(2)))
        )
    return tuple(found)


# An open-ended bound that holds while other bounds of the same text fail: a category defined by "15 mm or
# more" whose management line adds "PET/CT when 8 mm or more" is not the category of a 10 mm nodule.
OPEN_BOUND_AMONG_MISSES = 0.2


def numeric_fit(text: str, asked: list[Quantity]) -> float:
    """+1 when a bounded range in ``text`` contains an asked quantity ("2 to 3 cm" for 2.5 cm), +0.6 when only
    open-ended ones do and all of them do ("3 cm or less"), less when other ranges of that unit miss it, -1 when
    the text gives ranges of that unit and none contains it (the "larger than 8 mm" rule for a 7 mm nodule), 0
    when it says nothing comparable."""
    if not asked:
        return 0.0
    stated = spans(text)
    score = 0.0
    for quantity in asked:
        same_unit = [span for span in stated if span.unit == quantity.unit]
        containing = [span for span in same_unit if span.contains(quantity)]
        if containing:
            if any(math.isfinite(s.low) and math.isfinite(s.high) for s in containing):
                score += 1.0
            else:
                score += 0.6 if len(containing) == len(same_unit) else OPEN_BOUND_AMONG_MISSES
        elif same_unit:
            score -= 1.0
    return score / len(asked)
