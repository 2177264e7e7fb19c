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

from rnnviz.core.config import (
    cell_param,
    epochs_param,
    hidden_param,
    layers_param,
    learning_rate_param,
    param,
    seed_param,
    view_param,
)
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.sine import baselines, datasets, signals
from rnnviz.views.sine.forecasting import (
    GENERATION,
    LEARN,
    SCALERS,
    SPLITS,
    Forecaster,
    Scaler,
    changes,
    free_run,
    neighbour_share,
    split,
    teacher_forced,
    to_values,
    windows,
)
from rnnviz.views.sine.series import UserSeries, read_series
from rnnviz.views.sine.sources import AUTO_INPUTS, MAX_HORIZON, NO_INPUTS, TABLE_SIGNALS, Series, load

CAPTURE_STEPS = 20
"""Free-running steps forecast at each training snapshot: the film of the forecast locking on.
Each step is one call of the network, so this is what keeps capture within 15 % of training."""
HORIZONS = (100, 300, 1000)
"""Steps over which the JSON reports the forecast's mean squared error."""
VAL_POINTS = 25
"""About this many validation losses per training: enough for the live chart, cheap to compute."""
BATCHES = {
    "16": "16",
    "32": "32",
    "64": "64",
    "128": "128 (the tutorial's)",
    "256": "256",
    "full": "All training windows (full batch)",
}


@dataclass(frozen=True)
class SineConfig:
    signal: str = param("sine", "Signal", "What the network learns to continue.", choices=signals.SIGNALS)
    noise: float = param(
        0.0,
        "Noise level",
        "Gaussian measurement noise added to the observed signal, as a share of the signal's own "
        "standard deviation. Forecasts are scored against the clean signal.",
        min=0.0,
        max=0.5,
        step=0.01,
    )
    series: str = param(
        "",
        "Pasted numbers",
        "Your own series: numbers separated by commas, spaces or line breaks (at least 20).",
        max_chars=10_000,
        multiline=True,
    )
    target: str = param(
        "",
        "Target column",
        "The column to forecast, by name. Empty: the data set's own (US macro: gdp_growth; a file: "
        "its last column of numbers that varies).",
        max_chars=40,
    )
    inputs: str = param(
        AUTO_INPUTS,
        "Extra input columns",
        f"Columns the network reads beside the target, comma-separated; it predicts them too, so that "
        f"it can run ahead on its own. '{AUTO_INPUTS}': the data set's suggestion (US macro: infl, unemp); "
        f"'{NO_INPUTS}': the target alone.",
        max_chars=200,
    )
    dt: float = param(
        0.1,
        "Time step dt",
        "Seconds between samples of a synthetic signal. For your own series it only labels the time axis.",
        min=0.02,
        max=0.5,
        step=0.01,
        unit="s",
    )
    window: int = param(
        15,
        "Window",
        "Past values the network reads before predicting the next one.",
        min=1,
        max=60,
        unit="steps",
    )
    split: str = param(
        "auto",
        "Validation split",
        "Which windows are held out to measure the error on data the network did not train on.",
        choices=SPLITS,
    )
    learn: str = param(
        "auto",
        "Network learns",
        "What the network reads and predicts. Changes turn a trend into a constant, which a network "
        "scaled on the training span can continue; forecasts are added back up to values.",
        choices=LEARN,
    )
    scaler: str = param(
        "train",
        "Scaler fitted on",
        "Values are scaled to [-1, 1] with a minimum and maximum taken from this data.",
        choices=SCALERS,
    )
    cell: str = cell_param("rnn")
    hidden: int = hidden_param(10, max=64)
    layers: int = layers_param(1, max=3)
    epochs: int = epochs_param(
        300,
        help="Passes over the training windows; with a full batch, one Adam step each. The tutorial's "
        "pipeline used 50 epochs of batch 128 (250 steps).",
        max=500,
    )
    batch: str = param(
        "full",
        "Batch size",
        "Windows per Adam step. Full batch takes one exact gradient step per epoch.",
        choices=BATCHES,
    )
    lr: float = learning_rate_param(
        0.03,
        help="Adam's step size. The tutorial's pipeline used 0.01 with 250 noisy minibatch steps; 300 "
        "exact full-batch steps get further with 0.03.",
    )
    clip: bool = param(True, "Clip gradients", "Rescale any gradient longer than the max-norm.")
    max_norm: float = param(
        1.0,
        "Max-norm",
        "Longest gradient (global L2 norm) an Adam step may use when clipping is on.",
        choices=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
        log=True,
    )
    seed: int = seed_param(42, help="Seeds the weights, the split, the batches and the noise.")
    season: int = param(
        0,
        "Season length",
        "Steps per season for the seasonal-naive baseline (it repeats the last season). 0: detect it "
        "from the training span's autocorrelation.",
        min=0,
        max=baselines.MAX_SEASON,
        unit="steps",
    )
    horizon: int = view_param(
        1000,
        "Forecast horizon",
        "Steps the network forecasts by feeding its predictions back.",
        min=100,
        max=MAX_HORIZON,
        step=100,
        unit="steps",
    )
    generation: str = view_param(
        "window",
        "Generation",
        "How the network runs ahead: each window read afresh, or one hidden state carried on.",
        choices=GENERATION,
    )


def without_unused(cfg: SineConfig) -> SineConfig:
    """The Config with settings that do not apply reset to their defaults.

    Pasted numbers matter only for the visitor's own series, columns only for data with several,
    the time step only for synthetic signals and own series, and the max-norm only when clipping,
    so editing them otherwise must not retrain (they key the result cache).
    """
    unused = {}
    if cfg.signal != "own":
        unused["series"] = SineConfig.series
    if cfg.signal not in TABLE_SIGNALS:
        unused["target"], unused["inputs"] = SineConfig.target, SineConfig.inputs
    if cfg.signal in datasets.REAL:
        unused["dt"] = SineConfig.dt
    if not cfg.clip:
        unused["max_norm"] = SineConfig.max_norm
    return dataclasses.replace(cfg, **unused)


@dataclass(frozen=True)
class Forecast:
    """One generation mode over the future, in the target's units."""

    free: np.ndarray
    """Free running: each prediction is fed back as the next input."""
    teacher: np.ndarray
    """Teacher forced: one step ahead from the true (observed) past."""
    hidden: np.ndarray
    """(steps, hidden): top-layer state behind each free-running prediction."""


@dataclass(frozen=True)
class SineResult:
    data: Series
    dt: float
    window: int
    train_windows: np.ndarray
    val_windows: np.ndarray
    scaler: Scaler
    """Per column; index 0 is the target."""
    train_range: tuple[float, float]
    """Smallest and largest target value in the training windows."""
    whole_range: tuple[float, float]
    """Smallest and largest target value anywhere, the future included."""
    neighbour_share: float
    history: History
    train_mse: float
    val_mse: float
    """One-step errors of the target on the training and validation windows."""
    forecasts: dict[str, Forecast]
    """Per generation mode (see forecasting.GENERATION)."""
    baselines: dict[str, np.ndarray]
    """Each baseline's forecast of the whole future (see baselines.BASELINES)."""
    ar_model: str
    season: int
    season_how: str
    learned: str
    """What the network read and predicted (a key of forecasting.LEARN, never 'auto')."""
    lag: int
    """0 when it learned values, else the steps its changes span."""
    weights: dict[str, torch.Tensor]
    """The trained network's state_dict, for export."""

    @property
    def signal(self) -> str:
        return self.data.signal

    @property
    def source(self) -> str:
        return self.data.source

    @property
    def notes(self) -> tuple[str, ...]:
        return self.data.notes

    @property
    def n_train(self) -> int:
        return self.data.n_train

    @property
    def observed(self) -> np.ndarray:
        """The observed target (noise included)."""
        return self.data.observed[:, 0]

    @property
    def truth(self) -> np.ndarray:
        return self.data.truth

    @property
    def future(self) -> np.ndarray:
        return self.data.truth[self.n_train :]

    @property
    def time(self) -> np.ndarray:
        return self.data.time

    def period_steps(self) -> float | None:
        """Samples per cycle of a synthetic signal; unknown for real and own series."""
        return signals.period(self.signal) / self.dt if self.signal in signals.BUILT_IN else None

    def train_tail(self) -> np.ndarray:
        """The observed target just before the future, a season (and at least a window) long."""
        return self.observed[self.n_train - max(self.season, self.window) : self.n_train]


def _batches(count: int, size: int, epochs: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Window indices for each Adam step: a fresh shuffle every epoch, as a DataLoader would."""
    for _ in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, size):
            yield order[start : start + size]


def _mse(prediction: np.ndarray, target: np.ndarray) -> float:
    with np.errstate(over="ignore"):
        return float(np.mean((prediction.astype(float) - target) ** 2))


@dataclass(frozen=True)
class _Space:
    """What the network works in (scaled values or changes) and the way back to the target's values."""

    scaled: np.ndarray
    scaler: Scaler
    observed: np.ndarray
    """The observed target, to add changes to."""
    lag: int
    """0 when the network learns values, else the steps its changes span."""

    def free(self, model: Forecaster, start: int, steps: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Free-running values of the target after ``start`` and the hidden states behind them."""
        size = model.window
        run_ = free_run(model, self.scaled[start - size : start], steps, mode)
        predicted = self.scaler.unscale(run_.prediction)[:, 0]
        known = self.observed[start - self.lag : start]
        return to_values(predicted, known, self.lag, chained=True), run_.hidden

    def teacher(self, model: Forecaster, start: int, steps: int, mode: str) -> np.ndarray:
        run_ = teacher_forced(model, self.scaled, start, steps, model.window, mode)
        return self.one_step(self.scaler.unscale(run_.prediction)[:, 0], start)

    def one_step(self, predicted: np.ndarray, start: int) -> np.ndarray:
        """Values predicted one step ahead for the targets at ``start``, ``start`` + 1, ...

        A target less than a lag from the start has no value a lag before it; the first value stands in.
        """
        known = self.observed[np.maximum(np.arange(start, start + len(predicted)) - self.lag, 0)]
        return to_values(predicted, known, self.lag, chained=False)

    def forecast(self, model: Forecaster, start: int, steps: int, mode: str) -> Forecast:
        free, hidden = self.free(model, start, steps, mode)
        return Forecast(free, self.teacher(model, start, steps, mode), hidden)


def resolved_learn(cfg: SineConfig, signal: str, season: baselines.Season) -> str:
    """'auto' learns values of synthetic signals (the tutorial's way) and changes of real data, which trend:
    over a season when the data show one, else from step to step."""
    if cfg.learn != "auto":
        return cfg.learn
    if signal in signals.BUILT_IN:
        return "values"
    return "season" if season.in_data and season.length > 1 else "changes"


def resolved_split(cfg: SineConfig, signal: str) -> str:
    """'auto' is the tutorial's random split for synthetic signals and the honest split by time for real data."""
    if cfg.split != "auto":
        return cfg.split
    return "random" if signal in signals.BUILT_IN else "time"


def run(
    cfg: SineConfig, on_progress: ProgressFn | None = None, upload: UserSeries | None = None
) -> SineResult:
    """Window the training span, split and scale it, train, then forecast the future both ways.

    Every error is in the target's own units and against the clean signal, so one-step,
    validation, forecast and baseline errors can be compared directly.
    """
    rng = seed_everything(cfg.seed)
    data = load(
        cfg.signal,
        dt=cfg.dt,
        noise=cfg.noise,
        window=cfg.window,
        series=cfg.series,
        target=cfg.target,
        inputs=cfg.inputs,
        rng=rng,
        upload=upload,
    )
    n_train, size = data.n_train, cfg.window

    # The tutorial's pipeline builds its windows with range(len(data) - window - 1): the last value
    # is never a target. Kept, so that the default has its 734 windows.
    count = n_train - 1 - size
    clean_targets = data.truth[size : n_train - 1]
    train_idx, val_idx = split(count, resolved_split(cfg, data.signal), rng)
    observed_target = data.observed[:, 0]
    found = (
        baselines.Season(min(cfg.season, n_train // 2), "as chosen", True)
        if cfg.season
        else baselines.detect_season(observed_target[:n_train], data.calendar_season)
    )
    season, season_how = found.length, found.how
    learned = resolved_learn(cfg, data.signal, found)
    lag = {"values": 0, "changes": 1, "season": season}[learned]
    # The first `lag` changes are made up (see forecasting.changes): windows reading them are left out.
    if (train_idx >= lag).any() and (val_idx >= lag).any():
        train_idx, val_idx = train_idx[train_idx >= lag], val_idx[val_idx >= lag]
    covered = np.zeros(n_train, dtype=bool)
    for offset in range(size + 1):
        covered[train_idx + offset] = True
    train_values = data.observed[:n_train][covered]
    model_space = (lambda v: changes(v, lag)) if lag else np.asarray
    series = model_space(data.observed)
    clean = model_space(np.column_stack([data.truth, data.observed[:, 1:]]))
    scaler = Scaler.fit(series[:n_train][covered] if cfg.scaler == "train" else np.vstack([series, clean]))
    scaled = scaler.scale(series).astype(np.float32)
    space = _Space(scaled, scaler, observed_target, lag)
    inputs, targets = (torch.from_numpy(a) for a in windows(scaled[: n_train - 1], size))
    x_train, y_train = inputs[train_idx], targets[train_idx]
    x_val, y_val = inputs[val_idx], targets[val_idx]

    model = Forecaster(cfg.cell, cfg.hidden, cfg.layers, features=scaled.shape[1], window=size)
    batch = len(train_idx) if cfg.batch == "full" else min(int(cfg.batch), len(train_idx))
    per_epoch = math.ceil(len(train_idx) / batch)
    total = cfg.epochs * per_epoch
    film_truth = data.truth[n_train : n_train + CAPTURE_STEPS].astype(np.float32)

    def loss_fn(index: np.ndarray) -> torch.Tensor:
        return nn.functional.mse_loss(model.predict_next(x_train[index]), y_train[index])

    def val_loss() -> float:
        return float(nn.functional.mse_loss(model.predict_next(x_val), y_val))

    def capture() -> dict[str, object]:
        """The first CAPTURE_STEPS of the free-running forecast and the truth (target's units), and their MSE."""
        forecast = space.free(model, n_train, len(film_truth), "window")[0].astype(np.float32)
        return {"forecast": forecast, "truth": film_truth, "mse": _mse(forecast, film_truth)}

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
        capture=capture,
    )

    with torch.no_grad():
        fitted = model.predict_next(inputs).numpy()
    fitted_target = space.one_step(scaler.unscale(fitted)[:, 0], size)
    steps = min(MAX_HORIZON, len(data.truth) - n_train)
    forecasts = {mode: space.forecast(model, n_train, steps, mode) for mode in GENERATION}
    guesses, ar_model = baselines.forecast_all(observed_target[:n_train], steps, season)
    target_train = train_values[:, 0]
    return SineResult(
        data=data,
        dt=cfg.dt,
        window=size,
        train_windows=train_idx,
        val_windows=val_idx,
        scaler=scaler,
        train_range=(float(target_train.min()), float(target_train.max())),
        whole_range=(
            float(min(observed_target.min(), data.truth.min())),
            float(max(observed_target.max(), data.truth.max())),
        ),
        neighbour_share=neighbour_share(train_idx, val_idx),
        history=history,
        train_mse=_mse(fitted_target[train_idx], clean_targets[train_idx]),
        val_mse=_mse(fitted_target[val_idx], clean_targets[val_idx]),
        forecasts=forecasts,
        baselines=guesses,
        ar_model=ar_model,
        season=season,
        season_how=season_how,
        learned=learned,
        lag=lag,
        weights={k: v.detach().clone() for k, v in model.state_dict().items()},
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


CONTENDERS = {"rnn": "network (free running)", **baselines.BASELINES}
"""Every forecaster compared on the same future, with its name for tables and legends."""


def contenders(res: SineResult, generation: str, steps: int) -> dict[str, np.ndarray]:
    """The network's free-running forecast and each baseline's, over the first ``steps`` steps."""
    steps = min(steps, len(res.future))
    return {"rnn": res.forecasts[generation].free[:steps], **{k: v[:steps] for k, v in res.baselines.items()}}


def mse_by_contender(res: SineResult, generation: str, steps: int) -> dict[str, float]:
    """MSE over the first ``steps`` steps of the network and of each baseline, on the same future."""
    truth = res.future[: min(steps, len(res.future))]
    return {name: _mse(values, truth) for name, values in contenders(res, generation, steps).items()}


def report(cfg: SineConfig, res: SineResult) -> dict:
    steps = min(cfg.horizon, len(res.future))
    out = {
        "metrics": {
            "train_seconds": res.history.seconds,
            "val_mse": res.val_mse,
            "forecast_mse": forecast_mse(res, cfg.generation, steps),
            **forecast_errors(res, cfg.generation, cfg.horizon),
            "mse_full_horizon": mse_by_contender(res, cfg.generation, steps),
        },
        "prediction": res.forecasts[cfg.generation].free[:steps],
        "future": res.future[:steps],
        "train_tail": res.train_tail(),
        "season": res.season,
        "columns": list(res.data.columns),
        "timeline": res.history.timeline.json(),
    }
    if res.notes:
        out["notes"] = list(res.notes)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
        help="your own series as a CSV file (with --signal own); --target and --inputs pick its columns",
    )
