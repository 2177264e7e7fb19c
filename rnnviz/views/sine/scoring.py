"""The errors every figure, lesson and report of the sine view quotes, all against the clean future.

Every error is in the target's own units, so one-step, validation, forecast and baseline errors
can be compared directly.
"""

from __future__ import annotations

import numpy as np

from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.result import SineResult

HORIZONS = (100, 300, 1000)
"""Steps over which the JSON reports the forecast's mean squared error."""
CONTENDERS = {
    "rnn": "network (free running)",
    "hybrid": "hybrid (AR plus a network on its residuals)",
    **BASELINES,
}
"""Every forecaster compared on the same future, with its name for tables and legends."""


def mse(prediction: np.ndarray, target: np.ndarray) -> float:
    with np.errstate(over="ignore"):
        return float(np.mean((prediction.astype(float) - target) ** 2))


def forecast_mse(res: SineResult, generation: str, steps: int) -> float:
    """MSE of the free-running forecast over its first ``steps`` steps (all of them, if the future is shorter)."""
    steps = res.steps(steps)
    return mse(res.forecasts[generation].free[:steps], res.future[:steps])


def one_step_mse(res: SineResult, generation: str, steps: int) -> float:
    """MSE of the teacher-forced predictions over the same steps: the honest one-step error."""
    steps = res.steps(steps)
    return mse(res.forecasts[generation].teacher[:steps], res.future[:steps])


def forecast_errors(res: SineResult, generation: str, horizon: int) -> dict[str, float]:
    """Forecast MSE over the first 100, 300 and 1,000 steps, as far as the horizon reaches."""
    steps = res.steps(horizon)
    return {f"extrap_mse_{k}": forecast_mse(res, generation, k) for k in HORIZONS if k <= steps}


def contenders(res: SineResult, generation: str, steps: int) -> dict[str, np.ndarray]:
    """The network's free-running forecast, the hybrid's and each baseline's, over the first ``steps`` steps."""
    steps = res.steps(steps)
    return {
        "rnn": res.forecasts[generation].free[:steps],
        "hybrid": res.hybrid[:steps],
        **{k: v[:steps] for k, v in res.baselines.items()},
    }


def mse_by_contender(res: SineResult, generation: str, steps: int) -> dict[str, float]:
    """MSE over the first ``steps`` steps of the network and of each baseline, on the same future."""
    truth = res.future[: res.steps(steps)]
    return {name: mse(values, truth) for name, values in contenders(res, generation, steps).items()}


WORST_SQUARED_ERROR = 1e100
"""A step's squared error is capped here (and a forecast that is not a number errs this much): a forecast
that far off has lost, and the capped errors keep the differences and their variance finite."""


def squared_errors(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-step squared errors in float64, each at most WORST_SQUARED_ERROR: what Diebold-Mariano compares."""
    with np.errstate(over="ignore", invalid="ignore"):
        squared = (np.asarray(prediction, dtype=float) - target) ** 2
    return np.minimum(np.nan_to_num(squared, nan=WORST_SQUARED_ERROR), WORST_SQUARED_ERROR)


def squared_errors_by_contender(res: SineResult, generation: str, steps: int) -> dict[str, np.ndarray]:
    """Per-step squared errors of the network's free-running forecast and of each baseline, on the same future."""
    truth = res.future[: res.steps(steps)]
    return {
        name: squared_errors(values, truth) for name, values in contenders(res, generation, steps).items()
    }


def one_step_squared_errors(res: SineResult, generation: str, steps: int) -> np.ndarray:
    """Per-step squared errors of the teacher-forced predictions over the same future steps."""
    steps = res.steps(steps)
    return squared_errors(res.forecasts[generation].teacher[:steps], res.future[:steps])
