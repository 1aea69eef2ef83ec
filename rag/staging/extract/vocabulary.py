"""The words reports use for what staging reads: lesions, their interpretation, nodes, organs, structures.

Kept in one place so that every extractor, and the test of what counts as "a sentence about something",
reads the same vocabulary. Misspellings seen in real reports are part of it ("metastsis", "lymphnode").
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.staging.anatomy import places
from rag.staging.findings import TLevel

_I = re.IGNORECASE

# --- lung lesions ----------------------------------------------------------------------------------
LESION_NOUN = re.compile(
    r"\b(?:mass(?:es)?(?!\s+effect)|nodules?|nods?(?=[\s,.;:]|$)|nodular\s+(?:lesion|opacity|shadow)s?|tumou?rs?|tumer|lesions?|opacit(?:y|ies)|"
    r"shadows?|consolidations?|(?:lung\s+|pulmonary\s+|bronchogenic\s+)?(?:cancer|carcinoma)s?|adenocarcinoma|"
    r"neoplasms?|malignancy|GG[NO]s?|ground[- ]glass\s+(?:nodules?|opacit(?:y|ies)|lesions?)|SPN|"
    r"(?:intra)?pulmonary\s+meta\w*|lung\s+meta\w*)\b",
    _I,
)
ANAPHOR = re.compile(
    r"^\s*(?:it|this|this\s+(?:lesion|mass|nodule|tumou?r)|the\s+(?:above\s+|aforementioned\s+|main\s+|primary\s+|"
    r"index\s+|dominant\s+|same\s+)?(?:lesion|mass|nodule|tumou?r|primary|neoplasm|carcinoma|cancer))\b",
    _I,
)
DEFINITE_REFERENCE = re.compile(
    r"\b(?:the|this|that|said)\s+(?:above\s+|aforementioned\s+|main\s+|primary\s+|index\s+|dominant\s+|known\s+|"
    r"same\s+|spiculated\s+|right\s+|left\s+)?(?:lesion|mass|tumou?r|primary|neoplasm|carcinoma|cancer)\b",
    _I,
)
PRIMARY_CUE = re.compile(
    r"\bprimary\b(?!\s+(?:care|team|physician))|\blung\s+(?:cancer|carcinoma|ca\b|tumou?r|malignancy|neoplasm)|"
    r"\bAIS\b|\bMIA\b|\badenocarcinoma\s+in\s+situ|\bminimally\s+invasive|"
    r"\b(?:broncho(?:genic)?\s*)?carcinoma\b|\badenocarcinoma\b|\badeno(?:ca)?\b|\bsquamous\b|\bSCC\b|\bNSCLC\b|"
    r"\bSCLC\b|\bmalignan\w*|"
    r"\bneoplas\w*|\bcancer\b|\bbiopsy[- ](?:proven|confirmed)\b|\bknown\s+(?:lung\s+)?(?:cancer|tumou?r|mass)|"
    r"\bindex\s+(?:lesion|tumou?r|mass)\b|\bmain\s+(?:lesion|tumou?r|mass)\b|\bdominant\s+(?:lesion|mass|nodule)\b",
    _I,
)
METASTATIC_CUE = re.compile(
    r"\bmeta(?!bol)\w*|\bmets?\b|\bsatellite|\bseparate\s+(?:tumou?r\s+)?(?:[\w.]+\s+){0,2}?(?:nodules?|foci|focus)\b|\bdissemina\w*|\bsecondar(?:y|ies)\b|\bpm[123]\b|\bdeposits?\b|"
    r"\bspread\b|\bseeding\b|\bimplants?\b",
    _I,
)
BENIGN_LESION = re.compile(
    r"\bbenign\b|\bgranulom\w*|\bcalcifi\w*|\bhamartoma\w*|\bintrapulmonary\s+lymph\s+node|\bperifissural|"
    r"\bscar\w*|\bfibro(?:sis|tic)\b|\binflammat\w*|\binfect\w*|\bpneumonia\b|\bcysts?\b|\bcystic\b|\bbulla\w*|"
    r"\bstable\s+(?:for|since|over)\b|\bunchanged\s+(?:for|since|over)\b|\bno\s+change\s+(?:for|since|over)\s+\d|"
    r"\bpost-?inflammatory\b|\bAAH\b|\batypical\s+adenomatous|\btubercul\w*|\bmucus\b|\bmucoid\b|\bimpaction\b|"
    r"\bround(?:ed)?\s+atelectasis\b|\bold\s+(?:inflammat\w*|lesion|scar|tb)\b|\bsequela\w*|\bhistoplasm\w*",
    _I,
)
INDETERMINATE = re.compile(
    r"\bindeterminate\b|\bnon-?specific\b|\btoo\s+small\s+to\s+characteri[sz]e\b|\buncertain\s+significance\b|"
    r"\bof\s+unclear\s+(?:etiology|aetiology|significance)\b",
    _I,
)
SEPARATE_PRIMARY = re.compile(
    r"\b(?:second|separate|synchronous|double|another|multiple|two|metachronous)\s+(?:lung\s+)?primar\w*|"
    r"\bsynchronous\s+(?:lung\s+)?(?:cancer|carcinoma|tumou?r|adenocarcinoma)|\bdouble\s+cancer\b|"
    r"\bmultiple\s+primary\b|\bsecond\s+(?:lung\s+)?(?:cancer|carcinoma|malignancy)\b",
    _I,
)
SEPARATE_CUE = re.compile(
    r"\b(?:separate|satellite|additional|second|another|further|other|smaller|second(?:ary)?|daughter|"
    r"new|few|several|multiple|numerous|scattered|innumerable|bilateral|contralateral)\b",
    _I,
)
PLURAL_LESION = re.compile(
    r"\b(?:masses|nodules|tumou?rs|lesions|opacities|shadows|metastases|GG[NO]s|several|multiple|numerous|"
    r"innumerable|scattered|few)\b",
    _I,
)
SPICULATED = re.compile(r"\bspicul\w*|\birregular\w*|\blobulat\w*|\bnotch\w*", _I)
MASS_WORD = re.compile(r"\b(?:mass|tumou?r|tumer|cancer|carcinoma|adenocarcinoma|neoplasm|malignancy)\b", _I)
LYMPHANGITIC = re.compile(
    r"\blymphang(?:itic|itis|iosis)\b(?:\s+(?:carcinomatos[ai]s?|spread|tumou?r\s+spread|involvement|pattern|"
    r"metasta\w*))?|\bcarcinomatous\s+lymphangi\w*|\blymphangitis\s+carcinomatosa\b",
    _I,
)

# --- density / histology -----------------------------------------------------------------------------
PART_SOLID = re.compile(
    r"part[- ]?solid|semi[- ]?solid|sub-?solid\s+nodule\s+with\s+a\s+solid|mixed\s+(?:solid\s+and\s+)?ground[- ]glass|"
    r"mixed\s+GG[NO]|ground[- ]glass\s+(?:nodule|opacity|lesion)\s+with\s+(?:a\s+)?(?:central\s+)?solid|"
    r"GG[NO]\s+with\s+(?:a\s+)?solid|with\s+(?:a\s+)?(?:central\s+)?solid\s+(?:component|portion|part|core)",
    _I,
)
GROUND_GLASS = re.compile(r"ground[- ]glass|\bGG[NO]s?\b|\bnon-?solid\b", _I)
PURE_SOLID = re.compile(r"\b(?:purely\s+|pure\s+|entirely\s+)?solid\b(?!\s+(?:component|portion|part|core))", _I)
SOLID_COMPONENT = re.compile(
    r"(?:solid|consolidat\w*|invasive)\s+(?:component|comp\.?|portion|part|core|area|diameter)\s*(?:of|measur\w*|is|:)?\s*"
    r"(?:(?:approximately|about|approx\.?|only|just|up\s+to|roughly|around)\s*)?(?P<a>\d+(?:\.\d+)?\s*(?:mm|cm))"
    r"|(?P<b>\d+(?:\.\d+)?\s*(?:mm|cm))\s+(?:central\s+)?(?:solid|consolidat\w*)\s+(?:component|comp\b|portion|part|core|"
    r"area)",
    _I,
)
HISTOLOGY = (
    (re.compile(r"adenocarcinoma\s+in\s+situ|\bAIS\b", _I), "AIS"),
    (re.compile(r"squamous(?:\s+cell)?\s+carcinoma\s+in\s+situ|\bSCIS\b", _I), "SCIS"),
    (re.compile(r"minimally\s+invasive\s+adenocarcinoma|\bMIA\b", _I), "MIA"),
)
PRIMARY_NOT_SEEN = re.compile(
    r"no\s+(?:evidence\s+of\s+(?:a\s+)?|definite\s+|visible\s+|identifiable\s+|obvious\s+)?(?:primary|"
    r"pulmonary\s+(?:mass|nodule|lesion)|lung\s+(?:mass|nodule|lesion)|endobronchial\s+lesion|tumou?r)"
    r"|primary\s+(?:tumou?r\s+|lesion\s+)?(?:is\s+)?not\s+(?:seen|identified|visible|demonstrated|found)"
    r"|occult\s+primary|no\s+(?:pulmonary|lung)\s+(?:nodule|mass)s?\s+(?:is|are)\s+(?:seen|identified)",
    _I,
)
POSITIVE_CYTOLOGY = re.compile(
    r"(?:sputum|bronchial\s+wash\w*|washings?|lavage|BAL)\b[^.]{0,60}?(?:positive|malignant\s+cells|"
    r"carcinoma\s+cells|class\s+(?:IV|V))|malignant\s+cells\s+(?:in|on)\s+(?:sputum|bronchial)",
    _I,
)

# --- nodes -------------------------------------------------------------------------------------------
NODE_CUE = re.compile(
    r"\blymph\s*nodes?\b|\blymphnodes?\b|\bLNs?\b|\bnodes?\b|\badenopathy\b|\blymphadenopath\w*|\bnodal\b|"
    r"\bstations?\s+(?:1[0-4]|[1-9])|#\s*(?:1[0-4]|[1-9])|\bNo\.\s*(?:1[0-4]|[1-9])[RLrl]?\b",
    _I,
)
NODE_POSITIVE = re.compile(
    r"\benlarg\w*|\bswollen\b|\bswelling\b|\badenopathy\b|\blymphadenopath\w*|\bmeta(?!bol)\w*|\bmets?\b|"
    r"\bFDG[- ]?\+|\bPET[- ]?\+|\+ve\b|"
    r"\bsuspicious\b|\bpatholog\w*|\bFDG[- ]?avid\w*|\bavid\w*|\bhypermetabolic\b|"
    r"\b(?:increased|intense|high|marked|focal|abnormal|strong)\s+(?:FDG\s+)?uptake\b|\buptake\s+\(?SUV|"
    r"\bnecro\w*|\bbulky\b|\bconglomerat\w*|\bmalignan\w*|\binvolved\b|\binvolvement\b|\bpositive\b|"
    r"\bdisease\b|\bmatted\b|\bround(?:ed)?\b(?=[^.;]{0,20}\bnode)|\bloss\s+of\s+(?:the\s+)?fatty\s+hil\w*|"
    r"\bprominent\b|\bincreas\w*\s+in\s+size",
    _I,
)
NODE_BENIGN = re.compile(
    r"\breactive\b|\bbenign\b|\bcalcifi\w*|\bfatty\s+hil\w*|\binflammat\w*|\bgranulomat\w*|\bsarcoid\w*|"
    r"\bsmall\b|\bsubcentimet\w*|\bsub-centimet\w*|\bshotty\b|\bnormal[- ]sized?\b|\bnon-?enlarged\b|"
    r"\bnot\s+(?:pathologically\s+)?enlarged\b|\bnot\s+swollen\b|\bunremarkable\b|\bwithin\s+normal\b|\btiny\b|"
    r"\banthraco\w*|\bno\s+significant|\bbackground[- ]level|\bphysiologic\w*|\bmild\s+uptake",
    _I,
)
NON_REGIONAL_NODE = re.compile(
    r"\baxill\w*|\bretroperitoneal|\babdominal\s+(?:para-?aortic|lymph)|\bpara-?aortic\s+(?:abdominal|retroperitoneal)|"
    r"\binguinal|\bparasternal|\binternal\s+mammary|\bporta\s+hepatis|\bportocaval|\bmesenteric|\bceliac|\bcoeliac|"
    r"\bperipancrea\w*|\bgastrohepatic|\bretrocrural|\biliac\b|\bupper\s+(?:abdominal|cervical)|"
    r"\b(?:deep\s+)?cervical\b(?!\s+(?:spine|vertebra))(?<!lower\scervical)|\bneck\b|\bsubmandibular|\bjugular",
    _I,
)

# --- pleura / pericardium ------------------------------------------------------------------------------
PLEURAL_SPREAD = re.compile(
    r"\bpleural\s+(?:nodul\w*|meta\w*|deposits?|implants?|masses|carcinomatosis|seeding|dissemination|disease|"
    r"spread|tumou?rs?|thickening\s+(?:with|and)\s+nodul\w*)|\bnodular\s+(?:pleural\s+)?thickening\s+of\s+the\s+"
    r"pleura|\bnodular\s+pleural\s+thickening|\bpleural\s+thickening\s+(?:with|and)\s+nodular\w*|"
    r"\bcarcinomatous\s+pleur\w*|\bpleuritis\s+carcinomatosa|\bdissemination\s+(?:to|in|on|of)\s+the\s+pleura|"
    r"\b(?:pleural|pleura)\b[^.;]{0,30}\bdissemination|\bdissemination\b[^.;]{0,20}\bpleura\w*",
    _I,
)
PERICARDIAL_SPREAD = re.compile(
    r"\bpericardial\s+(?:nodul\w*|meta\w*|deposits?|implants?|dissemination|masses)|"
    r"\bnodular\s+(?:thickening\s+of\s+the\s+)?pericardi\w*|\bcarcinomatous\s+pericardit\w*",
    _I,
)
EFFUSION = re.compile(r"\b(?:(pleural|pericardial)\s+)?effusions?\b|\bhydrothorax\b|\bpleural\s+fluid\b", _I)
MALIGNANT_EFFUSION = re.compile(
    r"\bmalignan\w*|\bcytology[- ]?(?:positive|proven|confirmed)|\bpositive\s+(?:for\s+)?(?:malignan\w*|"
    r"adenocarcinoma|carcinoma|tumou?r\s+cells|cytology)|\b(?:adeno)?carcinoma\s+cells|\bcarcinomatous\b|"
    r"\bmeta(?!bol)\w*|\bneoplastic\b|\btumou?r[- ]related\b|\bcytolog\w*\s+(?:showed|revealed|demonstrated)\s+"
    r"(?:adeno)?carcinoma",
    _I,
)
BENIGN_EFFUSION = re.compile(
    r"\bheart\s+failure|\bcardiac\s+(?:failure|decompensation)|\btransudat\w*|\bparapneumonic|\bpost-?operative|"
    r"\bcytology[- ]negative|\bnegative\s+cytology|\bnegative\s+for\s+malignan\w*|\bsympathetic|\bhypoalbumin\w*|"
    r"\bfluid\s+overload|\breactive\b|\bphysiologic\w*|\btrace\b|\bpneumonia\b|\bobstructive\b|\binfect\w*|\bempyema\b|"
    r"\bdependent\b|\batelecta\w*",
    _I,
)

# --- distant organs ----------------------------------------------------------------------------------
ORGANS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bbrain\b|\bcerebr\w*|\bcerebell\w*|\bintracranial|\b(?:frontal|parietal|temporal|occipital)\s+lobes?\b|"
            r"\bleptomening\w*|\bpons\b|\bbasal\s+ganglia|\bthalam\w*",
            _I,
        ),
        "central nervous system",
    ),
    (
        re.compile(
            r"\bliver\b|\bhepatic\b|\bhepar\b|\bhepatic\s+segment|\bsegment\s+[IVX]+\b(?!\s+of\s+the\s+lung)", _I
        ),
        "liver",
    ),
    (re.compile(r"\badrenals?\b|\badrenal\s+glands?\b|\bsuprarenal\b", _I), "adrenal glands"),
    (
        re.compile(
            r"\bbones?\b|\bosseous\b|\bskelet\w*|\bvertebra\w*|\bvertebral\b|\b(?:Th|T|L|C|D)\s?\d{1,2}\b(?!\s*(?:mm|cm|N|M))|"
            r"\bribs?\b|\bsacr\w*|\biliac\s+(?:bone|crest|wing)|\bilium\b|\bfemor\w*|\bfemur\b|\bhumer\w*|\bpelvi(?:s|c)\b|"
            r"\bsternum\b|\bsternal\s+body|\bscapula\w*|\bspine\b|\bspinous\b|\bpedicle\w*|\bacetabul\w*|\bclavic\w*|"
            r"\bosteo(?:lytic|blastic|sclerotic)",
            _I,
        ),
        "skeletal system",
    ),
    (re.compile(r"\bkidneys?\b|\brenal\b(?!\s+(?:cyst|function|failure|insufficiency))", _I), "kidneys"),
    (re.compile(r"\bspleen\b|\bsplenic\b", _I), "spleen"),
    (re.compile(r"\bpancrea\w*", _I), "pancreas"),
    (re.compile(r"\bperitone\w*|\bomental|\bomentum\b", _I), "peritoneum"),
    (
        re.compile(
            r"\bsubcutaneous|\bskin\b|\bintramuscular|\b(?:gluteal|psoas|paraspinal|deltoid)\s+muscles?\b|"
            r"\bsoft[- ]tissue\s+(?:metasta\w*|nodules?|deposits?|implants?)",
            _I,
        ),
        "skin and soft tissue",
    ),
    (re.compile(r"\bthyroid\b", _I), "thyroid"),
)
DISTANT_METASTATIC = re.compile(
    r"\bmeta(?!bol)\w*|\bmets?\b|\bFDG[- ]?\+|\b(?:osteo)?lytic\b|\bosteoblastic\b|\bdestructi\w*|\bdeposits?\b|"
    r"\bsecondar(?:y|ies)\b|"
    r"\bspread\b|\bring[- ]enhancing\b|\bFDG[- ]avid\w*|\bhypermetabolic\b|\bmalignan\w*|\bneoplas\w*|"
    r"\binvolvement\s+by\s+(?:tumou?r|disease)|\bpathological\s+fracture",
    _I,
)
DISTANT_BENIGN = re.compile(
    r"\bcysts?\b|\bcystic\b|\bhaemangioma\w*|\bhemangioma\w*|\badenomas?\b|\bbenign\b|\bgranuloma\w*|\bcalcifi\w*|"
    r"\bdegenerat\w*|\bschmorl|\bbone\s+islands?\b|\benostos\w*|\blipid[- ]rich|\bsimple\b|\bhamartoma|"
    r"\bold\s+fractures?|\bhealed\b|\bmyelolipoma|\binfarct\w*|\bspondylo\w*|\bosteophyt\w*|\bhyperplas\w*|"
    r"\bfatty\s+(?:liver|infiltration|change)|\bsteatosis\b|\bosteoporo\w*|\bcompression\s+fracture|\bfocal\s+fat\b|"
    r"\b(?:hepatic\s+|renal\s+)?cyst\b|\bangiomyolipoma|\bfibrous\s+dysplasia|\bnodular\s+hyperplasia|\bFNH\b",
    _I,
)
EXTRATHORACIC_STATEMENT = re.compile(
    r"\bmeta(?!bol)\w*|\badrenal|\bliver\b|\bhepatic\b|\bbones?\b|\bosseous\b|\bskelet\w*|\bbrain\b|\bintracranial|"
    r"\bextrathoracic|\bdistant\b",
    _I,
)

# --- local extent (T features) -----------------------------------------------------------------------
INVASION_VERB = re.compile(
    r"\b(?:invad\w*|invasi\w*\s+(?:of|into|to|in)|infiltrat\w*|extend\w*\s+(?:in)?to|extension\s+(?:in)?to|"
    r"extend\w*\s+(?:through|across)|involv\w*|encas\w*|erod\w*|erosion\s+of|destr\w*|penetrat\w*|breach\w*|"
    r"grow\w*\s+into|transgress\w*|crosses|crossing|abolish\w*|obliterat\w*\s+(?:of\s+)?the\s+fat|reach\w*|"
    r"direct(?:ly)?\s+(?:invad\w*|extend\w*|infiltrat\w*))\b",
    _I,
)
INVASION_NOUN = re.compile(r"\b(?:invasion|involvement|infiltration|extension|encasement|erosion)\b", _I)
STRUCTURES: tuple[tuple[re.Pattern[str], str, TLevel, bool], ...] = (
    # (pattern, normalised name, level, named only in the 9th-edition wording)
    (re.compile(r"visceral\s+pleura|\bPL\s?[12]\b", _I), "visceral pleura", "T2", False),
    (
        re.compile(r"\b(?:major|minor|oblique|horizontal|interlobar)\s+fissure|\bfissure\b|adjacent\s+lobe", _I),
        "fissure",
        "T2",
        False,
    ),
    (re.compile(r"parietal\s+pleura|\bPL\s?3\b", _I), "parietal pleura", "T3", False),
    (
        re.compile(r"chest\s+wall|\bribs?\b|intercostal\s+(?:muscles?|space)|\bextrapleural\s+fat|\bendothoracic", _I),
        "chest wall",
        "T3",
        False,
    ),
    (re.compile(r"phrenic\s+n(?:erve)?\b\.?", _I), "phrenic nerve", "T3", False),
    (
        re.compile(r"(?:parietal\s+)?pericardium|pericardial\b(?!\s+(?:effusion|nodul|fluid|fat\b))", _I),
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
            r"mediastin(?:um|al\s+fat|al\s+pleura)|mediastinal\b(?!\s+(?:lymph|nodes?|adenopathy|lymphadenopathy|"
            r"shift|window|LN))",
            _I,
        ),
        "mediastinum",
        "T4",
        False,
    ),
    (re.compile(r"\bheart\b|\bcardiac\b|\b(?:left|right)\s+atri(?:um|al)|myocardi\w*", _I), "heart", "T4", False),
    (
        re.compile(
            r"\baort\w*|superior\s+vena\s+cava|\bSVC\b|(?:main|left|right)\s+pulmonary\s+arter(?:y|ies)|pulmonary\s+trunk|"
            r"great\s+vessels?|intrapericardial\s+pulmonary|pulmonary\s+veins?|\bPA\s+trunk",
            _I,
        ),
        "great vessels",
        "T4",
        False,
    ),
    (re.compile(r"\btrachea\w*", _I), "trachea", "T4", False),
    (re.compile(r"\bcarina\b|\btracheal\s+bifurcation", _I), "carina", "T4", False),
    (re.compile(r"recurrent\s+laryngeal\s+nerve", _I), "recurrent laryngeal nerve", "T4", False),
    (re.compile(r"o?esophag\w*", _I), "oesophagus", "T4", False),
    (re.compile(r"vertebra\w*(?:\s+bod(?:y|ies))?|vertebral\s+bod(?:y|ies)", _I), "vertebral body", "T4", False),
    (re.compile(r"thymus", _I), "thymus", "T4", True),
    (re.compile(r"vagus\s+nerve", _I), "vagus nerve", "T4", True),
    (re.compile(r"brachial\s+plexus", _I), "brachial plexus", "T4", True),
    (re.compile(r"subclavian\s+(?:artery|vein|vessels?)", _I), "subclavian vessels", "T4", True),
    (
        re.compile(r"brachiocephalic\s+(?:vein|artery|trunk)|innominate\s+(?:vein|artery)", _I),
        "brachiocephalic vessels",
        "T4",
        True,
    ),
    (re.compile(r"spinal\s+canal|neural\s+foram\w*", _I), "spinal canal", "T4", True),
    (re.compile(r"\blamina\b", _I), "vertebral lamina", "T4", True),
    (re.compile(r"\bpleura\b|\bpleural\s+surface", _I), "pleura (layer not stated)", "T2", False),
)
STRUCTURE_ADJECTIVE = re.compile(
    r"\b(chest\s+wall|mediastinal|diaphragmatic|pericardial|vertebral|pleural|tracheal|o?esophageal|aortic|"
    r"visceral\s+pleural|parietal\s+pleural|rib|cardiac|carinal|phrenic\s+n(?:erve|\.))\s+(?:invasion|involvement|"
    r"infiltration|extension)|\b(VPI|PL[1-3])\b",  # abbreviations: visceral pleural invasion, pleural grades
    _I,
)
ADJECTIVE_STRUCTURES: dict[str, tuple[str, TLevel]] = {
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
    "carinal": ("carina", "T4"),
    "phrenic nerve": ("phrenic nerve", "T3"),
    "phrenic n.": ("phrenic nerve", "T3"),
    "vpi": ("visceral pleura", "T2"),
    "pl1": ("visceral pleura", "T2"),
    "pl2": ("visceral pleura", "T2"),
    "pl3": ("parietal pleura", "T3"),
}
CONTACT_ONLY = re.compile(
    r"\babut\w*|\bcontact\w*|\bclose\s+to\b|\bindent\w*|\bretract\w*|\btag\b|\btags\b|\bpull\w*|"
    r"\btouch\w*|\bborder\w*|\bapprox\w*\s+the|\bin\s+proximity|\bnear\b|\babutment",
    _I,
)
MAIN_BRONCHUS = re.compile(r"\b(?:right|left|rt\.?|lt\.?)?\s*main(?:stem)?[- ]?bronch\w*|\bmain\s+stem\b", _I)
IN_MAIN_BRONCHUS = re.compile(
    r"\b(?:mass|tumou?r|carcinoma|neoplasm|lesion)\b(?:(?!\baway\b|\bdistant\b|\bnodes?\b)[^.;]){0,40}?"
    r"\b(?:in|within|inside|from|into|of|occluding|obstructing)\s+the\s+(?:right\s+|left\s+)?"
    r"main(?:stem)?[- ]?bronch\w*"
    r"|\bmain(?:stem)?[- ]?bronch\w*\s+(?:endobronchial\s+)?(?:mass|tumou?r|carcinoma|neoplasm|lesion)\b",
    _I,
)
SUPERIOR_SULCUS = re.compile(r"superior\s+sulcus\s+tumou?r|pancoast\s+tumou?r", _I)
ATELECTASIS = re.compile(
    r"atelecta\w*|collapse|(?:post-?)?obstructive\s+(?:pneumonitis|pneumonia|consolidation|changes|atelectasis)|"
    r"obstructive\s+pneumonia",
    _I,
)
ATELECTASIS_EXTENT = re.compile(
    r"obstruct\w*|hil(?:um|ar)|entire|whole|complete|total|lobar|\blobe\b|\blung\b|upper\s+lobe|lower\s+lobe|"
    r"middle\s+lobe|lingula",
    _I,
)
ATELECTASIS_MINOR = re.compile(
    r"dependent|sub-?segmental|linear|plate[- ]?like|bibasilar|bibasal|discoid|band|passive|compressive|"
    r"relaxation|round(?:ed)?\s+atelectasis|minor",
    _I,
)
METASTATIC_SUBJECT = re.compile(
    r"meta(?!bol)\w*|\bdeposits?\b|\bsecondar(?:y|ies)\b|\b(?:lytic|sclerotic|blastic|osseous|bones?|skeletal|"
    r"hepatic|liver|adrenals?|brain)\b|\blymph\s*nodes?\b|\bnodes?\b|\bLNs?\b|#\s*\d",
    _I,
)
PRIMARY_SUBJECT = re.compile(
    r"\b(?:mass|tumou?r|tumer|carcinoma|neoplasm|malignancy|adenocarcinoma|nodule|primary|lesion|cancer)\b"
    r"(?!\s+(?:cells?|deposits?))|\bit\b",
    _I,
)
NODES_NOT_ASSESSABLE = re.compile(
    r"\b(?:lymph\s+)?nodes?\s+(?:cannot|could\s+not)\s+be\s+(?:assessed|evaluated)|mediastinum\s+(?:was\s+)?not\s+"
    r"(?:imaged|included|covered)|nodal\s+status\s+(?:cannot|could\s+not)\s+be",
    _I,
)

# Anything staging reads: a sentence with none of these is a continuation of the previous one
# ("Left adrenal nodule, 15 mm. Metastasis is suspected.").
BENIGN_NOUN = re.compile(r"\b(?:granulomas?|cysts?|scars?|hamartomas?|bullae?|calcifications?)\b", _I)
# Lesion nouns that name something seen; "cancer", "carcinoma" or "metastasis" alone are judgements of it.
PHYSICAL_LESION = re.compile(
    r"\b(?:mass(?:es)?(?!\s+effect)|nodules?|tumou?rs?|tumer|lesions?|opacit(?:y|ies)|shadows?|consolidations?|GG[NO]s?|"
    r"SPN)\b",
    _I,
)
_ENTITY = (
    PHYSICAL_LESION,
    BENIGN_NOUN,
    NODE_CUE,
    PLEURAL_SPREAD,
    PERICARDIAL_SPREAD,
    EFFUSION,
    LYMPHANGITIC,
    *(pattern for pattern, _ in ORGANS),
    *(pattern for pattern, _, _, _ in STRUCTURES),
)


_ANY_ENTITY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _ENTITY), _I)
ANY_ORGAN = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in ORGANS), _I)


@lru_cache(maxsize=4096)
def names_an_entity(text: str) -> bool:
    """Whether ``text`` names something of its own (a lesion, a node, an organ, a lobe), not only a judgement."""
    return bool(_ANY_ENTITY.search(text)) or bool(places(text))
