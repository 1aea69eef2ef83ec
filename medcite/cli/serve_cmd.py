"""``medcite serve`` (the HTTP service with uvicorn) and ``medcite api-key`` (a new key and its hash)."""

from __future__ import annotations

import json
import os
import secrets
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("api-key")(api_key)


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes; model threads are shared out between them.")
    ] = 1,
) -> None:
    """Serve the API and the web page on the embedded defaults.

    Auth is off until MEDCITE_API_KEYS is set; Redis (answer cache, rate limits) is used when
    MEDCITE_REDIS_URL is set. Every setting is a MEDCITE_* environment variable.
    """
    import uvicorn

    os.environ["MEDCITE_WORKERS"] = str(workers)  # each worker's create_app() reads it to size its threads
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,  # the app logs JSON lines itself
        access_log=False,
    )


def api_key(
    key_id: Annotated[str, typer.Argument(help="Name of the key in logs and audit, e.g. pacs-gateway.")],
    write: Annotated[bool, typer.Option(help="Also allow adding and deleting documents.")] = False,
) -> None:
    """Print a new random API key once, and the MEDCITE_API_KEYS entry that stores only its SHA-256."""
    from service.settings import ApiKey, hash_key

    key = secrets.token_urlsafe(32)
    entry = ApiKey(id=key_id, sha256=hash_key(key), scopes=("read", "write") if write else ("read",))
    typer.echo(f"key (give it to the client; it is not stored anywhere): {key}")
    typer.echo(f"MEDCITE_API_KEYS entry: {json.dumps(entry.model_dump(exclude={'key'}, mode='json'))}")
