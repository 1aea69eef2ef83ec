"""Sentence splitting and [n] citation markers, with character offsets into the original text.

Offsets matter: citation quotes must be verbatim substrings of the source, so a sentence is a span of the
text it came from, never a re-joined copy.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# Tokens whose trailing period never ends a sentence. Units ("cm.") are deliberately absent: radiology text
# ends sentences with them all the time ("measures 4.5 cm. The ...").
_ABBREVIATIONS = frozenset({"e.g", "i.e", "cf", "vs", "approx", "dr", "mr", "mrs", "ms", "prof", "incl", "resp", "al"})
# Abbreviations only before a number ("Fig. 2", "no. 4"); "The answer is no. The ..." still ends a sentence.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "fig", "figs", "p", "pp", "vol", "ref", "refs", "sec", "eq", "ca"})
_MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d+(?:\s*(?:,|;|-|–|and)\s*(?:sources?\s*)?\d+)*)\s*\]", re.IGNORECASE)
_TERMINATOR = re.compile(
    r"(?P<stop>[.!?]+)[\"'”’)\]]*(?P<markers>(?:\s*\[\s*(?:sources?\s*)?\d[\d,;\s\-–and]*\])*)(?=\s|$)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[ \t]*(?:[-*•·▪◦]|\d{1,2}[.)]|[a-z][.)])[ \t]+", re.IGNORECASE)
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")
_MAX_RANGE = 20


@dataclass(frozen=True)
class Span:
    """A sentence as ``text[start:end]`` of the string it was split from."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Marker:
    """One bracketed citation marker; ``numbers`` are the source numbers it names, ranges expanded."""

    start: int
    end: int
    numbers: tuple[int, ...]


def parse_markers(text: str) -> list[Marker]:
    """Find ``[1]``, ``[1, 3]``, ``[1][2]``, ``[1-2]`` (and ``[Source 1]``) markers in order."""
    markers: list[Marker] = []
    for match in _MARKER.finditer(text):
        numbers: list[int] = []
        for part in re.split(r"\s*(?:,|;|and)\s*", match.group(1)):
            bounds = [int(value) for value in re.findall(r"\d+", part)]
            if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= _MAX_RANGE:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
        markers.append(Marker(match.start(), match.end(), tuple(dict.fromkeys(numbers))))
    return markers


def strip_markers(text: str) -> str:
    """The sentence without citation markers, whitespace tidied, for scoring and display."""
    stripped = _MARKER.sub("", text)
    stripped = re.sub(r"\s+([.,;:!?])", r"\1", stripped)
    return re.sub(r"\s+", " ", stripped).strip()


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph and line blocks: blank lines always break; a single newline breaks before a bullet or
    after a line that already ended (terminator or colon); otherwise it is a soft wrap (PDF text)."""
    breaks: list[int] = [0]
    for match in _BLOCK_BREAK.finditer(text):
        breaks.extend([match.start(), match.end()])
    for match in re.finditer(r"\n", text):
        before = text[max(0, match.start() - 80) : match.start()].rstrip(" \t")
        if _BULLET.match(text, match.end()) or before.endswith((".", "!", "?", ":", "]")):
            breaks.extend([match.start(), match.end()])
    breaks.append(len(text))
    ordered = sorted(set(breaks))
    return [(a, b) for a, b in itertools.pairwise(ordered) if text[a:b].strip()]


def _is_boundary(text: str, stop_start: int, match_end: int, marker_before: bool) -> bool:
    following = text[match_end:].lstrip()
    if not following:
        return True
    if marker_before:
        return True
    token = re.search(r"(\S+)$", text[max(0, stop_start - 40) : stop_start])
    word = token.group(1).lstrip("(\"'“‘[").lower() if token else ""
    if word in _ABBREVIATIONS or (word in _NUMBER_ABBREVIATIONS and following[0].isdigit()):
        return False
    return not following[0].islower()


def split_sentences(text: str) -> list[Span]:
    """Split into sentence spans. Decimals ("4.5 cm") never split; "e.g."/"i.e."/"vs." do not end a
    sentence; nor does a stop inside an open double quote; a period right after a citation marker always
    does; list bullets start a new sentence and are not part of it; markers written after the period
    ("... T2a. [1]") stay with their sentence."""
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        while start < block_end and text[start].isspace():
            start += 1
        bullet = _BULLET.match(text, start, block_end)
        if bullet and bullet.end() < block_end:
            start = bullet.end()
        cursor = start
        for match in _TERMINATOR.finditer(text, start, block_end):
            if _inside_quote(text[cursor : match.start("stop")]):
                continue
            marker_before = bool(re.search(r"\]\s*$", text[start : match.start("stop")]))
            if match.end() >= block_end or _is_boundary(text, match.start("stop"), match.end(), marker_before):
                _append(spans, text, cursor, match.end())
                cursor = match.end()
        _append(spans, text, cursor, block_end)
    return spans


def _inside_quote(fragment: str) -> bool:
    """A '?' or '.' inside an open double-quoted span ends the quoted text, not the sentence."""
    return fragment.count('"') % 2 == 1 or fragment.count("“") > fragment.count("”")


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append(Span(text[start:end], start, end))
