import dataclasses
import json

import numpy as np
import pytest
import torch

from rnnviz.core import dates
from rnnviz.core.budget import BUDGET_ENV
from rnnviz.core.cells import trace
from rnnviz.core.fmt import jsonable
from rnnviz.core.models import TokenModel
from rnnviz.views.patterns import EXPERIMENT
from rnnviz.views.patterns.answers import answer
from rnnviz.views.patterns.date_recipe import DATE_RECIPE
from rnnviz.views.patterns.export import report
from rnnviz.views.patterns.figures import pattern_diagram, state_figures
from rnnviz.views.patterns.lessons import click_to_train
from rnnviz.views.patterns.probes import probe_accuracy
from rnnviz.views.patterns.seq2seq import GO, CharVocab, Seq2Seq, pad_batch, target_batch
from rnnviz.views.patterns.settings import TRAINING_SHARE, PatternsConfig
from rnnviz.views.patterns.table import PATTERNS
from rnnviz.views.patterns.tasks import (
    END,
    MAX_TYPED,
    STEP_TASKS,
    echo,
    number_name,
    parity,
    read_number,
    running_max,
    whole_max,
)
from rnnviz.views.patterns.train import run
from tests.trained import trained

IDS = np.array([[3, 1, 4, 1, 5, 0, 2]])


def test_labellers_follow_their_rules():
    y, used = parity(np.array([[1, 1, 0, 1], [0, 1, 1, 0]]))
    assert used[:, -1].all() and used.sum() == 2
    assert list(y[:, -1]) == [1, 0]
    assert running_max(IDS)[0].tolist() == [[3, 3, 4, 4, 5, 5, 5]]
    assert whole_max(IDS)[0].tolist() == [[5] * 7]
    y, used = echo(IDS)
    assert used[0].tolist() == [False] * 3 + [True] * 4
    assert y[0, 3:].tolist() == [3, 1, 4, 1]


@pytest.mark.parametrize("name", sorted(STEP_TASKS))
def test_samples_have_the_shapes_the_model_needs(name):
    task = STEP_TASKS[name]
    batch = task.sample(np.random.default_rng(0), 8)
    steps = batch.x.shape[1]
    assert batch.x.shape == (8, steps, task.input_size)
    assert batch.y.shape == batch.used.shape == (8, steps)
    assert task.lengths[0] <= steps <= task.lengths[1]
    assert batch.y.max() < len(task.classes) and batch.used.any(axis=1).all()


def test_digit_sequences_do_not_all_peak_at_nine():
    batch = STEP_TASKS["bidirectional"].sample(np.random.default_rng(0), 2000, 16)
    peaks = batch.y[:, 0]
    assert (peaks == 9).mean() < 0.3 and len(set(peaks.tolist())) == 10


@pytest.mark.parametrize(
    ("n", "name"),
    [(0, "zero"), (13, "thirteen"), (20, "twenty"), (42, "forty-two"), (99, "ninety-nine")],
)
def test_number_names(n, name):
    assert number_name(n) == name


def test_one_to_many_feeds_one_input_and_scores_the_word_and_its_end():
    ex = read_number("42")
    assert ex.inputs[0] == "42" and all(i is None for i in ex.inputs[1:])
    assert ex.batch.x[0, 1:].sum() == 0 and ex.batch.x[0, 0].sum() == 2
    task = STEP_TASKS["one_to_many"]
    scored = [task.classes[y] for y, u in zip(ex.batch.y[0], ex.batch.used[0], strict=True) if u]
    assert "".join(scored) == "forty-two" + END


@pytest.mark.parametrize("text", ["", "abc", "🙂🙂", "-5", "100", "1e308"])
def test_bad_numbers_fall_back_to_the_example_with_a_note(text):
    ex = read_number(text)
    assert ex.notes and ex.inputs[0] == "42"


def test_typed_symbols_are_cleaned_and_capped_with_notes():
    task = STEP_TASKS["aligned"]
    ex = task.read("3 1 4 x🙂 1")
    assert ex.inputs == ("3", "1", "4", "1")
    assert any("ignored" in n for n in ex.notes)
    assert not any("ignored" in n for n in task.read("3 1 4").notes)  # spaces are not worth a note
    empty = task.read("")
    assert empty.inputs and any("example" in n for n in empty.notes)
    huge = task.read("7" * 5000)
    assert len(huge.inputs) == MAX_TYPED and any("first" in n for n in huge.notes)
    assert any("generalise" in n for n in huge.notes)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("January 15, 2023", "2023-01-15"),
        ("jan 15 2023", "2023-01-15"),
        ("15 January 2023", "2023-01-15"),
        ("  SEP   9,  1999 ", "1999-09-09"),
        ("Dec. 31, 2049", "2049-12-31"),
    ],
)
def test_typed_dates_in_trained_spellings_know_their_answer(typed, expected):
    assert dates.read_date(typed).expected == expected


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("", "Type a date"),
        ("🙂 January 15, 2023 🙂", "never seen"),
        ("qwerty uiop", "not one of the spellings"),
        ("February 30, 2023", "does not exist"),
        ("May 3, 1066", "generalisation"),
    ],
)
def test_odd_typed_dates_get_a_note_and_still_a_readable_text(typed, note):
    typed_date = dates.read_date(typed)
    assert any(note in n for n in typed_date.notes)
    assert typed_date.text and all(ch in dates.SOURCE_CHARS for ch in typed_date.text)


def test_huge_typed_date_is_cut():
    typed = dates.read_date("january " * 500)
    assert len(typed.text) <= dates.MAX_CHARS and any("first" in n for n in typed.notes)


def test_training_dates_never_include_held_out_ones():
    rng = np.random.default_rng(1)
    held = dates.held_out_days(rng, 2000)
    assert len(set(held.tolist())) == 2000
    assert not np.isin(dates.training_days(rng, 20000, held), held).any()
    sources, targets = dates.pairs(rng, held[:50])
    assert all(dates.read_date(s).expected == t for s, t in zip(sources, targets, strict=True))


def test_vocab_and_teacher_forcing_batches():
    vocab = CharVocab.of("0123456789-")
    assert vocab.decode(vocab.encode("2023-01-15")) == "2023-01-15"
    ids, lengths = pad_batch(vocab, ["12", "3"])
    assert ids.tolist() == [vocab.encode("12"), vocab.encode("3") + [0]] and lengths.tolist() == [2, 1]
    inputs, target = target_batch(vocab, ["12", "34"])
    assert inputs[:, 0].tolist() == [vocab.index[GO]] * 2
    assert torch.equal(inputs[:, 1:], target[:, :-1])


def test_encoder_padding_is_never_read():
    torch.manual_seed(0)
    source, target = CharVocab.of("abc"), CharVocab.of("xy")
    model = Seq2Seq("gru", source, target, embed=4, hidden=5)
    alone = model.encode(*pad_batch(source, ["ab"]))
    padded = model.encode(*pad_batch(source, ["ab", "abcabc"]))
    assert torch.allclose(alone[0, 0], padded[0, 0], atol=1e-6)
    decoded = model.greedy(*pad_batch(source, ["ab", "c"]), max_steps=4)
    assert decoded.tokens.shape[0] == 2 and decoded.states.shape[-1] == 5


def test_bidirectional_token_model_is_traced_exactly():
    torch.manual_seed(0)
    model = TokenModel("lstm", 3, 4, 2, num_layers=2, bidirectional=True)
    x = torch.randn(2, 5, 3)
    h0, c0 = model.initial_state(2)
    tr = trace(model.rnn, x, h0, c0)
    assert torch.allclose(model.head(tr.output), model(x), atol=1e-5)
    assert len(tr.layers[0]) == 2


def test_probe_finds_linear_information_and_not_noise():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 800)
    readable = np.eye(4)[labels] + 0.05 * rng.normal(size=(800, 4))
    noise = rng.normal(size=(800, 4))
    split = lambda x: ((x[:400], labels[:400]), (x[400:], labels[400:]))
    assert probe_accuracy(*split(readable), classes=4) == 1.0
    assert probe_accuracy(*split(noise), classes=4) < 0.4


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_every_pattern_answers_and_draws_its_diagram(pattern):
    cfg = PatternsConfig(pattern=pattern, training="none")
    res = trained(EXPERIMENT, cfg)
    reply = answer(res, cfg)
    columns = len(reply.inputs)
    assert len(reply.outputs) == len(reply.used) == len(reply.targets) == columns
    steps = reply.layers[0][0].shape[0]
    assert steps == (reply.split if pattern == "seq2seq" else columns)
    fig = pattern_diagram(reply, cell=cfg.cell, bidirectional=pattern == "bidirectional")
    assert fig.layout.title.text
    assert all(f.data for f in state_figures(reply, pattern))
    assert res.history.steps == 0 and 0 <= res.baseline <= 1


def test_which_inputs_are_read_and_outputs_scored_is_the_pattern():
    def reply(pattern):
        cfg = PatternsConfig(pattern=pattern, training="none")
        return answer(trained(EXPERIMENT, cfg), cfg)

    many_to_one = reply("many_to_one")
    assert all(many_to_one.inputs) and many_to_one.used == (False,) * 6 + (True,)
    one_to_many = reply("one_to_many")
    assert sum(i is not None for i in one_to_many.inputs) == 1 and sum(one_to_many.used) > 1
    seq2seq = reply("seq2seq")
    encoder = slice(None, seq2seq.split)
    assert not any(seq2seq.used[encoder]) and all(o is None for o in seq2seq.outputs[encoder])
    assert seq2seq.inputs[seq2seq.split] == "▶" and all(seq2seq.used[seq2seq.split :])
    assert seq2seq.decoder.shape[0] == len(seq2seq.inputs) - seq2seq.split
    bidirectional = reply("bidirectional")
    assert len(bidirectional.layers[0]) == 2 and bidirectional.forward_only is not None
    assert len(reply("stacked").layers) == 3


@pytest.mark.slow
def test_small_patterns_learn_their_tasks():
    for pattern in ("many_to_one", "aligned", "one_to_many"):
        cfg = PatternsConfig(pattern=pattern)
        res = trained(EXPERIMENT, cfg)
        assert res.accuracy > 0.95 > res.baseline + 0.3, pattern
        assert answer(res, cfg).correct


@pytest.mark.slow
def test_bidirectional_beats_forward_only_where_the_future_matters():
    res = trained(EXPERIMENT, PatternsConfig(pattern="bidirectional"))
    assert res.accuracy > res.forward_only_accuracy + 0.1
    fwd = res.by_position[1]
    assert fwd[-1] > fwd[0] + 0.3  # forward-only improves as more of the sequence has been read
    assert res.by_position[0].min() > fwd[0]


def test_two_trainings_report_through_one_progress_bar():
    seen = []
    run(PatternsConfig(pattern="bidirectional", training="quarter"), on_progress=seen.append)
    steps = [p.run_step for p in seen]
    assert steps == sorted(steps) and {p.run_steps for p in seen} == {steps[-1]}
    assert steps[-1] == 2 * STEP_TASKS["bidirectional"].steps // 4
    assert [p.stage for p in (seen[0], seen[-1])] == ["the bidirectional network", "the forward-only network"]


@pytest.mark.slow
def test_stacked_probe_shows_what_each_layer_holds():
    res = trained(EXPERIMENT, PatternsConfig(pattern="stacked"))
    assert res.probe.shape == (3, 6) and ((res.probe >= 0) & (res.probe <= 1)).all()
    assert res.probe[0, 0] > 0.9  # the first layer knows the digit it has just read


def test_same_config_same_numbers():
    cfg = PatternsConfig(pattern="aligned", training="quarter", seed=5)
    a, b = report(cfg, run(cfg)), report(cfg, run(cfg))
    for r in (a, b):
        r["metrics"].pop("train_seconds")
    assert json.dumps(jsonable(a)) == json.dumps(jsonable(b))


@pytest.mark.slow
def test_date_converter_meets_its_target_and_answers_typed_dates():
    cfg = PatternsConfig(pattern="seq2seq", date="15 Mar 1987")
    res = trained(EXPERIMENT, cfg)
    assert res.accuracy >= 0.95
    reply = answer(res, cfg)
    assert reply.expected == "1987-03-15" and reply.correct
    assert len(res.held_out) == 6


def test_report_gives_accuracy_training_time_and_the_typed_answer():
    cfg = EXPERIMENT.smoke_config()
    out = EXPERIMENT.full_report(cfg, trained(EXPERIMENT))
    assert {"accuracy", "train_seconds"} <= set(out["metrics"])
    assert out["example"]["input"] == cfg.digits and "notes" not in out["example"]
    odd = EXPERIMENT.full_report(
        PatternsConfig(pattern="aligned", training="quarter", digits="3 1 x"), trained(EXPERIMENT)
    )
    assert any("ignored" in n for n in odd["example"]["notes"])


def test_each_input_field_applies_to_the_patterns_that_read_it():
    typed = PatternsConfig(bits="1", number=7, digits="12", date="May 1, 2000")
    assert EXPERIMENT.prepare(typed) == PatternsConfig(bits="1")
    dated = PatternsConfig(pattern="seq2seq", bits="1", digits="12", date="May 1, 2000")
    assert EXPERIMENT.prepare(dated) == PatternsConfig(pattern="seq2seq", date="May 1, 2000")
    for pattern in ("aligned", "bidirectional", "stacked"):
        assert EXPERIMENT.prepare(PatternsConfig(pattern=pattern, digits="12", number=7)).digits == "12"


def _claims(cfg, res):
    found = EXPERIMENT.findings_by_id(cfg, res)
    assert all(c.agrees_with_evidence() for c in found.values())
    return found


def test_per_item_scores_give_back_the_accuracy_and_the_constant_guess():
    cfg = EXPERIMENT.smoke_config()
    res = trained(EXPERIMENT)
    items = res.items
    assert items.per_output(items.right).mean() == pytest.approx(res.accuracy, rel=1e-5)
    assert items.per_output(items.constant_right).mean() == pytest.approx(res.baseline, rel=1e-5)
    c = _claims(cfg, res)["beats_constant_guess"]
    assert c.evidence["difference"] == pytest.approx(res.accuracy - res.baseline, abs=1e-5)
    spell = PatternsConfig(pattern="one_to_many", training="none")
    repertoire = trained(EXPERIMENT, spell).items
    assert len(repertoire.right) == 100  # each number once: repeats would narrow the interval falsely


def test_the_network_beats_the_constant_guess_only_when_trained():
    cfg = EXPERIMENT.smoke_config()
    learned = _claims(cfg, trained(EXPERIMENT))["beats_constant_guess"]
    assert learned.holds and learned.text.startswith("The network beats always giving the commonest answer")
    blank = dataclasses.replace(cfg, training="none")
    untrained = _claims(blank, trained(EXPERIMENT, blank))["beats_constant_guess"]
    assert not untrained.holds and not untrained.text.startswith("The network beats")
    assert untrained.text[0].isupper()


@pytest.mark.slow
def test_bidirectional_claims_follow_their_numbers():
    cfg = PatternsConfig(pattern="bidirectional")
    res = trained(EXPERIMENT, cfg)
    found = _claims(cfg, res)
    assert EXPERIMENT.claims(cfg, res)[0].id == "beats_constant_guess"
    for name in (
        "bidirectional_beats_forward_only",
        "forward_only_improves_along_the_sequence",
        "bidirectional_right_from_the_start",
    ):
        assert found[name].holds, found[name].text
    items = res.items
    swapped_items = dataclasses.replace(items, right=items.forward_only_right, forward_only_right=items.right)
    swapped = dataclasses.replace(res, items=swapped_items, position_right=res.position_right[::-1, :, ::-1])
    other = _claims(cfg, swapped)
    assert not other["bidirectional_beats_forward_only"].holds
    assert other["bidirectional_beats_forward_only"].text.startswith("The forward-only network beats")
    assert not other["forward_only_improves_along_the_sequence"].holds
    assert not other["bidirectional_right_from_the_start"].holds


@pytest.mark.slow
def test_the_division_of_work_between_layers_is_decided_by_the_probes():
    """Issue 23 item 12: 'Lower layers keep recent digits...' was printed whatever the probes showed."""
    cfg = PatternsConfig(pattern="stacked")
    res = trained(EXPERIMENT, cfg)
    share = _claims(cfg, res)["layers_share_the_work"]
    assert share.holds and share.text.startswith("Lower layers keep recent digits")
    upside_down = dataclasses.replace(res, probe_right=tuple(r[::-1] for r in res.probe_right))
    other = _claims(cfg, upside_down)["layers_share_the_work"]
    assert not other.holds and "Lower layers keep recent digits" not in other.text
    assert f"read best from layer {len(res.probe_right[0])}" in other.text


def test_date_click_to_train_names_the_steps_and_budget_not_a_typed_time(monkeypatch):
    """Issue 23 item 13: 'about 5 s' was typed; the sentence now follows the recipe and the budget."""
    monkeypatch.setenv(BUDGET_ENV, "40")
    text = click_to_train(PatternsConfig(pattern="seq2seq", training="quarter"))
    assert "about 5 s" not in text and "40 s" in text
    assert f"{round(DATE_RECIPE.steps * TRAINING_SHARE['quarter'])} Adam steps" in text
    assert click_to_train(PatternsConfig(pattern="aligned")) is None
