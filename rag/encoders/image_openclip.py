"""open_clip image(-text) models (BiomedCLIP, MedSigLIP, UniMed-CLIP, ...) from a local directory only.

The directory has the layout of an open_clip Hugging Face repo: ``open_clip_config.json`` (``model_cfg``
and ``preprocess_cfg``) beside ``open_clip_pytorch_model.bin`` or ``.safetensors``. Nothing touches the
network: pretrained-tower flags are forced off, and a Hugging Face text tower (BiomedCLIP's PubMedBERT) is
built from a local ``tokenizer/`` (or ``text_model/``) folder holding its ``config.json`` and tokenizer files.
Without that folder the image tower alone is built, so image retrieval still works and only
:meth:`OpenClipImageEncoder.encode_text` refuses.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from rag.encoders.base import EncoderInfo, ImageEncoder, l2_normalise
from rag.encoders.image_common import batches, default_device, file_sha256
from rag.errors import InputError, MissingDependencyError

CONFIG_FILE = "open_clip_config.json"
#: Weight files looked for, in order of preference (safetensors first: no pickle).
WEIGHT_FILES = (
    "open_clip_model.safetensors",
    "open_clip_pytorch_model.safetensors",
    "open_clip_pytorch_model.bin",
    "open_clip_pytorch_model.pth",
)
#: Sub-folders that may hold a Hugging Face text tower's config.json and tokenizer files.
HF_TEXT_DIRS = ("tokenizer", "text_model")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "tokenizer.model")


def _import_open_clip() -> Any:
    try:
        import open_clip  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise MissingDependencyError("open_clip is not installed: pip install open-clip-torch") from exc
    return open_clip


def _read_config(model_dir: Path) -> dict[str, Any]:
    config_path = model_dir / CONFIG_FILE
    if not config_path.is_file():
        raise InputError(f"{model_dir}: missing {CONFIG_FILE} (copy it from the model's Hugging Face repo)")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{config_path}: not valid JSON ({exc})") from exc
    if not isinstance(config, dict) or not isinstance(config.get("model_cfg"), dict):
        raise InputError(f"{config_path}: needs a 'model_cfg' object (open_clip hub layout)")
    model_cfg = config["model_cfg"]
    if "embed_dim" not in model_cfg or not isinstance(model_cfg.get("vision_cfg"), dict):
        raise InputError(f"{config_path}: 'model_cfg' needs 'embed_dim' and a 'vision_cfg' object")
    return config


def _find_weights(model_dir: Path) -> Path:
    for file_name in WEIGHT_FILES:
        candidate = model_dir / file_name
        if candidate.is_file():
            return candidate
    raise InputError(f"{model_dir}: missing model weights; expected one of {', '.join(WEIGHT_FILES)}")


def _find_dir_with(model_dir: Path, names: Sequence[str], extra: Sequence[Path] = ()) -> Path | None:
    """The first of `extra` + known sub-folders + `model_dir` that contains any of `names`."""
    for candidate in [*extra, *(model_dir / sub for sub in HF_TEXT_DIRS), model_dir]:
        if candidate.is_dir() and any((candidate / name).is_file() for name in names):
            return candidate
    return None


class OpenClipImageEncoder(ImageEncoder):
    """Unit-length open_clip image (and, where the text tower is present, text) embeddings.

    `text`: None builds the text tower when it can be built offline, True requires it, False skips it.
    """

    def __init__(self, model_dir: Path | str, device: str | None = None, *, text: bool | None = None) -> None:
        open_clip = _import_open_clip()
        self._model_dir = Path(model_dir).expanduser().resolve()
        if not self._model_dir.is_dir():
            raise InputError(f"{self._model_dir}: open_clip model directory not found")
        config = _read_config(self._model_dir)
        weights = _find_weights(self._model_dir)
        self._device = default_device(device)

        model_cfg: dict[str, Any] = copy.deepcopy(config["model_cfg"])
        vision_cfg: dict[str, Any] = model_cfg["vision_cfg"]
        text_cfg: dict[str, Any] = model_cfg.setdefault("text_cfg", {})
        if "timm_model_name" in vision_cfg:
            vision_cfg["timm_model_pretrained"] = False  # weights come from the checkpoint, never from timm's hub
        self._text_cfg = text_cfg
        self._text_unavailable = self._prepare_text_cfg(text_cfg)
        if text and self._text_unavailable:
            raise InputError(self._text_unavailable)

        self._model: Any = None
        visual: Any
        if text is False or self._text_unavailable:
            visual = self._build_visual_only(open_clip, model_cfg, weights)
        else:
            self._model = self._build_full(open_clip, model_cfg, weights)
            visual = self._model.visual
        self._visual = visual.to(self._device).eval()
        if self._model is not None:
            self._model.to(self._device).eval()

        preprocess = open_clip.transform.merge_preprocess_dict(
            asdict(open_clip.transform.PreprocessCfg()), config.get("preprocess_cfg") or {}
        )
        preprocess["size"] = getattr(visual, "image_size", vision_cfg.get("image_size", preprocess["size"]))
        self._preprocess_cfg = preprocess
        self._transform = open_clip.transform.image_transform_v2(
            open_clip.transform.PreprocessCfg(**preprocess), is_train=False
        )
        self._tokenizer: Any = None
        model_name = str(config.get("model_name") or model_cfg.get("model_name") or self._model_dir.name)
        self._info = EncoderInfo(
            name=f"open-clip:{model_name}",
            dim=int(model_cfg["embed_dim"]),
            version=f"sha256:{file_sha256(weights)[:12]}",
        )

    def _prepare_text_cfg(self, text_cfg: dict[str, Any]) -> str | None:
        """Point a Hugging Face text tower at a local folder; return why text is unavailable, if it is."""
        hf_name = text_cfg.get("hf_model_name")
        if not hf_name:
            return None
        local = _find_dir_with(self._model_dir, ("config.json",), extra=[Path(hf_name)])
        if local is None or local == self._model_dir:
            return (
                f"{self._model_dir}: the text tower {hf_name!r} needs its config.json and tokenizer files in "
                f"{self._model_dir / HF_TEXT_DIRS[0]} (copy them from that Hugging Face repo)"
            )
        text_cfg["hf_model_name"] = str(local)
        text_cfg["hf_model_pretrained"] = False  # the checkpoint carries the text weights
        return None

    def _build_full(self, open_clip: Any, model_cfg: dict[str, Any], weights: Path) -> Any:
        """Same class choice as ``open_clip.create_model``, minus its hub lookups and random-init warning."""
        model_cfg = dict(model_cfg)
        custom_text = bool(model_cfg.pop("custom_text", False)) or "hf_model_name" in model_cfg["text_cfg"]
        if custom_text:
            model_class = open_clip.CoCa if "multimodal_cfg" in model_cfg else open_clip.CustomTextCLIP
        else:
            model_class = open_clip.CLIP
        model = model_class(**model_cfg)
        open_clip.load_checkpoint(model, str(weights), strict=True, weights_only=True)
        return model

    def _build_visual_only(self, open_clip: Any, model_cfg: dict[str, Any], weights: Path) -> Any:
        from open_clip.model import _build_vision_tower  # type: ignore[import-untyped, unused-ignore]

        visual = _build_vision_tower(
            int(model_cfg["embed_dim"]), model_cfg["vision_cfg"], bool(model_cfg.get("quick_gelu", False))
        )
        state_dict = open_clip.factory.load_state_dict(str(weights), device="cpu", weights_only=True)
        prefix = "visual."
        visual_state = {key[len(prefix) :]: value for key, value in state_dict.items() if key.startswith(prefix)}
        if not visual_state:
            raise InputError(f"{weights}: no 'visual.*' weights found; is this an open_clip checkpoint?")
        visual.load_state_dict(visual_state, strict=True)
        return visual

    @property
    def info(self) -> EncoderInfo:
        return self._info

    @property
    def device(self) -> torch.device:
        return self._device

    @property
    def preprocess_cfg(self) -> dict[str, Any]:
        """The resolved preprocessing (size, mean, std, interpolation, resize mode)."""
        return dict(self._preprocess_cfg)

    @property
    def has_text(self) -> bool:
        return self._model is not None

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """The model's input tensor for one image, per the checkpoint's ``preprocess_cfg``."""
        tensor: torch.Tensor = self._transform(image.convert("RGB"))
        return tensor

    def encode(self, images: Sequence[Image.Image], *, batch_size: int = 16, progress: bool = False) -> np.ndarray:
        outputs: list[np.ndarray] = [np.zeros((0, self._info.dim), dtype=np.float32)]
        with torch.inference_mode():
            for batch in batches(images, batch_size, progress=progress, desc=self._info.name):
                pixels = torch.stack([self.preprocess(image) for image in batch]).to(self._device)
                outputs.append(self._visual(pixels).float().cpu().numpy())
        return l2_normalise(np.concatenate(outputs, axis=0))

    def encode_text(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length text embeddings in the same space as :meth:`encode` (image-text models only)."""
        if self._model is None:
            raise InputError(self._text_unavailable or f"{self._model_dir}: encoder was built without its text tower")
        tokenizer = self._get_tokenizer()
        outputs: list[np.ndarray] = [np.zeros((0, self._info.dim), dtype=np.float32)]
        with torch.inference_mode():
            for batch in batches(list(texts), batch_size, progress=progress, desc=f"{self._info.name} text"):
                tokens = tokenizer(list(batch)).to(self._device)
                outputs.append(self._model.encode_text(tokens).float().cpu().numpy())
        return l2_normalise(np.concatenate(outputs, axis=0))

    def _get_tokenizer(self) -> Any:
        if self._tokenizer is not None:
            return self._tokenizer
        open_clip = _import_open_clip()
        context_length = int(self._text_cfg.get("context_length", 77))
        kwargs: dict[str, Any] = dict(self._text_cfg.get("tokenizer_kwargs") or {})
        if self._text_cfg.get("hf_tokenizer_name") or self._text_cfg.get("hf_model_name"):
            local = _find_dir_with(self._model_dir, _TOKENIZER_FILES)
            if local is None:
                raise InputError(
                    f"{self._model_dir}: no local tokenizer for {self._text_cfg.get('hf_tokenizer_name')!r}; put its "
                    f"tokenizer files ({', '.join(_TOKENIZER_FILES[:3])}) in {self._model_dir / HF_TEXT_DIRS[0]}"
                )
            try:
                self._tokenizer = open_clip.tokenizer.HFTokenizer(
                    str(local),
                    context_length=context_length,
                    tokenizer_mode=self._text_cfg.get("tokenizer_mode"),
                    **kwargs,
                )
            except ImportError as exc:
                raise MissingDependencyError(
                    "Hugging Face tokenizers need transformers: pip install transformers"
                ) from exc
        else:
            self._tokenizer = open_clip.tokenizer.SimpleTokenizer(context_length=context_length, **kwargs)
        return self._tokenizer
