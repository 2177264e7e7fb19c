"""The PyTorch view's settings: the module the shapes explorer builds (display only, nothing is trained
for it) and the trainings of the run, with the share of the training budget each one gets."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.cells import CELLS
from rnnviz.core.config import epochs_param, param, seed_param, steps_param, view_param

BUDGET_SHARES = {"padding": 0.7, "stateful": 0.1, "stateless": 0.1}
"""Shares of the training budget: the three readers together, then each character model."""


def _shape(default: int, label: str, help: str, top: int) -> int:
    return view_param(default, label, help, min=1, max=top)


@dataclass(frozen=True)
class PytorchConfig:
    cell: str = view_param("lstm", "Cell", "The recurrent module whose tensors are shown.", choices=CELLS)
    batch: int = _shape(3, "Batch size", "Sequences in the batch.", 8)
    length: int = _shape(7, "Length", "Time steps in each sequence.", 12)
    input_size: int = _shape(5, "Input size", "Numbers per time step going in (input_size).", 8)
    hidden: int = _shape(4, "Hidden size", "Units in each hidden state (hidden_size).", 8)
    layers: int = _shape(2, "Layers", "Stacked recurrent layers (num_layers).", 3)
    bidirectional: bool = view_param(
        True, "Bidirectional", "A second direction reads each sequence from the end."
    )
    batch_first: bool = view_param(
        True, "batch_first", "Input and output as (batch, time, features) instead of (time, batch, features)."
    )
    reader_cell: str = param(
        "gru", "Readers' cell", "The recurrent cell of the three padding readers.", choices=CELLS
    )
    reader_bidirectional: bool = param(
        False,
        "Bidirectional readers",
        "Each reader reads both ways; shows where the backward direction's summary really is.",
    )
    sentences: int = param(
        3000,
        "Training sentences",
        "Review sentences the readers learn from, a random subset of the training movies' sentences, "
        "so the three trainings fit the server's time budget.",
        min=500,
        max=8000,
        step=500,
        unit="sentences",
    )
    epochs: int = epochs_param(2, help="Passes over the training sentences.", max=6)
    char_steps: int = steps_param(
        150,
        label="Character-model steps",
        help="Training steps of each character model (with and without a carried state).",
        min=20,
        max=600,
        step=10,
    )
    seed: int = seed_param(0, help="Seeds the sentence subset, the split, the weights and the batch order.")
