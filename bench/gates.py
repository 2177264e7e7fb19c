"""Gates view: training with and without the snapshot film, a display-only redraw, the result's size and the
saturation target, side by side in one run.

For each cell and task at default settings, over seeds 0-2: the time to train both networks with
capture (the film of the worked example) and without, the time to inspect a sequence and build every
figure (what typing, picking units or the time scrubber costs), the cached result's size, and the share
of saturated sigmoid-gate values on held-out sequences, trained against untrained. The last line says
whether the targets are met: saturation up at least 10 points, median training within the page's 4 s
share, capture adding at most 15 %, a result under 20 MB.

Run: .venv/bin/python -m bench.gates
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace

from bench.targets import CAPTURE_SHARE, MAX_RESULT_MB
from rnnviz.core.runtime import configure_torch, size_of
from rnnviz.core.timeline import capturing
from rnnviz.views.gates.figures import conveyor_belt, gates_figure, saturation_figure, unit_lines
from rnnviz.views.gates.gating import saturated_share
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.lessons import kept_memory, step_equations
from rnnviz.views.gates.reading import inspect_sequence
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.train import run

SEEDS = (0, 1, 2)
TRAIN_TARGET_S = 4.0
MIN_GAIN = 0.10


def redraw(res, cfg: GatesConfig) -> None:
    """Everything the page's fragment computes when a display-only control changes."""
    ins = inspect_sequence(res, cfg)
    units, _ = choose_units(cfg.units, cfg.hidden, res.ranked_units)
    kept = kept_memory(ins, cfg.cell, units)
    gates_figure(res, ins, cfg.source).to_json()
    unit_lines(ins.trained, ins.tokens, cfg.cell, units, "bench").to_json()
    saturation_figure(res, ins, cfg.source).to_json()
    conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit).to_json()
    step_equations(res, ins, 0, units)


def timed(cfg: GatesConfig, capture: bool):
    with capturing(capture):
        start = time.perf_counter()
        res = run(cfg)
    return res, time.perf_counter() - start


def main() -> int:
    configure_torch()
    run(
        replace(GatesConfig(), train_steps=20)
    )  # first-call overheads (lazy torch imports) out of the timings
    print(
        f"{'cell':<5} {'task':<9} {'seed':>4} {'train s':>8} {'no film s':>9} {'film +':>7} {'redraw s':>9} "
        f"{'result MB':>9} {'saturated trained':>18} {'untrained':>10} {'held-out/chance':>16}"
    )
    missed = []
    train_times, plain_times, sizes = [], [], []
    for cell in ("lstm", "gru"):
        for task in ("copy", "brackets"):
            for seed in SEEDS:
                cfg = GatesConfig(cell=cell, task=task, seed=seed)
                res, train_s = timed(cfg, True)
                _, plain_s = timed(cfg, False)
                start = time.perf_counter()
                redraw(res, cfg)
                redraw_s = time.perf_counter() - start
                size_mb = size_of(res) / 2**20
                trained = saturated_share(res.trained.saturation)
                untrained = saturated_share(res.untrained.saturation)
                flag = ""
                if trained < untrained + MIN_GAIN:
                    flag = "  <-- saturation target missed"
                    missed.append(f"saturation {cell} {task} seed {seed}")
                train_times.append(train_s)
                plain_times.append(plain_s)
                sizes.append(size_mb)
                print(
                    f"{cell:<5} {task:<9} {seed:>4} {train_s:8.2f} {plain_s:9.2f} "
                    f"{train_s / plain_s - 1:+7.0%} {redraw_s:9.3f} {size_mb:9.2f} "
                    f"{trained:18.0%} {untrained:10.1%} {res.trained.held_out_loss / res.chance_loss:16.2%}{flag}"
                )
    median, plain = statistics.median(train_times), statistics.median(plain_times)
    overhead = median / plain - 1
    print(
        f"median training {median:.2f} s with the film, {plain:.2f} s without ({overhead:+.0%}); "
        f"largest result {max(sizes):.2f} MB"
    )
    if median > TRAIN_TARGET_S:
        missed.append(f"median training {median:.2f} s > {TRAIN_TARGET_S:g} s")
    if overhead > CAPTURE_SHARE:
        missed.append(f"capture adds {overhead:.0%} > {CAPTURE_SHARE:.0%}")
    if max(sizes) > MAX_RESULT_MB:
        missed.append(f"result {max(sizes):.1f} MB > {MAX_RESULT_MB:g} MB")
    print("targets: met" if not missed else "targets: not met: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
