"""The training film of every view: what capturing snapshots costs, what it weighs, what playing it costs.

For every experiment at its default settings, side by side in one run: the training time with and
without capture (median of REPEATS each, alternating), the cached result's size, the number of
snapshots, and the server time to build the view's film (the figure whose slider and Play button then
run in the browser: moving the slider costs the server nothing). The last line says whether the
targets are met: capture adds at most 15 %, a result is at most 20 MB, a film builds in at most 0.3 s.

Run: .venv/bin/python -m bench.timeline [--only VIEW ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

import plotly.graph_objects as go

from bench.targets import CAPTURE_SHARE, MAX_FILM_S, MAX_RESULT_MB, verdict
from rnnviz.core.config import training_part
from rnnviz.core.runtime import configure_torch, size_of, upstream_input
from rnnviz.core.timeline import capturing
from rnnviz.views import get, views

REPEATS = 2
NOISE_S = 0.05
"""Differences below this are timer noise on short trainings, not capture cost."""


def timed_run(exp, cfg, capture: bool) -> tuple[float, object]:
    with capturing(capture):
        tic = time.perf_counter()
        result = exp.run(training_part(exp.prepare(cfg)), **upstream_input(exp, cfg, get))
        return time.perf_counter() - tic, result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="views to measure (default: all)")
    args = parser.parse_args(argv)
    configure_torch()
    go.Figure(go.Scatter(y=[0, 1])).to_json()  # Plotly's first figure in a process loads its validators
    misses = []
    print(
        f"{'view':<10} {'with s':>7} {'without s':>9} {'overhead':>8} {'frames':>6} {'result MB':>9} {'film s':>7}"
    )
    for view in views():
        if args.only and view.slug not in args.only:
            continue
        exp = view.experiment
        cfg = exp.config()
        with_s, without_s, result = [], [], None
        timed_run(exp, cfg, capture=True)  # imports and first-call costs are not the film's
        for _ in range(REPEATS):
            seconds, result = timed_run(exp, cfg, capture=True)
            with_s.append(seconds)
            without_s.append(timed_run(exp, cfg, capture=False)[0])
        on, off = statistics.median(with_s), statistics.median(without_s)
        overhead = (on - off) / off if off > 0 else 0.0
        mb = size_of(result) / 2**20
        history = getattr(result, "history", None)
        frames, film_s = (len(history.timeline) if history is not None else 0), float("nan")
        if exp.film is not None:
            tic = time.perf_counter()
            frames = max(frames, len(exp.film(cfg, result).frames))
            film_s = time.perf_counter() - tic
        print(
            f"{view.slug:<10} {on:7.2f} {off:9.2f} {overhead:8.1%} {frames:6d} {mb:9.2f} {film_s:7.3f}",
            flush=True,
        )
        if overhead > CAPTURE_SHARE and on - off > NOISE_S:
            misses.append(f"{view.slug} capture +{overhead:.0%}")
        if mb > MAX_RESULT_MB:
            misses.append(f"{view.slug} result {mb:.1f} MB")
        if film_s > MAX_FILM_S:
            misses.append(f"{view.slug} film {film_s:.2f} s")
    return verdict(misses)


if __name__ == "__main__":
    sys.exit(main())
