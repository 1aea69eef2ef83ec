"""Answer selection pieces called directly: numbers against ranges, question kinds and branches, units,
composition, the feature reranker and the answerability model."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rag.answering.answerability import AnswerabilityModel, Signals, TermStats, proper_names, signals
from rag.answering.compose import ScoredUnit, Unit, compose, render, score_units, units_of, with_second_section
from rag.answering.numbers import Quantity, numeric_fit, quantities, spans
from rag.answering.question import profile
from rag.answering.rerank import Candidate, FeatureReranker, create_reranker, named_tokens
from rag.answering.synonyms import expand
from rag.encoders.hashing import HashingTextEncoder
from rag.errors import InputError
from rag.generate.base import Source

pytestmark = pytest.mark.unit

NODULE_6_8 = (
    "A single solid nodule measuring 6 to 8 mm (100–250 mm³):\n"
    "- Low-risk patient: CT at 6–12 months, then consider CT at 18–24 months.\n"
    "- High-risk patient: CT at 6–12 months, then CT at 18–24 months.\n\n"
    "The choice within each range depends on nodule morphology."
)
NODULE_OVER_8 = "A single solid nodule larger than 8 mm:\n- consider CT at 3 months, PET/CT, or tissue sampling."


@pytest.mark.parametrize(
    ("text", "fit"),
    [
        ("Single solid nodule 6 to 8 mm", 1.0),
        ("Single solid nodule 6–8 mm", 1.0),
        ("A solid nodule larger than 8 mm", -1.0),
        ("Nodules under 6 mm need no follow-up", -1.0),
        ("Nodules of 6 mm or more", 0.6),
        ("Pleural fluid LDH above 200 IU", 0.0),
    ],
)
def test_seven_mm_against_ranges(text: str, fit: float) -> None:
    assert numeric_fit(text, [Quantity(7.0, "mm")]) == fit


def test_an_open_bound_that_holds_beside_bounds_that_miss_is_weak() -> None:
    category_4b = "Solid: 15 mm or more at baseline. Management: PET/CT when the solid nodule is 8 mm or more."
    category_4a = "Solid: 8 to under 15 mm at baseline. Management: LDCT in 3 months; PET/CT may be used."
    ten = [Quantity(10.0, "mm")]
    assert numeric_fit(category_4a, ten) == 1.0
    assert 0.0 < numeric_fit(category_4b, ten) < numeric_fit("Nodules of 8 mm or more", ten) == 0.6


def test_centimetres_and_ratios_are_comparable() -> None:
    assert quantities("a 1.2 cm nodule, LDH ratio 0.65") == [Quantity(12.0, "mm"), Quantity(0.65, "")]
    assert spans("greater than 0.6")[0].contains(Quantity(0.65, ""))
    assert math.isinf(spans("under 6 mm")[0].low)


@pytest.mark.parametrize(
    ("question", "keeps_low", "keeps_high"),
    [
        ("62F 40 pk-yr smoker, incidental 7 mm solid nodule. f/u?", False, True),
        ("Asbestos worker with a 5 mm nodule", False, True),
        ("44F never smoker, 4 mm solid nodule", True, False),
        ("58 yo smoker with a 5 mm nodule", True, True),  # a plain "smoker" names neither risk group
        ("4 mm nodule: follow-up if low risk vs a heavy smoker?", True, True),  # both groups asked
    ],
)
def test_risk_group_read_from_what_defines_it(question: str, keeps_low: bool, keeps_high: bool) -> None:
    asked = profile(expand(question))
    assert asked.conflicts("Low-risk patient: no routine follow-up") is not keeps_low
    assert asked.conflicts("High-risk patient: optional CT at 12 months") is not keeps_high


def test_question_kind_and_branch() -> None:
    question = profile("How should a 7 mm solid pulmonary nodule in a high-risk patient be followed up?")
    assert question.kind == "recommendation" and question.quantities == [Quantity(7.0, "mm")]
    assert question.conflicts("Low-risk patient: CT at 6–12 months") is True
    assert question.conflicts("High-risk patient: CT at 6–12 months") is False
    assert profile("What are Light's criteria?").kind == "list"
    assert profile("How do I tell pleural fluid from ascites on CT?").kind == "comparison"


def test_abbreviations_are_spelled_out_for_matching() -> None:
    assert "thoracentesis" in expand("Pleural tap: LDH ratio 0.65")
    assert "category 4A" in expand("Lung-RADS 4A nodule unchanged at 3 months")
    assert expand("no abbreviation here") == "no abbreviation here"


def test_list_units_keep_their_lead_in_and_branch_filtering() -> None:
    source = Source(1, "nodules#6-8", "Nodules", NODULE_6_8, 0.9, section="Single solid nodule 6 to 8 mm")
    units = units_of(source)
    assert units[0].is_list and units[0].text.startswith("A single solid nodule measuring 6 to 8 mm")
    question = profile("7 mm solid nodule, high-risk patient: follow-up?")
    rendered = render(units[0], question)
    assert "High-risk patient: CT at 6–12 months, then CT at 18–24 months" in rendered
    assert "Low-risk" not in rendered and rendered.endswith("[1].")


def test_composition_takes_the_matching_range_and_one_section() -> None:
    sources = [
        Source(1, "nodules#over-8", "Nodules", NODULE_OVER_8, 0.8, section="Single solid nodule over 8 mm"),
        Source(2, "nodules#6-8", "Nodules", NODULE_6_8, 0.7, section="Single solid nodule 6 to 8 mm"),
    ]
    question = profile("How should a 7 mm solid nodule in a high-risk patient be followed up?")
    chosen = compose(question, score_units(question, sources, HashingTextEncoder(dim=64)), min_score=0.1)
    assert chosen and {s.unit.source.n for s in chosen} == {2}


def test_feature_reranker_prefers_the_range_that_contains_the_number() -> None:
    question = profile(expand("How should a 7 mm solid nodule be followed up?"))
    candidates = [
        Candidate("a", NODULE_OVER_8, "Solid nodules > Single solid nodule over 8 mm", "Fleischner", 0.6),
        Candidate("b", NODULE_6_8, "Solid nodules > Single solid nodule 6 to 8 mm", "Fleischner", 0.6),
    ]
    scored = {s.id: s for s in FeatureReranker().score(question, candidates)}
    assert scored["b"].score > scored["a"].score
    assert scored["b"].features["title_numbers"] == 1.0 and scored["a"].features["title_numbers"] == -1.0


def test_reranker_factory_names() -> None:
    assert create_reranker("none") is None
    assert isinstance(create_reranker("features"), FeatureReranker)
    with pytest.raises(InputError, match="MEDCITE_RERANKER_MODEL_DIR"):
        create_reranker("cross-encoder")
    with pytest.raises(InputError, match="unknown reranker"):
        create_reranker("magic")


def model_prefers(first: Signals, second: Signals) -> bool:
    model = AnswerabilityModel.load()
    return model.probability(first) > model.probability(second)


def test_answerability_signals_and_shipped_model() -> None:
    stats = TermStats.build(["Light's criteria separate exudates from transudates", "Pleural effusion on CT"])
    question = "What are Light's criteria for an exudate?"
    covered = signals(question, ["Light's criteria separate exudates"], 1.2, stats, None, heading="Light's criteria")
    assert covered.coverage == 1.0 and covered.unknown == 0 and covered.heading == 1.0
    elsewhere = signals(question, ["Light's criteria separate exudates"], 1.2, stats, None, heading="Pleural effusion")
    assert elsewhere.heading == 0.0 and model_prefers(covered, elsewhere)
    unknown = signals("What is the metformin dose?", ["Pleural effusion on CT"], 0.3, stats, None, heading="CT")
    assert unknown.coverage == 0.0 and unknown.unknown >= 1 and unknown.heading == 0.0
    model = AnswerabilityModel.load()
    assert model.probability(covered) > model.threshold > model.probability(unknown)


def test_answerability_model_round_trip(tmp_path: Path) -> None:
    model = AnswerabilityModel([1.0, 2.0, -1.0, 0.5], -2.0, 0.5, fitted_on="test")
    model.save(tmp_path / "model.json")
    assert AnswerabilityModel.load(tmp_path / "model.json") == model
    assert 0.0 < model.probability(Signals(1.0, 0.5, 0, 0.2)) < 1.0
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(InputError, match="answerability model"):
        AnswerabilityModel.load(tmp_path / "bad.json")
    # A model fitted before the heading signal existed is refused with what to do, not silently misread.
    older = AnswerabilityModel([1.0, 2.0, -1.0], -2.0, 0.5, fitted_on="three signals")
    older.save(tmp_path / "older.json")
    with pytest.raises(
        InputError, match=r"3 coefficients.*relevance, coverage, unknown, heading.*calibrate-answerability"
    ):
        AnswerabilityModel.load(tmp_path / "older.json")


def _scored(n: int, score: float, match: float, position: int = 0) -> ScoredUnit:
    source = Source(n, f"doc#s{n}", "Doc", f"Passage {n} text.", 0.5, section=f"Section {n}")
    return ScoredUnit(Unit(source, position, f"Passage {n} text.", False), score, match)


def test_a_second_section_that_matches_nearly_as_well_joins_the_answer() -> None:
    best, close, home_extra = _scored(1, 1.0, 0.80), _scored(2, 0.85, 0.70), _scored(1, 0.7, 0.6, position=1)
    ranked = [best, close, home_extra]
    chosen = with_second_section([best, home_extra], ranked, best)
    assert [s.unit.source.n for s in chosen] == [1, 1, 2]


def test_a_weak_or_distant_second_section_stays_out() -> None:
    best = _scored(1, 1.0, 0.80)
    weak = _scored(2, 0.6, 0.50)
    assert with_second_section([best], [best, weak], best) == [best]
    distant = _scored(4, 0.9, 0.79)
    filler = [_scored(2, 0.2, 0.1), _scored(3, 0.2, 0.1)]
    assert with_second_section([best], [best, distant, *filler], best) == [best]


def test_the_home_section_is_read_first_even_when_the_second_matches_better() -> None:
    # The rank bonus made passage 1 the home; passage 2 matches the question a little better on its own.
    best, better_match = _scored(1, 1.0, 0.70), _scored(2, 0.95, 0.75)
    chosen = with_second_section([best], [best, better_match], best)
    assert [s.unit.source.n for s in chosen] == [1, 2]


def test_proper_names_are_words_the_knowledge_writes_capitalised() -> None:
    texts = [
        "Follow the Fleischner Society advice. " + "Lung-RADS category. " * 9,
        "The Fleischner rules differ; a dose of 85 rads was once common. Fleischner again.",
        "Lung nodules are common; the lung is examined. Solid nodules. Nodules in the lung. Society.",
    ]
    names = proper_names(texts)
    # "RADS" nine times in ten with a capital (once a unit of dose) is a name; "lung" and "nodules" are written
    # in lower case too; "Society" is used only twice.
    assert names == {"fleischner", "rads"}
    assert "rads" not in proper_names([*texts, "rads rads"])


def test_a_lower_case_name_still_names_its_document() -> None:
    question = "per fleischner, how is a 7 mm nodule followed?"
    assert "fleischner" not in named_tokens(question)
    assert "fleischner" in named_tokens(question, frozenset({"fleischner"}))
    candidates = [
        Candidate("a", "Nodules are measured on thin sections.", "Nodule measurement", "Lung-RADS v2022", 0.6),
        Candidate("b", "Nodules are measured on thin sections.", "Nodule measurement", "Fleischner follow-up", 0.6),
    ]
    plain = {s.id: s for s in FeatureReranker().score(profile(question), candidates)}
    named = {s.id: s for s in FeatureReranker(names=frozenset({"fleischner"})).score(profile(question), candidates)}
    assert plain["b"].features["document_named"] == 0.0
    assert named["b"].features["document_named"] == 1.0 and named["a"].features["document_named"] == 0.0
    assert named["b"].score > named["a"].score


def test_spelled_out_abbreviations_name_no_document() -> None:
    # "NSCLC" spells out as "non-small cell lung cancer"; "Non-Small" is how a document title writes it, but the
    # author named no document.
    names = frozenset({"non", "small", "fleischner"})
    question = "R sided NSCLC, nodes at 4R and 7: N2a or N2b?"
    assert named_tokens(expand(question), names, question) == {"nsclc"}
    typed = "non-small cell per fleischner?"
    assert named_tokens(typed, names, typed) == {"non", "small", "fleischner"}
