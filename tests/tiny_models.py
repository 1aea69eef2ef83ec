"""Tiny randomly initialised BERT models that tests build and save themselves (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_tiny_bert(folder: Path, words: str, *, head: str = "model", **config: Any) -> Path:
    """A BERT with a vocabulary of ``words`` in ``folder``: ``head="model"`` the bare encoder (for a
    sentence-transformer), ``"classifier"`` one logit (for a cross-encoder)."""
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words.split()]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab))
    settings = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32}
    bert_config = BertConfig(vocab_size=tokenizer.vocab_size, **{**settings, **config})
    model = BertForSequenceClassification(bert_config) if head == "classifier" else BertModel(bert_config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
