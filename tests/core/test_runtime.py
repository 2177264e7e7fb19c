"""One way to a result for pages, the CLI, pre-warming and tests: cached, queued, upstream first."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rnnviz.core.config import param
from rnnviz.core.experiment import Experiment, Metric, Upstream
from rnnviz.core.fit import BUDGET_ENV, History, training_budget_s
from rnnviz.core.runtime import RESULTS, TRAINING_QUEUE, ResultCache, result


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
