"""Sequence-pattern targets, measured side by side in one run.

Run: .venv/bin/python -m bench.patterns
- every pattern with defaults: accuracy against its constant guess, training time against the ~4 s above
  which a page needs a Train button (seq2seq has one);
- the date converter against the issue's target, 95% exact match on held-out dates within 30 s, on
  three seeds;
- answering typed input and drawing its figures (a display-only rerun) against the 1 s warm-render target.

CPU seconds are printed beside wall seconds: training uses one thread, so on a busy machine CPU time is
the better estimate of the wall time an idle 2-core server would take.
"""

from __future__ import annotations

import time

from rnnviz.core.runtime import configure_torch
from rnnviz.views.patterns.answers import answer
from rnnviz.views.patterns.figures import pattern_diagram, state_figures
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.table import PATTERNS
from rnnviz.views.patterns.train import run

DIRECT_RENDER_S = 4.0
DATE_TARGET_ACCURACY = 0.95
DATE_TARGET_S = 30.0
WARM_TARGET_S = 1.0
DATE_SEEDS = (0, 1, 2)


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    configure_torch()
    ok = True
    print(f"{'pattern':<14} {'accuracy':>9} {'guess':>7} {'wall s':>7} {'cpu s':>6}  {'cpu / 4 s':>9}")
    results = {}
    for pattern in PATTERNS:
        cfg = PatternsConfig(pattern=pattern)
        res, wall, cpu = timed(lambda cfg=cfg: run(cfg))
        results[pattern] = (cfg, res)
        print(
            f"{pattern:<14} {res.accuracy:>9.1%} {res.baseline:>7.1%} {wall:>7.2f} {cpu:>6.2f}  "
            f"{cpu / DIRECT_RENDER_S:>9.2f}"
        )
        if pattern != "seq2seq" and cpu > DIRECT_RENDER_S:
            ok = False

    print(f"\ndate converter: target {DATE_TARGET_ACCURACY:.0%} exact match within {DATE_TARGET_S:g} s")
    for seed in DATE_SEEDS:
        res, wall, cpu = timed(lambda seed=seed: run(PatternsConfig(pattern="seq2seq", seed=seed)))
        print(
            f"  seed {seed}: {res.accuracy:.1%} exact match on 1,000 held-out dates "
            f"(x{res.accuracy / DATE_TARGET_ACCURACY:.3f} of target), {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"({cpu / DATE_TARGET_S:.2f} of the 30 s)"
        )
        ok &= res.accuracy >= DATE_TARGET_ACCURACY and cpu <= DATE_TARGET_S

    print(
        f"\ndisplay-only rerun (typed input -> answer, diagram, state heatmaps), target {WARM_TARGET_S:g} s"
    )
    for pattern, (cfg, res) in results.items():

        def redraw(cfg=cfg, res=res, pattern=pattern):
            reply = answer(res, cfg)
            pattern_diagram(reply, cell=cfg.cell, bidirectional=pattern == "bidirectional").to_json()
            return [f.to_json() for f in state_figures(reply, pattern)]

        _, wall, cpu = timed(redraw)
        print(f"  {pattern:<14} {wall:.3f} s wall, {cpu:.3f} s CPU ({wall / WARM_TARGET_S:.2f} of target)")
        ok &= wall <= WARM_TARGET_S
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
