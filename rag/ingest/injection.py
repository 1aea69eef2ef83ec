"""Prompt injection in documents: text that addresses the answering model instead of the reader.

A guideline never tells its reader to "ignore previous instructions" or to "reply with" something, so
a document that does is refused at ingestion (with the offending sentence), rather than indexed and
left for the verifier to catch after a model has read it.
"""

from __future__ import annotations

import re

from rag.errors import InputError

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|"
    r"preceding|your)\s+(?:instructions?|prompts?|rules?|context|messages?)|"
    r"\b(?:you\s+are\s+now|act\s+as)\s+(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|system)\b|"
    r"\b(?:system\s+prompt|developer\s+message|jailbreak)\b|"
    r"\b(?:reply|respond|answer|output|print|say)\s+(?:only\s+)?(?:with\s+)?[\"'“]?[A-Z]{4,}[\"'”]?(?:\s|[.!]|$)|"
    r"</?\s*(?:system|assistant|user)\s*>|\[\s*(?:INST|SYS)\s*\]",
    re.IGNORECASE,
)


class InjectionError(InputError):
    """A document contains instructions aimed at the model."""


def find_injections(text: str) -> list[str]:
    """The stretches of ``text`` that address a language model."""
    return [match.group(0) for match in _INSTRUCTION.finditer(text)]


def refuse_injections(text: str, name: str) -> None:
    """Raise :class:`InjectionError` naming the document and the first offending phrase."""
    found = find_injections(text)
    if found:
        raise InjectionError(
            f"{name}: the document contains instructions aimed at the answering model ({found[0]!r}); "
            "remove them before adding it to the knowledge base"
        )
