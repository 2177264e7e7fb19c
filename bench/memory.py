"""Memory view: the issue's 'done when' table, seeds 0-2 at length 100 on the default task, timed; and
what the training film costs.

For each seed, the whole side-by-side run (vanilla RNN, LSTM, GRU; same data and step budget):
its wall-clock time (target at most memory_budget_s() on 2 cores) and each cell's held-out loss as a share
of chance with its verdict. Target: the view's headline claim holds (both gated cells solved, the vanilla
RNN failed, each by its whole 95% interval) for every seed. Then, for seed 0, the same run without capturing snapshots, side by side: capture may add at
most 15 % to the training time, the cached result with its timeline may weigh at most 20 MB, and the
answers film must build in at most 0.3 s.

Run: .venv/bin/python -m bench.memory
"""

from __future__ import annotations

import sys
import time

from bench import targets
from rnnviz.core.fmt import percent
from rnnviz.core.memory_model import memory_budget_s
from rnnviz.core.runtime import configure_torch, size_of
from rnnviz.core.timeline import capturing
from rnnviz.views.memory.figures import recall_film
from rnnviz.views.memory.lessons import headline_claim, share_of_chance, verdict
from rnnviz.views.memory.settings import MemoryConfig
from rnnviz.views.memory.train import run

SEEDS = (0, 1, 2)


def main() -> int:
    configure_torch()
    run(MemoryConfig(length=5, steps=50))  # first-call overheads (lazy torch imports) out of the timings
    defaults = MemoryConfig()
    print(
        f"task {defaults.task}, length {defaults.length}, {defaults.steps} steps, gate bias {defaults.gate_bias:g}"
    )
    print(f"{'seed':>4} {'seconds':>8} {'RNN/chance':>16} {'LSTM/chance':>16} {'GRU/chance':>16}")
    misses = []
    results = {}
    for seed in SEEDS:
        start = time.perf_counter()
        res = results[seed] = run(MemoryConfig(seed=seed))
        seconds = time.perf_counter() - start
        cells = " ".join(
            f"{percent(share_of_chance(res, c).estimate) + ' ' + verdict(res, c):>16}" for c in res.runs
        )
        print(f"{seed:>4} {seconds:>8.1f} {cells}")
        if seconds > memory_budget_s():
            misses.append(f"seed {seed} took {seconds:.1f} s")
        if not headline_claim(res).holds:
            misses.append(f"seed {seed} verdicts")

    with_s = results[0].seconds
    with capturing(False):
        without = run(MemoryConfig(seed=0))
    overhead = with_s / without.seconds - 1
    mb = size_of(results[0]) / 2**20
    film_s = targets.film_seconds(lambda: recall_film(results[0]))
    frames = len(results[0].runs["lstm"].history.timeline)
    print(
        f"\nseed 0 training: {with_s:.1f} s with capture, {without.seconds:.1f} s without "
        f"({overhead:+.1%}); {frames} snapshots per cell; cached result {mb:.2f} MB; film built in {film_s:.3f} s"
    )
    misses += targets.film_misses(overhead, mb, film_s)
    return targets.verdict(misses)


if __name__ == "__main__":
    sys.exit(main())
