"""ExtractiveGenerator: verbatim source sentences with their [n], so verification never has to remove any."""

from __future__ import annotations

import pytest

from rag.cite import ABSTAIN_TEXT, INSUFFICIENT_EVIDENCE, closed_answer, verify_answer
from rag.encoders.base import TextEncoder
from rag.encoders.hashing import HashingTextEncoder
from rag.generate import GenerationRequest, Source, create_generator
from rag.generate.extractive import ExtractiveGenerator, yes_no_verdict

T_PASSAGE = (
    "T1: tumour 3 cm or less in greatest dimension, surrounded by lung or visceral pleura. "
    "T2: tumour more than 3 cm but not more than 5 cm, or invading the visceral pleura, or involving the main "
    "bronchus regardless of distance to the carina. T3: tumour more than 5 cm but not more than 7 cm, or "
    "separate tumour nodule(s) in the same lobe."
)
N_PASSAGE = (
    "N0: no regional lymph node metastasis. N1: metastasis in ipsilateral peribronchial and/or hilar lymph "
    "nodes and intrapulmonary nodes. N2: metastasis in ipsilateral mediastinal and/or subcarinal lymph nodes [14]."
)
M_PASSAGE = (
    "M0: no distant metastasis. M1a: separate tumour nodule(s) in a contralateral lobe, pleural or pericardial "
    "nodules, or malignant pleural or pericardial effusion. M1b: single extrathoracic metastasis in a single organ."
)
T_QUESTION = "What T category is a 4.5 cm tumour invading the visceral pleura?"
OFF_TOPIC = "How is diabetes insipidus treated in children?"


@pytest.fixture
def guideline() -> list[Source]:
    return [
        Source(1, "tnm8-t", "TNM 8th edition: T category", T_PASSAGE, 0.71, section="Lung > T", page=4),
        Source(2, "tnm8-n", "TNM 8th edition: N category", N_PASSAGE, 0.52, section="Lung > N", page=5),
        Source(3, "tnm8-m", "TNM 8th edition: M category", M_PASSAGE, 0.48, section="Lung > M", page=5),
    ]


def _check_t_answer(encoder: TextEncoder, sources: list[Source]) -> None:
    generation = ExtractiveGenerator(encoder).generate(GenerationRequest(T_QUESTION, sources))
    assert "T2: tumour more than 3 cm but not more than 5 cm, or invading the visceral" in generation.text
    verified = verify_answer(generation.text, sources, encoder=encoder)
    assert verified.removed == [] and not verified.abstained and verified.supported_fraction == 1.0
    assert verified.citations[0].n == 1 and verified.citations[0].quote in T_PASSAGE
    [t2] = [s for s in verified.sentences if "T2:" in s.text]
    assert [(c.n, "T2:" in c.quote) for c in t2.citations] == [(1, True)]


@pytest.mark.unit
def test_t_question_cites_t_passage_and_passes_verification(guideline: list[Source]) -> None:
    _check_t_answer(HashingTextEncoder(), guideline)


@pytest.mark.unit
def test_off_topic_question_abstains(guideline: list[Source]) -> None:
    encoder = HashingTextEncoder()
    generation = ExtractiveGenerator(encoder).generate(GenerationRequest(OFF_TOPIC, guideline))
    assert generation.text == INSUFFICIENT_EVIDENCE
    verified = verify_answer(generation.text, guideline, encoder=encoder)
    assert verified.abstained and verified.answer == ABSTAIN_TEXT
    assert [s["source_id"] for s in verified.closest_sources] == ["tnm8-t", "tnm8-n", "tnm8-m"]


@pytest.mark.unit
def test_deterministic(guideline: list[Source]) -> None:
    request = GenerationRequest(T_QUESTION, guideline)
    first = ExtractiveGenerator(HashingTextEncoder()).generate(request)
    second = ExtractiveGenerator(HashingTextEncoder()).generate(request)
    assert first == second


@pytest.mark.unit
def test_literature_references_in_sources_never_become_citations(guideline: list[Source]) -> None:
    question = "Which lymph node metastasis is N2, mediastinal or subcarinal?"
    generation = ExtractiveGenerator(HashingTextEncoder(), max_sentences=1).generate(
        GenerationRequest(question, guideline)
    )
    assert generation.text == ("N2: metastasis in ipsilateral mediastinal and/or subcarinal lymph nodes [2].")


@pytest.mark.unit
def test_closed_question_gets_verdict_only_when_clear(guideline: list[Source]) -> None:
    encoder = HashingTextEncoder()
    request = GenerationRequest("Is there distant metastasis in M0?", guideline, closed=True)
    generation = ExtractiveGenerator(encoder, max_sentences=1).generate(request)
    assert generation.text == "No. M0: no distant metastasis [3]."
    verified = verify_answer(generation.text, guideline, encoder=encoder)
    assert verified.removed == [] and closed_answer(request.question, verified) == "no"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "evidence", "verdict"),
    [
        ("Is there a pleural effusion?", "Small left pleural effusion.", "Yes"),
        ("Is there a pleural effusion?", "No pleural effusion is seen.", "No"),
        ("Is there a pleural effusion?", "Lungs are clear, without pleural effusion.", "No"),
        ("Is there a pleural effusion?", "Possible small pleural effusion.", None),
        ("Is there a pleural effusion?", "The heart size is normal.", None),
        ("Is there no pleural effusion?", "No pleural effusion is seen.", None),
        (
            "Is a tumour invading the visceral pleura T2?",
            "T2: tumour more than 3 cm but not more than 5 cm, or invading the visceral pleura.",
            "Yes",
        ),
        ("Is the mass abutting the pleura?", "Mass abutting but not invading the pleura.", None),
        ("Is the pleura invaded?", "Mass abutting but not invading the pleura.", "No"),
        ("Is a 4 cm tumour T2?", "T2: tumour more than 3 cm but not more than 5 cm.", None),  # no arithmetic
    ],
)
def test_yes_no_verdict(question: str, evidence: str, verdict: str | None) -> None:
    assert yes_no_verdict(question, evidence) == verdict


@pytest.mark.unit
def test_registry_and_info() -> None:
    generator = create_generator("extractive", encoder=HashingTextEncoder())
    assert isinstance(generator, ExtractiveGenerator)
    assert generator.info == {"name": "extractive", "model": "hashing", "version": "2"}


@pytest.mark.integration
def test_with_packaged_minilm(guideline: list[Source]) -> None:
    generator = ExtractiveGenerator()  # lazily loads the packaged all-MiniLM-L6-v2
    encoder = generator._get_encoder()
    assert generator.info["model"] == "sentence-transformers:all-MiniLM-L6-v2"
    _check_t_answer(encoder, guideline)
    assert "[2]" not in generator.generate(GenerationRequest(T_QUESTION, guideline)).text
    assert generator.generate(GenerationRequest(OFF_TOPIC, guideline)).text == INSUFFICIENT_EVIDENCE
