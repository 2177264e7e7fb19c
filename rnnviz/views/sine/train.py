"""Training the sine view: window the training span, split and scale it, fit, then forecast the future both ways.

Snapshot capture records the first free-running steps at each checkpoint: the film of the forecast locking on.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit, stage_progress
from rnnviz.core.seeding import seed_everything
from rnnviz.views.sine.baselines import BASELINES, Season, ar_residuals, detect_season, forecast_all
from rnnviz.views.sine.baselines import from_origin as baseline_forecasts
from rnnviz.views.sine.forecasting import (
    MODES,
    OBJECTIVES,
    ROLLOUT_BATCH,
    Forecaster,
    Scaler,
    changes,
    free_run,
    free_run_many,
    full_batch,
    neighbour_share,
    rollout_length,
    split,
    teacher_forced,
    to_values,
    windows,
)
from rnnviz.views.sine.result import Forecast, OtherObjective, SineResult
from rnnviz.views.sine.rolling import (
    HYBRID,
    Rolling,
    calibration_origins,
    evaluation_origins,
    horizon,
    interval_widths,
    local_scale,
    mase_scale,
    network_key,
    normal_widths,
    origins,
    targets,
)
from rnnviz.views.sine.scoring import mse
from rnnviz.views.sine.series import UserSeries, read_series
from rnnviz.views.sine.settings import (
    RECIPE_WINDOW,
    SineConfig,
    is_synthetic,
    natural_generation,
    other_objective,
    resolved_learn,
    resolved_network,
    resolved_objective,
    resolved_rollout,
    resolved_split,
    resolved_window,
)
from rnnviz.views.sine.sources import MAX_HORIZON, MIN_TRAIN_WINDOWS, Series, load
from rnnviz.views.sine.stationarity import check as stationarity_check
from rnnviz.views.sine.transform import CHOSEN_NONE, Transform
from rnnviz.views.sine.transform import NONE as NO_TRANSFORM
from rnnviz.views.sine.transform import choose as choose_transform

CAPTURE_STEPS = 20
"""Free-running steps forecast at each training snapshot: the film of the forecast locking on.
Each step is one call of the network, so this is what keeps capture within 15 % of training."""
VAL_POINTS = 25
"""About this many validation losses per training: enough for the live chart, cheap to compute."""
MAIN_SHARE = 1 / 3
"""Share of the training budget for the objective shown. The three networks of a run cost about the same (on
CO₂, 4-9 s of CPU each for their 300 steps, the one-step comparison the dearest), so each gets the same share,
which it finishes within when the machine is not busy."""
HYBRID_SHARE = 1 / 3
"""Share of the training budget for the hybrid's network on the AR's residuals; the other objective, trained
for comparison, has the rest."""


def _batches(count: int, size: int, epochs: int, *, rng: np.random.Generator) -> Iterator[np.ndarray]:
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
    """The observed target on the learned scale (see transform.py), to add changes to."""
    lag: int
    """0 when the network learns values, else the steps its changes span."""
    transform: Transform = NO_TRANSFORM
    """The scale the target is learned on; every forecast is taken back to values through it."""

    def free(self, model: Forecaster, start: int, steps: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Free-running values of the target after ``start`` and the hidden states behind them."""
        size = model.window
        run_ = free_run(model, self.scaled[start - size : start], steps, mode)
        predicted = self.scaler.unscale(run_.prediction)[:, 0]
        known = self.observed[start - self.lag : start]
        return self.transform.inverse(to_values(predicted, known, self.lag, chained=True)), run_.hidden

    def from_origins(self, model: Forecaster, starts: np.ndarray, steps: int, mode: str) -> np.ndarray:
        """(origins, steps): free-running values of the target after each origin, all origins at once."""
        if not len(starts) or steps < 1:
            return np.zeros((len(starts), max(steps, 0)), dtype=np.float32)
        size = model.window
        contexts = self.scaled[starts[:, None] - size + np.arange(size)[None, :]]
        predicted = self.scaler.unscale(free_run_many(model, contexts, steps, mode))[..., 0]
        return self.transform.inverse(
            np.stack(
                [
                    to_values(p, self.observed[start - self.lag : start], self.lag, chained=True)
                    for p, start in zip(predicted, starts, strict=True)
                ]
            )
        ).astype(np.float32)

    def teacher(self, model: Forecaster, start: int, steps: int, mode: str) -> np.ndarray:
        run_ = teacher_forced(model, self.scaled, start, steps, model.window, mode)
        return self.one_step(self.scaler.unscale(run_.prediction)[:, 0], start)

    def one_step(self, predicted: np.ndarray, start: int) -> np.ndarray:
        """Values predicted one step ahead for the targets at ``start``, ``start`` + 1, ...

        A target less than a lag from the start has no value a lag before it; the first value stands in.
        """
        known = self.observed[np.maximum(np.arange(start, start + len(predicted)) - self.lag, 0)]
        return self.transform.inverse(to_values(predicted, known, self.lag, chained=False))

    def forecast(self, model: Forecaster, start: int, steps: int, mode: str) -> Forecast:
        free, hidden = self.free(model, start, steps, mode)
        return Forecast(free, self.teacher(model, start, steps, mode), hidden)


@dataclass(frozen=True)
class _Windows:
    """The training data both objectives read: every window, which are trained on and which held out."""

    inputs: torch.Tensor
    """(count, size, features): the window before each target."""
    series: torch.Tensor
    """(samples, features): the scaled series, to read rollout targets from."""
    train: np.ndarray
    val: np.ndarray

    @property
    def size(self) -> int:
        return self.inputs.shape[1]

    def reaching(self, index: np.ndarray, steps: int) -> np.ndarray:
        """The windows in ``index`` whose next ``steps`` targets all lie within the windows' targets."""
        return index[index + steps <= len(self.inputs)]

    def ahead(self, index: np.ndarray, steps: int) -> torch.Tensor:
        """(len(index), steps, features): the rows after each window."""
        first = torch.from_numpy(index + self.size)
        return self.series[first[:, None] + torch.arange(steps)[None, :]]


def _one_step_training(
    model: Forecaster, data: _Windows, cfg: SineConfig, rng: np.random.Generator
) -> tuple[Callable, Callable, int, Iterator]:
    """Loss, validation loss, steps and batches of teacher forcing: each window's next row from the true past."""
    targets = data.series[data.size : data.size + len(data.inputs)]
    count = len(data.train)
    batch = full_batch(count, data.size) if cfg.batch == "full" else min(int(cfg.batch), count)
    per_epoch = 1 if cfg.batch == "full" else math.ceil(count / batch)
    batches = (
        (rng.permutation(count)[:batch] for _ in range(cfg.epochs))
        if cfg.batch == "full" and count > batch
        else _batches(count, batch, cfg.epochs, rng=rng)
    )

    def loss(positions: np.ndarray) -> torch.Tensor:
        index = data.train[positions]
        return nn.functional.mse_loss(model.predict_next(data.inputs[index]), targets[index])

    def val_loss() -> float:
        return float(nn.functional.mse_loss(model.predict_next(data.inputs[data.val]), targets[data.val]))

    return loss, val_loss, cfg.epochs * per_epoch, batches


def _rollout_training(
    model: Forecaster, data: _Windows, cfg: SineConfig, rng: np.random.Generator, longest: int
) -> tuple[Callable, Callable, int, Iterator]:
    """Loss, validation loss, steps and batches of free-running rollouts growing to ``longest`` steps.

    Each Adam step draws a batch of training windows; the network reads each (and is scored one step ahead
    while reading), then runs ahead on its own predictions, scored against the true rows. A rollout stays
    within the training windows' targets, so it never reads what validation holds out after them.
    """
    total = cfg.epochs
    longest = max(1, min(longest, len(data.train) - 1))
    size = ROLLOUT_BATCH if cfg.batch == "full" else int(cfg.batch)
    top = int(data.train.max(initial=0))
    val = data.reaching(data.val, longest)
    val_steps = longest if len(val) else 1
    val = val if len(val) else data.val

    def batches() -> Iterator[tuple[np.ndarray, int]]:
        for step in range(1, total + 1):
            steps = rollout_length(step, total, longest)
            eligible = data.train[data.train <= top - steps + 1]
            yield rng.choice(eligible, size=min(size, len(eligible)), replace=False), steps

    def scored(index: np.ndarray, steps: int) -> torch.Tensor:
        warm = data.inputs[index]
        one_step, ahead = model.rollout(warm, steps)
        return nn.functional.mse_loss(ahead, data.ahead(index, steps)) + nn.functional.mse_loss(
            one_step, warm[:, 1:]
        )

    def loss(batch: tuple[np.ndarray, int]) -> torch.Tensor:
        return scored(*batch)

    def val_loss() -> float:
        return float(scored(val, val_steps))

    return loss, val_loss, total, batches()


TRAINERS = {"one_step": _one_step_training, "rollout": _rollout_training}


def _train(
    objective: str,
    model: Forecaster,
    data: _Windows,
    cfg: SineConfig,
    rng: np.random.Generator,
    longest: int,
    share: float,
    on_progress: ProgressFn | None,
    capture: Callable[[], dict[str, object]] | None,
) -> History:
    """Fit ``model`` by ``objective`` within ``share`` of the training budget.

    Split by time, the held-out windows are the last part of the training span, and the weights that did best
    on them are kept (early stopping): a network of thousands of weights on a few hundred values overfits long
    before its step count ends, and what it learns after that the forecast pays for.
    """
    extra = (longest,) if objective == "rollout" else ()
    loss, val_loss, total, batches = TRAINERS[objective](model, data, cfg, rng, *extra)
    by_time = bool(len(data.val)) and data.val.min() > data.train.max(initial=-1)
    best: dict[str, object] = {"loss": math.inf, "state": None}

    def checked() -> float:
        value = val_loss()
        if by_time and value < best["loss"]:
            best["loss"], best["state"] = (
                value,
                {k: v.detach().clone() for k, v in model.state_dict().items()},
            )
        return value

    history = fit(
        model,
        loss,
        batches,
        total_steps=total,
        lr=cfg.lr,
        clip=cfg.max_norm_used,
        val_fn=checked,
        val_every=max(1, total // VAL_POINTS),
        on_progress=on_progress,
        report_every_s=0.25,
        budget_share=share,
        capture=capture,
    )
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    return history


def _data(cfg: SineConfig, rng: np.random.Generator, upload: UserSeries | None) -> Series:
    """The series the settings name, as run() and params() both read it."""
    return load(
        cfg.signal,
        dt=cfg.dt,
        noise=cfg.noise,
        window=cfg.window or RECIPE_WINDOW,
        series=cfg.series,
        target=cfg.target,
        inputs=cfg.inputs,
        rng=rng,
        upload=upload,
    )


def params(cfg: SineConfig) -> int:
    """Trainable parameters of each forecaster run() trains for ``cfg`` (an upload's columns aside)."""
    data = _data(cfg, np.random.default_rng(cfg.seed), None)
    cell, hidden = resolved_network(cfg, data.signal)
    return parameter_count(lambda: Forecaster(cell, hidden, cfg.layers, features=data.observed.shape[1]))


def run(
    cfg: SineConfig, on_progress: ProgressFn | None = None, upload: UserSeries | None = None
) -> SineResult:
    """Window the training span, split and scale it, train both objectives, then forecast the future from
    its start and from rolling origins, beside the baselines.

    Every error is in the target's own units and against the clean signal, so one-step,
    validation, forecast and baseline errors can be compared directly.
    """
    rng = seed_everything(cfg.seed)
    data = _data(cfg, rng, upload)
    n_train = data.n_train
    observed_target = data.observed[:, 0]
    found = (
        Season(min(cfg.season, n_train // 2), "as chosen", True)
        if cfg.season
        else detect_season(observed_target[:n_train], data.calendar_season)
    )
    season, season_how = found.length, found.how
    if is_synthetic(data.signal):
        transform = NO_TRANSFORM
    elif cfg.transform == "none":
        transform = CHOSEN_NONE
    else:
        transform = choose_transform(observed_target[:n_train], season)
    learned_target = transform.forward(observed_target)
    tested = None if is_synthetic(data.signal) else stationarity_check(learned_target[:n_train])
    learned = resolved_learn(cfg, data.signal, found, tested is not None and tested.stationary)
    lag = {"values": 0, "changes": 1, "season": season}[learned]
    size = min(resolved_window(cfg, data.signal, season), n_train - 1 - MIN_TRAIN_WINDOWS - lag)
    size = max(1, size)

    # A common sine-forecasting recipe builds its windows with range(len(data) - window - 1): the last
    # value is never a target. Kept, so that the default has the recipe's 734 windows.
    count = n_train - 1 - size
    clean_targets = data.truth[size : n_train - 1]
    train_idx, val_idx = split(count, resolved_split(cfg, data.signal), rng)
    # The first `lag` changes are made up (see forecasting.changes): windows reading them are left out.
    if (train_idx >= lag).any() and (val_idx >= lag).any():
        train_idx, val_idx = train_idx[train_idx >= lag], val_idx[val_idx >= lag]
    covered = np.zeros(n_train, dtype=bool)
    for offset in range(size + 1):
        covered[train_idx + offset] = True
    train_values = data.observed[:n_train][covered]
    model_space = (lambda v: changes(v, lag)) if lag else np.asarray
    series = model_space(np.column_stack([learned_target, data.observed[:, 1:]]))
    clean = model_space(np.column_stack([transform.forward(data.truth), data.observed[:, 1:]]))
    scaler = Scaler.fit(series[:n_train][covered] if cfg.scaler == "train" else np.vstack([series, clean]))
    scaled = scaler.scale(series).astype(np.float32)
    space = _Space(scaled, scaler, learned_target, lag, transform)
    inputs = torch.from_numpy(windows(scaled[: n_train - 1], size)[0])
    windowed = _Windows(inputs, torch.from_numpy(scaled[: n_train - 1]), train_idx, val_idx)

    objective = resolved_objective(cfg)
    other = other_objective(objective)
    cell, hidden = resolved_network(cfg, data.signal)
    longest = resolved_rollout(cfg, season)
    features = scaled.shape[1]
    model = Forecaster(cell, hidden, cfg.layers, features=features, window=size)
    film_truth = data.truth[n_train : n_train + CAPTURE_STEPS].astype(np.float32)

    def capture() -> dict[str, object]:
        """The first CAPTURE_STEPS of the free-running forecast and the truth (target's units), and their MSE."""
        mode = natural_generation(objective)
        forecast = space.free(model, n_train, len(film_truth), mode)[0].astype(np.float32)
        return {"forecast": forecast, "truth": film_truth, "mse": mse(forecast, film_truth)}

    history = _train(objective, model, windowed, cfg, rng, longest, MAIN_SHARE, on_progress, capture)
    compared = Forecaster(cell, hidden, cfg.layers, features=features, window=size)
    stage = (
        f"the comparison network, trained on the other objective ({OBJECTIVES[other].split(' (')[0].lower()})"
    )
    other_history = _train(
        other,
        compared,
        windowed,
        cfg,
        rng,
        longest,
        1 - MAIN_SHARE - HYBRID_SHARE,
        stage_progress(on_progress, stage),
        None,
    )

    with torch.no_grad():
        fitted = model.predict_next(inputs).numpy()
    fitted_target = space.one_step(scaler.unscale(fitted)[:, 0], size)
    steps = min(MAX_HORIZON, len(data.truth) - n_train)
    forecasts = {mode: space.forecast(model, n_train, steps, mode) for mode in MODES}
    guesses = forecast_all(observed_target[:n_train], steps, season)
    residual_space, residual_model, hybrid_history = _hybrid(
        cfg,
        (cell, hidden),
        guesses.ar.order,
        ar_residuals(observed_target, guesses.ar),
        windowed,
        objective,
        longest,
        rng,
        on_progress,
    )
    residual_mode = natural_generation(objective)

    reach = horizon(season, len(data.truth) - n_train)
    starts = origins(n_train, len(data.truth), reach, evaluation_origins(reach, size, cfg.layers))
    rolled = {name: np.zeros((0, reach)) for name in BASELINES}
    if len(starts):
        by_origin = [baseline_forecasts(observed_target, o, reach, season, guesses.ar) for o in starts]
        rolled = {name: np.stack([b[name] for b in by_origin]).astype(np.float32) for name in BASELINES}
    for trained, trained_objective in ((model, objective), (compared, other)):
        for mode in MODES:
            rolled[network_key(trained_objective, mode)] = space.from_origins(trained, starts, reach, mode)
    rolled[HYBRID] = rolled["ar"] + residual_space.from_origins(residual_model, starts, reach, residual_mode)
    first_calibration = max(size + lag, n_train - len(val_idx))
    calibration_reach = min(reach, n_train - first_calibration)
    most = calibration_origins(calibration_reach, size, cfg.layers)
    calibration = origins(first_calibration, n_train, calibration_reach, most)
    calibration_truth = targets(data.truth, calibration, calibration_reach)
    calibration_scale = local_scale(observed_target, calibration, size)[:, None]
    main_scale = local_scale(observed_target, np.array([n_train]), size)
    widths = {
        mode: main_scale
        * interval_widths(
            (space.from_origins(model, calibration, calibration_reach, mode) - calibration_truth)
            / calibration_scale,
            reach,
        )
        for mode in MODES
    }
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
        objective=objective,
        cell=cell,
        hidden=hidden,
        rollout=longest,
        transform=transform,
        stationarity=tested,
        other=OtherObjective(
            other, {mode: space.free(compared, n_train, steps, mode)[0] for mode in MODES}, other_history
        ),
        rolling=Rolling(starts, reach, targets(data.truth, starts, reach), rolled),
        widths=widths,
        interval_scale=local_scale(observed_target, starts, size) / main_scale,
        ar_widths=normal_widths(guesses.ar.se[:reach]),
        hybrid=guesses.forecasts["ar"]
        + residual_space.free(residual_model, n_train, steps, residual_mode)[0],
        hybrid_history=hybrid_history,
        mase_scale=mase_scale(observed_target[:n_train], season),
    )


def _hybrid(
    cfg: SineConfig,
    network: tuple[str, int],
    order: int,
    residuals: np.ndarray,
    data: _Windows,
    objective: str,
    longest: int,
    rng: np.random.Generator,
    on_progress: ProgressFn | None,
) -> tuple[_Space, Forecaster, History]:
    """The hybrid's network: the same cell, window and objective as the network shown, trained on the AR
    model's one-step residuals over the training windows (the classic ARIMA plus neural network hybrid: the
    linear model takes the linear structure, the network what is left). Windows reading residuals before the
    AR's first full past are left out."""
    n_train = len(data.series) + 1
    size = data.size
    train_idx, val_idx = data.train[data.train >= order], data.val[data.val >= order]
    if not len(train_idx) or not len(val_idx):
        train_idx, val_idx = data.train, data.val
    covered = np.zeros(n_train, dtype=bool)
    for offset in range(size + 1):
        covered[train_idx + offset] = True
    column = residuals[:, None]
    scaler = Scaler.fit(column[:n_train][covered])
    scaled = scaler.scale(column).astype(np.float32)
    inputs = torch.from_numpy(windows(scaled[: n_train - 1], size)[0])
    windowed = _Windows(inputs, torch.from_numpy(scaled[: n_train - 1]), train_idx, val_idx)
    model = Forecaster(*network, cfg.layers, features=1, window=size)
    stage = "the hybrid's network, on the autoregressive model's residuals"
    history = _train(
        objective, model, windowed, cfg, rng, longest, HYBRID_SHARE, stage_progress(on_progress, stage), None
    )
    return _Space(scaled, scaler, residuals, 0), model, history


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
