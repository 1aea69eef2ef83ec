"""The primary tumour's T findings: size and density from its lesion, and local extent from the report.

Local extent is read from every findings and impression sentence whose subject is the primary, with the
certainty of its wording: "invades the chest wall" (present), "chest wall invasion is suspected"
(probable), "abuts the aorta; invasion cannot be ruled out" (possible). Contact words ("abuts",
"pleural indentation") are not invasion. A structure named by a metastasis or a node ("bone metastasis
destroying T9", "the 4R node encases the SVC") is not T.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.staging.certainty import certainty_at
from rag.staging.extract.context import Unit
from rag.staging.extract.lesions import Lesion
from rag.staging.extract.vocabulary import (
    ADJECTIVE_STRUCTURES,
    ATELECTASIS,
    ATELECTASIS_EXTENT,
    ATELECTASIS_MINOR,
    CONTACT_ONLY,
    HISTOLOGY,
    IN_MAIN_BRONCHUS,
    INVASION_NOUN,
    INVASION_VERB,
    MAIN_BRONCHUS,
    METASTATIC_SUBJECT,
    PRIMARY_SUBJECT,
    STRUCTURE_ADJECTIVE,
    STRUCTURES,
    SUPERIOR_SULCUS,
)
from rag.staging.findings import ATELECTASIS_FEATURE, MAIN_BRONCHUS_FEATURE, Certainty, Invasion, TLevel, Tumour
from rag.staging.report_text import Clause, clauses
from rag.staging.sizes import parse_size

_I = re.IGNORECASE
_CARINA_DISTANCE = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:mm|cm))\s+(?:from|of|distal\s+to|proximal\s+to|away\s+from)\s+(?:the\s+)?(?:main\s+)?carina",
    _I,
)
_RANK = {"absent": 0, "possible": 1, "probable": 2, "present": 3}


def _metastatic_subject(before: str) -> bool:
    """True when the nearest subject before an invasion word is a metastasis or a node, not the primary."""
    cues = [(m.start(), True) for m in METASTATIC_SUBJECT.finditer(before)]
    cues += [(m.start(), False) for m in PRIMARY_SUBJECT.finditer(before)]
    return bool(cues) and max(cues)[1]


def _structures(window: str) -> Iterable[tuple[int, int, str, TLevel]]:
    """Structures named after an invasion verb, with their offset; contact words before one disqualify it."""
    for pattern, name, level, _ in STRUCTURES:
        for match in pattern.finditer(window):
            before = window[max(0, match.start() - 35) : match.start()]
            if CONTACT_ONLY.search(before) and not INVASION_VERB.search(before):
                continue
            yield match.start(), match.end(), name, level
            break


def _noun_structures(text: str) -> Iterable[tuple[int, str, TLevel]]:
    """ "<structure> invasion" phrasing: "phrenic nerve invasion", "chest wall involvement"."""
    for match in STRUCTURE_ADJECTIVE.finditer(text):
        name, level = ADJECTIVE_STRUCTURES[re.sub(r"\s+", " ", (match.group(1) or match.group(2)).lower())]
        yield match.start(), name, level
    for noun in INVASION_NOUN.finditer(text):
        before = text[max(0, noun.start() - 50) : noun.start()]
        for pattern, name, level, _ in STRUCTURES:
            if any(not before[m.end() :].strip(" ,") for m in pattern.finditer(before)):
                yield noun.start(), name, level
        after = re.match(r"\s*(?:of|into|to|in)\s+(?:the\s+)?", text[noun.end() :])
        if after:
            tail = text[noun.end() + after.end() : noun.end() + after.end() + 45]
            for pattern, name, level, _ in STRUCTURES:
                if pattern.match(tail):
                    yield noun.start(), name, level


_SEROSA = {"parietal pericardium", "pleura (layer not stated)", "parietal pleura", "visceral pleura"}
_SEROSAL_SPREAD = re.compile(r"effusion|nodul\w*|dissemin\w*|meta(?!bol)\w*|carcinomatos\w*|implant", _I)


def _weaker(a: Certainty, b: Certainty) -> Certainty:
    return a if _RANK[a] <= _RANK[b] else b


class _Extent:
    """Accumulates local-extent features, keeping the most certain reading of each."""

    def __init__(self) -> None:
        self.found: dict[str, Invasion] = {}

    def add(self, name: str, level: TLevel, evidence: str, certainty: Certainty, impression: bool) -> None:
        if certainty == "absent":
            return
        known = self.found.get(name)
        stronger = known is None or _RANK[certainty] > _RANK[known.certainty]
        if impression and known is not None and known.certainty != certainty:
            stronger = True  # the impression's judgement wins
        if stronger:
            self.found[name] = Invasion(structure=name, level=level, evidence=evidence, certainty=certainty)

    def result(self) -> list[Invasion]:
        found = dict(self.found)
        if any(k in found for k in ("visceral pleura", "parietal pleura")):
            found.pop("pleura (layer not stated)", None)
        return list(found.values())


def _read_clause(extent: _Extent, unit: Unit, clause: Clause, previous: Clause | None) -> None:
    text, sentence = clause.text, unit.text
    verbs = list(INVASION_VERB.finditer(text))
    for i, verb in enumerate(verbs):
        end = verbs[i + 1].start() if i + 1 < len(verbs) else min(len(text), verb.end() + 90)
        window = _CARINA_DISTANCE.sub(lambda m: " " * len(m.group(0)), text[verb.end() : end])
        if _metastatic_subject(sentence[: clause.start] + text[: verb.start()]):
            continue
        certainty = certainty_at(sentence, clause.start + verb.start(), clause.start + verb.end())
        offset = clause.start + verb.end()
        bronchus = MAIN_BRONCHUS.search(window)
        if bronchus:
            local = _weaker(certainty, certainty_at(sentence, offset + bronchus.start(), offset + bronchus.end()))
            extent.add(MAIN_BRONCHUS_FEATURE, "T2", sentence, local, unit.in_impression)
        for start, stop, name, level in _structures(window):
            # "invading the chest wall, without vertebral involvement": each structure keeps its own negation
            local = _weaker(certainty, certainty_at(sentence, offset + start, offset + stop))
            extent.add(name, level, sentence, local, unit.in_impression)
    named = False
    for start, name, level in _noun_structures(text):
        named = True
        if _metastatic_subject(sentence[: clause.start] + text[:start]):
            continue
        if name in _SEROSA and _SEROSAL_SPREAD.search(text):
            continue  # "effusion with nodular pericardial thickening ... malignant pericardial involvement" is M1a
        certainty = certainty_at(sentence, clause.start + start)
        extent.add(name, level, sentence, certainty, unit.in_impression)
    noun = INVASION_NOUN.search(text)
    if noun and not named and not verbs and previous is not None:
        # "The mass abuts the aortic arch; invasion cannot be ruled out": the structure is in the clause before.
        certainty = certainty_at(sentence, clause.start + noun.start())
        named_before = [(n, lv) for pattern, n, lv, _ in STRUCTURES if pattern.search(previous.text)]
        if not text[: noun.start()].strip():
            # "... = phrenic n. | invasion": the clause broke inside the phrase; the structure just before is meant.
            ending = previous.text.rstrip(" .")
            adjoining = [
                (n, lv) for pattern, n, lv, _ in STRUCTURES if re.search(f"(?:{pattern.pattern})$", ending, _I)
            ]
            named_before = adjoining or named_before
        for name, level in named_before:
            if not _metastatic_subject(previous.text):
                extent.add(name, level, sentence, certainty, unit.in_impression)
    for match in IN_MAIN_BRONCHUS.finditer(text):
        certainty = certainty_at(sentence, clause.start + match.start(), clause.start + match.end())
        extent.add(MAIN_BRONCHUS_FEATURE, "T2", sentence, certainty, unit.in_impression)
    for match in re.finditer(r"main(?:stem)?[- ]?bronch\w*\s+(?:invasion|involvement)", text, _I):
        extent.add(MAIN_BRONCHUS_FEATURE, "T2", sentence, certainty_at(sentence, clause.start + match.start()), False)
    atelectasis = ATELECTASIS.search(text)
    if atelectasis and ATELECTASIS_EXTENT.search(text) and not ATELECTASIS_MINOR.search(text):
        certainty = certainty_at(sentence, clause.start + atelectasis.start(), clause.start + atelectasis.end())
        extent.add(ATELECTASIS_FEATURE, "T2", sentence, certainty, unit.in_impression)


def local_extent(units: list[Unit]) -> list[Invasion]:
    """T-defining local features of the primary, each with its most certain (or the impression's) reading."""
    extent = _Extent()
    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        previous: Clause | None = None
        for clause in clauses(unit.text):
            _read_clause(extent, unit, clause, previous)
            previous = clause
        sulcus = SUPERIOR_SULCUS.search(unit.text)
        if sulcus:
            extent.add("chest wall", "T3", unit.text, certainty_at(unit.text, sulcus.start()), unit.in_impression)
    return extent.result()


def _histology(lesion: Lesion, units: list[Unit]) -> str | None:
    """AIS, SCIS or MIA, stated (or stated as probable) about the primary itself or in the clinical history."""
    texts = lesion.evidence() + [u.text for u in units if u.section == "history"]
    for text in texts:
        for pattern, label in HISTOLOGY:
            for match in pattern.finditer(text):
                if certainty_at(text, match.start(), match.end()) in ("present", "probable"):
                    return label
    return None


def build_tumour(lesion: Lesion, units: list[Unit], report: str) -> Tumour:
    """The primary's Tumour: its lesion's place, size and density plus the report's local extent and histology."""
    histology = _histology(lesion, units)
    carina = _CARINA_DISTANCE.search(report)
    return Tumour(
        side=lesion.side,
        lobe=lesion.lobe,
        size_mm=lesion.size_mm,
        solid_mm=lesion.solid_mm,
        density=lesion.density or "solid",
        histology=histology,  # type: ignore[arg-type]
        invasions=local_extent(units),
        carina_distance_mm=parse_size(carina.group(1)) if carina else None,
        evidence=lesion.evidence()[:2],
    )
