"""open_clip encoders load from a local directory only; checked with small random models the tests build.

Two real architectures: an OpenAI-style CLIP (ViT + causal text transformer, bundled BPE tokenizer) and a
BiomedCLIP-style CustomTextCLIP (timm ViT + Hugging Face BERT text tower, HF tokenizer in ``tokenizer/``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import open_clip  # type: ignore[import-untyped, unused-ignore]
import pytest
import torch
from PIL import Image

from rag.encoders import create_image_encoder
from rag.encoders.image_openclip import OpenClipImageEncoder
from rag.errors import InputError

pytestmark = pytest.mark.unit

MEAN = [0.5, 0.4, 0.3]
STD = [0.25, 0.2, 0.3]
TINY_VIT_CFG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}
BIOMED_HF_NAME = "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract"
TINY_BIOMED_CFG: dict[str, Any] = {
    "embed_dim": 24,
    "vision_cfg": {
        "timm_model_name": "vit_tiny_patch16_224",
        "timm_model_pretrained": False,
        "timm_pool": "",
        "timm_proj": "linear",
        "image_size": 224,  # open_clip builds timm trunks at their native size
    },
    "text_cfg": {
        "hf_model_name": BIOMED_HF_NAME,
        "hf_tokenizer_name": BIOMED_HF_NAME,
        "hf_proj_type": "mlp",
        "hf_pooler_type": "cls_last_hidden_state_pooler",
        "context_length": 12,
    },
}
WORDS = ["chest", "x", "ray", "lung", "nodule", "right", "upper", "lobe", "pleural", "effusion", "no", "a"]


def _images() -> list[Image.Image]:
    rng = np.random.default_rng(7)
    sizes = [(80, 64), (64, 64), (50, 90)]
    return [Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)) for w, h in sizes]


def _write_config(model_dir: Path, model_name: str, model_cfg: dict[str, Any]) -> None:
    config = {
        "model_name": model_name,
        "model_cfg": model_cfg,
        "preprocess_cfg": {"mean": MEAN, "std": STD, "interpolation": "bicubic", "resize_mode": "shortest"},
    }
    (model_dir / "open_clip_config.json").write_text(json.dumps(config), encoding="utf-8")


def _reference_image_embeddings(model: Any, images: list[Image.Image], size: int) -> np.ndarray:
    cfg = open_clip.transform.PreprocessCfg(size=size, mean=tuple(MEAN), std=tuple(STD))
    transform = open_clip.transform.image_transform_v2(cfg, is_train=False)
    with torch.no_grad():
        features: torch.Tensor = model.encode_image(torch.stack([transform(image) for image in images]), normalize=True)
    return features.numpy()


@pytest.fixture(scope="module")
def tiny_vit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    torch.manual_seed(0)
    model = open_clip.CLIP(**copy.deepcopy(TINY_VIT_CFG)).eval()
    model_dir = tmp_path_factory.mktemp("tiny-vit")
    _write_config(model_dir, "tiny-vit", TINY_VIT_CFG)
    torch.save(model.state_dict(), model_dir / "open_clip_pytorch_model.bin")
    return model_dir, model


def _write_tiny_bert(directory: Path) -> None:
    from transformers import BertConfig

    directory.mkdir(parents=True, exist_ok=True)
    BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    ).save_pretrained(directory)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (directory / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 32}),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def tiny_biomed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    model_dir = tmp_path_factory.mktemp("tiny-biomedclip")
    _write_tiny_bert(model_dir / "tokenizer")
    build_cfg = copy.deepcopy(TINY_BIOMED_CFG)
    build_cfg["text_cfg"]["hf_model_name"] = str(model_dir / "tokenizer")
    build_cfg["text_cfg"]["hf_model_pretrained"] = False
    torch.manual_seed(0)
    model = open_clip.CustomTextCLIP(**build_cfg).eval()
    _write_config(model_dir, "tiny-biomedclip", TINY_BIOMED_CFG)  # names the hub repo, as the real config does
    torch.save(model.state_dict(), model_dir / "open_clip_pytorch_model.bin")
    return model_dir, model


def test_tiny_vit_loads_offline_and_matches_in_memory_model(tiny_vit: tuple[Path, Any]) -> None:
    model_dir, model = tiny_vit
    encoder = OpenClipImageEncoder(model_dir, device="cpu")
    images = _images()
    vectors = encoder.encode(images, batch_size=2)
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors, _reference_image_embeddings(model, images, 64), atol=1e-6)

    weights = (model_dir / "open_clip_pytorch_model.bin").read_bytes()
    assert encoder.info.name == "open-clip:tiny-vit"
    assert encoder.info.dim == 32
    assert encoder.info.version == f"sha256:{hashlib.sha256(weights).hexdigest()[:12]}"
    assert encoder.preprocess_cfg["size"] == (64, 64) and list(encoder.preprocess_cfg["mean"]) == MEAN


def test_registry_builds_the_same_encoder(tiny_vit: tuple[Path, Any]) -> None:
    model_dir, _ = tiny_vit
    assert create_image_encoder("open-clip", model_dir=model_dir, device="cpu").info.name == "open-clip:tiny-vit"


def test_safetensors_weights_are_preferred(tiny_vit: tuple[Path, Any], tmp_path: Path) -> None:
    from safetensors.torch import save_file

    model_dir, model = tiny_vit
    shutil.copy(model_dir / "open_clip_config.json", tmp_path)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "open_clip_model.safetensors")
    vectors = OpenClipImageEncoder(tmp_path, device="cpu").encode(_images())
    np.testing.assert_allclose(vectors, _reference_image_embeddings(model, _images(), 64), atol=1e-6)


def test_tiny_vit_text_matches_in_memory_model(tiny_vit: tuple[Path, Any]) -> None:
    model_dir, model = tiny_vit
    encoder = OpenClipImageEncoder(model_dir, device="cpu")
    texts = ["a chest x-ray", "right upper lobe nodule", "no pleural effusion"]
    vectors = encoder.encode_text(texts, batch_size=2)
    with torch.no_grad():
        expected = model.encode_text(open_clip.tokenize(texts, context_length=16), normalize=True).numpy()
    np.testing.assert_allclose(vectors, expected, atol=1e-6)


def test_image_only_build_refuses_text(tiny_vit: tuple[Path, Any]) -> None:
    model_dir, model = tiny_vit
    encoder = OpenClipImageEncoder(model_dir, device="cpu", text=False)
    assert not encoder.has_text
    np.testing.assert_allclose(encoder.encode(_images()), _reference_image_embeddings(model, _images(), 64), atol=1e-6)
    with pytest.raises(InputError, match=r"text tower"):
        encoder.encode_text(["x"])


def test_biomedclip_style_with_local_text_tower(tiny_biomed: tuple[Path, Any]) -> None:
    model_dir, model = tiny_biomed
    encoder = OpenClipImageEncoder(model_dir, device="cpu", text=True)
    assert encoder.info.name == "open-clip:tiny-biomedclip" and encoder.info.dim == 24
    np.testing.assert_allclose(encoder.encode(_images()), _reference_image_embeddings(model, _images(), 224), atol=1e-6)

    texts = ["right upper lobe nodule", "no pleural effusion"]
    tokenizer = open_clip.tokenizer.HFTokenizer(str(model_dir / "tokenizer"), context_length=12)
    with torch.no_grad():
        expected = model.encode_text(tokenizer(texts), normalize=True).numpy()
    np.testing.assert_allclose(encoder.encode_text(texts), expected, atol=1e-6)


def test_biomedclip_style_without_text_files_is_image_only(tiny_biomed: tuple[Path, Any], tmp_path: Path) -> None:
    model_dir, model = tiny_biomed
    for name in ("open_clip_config.json", "open_clip_pytorch_model.bin"):
        shutil.copy(model_dir / name, tmp_path)
    encoder = OpenClipImageEncoder(tmp_path, device="cpu")
    assert not encoder.has_text
    np.testing.assert_allclose(encoder.encode(_images()), _reference_image_embeddings(model, _images(), 224), atol=1e-6)
    with pytest.raises(InputError, match=r"config.json and tokenizer files"):
        encoder.encode_text(["nodule"])
    with pytest.raises(InputError, match=r"tokenizer"):
        OpenClipImageEncoder(tmp_path, device="cpu", text=True)


def test_missing_weights_config_and_directory(tiny_vit: tuple[Path, Any], tmp_path: Path) -> None:
    model_dir, _ = tiny_vit
    shutil.copy(model_dir / "open_clip_config.json", tmp_path)
    with pytest.raises(InputError, match=r"missing model weights.*open_clip_pytorch_model.bin"):
        OpenClipImageEncoder(tmp_path)
    with pytest.raises(InputError, match=r"missing open_clip_config.json"):
        OpenClipImageEncoder(tmp_path / "..")
    with pytest.raises(InputError, match=r"not found"):
        OpenClipImageEncoder(tmp_path / "absent")
    (tmp_path / "open_clip_config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"not valid JSON"):
        OpenClipImageEncoder(tmp_path)
