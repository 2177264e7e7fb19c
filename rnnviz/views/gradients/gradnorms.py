"""How far back the loss reaches: ||dL/dh_t|| for every step t, where L is the loss at the last step.

Backpropagation through time multiplies the gradient by one Jacobian per step, dh_{t+1}/dh_t,
diag(phi'(a_t)) W_hh for a vanilla cell: the same W_hh in every factor, but a diagonal of slopes that
changes every step, so W_hh's spectral radius alone does not decide whether the product shrinks; the
bound ||W_hh||_2 max|phi'| below 1 does (Pascanu et al. 2013). All T norms
come from ONE forward and ONE backward pass: autograd returns the gradient with respect to every
retained per-step hidden state at once. Everything runs in float64, which holds norms down to
about 1e-308 where float32 stops near 1e-38: a gradient that vanished hundreds of steps back is
still measured, not rounded to zero.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from rnnviz.core.cells import LayerTrace
from rnnviz.core.memory_model import VANILLA_CELLS, MemoryModel

VANISH_LEVEL = 1e-6
"""Below this share of its size at the loss, a step's gradient barely shapes the update: dL/dW sums one
term per time step, and the terms near the loss, a million times larger, swamp it."""


def _probe_graph(model: MemoryModel, x: Tensor, y: Tensor) -> tuple[Tensor, LayerTrace]:
    """The loss summed over sequences, so row i of dL/dh_t is sequence i's own gradient."""
    model64 = copy.deepcopy(model).double()
    trace = model64.unrolled(x.double())
    prediction = model64.head(trace.hs[-1])
    loss = ((prediction - y.double()) ** 2).sum()
    return loss, trace


def _mean_norm(grad: Tensor) -> float:
    return float(grad.norm(dim=-1).mean())


def hidden_grad_norms_by_sequence(model: MemoryModel, x: Tensor, y: Tensor) -> np.ndarray:
    """Entry [t, i] is ||dL/dh_{t+1}|| of sequence i: one forward pass, one backward pass."""
    loss, trace = _probe_graph(model, x, y)
    grads = torch.autograd.grad(loss, trace.hs)
    return torch.stack([g.norm(dim=-1) for g in grads]).numpy()


def hidden_grad_norms(model: MemoryModel, x: Tensor, y: Tensor) -> np.ndarray:
    """Entry t is the mean over sequences of ||dL/dh_{t+1}||: one forward pass, one backward pass."""
    return hidden_grad_norms_by_sequence(model, x, y).mean(axis=1)


FLOAT64_DECADES = math.log10(np.finfo(np.float64).max)
"""How far a log10 can go before float64 overflows: where a non-finite ratio is pinned."""


def reach_by_sequence(by_sequence: np.ndarray) -> np.ndarray:
    """log10 of ||dL/dh_1|| / ||dL/dh_T|| for each probe sequence (float32): what is left of each sequence's
    gradient at step 1, the per-item score a comparison of cells resamples. Ratios beyond float64 are
    pinned at its range (an overflow at +308, an underflow to zero at -308)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log10(by_sequence[0]) - np.log10(by_sequence[-1])
    ratio = np.nan_to_num(ratio, nan=FLOAT64_DECADES, posinf=FLOAT64_DECADES, neginf=-FLOAT64_DECADES)
    return np.clip(ratio, -FLOAT64_DECADES, FLOAT64_DECADES).astype(np.float32)


def hidden_grad_norms_per_step(model: MemoryModel, x: Tensor, y: Tensor) -> np.ndarray:
    """The same numbers the slow way, one backward pass per step: the benchmark's and tests' reference."""
    loss, trace = _probe_graph(model, x, y)
    return np.array([_mean_norm(torch.autograd.grad(loss, h, retain_graph=True)[0]) for h in trace.hs])


@dataclass(frozen=True)
class Bound:
    """(||W_hh||_2 * max|phi'|)^k times the norm at the loss: no vanilla gradient can be larger."""

    w_norm: float
    """Largest singular value of W_hh."""
    max_slope: float
    """Largest derivative of the activation met on these sequences (1 at most for tanh, ReLU, linear)."""
    values: np.ndarray
    """Aligned with the norms: entry t bounds ||dL/dh_{t+1}||."""

    @property
    def factor(self) -> float:
        return self.w_norm * self.max_slope


def vanilla_bound(model: MemoryModel, x: Tensor, norms: np.ndarray) -> Bound | None:
    """Each Jacobian is diag(phi'(a_t)) W_hh, whose norm is at most max|phi'| * ||W_hh||_2."""
    if model.cell not in VANILLA_CELLS:
        return None
    w_hh = model.rnn.weight_hh_l0.detach().double()
    with torch.no_grad():
        pre = model.unrolled(x).pre["h"].double()
    if model.cell == "rnn":
        slope = float((1 - torch.tanh(pre) ** 2).max())
    elif model.cell == "rnn_relu":
        slope = float((pre > 0).any())
    else:
        slope = 1.0
    w_norm = float(torch.linalg.matrix_norm(w_hh, ord=2))
    return Bound(w_norm=w_norm, max_slope=slope, values=bound_values(norms, w_norm * slope))


def bound_values(norms: np.ndarray, factor: float) -> np.ndarray:
    """factor^k times the norm at the loss, aligned with ``norms`` (k is the distance from the loss)."""
    distance = np.arange(len(norms))[::-1]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return norms[-1] * np.power(factor, distance.astype(float))


@dataclass(frozen=True)
class Decay:
    """The numbers a reader needs from one curve."""

    decay_ratio: float
    """Norm nearest the loss over the norm at the first step: 1e3 means it fell a thousandfold."""
    per_step: float
    """Geometric-mean factor by which the norm changes per step back in time."""
    vanish_distance: int | None
    """First distance T - t at which the norm is below VANISH_LEVEL times its value at the loss."""
    overflow_distance: int | None
    """First distance at which the norm is no longer a finite float64 (it exploded past 1e308)."""


def decay(norms: np.ndarray) -> Decay:
    back = norms[::-1]  # back[k] is the norm at distance k from the loss
    last = float(back[0])
    finite = np.isfinite(back)
    overflow = None if finite.all() else int(np.argmin(finite))
    first = float(norms[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = last / first if first > 0 else math.inf
        steps = len(norms) - 1
        per_step = (first / last) ** (1 / steps) if steps and last > 0 else math.nan
    below = np.flatnonzero(finite & (back < VANISH_LEVEL * last)) if last > 0 else np.array([], dtype=int)
    return Decay(
        decay_ratio=float(ratio) if overflow is None else 0.0,
        per_step=float(per_step) if overflow is None else math.inf,
        vanish_distance=int(below[0]) if below.size else None,
        overflow_distance=overflow,
    )
