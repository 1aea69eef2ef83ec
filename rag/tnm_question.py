"""Guideline questions that ask for a T, N or M category or a stage group.

These are answered by the deterministic staging rules rather than by a generator: the rules
give the category and the knowledge passages (with verbatim quotes) it rests on, and the
pipeline cites those passages like any retrieved evidence.

Questions are written in shorthand ("3.5 cm RLL adeno, no mets. Stage group?"), so the rules read them
with the shorthand spelled out; categories the question gives ("cT2aN0 ... now pleural fluid cytology
positive: what stage?") are taken as given where the text alone cannot decide them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering.synonyms import spell_out
from rag.errors import InputError
from rag.staging import stage_report
from rag.staging.engine import stage_row
from rag.staging.result import Decision
from rag.staging.stage_groups import stage_group

_CATEGORY = re.compile(
    r"\b(?:what|which)\s+(?:is\s+the\s+)?(?:(?:clinical|c)\s*)?(T|N|M)\b(?!\d)"
    r"|\b(T|N|M)\s*(?:category|categories|cat|descriptor|classification|stage)\b",
    re.IGNORECASE,
)
# "M1c1 or M1c2?", "T3 vs T4": the question offers categories of one letter to choose from.
_CHOICE = re.compile(r"\b([TNM])(?:[0-4]|is)(?:mi|[a-c])?[12]?\s*(?:or|vs\.?|versus|/)\s*\1(?:[0-4]|is)", re.IGNORECASE)
# A stage asked for, not a stage named ("stage IIIA treatment"): no numeral after "stage".
_NOT_NAMED = r"(?!\s+(?:[IV]+[ABC]?[123]?|[0-4][ABC]?)\b)"
_STAGE = re.compile(
    rf"\b(?:what|which)\s+(?:is\s+the\s+)?(?:overall\s+|tnm\s+)?stage\b{_NOT_NAMED}"
    rf"|\b(?:and|or|overall)\s+stage\b{_NOT_NAMED}|\bstage\s+group(?:ing)?\b|\bstage\s*\?",
    re.IGNORECASE,
)
_EDITION = re.compile(r"\b(8|9)(?:th)?\s+(?:ed\b|edition\b)", re.IGNORECASE)
# Two scenarios compared ("bone plus adrenal vs both adrenals only"): one staging of the whole text would merge them.
_SCENARIOS = re.compile(
    r"\bvs\.?\s+(?:one|a|an|the|someone|pts?|patients?)\b|\bversus\s+(?:one|a|an|the)\b|"
    r"\bif\b.{0,60}\bor\b.{0,20}\bif\b|\b(?:what|how)\s+about\b|\band\s+if\b|\binstead\b",
    re.IGNORECASE,
)
# Category codes the question names ("M1c1 or M1c2", "cT2aN0") are what is asked or given, not findings: the
# extractor would read "M1c1 or M1c2" as a hedge on the sentence it stands in.
_CODES = re.compile(
    r"(?<![A-Za-z])[cpy]?(?:[TNM](?:X|is|[0-4])(?:mi|[a-c])?[12]?\s*,?\s*)+(?:(?:or|vs\.?|versus|/)\s*"
    r"(?:[TNM](?:X|is|[0-4])(?:mi|[a-c])?[12]?\s*)+)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_STATED_T = re.compile(r"(?<![A-Za-z])[cpy]?T(?P<t>X|0|is|[1-4](?:mi|[a-c])?)(?=\s*,?\s*N[0-3X]|\b)")
_STATED_N = re.compile(r"(?<![A-Za-z])(?:[cpy]?T(?:X|0|is|[1-4](?:mi|[a-c])?)\s*,?\s*|\b[cpy]?)N(?P<n>X|[0-3][ab]?)\b")
UNDECIDED = {"TX", "NX", "M1", "undeterminable"}
_STATED_M = re.compile(r"(?<![A-Za-z])[cpy]?M(?P<m>0|1[a-c]?[12]?)(?![A-Za-z0-9])")
_DISTANT = re.compile(
    r"metasta|\bmets?\b|\bM(?:0|1[a-c]?[12]?)\b|\bdistant\b|adrenal|liver|bone|brain|effusion|pleural\s+(?:nodul|fluid)|pericardial|"
    r"cytology",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TnmAnswer:
    category: str
    value: str
    edition: str
    reason: str
    quotes: list[tuple[str, str]]


def asked_category(question: str) -> str | None:
    """'T', 'N', 'M' or 'stage' when the question asks for one; None otherwise."""
    if _STAGE.search(question):
        return "stage"
    match = _CATEGORY.search(question) or _CHOICE.search(question)
    return (match.group(1) or match.group(2)).upper() if match else None


def _stated(question: str) -> dict[str, str]:
    """Categories the question gives ("cT2aN0", "T3 N1 M0")."""
    given: dict[str, str] = {}
    if t := _STATED_T.search(question):
        given["T"] = f"T{t.group('t')}"
    if n := _STATED_N.search(question):
        given["N"] = f"N{n.group('n')}"
    if m := _STATED_M.search(question):
        given["M"] = f"M{m.group('m')}"
    return given


def _decided(value: str, edition: str) -> bool:
    """N2 is final in the 8th edition and undecided (N2a or N2b) in the 9th."""
    return value not in UNDECIDED and not (edition == "9" and value == "N2")


def _grouped(t: str, n: str, m: str, edition: str) -> str | None:
    """The stage group of categories that may leave T or N open: any T and any N are stage IV with M1."""
    if _decided(m, edition) and m != "M0":
        return "IVA" if m in ("M1a", "M1b") else "IVB"
    if not (_decided(t, edition) and _decided(n, edition) and _decided(m, edition)):
        return None
    try:
        return stage_group(edition, t, n, m)
    except InputError:
        return None  # a stated category that does not exist in this edition ("N2a" in the 8th)


def _with_given(decisions: dict[str, Decision], question: str, edition: str, asked: str) -> dict[str, Decision]:
    """The categories the question states replace the rules' own (the question's text lost its codes, so the
    rules would read "T2a N0 M1b" as no metastasis), and the stage is grouped again from them."""
    given = {category: value for category, value in _stated(question).items() if category != asked}
    if not given:
        return decisions
    filled = dict(decisions)
    for category, value in given.items():
        filled[category] = Decision(category, value, f"{value} as the question gives it", [value], [])  # type: ignore[arg-type]
    t, n, m = (filled[c].value for c in "TNM")
    stage = _grouped(t, n, m, edition)
    label = f"{t} {n} {m}"
    filled["stage"] = (
        Decision(
            "stage", stage, f"{label} is stage {stage} in the {edition}th edition", [label], [stage_row(edition, stage)]
        )
        if stage is not None
        else Decision("stage", "undeterminable", f"{label} cannot be grouped", [label], [])
    )
    return filled


def answer_tnm_question(question: str, default_edition: str = "9") -> TnmAnswer | None:
    """The staging rules' answer when the question asks a category they can decide; else None."""
    category = asked_category(question)
    if category is None or _SCENARIOS.search(question):
        return None
    edition_match = _EDITION.search(question)
    edition = edition_match.group(1) if edition_match else default_edition
    if category in ("M", "stage") and not _DISTANT.search(question):
        return None  # a question that says nothing of distant disease cannot be given an M (or a stage)
    text = spell_out(_CODES.sub(" ", question))
    result = stage_report(text, edition, mode="question")
    decisions = _with_given({d.category: d for d in result.decisions}, question, edition, category)
    decision = decisions[category]
    if not _decided(decision.value, edition):
        return None
    used = [decisions[c] for c in "TNM" if _decided(decisions[c].value, edition)] if category == "stage" else []
    quotes: list[tuple[str, str]] = []
    for citation in (c for d in [decision, *used] for c in d.citations):
        if (citation.source_id, citation.quote) not in quotes:
            quotes.append((citation.source_id, citation.quote))
    if not quotes:
        return None
    value = decision.value if category != "stage" else f"{' '.join(d.value for d in used)}, stage {decision.value}"
    return TnmAnswer(category, value, edition, decision.reason, quotes)
