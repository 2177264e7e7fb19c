import math
import threading
import time

import pytest
import torch
from torch import nn

from rnnviz.core.figures import loss_title
from rnnviz.core.fit import PROBED_STEP, History, fit, observing
from rnnviz.core.runtime import ResultCache, SlotQueue


def _regression():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    return model, lambda _: nn.functional.mse_loss(model(x), y)


def test_the_loss_title_says_over_how_many_steps_its_last_loss_is_a_mean():
    """The title's last number is the mean of the last steps, not the last step's loss the curve ends on."""
    hist = History(loss=[4.0, *[1.0] * 37, 0.5, 0.3])
    assert hist.final_steps() == 2 and hist.final_loss() == pytest.approx(0.4)
    assert loss_title(hist) == "Loss fell: 4 at the start, 0.4 over the last 2 of 40 steps"
    assert (
        loss_title(hist, live=True)
        == "Loss has fallen: 4 at the start, 0.4 over its last 2 steps, at step 40"
    )
    one = History(loss=[4.0, 3.0])
    assert loss_title(one) == "Loss fell: 4 at the start, 3 at the end of 2 steps"
    assert loss_title(one, live=True) == "Loss has fallen: 4 at the start, 3 at step 2"


def test_fit_lowers_the_loss_and_reports_progress():
    model, loss = _regression()
    seen = []
    hist = fit(model, loss, range(200), total_steps=200, lr=0.05, on_progress=seen.append, report_every_s=0)
    assert hist.stop == "done" and hist.steps == 200
    assert hist.final_loss() < 0.01 * hist.loss[0]
    assert seen[-1].step == 200 and seen[-1].fraction == 1.0
    assert len(seen) == 200


def test_fit_is_deterministic_for_a_seed():
    runs = []
    for _ in range(2):
        model, loss = _regression()
        runs.append(fit(model, loss, range(30), total_steps=30, lr=0.05, optimizer="sgd").loss)
    assert runs[0] == runs[1]


def test_clipping_caps_the_applied_norm():
    model, loss = _regression()
    hist = fit(model, loss, range(20), total_steps=20, lr=0.01, clip=0.5)
    assert max(hist.clipped_norm) <= 0.5 + 1e-6
    assert max(hist.grad_norm) > 0.5


def test_divergence_is_a_result_not_an_exception():
    model, loss = _regression()
    hist = fit(model, loss, range(500), total_steps=500, lr=10.0, optimizer="sgd")
    assert hist.stop == "diverged"
    assert hist.diverged_at is not None and hist.diverged_at < 500
    assert not math.isfinite(hist.loss[-1])
    assert "diverged at step" in hist.message()


def test_budget_stops_training_cleanly():
    model, loss = _regression()

    def slow(batch):
        time.sleep(0.01)
        return loss(batch)

    hist = fit(model, slow, range(10_000), total_steps=10_000, lr=0.01, budget_s=0.2)
    assert hist.stop == "budget"
    assert 5 < hist.steps < 200
    assert "budget" in hist.message()


def test_validation_runs_on_schedule_and_at_the_end():
    model, loss = _regression()
    hist = fit(model, loss, range(25), total_steps=25, lr=0.01, val_fn=lambda: 1.0, val_every=10)
    assert hist.val_steps == [10, 20, 25]


def test_cache_is_bounded_by_entries_and_bytes():
    cache = ResultCache(max_entries=3, max_bytes=10_000)
    for i in range(5):
        cache.put(i, torch.zeros(100))  # 400 bytes each
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) is not None
    cache.put("big", torch.zeros(2000))  # 8 kB: evicts older entries to fit
    assert cache.nbytes <= 10_000 and cache.get("big") is not None
    cache.put("huge", torch.zeros(5000))  # larger than the whole cache: not kept
    assert cache.get("huge") is None


def test_cache_computes_a_key_once_under_concurrency():
    cache = ResultCache(10, 10**6)
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.1)
        return [1]

    threads = [threading.Thread(target=cache.get_or_compute, args=("k", compute)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1


def test_slot_queue_limits_concurrency_and_reports_positions():
    """The test holds the one slot until all four workers have queued, however slow threads start."""
    queue = SlotQueue(1)
    running, peak = [0], [0]
    positions: dict[int, list[int]] = {i: [] for i in range(4)}
    lock = threading.Lock()

    def work(i):
        with queue.acquire(on_wait=positions[i].append, poll_s=0.01):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.01)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    with queue.acquire():
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while not all(positions.values()) and time.monotonic() < deadline:
            time.sleep(0.01)
    for t in threads:
        t.join()
    assert peak[0] == 1
    assert sorted(seen[0] for seen in positions.values()) == [1, 2, 3, 4]


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_both_optimisers_train(name):
    model, loss = _regression()
    hist = fit(model, loss, range(100), total_steps=100, lr=0.05, optimizer=name)
    assert hist.final_loss() < hist.loss[0]


def test_a_slow_progress_report_does_not_run_after_every_step():
    model, loss = _regression()
    calls = []

    def slow_report(p):
        calls.append(p.step)
        time.sleep(0.02)

    fit(model, loss, range(400), total_steps=400, lr=0.01, on_progress=slow_report, report_every_s=0.02)
    assert calls[-1] == 400
    assert len(calls) < 200  # timed from each report's end, so training gets at least half the time


def test_a_learning_rate_schedule_scales_every_later_step():
    model = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(model.weight)
    seen = []

    def loss_fn(_: int) -> torch.Tensor:
        return -model.weight.sum()  # gradient -1: plain SGD moves the weight by exactly lr each step

    def after() -> None:
        seen.append(float(model.weight.detach()))

    fit(
        model,
        loss_fn,
        range(3),
        total_steps=3,
        lr=0.5,
        optimizer="sgd",
        lr_schedule=lambda s: 0.1 * s,
        after_step=after,
    )
    assert seen == pytest.approx([0.5, 0.55, 0.65])


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_the_fused_optimiser_trains_deterministically_and_close_to_the_loop(name):
    runs = []
    for fused in (True, True, False):
        model, loss = _regression()
        runs.append(
            fit(model, loss, range(50), total_steps=50, lr=0.05, optimizer=name, fused_optimizer=fused).loss
        )
    assert runs[0] == runs[1]
    assert runs[0] == pytest.approx(runs[2], rel=1e-4, abs=1e-6)
    assert runs[0][-1] < 0.1 * runs[0][0]


def test_observing_collects_every_fit_and_probes_one_step():
    seen = []

    class Probe:
        def __init__(self, batch):
            self.batch = batch

        def __enter__(self):
            seen.append(("enter", self.batch))

        def __exit__(self, *exc):
            seen.append(("exit", self.batch))

    with observing(Probe) as histories:
        for steps in (5, 7):
            model, loss = _regression()
            fit(model, loss, range(100, 200), total_steps=steps, lr=0.05)
    model, loss = _regression()
    outside = fit(model, loss, range(10), total_steps=3, lr=0.05)
    assert [h.steps for h in histories] == [5, 7] and outside not in histories
    assert seen == [("enter", 100 + PROBED_STEP - 1), ("exit", 100 + PROBED_STEP - 1)] * 2
    assert all(h.cpu_s > 0 for h in histories)
