"""Fitted linear pieces kept as plain arrays: a PCA projection, a standardiser, a logistic head.

scikit-learn fits them; answering only needs matrix products, so the artifact stores arrays
(``.npz``, no pickle) and loads without depending on the scikit-learn version that trained it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Linear:
    """``(x - mean) @ matrix``: a PCA projection, or per-feature scaling when ``matrix`` is diagonal."""

    mean: np.ndarray
    matrix: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray((np.asarray(x, dtype=np.float64) - self.mean) @ self.matrix, dtype=np.float64)

    @classmethod
    def pca(cls, x: np.ndarray, components: int) -> Linear:
        from sklearn.decomposition import PCA

        n = max(1, min(components, x.shape[0] - 1, x.shape[1]))
        fitted = PCA(n_components=n, random_state=0).fit(x)
        # Whitened so that each component enters the products and the heads on the same scale.
        scale = np.sqrt(np.maximum(fitted.explained_variance_, 1e-12))
        return cls(fitted.mean_.astype(np.float64), (fitted.components_.T / scale).astype(np.float64))

    @classmethod
    def standardiser(cls, x: np.ndarray) -> Linear:
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        return cls(mean, np.diag(1.0 / scale))

    def arrays(self, prefix: str) -> Arrays:
        return {f"{prefix}.mean": self.mean, f"{prefix}.matrix": self.matrix}

    @classmethod
    def from_arrays(cls, prefix: str, arrays: Arrays) -> Linear:
        return cls(arrays[f"{prefix}.mean"], arrays[f"{prefix}.matrix"])


@dataclass(frozen=True)
class LogisticHead:
    """Class probabilities from a scikit-learn ``LogisticRegression`` (binary or multinomial)."""

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, labels: list[str], *, c: float, weights: np.ndarray | None = None) -> LogisticHead:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        classes = tuple(sorted(set(labels)))
        if len(classes) == 1:  # nothing to learn: the one class seen, with certainty
            return cls(classes, np.zeros((0, x.shape[1])), np.zeros(0))
        model = LogisticRegression(C=c, max_iter=300, tol=1e-3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, labels, sample_weight=weights)
        return cls(tuple(str(k) for k in model.classes_), model.coef_.astype(np.float64), model.intercept_)

    def proba(self, x: np.ndarray) -> np.ndarray:
        """(n, len(classes)) probabilities, matching scikit-learn's ``predict_proba``."""
        n = np.asarray(x).shape[0]
        if len(self.classes) == 1:
            return np.ones((n, 1))
        z = np.asarray(x, dtype=np.float64) @ self.coef.T + self.intercept
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -500.0, 500.0)))  # no overflow on extreme logits
            return np.stack([1.0 - positive, positive], axis=1)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def arrays(self, prefix: str) -> Arrays:
        return {
            f"{prefix}.classes": np.array(self.classes, dtype=str),
            f"{prefix}.coef": self.coef,
            f"{prefix}.intercept": self.intercept,
        }

    @classmethod
    def from_arrays(cls, prefix: str, arrays: Arrays) -> LogisticHead:
        classes = tuple(str(c) for c in arrays[f"{prefix}.classes"])
        return cls(classes, arrays[f"{prefix}.coef"], arrays[f"{prefix}.intercept"])
