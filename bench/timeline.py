"""Every view's default training against its budget, and the training film it records.

For every experiment at its default settings, in one run:

- the time its fit loops take, as a share of the view's training budget (``Experiment.budget_share`` of
  the budget: the memory view's three cells share 1.5) (the fastest of REPEATS runs, wall clock, and the
  least CPU time of their thread: on a shared machine the CPU time says what the code costs, the wall
  clock what a visitor waits; the target reads the wall clock); a default must end by its step count
  within HEADROOM of its budget, so a host twice as slow still trains it to the end;
- its throughput, in sequences per second (and tokens per second, characters for the character model);
- the fraction of one core's peak it reaches: the matrix products of one training step (forward,
  backward and update, recorded at the step fit probes) timed alone with ``torch.mm`` on one thread,
  times the steps, over the fit loops' CPU time. A fused recurrent layer's products are the ones its
  kernel computes (one input product for all steps, one recurrent product per step, and their gradients);
- the view's headline metric, so a faster training is seen to reach the same quality;
- what the film costs: training time with and without capture, the result's size, the number of
  snapshots, and the server time to build the film (moving its slider then costs the server nothing).

The last line says whether the targets are met: at most HEADROOM of the budget, capture adds at most
15 %, a result is at most 20 MB, a film builds in at most 0.3 s.

Run: .venv/bin/python -m bench.timeline [--only VIEW ...]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import plotly.graph_objects as go
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from bench.targets import CAPTURE_SHARE, MAX_FILM_S, MAX_RESULT_MB, verdict
from rnnviz.core.budget import training_budget_s
from rnnviz.core.config import training_part
from rnnviz.core.fit import History, Probe, observing
from rnnviz.core.runtime import configure_torch, size_of, upstream_input
from rnnviz.core.timeline import capturing
from rnnviz.views import get, views

REPEATS = 2
HEADROOM = 0.5
"""A default's training may take at most this share of the budget (issue 24)."""
NOISE_S = 0.05
"""Differences below this are timer noise on short trainings, not capture cost."""
MM_REPEATS = 5
"""Timings of each matrix product shape; the fastest is one core's peak for it."""

Shape = tuple[int, ...]
Product = tuple[str, Shape, Shape]
"""('mm', (m, k), (k, n)) or ('bmm', (b, m, k), (b, k, n))."""


class Products(TorchDispatchMode):
    """Records the matrix products torch runs, by shape, and expands a fused LSTM layer into its own."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Counter[Product] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        name = func.overloadpacket.__name__
        if name in ("mm", "bmm"):
            self.count[(name, tuple(args[0].shape), tuple(args[1].shape))] += 1
        elif name == "addmm":
            self.count[("mm", tuple(args[1].shape), tuple(args[2].shape))] += 1
        elif name in ("baddbmm", "addbmm"):
            self.count[("bmm", tuple(args[1].shape), tuple(args[2].shape))] += 1
        elif name in ("mkldnn_rnn_layer", "mkldnn_rnn_layer_backward"):
            self._rnn_layer(args[0], args[1], args[2], backward=name.endswith("backward"))
        return func(*args, **(kwargs or {}))

    def _rnn_layer(self, x: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, backward: bool) -> None:
        """oneDNN's layer: (time, batch, in) inputs, gate weights (gates, in) and (gates, hidden)."""
        steps, batch, width = x.shape
        gates, hidden = w_hh.shape
        rows = steps * batch
        if not backward:
            self.count[("mm", (rows, width), (width, gates))] += 1
            self.count[("mm", (batch, hidden), (hidden, gates))] += steps
            return
        self.count[("mm", (rows, gates), (gates, width))] += 1  # input gradient
        self.count[("mm", (gates, rows), (rows, width))] += 1  # input weights' gradient
        self.count[("mm", (gates, rows), (rows, hidden))] += 1  # recurrent weights' gradient
        self.count[("mm", (batch, gates), (gates, hidden))] += steps  # state gradient, step by step


def flops(product: Product) -> float:
    _, a, b = product
    return 2.0 * math.prod(a) * b[-1]


def peak_seconds(product: Product) -> float:
    """The fastest of MM_REPEATS timings of one product on one thread, each long enough to time, in
    CPU seconds of this thread, as the training's share is: on a shared machine wall clock would
    count the other processes' turns."""
    kind, a_shape, b_shape = product
    a, b = torch.randn(a_shape), torch.randn(b_shape)
    op = torch.mm if kind == "mm" else torch.bmm
    calls = max(1, int(2e7 / max(1.0, flops(product))))
    best = math.inf
    for _ in range(MM_REPEATS):
        tic = time.thread_time()
        for _ in range(calls):
            op(a, b)
        best = min(best, (time.thread_time() - tic) / calls)
    return best


@dataclass
class Seen:
    """What bench saw of one training step: its products and how many sequences and tokens it read."""

    products: Counter[Product]
    sequences: int = 0
    tokens: int = 0


def first_tensor(batch: Any) -> torch.Tensor | None:
    """The batch's first tensor (a tuple's first item, a dataclass's first field): its rows are sequences."""
    if isinstance(batch, torch.Tensor):
        return batch
    items = [getattr(batch, f.name) for f in fields(batch)] if is_dataclass(batch) else batch
    if isinstance(items, (tuple, list)):
        for item in items:
            found = first_tensor(item)
            if found is not None:
                return found
    return None


def prober(found: list[Seen]) -> Callable[[Any], AbstractContextManager[None]]:
    """A probe for :func:`observing`: each probed step adds a Probe to ``found``."""

    @contextmanager
    def probe(batch: Any) -> Iterator[None]:
        x = first_tensor(batch)
        seen = Seen(Counter())
        if x is not None and x.dim() >= 1:
            seen.sequences = x.shape[0]
            seen.tokens = x.shape[0] * x.shape[1] if x.dim() >= 2 else x.shape[0]
        with Products() as products:
            yield
        seen.products = products.count
        found.append(seen)

    return probe


def metric(exp, cfg, result: object) -> str:  # noqa: ANN001
    """The view's headline number: a faster training must still reach it."""
    if exp.metric is None:
        return ""
    return f"{exp.metric.read(cfg, result):.4g} {exp.metric.unit}".strip()


@dataclass
class Timing:
    wall: float
    cpu: float
    fit: float
    """Seconds in the fit loops, the part the budget bounds."""
    fit_cpu: float
    """CPU seconds of the fit loops' thread."""
    stopped: bool
    """The budget stopped a fit loop before its step count (a divergence is a result some views show)."""
    result: object
    histories: list[History]


def timed_run(exp, cfg, capture: bool, probe: Probe | None = None) -> Timing:  # noqa: ANN001
    with capturing(capture), observing(probe) as histories:
        wall, cpu = time.perf_counter(), time.process_time()
        result = exp.run(training_part(exp.prepare(cfg)), **upstream_input(exp, cfg, get))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    fit_s = sum(h.seconds for h in histories)
    fit_cpu = sum(h.cpu_s for h in histories)
    return Timing(wall, cpu, fit_s, fit_cpu, any(h.stop == "budget" for h in histories), result, histories)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="views to measure (default: all)")
    args = parser.parse_args(argv)
    configure_torch()
    go.Figure(go.Scatter(y=[0, 1])).to_json()  # Plotly's first figure in a process loads its validators
    budget = training_budget_s()
    misses = []
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"training budget {budget:g} s (times each view's share of it); target: each default's fit loops "
        f"within {HEADROOM:.0%} of its budget; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    print(
        f"{'view':<10} {'fit s':>6} {'cpu s':>6} {'run s':>6} {'share':>6} {'cpu sh':>6} {'seq/s':>8} {'tok/s':>8} "
        f"{'GEMM s':>7} {'peak':>6} {'with s':>7} {'without s':>9} {'overhead':>8} {'frames':>6} "
        f"{'result MB':>9} {'film s':>7}  metric"
    )
    for view in views():
        if args.only and view.slug not in args.only:
            continue
        exp = view.experiment
        cfg = exp.config()
        probes: list[Seen] = []
        timed_run(exp, cfg, capture=True, probe=prober(probes))  # also takes first-call costs out
        with_runs, without_runs = [], []
        for _ in range(REPEATS):
            with_runs.append(timed_run(exp, cfg, capture=True))
            without_runs.append(timed_run(exp, cfg, capture=False))
        best = min(with_runs, key=lambda t: t.fit)
        fit_s = best.fit
        steps = [h.steps for h in best.histories]
        own_budget = exp.budget_share * budget
        share = fit_s / own_budget
        sequences = sum(p.sequences * n for p, n in zip(probes, steps, strict=False))
        tokens = sum(p.tokens * n for p, n in zip(probes, steps, strict=False))
        peak = {product: peak_seconds(product) for product in {q for p in probes for q in p.products}}
        gemm_s = sum(
            sum(count * peak[product] for product, count in p.products.items()) * n
            for p, n in zip(probes, steps, strict=False)
        )
        on = statistics.median(t.wall for t in with_runs)
        off = statistics.median(t.wall for t in without_runs)
        overhead = (on - off) / off if off > 0 else 0.0
        result = best.result
        mb = size_of(result) / 2**20
        history = getattr(result, "history", None)
        frames, film_s = (len(history.timeline) if history is not None else 0), float("nan")
        if exp.film is not None:
            tic = time.perf_counter()
            frames = max(frames, len(exp.film(cfg, result).frames))
            film_s = time.perf_counter() - tic
        fit_cpu = min(t.fit_cpu for t in with_runs)
        print(
            f"{view.slug:<10} {fit_s:6.2f} {fit_cpu:6.2f} {best.wall:6.2f} {share:6.1%} {fit_cpu / own_budget:6.1%} "
            f"{sequences / fit_s if fit_s else 0:8.0f} {tokens / fit_s if fit_s else 0:8.0f} "
            f"{gemm_s:7.2f} {gemm_s / fit_cpu if fit_cpu else 0:6.1%} {on:7.2f} {off:9.2f} {overhead:8.1%} "
            f"{frames:6d} {mb:9.2f} {film_s:7.3f}  {metric(exp, cfg, result)}",
            flush=True,
        )
        if share > HEADROOM:
            misses.append(f"{view.slug} trains in {share:.0%} of the budget")
        if best.stopped:
            misses.append(f"{view.slug} stopped by the budget")
        if overhead > CAPTURE_SHARE and on - off > NOISE_S:
            misses.append(f"{view.slug} capture +{overhead:.0%}")
        if mb > MAX_RESULT_MB:
            misses.append(f"{view.slug} result {mb:.1f} MB")
        if film_s > MAX_FILM_S:
            misses.append(f"{view.slug} film {film_s:.2f} s")
    return verdict(misses)


if __name__ == "__main__":
    sys.exit(main())
