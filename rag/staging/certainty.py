"""Certainty of one mention from the wording around it: present, probable, possible or absent.

A NegEx-style reader: negation cues scope forward to the mention unless a terminator intervenes, a
few predicates deny what precedes them ("#7 is not swollen"), and hedges anywhere in the mention's
clause make it probable ("suspected", "likely", "consistent with") or only possible ("cannot be
ruled out", "may represent", "differential includes"). Staging counts present and probable findings;
possible ones become "would change the stage if confirmed" alternatives.
"""

from __future__ import annotations

import re

from rag.staging.findings import CERTAINTY_RANK, Certainty
from rag.staging.report_text import clause_at

_I = re.IGNORECASE

# Phrases that contain a negation word but deny something else ("no change in the 4R node").
_PSEUDO_NEGATION = re.compile(
    r"\b(?:no|without)\s+(?:significant\s+|interval\s+|definite\s+|obvious\s+|apparent\s+|marked\s+|further\s+|"
    r"substantial\s+|major\s+|remarkable\s+)?(?:change|changes|growth|increase|progression|enlargement\s+since|"
    r"difference)\b|\bnot\s+only\b|\bnot\s+changed\b|\bno\s+longer\s+(?:decreas|shrink)\w*|\bgram[- ]negative\b|"
    r"\bnot\s+(?:significantly\s+)?(?:changed|increased|decreased)\b|"
    # "a 9mm nodule, which was not seen on the previous CT": new, not absent
    r"\bnot\s+(?:seen|present|visible|identified|noted|detected|demonstrated)\s+(?:on|in|at)\s+(?:the\s+)?"
    r"(?:(?:previous|prior|earlier|last|preceding|old|former)\b|(?:CT|scan|study|exam\w*|images?)\s+"
    r"(?:\d+\s+\w+\s+ago|of\s+\d|from\s+\d|\(\d|in\s+\d))",
    _I,
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|without|negative\s+for|free\s+of|absence\s+of|absent|nor|neither|rather\s+than|instead\s+of|"
    r"resolution\s+of|disappearance\s+of|ruled?\s+out|exclud(?:es|ed|ing)|non|unlikely|spar(?:es|ing|ed))\b",
    _I,
)
# A negation stops scoping at these (NegEx terminators).
_NEGATION_END = re.compile(
    r",\s*(?:and\s+)?(?:there\s+(?:is|are)|which|with|who|where)\b|\bwhich\b|\bthat\s+(?:is|are)\b|\bwith\b|"
    r"\band\s+(?:an?|the|there|it|this)\b|:|\(|\bin\s+addition\b|\bplus\b|\bconsistent\b|\bsuspicious\b|"
    r"\bhas\b|\bhave\b|\bis\s+seen\b|\bare\s+seen\b|\bnoted\b|\bshows?\b|\bdemonstrat\w*|\breveal\w*|\bmeasur\w*",
    _I,
)
_NEGATION_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:is|are|was|were|has\s+been|have\s+been)\s+)?(?:not|no\s+longer)\s+"
    r"(?:clearly\s+|definitely\s+|significantly\s+|pathologically\s+)?"
    r"(?:seen|identified|present|evident|visible|visualis\w*|visualiz\w*|detected|demonstrated|enlarged|swollen|"
    r"apparent|observed|noted|found|suspicious|significant|pathologic\w*|involved|increased|avid|FDG[- ]avid|"
    r"suspected|considered|thought|likely|favou?red|present)\b"
    r"|^[^.;]{0,40}?\b(?:has|have)\s+(?:resolved|disappeared|regressed)\b"
    r"|^[^.;]{0,40}?\b(?:resolved|disappeared|absent|unremarkable|negative|unlikely)\b"
    r"|^[^.;]{0,40}?\bwithin\s+normal\s+(?:limits|size|range)\b"
    r"|^[^.;]{0,40}?\b(?:is|are)\s+(?:of\s+)?normal(?:\s+size)?\b"
    r"|^[^.;]{0,30}?\bnon-?enlarged\b"
    r"|^\s*(?:and\s+\w+\s+)?(?:(?:is|are|was|were|remains?)\s+)?(?:spared|preserved|intact|uninvolved|clear|free)\b"
    r"|^[^.;]{0,40}?\b(?<!cannot\s)(?<!can't\s)(?<!not\s)(?:be\s+)?ruled\s+out\b(?!\s+(?:by|with))",
    _I,
)
_POSSIBLE = re.compile(
    r"\b(?:possible|possibly|may|might|could|cannot\s+(?:be\s+)?(?:completely\s+|entirely\s+|totally\s+)?"
    r"(?:ruled?\s+out|excluded|denied)|can\s*not\s+be\s+(?:ruled\s+out|excluded)|can't\s+be\s+(?:ruled\s+out|excluded)|"
    r"not\s+(?:be\s+)?(?:ruled\s+out|excluded)|differential(?:\s+diagnos[ie]s)?|ddx|indeterminate|equivocal|"
    r"questionabl[ey]|uncertain|undetermined|unclear|borderline|non-?specific|too\s+small\s+to\s+characteri[sz]e|"
    r"(?:to|for)\s+(?:exclude|rule\s+out)|r/o|doubtful|cannot\s+be\s+(?:determined|evaluated|assessed)|"
    r"difficult\s+to\s+(?:distinguish|differentiate|determine|evaluate|exclude)|less\s+likely|not\s+definite|"
    r"vs\.?|versus|or\s+(?:inflammat\w*|reactive|benign|infect\w*|atelecta\w*|post-?inflammat\w*)|"
    r"follow[- ]?up\s+(?:is\s+)?(?:recommended|suggested|advised|needed|required|necessary)|further\s+evaluation|"
    r"clinical\s+correlation|to\s+differentiate|(?:adenoma|cyst|benign|inflammat\w*|reactive|infect\w*|scar\w*)\s+or\s+"
    r"meta\w*|meta\w*\s+or\s+(?:adenoma|cyst|benign|inflammat\w*|reactive|infect\w*|scar\w*))(?=\W|$)"
    r"|\?(?=\s*[A-Za-z])",  # "?metastasis", "? nodal disease"; not the question mark ending a question
    _I,
)
_PROBABLE = re.compile(
    r"\b(?:suspect\w*|suspicious|(?<!less\s)likely|probabl[ey]|consistent\s+with|compatible\s+with|suggest\w*|"
    r"concerning|worrisome|in\s+keeping\s+with|consider\w*|presum\w*|favou?r\w*|thought\s+to\s+(?:be|represent)|"
    r"represent\w*|characteristic\s+of|typical\s+of|highly|diagnosed\s+as|indicative\s+of|indicat\w*|think|"
    r"believed?|deemed|assumed|regarded\s+as|attributed\s+to)\b",
    _I,
)


def _masked(text: str) -> str:
    """Pseudo-negations blanked out (same length), so "no change in the mass" does not deny the mass."""
    return _PSEUDO_NEGATION.sub(lambda m: " " * len(m.group(0)), text)


def _negated_before(clause: str, position: int) -> bool:
    before = _masked(clause[:position])
    cues = list(_NEGATION_BEFORE.finditer(before))
    if not cues:
        return False
    return not _NEGATION_END.search(before[cues[-1].end() :])


def _negated_after(clause: str, position: int) -> bool:
    return bool(_NEGATION_AFTER.search(_masked(clause[position:])))


def certainty_at(sentence: str, start: int, end: int | None = None) -> Certainty:
    """Certainty of the mention at ``sentence[start:end]`` within its clause.

    A hedge of possibility anywhere in the clause beats a negation ("cannot be excluded" contains
    "excluded"), a negation beats a probability word ("no nodule suspicious for metastasis").
    """
    end = start if end is None else end
    clause = clause_at(sentence, start)
    local_start, local_end = start - clause.start, end - clause.start
    text = clause.text
    if _POSSIBLE.search(text):
        return "possible"
    if _negated_before(text, local_start) or _negated_after(text, local_end):
        return "absent"
    if _PROBABLE.search(text):
        return "probable"
    return "present"


def clause_certainty(clause: str) -> Certainty:
    """Certainty of a clause read as one assertion (for cue phrases such as "metastasis is suspected")."""
    return certainty_at(clause, 0, 0) if clause.strip() else "present"


def at_least(certainty: Certainty, minimum: Certainty) -> bool:
    return CERTAINTY_RANK[certainty] >= CERTAINTY_RANK[minimum]


def strongest(certainties: list[Certainty]) -> Certainty:
    return max(certainties, key=lambda c: CERTAINTY_RANK[c]) if certainties else "absent"
