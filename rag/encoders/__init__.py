"""Encoder registry: backends are chosen by name in config and imported only when used."""

from __future__ import annotations

import importlib
from typing import Any

from rag.encoders.base import EncoderInfo, ImageEncoder, TextEncoder, l2_normalise
from rag.errors import InputError

TEXT_ENCODERS: dict[str, str] = {
    "minilm": "rag.encoders.text_sentence_transformers:SentenceTransformerEncoder",
    "hashing": "rag.encoders.hashing:HashingTextEncoder",
}

IMAGE_ENCODERS: dict[str, str] = {
    "efficientnet-lite0": "rag.encoders.image_efficientnet:EfficientNetLiteEncoder",
    "open-clip": "rag.encoders.image_openclip:OpenClipImageEncoder",
}


def _load(registry: dict[str, str], kind: str, name: str) -> Any:
    if name not in registry:
        raise InputError(f"unknown {kind} encoder {name!r}; choose one of {sorted(registry)}")
    module_name, class_name = registry[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def create_text_encoder(name: str, **options: Any) -> TextEncoder:
    encoder: TextEncoder = _load(TEXT_ENCODERS, "text", name)(**options)
    return encoder


def create_image_encoder(name: str, **options: Any) -> ImageEncoder:
    encoder: ImageEncoder = _load(IMAGE_ENCODERS, "image", name)(**options)
    return encoder


__all__ = [
    "EncoderInfo",
    "ImageEncoder",
    "TextEncoder",
    "create_image_encoder",
    "create_text_encoder",
    "l2_normalise",
]
