"""Lung lesions: every mention, which mentions are the same lesion, which lesion is the primary.

A report may describe the primary in the findings, restate it in the impression ("Right S6 nodule,
primary lung cancer is suspected"), and describe other nodules: satellites, metastases in another
lobe or the other lung, granulomas, a second primary. Mentions are grouped into lesions by place,
size and role; the primary is the lesion the report treats as the cancer; the others become
separate tumour nodules (located relative to the primary) only when the report calls them
metastatic, with the certainty it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.staging.anatomy import (
    Place,
    names_both_sides,
    names_contralateral,
    names_ipsilateral,
    names_same_lobe,
    places,
    side_in,
    side_of_lobe,
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
    MASS_WORD,
    METASTATIC_CUE,
    NODE_CUE,
    ORGANS,
    PART_SOLID,
    PERICARDIAL_SPREAD,
    PHYSICAL_LESION,
    PLEURAL_SPREAD,
    PLURAL_LESION,
    PRIMARY_CUE,
    PURE_SOLID,
    SEPARATE_CUE,
    SEPARATE_PRIMARY,
    SOLID_COMPONENT,
    SPICULATED,
)
from rag.staging.findings import Certainty, Density, Lobe, NoduleLocation, Side
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


@dataclass
class Lesion:
    """Mentions judged to be one lesion (or one group of lesions, when described in the plural)."""

    mentions: list[Mention] = field(default_factory=list)

    def _first(self, name: str) -> object:
        for mention in self._ordered():
            value = getattr(mention, name)
            if value not in (None, False):
                return value
        return None

    def _ordered(self) -> list[Mention]:
        """Findings mentions first: they carry the measurements; the impression only restates."""
        return sorted(self.mentions, key=lambda m: (m.unit.in_impression, m.unit.index))

    def _judged(self, name: str) -> Certainty | None:
        """The impression's judgement wins where it gives one; otherwise the strongest in the findings."""
        impression = [getattr(m, name) for m in self.mentions if m.unit.in_impression and getattr(m, name)]
        if impression:
            return strongest(impression)
        values = [getattr(m, name) for m in self.mentions if getattr(m, name)]
        return strongest(values) if values else None

    @property
    def lobe(self) -> Lobe | None:
        place = next((m.place for m in self._ordered() if m.place and m.place.lobe), None)
        return place.lobe if place else None

    @property
    def side(self) -> Side | None:
        if self.lobe:
            return side_of_lobe(self.lobe)
        return next((m.side for m in self._ordered() if m.side), None)

    @property
    def segment(self) -> str | None:
        place = next((m.place for m in self._ordered() if m.place and m.place.segment), None)
        return place.segment if place else None

    @property
    def size_mm(self) -> float | None:
        findings = [m.size_mm for m in self.mentions if m.size_mm is not None and not m.unit.in_impression]
        sizes = findings or [m.size_mm for m in self.mentions if m.size_mm is not None]
        return max(sizes) if sizes else None

    @property
    def solid_mm(self) -> float | None:
        return self._first("solid_mm")  # type: ignore[return-value]

    @property
    def density(self) -> Density | None:
        return self._first("density")  # type: ignore[return-value]

    @property
    def primary(self) -> Certainty | None:
        return self._judged("primary")

    @property
    def metastatic(self) -> Certainty | None:
        return self._judged("metastatic")

    @property
    def benign(self) -> Certainty | None:
        return self._judged("benign")

    @property
    def relation(self) -> NoduleLocation | None:
        return self._first("relation")  # type: ignore[return-value]

    def flag(self, name: str) -> bool:
        return any(getattr(m, name) for m in self.mentions)

    @property
    def first_index(self) -> int:
        return min(m.unit.index for m in self.mentions)

    def evidence(self) -> list[str]:
        return list(dict.fromkeys(m.unit.text for m in self._ordered()))


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


def _compatible(lesion: Lesion, mention: Mention) -> bool:
    if mention.separate and not mention.unit.in_impression:
        return False
    if mention.plural != lesion.flag("plural"):
        return False
    place = mention.place
    if place and place.lobe and lesion.lobe and place.lobe != lesion.lobe:
        return False
    if mention.side and lesion.side and mention.side != lesion.side:
        return False
    if place and place.segment and lesion.segment and place.segment != lesion.segment and mention.size_mm:
        return False
    size, other = mention.size_mm, lesion.size_mm
    if size and other and abs(size - other) > 0.3 * max(size, other):
        return False
    # "Rt. upper lobe lung cancer, PM1 suspected": a mention named as the cancer is the primary even when its
    # clause also reports a metastasis, which is another lesion's.
    named_primary = mention.primary in ("present", "probable")
    meta = _is_metastatic(mention.metastatic) and not named_primary
    lesion_meta = _is_metastatic(lesion.metastatic)
    if meta != lesion_meta and (mention.primary or lesion.primary):
        return False
    # A nodule called benign ("perifissural ... intrapulmonary lymph node") is not a lesion called metastatic.
    if mention.benign in ("present", "probable") and lesion_meta and not meta:
        return False
    return place is not None and (place.lobe is not None or place.segment is not None)


def _is_metastatic(certainty: Certainty | None) -> bool:
    return certainty in ("present", "probable", "possible")


def cluster(mentions: list[Mention]) -> list[Lesion]:
    """Group mentions into lesions.

    A mention with neither place nor size is not a new lesion: in the unit of an earlier mention it judges
    that lesion ("A 4 mm nodule in left S9; inflammatory nodule is possible"), elsewhere it refers to the
    lesion in focus ("the mass", "Lung cancer is suspected").
    """
    lesions: list[Lesion] = []
    focus: Lesion | None = None
    previous: tuple[Mention, Lesion] | None = None
    for mention in mentions:
        if mention.existence == "absent":
            continue
        target: Lesion | None = None
        unplaced = mention.place is None and mention.size_mm is None and not mention.separate
        if unplaced and previous is not None and previous[0].unit is mention.unit:
            target = previous[1]
        elif (unplaced or (mention.anaphoric and mention.place is None)) and focus is not None and not mention.plural:
            target = focus
        if target is None:
            target = next((lesion for lesion in lesions if _compatible(lesion, mention)), None)
        if target is None:
            target = Lesion()
            lesions.append(target)
        target.mentions.append(mention)
        previous = (mention, target)
        if not _is_metastatic(mention.metastatic) or mention.primary:
            focus = target if focus is None or not unplaced else focus
    return lesions


def _score(lesion: Lesion, largest: float | None, hint: Lobe | None) -> float:
    score = 0.0
    primary = lesion.primary
    if primary in ("present", "probable"):
        score += 4
    elif primary == "possible":
        score += 2
    if any(MASS_WORD.search(m.noun) for m in lesion.mentions):
        score += 1.5
    if lesion.size_mm and largest and lesion.size_mm >= largest:
        score += 2
    if lesion.flag("spiculated"):
        score += 1
    if _is_metastatic(lesion.metastatic) and primary not in ("present", "probable"):
        score -= 4
    if lesion.benign in ("present", "probable") and primary not in ("present", "probable"):
        score -= 5
    if lesion.flag("separate") and primary not in ("present", "probable"):
        score -= 3
    if lesion.flag("plural"):
        score -= 2
    if lesion.flag("separate_primary"):
        score -= 1
    if hint and lesion.lobe == hint:
        score += 3
    return score - 0.01 * lesion.first_index


def _described(lesion: Lesion) -> bool:
    """Seen, not only named: a lesion with a place, a size or a physical noun ("mass"), not just "adenocarcinoma"."""
    return any(m.place or m.size_mm or PHYSICAL_LESION.search(m.noun) for m in lesion.mentions)


def choose_primary(lesions: list[Lesion], hint: Lobe | None) -> Lesion | None:
    """The lesion the report treats as the cancer being staged; None when every lesion is benign."""
    largest = max((lesion.size_mm for lesion in lesions if lesion.size_mm), default=None)
    candidates = [lesion for lesion in lesions if _score(lesion, largest, hint) > -2 and _described(lesion)]
    if not candidates:
        return None
    return max(candidates, key=lambda lesion: _score(lesion, largest, hint))


def location_of(lesion: Lesion, primary: Lesion) -> NoduleLocation | None:
    """Where a separate lesion lies relative to the primary: same lobe, another ipsilateral lobe, other lung."""
    if lesion.flag("both_sides"):
        return "contralateral"
    if lesion.relation:
        return lesion.relation
    side = lesion.side
    if side is None and lesion.segment and primary.side:
        side = primary.side  # an unsided segment is read on the primary's side
    if side and primary.side and side != primary.side:
        return "contralateral"
    lobe = lesion.lobe
    if lobe is None and lesion.segment and side:
        lobe = places(f"{side} {lesion.segment}")[0].lobe
    if lobe and primary.lobe:
        return "same_lobe" if lobe == primary.lobe else "other_ipsilateral_lobe"
    return None


def report_side(units: list[Unit]) -> Side | None:
    """The side of the cancer as the impression or the findings name it ("right lung cancer")."""
    for section in ("impression", "findings", "history"):
        for unit in units:
            if unit.section == section and PRIMARY_CUE.search(unit.text):
                side = side_in(unit.text)
                if side:
                    return side
    return None
