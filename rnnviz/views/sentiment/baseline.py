"""The bag-of-words baseline: logistic regression on which vocabulary words a sentence contains.

It sees the same tokens and vocabulary as the recurrent model but not their order, so where
the two disagree is where word order ("not bad", "good but ...") matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

C = 1.0
"""Inverse L2 strength: scikit-learn's default, which suits binary word features."""


def features(sequences: Sequence[Sequence[int]], vocab_size: int) -> csr_matrix:
    """One row per sentence, a 1 for each vocabulary id present (counts would reward repetition)."""
    rows = [sorted(set(s)) for s in sequences]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices, indptr), shape=(len(rows), vocab_size))


@dataclass(frozen=True, eq=False)
class BagOfWords:
    weights: np.ndarray
    """One weight per vocabulary id: how much that word's presence moves the log-odds of 'positive'."""
    bias: float

    def prob(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        logits = features(sequences, len(self.weights)) @ self.weights + self.bias
        return 1 / (1 + np.exp(-logits))

    def prefix_prob(self, ids: Sequence[int]) -> np.ndarray:
        """P(positive) after each token: each new word adds its weight once, wherever it stands."""
        seen: set[int] = set()
        logit, out = self.bias, []
        for i in ids:
            if i not in seen:
                seen.add(i)
                logit += self.weights[i]
            out.append(logit)
        return 1 / (1 + np.exp(-np.asarray(out, dtype=np.float64)))


def fit_bag_of_words(sequences: Sequence[Sequence[int]], labels: np.ndarray, vocab_size: int) -> BagOfWords:
    from sklearn.linear_model import LogisticRegression  # on first use: 1 s to import, in every process

    model = LogisticRegression(C=C, max_iter=1000)
    model.fit(features(sequences, vocab_size), labels)
    return BagOfWords(model.coef_[0].copy(), float(model.intercept_[0]))
