"""``medcite search``: dense search over the index by text or by image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medcite.cli.common import handle_errors, print_json
from rag.config import Settings
from rag.errors import InputError
from rag.imaging.load import load_image
from rag.runtime import Runtime
from rag.search import search_image, search_text


def register(app: typer.Typer) -> None:
    app.command("search")(search)


@handle_errors
def search(
    text: Annotated[str | None, typer.Argument(help="Query text.")] = None,
    image: Annotated[Path | None, typer.Option(help="Query image (PNG, JPEG or DICOM) for similar cases.")] = None,
    domain: Annotated[
        list[str] | None, typer.Option(help="Restrict to a domain, e.g. radiology:chest (repeatable).")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Number of results.")] = 5,
    json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON (schema in README).")] = False,
) -> None:
    """Search guideline passages, reports and case texts by TEXT, or similar cases by --image."""
    if (text is None) == (image is None):
        raise InputError("give either query TEXT or --image FILE (not both, not neither)")
    runtime = Runtime(Settings())
    catalog = runtime.catalog()
    if image is not None:
        if not image.is_file():
            raise InputError(f"{image}: no such file")
        loaded = load_image(image)
        results = search_image(catalog, runtime.image_encoder, loaded.image, k=k, domains=domain)
        query: dict[str, str] = {"image": str(image)}
    else:
        assert text is not None
        results = search_text(catalog, runtime.text_encoder, text, k=k, domains=domain)
        query = {"text": text}
    rows = [result.as_dict(rank) for rank, result in enumerate(results, start=1)]
    if json_output:
        print_json(
            {
                "query": query,
                "k": k,
                "domains": domain or [],
                "index_version": catalog.version,
                "encoders": catalog.encoders,
                "results": rows,
            }
        )
        return
    for row in rows:
        where = row["section"] or row["image"] or ""
        typer.echo(f"{row['rank']:>2}. {row['score']:.3f}  [{row['kind']}/{row['domain']}] {row['id']}  {where}")
        snippet = " ".join(str(row["text"] or "").split())
        typer.echo(f"      {snippet[:160]}{'...' if len(snippet) > 160 else ''}")
