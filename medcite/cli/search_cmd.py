"""``medcite search``: the evidence ``medcite ask`` would use for TEXT (hybrid, reranked), or similar cases by
image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.common import handle_errors, print_json
from rag.config import Settings
from rag.contracts import Query
from rag.errors import InputError
from rag.imaging.load import load_image
from rag.pipeline import Pipeline
from rag.runtime import Runtime
from rag.search import search_image


def _row(rank: int, passage: dict[str, Any]) -> dict[str, Any]:
    """A retrieved passage in the search contract (``score`` is the reranker's relevance)."""
    return {
        "rank": rank,
        "id": passage["id"],
        "score": passage["score"],
        "kind": passage["kind"],
        "domain": passage["domain"],
        "title": passage["title"],
        "section": passage.get("section"),
        "page": passage.get("page"),
        "source": passage["id"].split("#", 1)[0],
        "image": None,
        "text": passage["text"],
    }


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
    if k < 1:
        raise InputError(f"k must be at least 1 (got {k})")
    runtime = Runtime(Settings(adaptive_k="fixed", k_max_passages=k))
    catalog = runtime.catalog()
    if image is not None:
        if not image.is_file():
            raise InputError(f"{image}: no such file")
        loaded = load_image(image)
        results = search_image(catalog, runtime.image_encoder, loaded.image, k=k, domains=domain)
        query: dict[str, str] = {"image": str(image)}
        rows = [result.as_dict(rank) for rank, result in enumerate(results, start=1)]
    else:
        assert text is not None
        if domain and len(domain) > 1:
            raise InputError("text search takes one --domain (the domain routing of `medcite ask`)")
        retrieval = Pipeline(runtime).retrieve(Query(text, domain=domain[0] if domain else None))
        rows = [_row(rank, passage) for rank, passage in enumerate(retrieval.to_dict()["passages"], start=1)]
        query = {"text": text}
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
