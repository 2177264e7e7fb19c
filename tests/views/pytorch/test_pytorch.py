"""The PyTorch view: shapes against torch over the whole grid, the readers, carried state, the corrections,
the report's shapes and timeline, and what its export holds (the contract test runs its reproduce.py)."""

import dataclasses
import itertools

import numpy as np
import pytest
import torch

from rnnviz.core import config as cfgmod
from rnnviz.core.budget import BUDGET_ENV
from rnnviz.core.cells import CELLS
from rnnviz.core.classifier import pad
from rnnviz.core.timeline import snapshot_steps
from rnnviz.views.pytorch import EXPERIMENT
from rnnviz.views.pytorch.carried import CHUNK, STREAMS, TRUNCATIONS, play, truncation
from rnnviz.views.pytorch.corrections import (
    CLIP_NORM,
    carried_graph,
    clipping,
    derivative_peaks,
    gru_conventions,
    scaler_leak,
)
from rnnviz.views.pytorch.figures import accuracy_film, live_accuracy, shapes_figure, slices_figure
from rnnviz.views.pytorch.lessons import click_to_train, corrections
from rnnviz.views.pytorch.padding import BATCH, Sentences, where_summaries
from rnnviz.views.pytorch.readers import READERS, Reader
from rnnviz.views.pytorch.settings import BUDGET_SHARES, PytorchConfig
from rnnviz.views.pytorch.shapes import Setup, explore, layouts, setup_of, shape
from tests.trained import trained


def _range(name: str) -> list[int]:
    spec = cfgmod.spec_of(PytorchConfig, name)
    return [int(spec.min), int(spec.max)]


def _grid():
    """Every cell, layer count and flag, with each size at its minimum and its maximum."""
    sizes = itertools.product(*(_range(n) for n in ("batch", "length", "input_size", "hidden")))
    layers = range(1, int(cfgmod.spec_of(PytorchConfig, "layers").max) + 1)
    for cell, size, n_layers, bidirectional, batch_first in itertools.product(
        CELLS, list(sizes), layers, (False, True), (False, True)
    ):
        yield Setup(cell, *size, n_layers, bidirectional, batch_first)


def test_predicted_shapes_match_torch_over_the_whole_grid():
    checked = 0
    for s in _grid():
        explored = explore(s)
        assert {name: shape(layout) for name, layout in layouts(s).items()} == explored.measured, s
        for check in explored.checks:
            assert check.max_difference == 0.0, (s, check.direction)
            if s.length > 1 and s.cell != "rnn_relu":  # a ReLU unit may be 0 at every step
                assert check.wrong_difference > 0, (s, check.direction)
        checked += 1
    assert checked == len(CELLS) * 16 * 3 * 2 * 2


def test_the_cli_example_gives_the_documented_shapes():
    s = Setup("lstm", 3, 7, 5, 4, 2, True, True)
    measured = explore(s).measured
    assert measured["input"] == (3, 7, 5) and measured["output"] == (3, 7, 8)
    assert measured["h_n"] == measured["c_n"] == measured["h0"] == (4, 3, 4)
    time_first = explore(dataclasses.replace(s, batch_first=False, cell="gru")).measured
    assert time_first["input"] == (7, 3, 5) and time_first["output"] == (7, 3, 8)
    assert time_first["h_n"] == (4, 3, 4) and "c_n" not in time_first


def test_a_batch_first_h0_is_refused_unless_the_sizes_coincide():
    refused = explore(Setup("gru", 3, 4, 2, 2, 1, True, True)).wrong
    assert refused[0].error and "Expected hidden size (2, 3, 2)" in refused[0].error
    silent = explore(Setup("gru", 2, 4, 2, 2, 1, True, True)).wrong[0]
    assert silent.shape == (2, 2, 2) and silent.error is None and "accepted" in silent.meaning
    lstm = explore(Setup("lstm", 3, 4, 2, 2, 2, True, True)).wrong
    assert [w.mistake for w in lstm][-1] == "an LSTM given h0 alone" and all(w.error for w in lstm)


def test_figures_of_the_shapes_name_every_tensor():
    s = Setup("lstm", 3, 7, 5, 4, 2, True, False)
    text = " ".join(a.text for a in shapes_figure(s).layout.annotations)
    for name in ("input", "h0", "c0", "output", "h_n", "c_n"):
        assert f"<b>{name}</b>" in text
    assert "Time first" in shapes_figure(s).layout.title.text
    boxes = slices_figure(explore(s)).layout.shapes
    assert [(b.x0, b.y0) for b in boxes] == [(5.5, -0.5), (-0.5, 3.5)]


def _sentences(lengths):
    rng = np.random.default_rng(0)
    return [list(rng.integers(2, 20, size=n)) for n in lengths]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_own_last_step_equals_packing_one_way_and_output_last_does_not(cell):
    torch.manual_seed(0)
    packed = Reader("packed", 20, cell, 6, 5, bidirectional=False).eval()
    others = {}
    for name in ("own_last", "last_padded"):
        others[name] = Reader(name, 20, cell, 6, 5, bidirectional=False).eval()
        others[name].load_state_dict(packed.state_dict())
    ids, lengths = pad(_sentences([3, 9, 5, 9]))
    with torch.no_grad():
        truth = packed.summary(ids, lengths)
        torch.testing.assert_close(others["own_last"].summary(ids, lengths), truth)
        wrong = (others["last_padded"].summary(ids, lengths) - truth).abs().sum(-1)
    assert wrong[lengths < lengths.max()].min() > 1e-3 and wrong[lengths == lengths.max()].max() < 1e-5


def test_bidirectional_summaries_are_where_the_view_says():
    torch.manual_seed(0)
    data = Sentences(
        vocab=None,
        ids=_sentences([4, 11, 7, 2, 11]),
        labels=np.zeros(5, dtype=np.int64),
        train=np.arange(5),
        val=np.arange(5),
        test=np.arange(5),
        corpus_size=5,
    )
    reader = Reader("packed", 20, "gru", 6, 5, bidirectional=True)
    where = {(w.direction, w.expression, w.run): w.difference for w in where_summaries(reader, data)}
    assert where[("forward", "output[i, length_i - 1, :H]", "padded")] < 1e-6
    assert where[("backward", "output[:, 0, H:]", "packed")] < 1e-6
    for key in [
        ("forward", "output[:, -1, :H]", "padded"),
        ("backward", "output[:, -1, H:]", "padded"),
        ("backward", "output[i, length_i - 1, H:]", "padded"),
        ("backward", "output[:, 0, H:]", "padded"),
    ]:
        assert where[key] > 1e-3, key


def test_corrections_are_computed_not_quoted():
    peaks = derivative_peaks()
    assert peaks.tanh_peak == pytest.approx(1.0) and peaks.sigmoid_peak == pytest.approx(0.25)
    assert abs(peaks.tanh_peak_at) < 1e-9
    vanishing, exploding = clipping()
    assert vanishing.total_before < CLIP_NORM and vanishing.total_after == vanishing.total_before
    assert vanishing.reach < 1e-6
    assert exploding.total_before > 1e6 and exploding.total_after == pytest.approx(CLIP_NORM)
    assert exploding.reach > 1
    graph = carried_graph()
    assert graph.reaches_first_chunk > 0 and not graph.detached_grad
    gru = gru_conventions()
    assert gru.pytorch_convention < 1e-6 < 1e-2 < gru.swapped_convention
    leak = scaler_leak()
    assert leak.all_mean > leak.train_mean and leak.leaky_error < leak.honest_error


def test_truncated_backpropagation_fails_or_grows_without_detach():
    text = play()
    runs = {mode: truncation(text, mode, seed=0, chunks=4) for mode in TRUNCATIONS}
    assert runs["detach"].error is None and len(runs["detach"].milliseconds) == 4
    assert runs["detach"].reach == CHUNK
    assert runs["no_detach"].failed_at == 2 and "second time" in runs["no_detach"].error
    assert runs["retain_graph"].failed_at == 2 and "inplace" in runs["retain_graph"].error
    assert runs["growing"].error is None and runs["growing"].reach == 4 * CHUNK


def test_default_training_records_enough_snapshots():
    cfg = PytorchConfig()
    steps = cfg.epochs * -(-cfg.sentences // BATCH)
    assert len(snapshot_steps(steps)) >= 10


@pytest.fixture(scope="module")
def tiny():
    """The smoke run: the minimum of every training setting."""
    return EXPERIMENT.smoke_config(), trained(EXPERIMENT)


def test_readers_share_a_timeline_and_the_film_replays_it(tiny):
    cfg, res = tiny
    tl = res.history.timeline
    assert tl.steps[0] == 0 and tl.steps[-1] == res.history.steps == -(-cfg.sentences // BATCH)
    assert all(set(f["val_accuracy"]) == set(READERS) for f in tl.frames)
    assert {len(v) for v in res.losses.values()} == {res.history.steps}
    mean = np.mean([res.losses[name] for name in READERS], axis=0)
    np.testing.assert_allclose(mean, res.history.loss, rtol=1e-5)
    film = accuracy_film(res.history)
    assert len(film.frames) == len(tl)
    assert list(film.frames[0].data[0].x) == [0] and list(film.frames[-1].data[0].x) == tl.steps
    assert list(live_accuracy(res.history).data[2].y) == [
        100 * f["val_accuracy"]["packed"] for f in tl.frames
    ]


def test_stateful_and_stateless_character_models_are_scored_on_the_held_out_end(tiny):
    _, res = tiny
    assert [r.stateful for r in res.chars] == [True, False]
    for r in res.chars:
        assert r.history.steps == EXPERIMENT.smoke["char_steps"]
        assert r.by_position.shape == (CHUNK,)
        assert r.held_out_loss == pytest.approx(r.by_position.mean())
    # From a zero state the first character of a chunk is guessed with no context at all.
    assert res.stateless.by_position[0] > res.stateless.by_position[1:].mean()


def test_report_has_the_shapes_the_readers_and_their_timeline(tiny):
    """The issue's command-line example (the default module), with the smoke training."""
    cfg, res = tiny
    out = EXPERIMENT.full_report(cfg, res)
    assert out["shapes"]["input"] == [3, 7, 5] and out["shapes"]["output"] == [3, 7, 8]
    assert out["shapes"]["h_n"] == out["shapes"]["c_n"] == [4, 3, 4]
    accuracy = out["metrics"]["padding_accuracy"]
    assert set(accuracy) == set(READERS) and all(0 <= v <= 1 for v in accuracy.values())
    assert set(out["metrics"]["epoch_seconds"]) == set(READERS)
    steps = [entry["step"] for entry in out["timeline"]]
    assert steps[-1] == -(-cfg.sentences // BATCH)
    assert set(out["timeline"][-1]["val_accuracy"]) == set(READERS)


def test_gru_shapes_have_no_cell_state():
    cfg = PytorchConfig(cell="gru", layers=1, bidirectional=False, batch_first=False, **EXPERIMENT.smoke)
    shapes = explore(setup_of(cfg)).measured
    assert "c_n" not in shapes and shapes["h_n"] == (1, cfg.batch, cfg.hidden)


def test_export_holds_the_packed_reader_its_test_sentences_and_a_plain_torch_script(tiny):
    cfg, res = tiny
    names = set(EXPERIMENT.bundle(cfg, res, "http://localhost/pytorch"))
    assert {
        "index.html",
        "model.safetensors",
        "reproduce.py",
        "settings.json",
        "test_sentences.json",
    } <= names
    assert {"data/readers.csv", "data/readers_timeline.csv", "data/truncation.csv"} <= names
    script = EXPERIMENT.export(cfg, res).reproduce
    assert "rnnviz" not in script and "load_file" in script
    assert f'"metric": "{EXPERIMENT.metric.name}"' in script


def test_exploring_shapes_leaves_the_global_generator_to_the_trainings():
    s = Setup("lstm", 3, 5, 2, 4, 2, True, False)
    before = torch.random.get_rng_state()
    explore.cache_clear()
    first = explore(s)
    assert torch.equal(torch.random.get_rng_state(), before)
    explore.cache_clear()
    torch.manual_seed(123)  # whatever a training beside it drew does not change what the explorer shows
    assert np.array_equal(explore(s).output, first.output)
    assert float(np.abs(first.output).max()) > 0


def _with_correct(res, **right):
    """The same run with the readers' per-sentence scores replaced: a claim's other outcomes, cheaply."""
    n = len(res.data.test)
    fill = {name: np.resize(np.asarray(v, dtype=bool), n) for name, v in right.items()}
    return dataclasses.replace(res, test_correct={**res.test_correct, **fill})


def test_reader_comparisons_are_paired_on_the_test_sentences(tiny):
    cfg, res = tiny
    assert {name: len(v) for name, v in res.test_correct.items()} == dict.fromkeys(
        READERS, len(res.data.test)
    )
    found = EXPERIMENT.findings_by_id(cfg, res)
    for name in ("packed_vs_last_padded", "packed_vs_own_last", "own_last_vs_last_padded"):
        first, second = name.split("_vs_")
        c = found[name]
        assert c.evidence["difference"] == pytest.approx(res.test_accuracy[first] - res.test_accuracy[second])
        assert c.evidence["low"] <= c.evidence["difference"] <= c.evidence["high"]
    assert EXPERIMENT.claims(cfg, res)[0].id == "packed_vs_last_padded"  # the headline


def test_packing_wins_only_when_the_interval_says_so(tiny):
    cfg, res = tiny
    mostly = [True] * 9 + [False]
    better = EXPERIMENT.findings_by_id(cfg, _with_correct(res, packed=[True], last_padded=mostly))[
        "packed_vs_last_padded"
    ]
    assert better.holds and better.text.startswith("pack_padded_sequence beats output[:, -1]")
    worse = EXPERIMENT.findings_by_id(cfg, _with_correct(res, packed=mostly, last_padded=[True]))[
        "packed_vs_last_padded"
    ]
    assert not worse.holds and worse.text.startswith("output[:, -1] beats pack_padded_sequence")


def _gap_cause(cfg, res, **right):
    return EXPERIMENT.findings_by_id(cfg, _with_correct(res, **right))["padding_costs_accuracy"]


def test_the_gap_is_called_small_only_when_it_is_a_tie(tiny):
    """Issue 23 item 12: 'The gap is small' was printed also when output[:, -1] beat packing."""
    cfg, res = tiny
    learned = res.chance_correct | (np.arange(len(res.data.test)) % 3 == 0)  # well above the constant guess
    every = np.arange(len(res.data.test))
    reversed_ = _gap_cause(cfg, res, packed=every % 10 != 0, last_padded=[True])
    assert reversed_.evidence["packed_over_chance_low"] > 0 > reversed_.evidence["gap_high"]
    assert not reversed_.holds and "scores higher than packing" in reversed_.text
    assert "within this run's noise" not in reversed_.text
    costly = _gap_cause(cfg, res, packed=learned, last_padded=res.chance_correct)
    assert costly.holds and "partly forgotten" in costly.text
    tie = _gap_cause(cfg, res, packed=learned, last_padded=learned)
    assert not tie.holds and "within this run's noise" in tie.text and "stays open, near 1" in tie.text
    untrained = _gap_cause(cfg, res, packed=res.chance_correct, last_padded=~res.chance_correct)
    assert not untrained.holds and "does not beat always answering the commoner label" in untrained.text
    for c in (reversed_, costly, tie, untrained):
        assert c.agrees_with_evidence()


def test_carried_state_verdict_follows_the_streams(tiny):
    cfg, res = tiny
    helps = EXPERIMENT.findings_by_id(cfg, res)["carried_state_helps"]
    swapped = dataclasses.replace(res, chars=(res.stateless, res.stateful))
    hurts = EXPERIMENT.findings_by_id(cfg, swapped)["carried_state_helps"]
    assert helps.holds != hurts.holds or helps.evidence["low"] <= 0 <= helps.evidence["high"]
    assert helps.evidence["difference"] == pytest.approx(-hurts.evidence["difference"])
    for r in res.chars:
        assert r.by_stream.shape == (STREAMS,) and r.by_stream.mean() == pytest.approx(
            r.held_out_loss, rel=1e-5
        )


def test_own_last_step_is_the_summary_one_way_only(tiny):
    cfg, res = tiny
    assert EXPERIMENT.findings_by_id(cfg, res)["own_last_step_is_h_n"].holds
    both = dataclasses.replace(cfg, reader_bidirectional=True)
    c = EXPERIMENT.findings_by_id(both, trained(EXPERIMENT, both))["own_last_step_is_h_n"]
    assert not c.holds and "the backward direction starts in the padding" in c.text


def test_click_to_train_names_the_budget_not_a_typed_time(monkeypatch):
    """Issue 23 item 13: 'about 20 s' was typed; the sentence now follows the server's budget."""
    monkeypatch.setenv(BUDGET_ENV, "40")
    text = click_to_train(PytorchConfig())
    assert "about 20 s" not in text and f"{40 * sum(BUDGET_SHARES.values()):g} s" in text and "40 s" in text


def test_corrections_are_claims_that_hold_and_would_fail_on_other_numbers():
    found = {c.id: c for c in corrections()}
    assert all(c.holds and c.agrees_with_evidence() for c in found.values())
    broken = {
        "tanh_slope_peaks_at_one": {"tanh_peak": 0.25},
        "clipping_only_tames_exploding": {"vanishing_after": 0.0},
        "state_is_not_detached_for_you": {"detached_gradient": 1.0},
        "gru_update_gate_keeps": {"pytorch_convention_error": 0.1},
        "scaler_leaks_the_future": {"leaky_error": 1e9},
    }
    assert set(broken) == set(found)
    for name, numbers in broken.items():
        assert not found[name].rule({**found[name].evidence, **numbers}), name
