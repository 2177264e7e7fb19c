"""What a sine run returns: the series and its split, the trained network's forecasts, and the baselines'."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.fit import History
from rnnviz.views.sine.forecasting import Scaler
from rnnviz.views.sine.rolling import Rolling
from rnnviz.views.sine.signals import BUILT_IN, period
from rnnviz.views.sine.sources import Series
from rnnviz.views.sine.stationarity import Stationarity
from rnnviz.views.sine.transform import Transform


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
class OtherObjective:
    """The network trained the other way, on the same data and budget share, for the side-by-side comparison."""

    objective: str
    free: dict[str, np.ndarray]
    """Per generation mode: its free-running forecast of the whole future, in the target's units."""
    history: History


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
    baseline_reach: dict[str, int]
    """Past values each baseline's forecast step reads (see baselines.Baselines.reach)."""
    season: int
    season_how: str
    learned: str
    """What the network read and predicted (a key of forecasting.LEARN, never 'auto')."""
    lag: int
    """0 when it learned values, else the steps its changes span."""
    weights: dict[str, torch.Tensor]
    """The trained network's state_dict, for export."""
    objective: str
    """How the network shown trained (a key of forecasting.OBJECTIVES, never 'auto')."""
    cell: str
    hidden: int
    rollout: int
    """Longest rollout of the free-running objective (trained here or as the other objective)."""
    transform: Transform
    """The scale the target was learned on (square roots, logs or values) and the evidence that chose it."""
    stationarity: Stationarity | None
    """The tests that chose values or changes (on the learned scale); None for synthetic signals, which are
    learned as values."""
    other: OtherObjective
    rolling: Rolling
    """Every contender from several origins over the held-out future (see rolling.py)."""
    widths: dict[str, np.ndarray]
    """Per generation mode: (levels, reach) half-widths of the network's prediction intervals from the first
    origin of the held-out span, calibrated on forecasts from origins in the last part of the training span
    (see rolling.local_scale)."""
    interval_scale: np.ndarray
    """(rolling origins,): how much wider the network's intervals are at each rolling origin than at the
    first, by the series' local swing before it."""
    ar_widths: np.ndarray
    """(levels, reach) half-widths of the AR model's prediction intervals, from statsmodels."""
    hybrid: np.ndarray
    """The hybrid's forecast of the whole future: the AR's plus its residual network's, in the target's units."""
    hybrid_history: History
    """The training of the hybrid's network on the AR's residuals."""
    mase_scale: float
    """What MASE divides by: the seasonal-naive forecast's mean absolute one-step error on the training span."""

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

    def steps(self, horizon: int) -> int:
        """Steps forecast for a horizon: all of them, unless the future held back is shorter."""
        return min(horizon, len(self.future))

    def period_steps(self) -> float | None:
        """Samples per cycle of a synthetic signal; unknown for real and own series."""
        return period(self.signal) / self.dt if self.signal in BUILT_IN else None

    def train_tail(self) -> np.ndarray:
        """The observed target just before the future, a season (and at least a window) long."""
        return self.observed[self.n_train - max(self.season, self.window) : self.n_train]
