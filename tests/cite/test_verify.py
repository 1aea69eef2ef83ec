"""verify_answer: what a generator writes is only shown when the retrieved sources back it."""

from __future__ import annotations

import pytest

from rag.cite import ABSTAIN_TEXT, CitationConfig, closed_answer, verify_answer
from rag.encoders.hashing import HashingTextEncoder
from rag.errors import InputError
from rag.generate.base import Source

pytestmark = pytest.mark.unit

SUPPORTED = "A pleural effusion is an abnormal collection of fluid in the pleural space [1]."


def test_fabricated_citations_cannot_be_emitted(sources: list[Source]) -> None:
    retrieved = sources[:2]
    text = (
        f"{SUPPORTED} Effusions are always malignant [7]. "
        'The guideline states that "every effusion must be drained within 24 hours" [1].'
    )
    result = verify_answer(text, retrieved, encoder=HashingTextEncoder(), config=CitationConfig())
    reasons = {r.sentence: r.reason for r in result.removed}
    assert reasons["Effusions are always malignant [7]."] == "cites a source that was not retrieved ([7])"
    made_up = 'The guideline states that "every effusion must be drained within 24 hours" [1].'
    assert reasons[made_up].startswith("quote not found verbatim in [1]")
    assert result.fabricated == [7]
    assert [c.n for c in result.citations] == [1]
    assert all("drained" not in c.quote and "malignant" not in c.quote for c in result.citations)
    assert "[7]" not in result.answer and "drained" not in result.answer
    assert result.answer == SUPPORTED
    assert result.supported_fraction == pytest.approx(1 / 3, abs=1e-3)


def test_supported_sentence_kept_with_verbatim_quote(sources: list[Source]) -> None:
    text = "Small effusions blunt the costophrenic angle on chest radiographs [1]."
    result = verify_answer(text, sources, encoder=None)
    assert not result.abstained and result.removed == []
    (citation,) = result.citations
    assert citation.quote in sources[0].text
    assert citation.quote == "Small effusions blunt the costophrenic angle on upright chest radiographs."
    assert (citation.source_id, citation.section, citation.page) == ("effusion-101", "Definition", 3)
    assert citation.lexical >= CitationConfig().min_lexical and citation.cosine is None
    assert set(citation.as_dict()) >= {"n", "source_id", "title", "section", "page", "quote", "score"}


def test_unsupported_sentence_removed(sources: list[Source]) -> None:
    text = f"{SUPPORTED} The patient has a fractured femur [1]."
    result = verify_answer(text, sources, encoder=HashingTextEncoder())
    assert result.answer == SUPPORTED
    assert [(r.sentence, r.reason) for r in result.removed] == [
        ("The patient has a fractured femur [1].", "not supported by [1]")
    ]


def test_uncited_sentence_removed(sources: list[Source]) -> None:
    result = verify_answer(f"Effusions are fluid collections. {SUPPORTED}", sources)
    assert [(r.sentence, r.reason) for r in result.removed] == [("Effusions are fluid collections.", "no citation")]


def test_everything_removed_abstains_with_closest_sources(sources: list[Source]) -> None:
    text = "The patient has a fractured femur [1]. It needs surgery [9]. Nothing cited here."
    result = verify_answer(text, sources, encoder=HashingTextEncoder())
    assert result.abstained and result.answer == ABSTAIN_TEXT
    assert result.citations == [] and len(result.removed) == 3
    assert [s["source_id"] for s in result.closest_sources] == ["effusion-101", "tnm8-t", "tnm8-m"]
    assert result.closest_sources[0]["title"] == "Pleural effusion basics"
    assert closed_answer("Is the femur fractured?", result) is None


@pytest.mark.parametrize("text", ["INSUFFICIENT EVIDENCE", "insufficient evidence: nothing on femurs [1].", "  "])
def test_generator_abstention_is_honoured(sources: list[Source], text: str) -> None:
    result = verify_answer(text, sources)
    assert result.abstained and result.answer == ABSTAIN_TEXT and result.citations == []


def test_quote_checked_case_and_whitespace_insensitively(sources: list[Source]) -> None:
    text = "The rule reads “invading the   Visceral pleura” for T2 tumours [2]."
    result = verify_answer(text, sources)
    assert not result.abstained and [c.n for c in result.citations] == [2]


def test_unsupported_and_fabricated_markers_dropped_from_kept_sentence(sources: list[Source]) -> None:
    text = "A T2 tumour is more than 3 cm but not more than 5 cm [1, 2][8]."
    result = verify_answer(text, sources)
    assert result.answer == "A T2 tumour is more than 3 cm but not more than 5 cm [2]."
    assert result.fabricated == [8]
    assert {(d.n, d.reason) for d in result.dropped_markers} == {
        (1, "not supported by [1]"),
        (8, "cites a source that was not retrieved"),
    }


@pytest.mark.parametrize("markers", ["[1, 2]", "[1][2]", "[1-2]"])
def test_multi_source_marker_formats(sources: list[Source], markers: str) -> None:
    text = f"Fluid in the pleural space is an effusion; tumours invading the visceral pleura are T2 {markers}."
    result = verify_answer(text, sources, config=CitationConfig(min_lexical=0.4))
    assert [c.n for c in result.citations] == [1, 2]
    assert all(c.quote in sources[c.n - 1].text for c in result.citations)


def test_cosine_is_reported_with_an_encoder(sources: list[Source]) -> None:
    result = verify_answer(SUPPORTED, sources, encoder=HashingTextEncoder())
    assert result.citations[0].cosine == pytest.approx(1.0, abs=1e-3)


def test_closed_answer_reads_kept_verdict(sources: list[Source]) -> None:
    kept = verify_answer(f"Yes. {SUPPORTED}", sources)
    assert kept.answer.startswith("Yes. ") and closed_answer("Is this an effusion?", kept) == "yes"
    assert closed_answer("What is an effusion?", kept) is None
    negative = verify_answer("No, M0 means no distant metastasis [3].", sources)
    assert closed_answer("Are there distant metastases in M0?", negative) == "no"
    dropped = verify_answer(f"No. The patient has a fractured femur [1]. {SUPPORTED}", sources)
    assert closed_answer("Is the femur fractured?", dropped) is None
    assert ("No.", "yes/no verdict without a supported sentence after it") in [
        (r.sentence, r.reason) for r in dropped.removed
    ]


def test_duplicate_source_numbers_rejected(sources: list[Source]) -> None:
    with pytest.raises(InputError, match="unique"):
        verify_answer(SUPPORTED, [sources[0], sources[0]])


def test_empty_source_supports_nothing(sources: list[Source]) -> None:
    empty = Source(4, "blank", "Blank page", "  ", 0.1)
    result = verify_answer("Fluid collects in the pleural space [4].", [*sources, empty], encoder=HashingTextEncoder())
    assert result.abstained and result.removed[0].reason == "not supported by [4]"
