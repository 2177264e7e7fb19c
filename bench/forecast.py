"""Forecasting real series: the network against the naive, seasonal-naive and autoregressive forecasts.

For each real data set (sunspots, CO₂, US macro), the Sine view's defaults for real data (split by
time, scaler fitted on the training span, changes learned) train once; all four forecasters are
scored on the same held-out future with the same horizon. Printed side by side: mean squared error
over the whole future (and its root, in the series' units), who wins, training time with and without
the snapshot timeline, and the cached result's size.

Target: on CO₂ the network beats the naive forecast. Whether it beats seasonal naive and AR is
reported as measured, not tuned for.

Run: .venv/bin/python -m bench.forecast
"""

from __future__ import annotations

import math
import pickle
import sys

from rnnviz.core.runtime import configure_torch
from rnnviz.core.timeline import capturing
from rnnviz.views.sine import datasets
from rnnviz.views.sine.scoring import CONTENDERS, mse_by_contender
from rnnviz.views.sine.settings import SineConfig
from rnnviz.views.sine.train import run

NAMES = {"rnn": "network", "naive": "naive", "seasonal_naive": "seas. naive", "ar": "AR"}


def main() -> int:
    configure_torch()
    run(SineConfig(epochs=1))  # warm-up: lazy imports (torch's optimisers, statsmodels)
    header = "".join(f"{NAMES[k]:>13}" for k in CONTENDERS)
    print(f"{'series':<10}{'steps':>6}  MSE over the whole held-out future{'':<8}")
    print(f"{'':<16}{header}{'winner':>14}{'train s':>9}{'no capture':>12}{'result MB':>11}")
    missed = []
    for name in datasets.REAL:
        cfg = SineConfig(signal=name)
        res = run(cfg)
        with capturing(False):
            bare = run(cfg)
        errors = mse_by_contender(res, cfg.generation, len(res.future))
        winner = NAMES[min(errors, key=errors.get)]
        size = len(pickle.dumps(res)) / 2**20
        row = "".join(f"{errors[k]:>13.4g}" for k in CONTENDERS)
        print(
            f"{name:<10}{len(res.future):>6}{row}{winner:>14}{res.history.seconds:>9.2f}"
            f"{bare.history.seconds:>12.2f}{size:>11.2f}"
        )
        unit = res.data.unit
        rmse = ", ".join(f"{NAMES[k]} {math.sqrt(v):.3g}" for k, v in errors.items())
        print(f"{'':<16}RMSE in {unit}: {rmse}; season {res.season}, {res.ar_model}, learned {res.learned}")
        if name == "co2" and not errors["rnn"] < errors["naive"]:
            missed.append(
                f"on CO₂ the network ({errors['rnn']:.3g}) does not beat naive ({errors['naive']:.3g})"
            )
    print("targets: met" if not missed else "targets: not met: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
