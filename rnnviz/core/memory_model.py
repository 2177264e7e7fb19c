"""One recurrent cell with a read-out at the last step, trained on a long-range memory task.

Both views of gradients use it: the memory experiment trains three of these side by side, and
the gradient probe measures how the loss at the last step reaches back to every hidden state.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping

import torch
from torch import Tensor, nn

from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import CELL_TABLE, LayerTrace, make_rnn, run_layer
from rnnviz.core.fit import History, Progress, fit
from rnnviz.core.init import init_recurrent, set_memory_gate_bias
from rnnviz.core.memory_tasks import memory_batches
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame, Timeline

MEMORY_CELLS: dict[str, str] = {c.name: c.label for c in CELL_TABLE.values()}
"""Cells a memory model can use; the linear one has no fused module and runs step by step."""

VANILLA_CELLS = frozenset(c.name for c in CELL_TABLE.values() if not c.gates)

COMPARED_CELLS = ("rnn", "lstm", "gru")
"""The side-by-side comparison: a plain cell and the two gated ones."""

BATCH = 128
"""Sequences per training step. Smaller batches leave the LSTM's first useful gradient buried in
noise on copy-first at length 100: with 64 it learned on one or two of seeds 0-2, with 128 on all three."""

MEMORY_BUDGET_SHARE = 1.5
"""A side-by-side comparison of cells on a memory task: three trainings share 1.5 trainings' budget."""


def memory_budget_s() -> float:
    return MEMORY_BUDGET_SHARE * training_budget_s()


MEMORY_LR = 0.01
"""Adam's step size for the memory task, where every view that trains on it starts."""

REPORT_EVERY_S = 1.0
"""Seconds between progress reports: a page redraws its live loss curve on each, which is not free."""

MEMORY_INPUTS = 2
"""Both tasks feed a value channel and a marker channel."""


State = Tensor | tuple[Tensor, Tensor]
"""A recurrent state as torch passes it: h, or (h, c) for the LSTM."""


class MemoryModel(nn.Module):
    def __init__(self, cell: str, hidden: int) -> None:
        super().__init__()
        if cell not in MEMORY_CELLS:
            raise ValueError(f"unknown cell type {cell!r}; expected one of {', '.join(MEMORY_CELLS)}")
        self.cell = cell
        # The linear cell borrows a tanh module as the holder of its weights; run_layer skips the tanh.
        self.rnn = make_rnn("rnn" if cell == "rnn_linear" else cell, MEMORY_INPUTS, hidden)
        self.head = nn.Linear(hidden, 1)

    def unrolled(self, x: Tensor, state: State | None = None) -> LayerTrace:
        """Step by step with the same weights (instrumented): every h_t is a tensor autograd can ask about.

        ``state`` is h0, or (h0, c0), each (batch, hidden); zeros when omitted.
        """
        hidden = self.rnn.hidden_size
        if state is None:
            h0 = x.new_zeros(x.shape[0], hidden)
            c0 = x.new_zeros(x.shape[0], hidden) if self.cell == "lstm" else None
        else:
            h0, c0 = state if isinstance(state, tuple) else (state, None)
        weights = (self.rnn.weight_ih_l0, self.rnn.weight_hh_l0, self.rnn.bias_ih_l0, self.rnn.bias_hh_l0)
        return run_layer(self.cell, x, *weights, h0, c0)

    def _last(self, x: Tensor, state: State | None) -> tuple[Tensor, State]:
        """The last hidden state, and the state to carry on from in torch's (layers, batch, hidden) layout.

        Uses the fused module where there is one; the linear cell runs step by step.
        """
        if self.cell == "rnn_linear":
            h = self.unrolled(x, state[0] if state is not None else None).h[:, -1]
            return h, h[None]
        out, carry = self.rnn(x, state)
        return out[:, -1], carry

    def forward(self, x: Tensor, window: int | None = None) -> Tensor:
        """Prediction from the last step. With ``window`` k < T, gradients reach only the last k steps.

        That is truncated BPTT as it acts on a loss at the last step: the first T - k steps still
        shape the state, but run without a graph, so nothing before them can be learned from.
        """
        state = None
        steps = x.shape[1]
        if window is not None and window < steps:
            with torch.no_grad():
                _, state = self._last(x[:, : steps - window], None)
            x = x[:, steps - window :]
        last, _ = self._last(x, state)
        return self.head(last)


def build_model(
    cell: str, hidden: int, *, init: str = "default", scale: float = 1.0, gate_bias: float = 0.0
) -> MemoryModel:
    """A fresh model from torch's current generator state: seed first for a reproducible one."""
    model = MemoryModel(cell, hidden)
    init_recurrent(model.rnn, init, scale)
    set_memory_gate_bias(model.rnn, cell, gate_bias)
    return model


def train_memory(
    cell: str,
    *,
    task: str,
    length: int,
    hidden: int,
    steps: int,
    lr: float,
    seed: int,
    budget_s: float,
    gate_bias: float = 0.0,
    window: int | None = None,
    init: str = "default",
    scale: float = 1.0,
    optimizer: str = "adam",
    clip: float | None = None,
    batch: int = BATCH,
    on_progress: Callable[[Progress], None] | None = None,
    capture: Callable[[MemoryModel], Frame] | None = None,
) -> tuple[MemoryModel, History]:
    """Train one cell on fresh batches of a memory task.

    The same seed gives every cell the same data stream (NumPy) and its own reproducible weights
    (torch), so cells compared side by side differ in nothing but the cell. ``capture(model)``
    records the view's frame at the fit loop's snapshots; trainings of the same length share them.
    """
    rng = seed_everything(seed)
    model = build_model(cell, hidden, init=init, scale=scale, gate_bias=gate_bias)

    def loss_fn(xy: tuple[Tensor, Tensor]) -> Tensor:
        x, y = xy
        return nn.functional.mse_loss(model(x, window), y)

    history = fit(
        model,
        loss_fn,
        memory_batches(task, batch, length, rng),
        total_steps=steps,
        lr=lr,
        optimizer=optimizer,
        clip=clip,
        on_progress=on_progress,
        report_every_s=REPORT_EVERY_S,
        budget_s=budget_s,
        capture=(lambda: capture(model)) if capture is not None else None,
    )
    return model, history


def shared_schedule(timelines: Mapping[str, Timeline]) -> list[tuple[int, dict[str, int]]]:
    """One film for cells trained side by side: every step any of them captured, with each cell's
    latest frame at or before it (its index in that cell's timeline).

    Cells trained for the same number of steps share the fit loop's schedule; one whose training
    stopped early (budget, divergence) stays as it stopped. Empty when a cell captured nothing.
    """
    if not timelines or any(len(t) == 0 for t in timelines.values()):
        return []
    steps = sorted({s for t in timelines.values() for s in t.steps})
    return [
        (step, {cell: bisect_right(t.steps, step) - 1 for cell, t in timelines.items()}) for step in steps
    ]


def stop_mark(history: History, steps: int) -> str | None:
    """Where a cell's training ended early and why, to stand beside its numbers (None when it ran to the end).

    The page's message under the run names no cell; a view training several says which one."""
    if history.stop == "diverged":
        return f"diverged at step {history.diverged_at}"
    if history.stop == "budget":
        return f"stopped after {history.steps} of {steps} steps: its share of the time budget ran out"
    return None


def stop_note(cell: str, history: History, steps: int) -> str | None:
    """A sentence for a training that did not simply run to the end; divergence is a finding to report."""
    name = MEMORY_CELLS[cell]
    if history.stop == "diverged":
        return (
            f"{name}: training diverged at step {history.diverged_at}: the loss or the gradient became NaN or "
            "infinite. Its numbers describe the weights it had then."
        )
    if history.stop == "budget":
        return (
            f"{name}: stopped after {history.steps} of {steps} steps, when its share of the "
            f"{memory_budget_s():g} s budget ran out. Its numbers use the model as it was then."
        )
    return None
