"""``medcite ask``: a cited, verified answer to a question about an image and/or guidelines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer

from medcite.cli.common import handle_errors, print_json
from rag.config import Settings
from rag.contracts import Answer, Query
from rag.errors import InputError
from rag.imaging.load import load_image
from rag.pipeline import Pipeline
from rag.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def answerer_line(learned: dict[str, Any]) -> str:
    """The learned answerer's verdict, probability and the risk rule that let it answer or not."""
    threshold, risk = learned["threshold"], learned["risk_control"]
    outcome = "abstained" if learned.get("abstained") else "answered"
    if risk is None:
        rule = "every question answered"
    elif threshold is None:
        rule = "no threshold controls the risk"
    else:
        rule = f"answers at p >= {threshold:.3f} (alpha {risk['alpha']}, delta {risk['delta']})"
    how = " (recalled: this image was asked the same before)" if learned.get("recalled") else ""
    verdict = f"'{learned['answer']}' p={learned['probability']:.3f}{how}"
    return f"answerer {learned['version']}: {verdict}, {outcome}; {rule}"


def render_text(answer: Answer) -> str:
    lines = [f"PRELIMINARY — {answer.answer}"]
    if answer.closed_answer:
        lines.append(f"closed answer: {answer.closed_answer}")
    for citation in answer.citations:
        where = citation.get("section") or (f"page {citation['page']}" if citation.get("page") else "")
        lines.append(f"  [{citation['n']}] {citation['title']} — {where} ({citation['source_id']})")
        lines.append(f'      "{citation["quote"]}"')
    for closest in answer.closest_sources:
        lines.append(f"  closest source [{closest['n']}] {closest['title']} ({closest['source_id']})")
    for removed in answer.removed:
        lines.append(f"  removed: {removed['sentence']} ({removed['reason']})")
    if answer.answerer:
        lines.append(answerer_line(answer.answerer))
    if answer.spelling:
        lines.append("read as: " + ", ".join(f"{fix['from']} -> {fix['to']}" for fix in answer.spelling))
    domain = answer.domain
    lines.append(
        f"domain: {domain['domain'] or 'all'} via {domain['signal']} ({domain['confidence']:.2f}); "
        f"k passages={answer.k['passages']['k']} ({answer.k['passages']['method']}), "
        f"cases={answer.k['cases']['k']}; mode={answer.mode}; {answer.timings['total']:.0f} ms"
    )
    return "\n".join(lines)


def risk_choice(value: str | None) -> Literal["controlled", "all"] | None:
    if value not in (None, "controlled", "all"):
        raise InputError(f"--answerer-risk must be 'controlled' or 'all', not {value!r}")
    return cast(Literal["controlled", "all"] | None, value)


@handle_errors
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    image: Annotated[Path | None, typer.Option(help="PNG, JPEG or DICOM image the question is about.")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain hint, e.g. radiology:chest.")] = None,
    generator: Annotated[str | None, typer.Option(help="extractive | llama-cpp | openai | transformers.")] = None,
    exclude_same_image: Annotated[bool, typer.Option(help="Leave the asked-about image's own case out.")] = False,
    answerer_risk: Annotated[
        str | None, typer.Option(help="Image questions: controlled (abstain at calibrated risk) or all.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the Answer JSON (schema in README).")] = False,
) -> None:
    """Answer with numbered citations that were checked against the retrieved text."""
    loaded = None
    if image is not None:
        if not image.is_file():
            raise InputError(f"{image}: no such file")
        loaded = load_image(image)
    pipeline = Pipeline(Runtime(Settings()))
    query = Query(
        question=question,
        image=loaded.image if loaded else None,
        dicom=dict(loaded.dicom_header) if loaded and loaded.dicom_header else None,
        image_id=image.stem if image else None,
        domain=domain,
        generator=generator,
        exclude_same_image=exclude_same_image,
        answerer_risk=risk_choice(answerer_risk),
    )
    answer = pipeline.answer(query)
    if json_output:
        print_json(answer.to_dict())
    else:
        typer.echo(render_text(answer))
