"""``medcite stage`` and ``medcite stage-eval``: lung TNM staging from the command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from eval.staging import evaluate, format_scores, load_cases
from medcite.cli.common import handle_errors
from rag.config import Settings
from rag.errors import InputError
from rag.generate import create_generator
from rag.staging import stage_findings, stage_jsonl, stage_report
from rag.staging.llm_assistant import ChatBackend, GeneratorExtractionAssistant
from rag.staging.policy import DEFAULT_POLICY

POLICY_HELP = "which findings count: probable (present and probable, default) | present | possible"

CHAT_BACKENDS = ("llama-cpp", "openai")


class OutputFormat(StrEnum):
    json = "json"
    text = "text"


def _json_object(text: str) -> dict[str, Any] | None:
    """Structured findings arrive as one JSON object; anything else is report text."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"the input looks like JSON but does not parse: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(value, dict):
        raise InputError("structured findings must be a JSON object")
    return value


def _assistant(name: str) -> GeneratorExtractionAssistant:
    if name not in CHAT_BACKENDS:
        raise InputError(f"--assist takes one of {sorted(CHAT_BACKENDS)}, not {name!r}")
    backend = create_generator(name, **Settings().generator_options(name))
    return GeneratorExtractionAssistant(cast(ChatBackend, backend))


@handle_errors
def stage(
    file: Annotated[str | None, typer.Argument(help="report text file, or - for stdin")] = None,
    edition: Annotated[str, typer.Option("--edition", "-e", help="TNM edition: 8 or 9")] = "9",
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="json or text")] = OutputFormat.json,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="batch input, one case per line")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="batch output JSONL (with --jsonl)")] = None,
    assist: Annotated[
        str | None, typer.Option("--assist", help="LLM backend that may fill gaps the rules leave: llama-cpp | openai")
    ] = None,
    policy: Annotated[str, typer.Option("--policy", help=POLICY_HELP)] = DEFAULT_POLICY,
) -> None:
    """Stage one CT report (free text, or a findings JSON object), or a JSONL batch with --jsonl IN --out OUT."""
    if jsonl is not None:
        if out is None:
            raise InputError("--jsonl needs --out")
        count = stage_jsonl(jsonl, out, edition, policy=policy)
        typer.echo(f"staged {count} line(s) into {out}", err=True)
        return
    if file is None:
        raise InputError("give a report FILE, '-' for stdin, or --jsonl IN --out OUT")
    if file == "-":
        text = sys.stdin.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise InputError(f"report file not found: {path}")
        text = path.read_text(encoding="utf-8")
    structured = _json_object(text)
    if structured is not None:
        result = stage_findings(structured, edition, policy=policy)
    else:
        result = stage_report(text, edition, assistant=_assistant(assist) if assist else None, policy=policy)
    if output_format is OutputFormat.text:
        typer.echo(result.to_text())
    else:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


@handle_errors
def stage_eval(
    cases: Annotated[Path, typer.Argument(help="labelled cases JSONL (id, report, expected per edition)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the scores as JSON")] = False,
    assist: Annotated[
        str | None, typer.Option("--assist", help="also let an LLM fill the rules' gaps: llama-cpp | openai")
    ] = None,
    policy: Annotated[str, typer.Option("--policy", help=POLICY_HELP)] = DEFAULT_POLICY,
) -> None:
    """Stage every labelled case in both editions; print T, N, M and stage agreement and a stage confusion table."""
    scores = evaluate(load_cases(cases), assistant=_assistant(assist) if assist else None, policy=policy)
    if as_json:
        typer.echo(json.dumps({edition: score.to_dict() for edition, score in scores.items()}, indent=2))
    else:
        typer.echo(format_scores(scores))


def register(app: typer.Typer) -> None:
    """Add the ``stage`` and ``stage-eval`` commands to the medcite CLI."""
    app.command("stage")(stage)
    app.command("stage-eval")(stage_eval)
