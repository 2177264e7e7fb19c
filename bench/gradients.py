"""Gradients view: all T gradient norms from one backward pass against one backward pass per step.

Same model, same data, both in float64: the speed-up (target at least 10x) and the largest
relative difference (target below 1e-4), for each cell at the page's default length and at the
longest. Also the page's default run (probes, clipping pair, BPTT by hand), and a run that trains
every cell for TRAINED_STEPS steps with and without capturing its curve at the snapshots, side by
side: capture may add at most 15 % to the run, the cached result with its timeline may weigh at most
20 MB, and the curves' film must build in at most 0.3 s. Exits non-zero if a target is missed.

Run: .venv/bin/python -m bench.gradients
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import torch

from bench.targets import film_misses, film_seconds, verdict
from rnnviz.core.memory_model import build_model
from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.runtime import configure_torch, size_of
from rnnviz.core.timeline import capturing
from rnnviz.views.gradients.figures import film
from rnnviz.views.gradients.gradnorms import hidden_grad_norms, hidden_grad_norms_per_step
from rnnviz.views.gradients.settings import PROBE_BATCH, GradientsConfig
from rnnviz.views.gradients.train import run

MIN_SPEEDUP = 10.0
MAX_RELATIVE_DIFFERENCE = 1e-4
REPEATS = 3
CASES = [("rnn", 100), ("lstm", 100), ("gru", 100), ("rnn", 500)]
TRAINED_STEPS = 300


def median_seconds(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    configure_torch()
    misses = []
    print(
        f"{'cell':<5} {'T':>4} {'one pass ms':>12} {'per step ms':>12} {'speed-up':>9} {'max rel diff':>13}"
    )
    for cell, length in CASES:
        x, y = (torch.from_numpy(a) for a in copy_first(PROBE_BATCH, length, np.random.default_rng(0)))
        torch.manual_seed(0)
        model = build_model(cell, GradientsConfig.hidden, gate_bias=GradientsConfig.gate_bias)
        fast = hidden_grad_norms(model, x, y)  # warm-up, and the values compared
        slow = hidden_grad_norms_per_step(model, x, y)
        rel = float(np.max(np.abs(fast - slow) / np.abs(slow)))
        one = median_seconds(lambda: hidden_grad_norms(model, x, y))  # noqa: B023
        per_step = median_seconds(lambda: hidden_grad_norms_per_step(model, x, y), 1)  # noqa: B023
        speedup = per_step / one
        if speedup < MIN_SPEEDUP or rel >= MAX_RELATIVE_DIFFERENCE:
            misses.append(f"{cell} at T = {length}: {speedup:.1f}x, difference {rel:.1e}")
        print(
            f"{cell:<5} {length:>4} {one * 1e3:>12.1f} {per_step * 1e3:>12.1f} {speedup:>8.1f}x {rel:>13.1e}"
        )

    run(GradientsConfig(length=10))  # first-call overheads (lazy torch imports) out of the timing
    page = median_seconds(lambda: run(GradientsConfig()))
    print(f"\npage default run (3 probes, clipping pair, BPTT by hand): {page:.2f} s")

    trained = GradientsConfig(train_steps=TRAINED_STEPS)
    tic = time.perf_counter()
    res = run(trained)
    with_s = time.perf_counter() - tic
    with capturing(False):
        without_s = median_seconds(lambda: run(trained), 1)
    overhead = with_s / without_s - 1
    mb = size_of(res) / 2**20
    film_s = film_seconds(lambda: film(trained, res))
    frames = len(res.curves["rnn"].history.timeline)
    print(
        f"trained {TRAINED_STEPS} steps per cell: {with_s:.1f} s with capture, {without_s:.1f} s without "
        f"({overhead:+.1%}); {frames} snapshots per cell; cached result {mb:.2f} MB; film built in {film_s:.3f} s"
    )
    misses += film_misses(overhead, mb, film_s)
    return verdict(misses)


if __name__ == "__main__":
    sys.exit(main())
