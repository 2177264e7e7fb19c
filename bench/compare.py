"""A comparison against its own runs: three cells on the sine view with matched parameters, three seeds each.

The comparison (planning with parameter matching, nine runs through the runtime's queue and cache, the
metric, intervals, verdict, JSON and its three figures: the metric per variant, the loss bands and the
films played in sync) is timed against the same nine Configs trained one by
one with the view's ``run``, nothing else. The two sides alternate REPEATS times (the cache emptied before
each comparison) and medians are compared: the comparison may add at most MAX_OVERHEAD. Time is this
process's CPU time (torch trains on one thread): the 2-core host is shared, so wall time mostly measures
the neighbours; wall time is printed beside it. The peak memory
is the process's peak resident size while the first comparison runs, and the nine results' size.

Run: .venv/bin/python -m bench.compare [--epochs 100]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from bench.targets import verdict
from rnnviz.core import compare
from rnnviz.core.compare_figures import films, loss_bands, metric_points
from rnnviz.core.config import training_part
from rnnviz.core.runtime import RESULTS, configure_torch, size_of
from rnnviz.views import get

REPEATS = 3
MAX_OVERHEAD = 0.10
"""The comparison may take at most this share longer than its runs trained one by one."""
REQUEST = "cell=rnn,lstm,gru"
SEEDS = 3


def rss_mb() -> float:
    """The process's resident size now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100, help="epochs of each sine run (default 100)")
    args = parser.parse_args(argv)
    configure_torch()
    exp = get("sine")
    cfg = exp.prepare(exp.config(hidden=32, epochs=args.epochs))
    request, notes = compare.parse_request(exp, cfg, REQUEST, SEEDS, compare.MATCH_PARAMS)
    assert not notes, notes
    configs = [c for _, _, c in compare.plan(exp, cfg, request).runs]
    print(f"sine, {REQUEST}, matched parameters, {SEEDS} seeds: {len(configs)} runs of {args.epochs} epochs")

    def one_by_one() -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        for c in configs:
            exp.run(training_part(c))
        return time.process_time() - cpu, time.perf_counter() - wall

    def comparison() -> tuple[float, float, compare.Comparison]:
        RESULTS.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        done = compare.compare(exp, cfg, request, get, full_run_later=False)
        done.json()
        metric_points(done)
        loss_bands(done)
        films(done)
        return time.process_time() - cpu, time.perf_counter() - wall, done

    exp.run(training_part(configs[0]))  # warm-up: torch's first optimiser and kernels, not either side's cost
    start_mb = rss_mb()
    runs_s, compare_s = [], []
    for rep in range(REPEATS):
        cpu, wall, done = comparison()
        compare_s.append(cpu)
        if rep == 0:
            held_mb = sum(size_of(r) for o in done.outcomes for r in o.results) / 2**20
            during_mb = peak_mb()
        runs_cpu, runs_wall = one_by_one()
        runs_s.append(runs_cpu)
        print(
            f"repeat {rep + 1}: nine runs one by one {runs_cpu:.2f} s CPU ({runs_wall:.2f} s wall), "
            f"the comparison {cpu:.2f} s CPU ({wall:.2f} s wall)"
        )
    runs, whole = statistics.median(runs_s), statistics.median(compare_s)
    overhead = whole / runs - 1
    out = done.json()
    for v in out["variants"]:
        m = v["metric"]
        print(
            f"  {v['settings']}: {v['params']} parameters, forecast MSE mean {m['mean']:.4g} ({m['low']:.3g} to {m['high']:.3g})"
        )
    print(f"  verdict: {out['verdict']['text']}")
    print(
        f"median CPU: runs {runs:.2f} s, comparison {whole:.2f} s: overhead {overhead:+.1%} (target <= {MAX_OVERHEAD:.0%})"
    )
    print(
        f"memory: process {start_mb:.0f} MB before the first comparison, peak {during_mb:.0f} MB by its end; "
        f"the nine results hold {held_mb:.1f} MB"
    )
    misses = [f"overhead {overhead:+.1%} > {MAX_OVERHEAD:.0%}"] if overhead > MAX_OVERHEAD else []
    return verdict(misses)


if __name__ == "__main__":
    sys.exit(main())
