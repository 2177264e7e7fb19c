"""Experiment ``memory``: a vanilla RNN, an LSTM and a GRU trained side by side on a long-range memory task."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.config import LEARNING_RATES, learning_rate_param, param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History
from rnnviz.core.fmt import percent
from rnnviz.core.init import DEFAULT_GATE_BIAS
from rnnviz.core.memory_model import (
    COMPARED_CELLS,
    MEMORY_BUDGET_S,
    MEMORY_CELLS,
    MEMORY_LR,
    stage_progress,
    train_memory,
)
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_TASKS, memory_batch

MAX_LENGTH = 200


SOLVED = 0.1
"""A cell has solved the task when its final loss is below this share of the chance loss."""
FAILED = 0.5
"""...and has failed it when its final loss is still above this share."""

EVAL_BATCH = 256
"""Short names for sentences and table headers."""


@dataclass(frozen=True)
class MemoryConfig:
    task: str = param(
        "copy", label="Task", help="What must be remembered across the sequence.", choices=MEMORY_TASKS
    )
    length: int = param(
        100,
        label="Sequence length T",
        help="Steps between the value to remember and the moment it is asked for.",
        min=2,
        max=MAX_LENGTH,
        unit="steps",
    )
    gate_bias: float = param(
        DEFAULT_GATE_BIAS,
        label="Memory-gate bias at start",
        help="Initial bias of the LSTM's forget gate and the GRU's update gate. At 5 the gate starts at "
        "sigmoid(5) = 0.993: the old state is kept almost whole from step to step. The vanilla RNN has no gate.",
        min=0.0,
        max=10.0,
        step=0.5,
    )
    window: int = param(
        MAX_LENGTH,
        label="Truncated BPTT window k",
        help="Gradients flow back only through the last k steps; k at least the length is full BPTT.",
        min=1,
        max=MAX_LENGTH,
        unit="steps",
    )
    hidden: int = param(
        32, label="Hidden size", help="Units in each cell's hidden state.", min=2, max=64, unit="units"
    )
    steps: int = param(
        300,
        label="Training steps",
        help="Adam steps for each cell, on fresh batches of 128 sequences.",
        min=50,
        max=2000,
        step=50,
        unit="steps",
    )
    lr: float = learning_rate_param(MEMORY_LR, choices=LEARNING_RATES[:4])
    seed: int = seed_param(0, help="Seeds the data (the same for every cell) and the weights.")


@dataclass(frozen=True)
class CellRun:
    history: History
    final_loss: float
    """Mean training loss over the last 5% of steps; every batch is fresh, so it is also a test loss."""
    prediction: np.ndarray
    """Answers on a held-out batch, aligned with MemoryResult.target."""


@dataclass(frozen=True)
class MemoryResult:
    task: str
    length: int
    window: int | None
    """The effective truncation window, None when gradients flow through the whole sequence."""
    runs: dict[str, CellRun]
    chance_loss: float
    target: np.ndarray
    """Correct answers of the held-out batch."""
    seconds: float

    def ratio(self, cell: str) -> float:
        return self.runs[cell].final_loss / self.chance_loss


def verdict(loss: float, chance: float) -> str:
    if not math.isfinite(loss):
        return "diverged"
    if loss < SOLVED * chance:
        return "solved"
    if loss > FAILED * chance:
        return "failed"
    return "partly"


def run(cfg: MemoryConfig, on_progress: ProgressFn | None = None) -> MemoryResult:
    window = cfg.window if cfg.window < cfg.length else None
    eval_x, eval_y = memory_batch(cfg.task, EVAL_BATCH, cfg.length, np.random.default_rng([cfg.seed, 1]))
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
        )
        with torch.no_grad():
            prediction = model(torch.from_numpy(eval_x))[:, 0].numpy()
        runs[cell] = CellRun(history=history, final_loss=history.final_loss(), prediction=prediction)
    return MemoryResult(
        task=cfg.task,
        length=cfg.length,
        window=window,
        runs=runs,
        chance_loss=CHANCE_LOSS[cfg.task],
        target=eval_y[:, 0],
        seconds=time.monotonic() - start,
    )


def finding(res: MemoryResult) -> str:
    """What the numbers show, in one line: each cell's final loss as a share of chance, and its verdict."""
    task = "Copy-first" if res.task == "copy" else "Adding"
    parts = [
        f"{CELL_TABLE[cell].short} {percent(res.ratio(cell))} ({verdict(run.final_loss, res.chance_loss)})"
        for cell, run in res.runs.items()
    ]
    return f"{task}, T = {res.length}, final loss vs chance: " + ", ".join(parts)


def table_row(length: int, res: MemoryResult | None) -> dict[str, object]:
    """One row of the results table: each cell's final loss as a share of chance, with its verdict."""
    row: dict[str, object] = {"Length T": length}
    for cell in COMPARED_CELLS:
        if res is None:
            row[CELL_TABLE[cell].short] = "not trained yet"
        else:
            loss = res.runs[cell].final_loss
            row[CELL_TABLE[cell].short] = (
                f"{percent(loss / res.chance_loss)} of chance · {verdict(loss, res.chance_loss)}"
            )
    return row


def report(cfg: MemoryConfig, res: MemoryResult) -> dict:
    return {
        "metrics": {
            "final_loss": {cell: r.final_loss for cell, r in res.runs.items()},
            "chance_loss": res.chance_loss,
            "loss_over_chance": {cell: res.ratio(cell) for cell in res.runs},
            "verdict": {cell: verdict(r.final_loss, res.chance_loss) for cell, r in res.runs.items()},
            "steps": {cell: r.history.steps for cell, r in res.runs.items()},
            "stop": {cell: r.history.stop for cell, r in res.runs.items()},
        }
    }


EXPERIMENT = Experiment(
    name="memory",
    title="Long-range memory",
    config=MemoryConfig,
    run=run,
    report=report,
    description="Train a vanilla RNN, an LSTM and a GRU on the same memory task, data and step budget.",
)
