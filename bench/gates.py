"""Gates view: training (the cached part) against a display-only redraw, and the saturation target, in one run.

For each cell and task at default settings, over seeds 0-2: the time to train both networks,
the time to inspect a sequence and build every figure (what typing, picking units or the
time scrubber costs), and the share of saturated sigmoid-gate values on held-out sequences,
trained against untrained. Exits non-zero if a default run misses the saturation target
(trained at least 10 points above untrained) or training exceeds the page's 4 s share.

Run: .venv/bin/python -m bench.gates
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace

from rnnviz.core.runtime import configure_torch
from rnnviz.views.gates.experiment import (
    GatesConfig,
    choose_units,
    inspect_sequence,
    kept_memory,
    run,
    step_equations,
)
from rnnviz.views.gates.figures import (
    QUANTITIES,
    conveyor_belt,
    gate_heatmap,
    saturation_histogram,
    unit_lines,
)
from rnnviz.views.gates.gating import saturated_share

SEEDS = (0, 1, 2)
TRAIN_TARGET_S = 4.0
MIN_GAIN = 0.10


def redraw(res, cfg: GatesConfig) -> None:
    """Everything the page's fragment computes when a display-only control changes."""
    ins = inspect_sequence(res, cfg)
    units, _ = choose_units(cfg.units, cfg.hidden, res.ranked_units)
    kept = kept_memory(ins, cfg.cell, units)
    for name in QUANTITIES[cfg.cell]:
        gate_heatmap(ins.trained, name, ins.tokens, cfg.cell).to_json()
    unit_lines(ins.trained, ins.tokens, cfg.cell, units, "bench").to_json()
    saturation_histogram(ins.trained.gates, ins.untrained.gates, cfg.cell).to_json()
    conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit).to_json()
    step_equations(res, ins, 0, units)


def main() -> int:
    configure_torch()
    run(
        replace(GatesConfig(), train_steps=20)
    )  # first-call overheads (lazy torch imports) out of the timings
    print(
        f"{'cell':<5} {'task':<9} {'seed':>4} {'train s':>8} {'redraw s':>9} {'ratio':>6} "
        f"{'saturated trained':>18} {'untrained':>10} {'held-out/chance':>16}"
    )
    ok = True
    train_times = []
    for cell in ("lstm", "gru"):
        for task in ("copy", "brackets"):
            for seed in SEEDS:
                cfg = GatesConfig(cell=cell, task=task, seed=seed)
                start = time.perf_counter()
                res = run(cfg)
                train_s = time.perf_counter() - start
                start = time.perf_counter()
                redraw(res, cfg)
                redraw_s = time.perf_counter() - start
                trained = saturated_share(res.trained.saturation)
                untrained = saturated_share(res.untrained.saturation)
                flag = ""
                if trained < untrained + MIN_GAIN:
                    flag, ok = "  <-- saturation target missed", False
                train_times.append(train_s)
                print(
                    f"{cell:<5} {task:<9} {seed:>4} {train_s:8.2f} {redraw_s:9.3f} {train_s / redraw_s:6.1f} "
                    f"{trained:18.0%} {untrained:10.1%} {res.trained.held_out_loss / res.chance_loss:16.2%}{flag}"
                )
    median = statistics.median(train_times)
    print(f"median training time {median:.2f} s (target <= {TRAIN_TARGET_S:g} s so the page renders in 5 s)")
    ok &= median <= TRAIN_TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
