"""Content-word normalisation for lexical support: the cheap, explainable half of citation checking.

Deliberately simple (no external stemmer): British/American spelling, number words, glued units and
plural/verb endings are folded so "tumours invading 45 mm" meets "tumor invades 45mm".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be been being before below
    between both but by can could did do does doing during each either few for from further had has have having he her
    here hers him his how however i if in into is it its itself may me might more most must my neither nor no
    not of off on once only or other our ours out over own per same shall she should so some such than that the
    their theirs them then there these they this those through to too under until up upon very via was we were
    what when where whether which while who whom whose why will with would yes you your
    answer category patient question according source sources"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "single": "1", "twice": "2",
}  # fmt: skip
_UNITS = {
    "centimetre": "cm", "centimeter": "cm", "centimetres": "cm", "centimeters": "cm", "cms": "cm",
    "millimetre": "mm", "millimeter": "mm", "millimetres": "mm", "millimeters": "mm", "mms": "mm",
    "millilitre": "ml", "milliliter": "ml", "millilitres": "ml", "milliliters": "ml",
    "percent": "%", "pct": "%",
}  # fmt: skip
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:cm|mm|ml|%)?|[a-z][a-z0-9]*")
_GLUED_UNIT = re.compile(r"^(\d+(?:\.\d+)?)(cm|mm|ml|%)$")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "ies", "es", "s", "ly", "al", "um")


def normalise_text(text: str) -> str:
    """Unicode-fold, lower-case and unify dashes/quotes/whitespace (used for verbatim quote checks too)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = re.sub(r"[“”„″]", '"', text)
    text = re.sub(r"[‘’′]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def _stem(word: str) -> str:
    if word[0].isdigit() or len(word) <= 4:
        return word
    word = re.sub(r"our(?=s?$)", "or", word)  # tumour(s) -> tumor(s)
    word = re.sub(r"^haem", "hem", word)
    word = re.sub(r"^oe(?=[dsc])", "e", word)  # oedema, oesophagus
    word = re.sub(r"aem", "em", word)  # anaemia, leukaemia
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)]
            break
    return word.rstrip("ae") if len(word) > 4 else word


def content_tokens(text: str) -> list[str]:
    """Normalised content words and numbers, stopwords removed, in order (units split from numbers)."""
    return list(_content_tokens(text))


@lru_cache(maxsize=16384)
def _content_tokens(text: str) -> tuple[str, ...]:
    """Cached: the same passages are tokenised for every question that retrieves them."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(normalise_text(text)):
        glued = _GLUED_UNIT.match(raw)
        parts = [glued.group(1), glued.group(2)] if glued else [raw]
        for part in parts:
            part = _UNITS.get(part, _NUMBER_WORDS.get(part, part))
            if re.fullmatch(r"\d+\.\d*?0+", part):
                part = part.rstrip("0").rstrip(".")
            if part in STOPWORDS or (len(part) == 1 and part.isalpha()):
                continue
            tokens.append(_stem(part))
    return tuple(tokens)


def recall(claim: str | list[str], evidence: str | set[str]) -> float:
    """Share of the claim's distinct content words found in the evidence (0 when the claim has none)."""
    claim_tokens = set(content_tokens(claim) if isinstance(claim, str) else claim)
    if not claim_tokens:
        return 0.0
    evidence_tokens = set(content_tokens(evidence)) if isinstance(evidence, str) else evidence
    return len(claim_tokens & evidence_tokens) / len(claim_tokens)
