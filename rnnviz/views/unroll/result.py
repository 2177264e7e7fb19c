"""What one run of the unroll view keeps: every state of the trained network and how it got there."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.cells import States
from rnnviz.core.fit import History
from rnnviz.core.timeline import Frame


@dataclass(frozen=True)
class UnrollResult:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]
    numeric: bool
    x: np.ndarray
    """Inputs, (time, input size): one-hot rows, or the numbers themselves."""
    states: States
    h0: np.ndarray
    """Initial state, (layers, hidden)."""
    c0: np.ndarray | None
    weights: tuple[dict[str, np.ndarray], ...]
    """Per layer: W_ih, W_hh, b (= b_ih + b_hh), as torch stores them (gate blocks stacked)."""
    radius: tuple[dict[str, float], ...]
    """Per layer, the spectral radius of each square block of W_hh (one per gate; 'h' for the vanilla cell)."""
    final: Frame
    """The trained model's frame, as a training snapshot captures one: equal to the timeline's last frame."""
    predictions: tuple[str, ...]
    """The model's next-token guess after each step, as text."""
    loss_after: float
    """The trained model's loss on the sequence: what reproduce.py recomputes from the weights."""
    token_loss_before: np.ndarray
    """(time - 1,) float32: each next-token guess's loss with the initial weights, before any step."""
    token_loss_after: np.ndarray
    """(time - 1,) float32: the same guesses' losses after training; their mean is ``loss_after``."""
    history: History
    model_state: dict[str, torch.Tensor]
    """The trained weights (and initial state), for export."""
    params: int
    fused_gap: float
    """Largest |h_fused - h_instrumented|: the figures' numbers are the trained model's own."""
    notes: tuple[str, ...]

    @property
    def values(self) -> np.ndarray | None:
        """The numbers read, for a numeric sequence; None for text."""
        return self.x[:, 0] if self.numeric else None

    @property
    def trained(self) -> bool:
        return self.history.steps > 0


def hidden_of(frame: Frame, layer: int) -> np.ndarray:
    """A frame's hidden states (time, units) of ``layer`` (0-based, bottom first).

    A frame holds ``hidden`` (time, units) of the top layer and, when stacked, ``hidden_lower_layers``
    (layers - 1, time, units).
    """
    lower = frame.get("hidden_lower_layers")
    return frame["hidden"] if lower is None or layer >= len(lower) else lower[layer]
