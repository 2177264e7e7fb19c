"""Experiment ``gradients``: how the loss at the last step reaches back through time, and how clipping helps.

Three measurements on one page's settings: the gradient-norm decay curve of each cell (one
forward and one backward pass each), a vanilla RNN trained with a learning rate high enough to
explode, with and without gradient clipping, and BPTT written out by hand in NumPy checked
against autograd.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.cells import GATES, spectral_radius
from rnnviz.core.config import param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History
from rnnviz.core.init import DEFAULT_GATE_BIAS, W_HH_INITS
from rnnviz.core.memory_model import (
    COMPARED_CELLS,
    MEMORY_BUDGET_S,
    MEMORY_CELLS,
    MEMORY_LR,
    VANILLA_CELLS,
    MemoryModel,
    build_model,
    stage_progress,
    train_memory,
)
from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.gradients import bptt
from rnnviz.views.gradients.gradnorms import Bound, Decay, decay, hidden_grad_norms, vanilla_bound

MAX_LENGTH = 500
PROBE_BATCH = 16
"""Sequences the gradient norms are averaged over: enough to smooth one sequence's quirks."""
BY_HAND_STEPS = 5
"""BPTT by hand runs on the first steps of one sequence: short enough to read every number."""
CLIP_STEPS = 100
CLIP_BATCH = 32
TRAINING_LR = MEMORY_LR
"""A trained state is trained like the memory view's cells."""


@dataclass(frozen=True)
class GradientsConfig:
    cell: str = param(
        "rnn", label="Cell", help="The recurrent cell whose gradients are measured.", choices=MEMORY_CELLS
    )
    length: int = param(
        100,
        label="Sequence length T",
        help="Steps from the first hidden state to the loss.",
        min=2,
        max=MAX_LENGTH,
        unit="steps",
    )
    hidden: int = param(
        32, label="Hidden size", help="Units in the hidden state.", min=2, max=128, unit="units"
    )
    init: str = param(
        "default", label="W_hh initialisation", help="How each block of W_hh starts.", choices=W_HH_INITS
    )
    scale: float = param(
        1.0,
        label="W_hh scale",
        help="Multiplies W_hh after initialisation; its spectral radius is multiplied by the same factor.",
        min=0.1,
        max=2.0,
        step=0.05,
    )
    gate_bias: float = param(
        DEFAULT_GATE_BIAS,
        label="Memory-gate bias at start",
        help="Initial bias of the LSTM's forget gate and the GRU's update gate; 0 is close to PyTorch's default.",
        min=0.0,
        max=10.0,
        step=0.5,
    )
    train_steps: int = param(
        0,
        label="Training steps on copy-first",
        help="0 measures the network as initialised. Otherwise every compared cell is first trained on the "
        "copy-first memory task at length T, as in the memory view (Adam, lr 0.01, batches of 128).",
        min=0,
        max=1000,
        step=50,
        unit="steps",
    )
    clip_lr: float = param(
        1.0,
        label="Learning rate (clipping experiment)",
        help="Plain SGD step size for the clipping experiment; 1 makes the unclipped vanilla RNN explode.",
        choices=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
        log=True,
    )
    max_norm: float = param(
        1.0,
        label="Clipping max-norm",
        help="clip_grad_norm_ rescales the whole gradient to this norm whenever it is larger.",
        min=0.1,
        max=10.0,
        step=0.1,
    )
    seed: int = seed_param(0, help="Seeds the weights and the probe sequences.")
    overlay: bool = param(
        True,
        label="Overlay RNN, LSTM and GRU",
        help="Draw the three standard cells' curves next to the chosen cell's.",
        role="view",
    )
    show_bound: bool = param(
        True,
        label="Show the vanilla bound",
        help="(‖W_hh‖ · max|φ'|)^k: no vanilla cell's gradient can decay slower than this allows.",
        role="view",
    )
    product_scale: float = param(
        0.9,
        label="Your scale a",
        help="A fourth curve for repeated multiplication by a·W, next to 0.5, 1.0 and 1.5.",
        min=0.05,
        max=2.0,
        step=0.05,
        role="view",
    )
    product_steps: int = param(
        100,
        label="Steps n",
        help="How many times the matrix multiplies the vector.",
        min=1,
        max=MAX_LENGTH,
        role="view",
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
    """The training that produced the measured weights, or None for an untrained network."""


@dataclass(frozen=True)
class ByHand:
    steps: int
    forward: bptt.Forward
    hand: bptt.Gradients
    autograd: bptt.Gradients
    max_difference: dict[str, float]


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


def curve_cells(cell: str) -> tuple[str, ...]:
    return (cell, *(c for c in COMPARED_CELLS if c != cell))


def block_radii(cell: str, model: MemoryModel) -> dict[str, float]:
    names = GATES[cell] or ("h",)
    blocks = model.rnn.weight_hh_l0.detach().split(model.rnn.hidden_size)
    return {name: spectral_radius(b) for name, b in zip(names, blocks, strict=True)}


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
                task="copy",
                length=cfg.length,
                hidden=cfg.hidden,
                steps=cfg.train_steps,
                lr=TRAINING_LR,
                seed=cfg.seed,
                gate_bias=cfg.gate_bias,
                init=cfg.init,
                scale=cfg.scale,
                budget_s=max(1.0, remaining / (len(cells) - i)),
                on_progress=stage_progress(on_progress, i * cfg.train_steps, total_steps, MEMORY_CELLS[cell]),
            )
        else:
            torch.manual_seed(cfg.seed)
            model = build_model(cell, cfg.hidden, init=cfg.init, scale=cfg.scale, gate_bias=cfg.gate_bias)
        norms = hidden_grad_norms(model, x, y)
        models[cell] = model
        curves[cell] = Curve(cell, norms, decay(norms), block_radii(cell, model), history)

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
        by_hand=_by_hand(models["rnn"], x_np[0], float(y_np[0, 0])),
    )


def _clipping(
    cfg: GradientsConfig, on_progress: ProgressFn | None, done_before: int, total: int
) -> tuple[History, History]:
    """The same vanilla RNN, data and SGD learning rate, trained without and with clip_grad_norm_."""
    runs = []
    for i, clip in enumerate((None, cfg.max_norm)):
        _, history = train_memory(
            "rnn",
            task="copy",
            length=cfg.length,
            hidden=cfg.hidden,
            steps=CLIP_STEPS,
            lr=cfg.clip_lr,
            seed=cfg.seed,
            init=cfg.init,
            scale=cfg.scale,
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


def _by_hand(model: MemoryModel, x: np.ndarray, y: float) -> ByHand:
    steps = min(BY_HAND_STEPS, len(x))
    weights = bptt.weights_from(model.rnn, model.head)
    xs = x[:steps].astype(np.float64)
    fwd = bptt.forward(weights, xs, y)
    hand = bptt.backward(weights, xs, y, fwd)
    auto = bptt.autograd_gradients(weights, xs, y)
    return ByHand(steps, fwd, hand, auto, bptt.max_differences(hand, auto))


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
                "final_loss_with_clipping": res.clip_clipped.final_loss(),
                "max_grad_norm_without_clipping": max(res.clip_free.grad_norm, default=None),
            },
            "bptt_by_hand_max_difference": max(res.by_hand.max_difference.values()),
        },
    }


EXPERIMENT = Experiment(
    name="gradients",
    title="Vanishing & exploding gradients",
    config=GradientsConfig,
    run=run,
    report=report,
    description="Measure ||dL/dh_t|| for every step back from the loss, train with and without clipping, "
    "and check a hand-written BPTT against autograd.",
)
