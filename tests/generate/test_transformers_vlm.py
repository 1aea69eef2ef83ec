"""A tiny randomly initialised LLaVA, built and saved by the test, loaded through the real backend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from rag.errors import InputError
from rag.generate import create_generator
from rag.generate.base import GenerationRequest, Source
from rag.generate.prompt import SYSTEM_PROMPT
from rag.generate.transformers_vlm import TransformersGenerator

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image> {% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)
SPECIALS = ["<pad>", "<unk>", "<s>", "</s>", "<image>"]


def _vocabulary() -> list[str]:
    words = re.findall(r"\w+|[^\w\s]", SYSTEM_PROMPT + " Sources Question source title id n image accompanies yes no")
    return SPECIALS + sorted(set(words) | {"assistant", "user", "system", ":"})


def build_tiny_llava(directory: Path) -> Path:
    """LLaVA (CLIP vision tower + Llama text model), hidden size 32, one layer each, 32×32 images."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    vocab = {token: index for index, token in enumerate(_vocabulary())}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        extra_special_tokens={"image_token": "<image>"},
    )
    tokenizer.add_special_tokens({"additional_special_tokens": ["<image>"]})
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}, do_center_crop=True
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=8,
        vision_feature_select_strategy="default",
        chat_template=CHAT_TEMPLATE,
        num_additional_image_tokens=1,
    )
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
            projection_dim=32,
        ),
        text_config=LlamaConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
            max_position_embeddings=2048,
            pad_token_id=vocab["<pad>"],
            bos_token_id=vocab["<s>"],
            eos_token_id=vocab["</s>"],
        ),
        image_token_index=vocab["<image>"],
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(0)
    model = LlavaForConditionalGeneration(config).eval()
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory


QWEN_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN_SPECIALS = ["<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]


def build_tiny_qwen2_vl(directory: Path) -> Path:
    """Qwen2-VL (the Qwen2.5-VL family's processor and M-RoPE), hidden size 32, one layer, 56×56 images."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        PreTrainedTokenizerFast,
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    vocab = {token: index for index, token in enumerate(_vocabulary() + QWEN_SPECIALS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>", eos_token="<|im_end|>"
    )
    tokenizer.add_special_tokens({"additional_special_tokens": QWEN_SPECIALS})
    pixels = {"min_pixels": 56 * 56, "max_pixels": 56 * 56, "patch_size": 14, "temporal_patch_size": 2, "merge_size": 2}
    processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessor(**pixels),
        video_processor=Qwen2VLVideoProcessor(**pixels),
        tokenizer=tokenizer,
        chat_template=QWEN_TEMPLATE,
    )
    config = Qwen2VLConfig(
        vision_config={
            "depth": 1,
            "embed_dim": 32,
            "hidden_size": 32,
            "mlp_ratio": 2,
            "num_heads": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "num_key_value_heads": 2,
            "max_position_embeddings": 2048,
            "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 2, 4]},
            "pad_token_id": vocab["<pad>"],
            "bos_token_id": vocab["<|im_start|>"],
            "eos_token_id": vocab["<|im_end|>"],
        },
        image_token_id=vocab["<|image_pad|>"],
        video_token_id=vocab["<|video_pad|>"],
        vision_start_token_id=vocab["<|vision_start|>"],
        vision_end_token_id=vocab["<|vision_end|>"],
    )
    torch.manual_seed(0)
    model = Qwen2VLForConditionalGeneration(config).eval()
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory


# builder, architecture, prompt tokens an image adds: its expanded placeholder and wrapper tokens, plus the six
# word-level tokens of the prompt's "An image accompanies the question." line.
ARCHITECTURES = {
    "llava": (build_tiny_llava, "LlavaForConditionalGeneration", 16 + 6),  # (32 / 8)² patches
    "qwen2-vl": (build_tiny_qwen2_vl, "Qwen2VLForConditionalGeneration", 4 + 2 + 6),  # (56 / 14)² merged 2×2
}


@pytest.mark.integration
@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_generates_with_and_without_image(architecture: str, tmp_path: Path, two_sources: list[Source]) -> None:
    build, class_name, image_prompt_tokens = ARCHITECTURES[architecture]
    model_dir = build(tmp_path / f"tiny-{architecture}")
    generator = create_generator("transformers", model_dir=model_dir, device="cpu", max_new_tokens=4)
    assert isinstance(generator, TransformersGenerator)
    info = generator.info
    assert info["name"] == "transformers" and info["architecture"] == class_name
    assert info["model"] == model_dir.name and len(info["version"]) == 16
    image = Image.new("RGB", (56, 56), color=(120, 30, 200))
    for request in (
        GenerationRequest(question="What size is a T1 tumour?", sources=two_sources, max_tokens=8),
        GenerationRequest(question="Is this T1?", sources=two_sources, image=image, closed=True, max_tokens=8),
    ):
        generation = generator.generate(request)
        assert isinstance(generation.text, str)
        assert generation.model == model_dir.name
        assert 0 < generation.usage["completion_tokens"] <= 4
    with_image = generator.generate(GenerationRequest(question="q", sources=[], image=image, max_tokens=2))
    without = generator.generate(GenerationRequest(question="q", sources=[], max_tokens=2))
    # The placeholder was expanded to one token per (merged) patch, so the image really reached the model.
    assert with_image.usage["prompt_tokens"] - without.usage["prompt_tokens"] == image_prompt_tokens


@pytest.mark.unit
def test_missing_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"config\.json missing"):
        TransformersGenerator(tmp_path / "nowhere")
