"""Rolling-origin evaluation: every forecaster, trained once, forecasts from several origins over the held-out span.

One forecast from one origin is one draw: a lucky or unlucky start decides it. Time-series cross-validation
instead starts a forecast of the same horizon at several origins across the future, each given the history
up to it as input (no refitting), and scores each origin's forecast. The per-origin errors are what the
Diebold-Mariano comparisons average; forecasts from origins closer than a horizon apart share target steps,
so their errors correlate over ``overlap`` origins.

The same forecasts from origins in the last part of the training span calibrate the prediction intervals:
the spread of the errors a given number of steps ahead, measured where the forecast could be checked, each
error divided by the series' local swing at its origin, so that a band measured in a quiet stretch widens
where the series swings more (sunspot cycles differ in height by a factor of three).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_ORIGINS = 24
"""At most this many forecast origins, evenly spread: enough for a test, cheap to run."""
MIN_ORIGINS = 8
"""However long each forecast is, at least this many origins (if the future has them)."""
MAX_EVALUATION_CELL_STEPS = 600_000
"""Each network's rolling forecasts may cost at most this many steps of one layer's cell (see
MAX_CALIBRATION_CELL_STEPS): 24 origins of the longest window, a season of 314 and three layers took 3 s
per network, three networks a run. Every default and real series keeps its 24 origins."""
MIN_HORIZON = 8
"""Rolling forecasts reach at least this many steps ahead (a season if longer), as far as the future allows."""
MAX_CALIBRATION_ORIGINS = 200
"""Prediction intervals are calibrated from every origin in the last part of the training span, up to this
many: the quantile of a few dozen errors is itself too noisy for a 95% band."""
MIN_CALIBRATION_ORIGINS = 40
"""However long each calibration forecast is, at least this many origins (if the span has them)."""
MAX_CALIBRATION_CELL_STEPS = 2_000_000
"""Calibration forecasts may cost at most this many steps of one layer's cell: 200 origins of the longest
window, a season of reach and three layers took 15 s after a training of 0.6 s."""
LEVELS = (0.8, 0.95)
"""Prediction-interval levels drawn and scored."""


def horizon(season: int, future: int) -> int:
    """Steps each rolling forecast reaches: a season (at least MIN_HORIZON), at most half the future."""
    return max(1, min(max(season, MIN_HORIZON), future // 2))


def origins(first: int, last: int, reach: int, most: int = MAX_ORIGINS) -> np.ndarray:
    """Up to ``most`` origins from ``first`` to ``last`` - ``reach``, evenly spread: each forecast of ``reach``
    steps ends by ``last``."""
    end = last - reach
    if end < first:
        return np.array([], dtype=int)
    return np.unique(np.linspace(first, end, min(most, end - first + 1)).round().astype(int))


def affordable_origins(reach: int, window: int, layers: int, cell_steps: int, fewest: int, most: int) -> int:
    """How many origins forecasts of ``reach`` steps by a network reading ``window`` values through ``layers``
    layers get within ``cell_steps``, from ``fewest`` to ``most``: a forecast that re-reads its window for
    every prediction costs window x reach x layers steps of a cell."""
    affordable = cell_steps // max(1, reach * window * layers)
    return int(min(most, max(fewest, affordable)))


def evaluation_origins(reach: int, window: int, layers: int) -> int:
    """Rolling-evaluation origins within MAX_EVALUATION_CELL_STEPS."""
    return affordable_origins(reach, window, layers, MAX_EVALUATION_CELL_STEPS, MIN_ORIGINS, MAX_ORIGINS)


def calibration_origins(reach: int, window: int, layers: int) -> int:
    """Calibration origins within MAX_CALIBRATION_CELL_STEPS."""
    return affordable_origins(
        reach, window, layers, MAX_CALIBRATION_CELL_STEPS, MIN_CALIBRATION_ORIGINS, MAX_CALIBRATION_ORIGINS
    )


def overlap(starts: np.ndarray, reach: int) -> int:
    """How many consecutive origins' forecasts share target steps: the Diebold-Mariano lag window."""
    if len(starts) < 2:
        return 1
    return max(1, math.ceil(reach / int(np.min(np.diff(starts)))))


def targets(truth: np.ndarray, starts: np.ndarray, reach: int) -> np.ndarray:
    """(origins, reach): the clean values each origin's forecast is scored on."""
    return truth[starts[:, None] + np.arange(reach)[None, :]]


@dataclass(frozen=True)
class Rolling:
    """Forecasts of every contender from each origin over the held-out span, in the target's units."""

    starts: np.ndarray
    """Index of each origin's first forecast step in the whole series."""
    reach: int
    truth: np.ndarray
    """(origins, reach)."""
    forecasts: dict[str, np.ndarray]
    """Contender -> (origins, reach): each baseline by key, and the network by objective and mode
    ('network:rollout:carry')."""

    @property
    def overlap(self) -> int:
        return overlap(self.starts, self.reach)

    def squared(self, name: str) -> np.ndarray:
        """(origins, reach) squared errors of a contender."""
        with np.errstate(over="ignore", invalid="ignore"):
            return (self.forecasts[name].astype(float) - self.truth) ** 2

    def per_origin(self, name: str) -> np.ndarray:
        """Each origin's mean squared error: what Diebold-Mariano compares."""
        return self.squared(name).mean(axis=1)

    def mase(self, name: str, scale: float) -> float:
        """Mean absolute scaled error over every origin and step ahead: the mean absolute error divided by
        ``scale`` (see :func:`mase_scale`)."""
        with np.errstate(over="ignore", invalid="ignore"):
            absolute = np.abs(self.forecasts[name].astype(float) - self.truth)
        return float(np.mean(np.nan_to_num(absolute, nan=np.inf)) / scale)


def mase_scale(train: np.ndarray, season: int) -> float:
    """The seasonal-naive forecast's mean absolute one-step error on the training span (naive's without a
    season): MASE divides by it, so a score below 1 beats that in-sample benchmark, whatever the series' units."""
    y = np.asarray(train, dtype=float)
    lag = season if 1 <= season < len(y) else 1
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag]))) if len(y) > lag else 0.0
    return scale if scale > 0 else 1.0


HYBRID = "hybrid"
"""The hybrid contender's key: the AR forecast plus a network's forecast of the AR's residuals."""


def network_key(objective: str, mode: str) -> str:
    return f"network:{objective}:{mode}"


def conformal_levels(count: int) -> np.ndarray:
    """The quantile of ``count`` calibration errors to take for each of LEVELS: split conformal prediction's
    ceil((count + 1) x level) / count, so that a new error falls inside with at least that probability when
    errors are exchangeable (at most 1: with few errors, the largest)."""
    return np.minimum(1.0, np.ceil((count + 1) * np.asarray(LEVELS)) / max(count, 1))


def interval_widths(errors: np.ndarray, reach: int) -> np.ndarray:
    """(len(LEVELS), reach): half-widths at each step ahead, the conformal quantiles of the absolute errors
    ``errors`` (calibration origins, steps) took there, never narrower than a step before (a forecast does not
    get surer further ahead). Steps beyond the calibration forecasts widen like a random walk's, with the square
    root of the steps ahead."""
    absolute = np.abs(np.nan_to_num(errors.astype(float), nan=np.inf))
    measured = absolute.shape[1] if len(absolute) else 0
    widths = np.full((len(LEVELS), reach), np.inf)
    if measured:
        quantiles = np.quantile(absolute, conformal_levels(len(absolute)), axis=0, method="inverted_cdf")
        widths[:, :measured] = np.maximum.accumulate(quantiles, axis=1)[:, :reach]
        if measured < reach:
            ahead = np.arange(measured + 1, reach + 1)
            widths[:, measured:] = widths[:, measured - 1 : measured] * np.sqrt(ahead / measured)
    return widths


def local_scale(observed: np.ndarray, starts: np.ndarray, span: int) -> np.ndarray:
    """(len(starts),): the series' local swing before each origin, the mean absolute one-step change of the
    ``span`` observed values before it (MASE's scale, measured locally). The errors of a forecast grow with
    the swing of what it reads: a tall sunspot cycle errs more than a low one. A flat stretch takes the
    largest swing measured, so that no interval collapses to a point."""
    y = np.asarray(observed, dtype=float)
    span = max(2, span)
    scales = np.array(
        [float(np.mean(np.abs(np.diff(y[max(0, o - span) : o])))) if o >= 2 else 0.0 for o in starts]
    )
    positive = scales[scales > 0]
    return np.where(scales > 0, scales, positive.max() if len(positive) else 1.0)


def normal_widths(se: np.ndarray) -> np.ndarray:
    """(len(LEVELS), steps): half-widths of normal prediction intervals from each step's standard error."""
    from scipy.stats import norm

    return np.outer(norm.ppf((1 + np.asarray(LEVELS)) / 2), np.asarray(se, dtype=float))


def coverage(
    forecasts: np.ndarray, truth: np.ndarray, widths: np.ndarray, scale: np.ndarray | None = None
) -> np.ndarray:
    """Share of the truths inside each level's interval, over every origin and step ahead; ``scale`` (one
    factor per origin) widens or narrows each origin's intervals, as the network's follow the local swing."""
    miss = np.abs(np.nan_to_num(forecasts.astype(float), nan=np.inf) - truth)
    factor = np.ones(len(miss)) if scale is None else np.asarray(scale, dtype=float)
    return np.array([float(np.mean(miss <= factor[:, None] * w[None, :])) for w in widths])
