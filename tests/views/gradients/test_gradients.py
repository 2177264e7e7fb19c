"""Gradient norms through time, their bound, Jacobian products, BPTT by hand, and the gradients experiment."""

import dataclasses

import numpy as np
import pytest
import torch

from rnnviz.core import export
from rnnviz.core.fit import History
from rnnviz.core.init import init_recurrent, set_memory_gate_bias
from rnnviz.core.memory_model import build_model
from rnnviz.core.memory_tasks import copy_first
from rnnviz.views.gradients import EXPERIMENT, VIEW
from rnnviz.views.gradients.bptt import (
    Forward,
    autograd_gradients,
    backward,
    forward,
    max_differences,
    weights_from,
)
from rnnviz.views.gradients.figures import decay_film
from rnnviz.views.gradients.gradnorms import (
    FLOAT64_DECADES,
    VANISH_LEVEL,
    decay,
    hidden_grad_norms,
    hidden_grad_norms_by_sequence,
    hidden_grad_norms_per_step,
    reach_by_sequence,
    vanilla_bound,
)
from rnnviz.views.gradients.jacobians import jacobian_products
from rnnviz.views.gradients.lessons import (
    INTRO,
    SPECTRAL_RADIUS_TEXT,
    bound_claim,
    claims,
    clipping_claim,
    gate_claim,
    reach_claim,
    trained_caption,
)
from rnnviz.views.gradients.settings import PROBE_BATCH
from rnnviz.views.gradients.train import measure, stop_notes
from tests.export_support import run_reproduce
from tests.trained import trained

SMOKE = EXPERIMENT.smoke_config()
"""Length 12, hidden 4, every cell trained 50 steps on copy-first."""
UNTRAINED = dataclasses.replace(SMOKE, train_steps=0)


def probe_data(length: int, batch: int = 8, seed: int = 0):
    x, y = copy_first(batch, length, np.random.default_rng(seed))
    return torch.from_numpy(x), torch.from_numpy(y)


def model(cell: str, hidden: int = 16, seed: int = 0, **kw):
    torch.manual_seed(seed)
    return build_model(cell, hidden, **kw)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "rnn_linear", "lstm", "gru"])
def test_one_backward_pass_gives_the_same_norms_as_one_pass_per_step(cell):
    x, y = probe_data(30)
    m = model(cell, gate_bias=2.0)
    fast = hidden_grad_norms(m, x, y)
    slow = hidden_grad_norms_per_step(m, x, y)
    assert fast.shape == (30,)
    assert np.all(fast > 0)
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_norm_at_the_last_step_is_the_readout_gradient():
    """dL/dh_T = 2 (y_hat - y) w_head per sequence: the curve's anchor is right."""
    x, y = probe_data(12)
    m = model("gru")
    with torch.no_grad():
        y_hat = m(x)
    expected = (2 * (y_hat - y).abs().double() * m.head.weight.detach().double().norm()).mean()
    assert hidden_grad_norms(m, x, y)[-1] == pytest.approx(float(expected), rel=1e-5)


@pytest.mark.parametrize("scale", [0.8, 1.0, 1.25])
def test_linear_cell_with_orthogonal_weights_scales_exactly_by_the_scale_per_step(scale):
    """(W^T)^k with W = s Q, Q orthogonal, multiplies every norm by s^k (Q is orthogonal to float32 precision)."""
    x, y = probe_data(40)
    m = model("rnn_linear", init="orthogonal", scale=scale)
    norms = hidden_grad_norms(m, x, y)
    back = norms[::-1]
    np.testing.assert_allclose(back, back[0] * scale ** np.arange(40), rtol=1e-5)
    d = decay(norms)
    assert d.per_step == pytest.approx(scale, rel=1e-6)


def test_default_vanilla_rnn_vanishes_and_the_lstm_with_a_memory_gate_bias_does_not():
    """The issue's first 'done when', at its length: more than 1e3 for the RNN, far less for the LSTM."""
    x, y = probe_data(100)
    rnn = decay(hidden_grad_norms(model("rnn", 32), x, y)).decay_ratio
    lstm = decay(hidden_grad_norms(model("lstm", 32, gate_bias=5.0), x, y)).decay_ratio
    lstm_default = decay(hidden_grad_norms(model("lstm", 32, gate_bias=0.0), x, y)).decay_ratio
    assert rnn > 1e3
    assert lstm < 1e3 and lstm < rnn * 1e-6
    assert lstm_default > 1e3, "with its forget gate near 0.5 the LSTM vanishes too"


def test_decay_grows_with_the_scale_of_w_hh():
    x, y = probe_data(60)
    ratios = [decay(hidden_grad_norms(model("rnn", 16, scale=s), x, y)).decay_ratio for s in (0.5, 1.0, 1.5)]
    assert ratios[0] > ratios[1] > ratios[2]


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "rnn_linear"])
def test_vanilla_bound_holds_at_every_step(cell):
    x, y = probe_data(50)
    m = model(cell, scale=1.3)
    norms = hidden_grad_norms(m, x, y)
    bound = vanilla_bound(m, x, norms)
    assert bound is not None and bound.values[-1] == norms[-1]
    assert np.all(norms <= bound.values * (1 + 1e-9))
    assert bound.w_norm == pytest.approx(
        float(torch.linalg.matrix_norm(m.rnn.weight_hh_l0.detach().double(), 2))
    )


def test_gated_cells_have_no_vanilla_bound():
    x, y = probe_data(10)
    m = model("lstm")
    assert vanilla_bound(m, x, hidden_grad_norms(m, x, y)) is None


def test_decay_summary_of_a_known_geometric_curve():
    norms = 0.5 ** np.arange(40)[::-1]  # entry t = 0.5^(T-1-t): halves on every step back
    d = decay(norms)
    assert d.decay_ratio == pytest.approx(2.0**39)
    assert d.per_step == pytest.approx(0.5)
    assert 0.5**d.vanish_distance < VANISH_LEVEL <= 0.5 ** (d.vanish_distance - 1)
    assert d.overflow_distance is None


def test_decay_reports_where_a_curve_overflows():
    norms = np.array([np.inf, np.inf, 1e300, 10.0, 1.0])
    d = decay(norms)
    assert d.overflow_distance == 3
    assert decay(np.array([1.0, 1.0])).vanish_distance is None


def test_jacobian_products_scale_exactly_and_stay_representable_in_float64():
    curves = jacobian_products((0.5, 1.5), 200, 16, seed=3)
    n = np.arange(201)
    np.testing.assert_allclose(curves[1.5] / curves[0.5], 3.0**n, rtol=1e-9)
    assert 0 < curves[0.5][200] < np.finfo(np.float32).tiny, "below float32's normal range, still measured"


def test_init_modes_and_memory_gate_bias():
    m = model("gru", 8)
    init_recurrent(m.rnn, "orthogonal", 0.7)
    for block in m.rnn.weight_hh_l0.detach().split(8):
        np.testing.assert_allclose(torch.linalg.svdvals(block).numpy(), 0.7, rtol=1e-5)
    init_recurrent(m.rnn, "identity", 1.2)
    assert torch.equal(m.rnn.weight_hh_l0[8:16], 1.2 * torch.eye(8))
    lstm = model("lstm", 4)
    before = lstm.rnn.bias_ih_l0.detach().clone()
    set_memory_gate_bias(lstm.rnn, "lstm", 5.0)
    total = (lstm.rnn.bias_ih_l0 + lstm.rnn.bias_hh_l0).detach()
    assert torch.all(total[4:8] == 5.0), "forget gate is the second block"
    assert torch.equal(lstm.rnn.bias_ih_l0.detach()[:4], before[:4])
    with pytest.raises(ValueError):
        init_recurrent(lstm.rnn, "banana", 1.0)


def test_bptt_by_hand_matches_autograd_and_the_fused_module():
    m = model("rnn", 6, seed=4)
    w = weights_from(m.rnn, m.head)
    x = np.random.default_rng(1).normal(size=(7, 2))
    fwd = forward(w, x, 0.3)
    diffs = max_differences(backward(w, x, 0.3, fwd), autograd_gradients(w, x, 0.3))
    assert set(diffs) == {"W_xh", "W_hh", "b", "w_y", "b_y", "h"}
    assert max(diffs.values()) < 1e-12
    with torch.no_grad():
        fused = m.rnn(torch.tensor(x, dtype=torch.float32)[None])[0][0, -1].numpy()
    np.testing.assert_allclose(fwd.h[-1], fused, atol=1e-6)


def test_bptt_by_hand_would_notice_a_wrong_derivative():
    """The check has teeth: dropping the tanh derivative changes the gradients visibly."""
    m = model("rnn", 6, seed=4)
    w = weights_from(m.rnn, m.head)
    x = np.random.default_rng(1).normal(size=(7, 2))
    fwd = forward(w, x, 0.3)
    wrong = Forward(h=np.zeros_like(fwd.h), y_hat=fwd.y_hat, loss=fwd.loss)  # 1 - h^2 = 1 everywhere
    diffs = max_differences(backward(w, x, 0.3, wrong), autograd_gradients(w, x, 0.3))
    assert diffs["W_xh"] > 1e-3


def test_experiment_reports_the_chosen_cell_first_and_clipping_as_a_finding():
    res = trained(EXPERIMENT)
    assert list(res.curves) == ["rnn", "lstm", "gru"]
    assert res.bound_cell == "rnn" and res.bound is not None
    assert res.clip_free.diverged_at is not None, "lr 1 without clipping explodes"
    assert res.clip_free.stop == "diverged"
    assert res.clip_clipped.diverged_at is None
    assert max(res.clip_clipped.clipped_norm) <= SMOKE.max_norm * (1 + 1e-6)
    assert max(res.by_hand.max_difference.values()) < 1e-12
    assert res.history is res.curves["rnn"].history, "the chosen cell's training, not the clipping pair's"
    assert res.notes == (), "every cell trained to the end"


def test_experiment_with_a_gated_cell_bounds_the_vanilla_rnn():
    res = trained(EXPERIMENT, dataclasses.replace(UNTRAINED, cell="rnn_linear"))
    assert list(res.curves) == ["rnn_linear", "rnn", "lstm", "gru"]
    assert res.bound_cell == "rnn_linear"
    res = trained(EXPERIMENT, dataclasses.replace(UNTRAINED, cell="gru"))
    assert res.bound_cell == "rnn"


def test_report_gives_t_norms_and_their_decay_ratio():
    report = EXPERIMENT.full_report(SMOKE, trained(EXPERIMENT))
    norms = report["grad_norms"]
    assert len(norms) == SMOKE.length
    assert report["metrics"]["decay_ratio"] == pytest.approx(norms[-1] / norms[0], rel=1e-5)


def test_timeline_records_every_cells_curve_while_it_learns():
    report = EXPERIMENT.full_report(SMOKE, trained(EXPERIMENT))
    timeline = report["timeline"]
    steps = [e["step"] for e in timeline]
    assert len(timeline) >= 10
    assert steps[0] == 0 and steps[-1] == SMOKE.train_steps and steps == sorted(set(steps))
    for entry in timeline:
        assert set(entry["grad_norms"]) == {"lstm", "rnn", "gru"}
        assert all(len(norms) == SMOKE.length for norms in entry["grad_norms"].values())
    last = np.array(timeline[-1]["grad_norms"]["rnn"])
    np.testing.assert_allclose(
        last, report["grad_norms"], rtol=1e-6, err_msg="the last frame is the final curve"
    )
    assert not np.allclose(timeline[0]["grad_norms"]["rnn"], last), "training changed the curve"
    assert timeline[0]["loss"]["lstm"] is not None and timeline[-1]["loss"]["gru"] is not None


def test_untrained_network_has_one_snapshot_at_step_0():
    report = EXPERIMENT.full_report(UNTRAINED, trained(EXPERIMENT, UNTRAINED))
    (entry,) = report["timeline"]
    assert entry["step"] == 0 and entry["loss"] == {"rnn": None, "lstm": None, "gru": None}
    np.testing.assert_allclose(entry["grad_norms"]["rnn"], report["grad_norms"], rtol=1e-6)
    assert EXPERIMENT.live(UNTRAINED) is None, "nothing trains, so nothing is drawn live"


def test_capture_measures_gradients_although_the_fit_loop_captures_without_them():
    x, y = probe_data(15)
    m = model("gru", 8)
    with torch.no_grad():
        frame = measure(m, x, y)
    np.testing.assert_array_equal(frame["grad_norms"], hidden_grad_norms(m, x, y))
    assert frame["cell"] == "gru" and frame["bound_factor"] is None
    linear = model("rnn_linear", 8, init="orthogonal", scale=0.9)
    assert measure(linear, x, y)["bound_factor"] == pytest.approx(0.9, rel=1e-5)


def test_export_of_a_gated_cell_reproduces_its_own_decay_ratio_with_plain_torch(tmp_path):
    """The contract test reproduces the smoke run's vanilla cell; a gated cell's weights are picked out too."""
    cfg = dataclasses.replace(SMOKE, cell="gru")
    res = trained(EXPERIMENT, cfg)
    export.write(EXPERIMENT.bundle(cfg, res, "http://localhost/x"), tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert {"index.html", "model.safetensors", "reproduce.py", "probe.json"} <= names
    assert {"data/grad_norms.csv", "data/grad_norms_through_training.csv", "data/clipping.csv"} <= names
    printed = run_reproduce(tmp_path)
    assert printed["metric"] == EXPERIMENT.metric.name
    assert printed["value"] == pytest.approx(res.curves["gru"].decay.decay_ratio, rel=1e-5)
    assert printed["value"] != pytest.approx(res.curves["lstm"].decay.decay_ratio, rel=1e-3)


def test_decay_film_moves_the_curves_and_the_bound_through_training():
    res = trained(EXPERIMENT)
    fig = decay_film(res, list(res.curves), show_bound=True)
    schedule = res.curves["rnn"].history.timeline
    assert len(fig.frames) == len(schedule)
    assert len(fig.frames[0].data) == 4, "three cells and the bound"
    np.testing.assert_allclose(np.array(fig.frames[-1].data[0].y, dtype=float), res.curves["rnn"].norms)
    assert fig.frames[0].layout.title.text.startswith("Step 0: Vanilla RNN (tanh): 11 steps back")
    first_bound, last_bound = fig.frames[0].data[3].name, fig.frames[-1].data[3].name
    assert last_bound == f"bound (‖W_hh‖·max|φ'|)^k = {res.bound.factor:.3g}^k" and first_bound != last_bound
    assert not fig_frames_equal(fig.frames[0].data[1].y, fig.frames[-1].data[1].y)
    untrained = decay_film(trained(EXPERIMENT, UNTRAINED), ["rnn"], show_bound=False)
    assert not untrained.frames and len(untrained.data) == 1


def fig_frames_equal(a, b) -> bool:
    return np.allclose(np.array(a, dtype=float), np.array(b, dtype=float))


def test_live_figure_draws_the_latest_snapshot_of_the_cell_in_training():
    history = trained(EXPERIMENT).history
    fig = EXPERIMENT.live(SMOKE)(history)
    last = len(history.timeline) - 1
    assert fig.layout.title.text.startswith(f"At {history.timeline.label(last)}: Vanilla RNN (tanh)")
    np.testing.assert_array_equal(fig.data[0].y, history.timeline.frames[-1]["grad_norms"])


def with_curve(res, cell: str, norms: np.ndarray):
    """The smoke result with one cell's curve replaced: a run whose outcome a test chooses."""
    curve = dataclasses.replace(res.curves[cell], norms=norms, decay=decay(norms))
    return dataclasses.replace(res, curves={**res.curves, cell: curve})


def test_the_headline_says_whether_the_gradient_vanished_before_step_1():
    res = trained(EXPERIMENT)
    kept = reach_claim(res)
    assert kept.id == claims(SMOKE, res)[0].id == "gradient_vanishes"
    assert not kept.holds and "has not vanished within these 11 steps" in kept.text
    assert kept.evidence["log10_left_at_step_1"] == pytest.approx(
        -np.log10(res.curves["rnn"].decay.decay_ratio)
    )
    gone = reach_claim(with_curve(res, "rnn", 0.1 ** np.arange(12.0)[::-1]))
    assert gone.holds and gone.agrees_with_evidence() and gone.evidence["vanish_distance"] == 7.0
    assert "the gradient vanishes. 7 steps back" in gone.text
    grows = reach_claim(with_curve(res, "rnn", 2.0 ** np.arange(12.0)[::-1]))
    assert not grows.holds and "grows on its way back" in grows.text
    overflow = reach_claim(with_curve(res, "rnn", np.array([np.inf, 1e300, 1.0])))
    assert not overflow.holds and "explodes: 2 steps back" in overflow.text
    assert all(np.isfinite(v) for v in overflow.evidence.values())


def test_spectral_radius_below_1_is_not_said_to_shrink_the_product():
    """Issue 23 item 7: diag(phi') W changes every step; the guarantee is ||W||_2 max|phi'| < 1."""
    w = np.array([[1.0, 1.0], [-1.0, -0.9]])
    assert np.abs(np.linalg.eigvals(w)).max() == pytest.approx(0.316, abs=1e-3)
    assert np.abs(np.linalg.eigvals(np.diag([1.0, 0.0]) @ w)).max() == pytest.approx(1.0)
    assert "ρ(W) = 0.32" in SPECTRAL_RADIUS_TEXT and "the Jacobian has ρ = 1" in SPECTRAL_RADIUS_TEXT
    assert "Pascanu" in SPECTRAL_RADIUS_TEXT
    for prose in (SPECTRAL_RADIUS_TEXT, INTRO, VIEW.finding):
        assert "geometrically" not in prose
    assert not any(ch.isdigit() for ch in VIEW.finding), "the home card's fallback is an expectation"


def test_the_bound_claim_states_this_runs_norm_and_slope():
    res = trained(EXPERIMENT)
    found = {c.id: c for c in claims(SMOKE, res)}["bound_forces_vanishing"]
    w_hh = res.curves["rnn"].model.rnn.weight_hh_l0.detach().double()
    assert found.evidence["w_norm"] == pytest.approx(float(torch.linalg.matrix_norm(w_hh, ord=2)), rel=1e-6)
    assert found.evidence["factor"] == pytest.approx(res.bound.factor)
    assert found.holds == (res.bound.factor < 1) and found.agrees_with_evidence()
    loose = dataclasses.replace(res, bound=dataclasses.replace(res.bound, w_norm=1.5, max_slope=1.0))
    found = bound_claim(loose)
    assert not found.holds and "not below 1, so nothing forces the gradient to vanish" in found.text
    assert f"ρ(W_hh) = {res.curves['rnn'].radius['h']:.3g}" in found.text
    assert "bound_forces_vanishing" not in {
        c.id for c in claims(UNTRAINED, dataclasses.replace(res, bound=None, bound_cell=None))
    }


def test_gated_cells_are_compared_with_the_rnn_sequence_by_sequence():
    res = trained(EXPERIMENT)
    found = {c.id: c for c in claims(SMOKE, res)}
    assert {"lstm_keeps_more_than_rnn", "gru_keeps_more_than_rnn"} <= set(found)
    reach = res.curves["lstm"].reach
    assert reach.dtype == np.float32 and reach.shape == (PROBE_BATCH,)
    x, y = torch.from_numpy(res.probe_x), torch.from_numpy(res.probe_y)
    by_sequence = hidden_grad_norms_by_sequence(res.curves["lstm"].model, x, y)
    np.testing.assert_allclose(reach, np.log10(by_sequence[0] / by_sequence[-1]), rtol=1e-5)
    np.testing.assert_allclose(by_sequence.mean(axis=1), res.curves["lstm"].norms, rtol=1e-10)
    same = dataclasses.replace(
        res,
        curves={**res.curves, "lstm": dataclasses.replace(res.curves["lstm"], reach=res.curves["rnn"].reach)},
    )
    tie = gate_claim(same, "lstm")
    assert not tie.holds and "tie" in tie.text
    assert reach_by_sequence(np.array([[np.inf, 0.0], [1.0, 1.0]])).tolist() == pytest.approx(
        [FLOAT64_DECADES, -FLOAT64_DECADES]
    )


def runs(free_at: int | None, clipped_at: int | None) -> tuple[History, History]:
    def history(at):
        return History(loss=[1.0] * 5, grad_norm=[2.0] * 5, stop="diverged" if at else "", diverged_at=at)

    return history(free_at), history(clipped_at)


@pytest.mark.parametrize(
    ("free_at", "clipped_at", "holds", "start"),
    [
        (3, None, True, "Without clipping, training diverged at step 3"),
        (3, 4, False, "Both runs diverged"),
        (None, 4, False, "Only the clipped run diverged (at step 4)"),
        (None, None, False, "Neither run diverged"),
    ],
)
def test_the_clipping_verdict_says_what_each_run_did(free_at, clipped_at, holds, start):
    res = trained(EXPERIMENT)
    free, clipped = runs(free_at, clipped_at)
    found = clipping_claim(SMOKE, dataclasses.replace(res, clip_free=free, clip_clipped=clipped))
    assert found.holds == holds and found.text.startswith(start) and found.agrees_with_evidence()


def test_the_chosen_cells_stop_is_the_pages_warning_and_its_caption_names_it():
    res = trained(EXPERIMENT)
    stopped = History(loss=[1.0] * 7, stop="budget")
    curves = {c: dataclasses.replace(curve, history=stopped) for c, curve in res.curves.items()}
    notes = stop_notes(SMOKE, curves)
    assert len(notes) == 2 and not any(n.startswith("Vanilla RNN (tanh)") for n in notes)
    caption = trained_caption(SMOKE, dataclasses.replace(res, curves=curves))
    assert "Vanilla RNN (tanh) " in caption and "(stopped after 7 of 50 steps" in caption
