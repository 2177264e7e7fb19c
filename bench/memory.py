"""Memory view: the issue's 'done when' table, seeds 0-2 at length 100 on the default task, timed.

For each seed, the whole side-by-side run (vanilla RNN, LSTM, GRU; same data and step budget):
its wall-clock time (target at most 45 s on 2 cores) and each cell's final loss as a share of
chance. Targets: a gated cell below 0.1 x chance and the vanilla RNN above 0.5 x chance, for every
seed. Exits non-zero if one is missed.

Run: .venv/bin/python -m bench.memory
"""

from __future__ import annotations

import sys
import time

from rnnviz.core.runtime import configure_torch
from rnnviz.views.memory.experiment import (
    FAILED,
    MEMORY_BUDGET_S,
    SOLVED,
    MemoryConfig,
    percent,
    run,
    verdict,
)

SEEDS = (0, 1, 2)


def main() -> int:
    configure_torch()
    run(MemoryConfig(length=5, steps=50))  # first-call overheads (lazy torch imports) out of the timings
    defaults = MemoryConfig()
    print(
        f"task {defaults.task}, length {defaults.length}, {defaults.steps} steps, gate bias {defaults.gate_bias:g}"
    )
    print(f"{'seed':>4} {'seconds':>8} {'RNN/chance':>16} {'LSTM/chance':>16} {'GRU/chance':>16}")
    ok = True
    for seed in SEEDS:
        start = time.perf_counter()
        res = run(MemoryConfig(seed=seed))
        seconds = time.perf_counter() - start
        shares = {cell: res.ratio(cell) for cell in res.runs}
        cells = " ".join(
            f"{percent(shares[c]) + ' ' + verdict(res.runs[c].final_loss, res.chance_loss):>16}"
            for c in res.runs
        )
        print(f"{seed:>4} {seconds:>8.1f} {cells}")
        ok &= seconds <= MEMORY_BUDGET_S
        ok &= min(shares["lstm"], shares["gru"]) < SOLVED and shares["rnn"] > FAILED
    print(
        f"targets: a gated cell below {SOLVED:g} x chance, the RNN above {FAILED:g} x chance, "
        f"at most {MEMORY_BUDGET_S:g} s per run: " + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
