"""How a question is read before retrieval: typo repair, bounded numbers, nodule-type branches, and how
composed units are split into cited sentences."""

from __future__ import annotations

import pytest

from rag.answering.answerability import TermStats, signals
from rag.answering.compose import render, units_of
from rag.answering.numbers import numeric_fit, quantities
from rag.answering.question import profile
from rag.answering.spelling import Speller
from rag.cite.sentences import parse_markers, split_sentences
from rag.generate.base import Source
from rag.ingest.blocks import passage_units

pytestmark = pytest.mark.unit

KNOWLEDGE = [
    "Light's criteria classify a pleural effusion as an exudate. Pleural effusion on ultrasound.",
    "A pleural effusion is common. Criteria for pleural disease. Station 4R is a mediastinal station.",
    "Manage the nodule; nodules are managed by size.",
]


class Pieces:
    """Word pieces as a WordPiece tokenizer would count them for these words."""

    def word_pieces(self, word: str) -> int:
        return {"statin": 2, "manage": 1}.get(word, 3)


def test_typos_of_knowledge_words_are_repaired_and_reported() -> None:
    speller = Speller(KNOWLEDGE, Pieces())
    text, repairs = speller.correct("What are Light's cirteria for a pleuarl efusion?")
    assert text == "What are Light's criteria for a pleural effusion?"
    assert [(r.original, r.corrected) for r in repairs] == [
        ("cirteria", "criteria"),
        ("pleuarl", "pleural"),
        ("efusion", "effusion"),
    ]
    assert speller.correct("Pleuarl tap")[0] == "Pleural tap"  # sentence-initial capital is kept


@pytest.mark.parametrize(
    "question",
    [
        "When should a statin be started?",  # a real word the encoder knows, one edit from "station"
        "How do I manage it?",  # another form of "managed"
        "What is the Scadding stage?",  # a capitalised eponym inside the sentence
        "Metformin dose?",  # nothing close in the knowledge
    ],
)
def test_real_words_are_left_alone(question: str) -> None:
    assert Speller(KNOWLEDGE, Pieces()).correct(question) == (question, [])


def test_ambiguous_repairs_are_not_guessed() -> None:
    speller = Speller(["pleura pleura pleural pleural"])
    assert speller.suggest("pleurl") is None  # "pleura" and "pleural" are equally likely


def test_bounded_question_numbers_meet_only_the_matching_branch() -> None:
    under = quantities("tiny nodule, well under 6 mm")
    assert numeric_fit("Single solid nodule under 6 mm", under) > 0
    assert numeric_fit("Single solid nodule 6 to 8 mm", under) == -1.0
    over = quantities("a little over 6 mm")
    assert numeric_fit("Single solid nodule 6 to 8 mm", over) == 1.0
    assert numeric_fit("Single solid nodule under 6 mm", over) == -1.0


def test_solid_component_does_not_make_a_part_solid_nodule_solid() -> None:
    question = profile("Persistent part-solid nodule whose solid component has reached 6 mm - what now?")
    assert question.conflicts("Single solid nodule 6 to 8 mm")
    assert not question.conflicts("Single part-solid nodule")
    baseline = profile("Baseline screening CT: 10 mm solid nodule. Lung-RADS?")
    assert baseline.on_branch("Solid: 15 mm or more at baseline; or new or growing and 8 mm or more") == (
        "Solid: 15 mm or more at baseline;"
    )


def test_units_split_where_the_verifier_splits() -> None:
    text = "Volume can be estimated. One rule (Balik et al. 2006) is volume ≈ 20 × separation."
    assert [unit for unit, _ in passage_units(text)] == [span.text for span in split_sentences(text)]
    assert len(passage_units(text)) == 2


def test_every_sentence_of_a_rendered_list_is_cited() -> None:
    text = (
        "Four CT signs help tell them apart.\n\n"
        "- Diaphragm sign: fluid outside the diaphragm is pleural.\n"
        "- Interface sign: the border is sharp. The border with pleural fluid is hazy."
    )
    source = Source(3, "pe#ascites", "Pleural effusion", text, 0.9, section="Pleural fluid versus ascites on CT")
    rendered = " ".join(render(unit, profile("How do I tell pleural fluid from ascites?")) for unit in units_of(source))
    sentences = split_sentences(rendered)
    assert len(sentences) >= 3
    assert all(parse_markers(span.text) and parse_markers(span.text)[-1].numbers == (3,) for span in sentences)


def test_a_named_system_the_knowledge_never_mentions_counts_as_unknown() -> None:
    stats = TermStats.build(["Lung-RADS category 4A: a solid nodule of 8 to under 15 mm. PET/CT may be considered."])
    passages = ["Lung-RADS category 4A: a solid nodule of 8 to under 15 mm."]
    assert signals("TI-RADS 4 nodule?", passages, 1.0, stats, Pieces()).unknown == 1
    assert signals("Lung-RADS 4A nodule: PET-CT?", passages, 1.0, stats, Pieces()).unknown == 0
    assert signals("Solid-nodule category?", passages, 1.0, stats, Pieces()).unknown == 0  # known parts


def test_glued_tnm_notation_is_not_an_unknown_term() -> None:
    """ "T3N0" and "cT2aN1M0" are the standard's own notation; the knowledge writes them apart ("T3 N0")."""
    stats = TermStats.build(["T3 N0 M0 is stage IIB. Superior sulcus tumours are treated with chemoradiation."])
    passages = ["T3 N0 M0 is stage IIB."]
    assert signals("Pancoast T3N0 tumour treated?", passages, 1.0, stats, Pieces()).unknown == 1  # Pancoast only
    assert signals("cT2aN1M0 superior sulcus tumour?", passages, 1.0, stats, Pieces()).unknown == 0
