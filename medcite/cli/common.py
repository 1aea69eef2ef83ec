"""Helpers every CLI command shares: settings, runtime, error reporting, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer

from rag.errors import IndexMismatchError, InputError, MedciteError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INPUT = 2
EXIT_INDEX = 3


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn medcite errors into one line on stderr and a distinct exit code, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from exc
        except (IndexMismatchError, MedciteError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INDEX) from exc

    return wrapper


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
