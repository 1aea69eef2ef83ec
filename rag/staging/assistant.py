"""Model-assisted extraction for what the rules could not read, with every answer tied to a verbatim quote.

The rules run first. Only their gaps go to the assistant (no tumour size, no tumour side when nodes depend
on it, the 9th-edition N2 stations, an unknown metastasis count, no primary found), each as a short
question. Every answer must quote the report verbatim and the quote must contain the value it claims;
an answer that fails either check is rejected with a warning. Accepted answers only fill those gaps: a
finding the rules read is never changed, and the stage grouping is never delegated to a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rag.staging.anatomy import places, side_in
from rag.staging.extract.vocabulary import ANY_ORGAN, NODE_CUE, ORGANS
from rag.staging.findings import Findings, NodeFinding, Tumour
from rag.staging.sizes import measurements

_SIZE = re.compile(r"\d+(?:\.\d+)?\s*(?:mm|cm|millimet\w*|centimet\w*)", re.IGNORECASE)
_STATION = re.compile(r"(?<![\w.])#?\s*(1[0-4]|[1-9])([RLap]?)(?![\w.])")


@dataclass(frozen=True)
class Gap:
    """One thing the rules could not read: a key the answer must name, and the question asked."""

    key: str
    question: str


@runtime_checkable
class ExtractionAssistant(Protocol):
    """Anything that answers gap questions about a report: ``{"answers": [{"key", "value", "quote"}]}``."""

    def propose(self, report: str, gaps: list[Gap]) -> dict[str, Any]: ...


def find_gaps(findings: Findings, *, n2_undecided: bool) -> list[Gap]:
    """The questions worth asking about these rule-extracted findings (empty when nothing is missing)."""
    gaps: list[Gap] = []
    tumour = findings.tumour
    if tumour is None and not findings.primary_not_seen and not findings.malignant_cytology:
        gaps.append(Gap("primary_tumour", "What is the greatest dimension of the primary lung tumour?"))
    elif tumour is not None and tumour.size_mm is None and tumour.solid_mm is None and tumour.histology is None:
        gaps.append(Gap("tumour_size", "What is the greatest dimension of the primary lung tumour?"))
    if tumour is not None and tumour.side is None and findings.nodes:
        gaps.append(Gap("tumour_side", "Is the primary lung tumour in the right or the left lung?"))
    if n2_undecided:
        gaps.append(Gap("n2_stations", "Which mediastinal or subcarinal lymph node stations are involved?"))
    for metastasis in findings.metastases:
        if metastasis.count is None:
            gaps.append(
                Gap(
                    f"metastasis_count:{metastasis.system}",
                    f"Is there a single or are there multiple {metastasis.system} metastases?",
                )
            )
    return gaps


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _size_in(quote: str, value: str) -> float | None:
    """The size the answer gives, if that same measurement is written in its quote (in digits or words)."""
    claimed = measurements(value)
    spelled = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], quote)
    quoted = {dim for m in _SIZE.finditer(spelled) for dim in _dims(m.group(0))}
    if claimed and claimed[0].greatest in quoted:
        return claimed[0].greatest
    return None


def _dims(expression: str) -> list[float]:
    return [
        float(number) * (10 if unit.lower().startswith(("cm", "centi")) else 1)
        for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(mm|cm|millimet\w*|centimet\w*)", expression, re.I)
    ]


def _about_the_lung(quote: str) -> bool:
    """A size quote must place its lesion in the lung and name no other organ or node ("liver lesion 2.4 cm")."""
    in_lung = bool(places(quote)) or re.search(r"\blung\b|\bpulmonary\b|\bhil(?:um|ar)\b|\blobe\b", quote, re.I)
    return bool(in_lung) and not ANY_ORGAN.search(quote) and not NODE_CUE.search(quote)


def _checked(gap_key: str, value: str, quote: str) -> str | None:
    """Why an answer is refused (None when its quote supports its value)."""
    if gap_key in ("primary_tumour", "tumour_size"):
        if _size_in(quote, value) is None:
            return "the quote does not contain that size"
        return None if _about_the_lung(quote) else "the quote is not about a lung tumour"
    if gap_key == "tumour_side":
        side = value.strip().lower()
        if side not in ("right", "left"):
            return "the side must be right or left"
        return None if side_in(quote) == side else "the quote does not place the tumour on that side"
    if gap_key == "n2_stations":
        claimed = {m.group(0).replace("#", "").strip() for m in _STATION.finditer(value)}
        quoted = {m.group(0).replace("#", "").strip() for m in _STATION.finditer(quote)}
        if not claimed:
            return "no station named"
        return None if claimed <= quoted else "the quote does not name those stations"
    if gap_key.startswith("metastasis_count:"):
        system = gap_key.split(":", 1)[1]
        pattern = next((p for p, name in ORGANS if name == system), None)
        if value.strip().lower() not in ("single", "multiple"):
            return "the count must be single or multiple"
        if pattern is None or not pattern.search(quote):
            return "the quote does not mention that organ"
        return None
    return "not a question that was asked"


def _apply(findings: Findings, gap_key: str, value: str, quote: str) -> Findings:
    if gap_key == "primary_tumour":
        lobe = next((p.lobe for p in places(quote) if p.lobe), None)
        tumour = Tumour(size_mm=_size_in(quote, value), lobe=lobe, side=side_in(quote), evidence=[quote])
        return findings.model_copy(update={"tumour": tumour})
    if gap_key == "tumour_size" and findings.tumour is not None:
        tumour = findings.tumour.model_copy(update={"size_mm": _size_in(quote, value)})
        return findings.model_copy(update={"tumour": tumour})
    if gap_key == "tumour_side" and findings.tumour is not None:
        tumour = findings.tumour.model_copy(update={"side": value.strip().lower()})
        return findings.model_copy(update={"tumour": tumour})
    if gap_key == "n2_stations":
        stations = [
            m.group(1) + m.group(2).upper() if m.group(2) in ("R", "L") else m.group(1) + m.group(2).lower()
            for m in _STATION.finditer(value)
        ]
        nodes = [n for n in findings.nodes if n.station is not None]
        nodes += [NodeFinding(station=s if s not in ("3",) else "3a", evidence=quote) for s in stations]
        return findings.model_copy(update={"nodes": nodes})
    if gap_key.startswith("metastasis_count:"):
        system = gap_key.split(":", 1)[1]
        count = 1 if value.strip().lower() == "single" else 2
        metastases = [m.model_copy(update={"count": count}) if m.system == system else m for m in findings.metastases]
        return findings.model_copy(update={"metastases": metastases})
    return findings


def merge_proposal(
    rules: Findings, proposal: dict[str, Any], report: str, gaps: list[Gap]
) -> tuple[Findings, list[str]]:
    """Fill the asked gaps from answers whose verbatim quotes support them; warn about every answer."""
    asked = {gap.key for gap in gaps}
    answers = proposal.get("answers") if isinstance(proposal, dict) else None
    if not isinstance(answers, list):
        return rules, ["assistant proposal rejected: no answers list in its reply"]
    merged, warnings = rules, []
    source = _normalise(report)
    for answer in answers:
        if not isinstance(answer, dict):
            warnings.append("assistant answer rejected: not a JSON object")
            continue
        key, value, quote = (str(answer.get(name) or "") for name in ("key", "value", "quote"))
        if key not in asked:
            warnings.append(f"assistant answer for {key!r} rejected: that was not asked")
            continue
        if not quote.strip() or _normalise(quote) not in source:
            warnings.append(f"assistant answer for {key} rejected: its quote is not in the report verbatim")
            continue
        problem = _checked(key, value, quote)
        if problem is not None:
            warnings.append(f"assistant answer for {key} rejected: {problem}")
            continue
        merged = _apply(merged, key, value, quote)
        asked.discard(key)
        warnings.append(f'assistant filled {key} = {value} from "{quote}" (not read by the rules; please verify)')
    return merged, warnings
