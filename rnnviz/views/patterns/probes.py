"""Linear probes: how much of a quantity a layer's hidden state holds, as a straight read-out can find it."""

from __future__ import annotations

import numpy as np

RIDGE = 1e-2


def probe_correct(
    train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], classes: int
) -> np.ndarray:
    """Fit a ridge read-out from states (n, hidden) to one-hot labels on ``train``; whether it is right on
    each item of ``test`` (kept per item, so two layers' probes can be compared on the same items).

    Least squares rather than logistic regression: closed form, deterministic and fast, and a
    quantity it cannot find is not linearly available to the next layer either.
    """
    x, labels = train
    x = np.hstack([x, np.ones((len(x), 1))])
    targets = np.eye(classes)[labels]
    weights = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ targets)
    x_test, labels_test = test
    scores = np.hstack([x_test, np.ones((len(x_test), 1))]) @ weights
    return scores.argmax(axis=1) == labels_test


def probe_accuracy(
    train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], classes: int
) -> float:
    """Share of ``test`` the read-out fitted on ``train`` gets right."""
    return float(probe_correct(train, test, classes).mean())
