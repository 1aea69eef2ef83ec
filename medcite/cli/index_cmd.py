"""``medcite index build|info|remove``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medcite.cli.common import handle_errors, print_json
from rag.answerer.artifact import summary
from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.errors import IndexMismatchError
from rag.runtime import Runtime
from rag.store.catalog import Catalog, current_version_dir, load_catalog, save_catalog

index_app = typer.Typer(help="Build and inspect the FAISS indexes under indexes/.", no_args_is_help=True)


def _open_or_new(runtime: Runtime, *, with_images: bool, fresh: bool) -> Catalog:
    """The served catalog to update, or a new one; chunking rules must match to update in place."""
    settings = runtime.settings
    chunking = chunking_params(settings.chunk_max_chars)
    if not fresh and current_version_dir(settings.index_dir) is not None:
        catalog = load_catalog(
            settings.index_dir, use_gpu=settings.use_gpu, collection_options=runtime.collection_options()
        )
        if catalog.chunking != chunking:
            raise IndexMismatchError(
                f"the index was chunked with {catalog.chunking}, this build uses {chunking}; "
                "rebuild everything with `medcite index build --fresh ...`"
            )
        return catalog
    image_info = runtime.image_encoder.info if with_images else None
    return new_catalog(runtime.text_encoder.info, image_info, chunking, runtime.collection_options())


@index_app.command("build")
@handle_errors
def build(
    cases: Annotated[list[Path] | None, typer.Option(help="VQA-RAD-style case folder (images/ + JSON).")] = None,
    reports: Annotated[list[Path] | None, typer.Option(help="JSONL report corpus file or folder.")] = None,
    docs: Annotated[list[Path] | None, typer.Option(help="Markdown/text/PDF files or folders.")] = None,
    defaults: Annotated[
        bool, typer.Option(help="Also index the shared datasets that exist (VQA-RAD, ROCO, NCI PDQ).")
    ] = False,
    knowledge: Annotated[bool, typer.Option(help="Index the shipped knowledge/ guidelines.")] = True,
    include_test_qa: Annotated[
        bool, typer.Option(help="Put test-split Q/A text into case texts (leaks answers).")
    ] = False,
    fresh: Annotated[bool, typer.Option(help="Start from an empty index instead of updating the current one.")] = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print the build report as JSON.")] = False,
) -> None:
    """Add or update sources; unchanged sources are skipped, a bad file does not stop the batch."""
    runtime = Runtime(Settings())
    settings = runtime.settings
    case_dirs = list(cases or [])
    report_files = list(reports or [])
    doc_paths = list(docs or [])
    if defaults:
        for path, bucket in (
            (settings.default_cases(), case_dirs),
            (settings.default_reports(), report_files),
            (settings.default_docs(), doc_paths),
        ):
            if path.exists():
                bucket.append(path)
    catalog = _open_or_new(runtime, with_images=bool(case_dirs), fresh=fresh)
    builder = IndexBuilder(
        catalog,
        runtime.text_encoder,
        lambda: runtime.image_encoder,
        max_chars=settings.chunk_max_chars,
        progress=progress,
    )
    if knowledge:
        builder.add_knowledge(settings.knowledge_dir)
    builder.add_documents(doc_paths)
    builder.add_reports(report_files)
    for case_dir in case_dirs:
        builder.add_cases(case_dir, include_test_qa=include_test_qa)
    version = (
        save_catalog(catalog, settings.index_dir, keep_versions=settings.keep_versions)
        if builder.report.changed
        else None
    )
    summary: dict[str, object] = {
        "index_dir": str(settings.index_dir),
        "version": version.name if version else catalog.version,
        "changed": builder.report.changed,
        **builder.report.as_dict(),
    }
    if json_output:
        print_json(summary)
        return
    typer.echo(
        f"index {summary['version']} ({'new version written' if version else 'no change'}) in {settings.index_dir}"
    )
    for key, sources in builder.report.as_dict().items():
        if sources and key in ("added", "updated", "unchanged", "removed"):
            typer.echo(f"  {key}: {', '.join(sources)}")
    typer.echo(f"  duplicates skipped: {len(builder.report.duplicates)}")
    for error in builder.report.errors:
        typer.echo(f"  error: {error}", err=True)


@index_app.command("info")
@handle_errors
def info(json_output: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False) -> None:
    """Show the served index version, its encoders, sources and collections."""
    settings = Settings()
    catalog = load_catalog(settings.index_dir)
    manifest = catalog.manifest()
    answerer = summary(settings.answerer_root())
    if json_output:
        print_json({**manifest, "answerer": answerer})
        return
    typer.echo(f"index {manifest['version']} built {manifest['built_at']} in {settings.index_dir}")
    for role, encoder in manifest["encoders"].items():
        typer.echo(f"  {role} encoder: {encoder['name']} dim={encoder['dim']} version={encoder['version']}")
    typer.echo("  collections:")
    for name, entry in manifest["collections"].items():
        typer.echo(
            f"    {name:<40} {entry['count']:>7} vectors  {entry.get('index_type', '')} {entry.get('device', '')}"
        )
    typer.echo("  sources:")
    for doc_id, entry in manifest["documents"].items():
        typer.echo(f"    {doc_id:<40} {entry['count']:>7} items  {entry['kind']}")
    if answerer is not None:
        training, cv = answerer["training"], answerer["validation"].get("unseen_image_cv", {})
        typer.echo(
            f"  answerer: {answerer['version']} built {answerer['created_at']} on {training.get('item_count')} "
            f"{training.get('split')} items; unseen-image CV closed {cv.get('closed')} open {cv.get('open')}"
        )


@index_app.command("remove")
@handle_errors
def remove(doc_id: Annotated[str, typer.Argument(help="Source id as shown by `medcite index info`.")]) -> None:
    """Delete one source's items and write a new index version."""
    runtime = Runtime(Settings())
    settings = runtime.settings
    catalog = load_catalog(
        settings.index_dir, use_gpu=settings.use_gpu, collection_options=runtime.collection_options()
    )
    catalog.remove_source(doc_id)
    version = save_catalog(catalog, settings.index_dir, keep_versions=settings.keep_versions)
    typer.echo(f"removed {doc_id}; index {version.name}")
