import dataclasses
import re

import numpy as np
import pytest

from rnnviz.core.cells import GATES
from rnnviz.core.equations import column, shown_units, step_latex, tex_text
from rnnviz.core.timeline import capturing
from rnnviz.views.unroll import EXPERIMENT, VIEW
from rnnviz.views.unroll.figures import weight_heatmaps
from rnnviz.views.unroll.lessons import (
    METRIC_HELP,
    claims,
    earlier_state_fades,
    fused_matches,
    loss_help,
    training_lowers_loss,
)
from rnnviz.views.unroll.result import hidden_of
from rnnviz.views.unroll.settings import UnrollConfig
from rnnviz.views.unroll.step import gate_means, step_inputs
from rnnviz.views.unroll.train import run
from tests.trained import trained


def result(**settings):
    """The shared result for these settings: trained once per test session."""
    return trained(EXPERIMENT, UnrollConfig(**settings))


def test_training_teaches_the_sequence():
    untrained = result(train_steps=0)
    learned = result(train_steps=300, lr=0.03)
    assert untrained.history.steps == 0
    hits = sum(p == t for p, t in zip(learned.predictions[:-1], learned.tokens[1:], strict=True))
    assert hits >= 0.8 * (len(learned.tokens) - 1)
    assert learned.fused_gap < 1e-5
    assert learned.loss_after < 0.5 * untrained.loss_after


def test_the_loss_help_says_why_the_curve_ends_on_another_number_and_it_is_so():
    """The curve's step-n loss is measured before step n's update: the loss after training of n - 1 steps."""
    res, one_step_less = result(train_steps=40), result(train_steps=39)
    assert res.history.loss[-1] == pytest.approx(one_step_less.loss_after, rel=1e-6) != res.loss_after
    assert f"end on {res.history.loss[-1]:.3g}: step 40's loss" in loss_help(res)
    assert loss_help(result(train_steps=0)) == METRIC_HELP


def test_same_config_same_numbers_different_seed_different_numbers():
    a, b = run(UnrollConfig(seed=3, train_steps=20)), run(UnrollConfig(seed=3, train_steps=20))
    c = run(UnrollConfig(seed=4, train_steps=20))
    assert np.array_equal(a.states.h, b.states.h)
    assert not np.allclose(a.states.h, c.states.h)


@pytest.mark.parametrize("h0", ["zeros", "random", "learned"])
@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_every_cell_and_initial_state(cell, h0):
    res = result(cell=cell, h0=h0, layers=2, hidden=3, train_steps=10)
    assert res.states.h.shape == (2, len(res.tokens), 3)
    assert res.fused_gap < 1e-5
    assert (res.h0 == 0).all() == (h0 == "zeros")


def test_numbers_mode_reads_numbers_and_skips_junk():
    res = result(tokenizer="number", text="1 2 x 3 nan 4", train_steps=5)
    assert res.numeric and res.tokens == ("1", "2", "3", "4")
    assert list(res.values) == [1, 2, 3, 4]
    assert any("not finite numbers" in n for n in res.notes)


@pytest.mark.parametrize("text", ["", "a", "     "])
def test_too_short_input_falls_back_with_a_note(text):
    res = result(text=text, train_steps=0)
    assert len(res.tokens) >= 2 and res.notes


def test_word_tokens_and_long_input_is_capped():
    res = result(tokenizer="word", text="to be " * 70, train_steps=0)
    assert len(res.tokens) == 120 and res.tokens[:2] == ("to", "be")


# The training timeline (issue 12)


def test_timeline_runs_from_the_untrained_model_to_the_final_one_exactly():
    res = result(layers=2, hidden=4, train_steps=60)
    timeline = res.history.timeline
    assert timeline.steps[0] == 0 and timeline.steps[-1] == 60 and len(timeline) >= 10
    assert all(a < b for a, b in zip(timeline.steps, timeline.steps[1:], strict=False))
    last = timeline.frames[-1]
    for layer in range(2):
        assert np.array_equal(hidden_of(last, layer), res.states.h[layer])
    assert last["predictions"] == res.final["predictions"]
    assert np.array_equal(last["p_next"], res.final["p_next"])
    # The hidden states move with training, and the guess for the right next token improves.
    assert not np.allclose(timeline.frames[0]["hidden"], last["hidden"])
    assert last["p_next"].mean() > timeline.frames[0]["p_next"].mean()


def test_p_next_is_the_probability_of_the_token_that_actually_follows():
    res = result(text="abab", train_steps=0)
    p = res.final["p_next"]
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()
    # Cross-entropy is the mean of -log p(the token that follows).
    assert res.loss_after == pytest.approx(float(-np.log(p).mean()), rel=1e-5)


def test_untrained_run_has_one_frame_and_numbers_capture_their_guesses():
    res = result(tokenizer="number", text="1 2 3 4", train_steps=0)
    assert res.history.timeline.steps == [0]
    guesses = res.final["predictions"]
    assert guesses.shape == (4,) and np.isfinite(guesses).all()
    assert res.predictions == tuple(f"{v:.3g}" for v in guesses)


def test_capture_switched_off_leaves_an_empty_timeline_and_the_same_model():
    with capturing(False):
        off = run(UnrollConfig(train_steps=20))  # not through the cache: it must not keep this result
    on = result(train_steps=20)
    assert len(off.history.timeline) == 0
    assert np.array_equal(off.states.h, on.states.h)


# One time step, as the page writes it out


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_equations_use_the_models_numbers(cell):
    res = result(cell=cell, hidden=3, train_steps=0)
    t = 4
    inputs = step_inputs(res, 0, t)
    lines = step_latex(cell, **inputs)
    s = res.states
    assert lines[-1].endswith(column(s.h[0][t]))
    np.testing.assert_array_equal(inputs["h_prev"], s.h[0][t - 1])
    if cell == "lstm":
        np.testing.assert_array_equal(inputs["c_prev"], s.c[0][t - 1])
    if cell == "rnn":
        wx = res.weights[0]["W_ih"] @ res.x[t]
        wh = res.weights[0]["W_hh"] @ s.h[0][t - 1]
        np.testing.assert_allclose(wx + wh + res.weights[0]["b"], s.pre["h"][0][t], atol=1e-5)
        assert column(wx) in lines[1]
        assert rf"x_{{{t + 1}}} = \text{{{tex_text(res.tokens[t])}}}" in lines[0]


def test_an_upper_layer_names_its_input_as_the_state_below():
    res = result(layers=2, hidden=3, train_steps=0)
    lines = step_latex("rnn", **step_inputs(res, 1, 2))
    assert r"x_{3} = h^{(1)}_{3}" in lines[0] and r"\text{" in lines[0]


def test_first_step_reads_the_initial_state_and_upper_layers_read_the_layer_below():
    res = result(cell="lstm", h0="random", layers=2, hidden=3, train_steps=0)
    first = step_inputs(res, 0, 0)
    np.testing.assert_array_equal(first["h_prev"], res.h0[0])
    np.testing.assert_array_equal(first["c_prev"], res.c0[0])
    assert first["token"] == res.tokens[0] and first["x"].sum() == 1  # one-hot
    upper = step_inputs(res, 1, 5)
    np.testing.assert_array_equal(upper["x"], res.states.h[0][5])
    np.testing.assert_array_equal(upper["h_prev"], res.states.h[1][4])
    assert upper["t"] == 6 and upper["x_tex"].startswith("h^{(1)}_{6}")
    # The LSTM's equations hold row by row: c_t = f * c_{t-1} + i * g.
    g = upper["gates"]
    np.testing.assert_allclose(g["f"] * upper["c_prev"] + g["i"] * g["g"], upper["c"], atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_gate_means_are_each_gates_average(cell):
    res = result(cell=cell, hidden=4, train_steps=0)
    means = gate_means(res, 0, 2)
    assert set(means) == set(GATES[cell])
    for g, v in means.items():
        assert v == pytest.approx(res.states.gates[g][0][2].mean())


def test_long_vectors_show_the_most_active_units_consistently():
    h = np.array([0.1, -0.9, 0.2, 0.8, 0.0, 0.3, -0.05, 0.7, 0.01, 0.6])
    units = shown_units(h, limit=4)
    assert list(units) == [1, 3, 7, 9]
    assert list(shown_units(h[:3])) == [0, 1, 2]
    lines = step_latex(
        "rnn",
        t=1,
        token="a",
        weights={"W_ih": np.eye(10), "W_hh": np.eye(10), "b": np.zeros(10)},
        x=h,
        h_prev=np.zeros(10),
        c_prev=None,
        gates={},
        pre={"h": h},
        h=np.tanh(h),
        c=None,
        units=units,
    )
    assert lines[-1].endswith(column(np.tanh(h)[units]))


def test_tokens_are_escaped_for_latex():
    assert tex_text("a_b$") == r"a\_b\$"
    assert tex_text("\\x{") == r"\textbackslash{}x\{"
    assert tex_text("\x00") == "?"


def test_training_lowers_the_loss_with_a_paired_interval_and_ties_untrained():
    """The headline claim: the same guesses scored before and after, a block bootstrap over target steps."""
    res = trained(EXPERIMENT)
    first = claims(EXPERIMENT.smoke_config(), res)[0]
    assert first.id == "training_lowers_loss" and first.holds, first.text
    assert first.evidence["loss_after"] == pytest.approx(float(res.token_loss_after.mean()), rel=1e-5)
    assert first.evidence["high"] < 0
    untrained = result(train_steps=0)
    np.testing.assert_array_equal(untrained.token_loss_before, untrained.token_loss_after)
    tied = training_lowers_loss(untrained)
    assert not tied.holds and "tie" in tied.text and tied.agrees_with_evidence()


def test_fused_claim_is_decided_by_the_measured_gap():
    res = trained(EXPERIMENT)
    assert fused_matches(res).holds
    off = fused_matches(dataclasses.replace(res, fused_gap=1e-2))
    assert not off.holds and "differs" in off.text and off.agrees_with_evidence()


def _with_w_hh(res, w_hh: np.ndarray):
    """The result as if layer 1's W_hh were ``w_hh`` (embedded top-left in a matrix of the run's size)."""
    full = np.zeros_like(res.weights[0]["W_hh"], dtype=np.float64)
    full[: len(w_hh), : len(w_hh)] = w_hh
    radius = {"h": float(np.abs(np.linalg.eigvals(full)).max())}
    return dataclasses.replace(res, weights=({**res.weights[0], "W_hh": full},), radius=(radius,))


def test_a_spectral_radius_below_one_alone_is_no_promise_that_the_state_fades():
    """Issue 23 item 7: the Jacobian is diag(φ′) W_hh with a diagonal that changes every step. The issue's
    W has radius 0.32, yet diag(1, 0) W has radius 1; only ‖W_hh‖₂ · max φ′ < 1 guarantees a fade."""
    w = np.array([[1.0, 1.0], [-1.0, -0.9]])
    assert np.abs(np.linalg.eigvals(w)).max() < 0.33
    assert np.abs(np.linalg.eigvals(np.diag([1.0, 0.0]) @ w)).max() == pytest.approx(1.0)
    res = trained(EXPERIMENT)
    small_radius = _with_w_hh(res, w)
    found = earlier_state_fades(small_radius)
    assert small_radius.radius[0]["h"] < 1 and not found.holds and found.agrees_with_evidence()
    assert "nothing guarantees" in found.text and "Pascanu" in found.text
    _, fig_h = weight_heatmaps(small_radius.weights[0], "rnn", small_radius.radius[0], small_radius.vocab)
    assert "shrinks the state" not in fig_h.layout.title.text
    contracting = earlier_state_fades(_with_w_hh(res, 0.5 * np.eye(2)))
    assert contracting.holds and contracting.evidence["norm"] == pytest.approx(0.5)
    assert "fades at least geometrically" in contracting.text


def test_gated_cells_state_no_contraction_claim():
    res = trained(EXPERIMENT)
    gated = dataclasses.replace(res, states=dataclasses.replace(res.states, cell="lstm"))
    assert earlier_state_fades(gated) is None
    assert [c.id for c in claims(EXPERIMENT.smoke_config(), gated)] == [
        "training_lowers_loss",
        "fused_matches",
    ]


def test_home_card_finding_is_an_expectation_without_typed_numbers():
    assert VIEW.finding.startswith("Expect") and not re.search(r"\d", VIEW.finding)


def test_an_overflowing_loss_is_said_so_rather_than_compared():
    res = result(tokenizer="number", text="1e300 -1e300 1e-300 0 5", train_steps=30)
    found = training_lowers_loss(res)
    assert not found.holds and "overflows" in found.text and found.agrees_with_evidence()
    assert all(np.isfinite(v) for v in found.evidence.values())
