"""Forecasting one series with a recurrent network: windows, splits, scaling, and running ahead.

The network reads a window of past values and predicts the next one. Free running feeds each
prediction back as the newest input, so its own errors become its future inputs; teacher
forcing always gives it the true past, so every prediction is one step ahead. Comparing the two
on the same span shows how much of a long forecast's error is compounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.cells import make_rnn

SPLITS = {
    "random": "Random windows (the seed's way; leaks)",
    "time": "By time: the last 20 % held out",
}
SCALERS = {
    "train": "Training windows only",
    "all": "Whole series, future included (leaks)",
}
GENERATION = {
    "window": "Re-run each window from a zero state (the seed's way)",
    "carry": "Carry the hidden state forward",
}
VAL_SHARE = 0.2


def windows(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``size`` consecutive values (count, size) and the value after each (count,)."""
    count = len(values) - size
    index = np.arange(count)[:, None] + np.arange(size)[None, :]
    return values[index], values[size:]


def split(count: int, mode: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation window indices: a random 80/20 draw, or the last 20 % in time."""
    n_val = math.ceil(VAL_SHARE * count)
    if mode == "random":
        order = rng.permutation(count)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    if mode == "time":
        return np.arange(count - n_val), np.arange(count - n_val, count)
    raise ValueError(f"unknown split {mode!r}")


def neighbour_share(train: np.ndarray, val: np.ndarray) -> float:
    """Share of validation windows with a training window one step away: they share all but one value."""
    taken = np.zeros(max(train.max(initial=0), val.max(initial=0)) + 2, dtype=bool)
    taken[train] = True
    before = taken[np.maximum(val - 1, 0)] & (val > 0)
    after = taken[val + 1]
    return float(np.mean(before | after)) if len(val) else 0.0


@dataclass(frozen=True)
class Scaler:
    """Min-max scaling to [-1, 1], the range where tanh units are neither flat nor saturated."""

    low: float
    high: float

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaler:
        low, high = float(np.min(values)), float(np.max(values))
        if high == low:
            low, high = low - 1.0, high + 1.0
        return cls(low, high)

    @property
    def half_range(self) -> float:
        return (self.high - self.low) / 2

    def scale(self, values: np.ndarray) -> np.ndarray:
        return (values - self.low) / self.half_range - 1

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return (values + 1) * self.half_range + self.low


State = Tensor | tuple[Tensor, Tensor]


class Forecaster(nn.Module):
    """A fused recurrent module reading one value per step, and a linear read-out of the next value."""

    def __init__(self, cell: str, hidden: int, layers: int) -> None:
        super().__init__()
        self.rnn = make_rnn(cell, 1, hidden, layers)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """x (batch, time) -> top-layer hidden states (batch, time, hidden) and the final state."""
        return self.rnn(x.unsqueeze(-1), state)

    def read_out(self, out: Tensor) -> Tensor:
        """Hidden states (..., hidden) -> the predicted next values (...)."""
        return self.head(out).squeeze(-1)

    def predict_next(self, x: Tensor) -> Tensor:
        """x (batch, time) read from a zero state -> the value after each window (batch,)."""
        return self.read_out(self(x)[0][:, -1])


@dataclass(frozen=True)
class Run:
    """Predictions over a span, in scaled units, and the top-layer hidden state behind each one."""

    prediction: np.ndarray
    hidden: np.ndarray
    """(steps, hidden)."""


@torch.no_grad()
def free_run(model: Forecaster, context: np.ndarray, steps: int, mode: str) -> Run:
    """Forecast ``steps`` values after ``context`` (the last window), feeding each prediction back.

    'window' re-reads the latest ``len(context)`` values from a zero state for every prediction,
    exactly as in training. 'carry' reads the context once, then keeps the hidden state and
    feeds one value per step: the network must then run far longer than it was trained to.
    """
    size = len(context)
    hidden = np.empty((steps, model.rnn.hidden_size), dtype=np.float32)
    if mode == "window":
        buffer = torch.empty(size + steps)
        buffer[:size] = torch.from_numpy(context)
        for k in range(steps):
            out, _ = model(buffer[k : k + size].unsqueeze(0))
            last = out[0, -1]
            buffer[size + k] = model.read_out(last)
            hidden[k] = last.numpy()
        return Run(buffer[size:].numpy(), hidden)
    if mode == "carry":
        prediction = np.empty(steps, dtype=np.float32)
        out, state = model(torch.from_numpy(context).unsqueeze(0))
        for k in range(steps):
            last = out[:, -1]
            pred = model.read_out(last)
            prediction[k] = pred[0]
            hidden[k] = last[0].numpy()
            out, state = model(pred.unsqueeze(0), state)
        return Run(prediction, hidden)
    raise ValueError(f"unknown generation mode {mode!r}")


@torch.no_grad()
def teacher_forced(
    model: Forecaster, series: np.ndarray, start: int, steps: int, size: int, mode: str
) -> Run:
    """One-step-ahead predictions of series[start : start + steps], always from the true past.

    'window' reads the true window before each target from a zero state (one batched call);
    'carry' reads the true series continuously from ``start - size``, keeping its hidden state.
    """
    if mode == "window":
        inputs, _ = windows(series[start - size : start + steps], size)
        last = model(torch.from_numpy(inputs))[0][:, -1]
        return Run(model.read_out(last).numpy(), last.numpy())
    if mode == "carry":
        out = model(torch.from_numpy(series[start - size : start + steps - 1]).unsqueeze(0))[0][0, size - 1 :]
        return Run(model.read_out(out).numpy(), out.numpy())
    raise ValueError(f"unknown generation mode {mode!r}")
