"""What one patterns run keeps: the trained network, its scores, and the film of its answer through training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from rnnviz.core.fit import History
from rnnviz.core.models import TokenModel
from rnnviz.core.timeline import Timeline
from rnnviz.views.patterns.tasks import Batch


@dataclass(frozen=True)
class ItemScores:
    """Right answers per held-out item (a sequence, or a date), for paired comparisons on the same items.

    ``right[i]`` of ``scored[i]`` scored outputs of item i were right (a sequence-scored pattern scores
    one answer per item); ``constant_right[i]`` is the same for always giving the commonest answer.
    float32, small: a few thousand numbers.
    """

    right: np.ndarray
    constant_right: np.ndarray
    scored: np.ndarray
    forward_only_right: np.ndarray | None = None
    """Bidirectional only: the forward-only network's right outputs on the same items."""

    def per_output(self, right: np.ndarray) -> np.ndarray:
        """Right outputs per item scaled so their mean is the pooled accuracy: what a bootstrap over
        items resamples when an item holds several outputs."""
        return right * (len(self.scored) / self.scored.sum())


@dataclass(frozen=True)
class PatternsResult:
    pattern: str
    cell: str
    model: nn.Module
    history: History
    planned_steps: int
    accuracy: float
    """Held-out exact match (seq2seq); per sequence or per step on fresh sequences (the others)."""
    baseline: float
    """Accuracy of always giving the most common answer: the level that means 'learnt nothing'."""
    params: int
    items: ItemScores
    eval_set: tuple[Batch, ...] = ()
    """Step patterns: the fresh sequences ``accuracy`` is measured on (exported for reproduce.py)."""
    film: Timeline | None = None
    """The answer to the default input (``film_input``) and its hidden states at each snapshot."""
    film_input: str = ""
    forward_only: TokenModel | None = None
    """Bidirectional only: the same network reading left to right only, trained the same way."""
    forward_only_accuracy: float | None = None
    position_right: np.ndarray | None = None
    """Bidirectional only: (2, sequences, positions) bool, whether the bidirectional (row 0) and the
    forward-only network (row 1) tag each position of each sequence right."""
    probe_right: tuple[np.ndarray, ...] = ()
    """Stacked only: for each delay k, (layers, items) bool: whether a linear probe on each layer
    recovers the digit read k steps ago, on the same held-out states."""
    held_out: tuple[tuple[str, str, str], ...] = ()
    """Seq2seq only: a few (input, expected, answer) from the held-out dates."""

    @property
    def by_position(self) -> np.ndarray | None:
        """Bidirectional only: accuracy at each position, rows (bidirectional, forward only)."""
        return None if self.position_right is None else self.position_right.mean(axis=1)

    @property
    def probe(self) -> np.ndarray | None:
        """Stacked only: linear-probe accuracy (layer, delay) for the digit read that many steps ago."""
        if not self.probe_right:
            return None
        return np.stack([right.mean(axis=1) for right in self.probe_right], axis=1)

    @property
    def notes(self) -> tuple[str, ...]:
        """A run needs no note of its own: notes on a typed input belong to its Answer (``answer``)."""
        return ()
