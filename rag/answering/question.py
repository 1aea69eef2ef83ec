"""What a guideline question asks: its kind, the numbers it gives, and the branches it names.

The kind decides how much of a passage answers it (a list question needs the whole list, a threshold
question the sentence with the matching range); the numbers are matched against ranges in the text
("7 mm" falls in "6 to 8 mm"); the qualifiers pick a branch ("high-risk" drops the low-risk item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.answering.numbers import Quantity, quantities
from rag.answering.synonyms import expand
from rag.cite.lexical import content_tokens

QuestionKind = Literal["list", "threshold", "recommendation", "definition", "comparison", "yes-no", "fact"]
_I = re.IGNORECASE

_KINDS: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    (
        "comparison",
        re.compile(
            r"\bdiffer\w*|\bdifference|\bcompared?\b|\bversus\b|\bvs\.?\b|\bcontrast\b|\bbetter\s+than|"
            r"\btell\b.{0,40}\bfrom\b|\bdistinguish\w*|\bseparate\b.{0,40}\bfrom\b",
            _I,
        ),
    ),
    (
        "list",
        re.compile(
            r"\bwhat\s+are\b|\blist\b|\bwhich\s+(?:are|features|signs|criteria|findings|causes|options|factors)|"
            r"\bcriteria\b|\bsigns\s+of\b|\bcauses\s+of\b|\boptions\b|\bfeatures\b|\bcomponents\b|\bcategories\b|"
            r"\bstations\b|\bstages\b|\bgrades\b|\btypes\b|\bwhat\s+(?:signs|findings|features|causes)",
            _I,
        ),
    ),
    (
        "recommendation",
        re.compile(
            r"\bhow\s+should\b|\bshould\b|\brecommend\w*|\bmanage\w*|\bfollow[- ]?up\b|\bnext\s+step|\bwhat\s+to\s+do|"
            r"\btreat\w*|\btherapy\b|\bwork-?up\b|\bindicated\b|\bsurveillance\b|\bhow\s+(?:do|would)\s+(?:i|you|we)",
            _I,
        ),
    ),
    (
        "threshold",
        re.compile(
            r"\bcut-?off\b|\bthreshold\b|\bhow\s+(?:much|many|big|large|long|small)\b|\bat\s+what\s+size|"
            r"\bmore\s+than\b|\bless\s+than\b|\bminimum\b|\bmaximum\b|\blimit\b|\bvolume\b|\bsize\b",
            _I,
        ),
    ),
    ("definition", re.compile(r"\bwhat\s+is\s+(?:a|an|the)?\b|\bdefin\w*|\bmean(?:s|ing)?\b|\bwhat\s+does\b", _I)),
    ("yes-no", re.compile(r"^\s*(?:is|are|does|do|can|should|will|would|was|has|have)\b", _I)),
)
# "Solid" as the nodule type, not the solid part of a part-solid nodule ("solid component", "part-solid").
_SOLID = r"(?<!part-)(?<!part )(?<!non-)(?<!non)\bsolid\b(?![- ](?:component|part))"
# Fleischner's risk groups by what defines them: "heavy smoking history or other known risk factors (older age,
# asbestos, radon or uranium, a first-degree relative with lung cancer)" against "minimal or no smoking history".
# Twenty pack-years or more counts as heavy (the screening programmes' threshold); a plain "smoker" says neither.
_HIGH_RISK = (
    r"\bheavy\s+smok\w*|\b(?:[2-9]\d|\d{3,})\s*-?\s*(?:pack|pk)[- ]?(?:years?|yrs?)\b"
    r"|\basbestos\b|\bradon\b|\buranium\b|\bfirst[- ]degree\s+relative"
)
_LOW_RISK = r"\bnever[- ]smok\w*|\bnon-?smok\w*|\bno\s+smoking\s+history|\bminimal\s+smoking"
# Opposing branches: a question naming one side keeps the items of that side.
QUALIFIER_PAIRS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(rf"\bhigh[- ]risk\b|{_HIGH_RISK}", _I), re.compile(rf"\blow[- ]risk\b|{_LOW_RISK}", _I)),
    (re.compile(r"\blimited[- ]stage\b", _I), re.compile(r"\bextensive[- ]stage\b", _I)),
    (re.compile(r"\bresect(?:ed|able)\b", _I), re.compile(r"\bunresectable\b", _I)),
    (re.compile(r"\b8th\b|\beighth\b", _I), re.compile(r"\b9th\b|\bninth\b", _I)),
    (re.compile(r"\berect\b|\bupright\b", _I), re.compile(r"\bsupine\b", _I)),
    (re.compile(_SOLID, _I), re.compile(r"\bpart[- ]solid\b|\bground[- ]glass\b|\bsubsolid\b|\bnon-?solid\b", _I)),
    (re.compile(r"\bpart[- ]solid\b", _I), re.compile(rf"\bground[- ]glass\b|\bpure\b|\bnon-?solid\b|{_SOLID}", _I)),
    (re.compile(r"\bground[- ]glass\b|\bpure\b|\bnon-?solid\b", _I), re.compile(rf"\bpart[- ]solid\b|{_SOLID}", _I)),
    # Lung-RADS sizes differ for a nodule seen at baseline and one that is new or growing.
    (re.compile(r"\bbaseline\b|\bfirst\s+screen", _I), re.compile(r"\bnew\b|\bgrowing\b", _I)),
    (re.compile(r"\bright\b", _I), re.compile(r"\bleft\b", _I)),
    (re.compile(r"\bsingle\b|\bsolitary\b", _I), re.compile(r"\bmultiple\b|\bseveral\b|\bnumerous\b|\bmany\b", _I)),
)


QUESTION_WORDS = frozenset(
    content_tokens(
        "how why what which when where who whom does do did you your i me my we us should would could can need needs "
        "make call help tell give get use used sort still else nothing anything roughly about quick please ok "
        "typical real recommended recommend best acceptable safe next step mean means imply implies suggest define "
        "defined look looks like kind type there this that these those much many often long big small new now year "
        "years old month months week day man woman male female patient patients person people asks asked want "
        "worthwhile worth bit little tiny rather whether either otherwise thing things way ways case cases"
    )
)


def concept_terms(question: str) -> list[str]:
    """The question's content words that name what is asked (abbreviations spelled out, question words out)."""
    return [t for t in dict.fromkeys(content_tokens(expand(question))) if t not in QUESTION_WORDS]


@dataclass(frozen=True)
class QuestionProfile:
    """The parts of a question that steer answer selection."""

    text: str
    kind: QuestionKind
    quantities: list[Quantity] = field(default_factory=list)
    qualifiers: list[tuple[re.Pattern[str], re.Pattern[str]]] = field(default_factory=list)
    # The question as its author typed it, before abbreviations were spelled out ("" when it is ``text``): what
    # the author named is read here, not in the guideline wording the expansion adds.
    written: str = ""

    def conflicts(self, text: str) -> bool:
        """True when ``text`` names only the opposite branch of something the question specifies."""
        return any(other.search(text) and not asked.search(text) for asked, other in self.qualifiers)

    def on_branch(self, text: str) -> str:
        """``text`` without its lines (or sentences) about a branch the question excludes ("Non-solid: under
        30 mm" is not about a solid nodule), so its numbers are read on the asked branch only."""
        pieces = re.split(r"\n|(?<=[.;])\s+", text)
        if not self.qualifiers:  # nothing excluded: every piece is on the branch
            return " ".join(pieces)
        return " ".join(piece for piece in pieces if not self.conflicts(piece))


def profile(question: str, written: str = "") -> QuestionProfile:
    """What ``question`` asks; ``written``: the same question before its abbreviations were spelled out."""
    kind: QuestionKind = next((name for name, pattern in _KINDS if pattern.search(question)), "fact")
    if kind == "yes-no" and re.search(r"\bshould\b", question, _I):
        kind = "recommendation"
    qualifiers = [(a, b) for a, b in QUALIFIER_PAIRS if a.search(question) and not b.search(question)]
    qualifiers += [(b, a) for a, b in QUALIFIER_PAIRS if b.search(question) and not a.search(question)]
    return QuestionProfile(question, kind, quantities(question), qualifiers, written)
