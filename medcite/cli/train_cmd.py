"""``medcite train answerer``: fit the learned image-question answerer on a training split."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.common import handle_errors, print_json
from rag.answerer.artifact import read_manifest
from rag.answerer.data import split_path
from rag.config import Settings
from rag.errors import IndexMismatchError, InputError, NotFoundError
from rag.runtime import Runtime

train_app = typer.Typer(help="Train learned components on a dataset's training split.", no_args_is_help=True)


def _up_to_date(root: Path, data_dir: Path, runtime: Runtime) -> dict[str, Any] | None:
    """The served artifact's manifest when it was trained on this very split file with these encoders."""
    try:
        manifest = read_manifest(root)
    except (NotFoundError, InputError, IndexMismatchError):
        return None
    split_file = split_path(data_dir, "train")
    if not split_file.is_file():
        return None
    same_split = manifest["training"].get("split_sha256") == hashlib.sha256(split_file.read_bytes()).hexdigest()
    encoders = {"text": runtime.text_encoder.info.as_dict(), "image": runtime.image_encoder.info.as_dict()}
    return manifest if same_split and manifest["encoders"] == encoders else None


@train_app.command("answerer")
@handle_errors
def answerer(
    data_dir: Annotated[
        Path | None,
        typer.Option(help="VQA-RAD folder (images/ + mevf_split/); only trainset.json is read (default: shared)."),
    ] = None,
    dataset: Annotated[str, typer.Option(help="Dataset layout; only vqa-rad is supported.")] = "vqa-rad",
    out: Annotated[Path | None, typer.Option(help="Artifact root (default: Settings.answerer_root()).")] = None,
    retrain: Annotated[bool, typer.Option(help="Train even when the served artifact is up to date.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Fit on the train split, calibrate abstention on held-out images, save a new artifact version.

    Skipped when the served artifact was trained on the same split file with the same encoders."""
    from rag.answerer.train import train_answerer

    if dataset != "vqa-rad":
        raise InputError(f"unknown dataset {dataset!r}; expected 'vqa-rad'")
    runtime = Runtime(Settings())
    settings = runtime.settings
    root = out or settings.answerer_root()
    if data_dir is None:
        data_dir = settings.default_cases()
        if not data_dir.is_dir():
            typer.echo(f"no VQA-RAD at {data_dir}; answerer not trained (image questions use the case vote)")
            return
    current = None if retrain else _up_to_date(root, data_dir, runtime)
    if current is not None:
        typer.echo(f"answerer {current['version']} in {root} is up to date with {data_dir}; skipped (--retrain forces)")
        return
    started = time.perf_counter()
    version, _, manifest = train_answerer(
        data_dir,
        root,
        runtime.text_encoder,
        runtime.image_encoder,
        cache_dir=root / "cache",
        alpha=settings.answerer_alpha,
        delta=settings.answerer_delta,
    )
    if json_output:
        print_json({**manifest, "path": str(version)})
        return
    cv = manifest["validation"]["unseen_image_cv"]
    typer.echo(f"answerer {version.name} in {root} ({manifest['training']['item_count']} train items)")
    typer.echo(f"  unseen-image {cv['folds']}-fold CV: closed {cv['closed']:.3f} open {cv['open']:.3f}")
    for head in ("yes-no", "open"):
        risk = manifest["risk"][head]
        typer.echo(
            f"  {head}: threshold {risk['threshold']} coverage {risk['coverage']:.3f} "
            f"wrong-answer rate {risk['risk']:.3f} (alpha {risk['alpha']}, delta {risk['delta']})"
        )
    typer.echo(f"  wall time {time.perf_counter() - started:.1f} s")
