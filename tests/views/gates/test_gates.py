from dataclasses import replace

import numpy as np
import pytest
import torch

from rnnviz.core.cells import GATES, SIGNED_GATES, trace
from rnnviz.core.equations import column
from rnnviz.views.gates import EXPERIMENT, brackets
from rnnviz.views.gates.gating import (
    gate_saturation,
    highway,
    influential_units,
    parameter_table,
    saturated_share,
    saturation,
)
from rnnviz.views.gates.inputs import COPY_LIMIT, MAX_TOKENS, MAX_UNITS, choose_units
from rnnviz.views.gates.lessons import answer_summary, keep_path, step_equations
from rnnviz.views.gates.reading import inspect_sequence
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import HELD_OUT
from rnnviz.views.gates.train import run
from tests.trained import trained
from tests.views.gates.upstream import tiny_sentiment

SMALL = EXPERIMENT.smoke_config()


@pytest.fixture(scope="module")
def small_runs():
    """One short training per cell and task, shared with every other test that reads the same settings."""
    return {
        (cell, task): trained(EXPERIMENT, replace(SMALL, cell=cell, task=task))
        for cell in ("lstm", "gru")
        for task in ("copy", "brackets")
    }


@torch.no_grad()
def _fused_gates(rnn: torch.nn.RNNBase, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gates recomputed from the fused module's own outputs and torch's documented equations."""
    out, _ = rnn(x)
    hidden = rnn.hidden_size
    h_prev = torch.cat([torch.zeros_like(out[:, :1]), out[:, :-1]], dim=1)
    gi = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
    gh = h_prev @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
    if isinstance(rnn, torch.nn.LSTM):
        i, f, g, o = (gi + gh).split(hidden, dim=-1)
        return {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
    xr, xz, xn = gi.split(hidden, dim=-1)
    hr, hz, hn = gh.split(hidden, dim=-1)
    r = (xr + hr).sigmoid()
    return {"r": r, "z": (xz + hz).sigmoid(), "n": (xn + r * hn).tanh()}


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("task", ["copy", "brackets"])
def test_drawn_gates_are_the_fused_models_gates_and_in_range(small_runs, cell, task):
    res = small_runs[(cell, task)]
    ins = inspect_sequence(res, SMALL)
    for network, reading in ((res.trained, ins.trained), (res.untrained, ins.untrained)):
        expected = _fused_gates(network.rnn, torch.from_numpy(reading.x).unsqueeze(0))
        assert set(reading.gates) == set(GATES[cell])
        for g, values in reading.gates.items():
            np.testing.assert_allclose(values, expected[g][0].numpy(), atol=1e-5)
            assert values.min() >= (-1 if g in SIGNED_GATES else 0) and values.max() <= 1
        assert reading.fused_gap < 1e-5


def test_defaults_train_switch_like_gates_and_a_long_forget_path():
    """The issue's target: with defaults, training measurably saturates the gates."""
    cfg = GatesConfig()
    res = trained(EXPERIMENT, cfg)
    trained_share, untrained = (
        saturated_share(res.trained.saturation),
        saturated_share(res.untrained.saturation),
    )
    assert trained_share > untrained + 0.3, (trained_share, untrained)
    assert res.trained.held_out_loss < 0.1 * res.chance_loss
    ins = inspect_sequence(res, cfg)
    unit = res.ranked_units[0]
    assert keep_path(ins.trained, "lstm")[-1, unit] > 10 * keep_path(ins.untrained, "lstm")[-1, unit]
    assert abs(ins.trained.prediction[-1] - ins.target[-1]) < 0.2


def test_same_config_same_numbers_other_seed_other_numbers():
    a, b = trained(EXPERIMENT), run(SMALL)  # the shared result, and the same settings trained again
    c = trained(EXPERIMENT, replace(SMALL, seed=1))
    ga, gb, gc = (inspect_sequence(r, SMALL).trained.gates["f"] for r in (a, b, c))
    assert np.array_equal(ga, gb)
    assert not np.allclose(ga, gc)
    assert a.history.loss == b.history.loss


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_bias_opens_the_untrained_memory_gate(cell):
    keep = "f" if cell == "lstm" else "z"
    mean_keep = lambda bias: (
        inspect_sequence(trained(EXPERIMENT, replace(SMALL, cell=cell, gate_bias=bias, train_steps=0)), SMALL)
        .untrained.gates[keep]
        .mean()
    )
    assert mean_keep(3.0) > mean_keep(0.0) + 0.3


@pytest.mark.parametrize(("inputs", "hidden"), [(2, 8), (3, 1), (5, 32)])
def test_parameter_table_counts_real_blocks(inputs, hidden):
    table = parameter_table(inputs, hidden)
    block = hidden * inputs + hidden * hidden + 2 * hidden
    for cell, blocks in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        row = table[cell]
        assert len(row["blocks"]) == blocks
        assert set(row["blocks"].values()) == {block}
        assert sum(row["blocks"].values()) == row["total"]
    assert table["gru"]["total"] * 4 == table["lstm"]["total"] * 3  # exactly 25% fewer
    assert table["rnn"]["total"] * 4 == table["lstm"]["total"]


def test_saturation_counts_the_ends_of_each_range():
    sig = np.array([0.0, 0.05, 0.5, 0.95, 1.0, 0.1, 0.9, 0.3])
    assert saturation(sig) == {"low": 2 / 8, "high": 2 / 8}
    tanh = np.array([-1.0, -0.95, 0.0, 0.05, 0.5, 0.99])
    assert saturation(tanh, signed=True) == {"low": 2 / 6, "high": 1 / 6}
    sat = gate_saturation({"i": sig, "g": tanh})
    assert saturated_share(sat) == pytest.approx(0.5)  # g is a tanh gate: not in the sigmoid mean


def test_highway_is_the_derivative_along_the_cell_path():
    rng = np.random.default_rng(0)
    f, i, g = rng.uniform(0.2, 1.0, (3, 9, 2))
    c1 = torch.tensor(rng.normal(size=2), requires_grad=True)
    c = c1
    for t in range(1, 9):
        c = torch.from_numpy(f[t]) * c + torch.from_numpy(i[t] * g[t])
    grads = [torch.autograd.grad(c[u], c1, retain_graph=True)[0][u].item() for u in range(2)]
    np.testing.assert_allclose(highway(f)[-1], grads, rtol=1e-12)
    assert np.all(highway(f)[0] == 1)


def test_influential_units_rank_varying_contributions_first():
    rng = np.random.default_rng(0)
    h = np.zeros((100, 4))
    h[:, 0] = 0.9  # constant: only shifts the output
    h[:, 2] = rng.normal(size=100)
    h[:, 3] = 0.1 * rng.normal(size=100)
    assert influential_units(h, np.array([5.0, 1.0, 1.0, 1.0]))[:2] == (2, 3)


def test_choose_units_reads_numbers_and_explains_the_rest():
    ranked = (5, 1, 0, 2, 3, 4)
    assert choose_units("", 6, ranked) == ((5, 1, 0), [])
    assert choose_units("3, 1 3", 6, ranked) == ((3, 1), [])
    units, notes = choose_units("9 x 🙂 -1 2", 6, ranked)
    assert units == (2,) and "not a unit number" in notes[0]
    units, notes = choose_units("zzz", 2, ranked)
    assert units == (5, 1) and "most influential" in notes[-1]
    units, notes = choose_units(" ".join(map(str, range(20))), 20, ranked)
    assert len(units) == MAX_UNITS and any("first" in n for n in notes)


def test_bracket_generator_targets_are_the_running_depth():
    x, y = brackets.bracket_depth(64, 30, np.random.default_rng(0))
    depth = np.stack([brackets.running_depth(row.argmax(-1)) for row in x])
    np.testing.assert_array_equal(depth, y[..., 0])
    assert depth.min() == 0 and depth.max() == brackets.MAX_DEPTH
    assert np.allclose(x.sum(-1), 1)


@pytest.mark.parametrize(
    ("text", "tokens", "note"),
    [
        ("(a)", ("(", "a", ")"), None),
        ("( ( ) )", ("(", "(", ")", ")"), None),
        ("(🙂)<b>", ("(", ")", "b"), "Dropped"),
        ("", tuple(brackets.EXAMPLE), "example"),
        ("🙂🙂", tuple(brackets.EXAMPLE), "example"),
        ("())", ("(", ")", ")"), "never opened"),
        ("((((((", tuple("(((((("), "generalisation"),
    ],
)
def test_bracket_parsing_explains_what_it_did(text, tokens, note):
    shown, ids, notes = brackets.parse(text, 60)
    assert shown == tokens and len(ids) == len(tokens)
    if note is None:
        assert notes == ()
    else:
        assert any(note in n for n in notes)


def test_huge_bracket_input_is_capped():
    shown, ids, notes = brackets.parse("()" * 5000, MAX_TOKENS)
    assert len(shown) == MAX_TOKENS and any("first" in n for n in notes)


@pytest.mark.parametrize(
    ("text", "first", "note"),
    [
        ("1 2 3", 1.0, None),
        ("1e9 0 1", COPY_LIMIT, "clipped"),
        ("-1e300 x 2", -COPY_LIMIT, "not finite"),
        ("", 0.8, "example"),
        ("🙂 🙂", 0.8, "example"),
    ],
)
def test_typed_copy_sequences_are_validated(small_runs, text, first, note):
    res = small_runs[("lstm", "copy")]
    ins = inspect_sequence(res, replace(SMALL, source="typed", sequence=text))
    x = ins.trained.x
    assert x[0, 0] == pytest.approx(first) and x[0, 1] == 1 and x[1:, 1].sum() == 0
    assert np.abs(x[:, 0]).max() <= COPY_LIMIT
    assert np.all(ins.target == x[0, 0])
    if note is None:
        assert ins.notes == ()
    else:
        assert any(note in n for n in ins.notes)


def test_random_draws_differ_and_repeat(small_runs):
    res = small_runs[("gru", "brackets")]
    one, again, two = (inspect_sequence(res, replace(SMALL, source="random", draw=d)) for d in (1, 1, 2))
    assert one.tokens == again.tokens and one.tokens != two.tokens
    assert len(one.tokens) == SMALL.length
    np.testing.assert_array_equal(one.target, brackets.running_depth(one.trained.x.argmax(-1)))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_step_equations_carry_the_models_numbers(small_runs, cell):
    res = small_runs[(cell, "copy")]
    ins = inspect_sequence(res, SMALL)
    t = 3
    lines = step_equations(res, ins, t, (0,))
    assert lines[-1].endswith(column(ins.trained.h[t]))
    keep = "f" if cell == "lstm" else "z"
    line = next(line for line in lines if line.startswith(keep + "_{4}"))
    assert column(ins.trained.gates[keep][t]) in line


def test_report_has_the_issues_keys():
    res = trained(EXPERIMENT)
    data = EXPERIMENT.full_report(SMALL, res)
    steps = len(data["tokens"])
    assert set(data["gates"]) == {"i", "f", "g", "o"}
    for values in [*data["gates"].values(), data["cell"]]:
        assert np.array(values).shape == (steps, SMALL.hidden)
    metrics = data["metrics"]
    assert set(metrics["saturation"]) == {"i", "f", "g", "o"}
    recomputed = saturation(np.array(data["gates"]["f"]))
    assert metrics["saturation"]["f"] == pytest.approx(recomputed, abs=1e-6)
    assert metrics["params"]["gru"] * 4 == metrics["params"]["lstm"] * 3
    assert metrics["final_loss"] > 0
    assert "sequence_notes" not in data  # the worked example needs no note


def test_report_keeps_the_notes_on_a_typed_sequence():
    res = trained(EXPERIMENT)
    data = EXPERIMENT.full_report(replace(SMALL, source="typed", sequence="1e9 0 1"), res)
    assert any("clipped" in n for n in data["sequence_notes"])
    assert data["notes"] == []  # the result's own notes: none for a network trained here


def test_sentiment_task_reads_only_the_sentiment_views_model():
    """The network and training settings do not apply to the sentiment task: they never key its result."""
    cfg = GatesConfig(task="sentiment", hidden=3, length=30, gate_bias=4.0, train_steps=50, lr=0.1)
    assert EXPERIMENT.prepare(cfg) == GatesConfig(task="sentiment")
    assert EXPERIMENT.prepare(replace(SMALL, task="brackets")) == replace(SMALL, task="brackets")
    assert EXPERIMENT.upstream(cfg).experiment == "sentiment"
    assert EXPERIMENT.upstream(SMALL) is None
    assert EXPERIMENT.live(cfg) is None


def test_typed_text_and_draw_number_apply_only_to_their_source():
    typed = GatesConfig(source="typed", sequence="1 2", draw=7)
    assert EXPERIMENT.prepare(typed) == GatesConfig(source="typed", sequence="1 2")
    random = GatesConfig(source="random", sequence="1 2", draw=7)
    assert EXPERIMENT.prepare(random) == GatesConfig(source="random", draw=7)


@pytest.fixture(scope="module")
def sentiment_pair():
    cfg = GatesConfig(task="sentiment", cell="lstm")
    senti = tiny_sentiment("lstm")
    return cfg, senti, run(cfg, upstream=senti)


def test_sentiment_task_reads_the_sentiment_views_model(sentiment_pair):
    cfg, senti, res = sentiment_pair
    assert res.trained.rnn is senti.classifier.model.rnn  # the very same trained module, not a copy
    assert res.hidden == 8 and res.input_size == 8 and res.corpus is not None
    ins = inspect_sequence(res, replace(cfg, source="random", draw=3))
    assert ins.tokens == senti.classifier.tokenize(senti.test_texts[2]).tokens
    assert np.all(ins.target == senti.test_labels[2])
    for network, reading in ((res.trained, ins.trained), (res.untrained, ins.untrained)):
        expected = _fused_gates(network.rnn, torch.from_numpy(reading.x).unsqueeze(0))
        for g, values in reading.gates.items():
            np.testing.assert_allclose(values, expected[g][0].numpy(), atol=1e-5)
        assert reading.prediction.min() >= 0 and reading.prediction.max() <= 1  # P(positive)
    assert "labelled" in answer_summary("sentiment", ins)
    assert res.history is senti.history and "sentiment view's LSTM classifier" in res.notes[0]


def test_sentiment_saturation_counts_real_words_only(sentiment_pair):
    _, senti, res = sentiment_pair
    per_sentence = {g: [] for g in GATES["lstm"]}
    for text in senti.test_texts[:HELD_OUT]:
        ids = senti.classifier.tokenize(text, MAX_TOKENS).ids
        if ids:
            gates = trace(res.trained.rnn, senti.classifier.embed(ids)).top.gates
            for g, v in gates.items():
                per_sentence[g].append(v[0].detach().numpy())
    expected = gate_saturation({g: np.concatenate(v) for g, v in per_sentence.items()})
    for g, shares in res.trained.saturation.items():
        assert shares == pytest.approx(expected[g], abs=1e-9)


@pytest.mark.parametrize(("text", "note"), [("", "example"), ("🙂", "example"), ("word " * 500, "first")])
def test_typed_sentences_are_validated(sentiment_pair, text, note):
    cfg, _, res = sentiment_pair
    ins = inspect_sequence(res, replace(cfg, source="typed", sequence=text))
    assert 2 <= len(ins.tokens) <= MAX_TOKENS
    assert np.all(np.isnan(ins.target))
    assert any(note in n for n in ins.notes)
