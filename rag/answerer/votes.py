"""Retrieval features: what similar training questions about similar images were answered.

A training question votes for its answer with weight question-similarity x image-similarity when it
asks (nearly) the same thing. Votes about the asked picture itself (an image already in the case
base, asked another way) and about other pictures are separate features: the first is strong
evidence, the second weak, and the learned heads weigh each. During training a question never votes
for itself, but its image's other questions do, as they would for a new question about a known image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from rag.answerer.heads import Arrays
from rag.encoders.base import l2_normalise

# Image cosine at which a bank image is the asked picture itself (the same file encodes to the same vector).
SAME_IMAGE = 0.995


@dataclass(frozen=True)
class Bank:
    """The training questions the votes come from (vectors unit length; images stored once each)."""

    questions: np.ndarray
    images: np.ndarray
    image_of: np.ndarray
    image_names: tuple[str, ...]
    answers: tuple[str, ...]

    @classmethod
    def build(cls, questions: np.ndarray, images: np.ndarray, names: Sequence[str], answers: Sequence[str]) -> Bank:
        unique = sorted(set(names))
        where = {name: i for i, name in enumerate(unique)}
        first = {name: i for i, name in reversed(list(enumerate(names)))}
        return cls(
            questions=l2_normalise(questions),
            images=l2_normalise(np.stack([images[first[name]] for name in unique])),
            image_of=np.array([where[name] for name in names], dtype=np.int64),
            image_names=tuple(unique),
            answers=tuple(answers),
        )

    def weights(
        self,
        questions: np.ndarray,
        images: np.ndarray,
        exclude: Sequence[str | None],
        *,
        neighbours: int,
        min_q: float,
        skip_own_row: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(same-image, other-image) vote weights, each (n, bank), over the ``neighbours`` best near-identical
        questions. ``exclude`` names images (file name or id) whose questions may not vote; ``skip_own_row``
        (training, where row i of the query is row i of the bank) keeps a question from voting for itself."""
        q_sim = l2_normalise(questions) @ self.questions.T
        i_sim = np.clip(l2_normalise(images) @ self.images.T, 0.0, None)[:, self.image_of]
        weights = np.where(q_sim >= min_q, q_sim * i_sim, 0.0)
        if skip_own_row:
            np.fill_diagonal(weights, 0.0)
        index = {PurePath(name).stem: i for i, name in enumerate(self.image_names)}
        for row, name in enumerate(exclude):
            stem = PurePath(name).stem if name is not None else None
            if stem is not None and stem in index:
                weights[row, self.image_of == index[stem]] = 0.0
        if weights.shape[1] > neighbours:
            cut = np.partition(weights, -neighbours, axis=1)[:, -neighbours][:, None]
            weights = np.where(weights >= cut, weights, 0.0)
        same = i_sim >= SAME_IMAGE
        return np.where(same, weights, 0.0), np.where(same, 0.0, weights)

    def closed_features(self, weights: np.ndarray) -> np.ndarray:
        """(n, 3): yes weight, no weight, smoothed yes share."""
        yes = weights @ np.array([a == "yes" for a in self.answers], dtype=np.float64)
        no = weights @ np.array([a == "no" for a in self.answers], dtype=np.float64)
        return np.stack([yes, no, (yes + 0.5) / (yes + no + 1.0)], axis=1)

    def open_features(self, weights: np.ndarray, vocabulary: Sequence[str]) -> np.ndarray:
        """(n, len(vocabulary) + 1): each answer's share of the votes, and the total weight."""
        column = {answer: i for i, answer in enumerate(vocabulary)}
        onehot = np.zeros((len(self.answers), len(vocabulary)))
        for row, answer in enumerate(self.answers):
            if answer in column:
                onehot[row, column[answer]] = 1.0
        votes = weights @ onehot
        total = votes.sum(axis=1, keepdims=True)
        return np.concatenate([votes / np.maximum(total, 1e-9), total], axis=1)

    def arrays(self) -> Arrays:
        return {
            "bank.questions": self.questions,
            "bank.images": self.images,
            "bank.image_of": self.image_of,
            "bank.image_names": np.array(self.image_names, dtype=str),
            "bank.answers": np.array(self.answers, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> Bank:
        return cls(
            questions=arrays["bank.questions"],
            images=arrays["bank.images"],
            image_of=arrays["bank.image_of"],
            image_names=tuple(str(n) for n in arrays["bank.image_names"]),
            answers=tuple(str(a) for a in arrays["bank.answers"]),
        )
