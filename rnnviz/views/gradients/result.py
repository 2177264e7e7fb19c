"""What a gradients run returns: each measured cell's curve, the vanilla bound, the clipping pair and BPTT by hand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.fit import FINAL_LOSS_TAIL, History
from rnnviz.core.memory_model import MemoryModel
from rnnviz.core.memory_tasks import CHANCE_LOSS
from rnnviz.views.gradients.bptt import ByHand
from rnnviz.views.gradients.gradnorms import Bound, Decay


@dataclass(frozen=True)
class Curve:
    cell: str
    norms: np.ndarray
    """Entry t is the mean over sequences of ||dL/dh_{t+1}||; the last entry is nearest the loss."""
    decay: Decay
    reach: np.ndarray
    """Per probe sequence, log10 of ||dL/dh_1|| / ||dL/dh_T|| (float32): the scores cells are compared by."""
    radius: dict[str, float]
    """Spectral radius of each square block of W_hh (one per gate; 'h' for a vanilla cell)."""
    history: History | None
    """The training that produced the measured weights, or None for an untrained network. Its timeline
    holds this curve (and the vanilla bound's factor) at each snapshot while the cell learned."""
    model: MemoryModel


@dataclass(frozen=True)
class GradientsResult:
    cell: str
    curves: dict[str, Curve]
    """The chosen cell first, then the compared cells."""
    bound: Bound | None
    bound_cell: str | None
    """The vanilla cell the bound belongs to: the chosen one if vanilla, else the tanh RNN."""
    clip_free: History
    clip_clipped: History
    by_hand: ByHand
    probe_x: np.ndarray
    """The copy-first sequences every curve is averaged over, (PROBE_BATCH, length, 2)..."""
    probe_y: np.ndarray
    """...and their answers, (PROBE_BATCH, 1)."""
    notes: tuple[str, ...]
    """A sentence for each compared cell but the chosen one (the page warns about its history) whose training
    did not simply run to the end."""

    @property
    def trained(self) -> bool:
        return all(c.history is not None for c in self.curves.values())

    @property
    def history(self) -> History:
        """The chosen cell's training (its curve is the headline); empty for an untrained network.

        The clipping pair is not it: the unclipped run diverges on purpose, as a finding of its own.
        """
        return self.curves[self.cell].history or History()


def share_of_chance(res: GradientsResult) -> dict[str, float]:
    """Each trained cell's final copy-first loss over the chance loss: did it learn the task it was measured on?"""
    return {
        cell: c.history.final_loss(FINAL_LOSS_TAIL) / CHANCE_LOSS["copy"]
        for cell, c in res.curves.items()
        if c.history is not None
    }
