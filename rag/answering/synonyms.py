"""Clinicians' abbreviations and synonyms, spelled out the way the guideline text words them.

"Pleural tap", "CXR", "radiotherapy", "ETT tip" and "NG tube" are how questions are asked; "thoracentesis",
"chest radiograph", "radiation therapy", "endotracheal tube" and "nasogastric tube" are how the documents
answer. The expansion is appended to the question for lexical matching (BM25, reranker recall, term
coverage); the original question is kept for the dense encoder and for the answer.
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, str] = {
    r"\btap\b": "thoracentesis pleural fluid",
    r"\bcxr\b": "chest radiograph",
    r"\bplain[- ]film\b|\bfilm\b|\bx-?ray\b": "radiograph",
    r"\bradiotherapy\b": "radiation therapy",
    r"\bchemoradiotherapy\b|\bchemo-?rt\b": "chemoradiation therapy",
    r"\bsbrt\b|\bsabr\b": "stereotactic body radiation therapy",
    r"\bett\b": "endotracheal tube",
    r"\bng\b|\bnasogastric\b|\bfeeding\s+tube\b": "nasogastric tube",
    r"\bij\b": "internal jugular",
    r"\bcvc\b|\bcentral\s+line\b": "central venous catheter",
    r"\bcp\s+angle\b": "costophrenic angle",
    r"\bupright\b": "erect",
    r"\bggn\b|\bggo\b": "ground-glass nodule",
    r"\bicu\b": "intensive care supine",
    r"\bchf\b|\bhf[rp]ef\b": "heart failure",
    r"\bunfit\b|\binoperable\b|\bnot\s+a\s+surgical\s+candidate\b": "medically inoperable",
    r"\bmets\b": "metastases",
    r"\bls-?sclc\b": "limited-stage small cell lung cancer",
    r"\bes-?sclc\b": "extensive-stage small cell lung cancer",
    r"\bmutant\b|\bmutation\b": "variant",
    r"\bdel\b": "deletion",
    r"\bpci\b": "prophylactic cranial irradiation",
    r"\btki\b": "tyrosine kinase inhibitor",
    r"\bnsclc\b": "non-small cell lung cancer",
    r"\bsclc\b": "small cell lung cancer",
    r"\bldct\b": "low-dose computed tomography screening",
    r"\bpet[- ]?ct\b": "PET/CT FDG",
    r"\bctr\b": "cardiothoracic ratio",
    r"\bards\b": "acute respiratory distress syndrome",
    r"\bptx\b": "pneumothorax",
    r"\bebus\b": "endobronchial ultrasound",
    r"\bsuv\b": "standardised uptake value",
    r"\bcardiomegaly\b": "cardiothoracic ratio heart size",
    r"\bwhite-?out\b": "opacified hemithorax",
    r"\bblunt\w*\b": "blunting",
    r"\bcaliper\w*\b|\bmeasured\b": "measurement",
    r"\bsmokers?\b|\bpack[- ]years?\b|\bpk-?yrs?\b": "smoking history",
    r"\bcurrent\s+guidance\b|\bper\s+fleischner\b": "Fleischner",
    r"\bmislabel\w*\b|\bmisclassif\w*\b": "misclassify",
    r"\bseveral\b|\bmany\b|\bnumerous\b": "multiple",
    r"\btell\b.{0,40}\bfrom\b|\bdistinguish\w*\b|\bdifferentiat\w*\b|\bsort\s+out\b": "versus separate signs",
    r"\bnot\s+(?:be\s+)?(?:managed|used|applied)\b|\bexclusions?\b|\bexceptions?\b|\bexclude[sd]?\b": (
        "scope exclusions"
    ),
    r"\blung-?rads\s+(\d[abxs]?)\b": r"category \1",
    r"\bwhat\s+now\b|\bnext\s+step\b": "management recommendation",
    r"\beligib\w*\b|\bqualif\w*\b": "criteria",
    # Everyday clinical shorthand (notes, handovers, search boxes).
    r"\bpts?\b": "patient",
    r"\byo\b|\by/o\b|\byrs?\s+old\b": "year-old",
    r"\bf/u\b|\bfu\b": "follow-up",
    r"\bdx\b": "diagnosis",
    r"\btx\b|\brx\b": "treatment",
    r"\bhx\b": "history",
    r"\bbx\b": "biopsy",
    r"\bmgmt\b": "management",
    r"\bcat\b": "category",
    r"\blung\s?rads\b": "Lung-RADS",
    r"\bfleischner\b": "Fleischner",
    r"\bw/o\b": "without",
    r"\bc/w\b": "consistent with",
    r"\bmets?\b|\bmetastatic\s+disease\b": "metastasis",
    r"\badeno\b|\badenoca\b": "adenocarcinoma",
    r"\bsquamous\b|\bsqcc\b": "squamous cell carcinoma",
    r"\brul\b": "right upper lobe",
    r"\brml\b": "right middle lobe",
    r"\brll\b": "right lower lobe",
    r"\blul\b": "left upper lobe",
    r"\blll\b": "left lower lobe",
    r"\bsupraclav\w*\b": "supraclavicular",
    r"\bintrapulm\b": "intrapulmonary",
    r"\bmediast\b": "mediastinal",
    r"\bbilat\b": "bilateral",
    r"\bipsi\b": "ipsilateral",
    r"\bcontra\b": "contralateral",
    r"\bplat\b|\bplatinum-based\b": "platinum",
    r"\bcarbo\b": "carboplatin",
    r"\bcis\b": "cisplatin",
    r"\betop\b|\bvp-?16\b": "etoposide",
    r"\bpembro\b": "pembrolizumab",
    r"\batezo\b": "atezolizumab",
    r"\bdurva\b": "durvalumab",
    r"\bosi\b": "osimertinib",
    r"\bnivo\b": "nivolumab",
    r"\bipi\b": "ipilimumab",
    r"\bici\b|\bcheckpoint\s+inhibitors?\b|\bimmunotherapy\b": "immune checkpoint inhibitor",
    r"\bchemo\b": "chemotherapy",
    r"\bxrt\b|\btrt\b": "thoracic radiation therapy",
    r"\bc?crt\b": "chemoradiation therapy",
    r"\bppd\b": "packs per day smoking history",
    r"\bca\b": "cancer",
    r"\blns?\b": "lymph node",
    r"\bdecub\b": "decubitus",
    r"\bpfs\b": "progression-free survival",
    r"\bnns\b": "number needed to screen",
    r"\bpsn\b|\bsubsolid\b": "part-solid nodule",
}
# Upper-case acronyms that are also everyday words in lower case ("us", "os", "cap").
ACRONYMS: dict[str, str] = {
    r"\bUSS?\b": "ultrasound",
    r"\bRT\b": "radiation therapy",
    r"\bCAP\b": "community-acquired pneumonia parapneumonic",
    r"\bOS\b": "overall survival",
    r"\bIO\b": "immune checkpoint inhibitor",
    r"\bPA\b": "posteroanterior frontal",
    r"\bAP\b": "anteroposterior frontal",
    r"\bLAT\b|\blat\b": "lateral",
}
_COMPILED = [(re.compile(pattern, re.IGNORECASE), expansion) for pattern, expansion in SYNONYMS.items()] + [
    (re.compile(pattern), expansion) for pattern, expansion in ACRONYMS.items()
]


# Shorthand whose spelled-out form reads as prose, so it can replace the shorthand where it stands: rules that
# read sentences (the staging extractor) need "3.5 cm right lower lobe adenocarcinoma", not "3.5 cm RLL adeno".
_IN_PLACE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), spelled)
    for pattern, spelled in (
        (r"\badeno(?:ca)?\b", "adenocarcinoma"),
        (r"\bsqcc\b", "squamous cell carcinoma"),
        (r"\bmets\b", "metastases"),
        (r"\bmet\b", "metastasis"),
        (r"\brul\b", "right upper lobe"),
        (r"\brml\b", "right middle lobe"),
        (r"\brll\b", "right lower lobe"),
        (r"\blul\b", "left upper lobe"),
        (r"\blll\b", "left lower lobe"),
        (r"\blns\b", "lymph nodes"),
        (r"\bln\b", "lymph node"),
        (r"\bbilat\b", "bilateral"),
        (r"\bipsi\b", "ipsilateral"),
        (r"\bcontra\b", "contralateral"),
        (r"\bsupraclav\b", "supraclavicular"),
        (r"\bmediast\b", "mediastinal"),
        (r"\bpts?\b", "patient"),
        (r"(?<![\w/])w/(?=\s)", "with"),
        (r"(?<![\w/])w/o\b", "without"),
    )
)


# Side letters before a word ("L adrenal", "R hilar"), upper case only.
_SIDES = ((re.compile(r"(?<![\w-])L(?=\s+[a-z])"), "left"), (re.compile(r"(?<![\w-])R(?=\s+[a-z])"), "right"))


def spell_out(text: str) -> str:
    """``text`` with prose shorthand replaced where it stands (for rules that read sentences)."""
    for pattern, spelled in (*_IN_PLACE, *_SIDES):
        text = pattern.sub(spelled, text)
    return text


def expand(question: str) -> str:
    """The question plus the guideline wording of its abbreviations and synonyms (for lexical matching)."""
    extra = [match.expand(expansion) for pattern, expansion in _COMPILED if (match := pattern.search(question))]
    return f"{question} ({'; '.join(dict.fromkeys(extra))})" if extra else question


def known_aliases(question: str) -> set[str]:
    """The words of the question that the synonym table explains (not unknown concepts)."""
    found: set[str] = set()
    for pattern, _ in _COMPILED:
        for match in pattern.finditer(question):
            found.update(match.group(0).lower().split())
    return found
