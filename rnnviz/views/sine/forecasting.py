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
from torch.nn import functional as F

from rnnviz.core.cells import make_rnn

VAL_SHARE = 0.2
SPLITS = {
    "auto": "Random windows for synthetic signals, by time for real data",
    "random": "Random windows from the whole training span (leaks)",
    "time": f"By time: the last {VAL_SHARE:.0%} held out",
}
SCALERS = {
    "train": "Training windows only",
    "all": "Whole series, future included (leaks)",
}
GENERATION = {
    "auto": "As trained: each window re-read after one-step training, the state carried after rollouts",
    "window": "Re-run each window from a zero state, as one-step training reads it",
    "carry": "Carry the hidden state forward, as rollouts train it",
}
MODES = ("window", "carry")
"""The generation modes a forecast is computed in ('auto' picks one of them)."""
OBJECTIVES = {
    "auto": "Free-running rollouts for real data, one step ahead for synthetic signals",
    "one_step": "One step ahead (teacher forcing)",
    "rollout": "Free-running rollouts of k steps",
}
ROLLOUT_GROWTH = 0.5
"""Rollouts grow from one step to the longest over this share of training: short ones first, while the
network's own predictions are still poor inputs."""
MAX_FULL_BATCH_VALUES = 9000
"""A full-batch step reads at most this many values (windows x window length): the sine's 587 windows of 15
all fit; longer spans or windows draw as many windows as fit afresh each epoch, since a step over CO₂'s 1,400
windows of a season would take most of a second."""


def full_batch(count: int, window: int) -> int:
    """Windows in one full-batch step: all of them, or as many as MAX_FULL_BATCH_VALUES allows."""
    return max(1, min(count, MAX_FULL_BATCH_VALUES // window))


ROLLOUT_BATCH = 64
"""Rollouts per Adam step when the batch is 'full': a full batch of long rollouts costs too much per step."""
LEARN = {
    "auto": "Values if the stationarity tests find the series stationary, else changes (over a season if "
    "there is one)",
    "values": "Values",
    "changes": "Changes from one step to the next (a trend becomes a constant)",
    "season": "Changes over one season (removes the trend and the season)",
}


def changes(values: np.ndarray, lag: int) -> np.ndarray:
    """Row t minus row t - lag, same length: the first ``lag`` changes are unknown, taken equal to the next ones.

    A network that reads and predicts changes needs no value beyond the training range to follow
    a trend, which min-max scaling of the values themselves cannot give it; over a whole season,
    the seasonal swing cancels too and what is left is the slow change from one year to the next.
    """
    step = values[lag:] - values[:-lag]
    return np.concatenate([step[:lag], step])


def to_values(predicted: np.ndarray, known: np.ndarray, lag: int, *, chained: bool) -> np.ndarray:
    """Predictions of the learned quantity (target's units) -> predicted values of the target.

    Learning values (``lag`` 0), they are the values. Learning changes over ``lag`` steps, each is
    added to the value ``lag`` steps before it: the true one when ``chained`` is False (one step
    ahead, ``known`` holds those values, one per prediction), or, free running, the observed value
    if it lies before the forecast and the forecast's own earlier value if not (``known`` holds
    the last ``lag`` observed values).
    """
    if lag == 0:
        return predicted
    if not chained:
        return known + predicted
    out = np.concatenate([np.asarray(known, dtype=float), np.zeros(len(predicted))])
    for k, change in enumerate(predicted):
        out[lag + k] = out[k] + change
    return out[lag:]


def windows(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``size`` consecutive rows (count, size, ...) and the row after each (count, ...)."""
    count = len(values) - size
    index = np.arange(count)[:, None] + np.arange(size)[None, :]
    return values[index], values[size:]


def split(count: int, mode: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation window indices: a random 80/20 draw, or the last 20 % in time.

    'auto' is resolved by the caller (random for synthetic signals, by time for real data).
    """
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
    """Min-max scaling of each column to [-1, 1], the range where tanh units are neither flat nor saturated.

    ``low`` and ``high`` hold one value per column (index 0 is the target); a flat column gets
    a range of 2 around its value, so it scales to 0 instead of dividing by zero.
    """

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaler:
        low, high = np.min(values, axis=0).astype(float), np.max(values, axis=0).astype(float)
        flat = high == low
        return cls(np.where(flat, low - 1.0, low), np.where(flat, high + 1.0, high))

    @property
    def half_range(self) -> np.ndarray:
        return (self.high - self.low) / 2

    def scale(self, values: np.ndarray) -> np.ndarray:
        return (values - self.low) / self.half_range - 1

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return (values + 1) * self.half_range + self.low


State = Tensor | tuple[Tensor, Tensor]


class Forecaster(nn.Module):
    """A fused recurrent module reading ``features`` values per step, and a linear read-out of the next ones.

    With several input columns it predicts every one of them (the target is column 0), so that
    running ahead it can feed back a whole row and never needs the future of any column.
    """

    def __init__(self, cell: str, hidden: int, layers: int, features: int = 1, window: int = 1) -> None:
        super().__init__()
        self.window = window
        """Values read before each prediction in 'window' generation."""
        self.rnn = make_rnn(cell, features, hidden, layers)
        self.head = nn.Linear(hidden, features)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """x (batch, time, features) -> top-layer hidden states (batch, time, hidden) and the final state."""
        return self.rnn(x, state)

    def read_out(self, out: Tensor) -> Tensor:
        """Hidden states (..., hidden) -> the predicted next rows (..., features).

        The head's own linear map, called without the module's hooks: a free run reads out one row at a
        time, thousands of times, and the module call cost as much as the map."""
        return F.linear(out, self.head.weight, self.head.bias)

    def predict_next(self, x: Tensor) -> Tensor:
        """x (batch, time, features) read from a zero state -> the row after each window (batch, features)."""
        return self.read_out(self(x)[0][:, -1])

    def step(
        self,
        x: Tensor,
        state: list[Tensor] | list[tuple[Tensor, Tensor]],
        weights: list[list[Tensor]] | None = None,
    ) -> Tensor:
        """One step of every layer on x (batch, features), ``state`` updated in place; the top hidden state.

        torch's cell functions on the fused module's own weights: a fused call per step costs half as much
        again, and a rollout is hundreds of single steps. A loop passes ``weights`` (``rnn.all_weights``,
        looked up once): looking them up costs about as much as a small layer's step.
        """
        cell = _STEP[self.rnn.mode]
        for layer, layer_weights in enumerate(weights if weights is not None else self.rnn.all_weights):
            state[layer] = cell(x, state[layer], *layer_weights)
            x = state[layer][0] if self.rnn.mode == "LSTM" else state[layer]
        return x

    def layer_states(self, final: State) -> list:
        """A fused module's final state -> one state per layer, as :meth:`step` takes it."""
        if isinstance(final, tuple):
            return list(zip(final[0], final[1], strict=True))
        return list(final)

    def rollout(self, warm: Tensor, steps: int) -> tuple[Tensor, Tensor]:
        """Read ``warm`` (batch, time, features) from a zero state, then run ``steps`` rows ahead, each
        prediction fed back as the next input, differentiable through the loop.

        Returns the one-step predictions of warm[:, 1:] made while reading it (batch, time - 1, features)
        and the rows ahead (batch, steps, features).
        """
        out, final = self(warm)
        state = self.layer_states(final)
        weights = self.rnn.all_weights
        prediction = self.read_out(out[:, -1])
        predictions = [prediction]
        for _ in range(steps - 1):
            prediction = self.read_out(self.step(prediction, state, weights))
            predictions.append(prediction)
        return self.read_out(out[:, :-1]), torch.stack(predictions, dim=1)


_STEP = {
    "RNN_TANH": torch.rnn_tanh_cell,
    "RNN_RELU": torch.rnn_relu_cell,
    "GRU": torch.gru_cell,
    "LSTM": torch.lstm_cell,
}
"""One step of a layer by the fused module's mode, on the module's weights."""


def rollout_length(step: int, total: int, longest: int) -> int:
    """Steps in the rollouts of training step ``step`` (1-based) of ``total``: growing to ``longest``."""
    return max(1, min(longest, math.ceil(longest * step / max(1.0, ROLLOUT_GROWTH * total))))


@dataclass(frozen=True)
class Run:
    """Predictions over a span, in scaled units, and the top-layer hidden state behind each one."""

    prediction: np.ndarray
    """(steps, features)."""
    hidden: np.ndarray
    """(steps, hidden)."""


@torch.inference_mode()
def free_run(model: Forecaster, context: np.ndarray, steps: int, mode: str) -> Run:
    """Forecast ``steps`` rows after ``context`` (the last window, (size, features)), feeding each prediction back.

    'window' re-reads the latest ``len(context)`` values from a zero state for every prediction,
    exactly as in training. 'carry' reads the context once, then keeps the hidden state and
    feeds one value per step: the network must then run far longer than it was trained to.
    """
    if mode == "window":
        prediction, hidden = _sliding(model, torch.from_numpy(context).unsqueeze(0), steps)
        return Run(prediction[0].numpy(), hidden[0].numpy())
    if mode == "carry":
        hidden = np.empty((steps, model.rnn.hidden_size), dtype=np.float32)
        prediction = np.empty((steps, context.shape[1]), dtype=np.float32)
        out, final = model(torch.from_numpy(context).unsqueeze(0))
        state = model.layer_states(final)
        weights = model.rnn.all_weights
        last = out[:, -1]
        for k in range(steps):
            pred = model.read_out(last)
            prediction[k] = pred[0].numpy()
            hidden[k] = last[0].numpy()
            if k + 1 < steps:
                last = model.step(pred, state, weights)
        return Run(prediction, hidden)
    raise ValueError(f"unknown generation mode {mode!r}")


def _sliding(model: Forecaster, contexts: Tensor, steps: int) -> tuple[Tensor, Tensor]:
    """'window' generation from several origins: contexts (origins, size, features) -> the predicted rows
    (origins, steps, features) and the top hidden state behind each (origins, steps, hidden).

    Each prediction reads the latest ``size`` values from a zero state. Re-reading them costs ``size``
    sequential steps per prediction; instead the ``size`` windows that will read a new value all step on it
    at once, as one batch: window ``w`` (which predicts row ``w + size``) lives in slot ``w % size`` and
    starts from zeros when the slot's previous window has made its prediction. The same cell steps on the
    same numbers, in one call per layer instead of ``size``.
    """
    origins, size, features = contexts.shape
    slots = size * origins

    def zeros() -> Tensor:
        return torch.zeros(slots, model.rnn.hidden_size)

    lstm = model.rnn.mode == "LSTM"
    state = [(zeros(), zeros()) if lstm else zeros() for _ in range(model.rnn.num_layers)]
    weights = model.rnn.all_weights

    def restart(slot: int) -> None:
        rows = slice(slot * origins, (slot + 1) * origins)
        for layer in state:
            for part in layer if lstm else (layer,):
                part[rows] = 0

    inputs = torch.empty(size, origins, features)

    def read(row: Tensor) -> Tensor:
        """Every window steps on ``row`` (origins, features); the top hidden state of every slot."""
        inputs.copy_(row.expand(size, origins, features))
        return model.step(inputs.view(slots, features), state, weights)

    for position in range(size):
        restart(position)
        top = read(contexts[:, position])
    predictions = torch.empty(origins, steps, features)
    hidden = torch.empty(origins, steps, model.rnn.hidden_size)
    for k in range(steps):
        slot = k % size
        hidden[:, k] = top[slot * origins : (slot + 1) * origins]
        predictions[:, k] = model.read_out(hidden[:, k])
        if k + 1 < steps:
            restart(slot)
            top = read(predictions[:, k])
    return predictions, hidden


@torch.inference_mode()
def teacher_forced(
    model: Forecaster, series: np.ndarray, start: int, steps: int, size: int, mode: str
) -> Run:
    """One-step-ahead predictions of the rows series[start : start + steps], always from the true past.

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


@torch.inference_mode()
def free_run_many(model: Forecaster, contexts: np.ndarray, steps: int, mode: str) -> np.ndarray:
    """:func:`free_run` from several origins at once: contexts (origins, size, features) -> predictions
    (origins, steps, features), without the hidden states."""
    if mode == "window":
        return _sliding(model, torch.from_numpy(contexts), steps)[0].numpy()
    if mode == "carry":
        return model.rollout(torch.from_numpy(contexts), steps)[1].numpy()
    raise ValueError(f"unknown generation mode {mode!r}")
