"""Lung lesions: which mentions are the same lesion, which lesion is the primary.

A report may describe the primary in the findings, restate it in the impression ("Right S6 nodule,
primary lung cancer is suspected"), and describe other nodules: satellites, metastases in another
lobe or the other lung, granulomas, a second primary. Mentions (:mod:`rag.staging.extract.mentions`) are
grouped into lesions by place, size and role; the primary is the lesion the report treats as the cancer; the
others become separate tumour nodules (located relative to the primary) only when the report calls them
metastatic, with the certainty it gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.staging.anatomy import places, side_in, side_of_lobe
from rag.staging.certainty import strongest
from rag.staging.extract.context import Unit
from rag.staging.extract.mentions import Mention
from rag.staging.extract.vocabulary import MASS_WORD, PHYSICAL_LESION, PRIMARY_CUE
from rag.staging.findings import Certainty, Density, Lobe, NoduleLocation, Side


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
