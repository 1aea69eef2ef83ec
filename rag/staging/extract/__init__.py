"""Rule-based extraction of staging findings from a free-text CT report.

Rules rather than a model so that the same report always gives the same findings and every finding keeps
the sentence it came from. Each finding carries the certainty of its wording; which certainties count is
decided later by the staging policy, so nothing the report hedges is silently dropped or silently counted.
"""

from __future__ import annotations

from typing import Literal

from rag.staging.anatomy import names_both_sides, names_contralateral, places, side_in, side_of_lobe
from rag.staging.certainty import certainty_at
from rag.staging.extract.context import Unit, read_units
from rag.staging.extract.distant import distant_metastases, pleural_spread
from rag.staging.extract.lesions import Lesion, choose_primary, cluster, location_of, report_side
from rag.staging.extract.mentions import lesion_mentions
from rag.staging.extract.nodes import non_regional_readings, read_nodes, resolve_nodes
from rag.staging.extract.tumour import build_tumour
from rag.staging.extract.vocabulary import (
    EXTRATHORACIC_STATEMENT,
    LYMPHANGITIC,
    METASTATIC_CUE,
    NODES_NOT_ASSESSABLE,
    POSITIVE_CYTOLOGY,
    PRIMARY_CUE,
    PRIMARY_NOT_SEEN,
)
from rag.staging.findings import Findings, Lobe, Metastasis, NoduleLocation, SeparateNodule, Tumour

Mode = Literal["report", "question"]


def _history_lobe(units: list[Unit]) -> Lobe | None:
    """The lobe the history names for the known cancer ("biopsy-proven RUL adenocarcinoma")."""
    for unit in units:
        if unit.section == "history" and PRIMARY_CUE.search(unit.text):
            for place in places(unit.text):
                if place.lobe:
                    return place.lobe
    return None


def _separate_nodules(lesions: list[Lesion], primary: Lesion, notes: list[str]) -> list[SeparateNodule]:
    nodules: list[SeparateNodule] = []
    for lesion in lesions:
        if lesion is primary:
            continue
        evidence = " | ".join(lesion.evidence())
        if lesion.flag("separate_primary"):
            notes.append(f"separate primary tumour reported; it needs its own TNM: {evidence!r}")
            continue
        certainty = lesion.metastatic
        if certainty in (None, "absent"):
            if any(m.noun.lower().startswith("satellite") for m in lesion.mentions) or lesion.flag("indeterminate"):
                certainty = "possible"
            elif lesion.primary in ("present", "probable"):
                certainty = "possible"
                notes.append(f"second suspicious lesion, separate primary or metastasis not stated: {evidence!r}")
            else:
                continue
        location = location_of(lesion, primary)
        if location is None:
            notes.append(f"separate nodule with unknown location not counted: {evidence!r}")
            continue
        nodules.append(SeparateNodule(location=location, evidence=lesion.evidence()[0], certainty=certainty))
    return nodules


def _lymphangitic(units: list[Unit], primary: Lesion | None, notes: list[str]) -> list[SeparateNodule]:
    """Lymphangitic carcinomatosis, placed like separate tumour nodules (a medcite convention, see knowledge)."""
    found: list[SeparateNodule] = []
    for unit in units:
        if unit.section not in ("findings", "impression"):
            continue
        for match in LYMPHANGITIC.finditer(unit.text):
            certainty = certainty_at(unit.text, match.start(), match.end())
            if certainty == "absent":
                continue
            location = _spread_location(unit.text, primary)
            if location is None:
                notes.append(f"lymphangitic spread of unknown extent not counted: {unit.text!r}")
                continue
            found.append(
                SeparateNodule(location=location, evidence=unit.text, certainty=certainty, kind="lymphangitic")
            )
    return found


def _spread_location(text: str, primary: Lesion | None) -> NoduleLocation | None:
    """Where diffuse spread lies relative to the primary, from the places its sentence names."""
    if names_both_sides(text) or names_contralateral(text):
        return "contralateral"
    if primary is None or primary.side is None:
        return None
    named = [place for place in places(text) if place.lobe]
    if named:
        lobes = {place.lobe for place in named}
        if any(side_of_lobe(lobe) != primary.side for lobe in lobes):
            return "contralateral"
        return "same_lobe" if lobes == {primary.lobe} else "other_ipsilateral_lobe"
    side = side_in(text)
    if side is not None and side != primary.side:
        return "contralateral"
    return None


_LOCAL_BONE = {"chest wall", "vertebral body", "vertebral lamina"}


def _without_local_bone(metastases: list[Metastasis], tumour: Tumour | None, notes: list[str]) -> list[Metastasis]:
    """Bone destruction next to a primary that invades the chest wall or spine is local extent (T), not M:
    a skeletal finding counts as metastasis there only when the report calls it metastatic."""
    if tumour is None or not any(i.structure in _LOCAL_BONE for i in tumour.invasions):
        return metastases
    kept = []
    for metastasis in metastases:
        if metastasis.system == "skeletal system" and not METASTATIC_CUE.search(metastasis.evidence):
            notes.append(f"bone destruction read as local invasion by the primary: {metastasis.evidence!r}")
            continue
        kept.append(metastasis)
    return kept


def extract_findings(report: str, mode: Mode = "report") -> Findings:
    """Structured findings, each with its certainty and its verbatim sentence.

    ``mode="report"`` reads an imaging report of the chest: regional nodes were imaged (cN0 when none is
    described) and distant disease is cM0 when none is described. ``mode="question"`` reads a one-line
    guideline question, where nothing unsaid was examined.
    """
    units = read_units(report)
    notes: list[str] = []
    lesions = cluster(lesion_mentions(units))
    primary = choose_primary(lesions, _history_lobe(units))
    if primary is not None and primary.side is None:
        side = report_side(units)
        if side is not None:
            notes.append(f"tumour side taken from the report's wording: {side}")
    tumour = build_tumour(primary, units, report) if primary is not None else None
    if tumour is not None and tumour.side is None:
        tumour = tumour.model_copy(update={"side": report_side(units)})
    readings = read_nodes(units)
    nodes = resolve_nodes(readings)
    separate = _separate_nodules(lesions, primary, notes) if primary is not None else []
    separate += _lymphangitic(units, primary, notes)
    text_units = [u for u in units if u.section in ("findings", "impression")]
    node_statement = any(r.certainty is not None or r.nodes for r in readings)
    nodes_assessed = mode == "report" and not any(NODES_NOT_ASSESSABLE.search(u.text) for u in units)
    return Findings(
        tumour=tumour,
        primary_not_seen=tumour is None and any(PRIMARY_NOT_SEEN.search(u.text) for u in text_units),
        malignant_cytology=any(POSITIVE_CYTOLOGY.search(u.text) for u in units),
        separate_nodules=separate,
        nodes=nodes,
        nodes_assessed=nodes_assessed or node_statement,
        pleural=pleural_spread(units, notes),
        metastases=_without_local_bone(distant_metastases(units, non_regional_readings(readings)), tumour, notes),
        distant_assessed=any(EXTRATHORACIC_STATEMENT.search(u.text) for u in text_units),
        notes=notes,
    )


__all__ = ["Mode", "extract_findings"]
