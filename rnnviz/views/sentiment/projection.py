"""Flattening hidden states to 2-D (PCA, t-SNE), measuring how well a map separates classes, and neighbours.

PCA is a linear view, instant and faithful to distances along its two axes; t-SNE bends space
to keep each point's neighbours close, so clusters show better but distances between them
mean little. openTSNE is used for t-SNE because it is fast and can place new points (a typed
sentence) into a finished map without moving the old ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from rnnviz.core.memo import by_result

TSNE_SETTINGS = dict(
    early_exaggeration_iter=75,
    n_iter=200,
    theta=0.8,
    neighbors="exact",
    negative_gradient_method="bh",
    n_jobs=1,
)
"""openTSNE's defaults run 250 + 500 iterations at theta 0.5; on a couple of thousand hidden states
the classes have separated long before that, and a coarser Barnes-Hut approximation (theta 0.8)
separates them as well (bench/tsne.py measures time and silhouette against scikit-learn). Exact
neighbours and Barnes-Hut gradients are the fastest choices at this size, on one thread."""
MIN_TSNE_POINTS = 10
PLACE_ITERATIONS = 100
"""Optimisation steps that place new points into a finished map: the positions have settled by then."""


@dataclass(frozen=True, eq=False)
class Pca:
    mean: np.ndarray
    axes: np.ndarray
    """(2, dims): the two directions of largest variance, as rows."""
    explained: np.ndarray
    """Share of the total variance along each axis."""

    def project(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.axes.T


def fit_pca(x: np.ndarray, labels: np.ndarray | None = None) -> Pca:
    """PCA by SVD, with signs fixed so the same states always give the same picture.

    With ``labels``, axis 1 points from the negative towards the positive mean, so positive
    sentences sit on the right; otherwise each axis's largest loading is made positive.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, x.shape[1]))
    k = min(2, vt.shape[0])
    axes[:k] = vt[:k]
    for row in axes:
        biggest = row[np.argmax(np.abs(row))]
        if biggest < 0:
            row *= -1
    if labels is not None and len(set(labels.tolist())) == 2:
        side = centred @ axes[0]
        if side[labels == 1].mean() < side[labels == 0].mean():
            axes[0] *= -1
    total = float((singular**2).sum()) or 1.0
    explained = np.zeros(2)
    explained[:k] = singular[:k] ** 2 / total
    return Pca(mean, axes, explained)


@dataclass(frozen=True, eq=False)
class TsneMap:
    points: np.ndarray
    perplexity: float
    seconds: float
    silhouette: float | None
    """By the labels given to fit_tsne (None without labels)."""
    embedding: Any
    """openTSNE's TSNEEmbedding of the points, which places new ones."""

    @by_result
    def place(self, x: np.ndarray) -> np.ndarray:
        """Positions of new states in this map: each is optimised against the fixed old points."""
        with threadpool_limits(limits=1):
            placed = self.embedding.transform(
                np.asarray(x, dtype=np.float64), perplexity=min(5, self.perplexity), n_iter=PLACE_ITERATIONS
            )
        return np.asarray(placed)


def usable_perplexity(n_points: int, wanted: float) -> float:
    """Perplexity is a soft number of neighbours: openTSNE needs about 3x that many other points."""
    return float(max(1.0, min(wanted, (n_points - 1) / 3)))


def fit_tsne(x: np.ndarray, perplexity: float, seed: int, labels: np.ndarray | None = None) -> TsneMap:
    """t-SNE of ``x`` (at least MIN_TSNE_POINTS rows), deterministic for a given seed, on one thread.

    BLAS is held to one thread too: a multi-threaded BLAS sums distances in another order, and
    t-SNE magnifies those last-digit differences into a visibly different map.
    """
    from openTSNE import TSNE  # on first use: with scikit-learn it takes 1.3 s to import, in every process

    x = np.asarray(x, dtype=np.float64)
    if len(x) < MIN_TSNE_POINTS:
        raise ValueError(f"t-SNE needs at least {MIN_TSNE_POINTS} points; got {len(x)}")
    perplexity = usable_perplexity(len(x), perplexity)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        embedding = TSNE(perplexity=perplexity, random_state=seed, **TSNE_SETTINGS).fit(x)
    # openTSNE's quadtree centres the reference map on its bounding box, in place, the first
    # time new points are placed; centring now keeps the drawn map and placements in one frame.
    embedding -= (embedding.min(axis=0) + embedding.max(axis=0)) / 2
    seconds = time.perf_counter() - start
    points = np.array(embedding)
    score = silhouette(points, labels) if labels is not None else None
    return TsneMap(points, perplexity, seconds, score, embedding)


def silhouette(points: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean silhouette by label: +1 tight separate classes, 0 overlapping; None when undefined."""
    classes = len(set(np.asarray(labels).tolist()))
    if classes < 2 or classes >= len(points):
        return None
    from sklearn.metrics import silhouette_score  # on first use, as openTSNE

    return float(silhouette_score(points, labels))


def nearest(
    states: np.ndarray, query: np.ndarray, k: int, exclude: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``k`` states closest to ``query`` (Euclidean), nearest first, and their distances."""
    distance = np.linalg.norm(states - query, axis=1)
    if exclude is not None:
        distance[exclude] = np.inf
    order = np.argsort(distance, kind="stable")[: min(k, len(states) - (exclude is not None))]
    return order, distance[order]
