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
CONTENDERS = {"rnn": "network (free running)", **BASELINES}
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
    """The network's free-running forecast and each baseline's, over the first ``steps`` steps."""
    steps = res.steps(steps)
    return {"rnn": res.forecasts[generation].free[:steps], **{k: v[:steps] for k, v in res.baselines.items()}}


def mse_by_contender(res: SineResult, generation: str, steps: int) -> dict[str, float]:
    """MSE over the first ``steps`` steps of the network and of each baseline, on the same future."""
    truth = res.future[: res.steps(steps)]
    return {name: mse(values, truth) for name, values in contenders(res, generation, steps).items()}
