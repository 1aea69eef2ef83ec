"""Deterministic, rule-based extraction of staging findings from free-text CT reports.

Rules rather than a model so that the same report always gives the same findings and every finding
keeps the phrase it came from. Negated, uncertain and benign mentions are dropped (uncertain ones leave a
note that becomes a warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.staging.findings import (
    Findings,
    Invasion,
    Lobe,
    Metastasis,
    NodeFinding,
    NoduleLocation,
    PleuralFinding,
    SeparateNodule,
    Side,
    TLevel,
    Tumour,
)
from rag.staging.text import Clause, clauses, polarity, polarity_at, sentences

_I = re.IGNORECASE
_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?:mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?)\b"
SIZE = re.compile(rf"(?<![\w.])({_NUM})\s*({_UNIT})?((?:\s*(?:x|×|by)\s*{_NUM}\s*(?:{_UNIT})?){{0,2}})", _I)
_SIZE_NUM = re.compile(rf"({_NUM})\s*({_UNIT})?", _I)

_LOBES: tuple[tuple[re.Pattern[str], Lobe], ...] = (
    (re.compile(r"\bright\s+upper\s+lobe\b|\bRUL\b|\bright\s+apex\b|\bright\s+apical\b", _I), "RUL"),
    (re.compile(r"\b(?:right\s+)?middle\s+lobe\b|\bRML\b", _I), "RML"),
    (re.compile(r"\bright\s+lower\s+lobe\b|\bRLL\b|\bright\s+base\b", _I), "RLL"),
    (re.compile(r"\bleft\s+upper\s+lobe\b|\bLUL\b|\blingul\w*|\bleft\s+apex\b|\bleft\s+apical\b", _I), "LUL"),
    (re.compile(r"\bleft\s+lower\s+lobe\b|\bLLL\b|\bleft\s+base\b", _I), "LLL"),
)
_SIDE_WORD = re.compile(
    r"\b(right|left)\s+(?:lung|hil(?:um|ar)|perihilar|hemithorax|apex|pancoast|superior\s+sulcus|"
    r"main(?:stem)?[- ]?bronch\w*|(?:upper|lower)\s+lobe\s+bronch\w*|bronch\w*)",
    _I,
)

_PRIMARY_NOUN = re.compile(
    r"\b(?:mass|tumou?r|carcinoma|neoplasm|malignancy|lesion|nodule|opacity|adenocarcinoma|consolidation)\b", _I
)
_GENERIC_PRIMARY = re.compile(r"\b(?:tumou?r|mass|carcinoma|neoplasm|adenocarcinoma)\b", _I)
_SEPARATE_CUE = re.compile(
    r"\b(?:separate|satellite|additional|second|another|further|other|synchronous|contralateral|scattered|multiple)\b",
    _I,
)
_NOT_PRIMARY = re.compile(
    r"\b(?:granulomas?|cysts?|metasta\w*|adrenal|liver|hepatic|bones?|osseous|brain|lymph|nodes?|pleural\s+nodul\w*|"
    r"haemangioma|hemangioma|hamartoma|scar)\b",
    _I,
)
_THORACIC_PLACE = re.compile(
    r"\blobe\b|\b(?:RUL|RML|RLL|LUL|LLL)\b|\blung\b|\bhil(?:um|ar)\b|perihilar|\bapex\b|apical|lingul|"
    r"superior\s+sulcus|pancoast|pulmonary|endobronchial|main(?:stem)?[- ]?bronch\w*",
    _I,
)
_SOLID_COMPONENT = re.compile(
    rf"solid\s+(?:component|portion|part)\s*(?:\w+\s+){{0,3}}?({_NUM}\s*{_UNIT})|({_NUM}\s*{_UNIT})\s+solid\s+"
    r"(?:component|portion|part)",
    _I,
)
_CARINA_DISTANCE = re.compile(rf"({_NUM}\s*{_UNIT})\s+(?:from|of|distal\s+to)\s+the\s+(?:main\s+)?carina", _I)
_PART_SOLID = re.compile(r"part[- ]?solid|semi[- ]?solid|mixed\s+(?:solid\s+and\s+)?ground[- ]glass", _I)
_GROUND_GLASS = re.compile(r"ground[- ]glass|\bGGN\b|\bGGO\b", _I)
_HISTOLOGY = (
    (re.compile(r"adenocarcinoma\s+in\s+situ|\bAIS\b", _I), "AIS"),
    (re.compile(r"squamous(?:\s+cell)?\s+carcinoma\s+in\s+situ|\bSCIS\b", _I), "SCIS"),
    (re.compile(r"minimally\s+invasive\s+adenocarcinoma|\bMIA\b", _I), "MIA"),
)
_PRIMARY_NOT_SEEN = re.compile(
    r"no\s+(?:evidence\s+of\s+(?:a\s+)?)?(?:primary|pulmonary\s+mass|lung\s+mass|endobronchial\s+lesion|tumou?r)"
    r"|primary\s+(?:tumou?r\s+)?(?:is\s+)?not\s+(?:seen|identified|visible|demonstrated)|occult\s+primary",
    _I,
)
_POSITIVE_CYTOLOGY = re.compile(
    r"(?:sputum|bronchial\s+wash\w*|washings?|lavage|BAL)\b[^.]{0,60}?(?:positive|malignant\s+cells|carcinoma\s+cells)"
    r"|malignant\s+cells\s+(?:in|on)\s+(?:sputum|bronchial)",
    _I,
)

# Invasion: a verb (or "<structure> invasion") with the structure after it and no other verb in between.
_INVASION_VERB = re.compile(
    r"\b(?:invad\w*|invasion\s+(?:of|into)|infiltrat\w*|extend\w*\s+(?:in)?to|extension\s+(?:in)?to|"
    r"extend\w*\s+through|involv\w*|encas\w*|erod\w*|erosion\s+of|destr\w*|penetrat\w*|breach\w*|"
    r"grow\w*\s+into|transgress\w*|crosses|crossing)\b",
    _I,
)
_STRUCTURES: tuple[tuple[re.Pattern[str], str, TLevel, bool], ...] = (
    # (pattern, normalised name, level, named only in the 9th-edition wording)
    (re.compile(r"visceral\s+pleura", _I), "visceral pleura", "T2", False),
    (re.compile(r"\b(?:major|minor|oblique|horizontal)?\s*fissure|adjacent\s+lobe", _I), "fissure", "T2", False),
    (re.compile(r"parietal\s+pleura", _I), "parietal pleura", "T3", False),
    (re.compile(r"chest\s+wall|\bribs?\b|intercostal\s+muscles?", _I), "chest wall", "T3", False),
    (re.compile(r"phrenic\s+nerve", _I), "phrenic nerve", "T3", False),
    (
        re.compile(r"(?:parietal\s+)?pericardium|pericardial\b(?!\s+(?:effusion|nodul))", _I),
        "parietal pericardium",
        "T3",
        False,
    ),
    (re.compile(r"azygos\s+vein|\bazygos\b", _I), "azygos vein", "T3", True),
    (re.compile(r"stellate\s+ganglion", _I), "stellate ganglion", "T3", True),
    (re.compile(r"\b(?:T1|T2|thoracic)\s+(?:and\s+T2\s+)?nerve\s+roots?", _I), "thoracic nerve roots", "T3", True),
    (re.compile(r"diaphragm\w*", _I), "diaphragm", "T4", False),
    (
        re.compile(
            r"mediastin(?:um|al\s+fat)|mediastinal\b(?!\s+(?:lymph|nodes?|adenopathy|lymphadenopathy|pleura))", _I
        ),
        "mediastinum",
        "T4",
        False,
    ),
    (re.compile(r"\bheart\b|cardiac|\b(?:left|right)\s+atri(?:um|al)|myocardi\w*", _I), "heart", "T4", False),
    (
        re.compile(
            r"\baort\w*|superior\s+vena\s+cava|\bSVC\b|main\s+pulmonary\s+artery|pulmonary\s+trunk|great\s+vessels?", _I
        ),
        "great vessels",
        "T4",
        False,
    ),
    (re.compile(r"\btrachea\w*", _I), "trachea", "T4", False),
    (re.compile(r"\bcarina\b", _I), "carina", "T4", False),
    (re.compile(r"recurrent\s+laryngeal\s+nerve", _I), "recurrent laryngeal nerve", "T4", False),
    (re.compile(r"o?esophag\w*", _I), "oesophagus", "T4", False),
    (re.compile(r"vertebra\w*(?:\s+bod(?:y|ies))?|vertebral\s+bod(?:y|ies)", _I), "vertebral body", "T4", False),
    (re.compile(r"thymus", _I), "thymus", "T4", True),
    (re.compile(r"vagus\s+nerve", _I), "vagus nerve", "T4", True),
    (re.compile(r"brachial\s+plexus", _I), "brachial plexus", "T4", True),
    (re.compile(r"subclavian\s+(?:artery|vein|vessels?)", _I), "subclavian vessels", "T4", True),
    (re.compile(r"brachiocephalic\s+vein|innominate\s+vein", _I), "brachiocephalic vein", "T4", True),
    (re.compile(r"spinal\s+canal|neural\s+foram\w*", _I), "spinal canal", "T4", True),
    (re.compile(r"\blamina\b", _I), "vertebral lamina", "T4", True),
    (re.compile(r"\bpleura\b|\bpleural\s+surface", _I), "pleura (layer not stated)", "T2", False),
)
_STRUCTURE_INVASION = re.compile(
    r"\b(chest\s+wall|mediastinal|diaphragmatic|pericardial|vertebral|pleural|tracheal|o?esophageal|aortic|"
    r"visceral\s+pleural|parietal\s+pleural|rib|cardiac)\s+(?:invasion|involvement|infiltration|extension)",
    _I,
)
_STRUCTURE_ADJECTIVE: dict[str, tuple[str, TLevel]] = {
    "chest wall": ("chest wall", "T3"),
    "rib": ("chest wall", "T3"),
    "mediastinal": ("mediastinum", "T4"),
    "diaphragmatic": ("diaphragm", "T4"),
    "pericardial": ("parietal pericardium", "T3"),
    "vertebral": ("vertebral body", "T4"),
    "pleural": ("pleura (layer not stated)", "T2"),
    "visceral pleural": ("visceral pleura", "T2"),
    "parietal pleural": ("parietal pleura", "T3"),
    "tracheal": ("trachea", "T4"),
    "esophageal": ("oesophagus", "T4"),
    "oesophageal": ("oesophagus", "T4"),
    "aortic": ("great vessels", "T4"),
    "cardiac": ("heart", "T4"),
}
_INVASION_NOUN = re.compile(r"\b(?:invasion|involvement|infiltration|extension)\b", _I)
# The subject of an invasion word: a metastasis (its structures are M sites, not T) or the primary tumour.
_METASTATIC_SUBJECT = re.compile(
    r"metasta\w*|\bdeposits?\b|\bsecondar(?:y|ies)\b|\b(?:lytic|sclerotic|blastic|osseous|bones?|skeletal|"
    r"hepatic|liver|adrenals?|brain)\b",
    _I,
)
_PRIMARY_SUBJECT = re.compile(
    r"\b(?:mass|tumou?r|carcinoma|neoplasm|malignancy|adenocarcinoma|nodule|primary)\b(?!\s+(?:cells?|deposits?))", _I
)
_SUPERIOR_SULCUS = re.compile(r"superior\s+sulcus\s+tumou?r|pancoast\s+tumou?r", _I)
_MAIN_BRONCHUS = re.compile(r"\b(?:right|left)?\s*main(?:stem)?[- ]?bronch\w*", _I)
# A tumour that lies in the main bronchus involves it: "tumour in the left main bronchus", "right main bronchus mass".
_TUMOUR_NOUN = r"(?:mass|tumou?r|carcinoma|neoplasm|lesion)"
_IN_MAIN_BRONCHUS = re.compile(
    rf"\b{_TUMOUR_NOUN}\b\s+(?:(?:is\s+)?(?:located|centred|centered|arising|situated|seated|lying)\s+)?"
    r"(?:in|within|inside|from)\s+the\s+(?:right\s+|left\s+)?main(?:stem)?[- ]?bronch\w*"
    rf"|\bmain(?:stem)?[- ]?bronch\w*\s+(?:endobronchial\s+)?{_TUMOUR_NOUN}\b",
    _I,
)
_ATELECTASIS = re.compile(
    r"atelecta\w*|collapse|(?:post-?)?obstructive\s+(?:pneumonitis|consolidation|changes)|obstructive\s+pneumonia", _I
)
_ATELECTASIS_TUMOUR = re.compile(r"obstruct\w*|hil(?:um|ar)|entire|whole|complete|total|lobar|lobe|lung", _I)
_ATELECTASIS_DISTRACTOR = re.compile(r"dependent|subsegmental|linear|plate[- ]?like|bibasilar|bibasal|discoid|band", _I)

_SEPARATE_NODULE = re.compile(
    r"\b(?:separate|satellite|additional|second|another|further)\s+(?:[\w.-]+\s+){0,3}?"
    r"(?:nodules?|lesions?|mass(?:es)?|foci|focus|deposits?|tumou?r\s+nodules?)\b"
    r"|\b(?:contralateral|bilateral)\s+(?:pulmonary\s+|lung\s+)?(?:nodules?|metasta\w*|masses|lesions?)\b"
    r"|\bpulmonary\s+metasta\w*|\blung\s+metasta\w*|\bnodules?\s+in\s+the\s+(?:contralateral|opposite)\s+lung",
    _I,
)
_NODULE_NOUN = re.compile(r"\b(?:nodules?|lesions?|mass(?:es)?|foci|focus|deposits?|opacit(?:y|ies))\b", _I)
_METASTATIC_NODULE = re.compile(
    r"metasta\w*|\bsecondar(?:y|ies)\b|(?:suspicious|concerning|worrisome|consistent|compatible)\s+(?:for|with)\s+"
    r"(?:an?\s+)?(?:malignan\w*|metasta\w*|tumou?r|spread|neoplas\w*|deposits?)",
    _I,
)
_LUNG_PLACE = re.compile(
    r"\b(?:in|within|of)\s+the\s+(?:contralateral\s+|opposite\s+|other\s+|ipsilateral\s+)?"
    r"(?:(?:right|left)\s+(?:upper|middle|lower)\s+lobe|(?:right\s+)?middle\s+lobe|RUL|RML|RLL|LUL|LLL|lingula|"
    r"(?:right|left)\s+lung|lung)\b",
    _I,
)
_SAME_LOBE = re.compile(r"same\s+lobe|same\s+(?:right|left)\s+\w+\s+lobe|ipsilateral\s+lobe\s+of\s+the\s+primary", _I)
_OTHER_IPSI_LOBE = re.compile(r"(?:different|another|other|separate)\s+ipsilateral\s+lobe|ipsilateral\s+\w+\s+lobe", _I)
_CONTRALATERAL = re.compile(r"contralateral|opposite\s+lung|bilateral", _I)
_SEPARATE_PRIMARY = re.compile(r"separate\s+primary|synchronous\s+primar\w*|second\s+primary", _I)

# Nodes
_NODE_CUE = re.compile(r"\blymph\s*nodes?\b|\bnodes?\b|adenopathy|lymphadenopathy|\bnodal\b|\bstations?\b", _I)
_NODE_POSITIVE = re.compile(
    r"enlarg\w*|adenopathy|lymphadenopathy|metasta\w*|suspicious|patholog\w*|FDG[- ]avid|avid|hypermetabolic|"
    r"necrotic|bulky|conglomerate|malignan\w*|positive|involved|involvement|disease",
    _I,
)
_STATION_LIST = re.compile(
    r"\b(?:stations?|levels?)\s+((?:1[0-4]|[1-9])[RLrlap]?(?:\s*(?:,|and|/|&|or)\s*(?:1[0-4]|[1-9])[RLrlap]?)*)", _I
)
_STATION_TOKEN = re.compile(r"(?<![\w.])(1[0-4]|[1-9])([RLrl]|[ap])?(?![\w.])")
_STATION_ITEM = r"(?:1[0-4]|[1-9])[RLap]?(?![\w.])(?!\s*(?:mm|cm))"
# A sided station ("4R", "3p") optionally followed by more stations: "4L and 5 nodes", "2R/4R".
_BARE_STATION = re.compile(
    rf"(?<![\w.])(?:(?:1[0-4]|[1-9])[RL]|3[ap])(?![\w])(?:\s*(?:,|and|/|&|or)\s*{_STATION_ITEM})*"
)
_SIDE_BEFORE = r"(?:(right|left|ipsilateral|contralateral|bilateral)\s+(?:(?:and|or|&)\s+(?:right|left)\s+)?)?"
_NODE_PLACES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_SIDE_BEFORE + r"(lower|upper|high|low)?\s*paratracheal", _I), "paratracheal"),
    (re.compile(_SIDE_BEFORE + r"(?:peri)?hil(?:ar|um)", _I), "hilar"),
    (re.compile(r"subcarinal", _I), "7"),
    (re.compile(r"prevascular|anterior\s+mediastinal", _I), "3a"),
    (re.compile(r"retrotracheal|prevertebral", _I), "3p"),
    (re.compile(r"aorto-?pulmonary|\bA-?P\s+window|subaortic", _I), "5"),
    (re.compile(r"para-?aortic", _I), "6"),
    (re.compile(_SIDE_BEFORE + r"para-?o?esophageal", _I), "8"),
    (re.compile(_SIDE_BEFORE + r"(?:inferior\s+)?pulmonary\s+ligament", _I), "9"),
    (re.compile(_SIDE_BEFORE + r"interlobar", _I), "11"),
    (re.compile(_SIDE_BEFORE + r"(?:peribronchial|intrapulmonary|lobar|segmental)", _I), "peribronchial"),
    (re.compile(_SIDE_BEFORE + r"(?:supraclavicular|scalene|low\s+cervical|sternal\s+notch)", _I), "supraclavicular"),
    (re.compile(_SIDE_BEFORE + r"mediastinal", _I), "mediastinal"),
)
# "below 10 mm", "< 1 cm": the size is a limit the nodes stay under, not a node's measurement.
_UPPER_BOUND = re.compile(
    r"(?:\b(?:below|under|beneath|less\s+than|smaller\s+than|not\s+exceeding|not\s+more\s+than)|<|≤|<=)\s*$", _I
)
_NON_REGIONAL_NODE = re.compile(
    r"axillary|retroperitoneal|abdominal|inguinal|parasternal|internal\s+mammary|porta\s+hepatis|mesenteric", _I
)

# Pleura / pericardium
_PLEURAL_NODULES = re.compile(
    r"pleural\s+(?:nodul\w*|metasta\w*|deposits?|implants?|masses|carcinomatosis|seeding)|"
    r"nodular\s+pleural\s+thickening|pleural\s+thickening\s+(?:with|and)\s+nodularity",
    _I,
)
_PERICARDIAL_NODULES = re.compile(r"pericardial\s+(?:nodul\w*|metasta\w*|deposits?|implants?)", _I)
_EFFUSION = re.compile(r"(pleural|pericardial)?\s*effusions?", _I)
_MALIGNANT_EFFUSION = re.compile(
    r"malignant|cytology[- ]?(?:positive|proven|confirmed)|positive\s+(?:for\s+)?(?:malignan\w*|adenocarcinoma|"
    r"carcinoma|tumou?r\s+cells|cytology)|malignant\s+cells|(?:adenocarcinoma|carcinoma)\s+cells|"
    r"cytolog\w*\s+(?:showed|revealed|demonstrated)\s+(?:adeno)?carcinoma",
    _I,
)
_BENIGN_EFFUSION = re.compile(
    r"heart\s+failure|cardiac|transudat\w*|parapneumonic|post-?operative|cytology[- ]negative|negative\s+cytology|"
    r"negative\s+for\s+malignan\w*|sympathetic|hypoalbumin\w*|fluid\s+overload",
    _I,
)

# Distant metastases
_ORGANS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bbrain\b|cerebr\w*|cerebell\w*|intracranial|\b(?:frontal|parietal|temporal|occipital)\s+lobe", _I
        ),
        "central nervous system",
    ),
    (re.compile(r"\bliver\b|hepatic|segment\s+[IVX]+\b", _I), "liver"),
    (re.compile(r"adrenals?|adrenal\s+glands?", _I), "adrenal glands"),
    (
        re.compile(
            r"\bbones?\b|osseous|skeletal|vertebra\w*|\b[TL]\d{1,2}\b|\bribs?\b|sacr\w*|iliac|femor\w*|femur|"
            r"humer\w*|pelvi\w*|sternum|scapula|spine\b",
            _I,
        ),
        "skeletal system",
    ),
    (re.compile(r"\bkidneys?\b|\brenal\b", _I), "kidneys"),
    (re.compile(r"spleen|splenic", _I), "spleen"),
    (re.compile(r"pancrea\w*", _I), "pancreas"),
    (re.compile(r"peritone\w*|omental", _I), "peritoneum"),
    (re.compile(r"subcutaneous|\bskin\b|soft\s+tissue|muscle", _I), "skin and soft tissue"),
)
_MET_POSITIVE = re.compile(
    r"metasta\w*|lytic|sclerotic|blastic|destructive|deposits?|(?:ring[- ])?enhancing|"
    r"(?:suspicious|concerning|consistent|compatible|worrisome)\s+(?:for|with)|FDG[- ]avid|hypermetabolic|"
    r"secondar(?:y|ies)|spread",
    _I,
)
_MET_BENIGN = re.compile(
    r"\bcysts?\b|haemangioma|hemangioma|adenoma|benign|granuloma|calcified|degenerative|schmorl|bone\s+island|"
    r"enostos\w*|lipid[- ]rich|simple|hamartoma|old\s+fracture|healed|myelolipoma|infarct",
    _I,
)
_MULTIPLE = re.compile(
    r"\b(?:multiple|numerous|several|innumerable|diffuse|widespread|bilateral|both|multifocal|few|various|"
    r"two|three|four|five|six)\b|\banother\b|\badditional\b|(?<![\d.])\d+\s+(?:[\w-]+\s+){0,2}"
    r"(?:metastases|lesions|deposits|nodules|foci|masses|nodes)",
    _I,
)
_SINGLE = re.compile(r"\b(?:a|an|single|solitary|one|isolated|1)\b", _I)
_PLURAL_MET = re.compile(r"metastases|lesions|deposits|nodules|masses|foci|nodes|secondaries", _I)
_SINGULAR_MET = re.compile(r"metastasis|lesion|deposit|nodule|mass|focus|node\b", _I)
_LOCATION_TOKEN = re.compile(
    r"\b(right|left|[TL]\d{1,2}|iliac|rib|femur|femoral|sacr\w*|humer\w*|sternum|scapula|frontal|parietal|temporal|"
    r"occipital|cerebell\w*|segment\s+[IVX]+)\b",
    _I,
)
_DISTANT_STATEMENT = re.compile(
    r"metasta\w*|adrenal|\bliver\b|hepatic|\bbones?\b|osseous|skeletal|\bbrain\b|intracranial|extrathoracic", _I
)


def _to_mm(value: str, unit: str) -> float:
    number = float(value)
    return round(number * 10 if unit.lower().startswith(("cm", "centi")) else number, 3)


def parse_size(text: str) -> float | None:
    """Greatest dimension in mm of the first size in ``text`` (``3.2 x 2.1 x 2.8 cm`` -> 32.0)."""
    for match in SIZE.finditer(text):
        dims = _dimensions(match.group(0))
        if dims:
            return max(dims)
    return None


def _dimensions(expression: str) -> list[float]:
    parts = _SIZE_NUM.findall(expression)
    final_unit = next((unit for _, unit in reversed(parts) if unit), "")
    if not final_unit:
        return []
    return [_to_mm(number, unit or final_unit) for number, unit in parts]


def _sizes(text: str) -> list[tuple[int, int, list[float]]]:
    found = []
    for match in SIZE.finditer(text):
        dims = _dimensions(match.group(0))
        if dims:
            found.append((match.start(), match.end(), dims))
    return found


def _lobe_of(text: str) -> Lobe | None:
    hits = [(m.start(), lobe) for pattern, lobe in _LOBES for m in pattern.finditer(text)]
    return min(hits)[1] if hits else None


def _lobes_in(text: str) -> list[Lobe]:
    return [lobe for pattern, lobe in _LOBES if pattern.search(text)]


def _side_of_lobe(lobe: Lobe | None) -> Side | None:
    if lobe is None:
        return None
    return "right" if lobe.startswith("R") else "left"


def _side_in(text: str) -> Side | None:
    lobe = _lobe_of(text)
    if lobe:
        return _side_of_lobe(lobe)
    match = _SIDE_WORD.search(text)
    return "right" if match and match.group(1).lower() == "right" else ("left" if match else None)


class _Extraction:
    """Mutable accumulator for one report; produces an immutable :class:`Findings`."""

    def __init__(self, report: str) -> None:
        self.report = report
        self.sentences = sentences(report)
        self.clauses = clauses(report)
        self.notes: list[str] = []

    def run(self) -> Findings:
        primary_index, tumour = self._primary()
        side = tumour.side if tumour else None
        lobe = tumour.lobe if tumour else None
        nodes, non_regional = self._nodes()
        metastases = self._metastases(non_regional)
        return Findings(
            tumour=tumour,
            primary_not_seen=tumour is None and any(_PRIMARY_NOT_SEEN.search(s) for s in self.sentences),
            malignant_cytology=any(_POSITIVE_CYTOLOGY.search(s) for s in self.sentences),
            separate_nodules=self._separate_nodules(primary_index, side, lobe),
            nodes=nodes,
            nodes_assessed=any(_NODE_CUE.search(c.text) for c in self.clauses),
            pleural=self._pleural(),
            metastases=metastases,
            distant_assessed=any(_DISTANT_STATEMENT.search(c.text) for c in self.clauses),
            notes=self.notes,
        )

    # -- primary tumour -------------------------------------------------------------------------------

    def _primary(self) -> tuple[int | None, Tumour | None]:
        candidates: list[int] = []
        for index, sentence in enumerate(self.sentences):
            match = _PRIMARY_NOUN.search(sentence)
            if not match or not _THORACIC_PLACE.search(sentence):
                continue
            before = sentence[max(0, match.start() - 40) : match.start()]
            if _SEPARATE_CUE.search(before) or _SEPARATE_PRIMARY.search(sentence):
                continue
            if _NOT_PRIMARY.search(sentence[: match.end() + 25]) and not _has_histology(sentence):
                continue
            if polarity_at(sentence, match.start()) != "positive" and not _has_histology(sentence):
                continue
            candidates.append(index)
        if not candidates:
            candidates = self._unplaced_primary()
        if not candidates:
            return None, None
        index = next((i for i in candidates if self._size_sentence(i) is not None), candidates[0])
        return index, self._tumour(index)

    def _unplaced_primary(self) -> list[int]:
        """A sized tumour with no place named ("a 4.5 cm tumour invading the visceral pleura"), as in a
        guideline question; taken as the lung primary only when nothing places it outside the chest."""
        found = []
        for index, sentence in enumerate(self.sentences):
            match = _GENERIC_PRIMARY.search(sentence)
            if not match or any(pattern.search(sentence) for pattern, _ in _ORGANS):
                continue
            if polarity_at(sentence, match.start()) == "positive" and self._primary_dims(sentence):
                found.append(index)
        if found:
            self.notes.append("no lung location given: the sized tumour is taken as the lung primary")
        return found[:1]

    def _size_sentence(self, index: int) -> str | None:
        """The sentence giving the primary's size: the primary sentence, or the next one ("It measures ...")."""
        for offset in (0, 1):
            if index + offset >= len(self.sentences):
                break
            sentence = self.sentences[index + offset]
            if offset == 1 and not re.match(r"(?:it|this|the\s+(?:mass|lesion|tumou?r|nodule))\b", sentence, _I):
                break
            if self._primary_dims(sentence):
                return sentence
        return None

    @staticmethod
    def _primary_dims(sentence: str) -> list[float]:
        excluded = [m.span() for m in _SOLID_COMPONENT.finditer(sentence)]
        excluded += [m.span() for m in _CARINA_DISTANCE.finditer(sentence)]
        node = _NODE_CUE.search(sentence)
        for start, _end, dims in _sizes(sentence):
            if any(a <= start < b for a, b in excluded):
                continue
            if node and start > node.start():
                break
            return dims
        return []

    def _tumour(self, index: int) -> Tumour:
        sentence = self.sentences[index]
        size_sentence = self._size_sentence(index)
        dims = self._primary_dims(size_sentence) if size_sentence else []
        solid_match = _SOLID_COMPONENT.search(size_sentence or sentence)
        solid_mm = parse_size(next(g for g in solid_match.groups() if g)) if solid_match else None
        density = "solid"
        if _PART_SOLID.search(sentence) or solid_match:
            density = "part-solid"
        elif _GROUND_GLASS.search(sentence):
            density = "ground-glass"
        lobe = _lobe_of(sentence) or _lobe_of(self.report)
        side = _side_of_lobe(lobe) or _side_in(sentence) or _side_in(self.report)
        histology = next((label for pattern, label in _HISTOLOGY if pattern.search(self.report)), None)
        carina = _CARINA_DISTANCE.search(self.report)
        invasions, main_bronchus = self._invasions()
        main_bronchus = main_bronchus or any(
            polarity_at(text, match.start()) == "positive"
            for text in {sentence, size_sentence or sentence}
            for match in _IN_MAIN_BRONCHUS.finditer(text)
        )
        sulcus = _SUPERIOR_SULCUS.search(self.report)
        if sulcus and not any(i.structure == "chest wall" for i in invasions):
            invasions.append(Invasion(structure="chest wall", level="T3", evidence=sulcus.group(0)))
        evidence = [sentence] + ([size_sentence] if size_sentence and size_sentence != sentence else [])
        return Tumour(
            side=side,
            lobe=lobe,
            size_mm=max(dims) if dims else None,
            solid_mm=solid_mm,
            density=density,  # type: ignore[arg-type]
            histology=histology,  # type: ignore[arg-type]
            invasions=invasions,
            main_bronchus=main_bronchus,
            carina_distance_mm=parse_size(carina.group(1)) if carina else None,
            atelectasis_to_hilum=self._atelectasis(),
            evidence=evidence,
        )

    def _invasions(self) -> tuple[list[Invasion], bool]:
        invasions: dict[str, Invasion] = {}
        main_bronchus = False
        for clause in self.clauses:
            text = clause.text
            if _NODE_CUE.search(text) and not _INVASION_VERB.search(text):
                continue
            sentence = self.sentences[clause.sentence_index]
            lead = sentence[: max(0, sentence.find(text))]
            verbs = list(_INVASION_VERB.finditer(text))
            for i, verb in enumerate(verbs):
                end = verbs[i + 1].start() if i + 1 < len(verbs) else min(len(text), verb.end() + 90)
                window = _CARINA_DISTANCE.sub(" ", text[verb.end() : end])
                if polarity_at(text, verb.start()) != "positive" or _negated_window(window):
                    continue
                if _metastatic_subject(lead + text[: verb.start()]):
                    continue
                if _MAIN_BRONCHUS.search(window):
                    main_bronchus = True
                for name, level, _ in _structures_in(window):
                    invasions.setdefault(name, Invasion(structure=name, level=level, evidence=text))
            for start, name, level in _noun_invasions(text):
                if polarity_at(text, start) != "positive" or _metastatic_subject(lead + text[:start]):
                    continue
                invasions.setdefault(name, Invasion(structure=name, level=level, evidence=text))
            bronchus_at = _main_bronchus_noun(text)
            if bronchus_at is not None and polarity_at(text, bronchus_at) == "positive":
                main_bronchus = True
        if "visceral pleura" in invasions or "parietal pleura" in invasions:
            invasions.pop("pleura (layer not stated)", None)
        return list(invasions.values()), main_bronchus

    def _atelectasis(self) -> bool:
        for clause in self.clauses:
            match = _ATELECTASIS.search(clause.text)
            if not match or _ATELECTASIS_DISTRACTOR.search(clause.text):
                continue
            if polarity_at(clause.text, match.start()) == "positive" and _ATELECTASIS_TUMOUR.search(clause.text):
                return True
        return False

    # -- separate nodules -----------------------------------------------------------------------------

    def _separate_nodules(self, primary: int | None, side: Side | None, lobe: Lobe | None) -> list[SeparateNodule]:
        nodules: list[SeparateNodule] = []
        for clause in self.clauses:
            text = clause.text
            match = _SEPARATE_NODULE.search(text) or self._placed_metastatic_nodule(clause, primary)
            if not match or _SEPARATE_PRIMARY.search(text) or _NODE_CUE.search(text[match.start() : match.end()]):
                continue
            state = polarity(text)
            if state == "uncertain":
                self.notes.append(f"uncertain separate nodule not counted: {text!r}")
                continue
            if state == "negated" or _MET_BENIGN.search(text):
                continue
            location = _nodule_location(text, side, lobe)
            if location is None:
                self.notes.append(f"separate nodule with unknown location not counted: {text!r}")
                continue
            nodules.append(SeparateNodule(location=location, evidence=text))
        for sentence in self.sentences:
            if _SEPARATE_PRIMARY.search(sentence) and polarity(sentence) == "positive":
                self.notes.append(f"separate primary tumour reported; it needs its own TNM: {sentence!r}")
        return nodules

    def _placed_metastatic_nodule(self, clause: Clause, primary: int | None) -> re.Match[str] | None:
        """A nodule outside the primary's sentence, placed in a lung or lobe and called metastatic or suspicious
        ("nodule in the contralateral right upper lobe, consistent with metastasis")."""
        if primary is None or clause.sentence_index == primary:
            return None
        text = clause.text
        noun = _NODULE_NOUN.search(text)
        if not noun or not _METASTATIC_NODULE.search(text) or not _LUNG_PLACE.search(text[noun.end() :]):
            return None
        if any(pattern.search(text) for pattern, _ in _ORGANS):
            return None
        return noun

    # -- nodes ----------------------------------------------------------------------------------------

    def _nodes(self) -> tuple[list[NodeFinding], list[Metastasis]]:
        nodes: list[NodeFinding] = []
        non_regional: list[Metastasis] = []
        for clause in self.clauses:
            text = clause.text
            if not _NODE_CUE.search(text):
                continue
            state = polarity(text)
            if state == "negated":
                continue
            if not _NODE_POSITIVE.search(text) and not _enlarged_by_size(text):
                continue
            if state == "uncertain":
                self.notes.append(f"uncertain lymph node finding not counted: {text!r}")
                continue
            if _NON_REGIONAL_NODE.search(text):
                non_regional.append(_node_metastasis(text))
                continue
            nodes.extend(_node_findings(text))
        return nodes, non_regional

    # -- pleura, pericardium --------------------------------------------------------------------------

    def _pleural(self) -> list[PleuralFinding]:
        found: list[PleuralFinding] = []
        for clause in self.clauses:
            text = clause.text
            for pattern, kind in ((_PLEURAL_NODULES, "pleural_nodules"), (_PERICARDIAL_NODULES, "pericardial_nodules")):
                match = pattern.search(text)
                if match and polarity_at(text, match.start()) == "positive" and polarity(text) != "uncertain":
                    found.append(PleuralFinding(kind=kind, evidence=text))  # type: ignore[arg-type]
        for sentence in self.sentences:
            match = _EFFUSION.search(sentence)
            if not match or polarity_at(sentence, match.start()) == "negated":
                continue
            pericardial = (match.group(1) or "").lower() == "pericardial"
            if _MALIGNANT_EFFUSION.search(sentence) and not re.search(r"negative\s+for\s+malignan", sentence, _I):
                kind = "malignant_pericardial_effusion" if pericardial else "malignant_pleural_effusion"
                found.append(PleuralFinding(kind=kind, evidence=sentence))  # type: ignore[arg-type]
            elif not _BENIGN_EFFUSION.search(sentence):
                self.notes.append(f"effusion of unstated nature is not counted as M1a: {sentence!r}")
        return found

    # -- distant metastases ---------------------------------------------------------------------------

    def _metastases(self, non_regional: list[Metastasis]) -> list[Metastasis]:
        by_system: dict[str, list[tuple[int | None, str, str]]] = {}
        for clause in self.clauses:
            text = clause.text
            if _NODE_CUE.search(text) and not any(p.search(text) for p, _ in _ORGANS[:4]):
                continue
            verb = _INVASION_VERB.search(text)
            if verb and not re.search(r"metasta", text, _I) and not _metastatic_subject(text[: verb.start()]):
                continue
            for pattern, system in _ORGANS:
                organ = pattern.search(text)
                if not organ:
                    continue
                state = polarity(text)
                if state == "uncertain" and not _MET_BENIGN.search(text):
                    self.notes.append(f"uncertain {system} finding not counted: {text!r}")
                    continue
                if state != "positive" or not _MET_POSITIVE.search(text) or _MET_BENIGN.search(text):
                    continue
                location = " ".join(sorted({m.group(1).lower() for m in _LOCATION_TOKEN.finditer(text)}))
                by_system.setdefault(system, []).append((_count(text), location, text))
        result = [
            Metastasis(system=system, count=_system_count(mentions), evidence=" | ".join(m[2] for m in mentions))
            for system, mentions in by_system.items()
        ]
        if non_regional:
            counts = [m.count for m in non_regional]
            count = None if None in counts else max(len(non_regional), max(c or 1 for c in counts))
            result.append(
                Metastasis(
                    system="non-regional lymph nodes",
                    count=count,
                    evidence=" | ".join(m.evidence for m in non_regional),
                )
            )
        return result


def _negated_window(window: str) -> bool:
    return polarity_at(window, len(window)) == "negated"


def _has_histology(sentence: str) -> bool:
    return any(pattern.search(sentence) for pattern, _ in _HISTOLOGY)


def _metastatic_subject(before: str) -> bool:
    """True when the nearest subject before an invasion word is a metastasis, not the primary tumour
    ("bone metastases involving the T7 vertebral body")."""
    cues = [(m.start(), True) for m in _METASTATIC_SUBJECT.finditer(before)]
    cues += [(m.start(), False) for m in _PRIMARY_SUBJECT.finditer(before)]
    return bool(cues) and max(cues)[1]


def _noun_invasions(text: str) -> Iterable[tuple[int, str, TLevel]]:
    """ "<structure> invasion" phrasing: "phrenic nerve invasion", "chest wall involvement", "mediastinal invasion"."""
    for match in _STRUCTURE_INVASION.finditer(text):
        name, level = _STRUCTURE_ADJECTIVE[re.sub(r"\s+", " ", match.group(1).lower())]
        yield match.start(), name, level
    for noun in _INVASION_NOUN.finditer(text):
        before = text[max(0, noun.start() - 50) : noun.start()]
        for pattern, name, level, _ in _STRUCTURES:
            if any(not before[m.end() :].strip() for m in pattern.finditer(before)):
                yield noun.start(), name, level


def _main_bronchus_noun(text: str) -> int | None:
    """Where "main bronchus involvement/invasion" is written, the position of its noun."""
    for noun in _INVASION_NOUN.finditer(text):
        before = text[max(0, noun.start() - 40) : noun.start()]
        if any(not before[m.end() :].strip() for m in _MAIN_BRONCHUS.finditer(before)):
            return noun.start()
    return None


def _structures_in(window: str) -> Iterable[tuple[str, TLevel, bool]]:
    for pattern, name, level, ninth in _STRUCTURES:
        if pattern.search(window):
            yield name, level, ninth


def _nodule_location(text: str, side: Side | None, lobe: Lobe | None) -> NoduleLocation | None:
    if _SAME_LOBE.search(text):
        return "same_lobe"
    if _OTHER_IPSI_LOBE.search(text):
        return "other_ipsilateral_lobe"
    if _CONTRALATERAL.search(text):
        return "contralateral"
    lobes = _lobes_in(text)
    if lobes and lobe:
        other = lobes[0]
        if other == lobe:
            return "same_lobe"
        return "other_ipsilateral_lobe" if _side_of_lobe(other) == side else "contralateral"
    mentioned = _side_in(text)
    if mentioned and side and mentioned != side:
        return "contralateral"
    return None


def _enlarged_by_size(text: str) -> bool:
    """A measured node of 10 mm or more; a size stated as a limit ("below 10 mm") is not a measurement."""
    dims = [dims for start, _, dims in _sizes(text) if not _UPPER_BOUND.search(text[:start])]
    return bool(dims) and min(dims[0]) >= 10


def _node_findings(text: str) -> list[NodeFinding]:
    findings: list[NodeFinding] = []
    covered: list[tuple[int, int]] = []
    for match in _STATION_LIST.finditer(text):
        covered.append(match.span())
        for token in _STATION_TOKEN.finditer(match.group(1)):
            findings.append(NodeFinding(station=_station_id(token.group(1), token.group(2)), evidence=text))
    for match in _BARE_STATION.finditer(text):
        if any(a <= match.start() < b for a, b in covered):
            continue
        for token in _STATION_TOKEN.finditer(match.group(0)):
            findings.append(NodeFinding(station=_station_id(token.group(1), token.group(2)), evidence=text))
    explicit = {f.station for f in findings}
    for pattern, place in _NODE_PLACES:
        for match in pattern.finditer(text):
            qualifier = (match.group(1) or "").lower() if match.groups() else ""
            level = (match.group(2) or "").lower() if pattern.groups >= 2 else ""
            findings.extend(_described_nodes(place, qualifier, level, text, explicit))
            if place == "mediastinal" and findings:
                break
    return _dedupe(findings)


def _station_id(number: str, suffix: str | None) -> str:
    if number == "3":
        return "3" + (suffix or "a").lower()
    if number in ("5", "6", "7"):
        return number
    return number + (suffix or "").upper()


def _described_nodes(place: str, qualifier: str, level: str, text: str, explicit: set[str | None]) -> list[NodeFinding]:
    side: Side | None = qualifier if qualifier in ("right", "left") else None  # type: ignore[assignment]
    contralateral = {"ipsilateral": False, "contralateral": True}.get(qualifier)
    sides: list[Side | None] = ["right", "left"] if qualifier == "bilateral" else [side]
    found: list[NodeFinding] = []
    for one_side in sides:
        suffix = {"right": "R", "left": "L"}.get(one_side or "", "")
        if place in ("3a", "3p", "5", "6", "7"):
            station: str | None = place
        elif place == "paratracheal":
            number = {"lower": "4", "low": "4", "upper": "2", "high": "2"}.get(level)
            station = f"{number}{suffix}" if number and suffix else None
        elif place in ("8", "9", "11"):
            station = f"{place}{suffix}" if suffix else None
        elif place == "hilar":
            station = f"10{suffix}" if suffix else None
        elif place == "supraclavicular":
            station = f"1{suffix}" if suffix else None
        else:
            station = None
        if station is not None and station in explicit:
            continue
        if qualifier in ("", "right", "left") and _names_explicit_station(place, level, one_side, explicit):
            continue
        region = {
            "paratracheal": "paratracheal",
            "hilar": "hilar",
            "supraclavicular": "supraclavicular",
            "peribronchial": "peribronchial",
            "mediastinal": "mediastinal",
            "11": "peribronchial",
            "8": "mediastinal",
            "9": "mediastinal",
        }.get(place)
        if qualifier == "bilateral" and place in ("mediastinal", "paratracheal"):
            contralateral = True
        found.append(
            NodeFinding(
                station=station,
                side=one_side,
                region=region,  # type: ignore[arg-type]
                contralateral=contralateral if station is None or contralateral else None,
                evidence=text,
            )
        )
    if place == "mediastinal" and explicit - {None}:
        return []
    return found


# The station numbers a descriptive node name stands for ("lower paratracheal" is station 4).
_PLACE_NUMBERS = {
    "3a": {"3"},
    "3p": {"3"},
    "5": {"5"},
    "6": {"6"},
    "7": {"7"},
    "8": {"8"},
    "9": {"9"},
    "11": {"11"},
    "hilar": {"10"},
    "supraclavicular": {"1"},
    "peribronchial": {"11", "12", "13", "14"},
}


def _names_explicit_station(place: str, level: str, side: Side | None, explicit: set[str | None]) -> bool:
    """True when a descriptive name only repeats a station number given in the same text ("4R lower paratracheal
    node", "station 7 (subcarinal)"): it is one station, not two. A stated side must agree with the number's side."""
    if place == "paratracheal":
        numbers = {"lower": {"4"}, "low": {"4"}, "upper": {"2"}, "high": {"2"}}.get(level, {"2", "4"})
    else:
        numbers = _PLACE_NUMBERS.get(place, set())
    for station in explicit - {None}:
        match = re.fullmatch(r"(1[0-4]|[1-9])([RLap]?)", station or "")
        if not match or match.group(1) not in numbers:
            continue
        station_side = {"R": "right", "L": "left"}.get(match.group(2))
        if side is None or station_side is None or station_side == side:
            return True
    return False


def _dedupe(findings: list[NodeFinding]) -> list[NodeFinding]:
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        key = (finding.station, finding.side, finding.region, finding.contralateral)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _node_metastasis(text: str) -> Metastasis:
    return Metastasis(system="non-regional lymph nodes", count=_count(text), evidence=text)


def _count(text: str) -> int | None:
    """2 stands for "multiple": only single versus multiple matters for M1b/M1c."""
    if _MULTIPLE.search(text) or _PLURAL_MET.search(text):
        return 2
    if _SINGLE.search(text) or _SINGULAR_MET.search(text):
        return 1
    return None


def _system_count(mentions: list[tuple[int | None, str, str]]) -> int | None:
    counts = [count for count, _, _ in mentions]
    if any(count is not None and count >= 2 for count in counts):
        return 2
    if len({location for _, location, _ in mentions}) >= 2:
        return 2
    return 1 if all(count == 1 for count in counts) else None


def extract_findings(report: str) -> Findings:
    """Extract structured staging findings from one free-text report."""
    return _Extraction(report).run()
