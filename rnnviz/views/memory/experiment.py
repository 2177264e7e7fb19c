"""Experiment ``memory``: a vanilla RNN, an LSTM and a GRU trained side by side on a long-range memory task."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

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
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import FINAL_LOSS_TAIL, History
from rnnviz.core.init import DEFAULT_GATE_BIAS, memory_gate_retention
from rnnviz.core.memory_model import (
    BATCH,
    COMPARED_CELLS,
    MEMORY_BUDGET_S,
    MEMORY_CELLS,
    MEMORY_LR,
    MemoryModel,
    shared_schedule,
    stage_progress,
    train_memory,
)
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_TASKS, memory_batch
from rnnviz.core.timeline import Frame
from rnnviz.views.memory.export import export_memory
from rnnviz.views.memory.figures import live_recall, recall_film
from rnnviz.views.memory.findings import ANSWERS, verdict

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
        100, help="Steps between the value to remember and the moment it is asked for.", min=2, max=MAX_LENGTH
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

    def ratio(self, cell: str) -> float:
        return self.runs[cell].final_loss / self.chance_loss


def held_out(cfg: MemoryConfig) -> tuple[np.ndarray, np.ndarray]:
    """Sequences no training batch contains (a different stream of the seed): inputs and answers."""
    return memory_batch(cfg.task, EVAL_BATCH, cfg.length, np.random.default_rng([cfg.seed, 1]))


def _answers(model: MemoryModel, x: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, float]:
    """The model's answers to held-out sequences and their mean squared error, as reproduce.py computes it."""
    with torch.no_grad():
        prediction = model(x)
        loss = float(nn.functional.mse_loss(prediction, y))
    return prediction[:, 0].numpy(), loss


def _recorder(cell: str, x: torch.Tensor, y: torch.Tensor) -> Callable[[MemoryModel], Frame]:
    def capture(model: MemoryModel) -> Frame:
        answers, loss = _answers(model, x, y)
        return {"cell": cell, "answers": answers.astype(np.float32), "held_out_loss": loss}

    return capture


def run(cfg: MemoryConfig, on_progress: ProgressFn | None = None) -> MemoryResult:
    window = cfg.window if cfg.window < cfg.length else None
    eval_x, eval_y = held_out(cfg)
    x, y = torch.from_numpy(eval_x), torch.from_numpy(eval_y)
    start = time.monotonic()
    runs = {}
    for i, cell in enumerate(COMPARED_CELLS):
        remaining = MEMORY_BUDGET_S - (time.monotonic() - start)
        model, history = train_memory(
            cell,
            task=cfg.task,
            length=cfg.length,
            hidden=cfg.hidden,
            steps=cfg.steps,
            lr=cfg.lr,
            seed=cfg.seed,
            gate_bias=cfg.gate_bias,
            window=window,
            budget_s=max(1.0, remaining / (len(COMPARED_CELLS) - i)),
            on_progress=stage_progress(
                on_progress, i * cfg.steps, len(COMPARED_CELLS) * cfg.steps, MEMORY_CELLS[cell]
            ),
            capture=_recorder(cell, x, y),
        )
        prediction, loss = _answers(model, x, y)
        runs[cell] = CellRun(
            history=history,
            final_loss=history.final_loss(FINAL_LOSS_TAIL),
            held_out_loss=loss,
            prediction=prediction,
            model=model,
        )
    return MemoryResult(
        task=cfg.task,
        length=cfg.length,
        window=window,
        runs=runs,
        chance_loss=CHANCE_LOSS[cfg.task],
        inputs=eval_x,
        target=eval_y[:, 0],
        seconds=time.monotonic() - start,
    )


def live_view(cfg: MemoryConfig) -> Callable[[History], go.Figure]:
    """The page's live figure: the cell in training answering the held-out sequences, at its latest snapshot."""
    _, y = held_out(cfg)
    return partial(live_recall, target=y[:, 0], answer=ANSWERS[cfg.task])


def timeline_json(res: MemoryResult) -> list[dict]:
    """One entry per snapshot step the three cells share: each cell's training loss, held-out loss and answers."""
    timelines = {cell: r.history.timeline for cell, r in res.runs.items()}
    entries = []
    for step, index in shared_schedule(timelines):
        frames = {cell: timelines[cell].frames[i] for cell, i in index.items()}
        entries.append(
            {
                "step": step,
                "loss": {cell: timelines[cell].loss[i] for cell, i in index.items()},
                "held_out_loss": {cell: f["held_out_loss"] for cell, f in frames.items()},
                "answers": {cell: f["answers"] for cell, f in frames.items()},
            }
        )
    return entries


def report(cfg: MemoryConfig, res: MemoryResult) -> dict:
    return {
        "metrics": {
            "final_loss": {cell: r.final_loss for cell, r in res.runs.items()},
            "held_out_loss": {cell: r.held_out_loss for cell, r in res.runs.items()},
            "chance_loss": res.chance_loss,
            "loss_over_chance": {cell: res.ratio(cell) for cell in res.runs},
            "verdict": {cell: verdict(r.final_loss, res.chance_loss) for cell, r in res.runs.items()},
            "steps": {cell: r.history.steps for cell, r in res.runs.items()},
            "stop": {cell: r.history.stop for cell, r in res.runs.items()},
        },
        "held_out_target": res.target,
        "timeline": timeline_json(res),
    }


def film(cfg: MemoryConfig, res: MemoryResult) -> go.Figure:
    """The view's main training film: each cell's held-out answers at every snapshot."""
    return recall_film(res)


EXPERIMENT = Experiment(
    name="memory",
    title="Long-range memory",
    config=MemoryConfig,
    run=run,
    report=report,
    description="Train a vanilla RNN, an LSTM and a GRU on the same memory task, data and step budget.",
    export=export_memory,
    film=film,
)
