"""What one sentiment run leaves behind: the trained classifier, its test set seen through it, and the film.

Plain records, so that the run, the questions a page asks of a result, the figures and the export
can each live in their own module and share these types.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.classifier import Classifier, accuracy
from rnnviz.core.fit import History
from rnnviz.views.sentiment.baseline import BagOfWords
from rnnviz.views.sentiment.projection import Pca


@dataclass(frozen=True)
class Split:
    name: str
    size: int
    groups: int


@dataclass(frozen=True, eq=False)
class SentimentResult:
    source: str
    notes: tuple[str, ...]
    classifier: Classifier
    baseline: BagOfWords
    history: History
    best_epoch: int
    """The epoch whose weights were kept (best validation accuracy; 0 if none was validated)."""
    splits: tuple[Split, Split, Split]
    grouped: bool
    """True when the split is by group (movie); uploads have no groups and are split by sentence."""
    params: int
    test_texts: tuple[str, ...]
    test_labels: np.ndarray
    test_prob: np.ndarray
    baseline_prob: np.ndarray
    test_states: np.ndarray
    """(n_test, state size): the final hidden state of every test sentence."""
    map_index: np.ndarray
    """Test sentences on the map (indices into the test arrays)."""
    pca: Pca
    pca_points: np.ndarray
    hidden_silhouette: float | None
    """Silhouette by true label of the mapped sentences' final states in the hidden space itself: PCA
    drops dimensions and t-SNE bends distances, so neither map's own silhouette measures the states."""
    positions: PositionSample
    eval_score: EvalScore | None
    film_index: np.ndarray
    """Test sentences recorded at every snapshot (indices into the test arrays): history.timeline's points."""
    film_axes: Pca | None
    """The last snapshot's PCA, on which every snapshot is projected; None when nothing was recorded."""
    shuffled_prob: np.ndarray
    """P(positive) per test sentence (float32) of the word-order control: the same network, same
    settings, trained and tested on sentences whose words are shuffled. It differs from the network
    in word order only, where the bag of words also differs in embeddings, capacity and non-linearity."""
    shuffled_history: History

    @property
    def test_accuracy(self) -> float:
        return accuracy(self.test_prob, self.test_labels)

    @property
    def baseline_accuracy(self) -> float:
        return accuracy(self.baseline_prob, self.test_labels)

    @property
    def shuffled_accuracy(self) -> float:
        return accuracy(self.shuffled_prob, self.test_labels)

    @property
    def n_train(self) -> int:
        return self.splits[0].size

    @property
    def n_test(self) -> int:
        return self.splits[2].size


@dataclass(frozen=True, eq=False)
class PositionSample:
    """The state after each token of a few test sentences, projected with the map's PCA."""

    points: np.ndarray
    step: np.ndarray
    """1-based position of the token just read."""
    label: np.ndarray
    sentence: np.ndarray
    """Index into the test arrays."""
    token: tuple[str, ...]


@dataclass(frozen=True)
class EvalScore:
    name: str
    accuracy: float
    n: int
