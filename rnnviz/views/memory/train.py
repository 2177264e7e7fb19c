"""The memory run: a vanilla RNN, an LSTM and a GRU trained one after another on the same task, data and
step budget, each answering the same held-out sequences at every snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import FINAL_LOSS_TAIL, History, stage_progress
from rnnviz.core.memory_model import (
    COMPARED_CELLS,
    MEMORY_CELLS,
    MemoryModel,
    memory_budget_s,
    stop_note,
    train_memory,
)
from rnnviz.core.memory_tasks import CHANCE_LOSS, memory_batch
from rnnviz.core.timeline import Frame
from rnnviz.views.memory.lessons import truncation_note
from rnnviz.views.memory.result import HEADLINE_CELL, CellRun, MemoryResult
from rnnviz.views.memory.settings import EVAL_BATCH, MemoryConfig


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


def stop_notes(histories: dict[str, History], steps: int) -> list[str]:
    """A note for each cell whose training ended early, except the headline cell's: the page already warns
    about that one (its history is the result's), and the table names the cell beside its numbers."""
    return [
        note
        for cell, history in histories.items()
        if cell != HEADLINE_CELL and (note := stop_note(cell, history, steps))
    ]


def run(cfg: MemoryConfig, on_progress: ProgressFn | None = None) -> MemoryResult:
    window = cfg.window if cfg.window < cfg.length else None
    eval_x, eval_y = held_out(cfg)
    x, y = torch.from_numpy(eval_x), torch.from_numpy(eval_y)
    start = time.monotonic()
    runs = {}
    for i, cell in enumerate(COMPARED_CELLS):
        remaining = memory_budget_s() - (time.monotonic() - start)
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
                on_progress, MEMORY_CELLS[cell], i * cfg.steps, len(COMPARED_CELLS) * cfg.steps
            ),
            capture=_recorder(cell, x, y),
        )
        prediction, loss = _answers(model, x, y)
        runs[cell] = CellRun(
            history=history,
            final_loss=history.final_loss(FINAL_LOSS_TAIL),
            held_out_loss=loss,
            prediction=prediction,
            errors=((prediction - eval_y[:, 0]) ** 2).astype(np.float32),
            model=model,
        )
    notes = stop_notes({cell: r.history for cell, r in runs.items()}, cfg.steps)
    if window is not None:
        notes.append(truncation_note(window, cfg.length))
    return MemoryResult(
        task=cfg.task,
        length=cfg.length,
        window=window,
        runs=runs,
        chance_loss=CHANCE_LOSS[cfg.task],
        inputs=eval_x,
        target=eval_y[:, 0],
        seconds=time.monotonic() - start,
        notes=tuple(notes),
    )
