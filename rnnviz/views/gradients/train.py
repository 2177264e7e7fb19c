"""The gradients run: each compared cell's gradient-norm curve (measured as it learns, when it is trained),
the vanilla RNN trained with and without clipping, and BPTT by hand on one probe sequence."""

from __future__ import annotations

import time
from typing import Any

import torch

from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import GATES, spectral_radius
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, stage_progress
from rnnviz.core.memory_model import (
    COMPARED_CELLS,
    MEMORY_CELLS,
    VANILLA_CELLS,
    MemoryModel,
    build_model,
    memory_budget_s,
    stop_note,
    train_memory,
)
from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.views.gradients.bptt import check
from rnnviz.views.gradients.gradnorms import (
    decay,
    hidden_grad_norms,
    hidden_grad_norms_by_sequence,
    reach_by_sequence,
    vanilla_bound,
)
from rnnviz.views.gradients.result import Curve, GradientsResult
from rnnviz.views.gradients.settings import (
    CLIP_BATCH,
    CLIP_BUDGET_SHARE,
    CLIP_STEPS,
    PROBE_BATCH,
    TRAINING_LR,
    GradientsConfig,
)


def curve_cells(cell: str) -> tuple[str, ...]:
    return (cell, *(c for c in COMPARED_CELLS if c != cell))


def block_radii(cell: str, model: MemoryModel) -> dict[str, float]:
    names = GATES[cell] or ("h",)
    blocks = model.rnn.weight_hh_l0.detach().split(model.rnn.hidden_size)
    return {name: spectral_radius(b) for name, b in zip(names, blocks, strict=True)}


def measure(model: MemoryModel, x: torch.Tensor, y: torch.Tensor) -> Frame:
    """One snapshot of a cell learning: its gradient-norm curve, and the vanilla bound's factor when it has one.

    The fit loop captures with gradients off; this measurement is a backward pass, so it turns them on.
    """
    with torch.enable_grad():
        norms = hidden_grad_norms(model, x, y)
    bound = vanilla_bound(model, x, norms)
    return {
        "cell": model.cell,
        "grad_norms": norms,
        "bound_factor": bound.factor if bound is not None else None,
    }


def run(cfg: GradientsConfig, on_progress: ProgressFn | None = None) -> GradientsResult:
    rng = seed_everything(cfg.seed)
    x_np, y_np = copy_first(PROBE_BATCH, cfg.length, rng)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    cells = curve_cells(cfg.cell)
    trained = cfg.train_steps > 0
    training_steps = len(cells) * cfg.train_steps
    total_steps = training_steps + 2 * CLIP_STEPS
    models, curves = {}, {}
    start = time.monotonic()
    for i, cell in enumerate(cells):
        history = None
        if trained:
            remaining = memory_budget_s() - (time.monotonic() - start)
            model, history = train_memory(
                cell,
                **_copy_first(cfg),
                steps=cfg.train_steps,
                lr=TRAINING_LR,
                gate_bias=cfg.gate_bias,
                budget_s=max(1.0, remaining / (len(cells) - i)),
                on_progress=stage_progress(on_progress, MEMORY_CELLS[cell], i * cfg.train_steps, total_steps),
                capture=lambda m: measure(m, x, y),
            )
        else:
            torch.manual_seed(cfg.seed)
            model = build_model(cell, cfg.hidden, init=cfg.init, scale=cfg.scale, gate_bias=cfg.gate_bias)
        by_sequence = hidden_grad_norms_by_sequence(model, x, y)
        norms = by_sequence.mean(axis=1)
        models[cell] = model
        curves[cell] = Curve(
            cell,
            norms,
            decay(norms),
            reach_by_sequence(by_sequence),
            block_radii(cell, model),
            history,
            model,
        )

    bound_cell = cfg.cell if cfg.cell in VANILLA_CELLS else "rnn"
    bound = vanilla_bound(models[bound_cell], x, curves[bound_cell].norms)
    free, clipped = _clipping(cfg, on_progress, training_steps, total_steps)
    return GradientsResult(
        cell=cfg.cell,
        curves=curves,
        bound=bound,
        bound_cell=bound_cell,
        clip_free=free,
        clip_clipped=clipped,
        by_hand=check(models["rnn"].rnn, models["rnn"].head, x_np[0], float(y_np[0, 0])),
        probe_x=x_np,
        probe_y=y_np,
        notes=stop_notes(cfg, curves),
    )


def stop_notes(cfg: GradientsConfig, curves: dict[str, Curve]) -> tuple[str, ...]:
    """A note for each compared cell whose training ended early, except the chosen cell's: the page already
    warns about that one (its history is the result's), and the trained caption names it with its stop."""
    return tuple(
        note
        for c in curves.values()
        if c.cell != cfg.cell
        and c.history is not None
        and (note := stop_note(c.cell, c.history, cfg.train_steps))
    )


def _copy_first(cfg: GradientsConfig) -> dict[str, Any]:
    """What every network the view trains shares: the copy-first task at length T, its size, seed and W_hh."""
    return dict(
        task="copy", length=cfg.length, hidden=cfg.hidden, seed=cfg.seed, init=cfg.init, scale=cfg.scale
    )


def _clipping(
    cfg: GradientsConfig, on_progress: ProgressFn | None, done_before: int, total: int
) -> tuple[History, History]:
    """The same vanilla RNN, data and SGD learning rate, trained without and with clip_grad_norm_."""
    runs = []
    for i, clip in enumerate((None, cfg.max_norm)):
        _, history = train_memory(
            "rnn",
            **_copy_first(cfg),
            steps=CLIP_STEPS,
            lr=cfg.clip_lr,
            optimizer="sgd",
            clip=clip,
            batch=CLIP_BATCH,
            budget_s=CLIP_BUDGET_SHARE * training_budget_s(),
            on_progress=stage_progress(
                on_progress,
                f"the vanilla RNN clipped at {clip:g}" if clip else "the vanilla RNN without clipping",
                done_before + i * CLIP_STEPS,
                total,
            ),
        )
        runs.append(history)
    return runs[0], runs[1]
