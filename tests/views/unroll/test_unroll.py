import numpy as np
import pytest

from rnnviz.core.equations import column, shown_units, step_latex, tex_text
from rnnviz.views.unroll.experiment import UnrollConfig, run


def test_training_teaches_the_sequence():
    untrained = run(UnrollConfig(train_steps=0))
    trained = run(UnrollConfig(train_steps=300, lr=0.03))
    assert untrained.history.steps == 0
    hits = sum(p == t for p, t in zip(trained.predictions[:-1], trained.tokens[1:], strict=True))
    assert hits >= 0.8 * (len(trained.tokens) - 1)
    assert trained.fused_gap < 1e-5


def test_same_config_same_numbers_different_seed_different_numbers():
    a, b = run(UnrollConfig(seed=3, train_steps=20)), run(UnrollConfig(seed=3, train_steps=20))
    c = run(UnrollConfig(seed=4, train_steps=20))
    assert np.array_equal(a.states.h, b.states.h)
    assert not np.allclose(a.states.h, c.states.h)


@pytest.mark.parametrize("h0", ["zeros", "random", "learned"])
@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_every_cell_and_initial_state(cell, h0):
    res = run(UnrollConfig(cell=cell, h0=h0, layers=2, hidden=3, train_steps=10))
    assert res.states.h.shape == (2, len(res.tokens), 3)
    assert res.fused_gap < 1e-5
    assert (res.h0 == 0).all() == (h0 == "zeros")


def test_numbers_mode_reads_numbers_and_skips_junk():
    res = run(UnrollConfig(tokenizer="number", text="1 2 x 3 nan 4", train_steps=5))
    assert res.numeric and res.tokens == ("1", "2", "3", "4")
    assert any("not finite numbers" in n for n in res.notes)


@pytest.mark.parametrize("text", ["", "a", "     "])
def test_too_short_input_falls_back_with_a_note(text):
    res = run(UnrollConfig(text=text, train_steps=0))
    assert len(res.tokens) >= 2 and res.notes


def test_word_tokens_and_long_input_is_capped():
    res = run(UnrollConfig(tokenizer="word", text="to be " * 70, train_steps=0))
    assert len(res.tokens) == 120 and res.tokens[:2] == ("to", "be")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_equations_use_the_models_numbers(cell):
    res = run(UnrollConfig(cell=cell, hidden=3, train_steps=0))
    t = 4
    s = res.states
    lines = step_latex(
        cell,
        t=t + 1,
        token=res.tokens[t],
        weights=res.weights[0],
        x=res.x[t],
        h_prev=s.h[0][t - 1],
        c_prev=s.c[0][t - 1] if s.c is not None else None,
        gates={g: v[0][t] for g, v in s.gates.items()},
        pre={k: v[0][t] for k, v in s.pre.items()},
        h=s.h[0][t],
        c=s.c[0][t] if s.c is not None else None,
    )
    assert lines[-1].endswith(column(s.h[0][t]))
    if cell == "rnn":
        wx = res.weights[0]["W_ih"] @ res.x[t]
        wh = res.weights[0]["W_hh"] @ s.h[0][t - 1]
        np.testing.assert_allclose(wx + wh + res.weights[0]["b"], s.pre["h"][0][t], atol=1e-5)
        assert column(wx) in lines[1]


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
