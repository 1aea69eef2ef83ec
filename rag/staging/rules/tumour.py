"""T: the primary tumour's category from its size (or the subsolid rules) and every T-defining feature."""

from __future__ import annotations

from dataclasses import dataclass

from rag.staging.citations import Citation, cite
from rag.staging.findings import (
    ATELECTASIS_FEATURE,
    MAIN_BRONCHUS_FEATURE,
    Findings,
    Invasion,
    SeparateNodule,
    Tumour,
)
from rag.staging.result import Decision
from rag.staging.rules.outcome import Outcome, unique
from rag.staging.stage_groups import T_VALUES

_T_SIZE_QUOTES = {
    "T1a": ("t-categories/t1a", "T1a: greatest dimension of 1 cm or less"),
    "T1b": ("t-categories/t1b", "T1b: greater than 1 cm and at most 2 cm"),
    "T1c": ("t-categories/t1c", "T1c: greater than 2 cm and at most 3 cm"),
    "T2a": ("t-categories/t2a", "T2a: greater than 3 cm and at most 4 cm"),
    "T2b": ("t-categories/t2b", "T2b: greater than 4 cm and at most 5 cm"),
    "T3": ("t-categories/t3", "T3: greater than 5 cm and at most 7 cm"),
    "T4": ("t-categories/t4", "T4: greater than 7 cm"),
}
_SIZE_LIMITS = ((10.0, "T1a"), (20.0, "T1b"), (30.0, "T1c"), (40.0, "T2a"), (50.0, "T2b"), (70.0, "T3"))
_T2A_FEATURE = (
    "t-categories/t2a",
    "A tumour with a T2 feature is T2a when it measures 4 cm or less or when its size cannot be determined",
)
_FEATURE_QUOTES = {
    "main bronchus": (
        "t-categories/t2",
        "it involves the main bronchus at any distance from the carina, without involving the carina itself",
    ),
    "visceral pleura": ("t-categories/t2", "it invades the visceral pleura (PL1 or PL2)"),
    "pleura (layer not stated)": ("t-categories/t2", "it invades the visceral pleura (PL1 or PL2)"),
    "atelectasis": (
        "t-categories/t2",
        "it causes atelectasis or obstructive pneumonitis that reaches the hilar region, in part or all of the lung",
    ),
    "fissure": ("t-categories/t2a", "S5 also places invasion of an adjacent lobe across the fissure under T2a"),
    "T3": (
        "t-categories/t3",
        "Any size is T3 when the tumour directly invades the parietal pleura (PL3), the chest "
        "wall (superior sulcus tumours included), the phrenic nerve or the parietal pericardium",
    ),
    "T3-9th": (
        "t-categories/t3",
        "The 9th edition wording in S5 also names the azygos vein, thoracic nerve roots such "
        "as T1 and T2, and the stellate ganglion",
    ),
    "T4": (
        "t-categories/t4",
        "Any size is T4 when the tumour invades the diaphragm, mediastinum, heart, great "
        "vessels, trachea, recurrent laryngeal nerve, oesophagus, vertebral body or carina",
    ),
    "T4-9th": (
        "t-categories/t4",
        "The 9th edition wording in S5 also names the thymus, vagus nerve, intrapericardial "
        "pulmonary arteries and veins, supra-aortic arteries, brachiocephalic veins, subclavian vessels, "
        "vertebral lamina, spinal canal, cervical nerve roots and brachial plexus",
    ),
}
_NINTH_WORDING = {
    "azygos vein",
    "stellate ganglion",
    "thoracic nerve roots",
    "thymus",
    "vagus nerve",
    "brachial plexus",
    "subclavian vessels",
    "brachiocephalic vein",
    "spinal canal",
    "vertebral lamina",
}
_NODULE_QUOTES = {
    "same_lobe": (
        "T3",
        "t-categories/multiple-lesions",
        "A separate nodule of the same cancer in the same lobe: T3",
        "t-categories/t3",
        "Any size is T3 when there are separate tumour nodules in the same lobe as the primary",
    ),
    "other_ipsilateral_lobe": (
        "T4",
        "t-categories/multiple-lesions",
        "A separate nodule of the same cancer in another lobe of the same lung: T4",
        "t-categories/t4",
        "Any size is T4 when there are separate tumour nodules in a different lobe of the same lung",
    ),
}
_SUBSOLID = "t-categories/subsolid-nodules"
_HIGHEST_T = (
    "t-categories/rules-shared-by-all-t-categories",
    "a tumour takes the highest T category reached by its size or by any one of its features",
)
_SIZE_RULE = (
    "t-categories/rules-shared-by-all-t-categories",
    "The size that counts is the greatest dimension of the invasive (solid) part of the tumour",
)


@dataclass(frozen=True)
class _TCandidate:
    value: str
    reason: str
    evidence: list[str]
    citations: list[Citation]


def _cm(mm: float) -> str:
    return f"{mm / 10:g} cm"


def size_category(size_mm: float) -> str:
    """T category from the greatest dimension of the invasive part (identical in both editions)."""
    for limit, category in _SIZE_LIMITS:
        if size_mm <= limit:
            return category
    return "T4"


def _size_candidate(tumour: Tumour, warnings: list[str]) -> _TCandidate | None:
    evidence = tumour.evidence[:2]
    if tumour.histology in ("AIS", "SCIS"):
        return _TCandidate(
            "Tis",
            f"carcinoma in situ ({tumour.histology}) is described",
            evidence,
            [
                cite(
                    "t-categories/tis",
                    "Tis: carcinoma in situ, either squamous cell carcinoma in situ (SCIS) or "
                    "adenocarcinoma in situ (AIS, a purely lepidic tumour of 3 cm or less)",
                )
            ],
        )
    if tumour.histology == "MIA":
        return _TCandidate(
            "T1mi",
            "minimally invasive adenocarcinoma is described",
            evidence,
            [
                cite(
                    "t-categories/t1mi",
                    "T1mi: minimally invasive adenocarcinoma, 3 cm or less, mainly lepidic, with an "
                    "invasive part of 5 mm or less",
                )
            ],
        )
    size = tumour.size_mm
    if tumour.density == "ground-glass" and size is not None:
        if size <= 30:
            return _TCandidate(
                "Tis",
                f"pure ground-glass lesion of {_cm(size)} (3 cm or less)",
                evidence,
                [cite(_SUBSOLID, "A pure ground-glass lesion of 3 cm or less is at most cTis")],
            )
        return _TCandidate(
            "T1a",
            f"pure ground-glass lesion of {_cm(size)} (over 3 cm)",
            evidence,
            [cite(_SUBSOLID, "A subsolid lesion larger than 3 cm overall is at least cT1a, whatever it looks like")],
        )
    if tumour.density == "part-solid":
        if tumour.solid_mm is None:
            warnings.append("part-solid lesion without a measured solid component: T is based on the total size")
        else:
            return _part_solid_candidate(tumour.solid_mm, size, evidence)
    if size is None:
        return None
    category = size_category(size)
    return _TCandidate(
        category,
        f"greatest tumour dimension {_cm(size)}",
        evidence,
        [cite(*_T_SIZE_QUOTES[category]), cite(*_SIZE_RULE)],
    )


def _part_solid_candidate(solid: float, total: float | None, evidence: list[str]) -> _TCandidate:
    invasive = cite(_SUBSOLID, "In a part-solid lesion the solid component stands for the invasive part and sets cT")
    total_text = f"total {_cm(total)}" if total is not None else "total size not given"
    if solid <= 5:
        if total is None or total <= 30:
            return _TCandidate(
                "T1mi",
                f"part-solid lesion, solid component {solid:g} mm ({total_text})",
                evidence,
                [invasive, cite(_SUBSOLID, "Solid component of 5 mm or less with a total size of 3 cm or less: cT1mi")],
            )
        return _TCandidate(
            "T1a",
            f"part-solid lesion, solid component {solid:g} mm ({total_text}, over 3 cm)",
            evidence,
            [invasive, cite(_SUBSOLID, "Solid component of 5 mm or less with a total size over 3 cm: cT1a")],
        )
    category = size_category(solid)
    return _TCandidate(
        category,
        f"part-solid lesion, solid component {_cm(solid)} ({total_text})",
        evidence,
        [
            invasive,
            cite(
                _SUBSOLID,
                "A larger solid component follows the usual size scale: up to 10 mm "
                "cT1a, 11 to 20 mm cT1b, 21 to 30 mm cT1c, and so on",
            ),
            cite(*_T_SIZE_QUOTES[category]),
        ],
    )


_LYMPHANGITIC = (
    "t-categories/lymphangitic-spread",
    "medcite classifies it by extent in the way S5 classifies diffuse pneumonic-type disease",
)
_FLAG_FEATURES = {MAIN_BRONCHUS_FEATURE, ATELECTASIS_FEATURE}


def _qualified(reason: str, certainty: str) -> str:
    return f"{reason} (reported as {certainty})" if certainty == "probable" else reason


def _flag_candidates(tumour: Tumour) -> list[_TCandidate]:
    """Main-bronchus involvement and atelectasis to the hilum, from the schema's flags or extracted features."""
    features = {i.structure: i for i in tumour.invasions if i.structure in _FLAG_FEATURES}
    candidates: list[_TCandidate] = []
    t2a = cite(*_T2A_FEATURE)
    carina = any(i.structure == "carina" for i in tumour.invasions)
    bronchus = features.get(MAIN_BRONCHUS_FEATURE)
    if (tumour.main_bronchus or bronchus) and not carina:
        distance = f" {_cm(tumour.carina_distance_mm)} from the carina" if tumour.carina_distance_mm else ""
        reason = _qualified(f"main bronchus involved{distance}, carina spared", bronchus.certainty if bronchus else "")
        evidence = [bronchus.evidence] if bronchus else tumour.evidence[:1]
        candidates.append(_TCandidate("T2a", reason, evidence, [cite(*_FEATURE_QUOTES["main bronchus"]), t2a]))
    atelectasis = features.get(ATELECTASIS_FEATURE)
    if tumour.atelectasis_to_hilum or atelectasis:
        reason = _qualified(
            "atelectasis or obstructive pneumonitis extending to the hilum",
            atelectasis.certainty if atelectasis else "",
        )
        evidence = [atelectasis.evidence] if atelectasis else tumour.evidence[:1]
        candidates.append(_TCandidate("T2a", reason, evidence, [cite(*_FEATURE_QUOTES["atelectasis"]), t2a]))
    return candidates


def _invasion_candidate(invasion: Invasion, warnings: list[str]) -> _TCandidate:
    if invasion.level == "T2":
        if invasion.structure == "pleura (layer not stated)":
            warnings.append("pleural invasion without the layer named: read as visceral pleura (T2)")
        quote = _FEATURE_QUOTES.get(invasion.structure, _FEATURE_QUOTES["visceral pleura"])
        reason = _qualified(f"invasion of the {invasion.structure}", invasion.certainty)
        return _TCandidate("T2a", reason, [invasion.evidence], [cite(*quote), cite(*_T2A_FEATURE)])
    ninth = invasion.structure in _NINTH_WORDING
    key = invasion.level + ("-9th" if ninth else "")
    reason = f"direct invasion of the {invasion.structure}"
    if ninth:
        reason += " (named in the 9th-edition wording, S5 only)"
    reason = _qualified(reason, invasion.certainty)
    return _TCandidate(invasion.level, reason, [invasion.evidence], [cite(*_FEATURE_QUOTES[key])])


def _nodule_candidate(nodule: SeparateNodule) -> _TCandidate | None:
    if nodule.location not in _NODULE_QUOTES:
        return None
    value, slug_a, quote_a, slug_b, quote_b = _NODULE_QUOTES[nodule.location]
    where = "the same lobe" if nodule.location == "same_lobe" else "another lobe of the same lung"
    citations = [cite(slug_a, quote_a), cite(slug_b, quote_b)]
    what = "separate tumour nodule"
    if nodule.kind == "lymphangitic":
        what = "lymphangitic spread"
        citations.append(cite(*_LYMPHANGITIC))
    reason = _qualified(f"{what} in {where}", nodule.certainty)
    return _TCandidate(value, reason, [nodule.evidence], citations)


def _feature_candidates(findings: Findings, tumour: Tumour, warnings: list[str]) -> list[_TCandidate]:
    candidates = _flag_candidates(tumour)
    candidates += [_invasion_candidate(i, warnings) for i in tumour.invasions if i.structure not in _FLAG_FEATURES]
    candidates += [c for c in map(_nodule_candidate, findings.separate_nodules) if c is not None]
    return candidates


def decide_t(findings: Findings) -> Outcome:
    """T from size (or subsolid rules) and every non-size feature; the highest category wins."""
    tumour = findings.tumour
    if tumour is None:
        return _no_tumour(findings)
    warnings: list[str] = []
    candidates = [c for c in [_size_candidate(tumour, warnings)] if c is not None]
    candidates += _feature_candidates(findings, tumour, warnings)
    if not candidates:
        decision = Decision(
            "T",
            "TX",
            "a primary tumour is described but its size is not given and no T-defining feature is reported; "
            "missing: the greatest dimension of the tumour (or of its solid part)",
            tumour.evidence[:1],
            [cite("t-categories/tx", "TX: the primary tumour cannot be assessed")],
        )
        return Outcome(decision, ("TX",), warnings=warnings)
    rank = max(T_VALUES.index(c.value) for c in candidates)
    value = T_VALUES[rank]
    winners = [c for c in candidates if T_VALUES.index(c.value) == rank]
    others = [c for c in candidates if T_VALUES.index(c.value) < rank]
    reason = "; ".join(c.reason for c in winners) + f" -> {value}"
    if others:
        reason += ". Also noted: " + "; ".join(f"{c.reason} ({c.value})" for c in others)
    citations = unique([cit for c in winners for cit in c.citations] + ([cite(*_HIGHEST_T)] if others else []))
    evidence = unique([e for c in winners for e in c.evidence if e])
    return Outcome(Decision("T", value, reason, evidence, citations), (value,), warnings=warnings)


def _no_tumour(findings: Findings) -> Outcome:
    tx = cite(
        "t-categories/tx",
        "TX: the primary tumour cannot be assessed, or malignant cells are found in sputum or "
        "bronchial washings while imaging and bronchoscopy show no tumour",
    )
    if findings.malignant_cytology:
        decision = Decision(
            "T", "TX", "malignant cells in sputum or bronchial washings without a tumour on imaging", [], [tx]
        )
    elif findings.primary_not_seen:
        decision = Decision(
            "T",
            "T0",
            "no primary tumour is seen",
            [],
            [cite("t-categories/t0", "T0: there is no evidence of a primary tumour")],
        )
    else:
        decision = Decision(
            "T",
            "TX",
            "the text describes no primary lung tumour, so T cannot be assessed; "
            "missing: the primary's location and size",
            [],
            [tx],
        )
    return Outcome(decision, (decision.value,))
