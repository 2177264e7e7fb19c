"""What the sine view reports (--json) and offers for download: its figures, the forecasts as CSV, the weights
and reproduce.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.figures import baseline_figure, film, forecast_figure, signal_figure
from rnnviz.views.sine.forecasting import changes
from rnnviz.views.sine.lessons import baseline_comparisons, p_value
from rnnviz.views.sine.result import SineResult
from rnnviz.views.sine.rolling import HYBRID, LEVELS, coverage, network_key
from rnnviz.views.sine.scoring import CONTENDERS, contenders, forecast_errors, forecast_mse, mse_by_contender
from rnnviz.views.sine.settings import SineConfig, natural_generation, resolved_generation

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""The standalone script shipped in an export: it recomputes ``forecast_mse`` from the weights."""
INPUTS_FILE = "inputs.json"


def report(cfg: SineConfig, res: SineResult) -> dict:
    """The --json report: the errors, and the forecast, future and training tail to recompute them from."""
    steps = res.steps(cfg.horizon)
    generation = resolved_generation(cfg)
    rolled = res.rolling
    network = network_key(res.objective, generation)
    covered = {
        "rnn": coverage(rolled.forecasts[network], rolled.truth, res.widths[generation], res.interval_scale),
        "ar": coverage(rolled.forecasts["ar"], rolled.truth, res.ar_widths),
    }
    versus = baseline_comparisons(res, generation)
    return {
        "metrics": {
            "train_seconds": res.history.seconds,
            "val_mse": res.val_mse,
            "forecast_mse": forecast_mse(res, generation, steps),
            **forecast_errors(res, generation, cfg.horizon),
            "mse_full_horizon": mse_by_contender(res, generation, steps),
            "mse_rolling": {
                "rnn": float(rolled.per_origin(network).mean()),
                HYBRID: float(rolled.per_origin(HYBRID).mean()),
                **{name: float(rolled.per_origin(name).mean()) for name in BASELINES},
            },
            "mase": {
                "rnn": rolled.mase(network, res.mase_scale),
                **{name: rolled.mase(name, res.mase_scale) for name in (HYBRID, *BASELINES)},
            },
            "coverage_95": {name: float(shares[-1]) for name, shares in covered.items()},
            "dm_pvalue": {name: p_value(found.evidence) for name, found in versus.items()},
            "mse_rolling_by_objective": {
                objective: float(
                    rolled.per_origin(network_key(objective, natural_generation(objective))).mean()
                )
                for objective in (res.objective, res.other.objective)
            },
            "coverage": dict(
                zip(
                    (f"{level:.0%}" for level in LEVELS),
                    covered["rnn"].tolist(),
                    strict=True,
                )
            ),
        },
        "objective": res.objective,
        "rolling_origins": len(rolled.starts),
        "rolling_reach": rolled.reach,
        "prediction": res.forecasts[generation].free[:steps],
        "future": res.future[:steps],
        "train_tail": res.train_tail(),
        "season": res.season,
        "columns": list(res.data.columns),
        "learned": learned_evidence(res),
    }


def _number(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def learned_evidence(res: SineResult) -> dict[str, object]:
    """What the network learned (values or changes, on which scale) and the tests that chose it: the
    evidence behind the page's data note."""
    scale, tested = res.transform, res.stationarity
    return {
        "target": res.learned,
        "lag": res.lag,
        "power": scale.power,
        "scale_test": {
            "block": scale.block,
            "log_spread_on_log_level_slope": _number(scale.slope),
            "p_value": _number(scale.p_value),
            "guerrero_power": _number(scale.guerrero),
            "untested_because": scale.untested or None,
        },
        "stationarity": None
        if tested is None
        else {
            "stationary": tested.stationary,
            "adf_p": _number(tested.adf_p),
            "kpss_p": _number(tested.kpss_p),
        },
    }


def _unit(res: SineResult) -> str:
    return res.data.unit or "value"


def forecast_table(res: SineResult, generation: str, steps: int) -> pd.DataFrame:
    """Every forecaster's forecast beside the truth, one row per step ahead, in the series' units."""
    steps = res.steps(steps)
    unit = _unit(res)
    time = res.time[res.n_train : res.n_train + steps]
    time_name = res.data.time_title if res.data.time_title != "time t (s)" else "time t (s)"
    table = {
        f"step ahead ({res.data.step}s)": np.arange(1, steps + 1),
        time_name: time,
        f"truth ({unit})": res.future[:steps],
    }
    for name, values in contenders(res, generation, steps).items():
        table[f"{CONTENDERS[name]} ({unit})"] = values
    return pd.DataFrame(table)


def timeline_table(res: SineResult) -> pd.DataFrame:
    """The film: the free-running forecast at each training snapshot, one row per snapshot and step ahead."""
    rows = []
    timeline = res.history.timeline
    for step, loss, frame in zip(timeline.steps, timeline.loss, timeline.frames, strict=True):
        for k, (forecast, truth) in enumerate(zip(frame["forecast"], frame["truth"], strict=True), start=1):
            rows.append((step, loss, k, float(forecast), float(truth)))
    unit = _unit(res)
    return pd.DataFrame(
        rows,
        columns=[
            "training step",
            "training loss (scaled units², MSE)",
            f"step ahead ({res.data.step}s)",
            f"forecast ({unit})",
            f"truth ({unit})",
        ],
    )


def learned_series(res: SineResult) -> np.ndarray:
    """What the network read, unscaled: the observed columns (the target on its learned scale), or their changes
    over ``res.lag`` steps."""
    observed = np.column_stack([res.transform.forward(res.observed), res.data.observed[:, 1:]])
    return changes(observed, res.lag) if res.lag else observed


def reproduce_inputs(res: SineResult, cfg: SineConfig) -> dict[str, object]:
    """What reproduce.py needs besides the weights, at full precision (not rounded as in --json)."""
    steps = res.steps(cfg.horizon)
    n, size = res.n_train, res.window
    return {
        "cell": res.cell,
        "hidden": res.hidden,
        "layers": cfg.layers,
        "generation": resolved_generation(cfg),
        "low": res.scaler.low.tolist(),
        "high": res.scaler.high.tolist(),
        "context": learned_series(res)[n - size : n].tolist(),
        "lag": res.lag,
        "known": res.transform.forward(res.observed[n - res.lag : n]).tolist() if res.lag else [],
        "power": res.transform.power,
        "future": res.future[:steps].tolist(),
    }


def export(cfg: SineConfig, res: SineResult) -> Export:
    steps = res.steps(cfg.horizon)
    generation = resolved_generation(cfg)
    figures = {
        "The series and its split": signal_figure(res),
        "The forecast through training": film(cfg, res),
        "The forecast": forecast_figure(res, generation, steps),
        "Against the baselines": baseline_figure(res, generation, steps),
    }
    return Export(
        figures=figures,
        tables={"forecasts": forecast_table(res, generation, steps), "timeline": timeline_table(res)},
        weights=res.weights,
        reproduce=REPRODUCE,
        files={INPUTS_FILE: json.dumps(reproduce_inputs(res, cfg)).encode()},
    )
