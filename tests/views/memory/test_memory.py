"""Memory tasks, the memory model's truncated BPTT, and the side-by-side memory experiment."""

import dataclasses
import json
import math

import numpy as np
import pytest
import torch

from rnnviz.core import export
from rnnviz.core.config import specs
from rnnviz.core.figures import live_loss_curve
from rnnviz.core.fit import History, Progress, stage_progress
from rnnviz.core.fmt import percent
from rnnviz.core.memory_model import build_model, shared_schedule, stop_note, train_memory
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_TASKS, memory_batch, memory_batches
from rnnviz.core.timeline import Timeline
from rnnviz.views.memory import EXPERIMENT, VIEW
from rnnviz.views.memory.figures import live_recall, memory_loss_curves, recall_film
from rnnviz.views.memory.lessons import (
    FAILED,
    ONE_VALUE,
    SOLVED,
    claims,
    gate_bias_paragraph,
    gates_paragraph,
    headline_claim,
    share_of_chance,
    table_row,
    task_name,
    verdict,
    verdict_of,
)
from rnnviz.views.memory.settings import EVAL_BATCH, MemoryConfig
from rnnviz.views.memory.train import stop_notes
from tests.trained import trained


def test_tasks_put_the_answer_where_they_say():
    rng = np.random.default_rng(0)
    x, y = memory_batch("copy", 64, 20, rng)
    assert x.shape == (64, 20, 2) and y.shape == (64, 1)
    np.testing.assert_array_equal(x[:, 0, 0], y[:, 0])
    assert np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)
    x, y = memory_batch("adding", 64, 20, rng)
    marked = x[:, :, 1] == 1
    assert np.all(marked.sum(1) == 2)
    np.testing.assert_allclose((x[:, :, 0] * marked).sum(1), y[:, 0], rtol=1e-6)
    with pytest.raises(ValueError):
        memory_batch("banana", 1, 5, rng)


def test_chance_levels_are_the_best_constant_guess():
    for task, best_guess in (("copy", 0.0), ("adding", 1.0)):
        _, y = memory_batch(task, 20000, 10, np.random.default_rng(1))
        assert np.mean((y - best_guess) ** 2) == pytest.approx(CHANCE_LOSS[task], rel=0.05)


def test_the_same_seed_gives_every_cell_the_same_data():
    a = memory_batches("copy", 4, 6, np.random.default_rng(3))
    b = memory_batches("copy", 4, 6, np.random.default_rng(3))
    for _ in range(3):
        (xa, ya), (xb, yb) = next(a), next(b)
        assert torch.equal(xa, xb) and torch.equal(ya, yb)


@pytest.mark.parametrize("cell", ["rnn", "rnn_linear", "lstm", "gru"])
def test_truncated_bptt_keeps_the_forward_pass_and_cuts_gradients_beyond_k_steps(cell):
    torch.manual_seed(0)
    m = build_model(cell, 8, gate_bias=3.0)
    x = torch.randn(3, 20, 2, requires_grad=True)
    full = m(x)
    cut = m(x, window=6)
    torch.testing.assert_close(full, cut)
    (grad,) = torch.autograd.grad(cut.sum(), x)
    assert torch.all(grad[:, :14] == 0), "nothing before the window is learned from"
    assert torch.all(grad[:, 14:].abs().sum(-1) > 0)
    (grad_full,) = torch.autograd.grad(m(x).sum(), x)
    assert torch.all(grad_full[:, 0].abs().sum(-1) > 0)


def test_instrumented_and_fused_forward_agree():
    torch.manual_seed(1)
    m = build_model("lstm", 5)
    x = torch.randn(2, 9, 2)
    with torch.no_grad():
        torch.testing.assert_close(m.head(m.unrolled(x).h[:, -1]), m(x))


def test_train_memory_is_deterministic_and_reports_clipped_norms():
    kw = dict(
        task="copy", length=8, hidden=4, steps=12, lr=0.3, seed=5, budget_s=30, optimizer="sgd", clip=0.5
    )
    _, a = train_memory("rnn", **kw)
    _, b = train_memory("rnn", **kw)
    assert a.loss == b.loss
    assert max(a.clipped_norm) <= 0.5 + 1e-6
    assert any(g > 0.5 for g in a.grad_norm)


def test_stage_progress_spans_all_stages_and_names_the_one_its_loss_curve_shows():
    seen = []
    report_stage = stage_progress(seen.append, "LSTM", 100, 300)
    report_stage(
        Progress(step=40, total=100, train_loss=0.5, val_loss=None, history=History(loss=[0.7, 0.5]))
    )
    assert (seen[0].step, seen[0].total, seen[0].run_step, seen[0].run_steps) == (40, 100, 140, 300)
    assert seen[0].fraction == 140 / 300
    assert seen[0].line() == "LSTM, step 40 of 100: loss 0.5 (140 of 300 steps in all)"
    assert live_loss_curve(seen[0].history, 220, seen[0].stage).layout.title.text.startswith(
        "Loss of LSTM has fallen: 0.7 at the start"
    )
    rising = live_loss_curve(History(loss=[0.5, 0.7]), 220).layout.title.text
    assert rising == "Loss has not fallen: 0.5 at the start, 0.7 at step 2"  # said only when it holds
    assert stage_progress(None, "LSTM", 0, 300) is None


def shares(low: float, high: float, diverged: float = 0.0) -> dict[str, float]:
    return {"share_low": low, "share_high": high, "solved": SOLVED, "failed": FAILED, "diverged": diverged}


def test_verdicts_need_the_whole_interval_on_one_side_of_a_line():
    assert verdict_of(shares(0.05, 0.09)) == "solved"
    assert verdict_of(shares(0.2, 0.4)) == "partly"
    assert verdict_of(shares(0.8, 1.1)) == "failed"
    assert verdict_of(shares(0.6, 0.9)) == "borderline"
    assert verdict_of(shares(0.08, 0.12)) == "borderline"
    assert verdict_of(shares(math.inf, math.inf, diverged=1.0)) == "diverged"
    assert (percent(1.003), percent(0.047), percent(0.00047), percent(math.inf)) == (
        "100%",
        "4.7%",
        "0.047%",
        "not finite",
    )


SMOKE = EXPERIMENT.smoke_config()
"""Length 10, hidden 4, 50 steps per cell on copy-first."""


def with_errors(res, task: str, errors: dict[str, np.ndarray]):
    """The smoke result with each cell's held-out errors replaced: a run whose outcome a test chooses."""
    runs = {c: dataclasses.replace(r, errors=errors[c].astype(np.float32)) for c, r in res.runs.items()}
    return dataclasses.replace(res, task=task, chance_loss=CHANCE_LOSS[task], runs=runs)


def adding_answers(n: int = EVAL_BATCH, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Held-out adding sequences: the two marked values of each."""
    x, _ = memory_batch("adding", n, 50, np.random.default_rng(seed))
    marked = x[:, :, 0][x[:, :, 1] == 1].reshape(n, 2)
    return marked[:, 0], marked[:, 1]


def test_remembering_one_adding_value_is_partly_not_failed_nor_a_coin_toss():
    """Issue 23 item 9: the half-solution (error Var(U) = 1/12, half of chance) sat on the old FAILED line."""
    first, second = adding_answers()
    one_value = (first + second - (first + 0.5)) ** 2
    chance = (first + second - 1.0) ** 2
    res = with_errors(trained(EXPERIMENT), "adding", {"rnn": chance, "lstm": one_value, "gru": one_value})
    assert ONE_VALUE["adding"] == pytest.approx(0.5) and SOLVED < 0.5 < FAILED
    share = share_of_chance(res, "lstm")
    assert share.low < 0.5 < share.high
    assert verdict(res, "lstm") == "partly" and verdict(res, "rnn") == "failed"
    lstm = {c.id: c for c in claims(SMOKE, res)}["lstm_solves"]
    assert not lstm.holds and "remembers only one of the two marked values" in lstm.text
    assert lstm.evidence["one_value"] == pytest.approx(0.5)


def test_headline_holds_when_gates_solve_and_the_rnn_fails_and_says_what_happened_otherwise():
    res = trained(EXPERIMENT)
    target = res.target.astype(np.float64)
    good = with_errors(res, "copy", {"rnn": target**2, "lstm": 0.01 * target**2, "gru": 0.02 * target**2})
    claim = headline_claim(good)
    assert claim.holds and claim.text.startswith("Copy-first, T = 10: the LSTM (")
    assert claim.agrees_with_evidence()
    flipped = with_errors(res, "copy", {"rnn": 0.01 * target**2, "lstm": target**2, "gru": 0.02 * target**2})
    claim = headline_claim(flipped)
    assert not claim.holds and claim.text.startswith("Copy-first, T = 10, held-out loss vs chance: RNN ")
    assert "(failed)" in claim.text and "RNN 1% (solved)" in claim.text


def test_cells_compared_on_the_same_held_out_sequences_with_paired_intervals():
    res = trained(EXPERIMENT)
    found = {c.id: c for c in claims(SMOKE, res)}
    assert {"lstm_vs_rnn", "gru_vs_rnn", "lstm_vs_gru"} <= set(found)
    pair = found["lstm_vs_rnn"]
    lstm, rnn = res.runs["lstm"].errors, res.runs["rnn"].errors
    assert lstm.dtype == np.float32 and lstm.shape == (EVAL_BATCH,)
    assert pair.evidence["difference"] == pytest.approx(float(np.mean(lstm.astype(float) - rnn)), rel=1e-6)
    same = with_errors(res, "copy", {"rnn": lstm, "lstm": lstm, "gru": lstm})
    tie = {c.id: c for c in claims(SMOKE, same)}["lstm_vs_rnn"]
    assert "tie" in tie.text and not tie.holds
    target = res.target.astype(np.float64)
    apart = with_errors(res, "copy", {"rnn": target**2, "lstm": 0.01 * target**2, "gru": target**2})
    win = {c.id: c for c in claims(SMOKE, apart)}["lstm_vs_rnn"]
    assert win.holds and win.text.startswith("LSTM beats RNN") and win.evidence["high"] < 0


def test_the_headline_cells_stop_is_the_pages_warning_and_the_others_are_notes():
    """ui.page warns about res.history (the LSTM's); a note repeating it would say it twice."""
    stopped = History(loss=[1.0] * 7, stop="budget")
    notes = stop_notes({"rnn": stopped, "lstm": stopped, "gru": History(loss=[1.0] * 50)}, 50)
    assert len(notes) == 1 and notes[0].startswith("Vanilla RNN (tanh): stopped after 7 of 50 steps")
    res = trained(EXPERIMENT)
    runs = {**res.runs, "lstm": dataclasses.replace(res.runs["lstm"], history=stopped)}
    row = table_row(10, dataclasses.replace(res, runs=runs), SMOKE.steps)
    assert "stopped after 7 of 50 steps" in row["LSTM"] and "stopped" not in row["GRU"]


def test_prose_follows_the_length_and_counts_the_gates_between_step_1_and_the_end():
    """Issue 23 items 13 and 14: no typed '100 steps'; the value written at step 1 passes T − 1 gates."""
    cfg = MemoryConfig(length=10, gate_bias=2.0)
    kept = (1 / (1 + math.exp(-2.0))) ** 9
    assert f"{kept:.2g} of what it wrote at step 1 after the 9 gates" in gate_bias_paragraph(cfg)
    assert "100" not in gates_paragraph(cfg) and "9 times" in gates_paragraph(cfg)
    assert not any(ch.isdigit() for ch in VIEW.finding), "the home card's fallback is an expectation"


def test_length_help_is_true_for_every_task():
    """Issue 23 item 15: 'steps between the value and the question' is wrong for adding."""
    help_text = {s.name: s.help for s in specs(MemoryConfig)}["length"].lower()
    assert all(task_name(task).lower() in help_text for task in MEMORY_TASKS)
    assert "half" in help_text


def test_the_adding_figure_draws_the_one_value_line_at_half_of_chance():
    res = trained(EXPERIMENT)
    histories = {c: r.history for c, r in res.runs.items()}
    fig = memory_loss_curves(histories, CHANCE_LOSS["adding"], SOLVED, "t", ONE_VALUE["adding"])
    levels = [s.y0 for s in fig.layout.shapes]
    assert CHANCE_LOSS["adding"] * 0.5 == pytest.approx(levels[-1])
    assert len(memory_loss_curves(histories, 1.0, SOLVED, "t").layout.shapes) == len(levels) - 1


def test_side_by_side_run_trains_three_cells_on_one_budget():
    res = trained(EXPERIMENT)
    assert list(res.runs) == ["rnn", "lstm", "gru"]
    assert all(r.history.steps == SMOKE.steps for r in res.runs.values())
    first_losses = {cell: r.history.loss[0] for cell, r in res.runs.items()}
    assert len(set(first_losses.values())) == 3, "different weights"
    assert res.chance_loss == CHANCE_LOSS["copy"]
    assert res.window is None and res.notes == ()
    assert res.history is res.runs["lstm"].history, "the headline cell's training"
    for r in res.runs.values():
        assert r.final_loss == r.history.final_loss()
        assert r.prediction.shape == res.target.shape
    metrics = EXPERIMENT.report(SMOKE, res)["metrics"]
    assert set(metrics["final_loss"]) == {"rnn", "lstm", "gru"}
    assert all(isinstance(v, float) for v in metrics["final_loss"].values())
    assert metrics["chance_loss"] == 1.0
    assert metrics["lstm_held_out_loss"] == metrics["held_out_loss"]["lstm"]
    row = table_row(10, res, SMOKE.steps)
    assert row["Length T"] == 10 and "of chance" in row["GRU"]
    assert "not trained yet" in table_row(30, None, SMOKE.steps)["LSTM"]
    assert headline_claim(res).text.startswith("Copy-first, T = 10")


def test_window_shorter_than_the_length_is_recorded_and_noted():
    res = trained(EXPERIMENT, dataclasses.replace(SMOKE, window=4))
    assert res.window == 4
    assert res.notes[-1].startswith("Truncated BPTT: gradients flow back only 4 steps from the loss")
    cut = {c.id: c for c in claims(dataclasses.replace(SMOKE, window=4), res)}["window_cuts_memory"]
    assert cut.evidence["window"] == 4.0 and cut.text.startswith("With gradients cut 4 steps before the loss")
    assert "window_cuts_memory" not in {c.id for c in claims(SMOKE, trained(EXPERIMENT))}
    assert trained(EXPERIMENT, dataclasses.replace(SMOKE, window=10)).window is None


def test_stop_notes_name_the_step_of_divergence():
    hist = History(loss=[1.0, math.nan], stop="diverged", diverged_at=2)
    assert "diverged at step 2" in stop_note("gru", hist, 50)
    assert stop_note("gru", History(loss=[1.0]), 50) is None


def test_shared_schedule_keeps_a_cell_that_stopped_early_as_it_stopped():
    full, short = Timeline(), Timeline()
    for step in (0, 1, 4, 9):
        full.add(step, 1.0, {"step": step})
    for step in (0, 1, 3):
        short.add(step, 1.0, {"step": step})
    schedule = shared_schedule({"lstm": full, "rnn": short})
    assert [s for s, _ in schedule] == [0, 1, 3, 4, 9]
    assert [i["lstm"] for _, i in schedule] == [0, 1, 1, 2, 3], "latest frame at or before each step"
    assert [i["rnn"] for _, i in schedule] == [0, 1, 2, 2, 2]
    assert shared_schedule({"lstm": full, "rnn": Timeline()}) == []


def test_timeline_holds_every_cells_answers_at_shared_steps():
    report = EXPERIMENT.full_report(SMOKE, trained(EXPERIMENT))
    timeline = report["timeline"]
    steps = [e["step"] for e in timeline]
    assert len(timeline) >= 10
    assert steps[0] == 0 and steps[-1] == SMOKE.steps and steps == sorted(set(steps))
    target = np.array(report["held_out_target"])
    assert target.shape == (EVAL_BATCH,)
    for entry in timeline:
        assert set(entry["answers"]) == {"rnn", "lstm", "gru"}
        assert all(len(a) == EVAL_BATCH for a in entry["answers"].values())
    last, first = timeline[-1], timeline[0]
    for cell, loss in report["metrics"]["held_out_loss"].items():
        answers = np.array(last["answers"][cell])
        assert last["held_out_loss"][cell] == pytest.approx(loss, rel=1e-5)
        assert np.mean((answers - target) ** 2) == pytest.approx(loss, rel=1e-4), "answers and loss agree"
        assert not np.allclose(answers, first["answers"][cell]), "training moved the answers"


def test_export_holds_the_lstm_for_reproduce_py_and_the_answers_with_units(tmp_path):
    """The contract test runs reproduce.py; here, what it reads and the data written beside it."""
    export.write(EXPERIMENT.bundle(SMOKE, trained(EXPERIMENT), "http://localhost/x"), tmp_path)
    for name in (
        "index.html",
        "model.safetensors",
        "reproduce.py",
        "held_out.json",
        "data/held_out_answers.csv",
    ):
        assert (tmp_path / name).exists(), name
    header = (tmp_path / "data" / "answers_through_training.csv").read_text().splitlines()[0]
    assert header == "training step (step),cell,held-out sequence (#),answer (first value)"
    assert json.loads((tmp_path / "model.json").read_text())["cell"] == "lstm"


def test_recall_film_plays_every_snapshot_and_ends_on_the_trained_answers():
    res = trained(EXPERIMENT)
    fig = recall_film(res)
    timeline = res.runs["lstm"].history.timeline
    assert len(fig.frames) == len(timeline)
    np.testing.assert_array_equal(fig.frames[-1].data[1].y, res.runs["lstm"].prediction)
    np.testing.assert_array_equal(fig.frames[0].data[1].y, timeline.frames[0]["answers"])
    assert fig.frames[0].layout.title.text.startswith("Held-out answers at step 0: loss vs chance RNN ")
    gru = res.runs["gru"].history
    live = live_recall(gru, target=res.target, answer="first value")
    assert live.layout.title.text.startswith(f"GRU at {gru.timeline.label(len(gru.timeline) - 1)}: held-out")
    np.testing.assert_array_equal(live.data[0].y, gru.timeline.frames[-1]["answers"])
    fig = EXPERIMENT.live(SMOKE)(res.history)
    assert fig.layout.title.text.startswith("LSTM at "), "the live figure draws the cell in training"
