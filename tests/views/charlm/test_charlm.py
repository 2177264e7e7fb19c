import dataclasses
import math

import numpy as np
import pytest
import torch

from rnnviz.views.charlm import corpora as char_corpora
from rnnviz.views.charlm.experiment import CharLMConfig, effective, report, run, write
from rnnviz.views.charlm.features import correlations, feature_values, strongest, unit_to_show
from rnnviz.views.charlm.figures import coloured_text, feature_units, next_char_bars
from rnnviz.views.charlm.model import CharModel, generate, read, softmax, stream_chunks

SMALL = dict(hidden=32, train_steps=60, seq_len=32)


@pytest.fixture(scope="module")
def zen():
    cfg = CharLMConfig(**SMALL)
    return cfg, run(cfg)


def test_zen_is_decoded_from_the_standard_library():
    text = char_corpora.load("zen").text
    assert text.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in text and "Errors should never pass silently." in text


def test_licence_is_read_when_installed_and_falls_back_otherwise():
    corpus = char_corpora.load("licence")
    if char_corpora.python_licence() is None:
        assert corpus.name == char_corpora.DEFAULT_CORPUS and corpus.notes
    else:
        assert "PYTHON SOFTWARE FOUNDATION" in corpus.text and not corpus.notes


@pytest.mark.parametrize("text", ["", "abc", "     \n  ", "🙂" * 50])
def test_unusable_pasted_text_falls_back_with_a_note(text):
    corpus = char_corpora.load("custom", text)
    assert corpus.name == char_corpora.DEFAULT_CORPUS
    assert "at least" in corpus.notes[-1]


def test_long_pasted_text_is_cut():
    corpus = char_corpora.load("custom", "to be or not " * 10_000)
    assert corpus.name == "custom" and len(corpus.text) == char_corpora.MAX_CHARS
    assert any("first" in n for n in corpus.notes)


def test_control_characters_go_and_newlines_are_unified():
    corpus = char_corpora.load("custom", "one\r\ntwo\x00\u202ethree\rfour\tfive")
    assert corpus.text == "one\ntwothree\nfour\tfive"
    assert any("removed" in n for n in corpus.notes)


def test_a_huge_alphabet_keeps_the_commonest_characters():
    rare = "".join(chr(0x4E00 + i) for i in range(200))
    corpus = char_corpora.load("custom", "the cat sat on the mat " * 20 + rare)
    assert len(set(corpus.text)) <= char_corpora.MAX_VOCAB
    assert char_corpora.RARE in corpus.text and "the cat sat" in corpus.text
    assert any("rarest" in n for n in corpus.notes)


def test_right_to_left_text_is_kept_as_written():
    hebrew = "שלום עולם, מה שלומך היום? "
    assert char_corpora.load("custom", hebrew * 3).text == hebrew * 3


def test_chunks_continue_each_other_and_targets_are_the_next_character():
    ids = np.arange(1000) % 97
    chunks = stream_chunks(ids, 16, np.random.default_rng(0))
    first = [next(chunks) for _ in range(6)]
    assert first[0].fresh and not first[1].fresh
    assert torch.equal(first[0].y[:, :-1], first[0].x[:, 1:])
    for a, b in zip(first, first[1:], strict=False):
        if not b.fresh:
            assert torch.equal(b.x[:, 0], a.y[:, -1])  # the stream goes on where it stopped
    streams = first[0].x.shape[0]
    assert streams > 1 and first[0].x.shape[1] == 16


def test_the_hello_model_learns_hello():
    cfg = CharLMConfig(corpus="hello", hidden=16, train_steps=150, lr=0.03)
    res = run(cfg)
    gen = write(res, dataclasses.replace(cfg, prompt="h", greedy=True), length=4)
    assert gen.text == "hello"
    assert res.perplexity_on == "training text" and res.perplexity < 1.2


def test_training_lowers_the_loss_and_samples_improve(zen):
    _, res = zen
    assert res.history.final_loss() < 0.7 * res.history.loss[0]
    assert [c.step for c in res.checkpoints] == [0, 12, 24, 36, 48, 60]
    assert res.perplexity_on == "held-out text" and res.history.val_steps[-1] == 60
    assert math.isclose(res.perplexity, math.exp(res.history.val_loss[-1]), rel_tol=1e-5)
    assert res.train_perplexity < res.perplexity  # it has seen the training text


def test_carrying_the_state_changes_training_and_detaching_keeps_it_trainable():
    carried = run(CharLMConfig(hidden=16, train_steps=20, seq_len=8, corpus="recurrence"))
    reset = run(CharLMConfig(hidden=16, train_steps=20, seq_len=8, corpus="recurrence", carry=False))
    assert carried.history.steps == reset.history.steps == 20
    assert carried.history.loss[0] == reset.history.loss[0]  # both start from zeros
    assert carried.history.loss[5:] != reset.history.loss[5:]


def test_same_config_same_model_and_text(zen):
    cfg, res = zen
    again = run(cfg)
    assert [c.sample for c in again.checkpoints] == [c.sample for c in res.checkpoints]
    assert write(again, cfg).text == write(res, cfg).text
    assert write(res, dataclasses.replace(cfg, sampling_seed=1)).text != write(res, cfg).text
    greedy = dataclasses.replace(cfg, greedy=True)
    assert write(res, greedy).text == write(res, dataclasses.replace(greedy, sampling_seed=5)).text


def test_temperature_trades_likelihood_for_variety(zen):
    cfg, res = zen

    def top_share(temperature: float) -> float:
        gen = write(res, dataclasses.replace(cfg, temperature=temperature, length=400))
        picked = [res.vocab.index(ch) for ch in gen.text[1:]]
        return float(np.mean(gen.logits[:-1].argmax(-1) == picked))

    cold, warm, hot = top_share(0.2), top_share(1.0), top_share(2.0)
    assert cold > warm + 0.1 and warm > hot + 0.1


def test_softmax_temperature():
    z = np.array([2.0, 1.0, 0.0])
    p1 = softmax(z, 1.0)
    np.testing.assert_allclose(p1, np.exp(z) / np.exp(z).sum())
    assert softmax(z, 0.5)[0] > p1[0] > softmax(z, 2.0)[0]
    np.testing.assert_allclose(softmax(np.array([1000.0, 0.0]), 0.1).sum(), 1.0)


def test_generation_states_match_reading_the_text_at_once(zen):
    _, res = zen
    gen = generate(res.model, res.vocab, "Beautiful", 40, temperature=1.0, sampling_seed=3)
    ids = np.array([res.vocab.index(ch) for ch in gen.text])
    logits, states = read(res.model, ids)
    assert gen.seed_len == len("Beautiful") and len(gen.text) == gen.seed_len + 40
    np.testing.assert_allclose(gen.states, states, atol=1e-5)
    np.testing.assert_allclose(gen.logits, logits, atol=1e-4)


def test_unknown_seed_characters_are_skipped_with_a_note(zen):
    _, res = zen
    gen = generate(res.model, res.vocab, "Beau€tiful✓", 5, temperature=1.0, fallback="T")
    assert gen.text.startswith("Beautiful") and "skipped" in gen.notes[0]
    gen = generate(res.model, res.vocab, "€€", 5, temperature=1.0, fallback="T")
    assert gen.text[0] == "T" and len(gen.notes) == 2
    assert not generate(res.model, res.vocab, "", 5, temperature=1.0, fallback="T").notes


def test_a_diverged_model_writes_nothing_and_says_why():
    model = CharModel("rnn", 3, 2, 4, 1)
    with torch.no_grad():
        model.head.weight.fill_(float("nan"))
    gen = generate(model, ("a", "b", "c"), "ab", 10, temperature=1.0)
    assert gen.text == "ab" and "diverged" in gen.notes[0]


def test_features_of_a_known_text():
    f = feature_values('ab "c d"\nef')
    assert f["word"].tolist() == [1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1]
    assert f["line"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2]
    assert f["space"].tolist() == [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert f["quote"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]


def test_correlations_find_a_planted_unit():
    text = "the cat sat\non a mat\n" * 5
    f = feature_values(text)
    rng = np.random.default_rng(0)
    states = rng.normal(size=(2, len(text), 6))
    states[1, :, 4] = -0.5 * f["word"] + 0.01 * rng.normal(size=len(text))
    r = correlations(states, text)
    assert r["word"].shape == (2, 6)
    assert strongest(r["word"][1], 1)[0][0] == 4 and r["word"][1, 4] < -0.99
    assert np.isnan(r["quote"]).all()  # no quotes: nothing to correlate
    assert unit_to_show(-1, r["word"][1]) == 4 and unit_to_show(2, r["word"][1]) == 2
    assert unit_to_show(-1, r["quote"][1]) == 0 and unit_to_show(99, r["word"][1]) == 5
    short = correlations(states[:, :20], text[:20])
    assert all(np.isnan(v).all() for v in short.values())  # 20 characters prove nothing


def test_report_has_exactly_the_issue_metrics(zen):
    cfg, res = zen
    out = report(cfg, res)
    assert set(out["metrics"]) == {"final_loss", "train_seconds", "sample", "perplexity"}
    assert out["metrics"]["sample"] == write(res, cfg).text
    assert out["metrics"]["perplexity"] >= 1 and math.isfinite(out["metrics"]["final_loss"])
    assert out["checkpoints"][0]["step"] == 0


def test_pasted_text_only_keys_the_cache_when_used():
    assert effective(CharLMConfig(text="abc")).text == ""
    assert effective(CharLMConfig(corpus="custom", text="abc")).text == "abc"


def test_coloured_text_escapes_every_character():
    text = '<script>alert("x")</script>\n&'
    html = coloured_text(text, np.linspace(-1, 1, len(text)), 3, 7)
    assert "<script" not in html and "&lt;script&gt;" not in html  # escaped one character at a time
    assert html.count('<span style="background') == len(text)
    assert "&lt;</span>" in html and "&amp;</span>" in html and "↵\n</span>" in html
    assert html.count("text-decoration:underline") == 3


def test_coloured_text_survives_a_diverged_unit():
    html = coloured_text("abcd", np.array([0.5, np.inf, np.nan, -3.0]), 0, 0)
    assert html.count(" title=") == 4 and "−3" in html and "nan" in html


def test_probability_bars_mark_the_next_character_and_escape_labels():
    vocab = tuple("<>ab")
    probs = softmax(np.array([3.0, 0.0, 1.0, 0.5]), 0.5)
    fig = next_char_bars(
        vocab, probs, softmax(np.array([3.0, 0.0, 1.0, 0.5]), 1.0), temperature=0.5, context="<b>", actual=">"
    )
    assert len(fig.data) == 2 and "&lt;b&gt;" in fig.layout.title.text
    assert list(fig.data[1].x)[0] == "&lt;" and "&gt;" in list(fig.data[1].x)


def test_feature_figure_states_the_best_unit():
    r = np.array([0.1, -0.8, np.nan, 0.3])
    fig = feature_units(r, "inside a word", highlight=1)
    assert "Unit 1" in fig.layout.title.text and "-0.80" in fig.layout.title.text
    assert len(fig.data[0].x) == 3
    assert "Nothing to correlate" in feature_units(np.full(4, np.nan), "inside quotes", 0).layout.title.text


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_every_cell_with_stacked_layers(cell):
    cfg = CharLMConfig(cell=cell, layers=2, hidden=8, embedding=4, train_steps=10, seq_len=16, clip=0.0)
    res = run(cfg)
    gen = write(res, cfg, length=20)
    assert gen.states.shape == (2, 21, 8) and gen.logits.shape == (21, len(res.vocab))
    assert res.correlations["word"].shape == (2, 8)
