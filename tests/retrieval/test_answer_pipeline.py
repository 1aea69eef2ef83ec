"""Pipeline.answer end to end on the shipped knowledge with the extractive generator (real MiniLM)."""

import pytest

from rag.contracts import Query
from rag.errors import InputError
from rag.knowledge import get_passage
from rag.pipeline import Pipeline

pytestmark = pytest.mark.integration

ANSWER_KEYS = {
    "answer",
    "closed_answer",
    "abstained",
    "answerer",
    "spelling",
    "citations",
    "removed",
    "closest_sources",
    "answerability",
    "evidence",
    "domain",
    "k",
    "mode",
    "versions",
    "timings",
    "preliminary",
}


def test_guideline_question_is_answered_with_a_verified_citation(knowledge_pipeline: Pipeline) -> None:
    question = "What T category is a 4.5 cm tumour invading the visceral pleura?"
    answer = knowledge_pipeline.answer(Query(question, generator="extractive"))
    payload = answer.to_dict()
    assert set(payload) == ANSWER_KEYS and payload["preliminary"] is True
    assert not answer.abstained
    assert "T2" in answer.answer
    cited = {c["source_id"] for c in answer.citations}
    assert any(source.startswith("lung-tnm#t-categories/t2") for source in cited), cited
    for citation in answer.citations:
        assert citation["quote"] in get_passage(citation["source_id"]).text
        assert f"[{citation['n']}]" in answer.answer
    assert payload["k"]["passages"]["method"] == "gap-ratio" and 1 <= payload["k"]["passages"]["k"] <= 5
    assert payload["mode"] == "staging-rules"
    assert payload["versions"]["generator"] == {"name": "staging-rules", "version": "1", "edition": "9"}
    assert answer.answer.startswith("T2b (9th edition)")
    assert payload["versions"]["index"].startswith("v-")
    assert payload["evidence"]["passages"] and payload["evidence"]["cases"] == []
    assert payload["timings"]["total"] > 0


@pytest.mark.slow
def test_llama_cpp_writes_the_answer_and_every_sentence_it_writes_is_checked(knowledge_pipeline: Pipeline) -> None:
    """A question the staging rules do not answer, so the packaged SmolLM2 GGUF really writes the answer; what it
    writes is verified like any answer: kept sentences cite retrieved passages verbatim, the rest are removed with
    a reason (the 135M model often loses every sentence, and then the answer abstains with the closest sources)."""
    pytest.importorskip("llama_cpp")
    from rag.errors import MissingDependencyError
    from rag.generate.llama_cpp import default_model_path

    try:
        default_model_path()
    except MissingDependencyError as exc:
        pytest.skip(str(exc))
    answer = knowledge_pipeline.answer(Query("What are Light's criteria?", generator="llama-cpp"))
    assert answer.mode == "generated"
    assert answer.versions["generator"]["name"] == "llama-cpp"
    assert str(answer.versions["generator"]["model"]).endswith(".gguf")
    assert answer.timings["generate"] > 0 and answer.evidence["passages"]
    assert answer.citations or answer.removed, "the model wrote nothing that was checked"
    for citation in answer.citations:
        assert citation["quote"] in get_passage(citation["source_id"]).text
        assert f"[{citation['n']}]" in answer.answer
    if answer.abstained:
        assert answer.removed and all(row["sentence"] and row["reason"] for row in answer.removed)
        assert answer.closest_sources and answer.citations == []
    else:
        assert answer.citations


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What are Light's criteria?", "pleural-effusion#pleural-effusion-imaging/light-s-criteria"),
        (
            "What is the cardiothoracic ratio threshold for cardiomegaly?",
            "chest-radiograph-findings#chest-radiograph-findings-and-signs/cardiothoracic-ratio-and-cardiomegaly",
        ),
    ],
)
def test_extractive_generator_cites_the_answering_passage(
    knowledge_pipeline: Pipeline, question: str, expected: str
) -> None:
    answer = knowledge_pipeline.answer(Query(question, generator="extractive"))
    assert answer.mode == "generated" and not answer.abstained
    assert answer.versions["generator"]["name"] == "extractive"
    assert expected in {c["source_id"] for c in answer.citations}
    for citation in answer.citations:
        assert citation["quote"] in get_passage(citation["source_id"]).text


def test_off_topic_question_abstains_instead_of_guessing(knowledge_pipeline: Pipeline) -> None:
    answer = knowledge_pipeline.answer(
        Query("What is the recommended dose of amoxicillin for otitis media in children?")
    )
    assert answer.abstained
    assert answer.answer.lower().startswith("insufficient evidence")
    assert answer.citations == []
    assert answer.closest_sources and all("source_id" in row for row in answer.closest_sources)


def test_no_retrieval_mode_uses_no_evidence(knowledge_pipeline: Pipeline) -> None:
    answer = knowledge_pipeline.answer(Query("What are Light's criteria?", use_retrieval=False))
    assert answer.mode == "no-retrieval" and answer.evidence == {"passages": [], "cases": []}
    assert answer.k["passages"]["k"] == 0


@pytest.mark.parametrize(("question", "message"), [("   ", "empty"), ("x" * 5000, "limit")])
def test_bad_questions_are_input_errors(knowledge_pipeline: Pipeline, question: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        knowledge_pipeline.answer(Query(question))
