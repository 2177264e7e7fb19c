"""The gradients view's settings: the network measured, what it is measured after, and the clipping experiment."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.config import (
    cell_param,
    gate_bias_param,
    hidden_param,
    length_param,
    param,
    seed_param,
    steps_param,
    view_param,
)
from rnnviz.core.init import DEFAULT_GATE_BIAS, W_HH_INITS
from rnnviz.core.memory_model import BATCH, MEMORY_CELLS, MEMORY_LR
from rnnviz.views.gradients.jacobians import PRESET_SCALES

MAX_LENGTH = 500
PROBE_BATCH = 16
"""Sequences the gradient norms are averaged over: enough to smooth one sequence's quirks."""
CLIP_STEPS = 100
CLIP_BATCH = 32
CLIP_LR = 1.0
"""Plain SGD at this step size makes the unclipped vanilla RNN explode at the default settings."""
CLIP_BUDGET_SHARE = 0.5
"""Each of the two clipping runs may use this share of one training's budget."""
TRAINING_LR = MEMORY_LR
"""A trained state is trained like the memory view's cells."""


@dataclass(frozen=True)
class GradientsConfig:
    cell: str = cell_param(
        "rnn", choices=MEMORY_CELLS, help="The recurrent cell whose gradients are measured."
    )
    length: int = length_param(
        100, help="Steps from the first hidden state to the loss.", min=2, max=MAX_LENGTH
    )
    hidden: int = hidden_param(32, min=2, max=128, help="Units in the hidden state.")
    init: str = param("default", "W_hh initialisation", "How each block of W_hh starts.", choices=W_HH_INITS)
    scale: float = param(
        1.0,
        "W_hh scale",
        "Multiplies W_hh after initialisation; its spectral radius is multiplied by the same factor.",
        min=0.1,
        max=2.0,
        step=0.05,
    )
    gate_bias: float = gate_bias_param(
        DEFAULT_GATE_BIAS,
        help="Initial bias of the LSTM's forget gate and the GRU's update gate; 0 is close to PyTorch's default.",
    )
    train_steps: int = steps_param(
        0,
        label="Training steps on copy-first",
        help="0 measures the network as initialised. Otherwise every compared cell is first trained on the "
        f"copy-first memory task at length T, as in the memory view (Adam, lr {TRAINING_LR:g}, batches of "
        f"{BATCH}), and its curve is recorded as it learns.",
        max=1000,
        step=50,
    )
    clip_lr: float = param(
        CLIP_LR,
        "Learning rate (clipping experiment)",
        f"Plain SGD step size for the clipping experiment; {CLIP_LR:g} makes the unclipped vanilla RNN "
        "explode.",
        choices=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
        log=True,
    )
    max_norm: float = param(
        1.0,
        "Clipping max-norm",
        "clip_grad_norm_ rescales the whole gradient to this norm whenever it is larger.",
        min=0.1,
        max=10.0,
        step=0.1,
    )
    seed: int = seed_param(0, help="Seeds the weights and the probe sequences.")
    overlay: bool = view_param(
        True, "Overlay RNN, LSTM and GRU", "Draw the three standard cells' curves next to the chosen cell's."
    )
    show_bound: bool = view_param(
        True,
        "Show the vanilla bound",
        "(‖W_hh‖ · max|φ'|)^k: no vanilla cell's gradient can decay slower than this allows.",
    )
    product_scale: float = view_param(
        0.9,
        "Your scale a",
        "A fourth curve for repeated multiplication by a·W, next to "
        + ", ".join(f"{a:g}" for a in PRESET_SCALES[:-1])
        + f" and {PRESET_SCALES[-1]:g}.",
        min=0.05,
        max=2.0,
        step=0.05,
    )
    product_steps: int = view_param(
        100, "Steps n", "How many times the matrix multiplies the vector.", min=1, max=MAX_LENGTH
    )
