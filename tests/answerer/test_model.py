"""The answerer's model on synthetic vectors: named attributes meet the image, known images recall answers."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answerer.attributes import named_values
from rag.answerer.data import QAItem
from rag.answerer.model import MIN_RECALL_PAIRS, Inputs, ModelConfig, fit

pytestmark = pytest.mark.unit

IMAGES = 40


@pytest.mark.parametrize(
    ("question", "attribute", "value"),
    [
        ("Is this an MRI?", "modality", "MRI"),
        ("Was this taken with a CT scanner?", "modality", "CT"),
        ("Is the liver enlarged?", "organ", "ABD"),
        ("Are the lungs hyperinflated?", "organ", "CHEST"),
        ("Is this an axial image?", "plane", "axial"),
        ("Was IV contrast given?", "contrast", "with"),
        ("Is there a mass?", "modality", None),
    ],
)
def test_a_question_names_the_attribute_values_it_asks_about(question: str, attribute: str, value: str | None) -> None:
    assert named_values(question)[attribute] == value


def _synthetic() -> tuple[list[QAItem], Inputs, np.ndarray, np.ndarray]:
    """Each image is asked "is there an effusion?" twice (same vector, the image's own answer) and its organ."""
    rng = np.random.default_rng(0)
    effusion, organ_question = rng.normal(size=16), rng.normal(size=16)
    image_vectors = rng.normal(size=(IMAGES, 32))
    answers = rng.choice(["yes", "no"], IMAGES)
    items, questions, images = [], [], []
    for i in range(IMAGES):
        organ = "CHEST" if i % 2 else "HEAD"
        for n, (text, vector, answer, kind) in enumerate(
            [
                ("Is there an effusion?", effusion, answers[i], "CLOSED"),
                ("Is there a pleural effusion?", effusion, answers[i], "CLOSED"),
                ("What organ is shown?", organ_question, organ.lower(), "OPEN"),
            ]
        ):
            items.append(QAItem(f"{i}-{n}", f"img{i}.png", text, answer, kind, "PRES", "freeform", organ))
            questions.append(vector + rng.normal(scale=0.01, size=16))
            images.append(image_vectors[i])
    return items, Inputs.of(items, np.stack(questions), np.stack(images)), effusion, image_vectors


def test_a_known_image_asked_the_same_question_again_gets_its_earlier_answer() -> None:
    items, inputs, effusion, image_vectors = _synthetic()
    model = fit(items, inputs, ModelConfig(folds=2))
    # Each training question, left out, is answered by its twin: right every time.
    assert model.recall_precision["yes-no"] == 1.0 and IMAGES >= MIN_RECALL_PAIRS
    asked = Inputs(["Is there an effusion here?"] * 2, np.stack([effusion, effusion]), image_vectors[:2],
                   [None, None], np.array([True, True]))  # fmt: skip
    predictions = model.predict(asked)
    assert [p.answer for p in predictions] == [items[0].answer, items[3].answer]
    assert all(p.recalled and p.probability == 1.0 and p.head == "yes-no" for p in predictions)
    # A new picture, or the known one excluded (exclude_same_image), leaves the answer to the learned heads.
    new = model.predict(Inputs(asked.questions, asked.question_vectors, -image_vectors[:2], [None, None], asked.yes_no))
    excluded = model.predict(asked, exclude=["img0.png", "img1.png"])
    assert not any(p.recalled for p in (*new, *excluded))


def test_recall_is_off_when_the_training_split_has_too_few_repeated_questions() -> None:
    items, inputs, _, _ = _synthetic()
    keep = np.array([not item.question.startswith("Is there a pleural") for item in items])
    subset = [item for item, k in zip(items, keep, strict=True) if k]
    model = fit(subset, inputs.subset(np.flatnonzero(keep)), ModelConfig(folds=2))
    assert "yes-no" not in model.recall_precision
    assert not any(p.recalled for p in model.predict(inputs.subset(np.flatnonzero(keep))))
