"""The report as the extractors read it: sentences joined with their continuations, and cue binding.

Radiologists often state a finding and judge it in the next clause or sentence ("The left adrenal
gland has a 9 mm nodule; metastasis cannot be ruled out." / "Swollen #4R node. Metastasis is
suspected."). A clause or sentence that names nothing of its own is bound to the finding before it,
so the judgement travels with the finding it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.staging.certainty import certainty_at, strongest
from rag.staging.extract.vocabulary import names_an_entity
from rag.staging.findings import CERTAINTY_RANK, Certainty
from rag.staging.report_text import Clause, Section, Sentence, clauses, split_report

Detector = Callable[[str], bool]


@dataclass(frozen=True)
class Unit:
    """A sentence of the report plus any entity-less sentences that continue it, as one verbatim span."""

    text: str
    index: int
    section: Section
    heading: str

    @property
    def in_impression(self) -> bool:
        return self.section == "impression"


@dataclass(frozen=True)
class Group:
    """A clause that names an entity, with the entity-less clauses after it that judge it."""

    unit: Unit
    clause: Clause
    followers: tuple[Clause, ...]

    @property
    def text(self) -> str:
        """Own clause and followers, for cue search (verbatim from the unit between their spans)."""
        end = self.followers[-1].end if self.followers else self.clause.end
        return self.unit.text[self.clause.start : end]

    @property
    def start(self) -> int:
        return self.clause.start

    def spans(self) -> Iterable[Clause]:
        yield self.clause
        yield from self.followers


def read_units(report: str) -> list[Unit]:
    """Sentences with entity-less continuation sentences merged in (verbatim report slices)."""
    sentences = split_report(report)
    units: list[Unit] = []
    current: list[Sentence] = []

    def flush() -> None:
        if current:
            first, last = current[0], current[-1]
            text = report[first.start : last.end]
            units.append(Unit(text, len(units), first.section, first.heading))
            current.clear()

    for sentence in sentences:
        continues = (
            bool(current)
            and sentence.section == current[-1].section
            and not names_an_entity(sentence.text)
            and (_has_judgement(sentence.text) or _CONTINUATION.search(sentence.text) is not None)
        )
        if not continues:
            flush()
        current.append(sentence)
    flush()
    return units


_JUDGEMENT = re.compile(
    r"\bmeta(?!bol)\w*|\bmalignan\w*|\bsuspect\w*|\blikely\b|\bprobabl\w*|\bpossibl\w*|\bconsider\w*|\bexclud\w*|"
    r"\bruled?\s+out\b|\bbenign\b|\breactive\b|\binvasion\b|\binvolvement\b|\bconsistent\b|\bcompatible\b|"
    r"\bsuggest\w*|\bconcerning\b|\bworrisome\b|\bindeterminate\b|\bdifferential\b|\bcancer\b|\btumou?r\b",
    re.IGNORECASE,
)


# A sentence that goes on describing the last thing: "It measures 45 mm.", "The solid part measures 23mm."
_CONTINUATION = re.compile(
    r"^\s*(?:it|this|its|they|the\s+(?:solid|ground[- ]glass)\s+(?:part|component|portion))\b|"
    r"\d\s*(?:mm|cm)\b",
    re.IGNORECASE,
)


def _has_judgement(text: str) -> bool:
    return bool(_JUDGEMENT.search(text))


def groups(unit: Unit, has_entity: Detector) -> list[Group]:
    """Clause groups of one unit for one entity type: an entity clause plus the entity-less clauses after it."""
    result: list[Group] = []
    own: Clause | None = None
    followers: list[Clause] = []
    for clause in clauses(unit.text):
        if has_entity(clause.text):
            if own is not None:
                result.append(Group(unit, own, tuple(followers)))
            own, followers = clause, []
        elif own is not None:
            if names_an_entity(clause.text):
                result.append(Group(unit, own, tuple(followers)))
                own, followers = None, []
            else:
                followers.append(clause)
    if own is not None:
        result.append(Group(unit, own, tuple(followers)))
    return result


def cue_certainty(group: Group, pattern: re.Pattern[str], *, own_only: bool = False) -> Certainty | None:
    """Strongest certainty of any match of ``pattern`` in the group's clauses (None when it does not occur)."""
    found: list[Certainty] = []
    spans = [group.clause] if own_only else list(group.spans())
    for clause in spans:
        for match in pattern.finditer(clause.text):
            found.append(certainty_at(group.unit.text, clause.start + match.start(), clause.start + match.end()))
    return strongest(found) if found else None


def ranked(certainty: Certainty | None) -> int:
    return CERTAINTY_RANK[certainty] if certainty is not None else -1
