"""Named ablations: each adds the variants that isolate one choice, so one command runs them all."""

from __future__ import annotations

from eval.config import RunConfig, Variant
from eval.items import Kind
from rag.errors import InputError

ABLATIONS = ("rag", "k", "generator", "same-image", "policy")


def default_variants(kind: Kind) -> list[Variant]:
    if kind == "vqa":
        return [
            Variant(name="rag"),
            Variant(name="rag_same_image", exclude_same_image=False),
            Variant(name="no_rag", use_retrieval=False),
        ]
    if kind == "staging":
        return [Variant(name="rules", kind="staging")]
    if kind == "report":
        return [Variant(name="rag"), Variant(name="no_rag", use_retrieval=False)]
    return [Variant(name="rag")]


def ablation_variants(name: str, kind: Kind, generators: list[str]) -> list[Variant]:
    if name == "rag":
        return [Variant(name="rag"), Variant(name="no_rag", use_retrieval=False)]
    if name == "k":
        return [
            Variant(name=f"k_{policy}", settings={"adaptive_k": policy}) for policy in ("fixed", "gap", "calibrated")
        ]
    if name == "generator":
        if len(generators) < 2:
            raise InputError("the generator ablation needs at least two generators (--generator A --generator B)")
        return [Variant(name=f"gen_{g}", generator=g) for g in generators]
    if name == "same-image":
        return [Variant(name="rag"), Variant(name="rag_same_image", exclude_same_image=False)]
    if name == "policy":
        if kind != "staging":
            raise InputError("the policy ablation applies to staging cases")
        return [Variant(name=f"policy_{p}", kind="staging", policy=p) for p in ("probable", "present", "possible")]
    raise InputError(f"unknown ablation {name!r}; choose from {', '.join(ABLATIONS)}")


def resolve_variants(config: RunConfig, kind: Kind) -> list[Variant]:
    """Configured variants (or the defaults for the kind), then each ablation's, then the baselines."""
    chosen = list(config.variants) or ([] if config.ablations else default_variants(kind))
    for ablation in config.ablations:
        chosen.extend(ablation_variants(ablation, kind, config.generators))
    if kind == "staging":
        chosen = [v if v.kind == "staging" else v.model_copy(update={"kind": "staging"}) for v in chosen]
    baselines = (
        config.baselines if config.baselines is not None else (["majority", "question_only"] if kind == "vqa" else [])
    )
    chosen.extend(Variant.model_validate({"name": b, "kind": "baseline", "baseline": b}) for b in baselines)
    unique: dict[str, Variant] = {}
    for variant in chosen:
        if variant.name in unique and unique[variant.name] != variant:
            raise InputError(f"two different variants are named {variant.name!r}")
        unique.setdefault(variant.name, variant)
    return list(unique.values())
