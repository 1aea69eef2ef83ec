"""Consistency probes for closed questions (what accuracy hides, as ProbMed and RoMed show).

* negated: the question turned into its negation; the gold answer flips; consistent when the two answers differ.
* paraphrase: the same question in other words; consistent when the two answers agree.
* absent: for a finding the image has (gold "yes"), a question about a finding the same image's own Q/A says
  is absent (ProbMed's hallucination pair); right when answered "no", the pair right when both are.

Rewrites are deliberately few and grammatical: a question no rule fits gets no negation probe rather than a
garbled one, and its count is reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from eval.items import EvalItem

_THERE = re.compile(r"^(is|are|was|were) there (?:a |an |any )?(.+?)\??$", re.IGNORECASE)
_DOES = re.compile(
    r"^(does|do|did) (.+?) (show|have|contain|demonstrate|reveal|display|include|involve|appear)\b(.*?)\??$",
    re.IGNORECASE,
)
_THIS = re.compile(r"^(is|are|was|were) (this|it|that|these|those) (.+?)\??$", re.IGNORECASE)
_PRESENCE_TYPES = ("PRES", "ABN")


def flip(answer: str) -> str:
    return {"yes": "no", "no": "yes"}.get(answer, answer)


def negate(question: str) -> str | None:
    """ "Is there a mass?" -> "Is there no mass?"; "Does the film show X?" -> "Does the film not show X?";
    "Is this an MRI?" -> "Is this not an MRI?"; None when no rule fits."""
    text = question.strip()
    if match := _THERE.match(text):
        if re.match(r"(no|not)\b", match.group(2), re.IGNORECASE):
            return None
        return f"{match.group(1).capitalize()} there no {match.group(2)}?"
    if match := _DOES.match(text):
        return f"{match.group(1).capitalize()} {match.group(2)} not {match.group(3)}{match.group(4)}?"
    if (match := _THIS.match(text)) and not re.match(r"(no|not)\b", match.group(3), re.IGNORECASE):
        return f"{match.group(1).capitalize()} {match.group(2)} not {match.group(3)}?"
    return None


def paraphrase(question: str) -> str:
    """The same closed question in other words; the fallback only reframes it, which keeps the meaning."""
    text = question.strip()
    if match := _THERE.match(text):
        return f"Can {'any ' if match.group(1).lower() == 'are' else ''}{match.group(2)} be seen in this image?"
    if (match := _THIS.match(text)) and match.group(2).lower() in ("this", "it"):
        return f"Would you say {match.group(2).lower()} {match.group(1).lower()} {match.group(3)}?"
    body = text[0].lower() + text[1:] if text else text
    return f"Looking at this image, {body}"


def _is_presence(item: EvalItem) -> bool:
    return item.is_yes_no and (
        item.question_type.upper().startswith(_PRESENCE_TYPES) or bool(_THERE.match(item.question))
    )


def absent_findings(items: Iterable[EvalItem]) -> dict[str, list[str]]:
    """Per image, the presence questions its Q/A answers "no" (sorted, so the probe chosen is stable)."""
    found: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.image is not None and _is_presence(item) and item.answer == "no":
            found[item.image].add(item.question)
    return {image: sorted(questions) for image, questions in found.items()}


def absent_probe(item: EvalItem, absent: dict[str, list[str]]) -> str | None:
    """For a present finding, a question about an absent one on the same image (not the same question)."""
    if item.image is None or not item.is_yes_no or item.answer != "yes":
        return None
    options = [q for q in absent.get(item.image, []) if q.strip().lower() != item.question.strip().lower()]
    return options[0] if options else None
