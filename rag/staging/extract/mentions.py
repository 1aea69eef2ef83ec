"""Lung lesion mentions: each place a report names a nodule, mass or cancer, with what its clause says of it.

A mention carries the clause's place, size, density and judgements (primary, metastatic, benign, with the
certainty the report gives); :mod:`rag.staging.extract.lesions` then decides which mentions are one lesion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.staging.anatomy import (
    Place,
    names_both_sides,
    names_contralateral,
    names_ipsilateral,
    names_same_lobe,
    places,
    side_in,
)
from rag.staging.certainty import certainty_at, strongest
from rag.staging.extract.context import Group, Unit, cue_certainty, groups
from rag.staging.extract.vocabulary import (
    ANAPHOR,
    BENIGN_LESION,
    DEFINITE_REFERENCE,
    GROUND_GLASS,
    INDETERMINATE,
    LESION_NOUN,
    METASTATIC_CUE,
    NODE_CUE,
    ORGANS,
    PART_SOLID,
    PERICARDIAL_SPREAD,
    PLEURAL_SPREAD,
    PLURAL_LESION,
    PRIMARY_CUE,
    PURE_SOLID,
    SEPARATE_CUE,
    SEPARATE_PRIMARY,
    SOLID_COMPONENT,
    SPICULATED,
)
from rag.staging.findings import Certainty, Density, NoduleLocation, Side
from rag.staging.sizes import measurements, parse_size

_I = re.IGNORECASE
_INTERPRETATION_NOUN = re.compile(r"cancer|carcinoma|adenocarcinoma|malignancy|neoplasm|tumou?r", _I)
_METASTASIS_NOUN = re.compile(r"meta\w*", _I)
_NON_LUNG = re.compile(
    "|".join(p.pattern for p, _ in ORGANS) + r"|\bthyroid\b|\bbreast\b|\blymph\b|"
    r"\bnodal\b|\bchest\s+wall\b|\bsubcutaneous\b|\baxill\w*|\bspleen\b|\bpancrea\w*|\bovar\w*|\bprostat\w*|"
    r"\bcolon\b|\bbowel\b|\bstomach\b|\bgastric\b|\bkidney\b|\brenal\b|\besophag\w*|\boesophag\w*",
    _I,
)
_LUNG_WORD = re.compile(
    r"\blung\b|\bpulmonary\b|\bintrapulmonary\b|\blobar\b|\bhil(?:um|ar)\b|\bperihilar\b|\bapex\b|"
    r"\bapical\b|\blingul\w*|\bbronch\w*|\bfissur\w*|\bsubpleural\b|\bparenchym\w*|"
    r"\bpancoast\b|\bsuperior\s+sulcus\b",
    _I,
)
_LUNG_HEADING = re.compile(r"\blungs?\b|\bparenchyma\b|\bairways?\b|\bpulmonary\b|\bthorax\b|\bchest\b", _I)
_NAMED_LOBE = re.compile(r"\blobes?\b|\b(?:RUL|RML|RLL|LUL|LLL)\b|\blingula", _I)
_WINDOW = 45


@dataclass
class Mention:
    """One mention of a lung lesion in one unit, with what its clause says about it."""

    unit: Unit
    start: int
    noun: str
    place: Place | None
    side: Side | None
    both_sides: bool
    relation: NoduleLocation | None
    size_mm: float | None
    solid_mm: float | None
    density: Density | None
    existence: Certainty
    primary: Certainty | None
    metastatic: Certainty | None
    benign: Certainty | None
    indeterminate: bool
    separate_primary: bool
    separate: bool
    plural: bool
    anaphoric: bool
    spiculated: bool


def _anchors(text: str) -> list[tuple[int, int, str]]:
    """Entity anchors of a clause, to attach sizes and judgements to the nearest one."""
    found = [(m.start(), m.end(), "lesion") for m in LESION_NOUN.finditer(text)]
    found += [(m.start(), m.end(), "node") for m in NODE_CUE.finditer(text)]
    found += [(m.start(), m.end(), "node") for m in re.finditer(r"(?<![\w.])(?:1[0-4]|[1-9])[RL]\b", text)]
    found += [(m.start(), m.end(), "other") for m in _NON_LUNG.finditer(text)]
    found += [(m.start(), m.end(), "other") for p in (PLEURAL_SPREAD, PERICARDIAL_SPREAD) for m in p.finditer(text)]
    return sorted(found)


def _nearest(anchors: list[tuple[int, int, str]], start: int, end: int) -> tuple[int, int, str] | None:
    def gap(anchor: tuple[int, int, str]) -> int:
        a_start, a_end, _ = anchor
        if a_end <= start:
            return start - a_end
        if a_start >= end:
            return a_start - end
        return 0

    return min(anchors, key=gap) if anchors else None


def _owned(anchors: list[tuple[int, int, str]], noun: tuple[int, int, str], start: int, end: int) -> bool:
    """True when the span ``start:end`` is at least as close to the lesion ``noun`` as to any other anchor."""
    return _nearest([noun, *(a for a in anchors if a != noun)], start, end) == noun


def _stated(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``text`` says ``pattern`` as present or probable ("metastasis rather than a second primary" does not)."""
    return any(certainty_at(text, m.start(), m.end()) in ("present", "probable") for m in pattern.finditer(text))


def _is_lung(clause: str, noun_start: int, noun_end: int, unit: Unit) -> bool:
    """Whether a lesion noun is in the lung: the nearer of a lung place and another organ decides ("left S1+2
    nodule with pleural indentation" is in the lung, "lesion in liver S8" and "nodule of the thyroid" are not)."""

    def distance(start: int, end: int) -> int:
        return max(noun_start - end, start - noun_end, 0)

    if re.search(r"\b(?:pleural|pericardial|pleura)\s+(?:\w+\s+)?$", clause[max(0, noun_start - 30) : noun_start], _I):
        return False  # "pleural nodules" are M1a pleural spread, not lung lesions
    if _NON_LUNG.search(unit.heading) and not _LUNG_HEADING.search(unit.heading):
        # Under "Liver:" a bare "S6" is a liver segment: only a named lobe or the lung puts a lesion in the lung.
        return bool(_LUNG_WORD.search(clause) or _NAMED_LOBE.search(clause))
    lung = [distance(p.start, p.end) for p in places(clause)]
    lung += [distance(*m.span()) for m in _LUNG_WORD.finditer(clause)]
    other = [distance(*m.span()) for m in _NON_LUNG.finditer(clause)]
    nearest_lung, nearest_other = min(lung, default=10_000), min(other, default=10_000)
    if nearest_other < 30 and nearest_other < nearest_lung:
        return False
    if nearest_lung < 10_000 or PRIMARY_CUE.search(clause[max(0, noun_start - _WINDOW) : noun_end + _WINDOW]):
        return True
    return bool(_LUNG_HEADING.search(unit.heading)) or nearest_other >= _WINDOW


_LINKING = re.compile(
    r"(?:consistent|compatible|in\s+keeping)\s+with|suggestive\s+of|suspicious\s+(?:for|of)|concerning\s+for|"
    r"represent\w*|likely|probably|such\s+as|as\s+an?|i\.e\.?|differential",
    _I,
)


def _side_near(text: str, start: int, end: int) -> Side | None:
    """A side named with the lesion but no lobe ("right main bronchus tumour", "metastases in the right lung")."""
    return side_in(text[max(0, start - 25) : end + 35])


def _relation(text: str) -> NoduleLocation | None:
    if names_same_lobe(text):
        return "same_lobe"
    if names_contralateral(text):
        return "contralateral"
    if names_ipsilateral(text) and not re.search(r"ipsilateral\s+(?:hil|mediastin|node|lymph)", text, _I):
        return "other_ipsilateral_lobe"
    return None


def _density(text: str, solid_mm: float | None) -> Density | None:
    if PART_SOLID.search(text) or solid_mm is not None:
        return "part-solid"
    if GROUND_GLASS.search(text):
        return "ground-glass"
    if PURE_SOLID.search(text):
        return "solid"
    return None


def _mention_nouns(text: str, unit: Unit) -> list[tuple[int, int, str]]:
    """The lesion nouns of a clause that start a mention: not a restated interpretation ("nodule, primary lung
    cancer is suspected"), not a reference to another lesion ("2 cm caudal to the main lesion"), in the lung."""
    chosen: list[tuple[int, int, str]] = []
    for match in LESION_NOUN.finditer(text):
        start, end = match.span()
        last_word = match.group(0).split()[-1]
        if chosen and _INTERPRETATION_NOUN.fullmatch(last_word):
            continue  # "nodule, primary lung cancer is suspected": the judgement of the nodule
        if chosen and _METASTASIS_NOUN.fullmatch(last_word) and not PRIMARY_CUE.search(text[: match.start()]):
            continue  # "nodule in S10, intrapulmonary metastasis is suspected"; but "cancer with ... metastasis" is two
        reference = DEFINITE_REFERENCE.search(text, max(0, start - 30), end)
        if chosen and reference and reference.end() == end:
            continue
        if chosen and _LINKING.search(text[chosen[-1][1] : start]):
            continue  # "nodule ..., consistent with a separate tumour nodule": a judgement of the first
        if _is_lung(text, start, end, unit):
            chosen.append((start, end, "lesion"))
    return chosen


def _mentions_in(group: Group) -> list[Mention]:
    unit, clause = group.unit, group.clause
    text = clause.text
    nouns = _mention_nouns(text, unit)
    anchors = sorted(nouns + [a for a in _anchors(text) if a[2] != "lesion"])
    solid_spans = [
        (m.start(), m.end(), parse_size(m.group("a") or m.group("b") or "")) for m in SOLID_COMPONENT.finditer(text)
    ]
    current = measurements(text)
    follower_text = " ".join(f.text for f in group.followers)
    follower_solids = [parse_size(m.group("a") or m.group("b") or "") for m in SOLID_COMPONENT.finditer(follower_text)]
    result: list[Mention] = []
    for position, noun in enumerate(nouns):
        start, end, _ = noun
        sizes = [
            m.greatest
            for m in current
            if not any(a <= m.start < b for a, b, _ in solid_spans) and _owned(anchors, noun, m.start, m.end)
        ]
        solids = [value for a, b, value in solid_spans if value is not None and _owned(anchors, noun, a, b)]
        if position == 0:
            solids += [value for value in follower_solids if value is not None]
            if not sizes and not follower_solids:
                sizes = [m.greatest for m in measurements(follower_text)]
        own_places = [p for p in places(text) if _owned(anchors, noun, p.start, p.end)]
        window = text[max(0, start - _WINDOW) : end + _WINDOW]
        whole = position == 0
        cue_group = group if whole else Group(unit, clause, ())
        judged = group.text if whole else window
        solid = min(solids) if solids else None
        result.append(
            Mention(
                unit=unit,
                start=clause.start + start,
                noun=text[start:end],
                place=own_places[0] if own_places else None,
                side=own_places[0].side if own_places and own_places[0].side else _side_near(text, start, end),
                both_sides=names_both_sides(window),
                relation=_relation(judged),
                size_mm=max(sizes) if sizes else None,
                solid_mm=solid,
                density=_density(window, solid),
                existence=certainty_at(unit.text, clause.start + start, clause.start + end),
                primary=_owned_cue(cue_group, PRIMARY_CUE, anchors, noun),
                metastatic=_owned_cue(cue_group, METASTATIC_CUE, anchors, noun),
                benign=_owned_cue(cue_group, BENIGN_LESION, anchors, noun),
                indeterminate=bool(INDETERMINATE.search(judged)),
                separate_primary=_stated(SEPARATE_PRIMARY, judged),
                separate=bool(SEPARATE_CUE.search(text[max(0, start - 40) : start])),
                plural=bool(PLURAL_LESION.search(text[max(0, start - 20) : end])),
                anaphoric=bool(ANAPHOR.match(text[:end]))
                or bool(DEFINITE_REFERENCE.search(text[max(0, start - 30) : end])),
                spiculated=bool(SPICULATED.search(window)),
            )
        )
    return result


def _owned_cue(
    group: Group, pattern: re.Pattern[str], anchors: list[tuple[int, int, str]], noun: tuple[int, int, str]
) -> Certainty | None:
    """Certainty of a cue that belongs to this lesion: in its own clause the cue must sit nearer to the lesion than
    to a node or another organ ("lung cancer with #11s lymph node metastasis"); follower clauses judge it whole."""
    found: list[Certainty] = []
    clause = group.clause
    for match in pattern.finditer(clause.text):
        if _owned(anchors, noun, match.start(), match.end()):
            found.append(certainty_at(group.unit.text, clause.start + match.start(), clause.start + match.end()))
    if group.followers:
        follower = cue_certainty(Group(group.unit, group.followers[0], group.followers[1:]), pattern)
        if follower is not None:
            found.append(follower)
    return strongest(found) if found else None


def lesion_mentions(units: list[Unit]) -> list[Mention]:
    """Every lung-lesion mention of the report outside history, technique and comparison sections."""
    found: list[Mention] = []
    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        for group in groups(unit, lambda text: bool(LESION_NOUN.search(text))):
            found.extend(_mentions_in(group))
    return found
