"""Training the sine view: window the training span, split and scale it, fit, then forecast the future both ways.

Snapshot capture records the first free-running steps at each checkpoint: the film of the forecast locking on.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import fit
from rnnviz.core.seeding import seed_everything
from rnnviz.views.sine.baselines import Season, detect_season, forecast_all
from rnnviz.views.sine.forecasting import (
    GENERATION,
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
from rnnviz.views.sine.result import Forecast, SineResult
from rnnviz.views.sine.scoring import mse
from rnnviz.views.sine.series import UserSeries, read_series
from rnnviz.views.sine.settings import SineConfig, resolved_learn, resolved_split
from rnnviz.views.sine.sources import MAX_HORIZON, load

CAPTURE_STEPS = 20
"""Free-running steps forecast at each training snapshot: the film of the forecast locking on.
Each step is one call of the network, so this is what keeps capture within 15 % of training."""
VAL_POINTS = 25
"""About this many validation losses per training: enough for the live chart, cheap to compute."""


def _batches(count: int, size: int, epochs: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Window indices for each Adam step: a fresh shuffle every epoch, as a DataLoader would."""
    for _ in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, size):
            yield order[start : start + size]


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


def params(cfg: SineConfig) -> int:
    """Trainable parameters of the forecaster run() trains for ``cfg`` (an upload's columns aside)."""
    data = load(
        cfg.signal,
        dt=cfg.dt,
        noise=cfg.noise,
        window=cfg.window,
        series=cfg.series,
        target=cfg.target,
        inputs=cfg.inputs,
        rng=np.random.default_rng(cfg.seed),
        upload=None,
    )
    features = data.observed.shape[1]
    return parameter_count(lambda: Forecaster(cfg.cell, cfg.hidden, cfg.layers, features=features))


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

    # A common sine-forecasting recipe builds its windows with range(len(data) - window - 1): the last
    # value is never a target. Kept, so that the default has the recipe's 734 windows.
    count = n_train - 1 - size
    clean_targets = data.truth[size : n_train - 1]
    train_idx, val_idx = split(count, resolved_split(cfg, data.signal), rng)
    observed_target = data.observed[:, 0]
    found = (
        Season(min(cfg.season, n_train // 2), "as chosen", True)
        if cfg.season
        else detect_season(observed_target[:n_train], data.calendar_season)
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
        return {"forecast": forecast, "truth": film_truth, "mse": mse(forecast, film_truth)}

    history = fit(
        model,
        loss_fn,
        _batches(len(train_idx), batch, cfg.epochs, rng),
        total_steps=total,
        lr=cfg.lr,
        clip=cfg.max_norm_used,
        val_fn=val_loss,
        val_every=max(per_epoch, total // VAL_POINTS),
        on_progress=on_progress,
        report_every_s=0.25,
        capture=capture,
    )

    with torch.no_grad():
        fitted = model.predict_next(inputs).numpy()
    fitted_target = space.one_step(scaler.unscale(fitted)[:, 0], size)
    steps = min(MAX_HORIZON, len(data.truth) - n_train)
    forecasts = {mode: space.forecast(model, n_train, steps, mode) for mode in GENERATION}
    guesses = forecast_all(observed_target[:n_train], steps, season)
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
        train_mse=mse(fitted_target[train_idx], clean_targets[train_idx]),
        val_mse=mse(fitted_target[val_idx], clean_targets[val_idx]),
        forecasts=forecasts,
        baselines=guesses.forecasts,
        ar_model=guesses.ar_model,
        baseline_reach=guesses.reach,
        season=season,
        season_how=season_how,
        learned=learned,
        lag=lag,
        weights={k: v.detach().clone() for k, v in model.state_dict().items()},
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--csv PATH``: the visitor's own series from a file, passed to :func:`run` as ``upload``."""

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
