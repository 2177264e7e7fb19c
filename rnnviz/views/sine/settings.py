"""The sine view's settings: what to learn, how to window, split and scale it, the network and its training.

Pasted numbers mean something only for the visitor's own series, columns only for data with several,
the time step only for synthetic signals and own series, and the max-norm only when clipping: each
says so with ``applies=``, so editing it otherwise never retrains.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.cells import CELLS
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
from rnnviz.views.sine.baselines import MAX_SEASON, Season
from rnnviz.views.sine.datasets import REAL
from rnnviz.views.sine.forecasting import (
    GENERATION,
    LEARN,
    MAX_FULL_BATCH_VALUES,
    OBJECTIVES,
    ROLLOUT_BATCH,
    ROLLOUT_GROWTH,
    SCALERS,
    SPLITS,
)
from rnnviz.views.sine.signals import BUILT_IN, SIGNALS
from rnnviz.views.sine.sources import AUTO_INPUTS, MAX_HORIZON, NO_INPUTS, TABLE_SIGNALS
from rnnviz.views.sine.transform import TRANSFORMS

BATCHES = {
    "16": "16",
    "32": "32",
    "64": "64",
    "128": "128",
    "256": "256",
    "full": f"Full batch: every training window, up to {MAX_FULL_BATCH_VALUES:,} values a step "
    f"(rollouts: {ROLLOUT_BATCH} a step)",
}


AUTO = "auto"
RECIPE_CELL, RECIPE_HIDDEN, RECIPE_WINDOW = "rnn", 10, 15
"""The common minibatch recipe's network for synthetic signals (bench/sine.py)."""
FIELD_CELL, FIELD_HIDDEN = "gru", 48
"""The network a forecaster would field on real data: a gated cell, big enough to learn a season."""
MAX_WINDOW = 60
MIN_ROLLOUT, MAX_AUTO_ROLLOUT = 8, 13
"""Automatic rollouts cover one season, but at least 8 steps and at most 13: longer ones cost more per step
than they teach within the budget (on CO₂'s weekly season, rollouts of 13 forecast as well as rollouts of 26,
MASE 0.525 and 0.508 against 0.535 and 0.497 for seeds 0 and 1, at four fifths of the CPU per step)."""


def is_own(cfg: SineConfig) -> bool:
    """The visitor's own series: pasted numbers (or an uploaded file) are read."""
    return cfg.signal == "own"


def has_columns(cfg: SineConfig) -> bool:
    """Data with several columns to pick the target and extra inputs from."""
    return cfg.signal in TABLE_SIGNALS


def is_data(cfg: SineConfig) -> bool:
    """Real data or the visitor's own: synthetic signals are learned as they are, never transformed."""
    return cfg.signal not in BUILT_IN


def is_timed_by_dt(cfg: SineConfig) -> bool:
    """Synthetic signals are sampled every dt; a real data set has its own dates."""
    return cfg.signal not in REAL


@dataclass(frozen=True)
class SineConfig:
    signal: str = param("sine", "Signal", "What the network learns to continue.", choices=SIGNALS)
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
        applies=is_own,
    )
    target: str = param(
        "",
        "Target column",
        "The column to forecast, by name. Empty: the data set's own (US macro: gdp_growth; a file: "
        "its last column of numbers that varies).",
        max_chars=40,
        applies=has_columns,
    )
    inputs: str = param(
        AUTO_INPUTS,
        "Extra input columns",
        f"Columns the network reads beside the target, comma-separated; it predicts them too, so that "
        f"it can run ahead on its own. '{AUTO_INPUTS}': the data set's suggestion (US macro: infl, unemp); "
        f"'{NO_INPUTS}': the target alone.",
        max_chars=200,
        applies=has_columns,
    )
    dt: float = param(
        0.1,
        "Time step dt",
        "Seconds between samples of a synthetic signal. For your own series it only labels the time axis.",
        min=0.02,
        max=0.5,
        step=0.01,
        unit="s",
        applies=is_timed_by_dt,
    )
    window: int = param(
        0,
        "Window",
        f"Past values the network reads before predicting the next one (free running, before it runs ahead). "
        f"0: {RECIPE_WINDOW} for a synthetic signal, as the common recipe; for real data one season, at least "
        f"{RECIPE_WINDOW}.",
        min=0,
        max=MAX_WINDOW,
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
    transform: str = param(
        AUTO,
        "Variance-stabilising transform",
        "Learn the target on a square-root or log scale when its swing grows with its level (Box-Cox); "
        "forecasts are taken back to values. Auto decides by the evidence on the training span.",
        choices=TRANSFORMS,
        applies=is_data,
    )
    scaler: str = param(
        "train",
        "Scaler fitted on",
        "Values are scaled to [-1, 1] with a minimum and maximum taken from this data.",
        choices=SCALERS,
    )
    cell: str = cell_param(
        AUTO,
        choices={AUTO: f"Auto: {CELLS[RECIPE_CELL]} for synthetic signals, {CELLS[FIELD_CELL]} for real data"}
        | CELLS,
        help="The recurrent cell type. Auto: the common recipe's cell for a synthetic signal, the gated cell a "
        "forecaster would field for real data.",
    )
    hidden: int = hidden_param(
        0,
        min=0,
        max=64,
        help=f"Units in each hidden state. 0: {RECIPE_HIDDEN} for a synthetic signal (the common recipe), "
        f"{FIELD_HIDDEN} for real data.",
    )
    objective: str = param(
        AUTO,
        "Training objective",
        "One step ahead scores each prediction from the true past (teacher forcing). Free-running rollouts "
        "read a window, then run ahead on their own predictions and score every one of them, back-propagated "
        "through the loop: the network trains for the forecast it will make. The other objective is trained "
        "too, sharing the budget, so the page shows both.",
        choices=OBJECTIVES,
    )
    rollout: int = param(
        0,
        "Rollout steps",
        f"Longest rollout of the free-running objective; rollouts grow from 1 to this over the first "
        f"{ROLLOUT_GROWTH:.0%} of training. 0: one season, between {MIN_ROLLOUT} and {MAX_AUTO_ROLLOUT}.",
        min=0,
        max=100,
        unit="steps",
    )
    layers: int = layers_param(1, max=3)
    epochs: int = epochs_param(
        300,
        help="Passes over the training windows; with a full batch, one Adam step each. A common minibatch "
        "recipe for this task takes 50 epochs of 128 shuffled windows at a time. Rollouts take one Adam step "
        "an epoch, on a batch of windows each run ahead.",
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
        help="Adam's step size. Minibatch recipes (128 windows a step) often use 0.01; the default 0.03 "
        "is chosen for exact full-batch steps, one an epoch.",
    )
    clip: bool = param(True, "Clip gradients", "Rescale any gradient longer than the max-norm.")
    max_norm: float = param(
        1.0,
        "Max-norm",
        "Longest gradient (global L2 norm) an Adam step may use when clipping is on.",
        choices=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
        log=True,
        applies=lambda cfg: cfg.clip,
    )
    seed: int = seed_param(42, help="Seeds the weights, the split, the batches and the noise.")
    season: int = param(
        0,
        "Season length",
        "Steps per season for the seasonal-naive baseline (it repeats the last season). 0: detect it "
        "from the training span's autocorrelation.",
        min=0,
        max=MAX_SEASON,
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
        AUTO,
        "Generation",
        "How the network runs ahead: each window read afresh, or one hidden state carried on.",
        choices=GENERATION,
    )

    @property
    def max_norm_used(self) -> float | None:
        """The max-norm gradients are clipped to, or None when clipping is off."""
        return self.max_norm if self.clip else None


def is_synthetic(signal: str) -> bool:
    return signal in BUILT_IN


def resolved_objective(cfg: SineConfig) -> str:
    """'auto' trains synthetic signals one step ahead (the common recipe) and real data for the forecast:
    free-running rollouts."""
    if cfg.objective != AUTO:
        return cfg.objective
    return "one_step" if is_synthetic(cfg.signal) else "rollout"


def other_objective(objective: str) -> str:
    """The objective trained beside the chosen one, so that the page can put both side by side."""
    return "one_step" if objective == "rollout" else "rollout"


def resolved_generation(cfg: SineConfig) -> str:
    """'auto' forecasts the way the network trained: each window re-read from a zero state after one step
    ahead, the state carried on after rollouts."""
    if cfg.generation != AUTO:
        return cfg.generation
    return natural_generation(resolved_objective(cfg))


def natural_generation(objective: str) -> str:
    return "carry" if objective == "rollout" else "window"


def resolved_network(cfg: SineConfig, signal: str) -> tuple[str, int]:
    """The cell and hidden size: as chosen, or 'auto' / 0 by the kind of data."""
    synthetic = is_synthetic(signal)
    cell = cfg.cell if cfg.cell != AUTO else (RECIPE_CELL if synthetic else FIELD_CELL)
    hidden = cfg.hidden or (RECIPE_HIDDEN if synthetic else FIELD_HIDDEN)
    return cell, hidden


def resolved_window(cfg: SineConfig, signal: str, season: int) -> int:
    """The window: as chosen, or 0 = the recipe's for synthetic signals and at least a season for real data."""
    if cfg.window:
        return cfg.window
    return RECIPE_WINDOW if is_synthetic(signal) else max(RECIPE_WINDOW, min(season, MAX_WINDOW))


def resolved_rollout(cfg: SineConfig, season: int) -> int:
    """Longest rollout: as chosen, or one season between MIN_ROLLOUT and MAX_AUTO_ROLLOUT."""
    return cfg.rollout or min(max(season, MIN_ROLLOUT), MAX_AUTO_ROLLOUT)


def resolved_split(cfg: SineConfig, signal: str) -> str:
    """'auto' is the common recipe's random split for synthetic signals and the honest split by time for real data."""
    if cfg.split != "auto":
        return cfg.split
    return "random" if signal in BUILT_IN else "time"


def resolved_learn(cfg: SineConfig, signal: str, season: Season, stationary: bool) -> str:
    """'auto' learns values of synthetic signals (as the common recipe does) and of real data that the
    stationarity tests find stationary; changes of the others, which trend or wander: over a season when the
    data show one, else from step to step."""
    if cfg.learn != AUTO:
        return cfg.learn
    if is_synthetic(signal) or stationary:
        return "values"
    return "season" if season.in_data and season.length > 1 else "changes"
