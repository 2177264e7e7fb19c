"""Five claims tutorials get wrong, each settled by a number computed here with torch.

Every function returns the measured numbers; the page writes the callout around them. All of
them run in milliseconds, so the page recomputes them on every visit instead of quoting a text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from torch import nn

CLIP_NORM = 5.0
"""The max_norm of clip_grad_norm_ in the clipping example (a common choice)."""
CLIP_LENGTH = 40
"""Steps of the sequence whose gradients are measured."""
RADIUS = {"vanishing": 0.5, "exploding": 1.5}
"""Spectral radius of the recurrent weights in each case: below 1 gradients shrink back in time, above they grow."""


@dataclass(frozen=True)
class Derivatives:
    """The largest slope of each squashing function, found on a fine grid by autograd."""

    tanh_peak: float
    tanh_peak_at: float
    sigmoid_peak: float
    sigmoid_peak_at: float


@cache
def derivative_peaks() -> Derivatives:
    x = torch.linspace(-6, 6, 1201, dtype=torch.float64, requires_grad=True)
    peaks = []
    for fn in (torch.tanh, torch.sigmoid):
        (grad,) = torch.autograd.grad(fn(x).sum(), x)
        i = int(grad.argmax())
        peaks += [float(grad[i]), float(x.detach()[i])]
    return Derivatives(*peaks)


@dataclass(frozen=True)
class Clipping:
    """Gradient norms of one linear recurrence, before and after clipping, in one case."""

    case: str
    total_before: float
    total_after: float
    first_step: float
    """‖∂L/∂h_1‖: how much of the loss's gradient reaches the first step."""
    last_step: float
    """‖∂L/∂h_T‖."""
    first_step_after: float

    @property
    def reach(self) -> float:
        """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: clipping scales every gradient alike, so it cannot change this."""
        return self.first_step / self.last_step


def _clipping_case(case: str) -> Clipping:
    """A linear RNN (h_t = W h_{t-1} + x_t) whose W has the case's spectral radius; loss on the last state.

    Linear, so the gradient back in time is exactly W^T applied again and again: it shrinks or grows
    like the radius to the power of the distance, with no saturation to blur the lesson.
    """
    gen = torch.Generator().manual_seed(0)
    hidden = 8
    q, _ = torch.linalg.qr(torch.randn(hidden, hidden, generator=gen, dtype=torch.float64))
    w = nn.Parameter(RADIUS[case] * q)
    xs = torch.randn(CLIP_LENGTH, hidden, generator=gen, dtype=torch.float64)
    h = torch.zeros(hidden, dtype=torch.float64)
    states = []
    for x in xs:
        h = w @ h + x
        h.retain_grad()
        states.append(h)
    loss = states[-1].pow(2).mean()
    loss.backward()
    first, last = float(states[0].grad.norm()), float(states[-1].grad.norm())
    before = float(nn.utils.clip_grad_norm_([w], CLIP_NORM))
    after = float(w.grad.norm())
    scale = after / before
    return Clipping(case, before, after, first, last, first * scale)


@cache
def clipping() -> tuple[Clipping, Clipping]:
    """The vanishing and the exploding case."""
    return _clipping_case("vanishing"), _clipping_case("exploding")


@dataclass(frozen=True)
class CarriedGraph:
    """Two chunks of one sequence through nn.RNN, the first chunk's final state passed to the second."""

    reaches_first_chunk: float
    """‖∂(chunk 2's loss)/∂(chunk 1's input)‖ when the state is passed as it is."""
    detached_grad: bool
    """Whether chunk 1's input gets any gradient once the state is detached (it should not)."""


@cache
def carried_graph() -> CarriedGraph:
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, batch_first=True)
    chunks = torch.randn(2, 1, 5, 3)
    reached = []
    for detach in (False, True):
        first = chunks[0].clone().requires_grad_()
        _, h = rnn(first)
        out, _ = rnn(chunks[1], h.detach() if detach else h)
        out.pow(2).mean().backward()
        reached.append(first.grad)
    return CarriedGraph(float(reached[0].norm()), reached[1] is not None)


@dataclass(frozen=True)
class GruCheck:
    """nn.GRU's states against the update written both ways, over a random sequence."""

    pytorch_convention: float
    """max |difference| with h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}."""
    swapped_convention: float
    """max |difference| with h_t = z ⊙ n + (1 - z) ⊙ h_{t-1}, the form of many texts."""


def _gru_by_hand(gru: nn.GRU, x: torch.Tensor, *, swapped: bool) -> torch.Tensor:
    """The GRU's states from its own weights, step by step, with z on either side of the update."""
    hidden = gru.hidden_size
    w_ir, w_iz, w_in = gru.weight_ih_l0.split(hidden)
    w_hr, w_hz, w_hn = gru.weight_hh_l0.split(hidden)
    b_ir, b_iz, b_in = gru.bias_ih_l0.split(hidden)
    b_hr, b_hz, b_hn = gru.bias_hh_l0.split(hidden)
    h = torch.zeros(hidden)
    states = []
    for xt in x:
        r = torch.sigmoid(w_ir @ xt + b_ir + w_hr @ h + b_hr)
        z = torch.sigmoid(w_iz @ xt + b_iz + w_hz @ h + b_hz)
        n = torch.tanh(w_in @ xt + b_in + r * (w_hn @ h + b_hn))
        h = z * n + (1 - z) * h if swapped else (1 - z) * n + z * h
        states.append(h)
    return torch.stack(states)


@cache
def gru_conventions() -> GruCheck:
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, batch_first=True)
    x = torch.randn(12, 3)
    with torch.no_grad():
        reference = gru(x[None])[0][0]
        pytorch, swapped = (_gru_by_hand(gru, x, swapped=s) for s in (False, True))
    return GruCheck(float((pytorch - reference).abs().max()), float((swapped - reference).abs().max()))


@dataclass(frozen=True)
class ScalerLeak:
    """Standardising a trending series with statistics of all of it, or of the training part only."""

    train_mean: float
    all_mean: float
    honest_error: float
    """Test MSE (original units) of 'predict the scaled mean' when the scaler saw the training part only."""
    leaky_error: float
    """The same prediction when the scaler was fitted on all the data, test part included."""
    points: int
    test_share: float


SCALER_POINTS = 200
SCALER_TEST_SHARE = 0.2


@cache
def scaler_leak() -> ScalerLeak:
    """A predictor that knows nothing (it answers 0 in scaled units, the scaler's mean) looks better
    when the scaler saw the test period: the mean it answers already includes the future."""
    rng = np.random.default_rng(0)
    t = np.arange(SCALER_POINTS)
    series = 10 + 0.05 * t + rng.normal(0, 0.5, SCALER_POINTS)
    cut = int(SCALER_POINTS * (1 - SCALER_TEST_SHARE))
    train, test = series[:cut], series[cut:]

    def test_error(fitted_on: np.ndarray) -> float:
        mean = fitted_on.mean()  # 0 in scaled units, mapped back to the original units
        return float(np.mean((test - mean) ** 2))

    return ScalerLeak(
        train_mean=float(train.mean()),
        all_mean=float(series.mean()),
        honest_error=test_error(train),
        leaky_error=test_error(series),
        points=SCALER_POINTS,
        test_share=SCALER_TEST_SHARE,
    )
