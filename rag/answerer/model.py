"""The learned answerer: logistic heads over frozen question and image embeddings.

Inputs per question: its MiniLM vector, its predicted question type, the image's PCA-reduced
embedding, image-level attribute probabilities (organ, modality, plane, contrast), question x image
products (so "is this an MRI?" can meet the image's modality) and retrieval votes of similar
training questions. Yes/no questions go to a binary head; every other answer comes from a
classifier over the training answers (restricted to the options a choice question names).
``use_image=False`` gives the question-only baseline through the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rag.answerer.attributes import ATTRIBUTES, image_labels, named_values
from rag.answerer.data import YES_NO, QAItem, offered_choices
from rag.answerer.heads import Arrays, Linear, LogisticHead
from rag.answerer.votes import Bank
from rag.errors import InputError

MIN_RECALL_PAIRS = 20


@dataclass(frozen=True)
class ModelConfig:
    use_image: bool = True
    image_components: int = 32
    product_image_components: int = 12
    question_components: int = 16
    neighbours: int = 10
    min_question_similarity: float = 0.7
    min_answer_count: int = 2
    c: float = 0.05
    folds: int = 5
    # A known image asked (nearly) the same question again gets the earlier answer; on the training split
    # (one question left out at a time) copying at this similarity is right 98% of the time for yes/no
    # questions and 89% for others. A value above 1 turns it off.
    recall_similarity: float = 0.8


@dataclass(frozen=True)
class Prediction:
    answer: str
    probability: float
    head: str
    recalled: bool = False  # the answer of the same question asked before about the same image


@dataclass(frozen=True)
class Inputs:
    """What the model sees of some questions: text, embeddings, image names and whether yes/no is asked."""

    questions: Sequence[str]
    question_vectors: np.ndarray
    image_vectors: np.ndarray
    images: Sequence[str | None]
    yes_no: np.ndarray

    @classmethod
    def of(cls, items: Sequence[QAItem], question_vectors: np.ndarray, image_vectors: np.ndarray) -> Inputs:
        return cls(
            [i.question for i in items],
            question_vectors,
            image_vectors,
            [i.image for i in items],
            np.array([asks_yes_no(i.question, i.answer_type == "CLOSED") for i in items]),
        )

    def subset(self, rows: np.ndarray) -> Inputs:
        return Inputs(
            [self.questions[r] for r in rows],
            self.question_vectors[rows],
            self.image_vectors[rows],
            [self.images[r] for r in rows],
            self.yes_no[rows],
        )


def asks_yes_no(question: str, closed: bool) -> bool:
    """Closed questions that offer no named options ("left or right?") are answered yes or no."""
    return closed and " or " not in f" {question.lower()} "


def image_folds(images: Sequence[str | None], folds: int) -> np.ndarray:
    """A fold number per row; all questions about one image share a fold (deterministic)."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([str(i) for i in images])
    n = min(folds, len(set(groups)))
    fold_of = np.zeros(len(groups), dtype=np.int64)
    for fold, (_, test) in enumerate(GroupKFold(n_splits=n).split(groups, groups=groups)):
        fold_of[test] = fold
    return fold_of


@dataclass
class AnswererModel:
    config: ModelConfig
    vocabulary: tuple[str, ...]
    question_type: LogisticHead
    yes_no_scale: Linear
    yes_no_head: LogisticHead
    open_scale: Linear
    open_head: LogisticHead
    question_pca: Linear | None = None
    image_pca: Linear | None = None
    attributes: dict[str, LogisticHead] = field(default_factory=dict)
    bank: Bank | None = None
    recall_precision: dict[str, float] = field(default_factory=dict)

    def predict(self, inputs: Inputs, exclude: Sequence[str | None] | None = None) -> list[Prediction]:
        """One prediction per question; ``exclude`` names images whose training questions may not vote."""
        yes_no = np.asarray(inputs.yes_no, dtype=bool)
        attribute_probs = self._attribute_probs(inputs.image_vectors)
        base = self._design(inputs, attribute_probs, exclude or [None] * len(inputs.questions))
        out: list[Prediction | None] = [None] * len(inputs.questions)
        if yes_no.any():
            x = np.concatenate([base[0][yes_no], base[1][yes_no]], axis=1)
            probs = self.yes_no_head.proba(self.yes_no_scale(x))
            for row, p in zip(np.flatnonzero(yes_no), probs, strict=True):
                best = int(p.argmax())
                out[row] = Prediction(self.yes_no_head.classes[best], float(p[best]), "yes-no")
        if (~yes_no).any():
            x = np.concatenate([base[0][~yes_no], base[2][~yes_no]], axis=1)
            probs = self.open_head.proba(self.open_scale(x))
            for row, p in zip(np.flatnonzero(~yes_no), probs, strict=True):
                out[row] = self._open_choice(inputs.questions[int(row)], p)
        excluded = exclude or [None] * len(inputs.questions)
        for position, recalled in self._recall(inputs, excluded, self.recall_precision).items():
            out[position] = recalled
        return [p for p in out if p is not None]

    def _recall(
        self,
        inputs: Inputs,
        exclude: Sequence[str | None],
        precision: dict[str, float],
        *,
        skip_own_row: bool = False,
    ) -> dict[int, Prediction]:
        """Rows whose image is in the bank with a near-identical question: that question's answer, with the
        head's ``precision`` (what copying achieved on the training split) as its probability."""
        if self.bank is None or not precision:
            return {}
        same, _ = self.bank.weights(
            inputs.question_vectors,
            inputs.image_vectors,
            exclude,
            neighbours=1,
            min_q=self.config.recall_similarity,
            skip_own_row=skip_own_row,
        )
        out: dict[int, Prediction] = {}
        for row in np.flatnonzero(same.max(axis=1, initial=0.0) > 0):
            answer = self.bank.answers[int(same[row].argmax())]
            head = "yes-no" if inputs.yes_no[row] else "open"
            if (answer in YES_NO) == (head == "yes-no") and head in precision:
                out[int(row)] = Prediction(answer, precision[head], head, recalled=True)
        return out

    def _open_choice(self, question: str, p: np.ndarray) -> Prediction:
        """The likeliest answer; among the named options only when the question offers some."""
        classes = list(self.open_head.classes)
        offered = [classes.index(a) for a in offered_choices(question, classes)]
        if offered:
            sub = p[offered] / max(float(p[offered].sum()), 1e-12)
            best = int(sub.argmax())
            return Prediction(classes[offered[best]], float(sub[best]), "choice")
        best = int(p.argmax())
        return Prediction(classes[best], float(p[best]), "open")

    def _attribute_probs(self, image_vectors: np.ndarray) -> np.ndarray:
        if self.image_pca is None or not self.attributes:
            return np.zeros((len(image_vectors), 0))
        reduced = self.image_pca(image_vectors)
        return np.concatenate([self.attributes[a].proba(reduced) for a in sorted(self.attributes)], axis=1)

    def _named_match(self, questions: Sequence[str], attribute_probs: np.ndarray) -> np.ndarray:
        """Per attribute: whether the question names a value, and the image's probability of that value
        (so "is this an MRI?" meets P(MRI) directly, on new images as on known ones)."""
        out = np.zeros((len(questions), 2 * len(self.attributes)))
        values = [named_values(question) for question in questions]
        start = 0
        for column, attribute in enumerate(sorted(self.attributes)):
            classes = self.attributes[attribute].classes
            for row, named_by_attribute in enumerate(values):
                named = named_by_attribute[attribute]
                if named is not None:
                    out[row, 2 * column] = 1.0
                    if named in classes:
                        out[row, 2 * column + 1] = attribute_probs[row, start + classes.index(named)]
            start += len(classes)
        return out

    def _design(
        self, inputs: Inputs, attribute_probs: np.ndarray, exclude: Sequence[str | None], training: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(shared features, yes/no votes, open votes); the vote blocks are empty without images."""
        q = np.asarray(inputs.question_vectors, dtype=np.float64)
        qtype = self.question_type.proba(q)
        n = len(q)
        if self.image_pca is None or self.question_pca is None or self.bank is None:
            return np.concatenate([q, qtype], axis=1), np.zeros((n, 0)), np.zeros((n, 0))
        image = self.image_pca(inputs.image_vectors)
        image_side = np.concatenate([image[:, : self.config.product_image_components], attribute_probs], axis=1)
        q_small = self.question_pca(q)
        products = np.einsum("ni,nj->nij", q_small, image_side).reshape(n, -1)
        type_products = np.einsum("ni,nj->nij", qtype, attribute_probs).reshape(n, -1)
        named = self._named_match(inputs.questions, attribute_probs)
        shared = np.concatenate([q, qtype, image, attribute_probs, products, type_products, named], axis=1)
        same, other = self.bank.weights(
            q,
            inputs.image_vectors,
            exclude,
            neighbours=self.config.neighbours,
            min_q=self.config.min_question_similarity,
            skip_own_row=training,
        )
        closed = np.concatenate([self.bank.closed_features(same), self.bank.closed_features(other)], axis=1)
        open_votes = np.concatenate(
            [self.bank.open_features(same, self.vocabulary), self.bank.open_features(other, self.vocabulary)], axis=1
        )
        return shared, closed, open_votes

    def arrays(self) -> Arrays:
        out: Arrays = {
            **self.question_type.arrays("question_type"),
            **self.yes_no_scale.arrays("yes_no_scale"),
            **self.yes_no_head.arrays("yes_no_head"),
            **self.open_scale.arrays("open_scale"),
            **self.open_head.arrays("open_head"),
        }
        if self.question_pca is not None and self.image_pca is not None and self.bank is not None:
            out.update(self.question_pca.arrays("question_pca"), **self.image_pca.arrays("image_pca"))
            out.update(self.bank.arrays())
            for name, head in self.attributes.items():
                out.update(head.arrays(f"attribute.{name}"))
        return out

    def description(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "vocabulary": list(self.vocabulary),
            "attributes": sorted(self.attributes),
            "recall_precision": self.recall_precision,
        }

    @classmethod
    def from_arrays(cls, description: dict[str, Any], arrays: Arrays) -> AnswererModel:
        config = ModelConfig(**description["config"])
        imaging = config.use_image
        return cls(
            config=config,
            vocabulary=tuple(description["vocabulary"]),
            question_type=LogisticHead.from_arrays("question_type", arrays),
            yes_no_scale=Linear.from_arrays("yes_no_scale", arrays),
            yes_no_head=LogisticHead.from_arrays("yes_no_head", arrays),
            open_scale=Linear.from_arrays("open_scale", arrays),
            open_head=LogisticHead.from_arrays("open_head", arrays),
            question_pca=Linear.from_arrays("question_pca", arrays) if imaging else None,
            image_pca=Linear.from_arrays("image_pca", arrays) if imaging else None,
            attributes={a: LogisticHead.from_arrays(f"attribute.{a}", arrays) for a in description["attributes"]},
            bank=Bank.from_arrays(arrays) if imaging else None,
            recall_precision=dict(description.get("recall_precision", {})),
        )


def _out_of_fold_attributes(
    model: AnswererModel, items: Sequence[QAItem], reduced: np.ndarray, labels: dict[str, dict[str, str]]
) -> np.ndarray:
    """Attribute probabilities for training rows from heads that never saw that row's image, so the
    answer heads learn how much to trust them on new images."""
    out = np.zeros((len(items), sum(len(model.attributes[a].classes) for a in sorted(model.attributes))))
    if not model.attributes:
        return out
    folds = image_folds([i.image for i in items], model.config.folds)
    for fold in np.unique(folds):
        held = folds == fold
        blocks = []
        for attribute in sorted(model.attributes):
            head = _fit_attribute(
                [i for i, h in zip(items, held, strict=True) if not h], reduced[~held], labels[attribute], model
            )
            full = model.attributes[attribute].classes
            probs = np.zeros((int(held.sum()), len(full)))
            if head is not None:
                for column, name in enumerate(head.classes):
                    probs[:, full.index(name)] = head.proba(reduced[held])[:, column]
            blocks.append(probs)
        out[held] = np.concatenate(blocks, axis=1)
    return out


def _fit_attribute(
    items: Sequence[QAItem], reduced: np.ndarray, labels: dict[str, str], model: AnswererModel
) -> LogisticHead | None:
    """One row per labelled image (not per question), so images with many questions do not dominate."""
    seen: dict[str, int] = {}
    for row, item in enumerate(items):
        if item.image in labels and item.image not in seen:
            seen[item.image] = row
    if not seen:
        return None
    rows = list(seen.values())
    return LogisticHead.fit(reduced[rows], [labels[i] for i in seen], c=model.config.c * 20)


def _recall_precision(model: AnswererModel, items: Sequence[QAItem], inputs: Inputs) -> dict[str, float]:
    """How often copying a near-identical question's answer about the same image was right, per head, on
    the training items with each question left out (heads with too few such pairs are not recalled)."""
    heads = ("yes-no", "open")
    recalled = model._recall(inputs, [None] * len(items), dict.fromkeys(heads, 1.0), skip_own_row=True)
    out: dict[str, float] = {}
    for head in heads:
        rows = [row for row, p in recalled.items() if p.head == head]
        if len(rows) >= MIN_RECALL_PAIRS:
            out[head] = round(float(np.mean([recalled[r].answer == items[r].answer for r in rows])), 4)
    return out


def fit(items: Sequence[QAItem], inputs: Inputs, config: ModelConfig) -> AnswererModel:
    """Fit every head on these (training) items only."""
    q = np.asarray(inputs.question_vectors, dtype=np.float64)
    answers = [i.answer for i in items]
    counts: dict[str, int] = {}
    for answer in answers:
        if answer not in YES_NO:
            counts[answer] = counts.get(answer, 0) + 1
    vocabulary = tuple(sorted(a for a, c in counts.items() if c >= config.min_answer_count))
    placeholder = LogisticHead(("",), np.zeros((0, 0)), np.zeros(0))
    identity = Linear(np.zeros(0), np.zeros((0, 0)))
    model = AnswererModel(
        config=config,
        vocabulary=vocabulary,
        question_type=LogisticHead.fit(q, [i.question_type for i in items], c=1.0),
        yes_no_scale=identity,
        yes_no_head=placeholder,
        open_scale=identity,
        open_head=placeholder,
    )
    attribute_probs = np.zeros((len(items), 0))
    if config.use_image:
        first = {item.image: row for row, item in reversed(list(enumerate(items)))}
        model.image_pca = Linear.pca(inputs.image_vectors[list(first.values())], config.image_components)
        model.question_pca = Linear.pca(q, config.question_components)
        reduced = model.image_pca(inputs.image_vectors)
        labels = image_labels(items)
        for attribute in ATTRIBUTES:
            head = _fit_attribute(items, reduced, labels[attribute], model)
            if head is not None and len(head.classes) > 1:
                model.attributes[attribute] = head
        attribute_probs = _out_of_fold_attributes(model, items, reduced, labels)
        model.bank = Bank.build(q, inputs.image_vectors, [i.image for i in items], answers)
        model.recall_precision = _recall_precision(model, items, inputs)
    shared, yes_no_votes, open_votes = model._design(inputs, attribute_probs, [None] * len(items), training=True)
    yes_no = np.array([a in YES_NO for a in answers])
    x = np.concatenate([shared[yes_no], yes_no_votes[yes_no]], axis=1)
    model.yes_no_scale = Linear.standardiser(x)
    model.yes_no_head = LogisticHead.fit(model.yes_no_scale(x), [a for a in answers if a in YES_NO], c=config.c)
    known = np.array([a in counts and a in vocabulary for a in answers])
    if not known.any():
        raise InputError(f"no answer other than yes/no occurs {config.min_answer_count}+ times in the training items")
    x = np.concatenate([shared[known], open_votes[known]], axis=1)
    model.open_scale = Linear.standardiser(x)
    targets = [a for a, k in zip(answers, known, strict=True) if k]
    model.open_head = LogisticHead.fit(model.open_scale(x), targets, c=config.c)
    return model
