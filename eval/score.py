"""Per-item scores from one answer (the ``Answer.to_dict()`` contract): the row a run stores for each task.

Rows hold everything the figures need (correctness, citation checks, k, evidence, timings), so metrics and
reports are computed from the run folder alone, without the index or the models.
"""

from __future__ import annotations

from typing import Any

from eval.guideline import GuidelineItem, score_answer
from eval.items import EvalItem
from eval.metrics.text import exact_match, rouge_l, sentence_bleu, strip_citations, token_f1, token_recall
from rag.cite.sentences import split_sentences

EVIDENCE_CHARS = 300
ANSWER_CHARS = 1500


def _citation_checks(answer: dict[str, Any]) -> tuple[int, int]:
    """(citations, valid ones): valid when the cited number is a retrieved source with that id and the quote
    is verbatim in that source's text."""
    evidence = {row["n"]: row for rows in answer.get("evidence", {}).values() for row in rows}
    valid = 0
    for citation in answer.get("citations", []):
        source = evidence.get(citation.get("n"))
        quote = str(citation.get("quote") or "")
        if source is not None and source.get("id") == citation.get("source_id") and quote in str(source.get("text")):
            valid += 1
    return len(answer.get("citations", [])), valid


def _evidence(answer: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [*answer.get("evidence", {}).get("passages", []), *answer.get("evidence", {}).get("cases", [])]
    return [
        {
            "n": row.get("n"),
            "id": row.get("id"),
            "kind": row.get("kind"),
            "domain": row.get("domain"),
            "score": row.get("score"),
            "title": row.get("title"),
            "text": str(row.get("text", ""))[:EVIDENCE_CHARS],
        }
        for row in rows
    ]


def _k(answer: dict[str, Any], which: str) -> int | None:
    value = answer.get("k", {}).get(which, {})
    return int(value["k"]) if isinstance(value, dict) and "k" in value else None


def answer_row(task: dict[str, Any], item: EvalItem, answer: dict[str, Any]) -> dict[str, Any]:
    text = str(answer.get("answer", ""))
    abstained = bool(answer.get("abstained"))
    citations, valid = _citation_checks(answer)
    kept = 0 if abstained else len(split_sentences(text))
    scores = [float(c.get("score") or 0.0) for c in answer.get("citations", [])]
    learned = answer.get("answerer") or {}
    confidence = None if abstained else (max(scores) if scores else 0.0)
    row: dict[str, Any] = {
        "answer": text[:ANSWER_CHARS],
        "closed_answer": answer.get("closed_answer"),
        "abstained": abstained,
        "mode": answer.get("mode"),
        "generator": answer.get("versions", {}).get("generator", {}).get("name"),
        "index": answer.get("versions", {}).get("index"),
        "citations": citations,
        "citations_valid": valid,
        "removed": len(answer.get("removed", [])),
        "sentences": kept,
        # The learned answerer's own answer and probability, when it answered (open questions score on it).
        "short_answer": None if abstained or not learned else learned.get("answer"),
        "confidence": learned.get("probability", confidence) if learned and not abstained else confidence,
        "k_passages": _k(answer, "passages"),
        "k_cases": _k(answer, "cases"),
        "k_method": answer.get("k", {}).get("cases", {}).get("method")
        or answer.get("k", {}).get("passages", {}).get("method"),
        "domain": answer.get("domain", {}).get("domain"),
        "evidence": _evidence(answer),
        "timings": answer.get("timings", {}),
    }
    row.update(item_scores(task, item, row))
    if item.kind == "guideline":
        row["guideline"] = score_answer(GuidelineItem(**item.payload["item"]), answer)
        row["correct"] = float(row["guideline"]["correct"])
    return row


def item_scores(task: dict[str, Any], item: EvalItem, row: dict[str, Any]) -> dict[str, Any]:
    """Correctness of a prediction against the task's gold answer (baselines go through here too)."""
    gold = str(task["gold"])
    if item.kind == "vqa" and item.answer_type == "closed" and gold in ("yes", "no"):
        predicted = row.get("closed_answer")
        return {"prediction": predicted, "answered": predicted is not None, "correct": float(predicted == gold)}
    said = "" if row.get("abstained") else (row.get("short_answer") or strip_citations(str(row.get("answer", ""))))
    scores: dict[str, Any] = {
        "prediction": said,
        "answered": bool(said),
        "em": exact_match(said, gold),
        "recall": token_recall(said, gold),
        "f1": token_f1(said, gold),
    }
    if item.kind == "vqa":
        # A closed question with options ("left or right?") is right when the answer opens with the gold option.
        scores["correct"] = float(bool(gold) and (scores["em"] == 1.0 or said.lower().startswith(gold)))
    if item.kind == "report":
        scores["bleu"] = sentence_bleu(said, gold) if said else 0.0
        scores["rouge_l"] = rouge_l(said, gold) if said else 0.0
    return scores


def baseline_row(task: dict[str, Any], item: EvalItem) -> dict[str, Any]:
    prediction = str(task.get("prediction") or "")
    closed = prediction if prediction in ("yes", "no") else None
    row: dict[str, Any] = {
        "answer": prediction,
        "closed_answer": closed,
        "abstained": not prediction,
        "mode": "baseline",
    }
    row.update(item_scores(task, item, row))
    return row
