"""One way to a result for pages, the CLI, pre-warming and tests: cached, queued, upstream first."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace

import pytest
import torch
from torch import nn

from rnnviz.core import runtime
from rnnviz.core.budget import BUDGET_ENV, training_budget_s
from rnnviz.core.config import param
from rnnviz.core.experiment import Experiment, Metric, Upstream
from rnnviz.core.fit import History, fit
from rnnviz.core.runtime import (
    BACKGROUND,
    FULL_RUN_BUDGET_FACTOR,
    RESULTS,
    TRAINING_QUEUE,
    BusyElsewhere,
    IdleWork,
    ResultCache,
    prewarm,
    result,
)


@dataclass(frozen=True)
class Toy:
    seed: int = param(0, "Seed", "Which toy.", min=0, max=9)
    size: int = param(1, "Size", "Only for the big toy.", min=1, max=5, applies=lambda cfg: cfg.seed > 0)


@dataclass(frozen=True)
class ToyResult:
    value: int
    upstream: ToyResult | None = None
    history: History = field(default_factory=History)
    notes: tuple[str, ...] = ()


def toy(name: str, calls: list, upstream: Upstream | None = None) -> Experiment:
    def run(cfg: Toy, on_progress=None, upstream: ToyResult | None = None) -> ToyResult:
        calls.append((name, cfg, TRAINING_QUEUE.busy))
        return ToyResult(cfg.seed * 10 + cfg.size, upstream)

    return Experiment(
        name=name,
        title=name,
        description=name,
        config=Toy,
        run=run,
        report=lambda cfg, res: {"metrics": {"value": res.value}},
        export=lambda cfg, res: None,
        film=lambda cfg, res: None,
        live=lambda cfg: None,
        smoke={"seed": 1},
        metric=Metric("value", "Value", "", "higher", lambda cfg, res: res.value, "A toy number."),
        claims=lambda cfg, res: (),
        upstream=(lambda cfg: upstream) if upstream else None,
    )


def test_result_trains_the_upstream_first_each_in_its_slot_and_caches_both(fresh_cache):
    calls: list = []
    base = toy("base", calls)
    top = toy("top", calls, Upstream("base", {"seed": 2}))
    lookup = {"base": base, "top": top}.__getitem__
    res = result(top, Toy(seed=1, size=3), lookup)
    assert [(name, busy) for name, _, busy in calls] == [("base", 1), ("top", 1)]
    assert res.value == 13 and res.upstream.value == 21
    assert (
        result(top, Toy(seed=1, size=3), lookup) is res and result(base, Toy(seed=2), lookup) is res.upstream
    )
    assert len(calls) == 2


def test_a_setting_that_does_not_apply_never_trains_again(fresh_cache):
    calls: list = []
    exp = toy("plain", calls)
    first = result(exp, Toy(seed=0, size=4), lambda name: exp)
    assert calls[0][1] == Toy(seed=0, size=1) and first.value == 1
    assert result(exp, Toy(seed=0, size=2), lambda name: exp) is first and len(calls) == 1
    assert len(RESULTS) == 1


def test_a_failed_computation_leaves_nothing_in_flight():
    cache = ResultCache(4, 10**6)

    def fail() -> int:
        raise ValueError("bad upload")

    with pytest.raises(ValueError):
        cache.get_or_compute("k", fail)
    assert cache._inflight == {}
    assert cache.get_or_compute("k", lambda: 5) == 5


def test_the_full_report_adds_the_metric_timeline_and_notes():
    exp = toy("plain", [])
    report = exp.full_report(Toy(), ToyResult(7, notes=("a note",)))
    assert report["metric"] == {"name": "value", "label": "Value", "unit": "", "better": "higher", "value": 7}
    assert report["timeline"] == [] and report["notes"] == ["a note"] and report["claims"] == []


@pytest.mark.parametrize(("raw", "budget"), [("0.5", 0.5), ("abc", 30.0), ("-1", 30.0), ("inf", 30.0)])
def test_the_training_budget_is_read_when_a_training_starts(monkeypatch, raw, budget):
    monkeypatch.setenv(BUDGET_ENV, raw)
    assert training_budget_s() == budget


def trains_for(calls: list, needed_s: float) -> Experiment:
    """A toy whose training ends by its step count only with ``needed_s`` of budget (none is spent)."""

    def run(cfg: Toy, on_progress=None) -> ToyResult:
        calls.append(training_budget_s())
        stop = "done" if training_budget_s() >= needed_s else "budget"
        return ToyResult(len(calls), history=History(stop=stop))

    return replace(toy("slow", []), run=run)


def trains_with_fit(calls: list) -> Experiment:
    """A toy trained by the real fit loop for more steps than any budget of a test lets it finish."""

    def run(cfg: Toy, on_progress=None) -> ToyResult:
        model = nn.Linear(1, 1)
        batches = itertools.repeat(torch.ones(4, 1))
        hist = fit(model, lambda x: model(x).pow(2).mean(), batches, total_steps=10**7, lr=1e-3)
        calls.append(hist.stop)
        return ToyResult(len(calls), history=hist)

    return replace(toy("endless", []), run=run)


@pytest.fixture
def full_runs(monkeypatch):
    """Full runs in the background, as a server has them (tests/conftest.py switches them off)."""
    monkeypatch.setattr(runtime, "FULL_RUNS", True)


def test_a_run_the_budget_cut_short_is_never_what_the_next_visit_receives(
    fresh_cache, monkeypatch, full_runs
):
    monkeypatch.setenv(BUDGET_ENV, "0.01")
    calls: list = []
    exp = trains_with_fit(calls)
    first = result(exp, Toy(), lambda name: exp)
    assert first.history.stop == "budget" and first.history.message() is not None
    assert len(RESULTS) == 0
    assert BACKGROUND.join(timeout_s=120)  # its full run, three budgets long: cut short too, given up
    second = result(exp, Toy(), lambda name: exp)
    assert second is not first and second.history is not first.history
    assert calls == ["budget"] * 3 and len(RESULTS) == 0
    assert BACKGROUND.join(timeout_s=120) and len(calls) == 3  # given up: no full run queued again


def test_a_full_run_in_the_background_replaces_a_result_cut_short(fresh_cache, monkeypatch, full_runs):
    monkeypatch.setenv(BUDGET_ENV, "0.5")
    calls: list = []
    exp = trains_for(calls, needed_s=0.5 * FULL_RUN_BUDGET_FACTOR)
    first = result(exp, Toy(), lambda name: exp)
    assert first.history.stop == "budget" and len(RESULTS) == 0
    assert BACKGROUND.join(timeout_s=120)
    second = result(exp, Toy(), lambda name: exp)
    assert second.history.stop == "done" and second.value == 2
    assert calls == [0.5, 0.5 * FULL_RUN_BUDGET_FACTOR]
    assert result(exp, Toy(), lambda name: exp) is second


def test_a_result_built_on_an_upstream_cut_short_is_not_cached(fresh_cache, monkeypatch):
    monkeypatch.setenv(BUDGET_ENV, "0.5")
    slow_calls: list = []
    base = trains_for(slow_calls, needed_s=100.0)
    top = toy("top", [], Upstream("slow", {"seed": 2}))
    lookup = {"slow": base, "top": top}.__getitem__
    res = result(top, Toy(seed=1), lookup, full_run_later=False)
    assert res.upstream.history.stop == "budget" and res.history.stop == "done"
    assert len(RESULTS) == 0
    assert result(top, Toy(seed=1), lookup, full_run_later=False) is not res
    assert BACKGROUND.join(timeout_s=5) and len(slow_calls) == 2  # a one-shot command queues nothing


def test_the_report_says_why_training_stopped():
    exp = toy("plain", [])
    assert exp.full_report(Toy(), ToyResult(7))["stop"] == "done"
    assert exp.full_report(Toy(), ToyResult(7, history=History(stop="budget")))["stop"] == "budget"


def test_the_ready_file_appears_once_every_pre_warmed_result_is_cached(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(runtime, "_prewarm_started", False)
    monkeypatch.setattr(runtime, "PREWARM", True)
    ready = tmp_path / "ready"
    ready.write_text("left by the last server")
    release = threading.Event()
    calls: list = []
    exp = toy("warm", calls)
    blocked = replace(exp, run=lambda cfg, on_progress=None: release.wait(60) and exp.run(cfg))
    seen_by_pages: list = []  # what the server's own page visits find, before it says ready
    frozen: list = []  # whether the ready file existed when the warmed heap was frozen
    monkeypatch.setattr(runtime.gc, "freeze", lambda: frozen.append(ready.exists()))

    def visit_pages() -> str:
        seen_by_pages.append((len(RESULTS), ready.exists()))
        return "pages: 2 of 2 visited"

    prewarm(
        [(blocked, Toy(seed=1)), (blocked, Toy(seed=2))], lambda name: blocked, ready=ready, then=visit_pages
    )
    assert not ready.exists()
    release.set()
    assert BACKGROUND.join(timeout_s=120)
    assert ready.read_text() == "ready: 2 of 2 pre-warmed results cached\npages: 2 of 2 visited\n"
    assert len(calls) == 2 and len(RESULTS) == 2
    assert seen_by_pages == [(2, False)]
    assert frozen == [False]


def test_background_work_tries_a_job_busy_elsewhere_again_after_the_others():
    work, done, submitted = IdleWork(nice=0), [], threading.Event()

    def busy_once(first_try: bool) -> None:
        submitted.wait(60)  # the worker may start at once: let every job be queued first
        if first_try:
            raise BusyElsewhere("a")
        done.append("a")

    work.submit("a", busy_once)
    assert not work.submit("a", busy_once)  # queued already
    work.submit("b", lambda first_try: done.append("b"))
    submitted.set()
    assert work.join(timeout_s=60)
    assert done == ["b", "a"]


class SlowStore:
    """A store holding one result, whose loads meet at a barrier: every load that starts is counted."""

    def __init__(self, sessions: int) -> None:
        self.loads = 0
        self.everyone_loading = threading.Barrier(sessions)

    def load(self, key):
        self.loads += 1
        with contextlib.suppress(threading.BrokenBarrierError):
            self.everyone_loading.wait(timeout=1.0)
        return {"weights": [1.0, 2.0]}  # a new object per load, as unpickling gives


def test_sessions_opening_a_stored_result_at_once_load_it_once_and_share_it():
    sessions = 8
    store = SlowStore(sessions)
    cache = ResultCache(4, 10**6, store=store)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("key"))) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.loads == 1
    assert len(got) == sessions and all(g is got[0] for g in got)


EXIT_WHILE_TRAINING = """
import threading
import torch
from torch import nn
from rnnviz.core.fit import fit
from rnnviz.core.runtime import BACKGROUND

started = threading.Event()
model = nn.GRU(8, 64, batch_first=True)
x = torch.randn(32, 50, 8)

def loss(_):
    started.set()
    return model(x)[0].pow(2).mean()

BACKGROUND.submit("long", lambda first_try: fit(model, loss, iter(int, 1), total_steps=10**9, lr=0.01, budget_s=600))
started.wait()
"""


@pytest.mark.program
def test_a_process_that_exits_while_training_in_the_background_stops_cleanly():
    done = subprocess.run(
        [sys.executable, "-c", EXIT_WHILE_TRAINING], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "terminate called" not in done.stderr
