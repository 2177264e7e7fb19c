"""Backpropagation through time by hand, in NumPy, for a vanilla tanh cell, checked against autograd.

The page shows this very source next to its numbers: if the hand-written chain rule and
PyTorch's autograd agree to ~1e-15, the gradient pictures are the chain rule and nothing else.

Model, for t = 1..T, with the loss on the last step only:
    a_t = W_xh x_t + W_hh h_{t-1} + b,    h_t = tanh(a_t),
    y_hat = w_y . h_T + b_y,               L = (y_hat - y)^2 / 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch


@dataclass(frozen=True)
class Weights:
    W_xh: np.ndarray
    W_hh: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float


@dataclass(frozen=True)
class Forward:
    h: np.ndarray
    """(T + 1, H): h_0 (zeros) then h_1..h_T."""
    y_hat: float
    loss: float


@dataclass(frozen=True)
class Gradients:
    W_xh: np.ndarray
    W_hh: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    h: np.ndarray
    """(T, H): row t - 1 is dL/dh_t."""

    @property
    def h_norms(self) -> np.ndarray:
        return np.linalg.norm(self.h, axis=1)


def forward(w: Weights, x: np.ndarray, y: float) -> Forward:
    steps, hidden = x.shape[0], w.W_hh.shape[0]
    h = np.zeros((steps + 1, hidden))
    for t in range(1, steps + 1):
        h[t] = np.tanh(w.W_xh @ x[t - 1] + w.W_hh @ h[t - 1] + w.b)
    y_hat = float(w.w_y @ h[steps] + w.b_y)
    return Forward(h=h, y_hat=y_hat, loss=0.5 * (y_hat - y) ** 2)


def backward(w: Weights, x: np.ndarray, y: float, fwd: Forward) -> Gradients:
    steps = x.shape[0]
    h = fwd.h
    dy = fwd.y_hat - y  # dL/dy_hat
    dh = dy * w.w_y  # dL/dh_T: the only place the loss touches the states
    grads = {"W_xh": np.zeros_like(w.W_xh), "W_hh": np.zeros_like(w.W_hh), "b": np.zeros_like(w.b)}
    dh_all = np.zeros((steps, h.shape[1]))
    for t in range(steps, 0, -1):
        dh_all[t - 1] = dh
        da = dh * (1.0 - h[t] ** 2)  # tanh'(a_t) = 1 - tanh(a_t)^2 = 1 - h_t^2
        grads["W_xh"] += np.outer(da, x[t - 1])  # the same W at every step: contributions add up
        grads["W_hh"] += np.outer(da, h[t - 1])
        grads["b"] += da
        dh = w.W_hh.T @ da  # one Jacobian back: dL/dh_{t-1} = W_hh^T (tanh'(a_t) * dL/dh_t)
    return Gradients(w_y=dy * h[steps], b_y=dy, h=dh_all, **grads)


def autograd_gradients(w: Weights, x: np.ndarray, y: float) -> Gradients:
    """The same gradients from PyTorch's autograd, in float64, as the reference."""
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in vars(w).items()}
    xs = torch.tensor(x, dtype=torch.float64)
    h = torch.zeros(w.W_hh.shape[0], dtype=torch.float64)
    hs = []
    for t in range(x.shape[0]):
        h = torch.tanh(params["W_xh"] @ xs[t] + params["W_hh"] @ h + params["b"])
        hs.append(h)
    loss = 0.5 * (params["w_y"] @ h + params["b_y"] - y) ** 2
    found = torch.autograd.grad(loss, [*params.values(), *hs])
    named = dict(zip(params, found[: len(params)], strict=True))
    return Gradients(
        **{k: v.numpy() if v.ndim else float(v) for k, v in named.items()},
        h=torch.stack(found[len(params) :]).numpy(),
    )


def max_differences(a: Gradients, b: Gradients) -> dict[str, float]:
    """Largest |a - b| per parameter (and for the hidden-state gradients)."""
    return {
        name: float(np.max(np.abs(np.asarray(getattr(a, name)) - np.asarray(getattr(b, name)))))
        for name in ("W_xh", "W_hh", "b", "w_y", "b_y", "h")
    }


def weights_from(rnn: torch.nn.RNN, head: torch.nn.Linear) -> Weights:
    """A trained (or fresh) one-layer tanh module and its read-out, as float64 NumPy arrays."""
    grab = lambda t: t.detach().double().numpy().copy()
    return Weights(
        W_xh=grab(rnn.weight_ih_l0),
        W_hh=grab(rnn.weight_hh_l0),
        b=grab(rnn.bias_ih_l0 + rnn.bias_hh_l0),
        w_y=grab(head.weight[0]),
        b_y=float(head.bias.detach()[0]),
    )


BY_HAND_STEPS = 5
"""BPTT by hand runs on the first steps of one sequence: short enough to read every number."""

DIFFERENCE_NAMES = {"h": "∂L/∂h_t, every step"}
"""Row names of the check that are not a parameter's name."""

DIFFERENCE_COLUMN = "largest |by hand − autograd|"


@dataclass(frozen=True)
class ByHand:
    """The hand-written gradients of one short sequence beside autograd's."""

    steps: int
    forward: Forward
    hand: Gradients
    autograd: Gradients
    max_difference: dict[str, float]


def check(rnn: torch.nn.RNN, head: torch.nn.Linear, x: np.ndarray, y: float) -> ByHand:
    """Differentiate the first BY_HAND_STEPS steps of sequence ``x`` both ways and compare."""
    steps = min(BY_HAND_STEPS, len(x))
    weights = weights_from(rnn, head)
    xs = x[:steps].astype(np.float64)
    fwd = forward(weights, xs, y)
    hand = backward(weights, xs, y, fwd)
    auto = autograd_gradients(weights, xs, y)
    return ByHand(steps, fwd, hand, auto, max_differences(hand, auto))


def norms_table(by_hand: ByHand) -> pd.DataFrame:
    """‖∂L/∂h_t‖ per step, by hand and by autograd."""
    return pd.DataFrame(
        {
            "step t": range(1, by_hand.steps + 1),
            "‖∂L/∂h_t‖ by hand": by_hand.hand.h_norms,
            "‖∂L/∂h_t‖ autograd": by_hand.autograd.h_norms,
        }
    )


def differences_table(by_hand: ByHand) -> pd.DataFrame:
    """The largest disagreement per parameter: float64 rounding when the chain rule is right."""
    return pd.DataFrame(
        {
            "gradient": [DIFFERENCE_NAMES.get(k, k) for k in by_hand.max_difference],
            DIFFERENCE_COLUMN: list(by_hand.max_difference.values()),
        }
    )
