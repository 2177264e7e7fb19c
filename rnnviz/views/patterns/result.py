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
    eval_set: tuple[Batch, ...] = ()
    """Step patterns: the fresh sequences ``accuracy`` is measured on (exported for reproduce.py)."""
    film: Timeline | None = None
    """The answer to the default input (``film_input``) and its hidden states at each snapshot."""
    film_input: str = ""
    forward_only: TokenModel | None = None
    """Bidirectional only: the same network reading left to right only, trained the same way."""
    forward_only_accuracy: float | None = None
    by_position: np.ndarray | None = None
    """Bidirectional only: accuracy at each position, rows (bidirectional, forward only)."""
    probe: np.ndarray | None = None
    """Stacked only: linear-probe accuracy (layer, delay) for the digit read that many steps ago."""
    held_out: tuple[tuple[str, str, str], ...] = ()
    """Seq2seq only: a few (input, expected, answer) from the held-out dates."""

    @property
    def notes(self) -> tuple[str, ...]:
        """A run needs no note of its own: notes on a typed input belong to its Answer (``answer``)."""
        return ()
