"""``medcite serve``: run the HTTP service with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Start the medcite API on the embedded defaults."""
    import uvicorn

    uvicorn.run("service.app:create_app", factory=True, host=host, port=port)
