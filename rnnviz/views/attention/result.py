"""What one run of the attention experiment keeps: both trained networks, their scores and the cost table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.fit import History
from rnnviz.views.attention.cost import CostRow
from rnnviz.views.attention.model import Seq2Seq
from rnnviz.views.attention.tasks import Batch

MODELS = ("plain", "attention")
"""The two networks, in the order every table and legend lists them."""
MODEL_NAMES = {"plain": "Plain encoder-decoder", "attention": "With attention"}


@dataclass(frozen=True)
class Scores:
    """Greedy decoding of the held-out examples by one network."""

    answers: np.ndarray
    """(examples, output steps) token ids."""
    right: np.ndarray
    """(examples, output steps) bool: each held-out token right or not. Both networks answer the same
    strings, so comparisons between them (and between output steps) are paired per string."""
    position_accuracy: np.ndarray
    """Share of examples right at each output step."""
    token_accuracy: float
    exact: float
    """Share of examples with every token right."""


@dataclass(frozen=True)
class AttentionResult:
    task: str
    length: int
    models: dict[str, Seq2Seq]
    history: History
    """Loss of both networks summed; the timeline holds both networks' frames."""
    losses: dict[str, list[float]]
    """Each network's own training loss per step."""
    held_out: Batch
    scores: dict[str, Scores]
    weights: np.ndarray
    """Attention weights (held-out examples, output steps, input steps)."""
    cost: list[CostRow]
    train_seconds: float

    @property
    def notes(self) -> tuple[str, ...]:
        """Nothing the reader typed is adjusted by a run: settings are clamped before it starts."""
        return ()
