"""What a memory run returns: each cell's training, its answers to the held-out sequences, and its trained model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.fit import History
from rnnviz.core.memory_model import MemoryModel

HEADLINE_CELL = "lstm"
"""The cell whose held-out loss is the view's headline and that reproduce.py rebuilds: the one that remembers."""

HEADLINE_METRIC = f"{HEADLINE_CELL}_held_out_loss"


@dataclass(frozen=True)
class CellRun:
    history: History
    """Its timeline holds the cell's answers to the held-out sequences at each snapshot."""
    final_loss: float
    """Mean training loss over the last FINAL_LOSS_TAIL of steps; every batch is fresh, so it is also a test loss."""
    held_out_loss: float
    """Mean squared error on the held-out sequences, after training."""
    prediction: np.ndarray
    """Answers on the held-out sequences, aligned with MemoryResult.target."""
    errors: np.ndarray
    """Squared error on each held-out sequence (float32): what paired comparisons of cells resample."""
    model: MemoryModel


@dataclass(frozen=True)
class MemoryResult:
    task: str
    length: int
    window: int | None
    """The effective truncation window, None when gradients flow through the whole sequence."""
    runs: dict[str, CellRun]
    chance_loss: float
    inputs: np.ndarray
    """The held-out sequences, (EVAL_BATCH, length, 2): the same for every cell and every snapshot."""
    target: np.ndarray
    """Correct answers of the held-out sequences."""
    seconds: float
    notes: tuple[str, ...]
    """A sentence for each cell whose training did not simply run to the end (but the headline cell, whose
    history the page warns about), and for a truncation window that cuts."""

    def ratio(self, cell: str) -> float:
        return self.runs[cell].final_loss / self.chance_loss

    @property
    def history(self) -> History:
        """The headline cell's training: three cells train one after another, each with its own record."""
        return self.runs[HEADLINE_CELL].history
