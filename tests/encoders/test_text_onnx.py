"""The ONNX Runtime text path gives PyTorch's vectors, exports once, and refuses what it cannot reproduce.

Each test builds a tiny randomly initialised BERT sentence-transformer itself (nothing is downloaded)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.encoders.text_sentence_transformers import SentenceTransformerEncoder
from rag.errors import InputError
from tests.tiny_models import save_tiny_bert

pytestmark = pytest.mark.integration

WORDS = "the a of in is nodule solid mm ct months follow up high low risk patient criteria light pleural fluid effusion"
TEXTS = [
    "solid nodule 7 mm in a high risk patient",
    "light criteria",
    "pleural fluid effusion criteria in the patient " * 30,  # past max_seq_length: truncated alike
    "",
]


def build_model(folder: Path, *, pooling: str = "mean", seed: int = 0) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer, models

    torch.manual_seed(seed)
    bert_dir = save_tiny_bert(folder / "bert", WORDS, num_hidden_layers=2, max_position_embeddings=64)
    transformer = models.Transformer(str(bert_dir), max_seq_length=48)
    pool = models.Pooling(transformer.get_embedding_dimension(), pooling_mode=pooling)
    target = folder / "model"
    SentenceTransformer(modules=[transformer, pool, models.Normalize()]).save(str(target))
    return target


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("st") / "tiny")


def test_onnx_vectors_match_torch_and_the_graph_is_exported_once(tiny_model: Path, tmp_path: Path) -> None:
    onnx = SentenceTransformerEncoder(tiny_model, device="cpu", runtime="onnx", onnx_cache_dir=tmp_path)
    torch_encoder = SentenceTransformerEncoder(tiny_model, device="cpu", runtime="torch")
    assert (onnx.runtime, torch_encoder.runtime) == ("onnx", "torch")
    assert onnx.info == torch_encoder.info  # an index built by either runtime serves the other
    graphs = list(tmp_path.glob("*.onnx"))
    assert len(graphs) == 1
    found, expected = onnx.encode(TEXTS, batch_size=2), torch_encoder.encode(TEXTS)
    assert found.shape == expected.shape == (len(TEXTS), 16)
    assert np.abs(found - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
    exported_at = graphs[0].stat().st_mtime_ns
    again = SentenceTransformerEncoder(tiny_model, device="cpu", runtime="auto", onnx_cache_dir=tmp_path)
    assert again.runtime == "onnx" and graphs[0].stat().st_mtime_ns == exported_at
    assert again.encode([]).shape == (0, 16)


def test_large_batches_go_to_torch_small_ones_to_onnx(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = SentenceTransformerEncoder(tiny_model, device="cpu", runtime="onnx", onnx_cache_dir=tmp_path)
    reference = SentenceTransformerEncoder(tiny_model, device="cpu", runtime="torch")
    assert encoder._onnx is not None
    onnx_batches: list[int] = []
    run = encoder._onnx.run

    def counted(tokens: dict[str, np.ndarray]) -> np.ndarray:
        onnx_batches.append(len(tokens["input_ids"]))
        return run(tokens)

    monkeypatch.setattr(encoder._onnx, "run", counted)
    long_texts = [TEXTS[2]] * 8  # 8 x 48 padded tokens: past ONNX_MAX_BATCH_TOKENS
    assert np.abs(encoder.encode(long_texts, batch_size=8) - reference.encode(long_texts)).max() < 1e-5
    assert onnx_batches == []
    assert np.abs(encoder.encode(TEXTS[:2], batch_size=8) - reference.encode(TEXTS[:2])).max() < 1e-5
    assert onnx_batches == [2]


def test_a_graph_that_gives_other_vectors_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    other = build_model(tmp_path / "other", seed=1)
    other_cache, cache = tmp_path / "other-cache", tmp_path / "cache"
    SentenceTransformerEncoder(other, device="cpu", runtime="onnx", onnx_cache_dir=other_cache)
    SentenceTransformerEncoder(tiny_model, device="cpu", runtime="onnx", onnx_cache_dir=cache)
    (graph,) = cache.glob("*.onnx")
    shutil.copyfile(next(other_cache.glob("*.onnx")), graph)  # a stale or foreign graph under this model's name
    with pytest.raises(InputError, match="away from PyTorch's"):
        SentenceTransformerEncoder(tiny_model, device="cpu", runtime="onnx", onnx_cache_dir=cache)


def test_pooling_it_cannot_reproduce_and_unknown_runtimes_are_refused(tmp_path: Path) -> None:
    max_pooled = build_model(tmp_path / "max", pooling="max")
    with pytest.raises(InputError, match="pooling 'max'"):
        SentenceTransformerEncoder(max_pooled, device="cpu", runtime="onnx", onnx_cache_dir=tmp_path / "c")
    assert SentenceTransformerEncoder(max_pooled, device="cpu", runtime="torch").encode(["nodule"]).shape == (1, 16)
    with pytest.raises(InputError, match="unknown text runtime 'tensorrt'"):
        SentenceTransformerEncoder(max_pooled, device="cpu", runtime="tensorrt")


def test_an_unwritable_cache_folder_is_a_clear_error(tiny_model: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(InputError, match="MEDCITE_ONNX_CACHE_DIR"):
        SentenceTransformerEncoder(tiny_model, device="cpu", runtime="onnx", onnx_cache_dir=blocker / "onnx")
