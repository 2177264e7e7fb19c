"""The memory view's settings: the task, what makes gated cells learn it, and the training shared by all three cells."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.config import (
    LEARNING_RATES,
    gate_bias_param,
    hidden_param,
    learning_rate_param,
    length_param,
    param,
    seed_param,
    steps_param,
)
from rnnviz.core.init import DEFAULT_GATE_BIAS, memory_gate_retention
from rnnviz.core.memory_model import BATCH, MEMORY_LR
from rnnviz.core.memory_tasks import MEMORY_TASKS

MAX_LENGTH = 200

EVAL_BATCH = 256
"""Held-out sequences every cell answers after training and at each snapshot: the same for every cell."""


def _gate_help() -> str:
    gate, _ = memory_gate_retention(DEFAULT_GATE_BIAS, 1)
    return (
        f"Initial bias of the LSTM's forget gate and the GRU's update gate. At {DEFAULT_GATE_BIAS:g} the gate "
        f"starts at sigmoid({DEFAULT_GATE_BIAS:g}) = {gate:.3g}: the old state is kept almost whole from step "
        "to step. The vanilla RNN has no gate."
    )


@dataclass(frozen=True)
class MemoryConfig:
    task: str = param("copy", "Task", "What must be remembered across the sequence.", choices=MEMORY_TASKS)
    length: int = length_param(
        100,
        help="Steps in each sequence; the answer is asked for after the last one. Copy-first's value comes at "
        "step 1, T − 1 steps before that; adding's two marked values fall one in each half, so the first "
        "lies at least half the sequence back.",
        min=2,
        max=MAX_LENGTH,
    )
    gate_bias: float = gate_bias_param(DEFAULT_GATE_BIAS, help=_gate_help())
    window: int = param(
        MAX_LENGTH,
        "Truncated BPTT window k",
        "Gradients flow back only through the last k steps; k at least the length is full BPTT.",
        min=1,
        max=MAX_LENGTH,
        unit="steps",
    )
    hidden: int = hidden_param(32, min=2, help="Units in each cell's hidden state.")
    steps: int = steps_param(
        300,
        help=f"Adam steps for each cell, on fresh batches of {BATCH} sequences.",
        min=50,
        max=2000,
        step=50,
    )
    lr: float = learning_rate_param(MEMORY_LR, choices=LEARNING_RATES[:4])
    seed: int = seed_param(0, help="Seeds the data (the same for every cell) and the weights.")
