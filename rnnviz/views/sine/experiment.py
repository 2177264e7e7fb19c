"""Experiment ``sine``: learn a signal from sliding windows, then forecast it by feeding predictions back."""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import CELLS
from rnnviz.core.config import learning_rate_param, param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.sine import signals
from rnnviz.views.sine.forecasting import (
    GENERATION,
    SCALERS,
    SPLITS,
    Forecaster,
    Scaler,
    free_run,
    neighbour_share,
    split,
    teacher_forced,
    windows,
)
from rnnviz.views.sine.series import UserSeries, read_series

T_END = 75.0
"""Built-in signals are learned on t in [0, 75) s, as in the seed."""
MAX_HORIZON = 1000
OWN_FUTURE_SHARE = 0.2
"""Of a visitor's own series, the last 20 % is kept back as the future the forecast is scored on."""
MIN_TRAIN_WINDOWS = 10
HORIZONS = (100, 300, 1000)
"""Steps over which the JSON reports the forecast's mean squared error."""
VAL_POINTS = 25
"""About this many validation losses per training: enough for the live chart, cheap to compute."""
BATCHES = {
    "16": "16",
    "32": "32",
    "64": "64",
    "128": "128 (the seed's)",
    "256": "256",
    "full": "All training windows (full batch)",
}


@dataclass(frozen=True)
class SineConfig:
    signal: str = param(
        "sine", label="Signal", help="What the network learns to continue.", choices=signals.SIGNALS
    )
    noise: float = param(
        0.0,
        label="Noise level",
        help="Gaussian measurement noise added to the observed signal, as a share of the signal's own "
        "standard deviation. Forecasts are scored against the clean signal.",
        min=0.0,
        max=0.5,
        step=0.01,
    )
    series: str = param(
        "",
        label="Pasted numbers",
        help="Your own series: numbers separated by commas, spaces or line breaks (at least 20).",
        max_chars=10_000,
        multiline=True,
    )
    dt: float = param(
        0.1,
        label="Time step dt",
        help="Seconds between samples. For your own series it only labels the time axis.",
        min=0.02,
        max=0.5,
        step=0.01,
        unit="s",
    )
    window: int = param(
        15,
        label="Window",
        help="Past values the network reads before predicting the next one.",
        min=1,
        max=60,
        unit="steps",
    )
    split: str = param(
        "random",
        label="Validation split",
        help="Which windows are held out to measure the error on data the network did not train on.",
        choices=SPLITS,
    )
    scaler: str = param(
        "train",
        label="Scaler fitted on",
        help="Values are scaled to [-1, 1] with a minimum and maximum taken from this data.",
        choices=SCALERS,
    )
    cell: str = param("rnn", label="Cell", help="The recurrent cell type.", choices=CELLS)
    hidden: int = param(
        10, label="Hidden size", help="Units in each hidden state.", min=1, max=64, unit="units"
    )
    layers: int = param(1, label="Layers", help="Stacked recurrent layers.", min=1, max=3)
    epochs: int = param(
        300,
        label="Epochs",
        help="Passes over the training windows; with a full batch, one Adam step each. The seed used "
        "50 epochs of batch 128 (250 steps).",
        min=1,
        max=500,
    )
    batch: str = param(
        "full",
        label="Batch size",
        help="Windows per Adam step. Full batch takes one exact gradient step per epoch.",
        choices=BATCHES,
    )
    lr: float = learning_rate_param(
        0.03,
        help="Adam's step size. The seed used 0.01 with 250 noisy minibatch steps; 300 exact full-batch "
        "steps get further with 0.03.",
    )
    clip: bool = param(True, label="Clip gradients", help="Rescale any gradient longer than the max-norm.")
    max_norm: float = param(
        1.0,
        label="Max-norm",
        help="Longest gradient (global L2 norm) an Adam step may use when clipping is on.",
        choices=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
        log=True,
    )
    seed: int = seed_param(42, help="Seeds the weights, the split, the batches and the noise.")
    horizon: int = param(
        1000,
        label="Forecast horizon",
        help="Steps the network forecasts by feeding its predictions back.",
        min=100,
        max=MAX_HORIZON,
        step=100,
        unit="steps",
        role="view",
    )
    generation: str = param(
        "window",
        label="Generation",
        help="How the network runs ahead: each window read afresh, or one hidden state carried on.",
        choices=GENERATION,
        role="view",
    )


def without_unused(cfg: SineConfig) -> SineConfig:
    """The Config with settings that do not apply reset to their defaults.

    Pasted numbers matter only for the visitor's own series and the max-norm only when clipping,
    so editing them otherwise must not retrain (they key the result cache).
    """
    unused = {}
    if cfg.signal != "own":
        unused["series"] = SineConfig.series
    if not cfg.clip:
        unused["max_norm"] = SineConfig.max_norm
    return dataclasses.replace(cfg, **unused)


@dataclass(frozen=True)
class Forecast:
    """One generation mode over the future, in the signal's units."""

    free: np.ndarray
    """Free running: each prediction is fed back as the next input."""
    teacher: np.ndarray
    """Teacher forced: one step ahead from the true (observed) past."""
    hidden: np.ndarray
    """(steps, hidden): top-layer state behind each free-running prediction."""


@dataclass(frozen=True)
class SineResult:
    signal: str
    """The built-in signal used, or 'own'."""
    source: str
    dt: float
    observed: np.ndarray
    """What the network may read: the training span, then the future as it will be observed (noise included)."""
    truth: np.ndarray
    """The clean signal over the same samples: what forecasts are scored against."""
    n_train: int
    window: int
    train_windows: np.ndarray
    val_windows: np.ndarray
    scaler: Scaler
    train_range: tuple[float, float]
    """Smallest and largest value in the training windows."""
    whole_range: tuple[float, float]
    """Smallest and largest value anywhere, the future included."""
    neighbour_share: float
    history: History
    train_mse: float
    val_mse: float
    """One-step errors on the training and validation windows."""
    forecasts: dict[str, Forecast]
    """Per generation mode (see forecasting.GENERATION)."""
    notes: tuple[str, ...]

    @property
    def future(self) -> np.ndarray:
        return self.truth[self.n_train :]

    @property
    def time(self) -> np.ndarray:
        return np.arange(len(self.truth)) * self.dt

    def period_steps(self) -> float | None:
        """Samples per cycle of a built-in signal; unknown for a visitor's series."""
        return None if self.signal == "own" else signals.period(self.signal) / self.dt


@dataclass(frozen=True)
class _Series:
    signal: str
    source: str
    observed: np.ndarray
    truth: np.ndarray
    n_train: int
    notes: tuple[str, ...]


def _built_in(cfg: SineConfig, name: str, rng: np.random.Generator, notes: list[str]) -> _Series:
    n_train = round(T_END / cfg.dt)
    clean = signals.built_in(name, np.arange(n_train + MAX_HORIZON) * cfg.dt)
    observed = signals.add_noise(clean, cfg.noise, rng)
    return _Series(name, signals.SIGNALS[name], observed, clean, n_train, tuple(notes))


def load_series(cfg: SineConfig, rng: np.random.Generator, upload: UserSeries | None) -> _Series:
    """The series to learn: a built-in signal, or the visitor's own (falling back to the sine, with reasons)."""
    if cfg.signal != "own":
        notes = (
            [f"A file was given but the signal is {signals.SIGNALS[cfg.signal]}; it is not used."]
            if upload
            else []
        )
        return _built_in(cfg, cfg.signal, rng, notes)
    if upload is not None:
        user = upload
    elif cfg.series.strip():
        user = read_series(cfg.series, "pasted numbers")
    else:
        return _built_in(
            cfg, "sine", rng, ["Paste numbers or upload a CSV file to use your own series; showing the sine."]
        )
    notes = list(user.notes)
    if not user.ok:
        return _built_in(cfg, "sine", rng, [*notes, "Showing the sine instead."])
    n_future = max(1, round(OWN_FUTURE_SHARE * len(user.values)))
    n_train = len(user.values) - n_future
    needed = cfg.window + 1 + MIN_TRAIN_WINDOWS
    if n_train < needed:
        notes.append(
            f"With a window of {cfg.window}, training needs at least {needed} values before the last "
            f"{OWN_FUTURE_SHARE:.0%} (kept back as the future); this series has {n_train}. "
            "Shorten the window or add values. Showing the sine instead."
        )
        return _built_in(cfg, "sine", rng, notes)
    observed = signals.add_noise(user.values, cfg.noise, rng)
    return _Series("own", user.name, observed, user.values.astype(float), n_train, tuple(notes))


def _batches(count: int, size: int, epochs: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Window indices for each Adam step: a fresh shuffle every epoch, as a DataLoader would."""
    for _ in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, size):
            yield order[start : start + size]


def _mse(prediction: np.ndarray, target: np.ndarray) -> float:
    with np.errstate(over="ignore"):
        return float(np.mean((prediction.astype(float) - target) ** 2))


def _forecast(
    model: Forecaster, scaler: Scaler, scaled: np.ndarray, n_train: int, steps: int, mode: str, size: int
) -> Forecast:
    free = free_run(model, scaled[n_train - size : n_train], steps, mode)
    teacher = teacher_forced(model, scaled, n_train, steps, size, mode)
    return Forecast(scaler.unscale(free.prediction), scaler.unscale(teacher.prediction), free.hidden)


def run(
    cfg: SineConfig, on_progress: ProgressFn | None = None, upload: UserSeries | None = None
) -> SineResult:
    """Window the training span, split and scale it, train, then forecast the future both ways.

    Every error is in the signal's own units and against the clean signal, so one-step,
    validation and forecast errors can be compared directly.
    """
    rng = seed_everything(cfg.seed)
    data = load_series(cfg, rng, upload)
    n_train, size = data.n_train, cfg.window

    # The seed builds its windows with range(len(data) - window - 1): the last value is never a
    # target. Kept, so that the default has the seed's 734 windows.
    count = n_train - 1 - size
    clean_targets = data.truth[size : n_train - 1]
    train_idx, val_idx = split(count, cfg.split, rng)
    covered = np.zeros(n_train, dtype=bool)
    for offset in range(size + 1):
        covered[train_idx + offset] = True
    train_values = data.observed[:n_train][covered]
    scaler = Scaler.fit(
        train_values if cfg.scaler == "train" else np.concatenate([data.observed, data.truth])
    )

    scaled = scaler.scale(data.observed).astype(np.float32)
    inputs, targets = (torch.from_numpy(a) for a in windows(scaled[: n_train - 1], size))
    x_train, y_train = inputs[train_idx], targets[train_idx]
    x_val, y_val = inputs[val_idx], targets[val_idx]

    model = Forecaster(cfg.cell, cfg.hidden, cfg.layers)
    batch = len(train_idx) if cfg.batch == "full" else min(int(cfg.batch), len(train_idx))
    per_epoch = math.ceil(len(train_idx) / batch)
    total = cfg.epochs * per_epoch

    def loss_fn(index: np.ndarray) -> torch.Tensor:
        return nn.functional.mse_loss(model.predict_next(x_train[index]), y_train[index])

    def val_loss() -> float:
        return float(nn.functional.mse_loss(model.predict_next(x_val), y_val))

    history = fit(
        model,
        loss_fn,
        _batches(len(train_idx), batch, cfg.epochs, rng),
        total_steps=total,
        lr=cfg.lr,
        clip=cfg.max_norm if cfg.clip else None,
        val_fn=val_loss,
        val_every=max(per_epoch, total // VAL_POINTS),
        on_progress=on_progress,
        report_every_s=0.25,
        budget_s=TRAINING_BUDGET_S,
    )

    with torch.no_grad():
        fitted = model.predict_next(inputs).numpy()
    fitted_raw = scaler.unscale(fitted)
    steps = min(MAX_HORIZON, len(data.truth) - n_train)
    forecasts = {mode: _forecast(model, scaler, scaled, n_train, steps, mode, size) for mode in GENERATION}
    return SineResult(
        signal=data.signal,
        source=data.source,
        dt=cfg.dt,
        observed=data.observed,
        truth=data.truth,
        n_train=n_train,
        window=size,
        train_windows=train_idx,
        val_windows=val_idx,
        scaler=scaler,
        train_range=(float(train_values.min()), float(train_values.max())),
        whole_range=(
            float(min(data.observed.min(), data.truth.min())),
            float(max(data.observed.max(), data.truth.max())),
        ),
        neighbour_share=neighbour_share(train_idx, val_idx),
        history=history,
        train_mse=_mse(fitted_raw[train_idx], clean_targets[train_idx]),
        val_mse=_mse(fitted_raw[val_idx], clean_targets[val_idx]),
        forecasts=forecasts,
        notes=data.notes,
    )


def forecast_mse(res: SineResult, generation: str, steps: int) -> float:
    """MSE of the free-running forecast over its first ``steps`` steps (all of them, if the future is shorter)."""
    steps = min(steps, len(res.future))
    return _mse(res.forecasts[generation].free[:steps], res.future[:steps])


def one_step_mse(res: SineResult, generation: str, steps: int) -> float:
    """MSE of the teacher-forced predictions over the same steps: the honest one-step error."""
    steps = min(steps, len(res.future))
    return _mse(res.forecasts[generation].teacher[:steps], res.future[:steps])


def forecast_errors(res: SineResult, generation: str, horizon: int) -> dict[str, float]:
    """Forecast MSE over the first 100, 300 and 1,000 steps, as far as the horizon reaches."""
    steps = min(horizon, len(res.future))
    return {f"extrap_mse_{k}": forecast_mse(res, generation, k) for k in HORIZONS if k <= steps}


def report(cfg: SineConfig, res: SineResult) -> dict:
    steps = min(cfg.horizon, len(res.future))
    out = {
        "metrics": {
            "train_seconds": res.history.seconds,
            "val_mse": res.val_mse,
            **forecast_errors(res, cfg.generation, cfg.horizon),
        },
        "prediction": res.forecasts[cfg.generation].free[:steps],
        "truth": res.future[:steps],
    }
    if res.notes:
        out["notes"] = list(res.notes)
    return out


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    def csv_file(path: str) -> UserSeries:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise argparse.ArgumentTypeError(f"cannot read {path}: {err.strerror}") from err
        return read_series(data, Path(path).name)

    parser.add_argument(
        "--csv",
        dest="upload",
        type=csv_file,
        metavar="PATH",
        help="your own series as a CSV file (with --signal own); its last numeric column is used",
    )


EXPERIMENT = Experiment(
    name="sine",
    title="Sine extrapolation",
    config=SineConfig,
    run=run,
    report=report,
    description="Train on sliding windows of a signal, then forecast by feeding predictions back.",
    add_arguments=_add_arguments,
    normalise=without_unused,
)
