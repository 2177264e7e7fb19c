"""Attention view: the issue's 'done when' table, seeds 0-2 at the default length, timed; and what the
training film costs.

For each seed, both networks trained side by side (same data, steps and budget): the training time of
both together (target at most 30 s on 2 cores), shown as wall-clock and as this process's CPU time
(equal on a quiet machine; on a shared one the CPU time is what the work itself costs), the held-out token
accuracy of each (greedy decoding; targets: attention at least 0.95, plain at most 0.8) and the share
of output steps whose largest attention weight is on the input step the rule names. Then, for seed 0,
the same run without snapshots: capture may add at most 15 % to training, the cached result may weigh
at most 20 MB, and the alignment film must build in at most 0.3 s.

Run: .venv/bin/python -m bench.attention
"""

from __future__ import annotations

import time

from bench.targets import film_misses, film_seconds, verdict
from rnnviz.core.runtime import configure_torch, size_of
from rnnviz.core.timeline import capturing
from rnnviz.views.attention.answers import held_out_example, on_rule_share
from rnnviz.views.attention.cost import measure
from rnnviz.views.attention.figures import alignment_film, position_film
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.train import run

SEEDS = (0, 1, 2)
MAX_TRAIN_S = 30.0
MIN_ATTENTION, MAX_PLAIN = 0.95, 0.8


def timed_run(cfg: AttentionConfig):
    cpu = time.process_time()
    res = run(cfg)
    return res, time.process_time() - cpu


def film(res) -> None:
    example = held_out_example(res)
    alignment_film(res.history, example.source, example.written["attention"], example.expected, "")
    position_film(res.history)


def main() -> int:
    configure_torch()
    run(AttentionConfig(length=5, steps=5, hidden=8))  # first-call overheads out of the timings
    defaults = AttentionConfig()
    print(f"task {defaults.task}, length {defaults.length}, {defaults.steps} steps, hidden {defaults.hidden}")
    print(
        f"{'seed':>4} {'train s':>8} {'run cpu s':>10} {'steps':>6} {'attention':>10} {'plain':>7} "
        f"{'exact att.':>10} {'on rule':>8}"
    )
    misses = []
    results = {}
    for seed in SEEDS:
        res, cpu = timed_run(AttentionConfig(seed=seed))
        results[seed] = res
        att, plain = (res.scores[m].token_accuracy for m in ("attention", "plain"))
        on_rule = on_rule_share(res.weights, res.task)
        print(
            f"{seed:>4} {res.train_seconds:>8.1f} {cpu:>10.1f} {res.history.steps:>6} {att:>10.3f} "
            f"{plain:>7.3f} {res.scores['attention'].exact:>10.3f} {on_rule:>8.1%}"
        )
        if res.train_seconds > MAX_TRAIN_S:
            misses.append(f"seed {seed} trained for {res.train_seconds:.1f} s")
        if att < MIN_ATTENTION or plain > MAX_PLAIN:
            misses.append(f"seed {seed} accuracy {att:.3f} / {plain:.3f}")

    with capturing(False):
        without = run(AttentionConfig(seed=0))
    with_s = results[0].train_seconds
    overhead = with_s / without.train_seconds - 1
    mb = size_of(results[0]) / 2**20
    film_s = film_seconds(lambda: film(results[0]))
    cost_tic = time.perf_counter()
    measure(defaults.hidden)
    cost_s = time.perf_counter() - cost_tic
    print(
        f"\nseed 0 training: {with_s:.1f} s with capture, {without.train_seconds:.1f} s without "
        f"({overhead:+.1%}); {len(results[0].history.timeline)} snapshots; cached result {mb:.2f} MB; "
        f"both films built in {film_s:.3f} s; cost table measured in {cost_s:.1f} s"
    )
    misses += film_misses(overhead, mb, film_s)
    return verdict(misses)


if __name__ == "__main__":
    raise SystemExit(main())
