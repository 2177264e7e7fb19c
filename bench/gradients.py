"""Gradients view: all T gradient norms from one backward pass against one backward pass per step.

Same model, same data, both in float64: the speed-up (target at least 10x) and the largest
relative difference (target below 1e-4), for each cell at the page's default length and at the
longest. Also the page's default run (probes, clipping pair, BPTT by hand). Exits non-zero if a
target is missed.

Run: .venv/bin/python -m bench.gradients
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import torch

from rnnviz.core.memory_model import build_model
from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.runtime import configure_torch
from rnnviz.views.gradients.experiment import PROBE_BATCH, GradientsConfig, run
from rnnviz.views.gradients.gradnorms import hidden_grad_norms, hidden_grad_norms_per_step

MIN_SPEEDUP = 10.0
MAX_RELATIVE_DIFFERENCE = 1e-4
REPEATS = 3
CASES = [("rnn", 100), ("lstm", 100), ("gru", 100), ("rnn", 500)]


def median_seconds(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    configure_torch()
    ok = True
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
        ok &= speedup >= MIN_SPEEDUP and rel < MAX_RELATIVE_DIFFERENCE
        print(
            f"{cell:<5} {length:>4} {one * 1e3:>12.1f} {per_step * 1e3:>12.1f} {speedup:>8.1f}x {rel:>13.1e}"
        )

    run(GradientsConfig(length=10))  # first-call overheads (lazy torch imports) out of the timing
    page = median_seconds(lambda: run(GradientsConfig()))
    print(f"\npage default run (3 probes, clipping pair, BPTT by hand): {page:.2f} s")
    print(
        f"targets: speed-up >= {MIN_SPEEDUP:g}x, relative difference < {MAX_RELATIVE_DIFFERENCE:g}: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
