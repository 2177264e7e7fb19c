"""Experiment ``gradients``: how the loss at the last step reaches back through time, and how clipping helps.

Three measurements on one page's settings: the gradient-norm decay curve of each cell (one
forward and one backward pass each), a vanilla RNN trained with a learning rate high enough to
explode, with and without gradient clipping, and BPTT written out by hand in NumPy checked
against autograd.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch

from rnnviz.core.cells import GATES, MEMORY_GATE, spectral_radius
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
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import FINAL_LOSS_TAIL, History
from rnnviz.core.init import DEFAULT_GATE_BIAS, W_HH_INITS
from rnnviz.core.memory_model import (
    BATCH,
    COMPARED_CELLS,
    MEMORY_BUDGET_S,
    MEMORY_CELLS,
    MEMORY_LR,
    VANILLA_CELLS,
    MemoryModel,
    build_model,
    shared_schedule,
    stage_progress,
    train_memory,
)
from rnnviz.core.memory_tasks import CHANCE_LOSS, copy_first
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.views.gradients import bptt
from rnnviz.views.gradients.export import export_gradients
from rnnviz.views.gradients.figures import decay_film
from rnnviz.views.gradients.gradnorms import Bound, Decay, decay, hidden_grad_norms, vanilla_bound

MAX_LENGTH = 500
PROBE_BATCH = 16
"""Sequences the gradient norms are averaged over: enough to smooth one sequence's quirks."""
CLIP_STEPS = 100
CLIP_BATCH = 32
CLIP_LR = 1.0
"""Plain SGD at this step size makes the unclipped vanilla RNN explode at the default settings."""
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
        "A fourth curve for repeated multiplication by a·W, next to 0.5, 1.0 and 1.5.",
        min=0.05,
        max=2.0,
        step=0.05,
    )
    product_steps: int = view_param(
        100, "Steps n", "How many times the matrix multiplies the vector.", min=1, max=MAX_LENGTH
    )


@dataclass(frozen=True)
class Curve:
    cell: str
    norms: np.ndarray
    """Entry t is the mean over sequences of ||dL/dh_{t+1}||; the last entry is nearest the loss."""
    decay: Decay
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
    by_hand: bptt.ByHand
    probe_x: np.ndarray
    """The copy-first sequences every curve is averaged over, (PROBE_BATCH, length, 2)..."""
    probe_y: np.ndarray
    """...and their answers, (PROBE_BATCH, 1)."""


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
            remaining = MEMORY_BUDGET_S - (time.monotonic() - start)
            model, history = train_memory(
                cell,
                **_copy_first(cfg),
                steps=cfg.train_steps,
                lr=TRAINING_LR,
                gate_bias=cfg.gate_bias,
                budget_s=max(1.0, remaining / (len(cells) - i)),
                on_progress=stage_progress(on_progress, i * cfg.train_steps, total_steps, MEMORY_CELLS[cell]),
                capture=lambda m: measure(m, x, y),
            )
        else:
            torch.manual_seed(cfg.seed)
            model = build_model(cell, cfg.hidden, init=cfg.init, scale=cfg.scale, gate_bias=cfg.gate_bias)
        norms = hidden_grad_norms(model, x, y)
        models[cell] = model
        curves[cell] = Curve(cell, norms, decay(norms), block_radii(cell, model), history, model)

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
        by_hand=bptt.check(models["rnn"].rnn, models["rnn"].head, x_np[0], float(y_np[0, 0])),
        probe_x=x_np,
        probe_y=y_np,
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
            budget_s=TRAINING_BUDGET_S / 2,
            on_progress=stage_progress(
                on_progress,
                done_before + i * CLIP_STEPS,
                total,
                f"the vanilla RNN clipped at {clip:g}" if clip else "the vanilla RNN without clipping",
            ),
        )
        runs.append(history)
    return runs[0], runs[1]


def timeline_json(res: GradientsResult) -> list[dict]:
    """One entry per snapshot step the trained cells share: each cell's training loss and norm curve.

    An untrained network has one entry, at step 0, with no training loss.
    """
    if any(c.history is None for c in res.curves.values()):
        return [
            {
                "step": 0,
                "loss": {cell: None for cell in res.curves},
                "grad_norms": {cell: c.norms for cell, c in res.curves.items()},
            }
        ]
    timelines = {cell: c.history.timeline for cell, c in res.curves.items()}
    return [
        {
            "step": step,
            "loss": {cell: timelines[cell].loss[i] for cell, i in index.items()},
            "grad_norms": {cell: timelines[cell].frames[i]["grad_norms"] for cell, i in index.items()},
        }
        for step, index in shared_schedule(timelines)
    ]


def share_of_chance(res: GradientsResult) -> dict[str, float]:
    """Each trained cell's final copy-first loss over the chance loss: did it learn the task it was measured on?"""
    return {
        cell: c.history.final_loss(FINAL_LOSS_TAIL) / CHANCE_LOSS["copy"]
        for cell, c in res.curves.items()
        if c.history is not None
    }


def main_block(cell: str) -> str:
    """The W_hh block whose spectral radius a reader looks at first: the memory gate's, or the only one."""
    return MEMORY_GATE.get(cell, "h")


def report(cfg: GradientsConfig, res: GradientsResult) -> dict:
    chosen = res.curves[res.cell]
    return {
        "grad_norms": chosen.norms,
        "metrics": {
            "decay_ratio": chosen.decay.decay_ratio,
            "per_step_factor": chosen.decay.per_step,
            "vanish_distance": chosen.decay.vanish_distance,
            "overflow_distance": chosen.decay.overflow_distance,
            "spectral_radius": chosen.radius,
            "decay_ratio_by_cell": {c: curve.decay.decay_ratio for c, curve in res.curves.items()},
            "bound_factor": res.bound.factor if res.bound is not None else None,
            "clipping": {
                "diverged_at_without_clipping": res.clip_free.diverged_at,
                "diverged_at_with_clipping": res.clip_clipped.diverged_at,
                "final_loss_with_clipping": res.clip_clipped.final_loss(FINAL_LOSS_TAIL),
                "max_grad_norm_without_clipping": max(res.clip_free.grad_norm, default=None),
            },
            "bptt_by_hand_max_difference": max(res.by_hand.max_difference.values()),
        },
        "timeline": timeline_json(res),
    }


def film(cfg: GradientsConfig, res: GradientsResult) -> go.Figure:
    """The view's main training film: every cell's gradient-norm curve at each snapshot, with the bound."""
    return decay_film(res, list(res.curves), show_bound=True)


EXPERIMENT = Experiment(
    name="gradients",
    title="Vanishing & exploding gradients",
    config=GradientsConfig,
    run=run,
    report=report,
    description="Measure ||dL/dh_t|| for every step back from the loss, train with and without clipping, "
    "and check a hand-written BPTT against autograd.",
    export=export_gradients,
    film=film,
)
