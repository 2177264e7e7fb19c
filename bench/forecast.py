"""Forecasting real series: the network, trained both ways, against the naive, seasonal-naive and AR forecasts.

For each real data set (sunspots, CO₂, US macro) and each seed, the Sine view's defaults for real data train
once (a GRU of 48 units on free-running rollouts, and the same network one step ahead for comparison,
sharing the budget). Printed per run: mean squared error over the rolling origins of the held-out span (the
verdict's data) and over the whole held-out future from its start, for every contender; the Diebold-Mariano
verdict of the network against each baseline; the 95% interval's coverage; both trainings' seconds and stop.

Targets: on every series the network trained on rollouts beats the naive forecast from the rolling origins
in mean squared error, and each training finishes by its step count. Whether it beats seasonal naive and AR
is reported as measured, not tuned for.

Run: .venv/bin/python -m bench.forecast [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys

from rnnviz.core.runtime import configure_torch
from rnnviz.views.sine import datasets
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.lessons import COMPARISONS, by_id, claims
from rnnviz.views.sine.rolling import network_key
from rnnviz.views.sine.scoring import mse
from rnnviz.views.sine.settings import SineConfig, natural_generation
from rnnviz.views.sine.train import run

COLUMNS = {
    "rollout": "net rollout",
    "one_step": "net 1-step",
    "naive": "naive",
    "seasonal_naive": "seas.naive",
    "ar": "AR",
}
VERDICT = {True: "wins", False: "loses"}


def verdict(found: dict, name: str) -> str:
    """'wins', 'loses' or 'tie' for the network against a baseline, as the page decides it."""
    c = found[COMPARISONS[name]]
    if c.evidence["low"] <= 0 <= c.evidence["high"]:
        return "tie"
    return VERDICT[c.holds]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per series")
    args = parser.parse_args()
    configure_torch()
    run(SineConfig(epochs=1))  # warm-up: lazy imports (torch's optimisers, statsmodels)
    header = "".join(f"{v:>12}" for v in COLUMNS.values())
    print(f"{'series':<9}{'seed':>4}  {'':<8}{header}   vs naive/seas/AR   cov95  train s (rollout+1-step)")
    missed = []
    for name in datasets.REAL:
        for seed in range(args.seeds):
            cfg = SineConfig(signal=name, seed=seed)
            res = run(cfg)
            rolled = res.rolling
            rolling_mse = {
                objective: float(
                    rolled.per_origin(network_key(objective, natural_generation(objective))).mean()
                )
                for objective in ("rollout", "one_step")
            } | {b: float(rolled.per_origin(b).mean()) for b in BASELINES}
            free = {res.objective: res.forecasts[natural_generation(res.objective)].free}
            free[res.other.objective] = res.other.free[natural_generation(res.other.objective)]
            full = {k: mse(v, res.future) for k, v in free.items()} | {
                b: mse(v, res.future) for b, v in res.baselines.items()
            }
            found = by_id(claims(cfg, res))
            verdicts = "/".join(verdict(found, b) for b in BASELINES)
            coverage = found["intervals_cover"].evidence["coverage_95"]
            stops = f"{res.history.stop}/{res.other.history.stop}"
            times = f"{res.history.seconds:.1f}+{res.other.history.seconds:.1f} {stops}"
            row = "".join(f"{rolling_mse[k]:>12.4g}" for k in COLUMNS)
            print(f"{name:<9}{seed:>4}  {'rolling':<8}{row}   {verdicts:<17}{coverage:>6.0%}  {times}")
            row = "".join(f"{full[k]:>12.4g}" for k in COLUMNS)
            print(f"{'':<13}  {'whole':<8}{row}")
            if not rolling_mse["rollout"] < rolling_mse["naive"]:
                missed.append(f"{name} seed {seed}: rollouts {rolling_mse['rollout']:.3g} >= naive")
            if "budget" in stops:
                missed.append(f"{name} seed {seed}: a training stopped by its budget")
        print(
            f"{'':<13}  {len(rolled.starts)} origins, {rolled.reach} {res.data.step}s ahead; {res.cell} "
            f"{res.hidden}, window {res.window}, rollouts to {res.rollout}, learned {res.learned}; {res.ar_model}"
        )
    print("targets: met" if not missed else "targets: not met: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
