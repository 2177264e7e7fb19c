"""Sine extrapolation: the tutorial's pipeline as written against this app's default training, in one run.

The tutorial's pipeline trains a vanilla RNN cell stepped through time in a Python loop, on minibatches of 128
sliding windows (15 values -> the next), for 50 epochs with Adam (lr 1e-2) and gradient clipping
at 1.0, on a random 80/20 split with seed 42. It then forecasts 1,000 steps by feeding each
prediction back, re-reading the latest window from a zero state every time.

Both sides run in this process, alternately, REPEATS times; times are medians. Prints the
training-time ratio and both forecast errors, then how long each page default (the sine and the real
series) takes to train both objectives, and exits non-zero when a target is missed.
With --seeds N, it also runs both with seeds 0..N-1: a 1,000-step forecast depends strongly on
the seed, and one seed's error says little about a recipe.

Run: .venv/bin/python -m bench.sine [--seeds 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from rnnviz.core.budget import training_budget_s
from rnnviz.core.runtime import configure_torch
from rnnviz.views.sine.datasets import REAL
from rnnviz.views.sine.scoring import forecast_errors
from rnnviz.views.sine.settings import SineConfig
from rnnviz.views.sine.train import HYBRID_SHARE, MAIN_SHARE, run

REPEATS = 3
TARGET_RATIO = 2.5
TARGET_MSE = 2.5e-2
WELL_WITHIN = 0.5
"""A page default's two trainings together take at most half the training budget."""


class SeedRNN(nn.Module):
    def __init__(self, hidden_size: int = 10) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = nn.RNNCell(1, hidden_size)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(x.size(0), self.hidden_size)
        for t in range(x.size(1)):
            h = self.cell(x[:, t, :], h)
        return self.fc(h)


def tutorial_pipeline(epochs: int = 50, seed: int = 42) -> tuple[float, float, float]:
    """The tutorial's script, as a function: (training seconds, validation MSE, forecast MSE over 1,000 steps)."""
    torch.manual_seed(seed)
    window = 15
    t = np.arange(0, 75, 0.1)
    data = np.sin(t)
    xs, ys = [], []
    for i in range(len(data) - window - 1):
        xs.append(data[i : i + window])
        ys.append(data[i + window])
    x = torch.tensor(np.array(xs), dtype=torch.float32).unsqueeze(-1)
    y = torch.tensor(np.array(ys), dtype=torch.float32).unsqueeze(-1)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=seed)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=128, shuffle=True)

    model = SeedRNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.MSELoss()
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(x_val), y_val).item()
    seconds = time.perf_counter() - start

    history = list(data[-window:])
    predictions = []
    with torch.no_grad():
        for _ in range(1000):
            inp = torch.tensor(history[-window:], dtype=torch.float32).view(1, window, 1)
            pred = model(inp).item()
            predictions.append(pred)
            history.append(pred)
    truth = np.sin(np.arange(len(data), len(data) + 1000) * 0.1)
    return seconds, val_loss, float(np.mean((np.array(predictions) - truth) ** 2))


def app_training(cfg: SineConfig) -> tuple[float, float, float]:
    res = run(cfg)
    return res.history.seconds, res.val_mse, forecast_errors(res, "window", 1000)["extrap_mse_1000"]


def default_runs() -> list[str]:
    """Each page default (the sine and every real series) trains both objectives and the hybrid's network by
    their step counts, well within the budget: one line per default, and the defaults that did not."""
    budget = training_budget_s()
    late = []
    print(
        f"\npage defaults, both objectives and the hybrid trained (budget {budget:g} s, shown {MAIN_SHARE:.0%} "
        f"of it, hybrid {HYBRID_SHARE:.0%})"
    )
    for signal in ("sine", *REAL):
        res = run(SineConfig(signal=signal))
        main, other, hybrid = res.history, res.other.history, res.hybrid_history
        total = main.seconds + other.seconds + hybrid.seconds
        print(
            f"{signal:<10}{res.objective:>9} {main.steps:>4} steps {main.seconds:>6.2f} s {main.stop:<6}"
            f"{res.other.objective:>9} {other.steps:>4} steps {other.seconds:>6.2f} s {other.stop:<6}"
            f" hybrid {hybrid.steps:>4} steps {hybrid.seconds:>6.2f} s {hybrid.stop:<6}"
            f" total {total:>6.2f} s = {total / budget:.0%} of the budget"
        )
        stops = (main.stop, other.stop, hybrid.stop)
        if any(stop != "done" for stop in stops) or total > WELL_WITHIN * budget:
            late.append(f"{signal} default took {total:.1f} s ({'/'.join(stops)})")
    return late


def seed_spread(count: int, cfg: SineConfig) -> None:
    """Forecast error of both recipes over seeds 0..count-1: how much of one result is luck."""
    tutorial_mse = [tutorial_pipeline(seed=k)[2] for k in range(count)]
    app_mse = [app_training(dataclasses.replace(cfg, seed=k))[2] for k in range(count)]
    print(f"\nforecast MSE over 1,000 steps, seeds 0..{count - 1} (seed: weights, batches and split)")
    for name, values in (("tutorial pipeline", tutorial_mse), ("rnnviz default", app_mse)):
        good = sum(v <= TARGET_MSE for v in values)
        shown = " ".join(f"{v:.1e}" for v in values)
        print(f"{name:<16} median {statistics.median(values):.2e}, {good}/{count} <= {TARGET_MSE:g}: {shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, default=0, help="also compare forecast errors over this many seeds"
    )
    args = parser.parse_args()
    configure_torch()
    cfg = SineConfig()
    tutorial_pipeline(epochs=1)  # warm-up: lazy imports and first-call allocations, on both sides
    run(SineConfig(epochs=1))
    tutorial_runs, app_runs = [], []
    for _ in range(REPEATS):
        tutorial_runs.append(tutorial_pipeline())
        app_runs.append(app_training(cfg))
    tutorial_s = statistics.median(r[0] for r in tutorial_runs)
    app_s = statistics.median(r[0] for r in app_runs)
    _, tutorial_val, tutorial_mse = tutorial_runs[0]
    _, app_val, app_mse = app_runs[0]
    ratio = tutorial_s / app_s
    batch = "full batch" if cfg.batch == "full" else f"batch {cfg.batch}"
    print(f"Sine extrapolation, training time (median of {REPEATS}) and forecast error over 1,000 steps")
    print(f"{'pipeline':<52}{'train s':>9}{'val MSE':>11}{'extrap MSE':>12}")
    print(
        f"{'tutorial: RNNCell loop, batch 128, 50 epochs':<52}{tutorial_s:>9.3f}{tutorial_val:>11.2e}{tutorial_mse:>12.2e}"
    )
    app = f"rnnviz: fused nn.RNN, {batch}, {cfg.epochs} epochs, lr {cfg.lr:g}"
    print(f"{app:<52}{app_s:>9.3f}{app_val:>11.2e}{app_mse:>12.2e}")
    print(f"training-time ratio tutorial/rnnviz: {ratio:.2f}x (target >= {TARGET_RATIO}x)")
    print(
        f"forecast MSE ratio tutorial/rnnviz: {tutorial_mse / app_mse:.1f}x (target: rnnviz <= tutorial and <= {TARGET_MSE:g})"
    )
    if args.seeds:
        seed_spread(args.seeds, cfg)
    missed = default_runs()
    if ratio < TARGET_RATIO:
        missed.append(f"training-time ratio {ratio:.2f}x < {TARGET_RATIO}x")
    if app_mse > min(tutorial_mse, TARGET_MSE):
        missed.append(f"forecast MSE {app_mse:.2e} > min(tutorial's, {TARGET_MSE:g})")
    print("targets: met" if not missed else "targets: not met: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
