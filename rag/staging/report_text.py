"""Report structure: sections (findings, impression, history...), organ headings, sentences and clauses.

Real reports are not one paragraph: a clinical history names the cancer being staged, a comparison
section quotes old sizes, organ headings ("Adrenals: 1.8 cm nodule") carry the organ a sentence is about,
and the impression restates the radiologist's conclusion. Every sentence keeps its section and heading so
the extractors can weigh it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Section = Literal["findings", "impression", "history", "technique", "comparison"]

_I = re.IGNORECASE
_SECTION_WORDS: tuple[tuple[re.Pattern[str], Section], ...] = (
    (
        re.compile(
            r"impressions?|conclusions?|diagnos[ie]s|summary|opinion|assessment|interpretation|"
            r"radiological\s+diagnosis|imaging\s+diagnosis|final\s+diagnosis|imp",
            _I,
        ),
        "impression",
    ),
    (re.compile(r"findings?|report|description|results?|observations?", _I), "findings"),
    (
        re.compile(
            r"(?:clinical\s+)?(?:history|indications?|information|details)|clinical|reason\s+for\s+(?:exam\w*|study|referral)|"
            r"clinical\s+(?:question|background|notes?)|background|purpose|question",
            _I,
        ),
        "history",
    ),
    (re.compile(r"technique|protocol|procedure|examination|exam|study|contrast", _I), "technique"),
    (re.compile(r"comparisons?|priors?|previous\s+(?:studies|exams?)", _I), "comparison"),
)
# "IMPRESSION:", "<Diagnosis>", "[Findings]", "Findings -" at the start of a sentence or line.
_HEADER = re.compile(r"[ \t]*[<\[]?\s*(?P<word>[A-Za-z][A-Za-z /&]{1,40}?)\s*(?:[>\]]\s*:?|:|\s-\s)")
# Organ headings inside the findings ("Lungs and airways:", "Mediastinum/hila:", "Bones:"): kept as context.
_ORGAN_HEADING = re.compile(r"[ \t]*(?P<word>[A-Z][A-Za-z/,&' -]{1,45}?)\s*:(?:\s+|$)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:approx|appr|e\.g|i\.e|vs|no|nos|fig|dr|cf|ca|incl|resp|st|pt|rt|lt|max|min|diam|prev|yr|yrs|mo|wk|"
    r"sag|ax|cor|img|ser|vol|est|mr|ms|mrs|dept|lat|ant|post|sup|inf|med|seg|approx)\.)$",
    _I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[<#A-Z0-9])|\n+|(?<=:)\s+(?=\d{1,2}[.)]\s+[A-Z])")
_ENUMERATION = re.compile(r"^\s*(?:\d{1,2}|[a-z])[.)]\s+")
_BARE_NUMBER = re.compile(r"\s*\d{1,2}[.)]\s*")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the report: verbatim text, its span in the report, section and organ heading (if any)."""

    text: str
    index: int
    section: Section
    heading: str = ""
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Clause:
    """A span of a sentence between strong boundaries ("; but however although whereas while")."""

    text: str
    start: int
    end: int


_STRONG_BOUNDARY = re.compile(
    r";|(?<=[a-z%)])\.\s+|\s+but\s+|,?\s+however,?\s+|\s+although\s+|\s+though\s+|\s+whereas\s+|,?\s+while\s+|"
    r",?\s+except\s+(?:for\s+)?|,?\s+apart\s+from\s+|\s+nevertheless\s+|,\s+yet\s+|\s+-\s+",
    _I,
)


def section_of(word: str) -> Section | None:
    """The section a header word names, or None when it is not a section header."""
    cleaned = " ".join(word.split())
    for pattern, section in _SECTION_WORDS:
        if pattern.fullmatch(cleaned):
            return section
    return None


def _raw_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split on sentence ends and line breaks; an abbreviation ("approx.", "No.") never ends one."""
    spans: list[tuple[int, int]] = []
    start = 0
    pending: int | None = None
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        if piece.strip():
            begin = pending if pending is not None else start + (len(piece) - len(piece.lstrip()))
            if boundary is not None and _ABBREVIATION.search(piece.rstrip()):
                pending = begin
            else:
                spans.append((begin, start + len(piece.rstrip())))
                pending = None
        if boundary is not None:
            start = boundary.end()
    return spans


def split_report(report: str) -> list[Sentence]:
    """Sentences in order with their section; text before any header is findings.

    Section headers and enumeration marks are cut from the text; organ headings stay in it (they often carry the
    organ or the location) and are also remembered for the sentences that follow them. Every text is a
    verbatim slice ``report[start:end]``, so it can be quoted.
    """
    sentences: list[Sentence] = []
    section: Section = "findings"
    heading = ""
    inline: str | None = None  # "Comparison: CT of 2023/05/30." ends with its sentence, a history line with its line
    previous_end = 0
    for begin, end in _raw_spans(report):
        if inline == "sentence" or (inline == "line" and "\n" in report[previous_end:begin]):
            section, inline = "findings", None
        previous_end = end
        text = report[begin:end]
        header = _HEADER.match(text)
        while header:
            named = section_of(header.group("word"))
            if named is None:
                break
            section, heading = named, ""
            begin += header.end()
            text = report[begin:end]
            inline = None
            if named in ("technique", "comparison") and text.strip():
                inline = "sentence"
            elif named == "history" and text.strip():
                inline = "line"
            header = _HEADER.match(text)
        organ = _ORGAN_HEADING.match(text)
        if organ and section_of(organ.group("word")) is None:
            heading = organ.group("word").strip()
            if not text[organ.end() :].strip():
                continue
        enumeration = _ENUMERATION.match(text)
        if enumeration:
            begin += enumeration.end()
        stripped = report[begin:end]
        begin += len(stripped) - len(stripped.lstrip())
        text = report[begin:end]
        if text and not _BARE_NUMBER.fullmatch(text):
            sentences.append(
                Sentence(text=text, index=len(sentences), section=section, heading=heading, start=begin, end=end)
            )
    return sentences


@lru_cache(maxsize=4096)
def clauses(sentence: str) -> tuple[Clause, ...]:
    """The strong-boundary clauses of a sentence, with their character spans (cached: every extractor asks)."""
    result: list[Clause] = []
    start = 0
    for boundary in _STRONG_BOUNDARY.finditer(sentence):
        if boundary.group(0).startswith(".") and _ABBREVIATION.search(sentence[: boundary.start() + 1]):
            continue  # "Rt. upper lobe", "approx. 3 cm": an abbreviation, not the end of a sentence
        if boundary.start() > start:
            result.append(Clause(sentence[start : boundary.start()], start, boundary.start()))
        start = boundary.end()
    if start < len(sentence):
        result.append(Clause(sentence[start:], start, len(sentence)))
    return tuple(c for c in result if c.text.strip())


def clause_at(sentence: str, position: int) -> Clause:
    """The clause containing ``position`` (the whole sentence when there is only one)."""
    for clause in clauses(sentence):
        if clause.start <= position < clause.end:
            return clause
    return Clause(sentence, 0, len(sentence))
