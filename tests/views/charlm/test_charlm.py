import dataclasses
import math

import numpy as np
import pytest
import torch

from rnnviz.core.cells import trace
from rnnviz.core.timeline import Timeline
from rnnviz.views.charlm import EXPERIMENT
from rnnviz.views.charlm import corpora as char_corpora
from rnnviz.views.charlm.export import report
from rnnviz.views.charlm.features import Unit, choose, correlations, feature_values, rank
from rnnviz.views.charlm.figures import coloured_text, film, grid, live, next_char_bars, training_film
from rnnviz.views.charlm.lessons import beats_ngram
from rnnviz.views.charlm.model import (
    IGNORE,
    CharModel,
    cross_entropy,
    generate,
    nats_per_char,
    read,
    softmax,
    states,
    step,
    stream_chunks,
    windows,
)
from rnnviz.views.charlm.settings import FINAL_LR_SHARE, WARM_UP_SHARE, CharLMConfig
from rnnviz.views.charlm.train import lr_factor, run
from rnnviz.views.charlm.writing import guess_at, reading, write
from tests.trained import trained


@pytest.fixture(scope="module")
def small():
    """The smoke settings: a short built-in text and a small LSTM that still learns to write."""
    return EXPERIMENT.smoke_config(), trained(EXPERIMENT)


def test_hamlet_is_the_default_and_a_missing_hamlet_falls_back_with_a_note(monkeypatch):
    corpus = char_corpora.load(char_corpora.DEFAULT_CORPUS)
    if char_corpora.hamlet() is not None:
        assert corpus.name == "hamlet" and "HAMLET" in corpus.text and len(corpus.text) > 150_000
    monkeypatch.setattr(char_corpora, "hamlet", lambda: None)
    corpus = char_corpora.load("hamlet")
    assert corpus.name == char_corpora.FALLBACK_CORPUS
    assert "not available" in corpus.notes[0] and "instead" in corpus.notes[-1]
    assert "pip install" in char_corpora.hamlet_missing()


def test_zen_is_decoded_from_the_standard_library():
    text = char_corpora.load("zen").text
    assert text.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in text


@pytest.mark.parametrize("text", ["", "abc", "     \n  ", "🙂" * 50])
def test_unusable_pasted_text_falls_back_with_a_note(text):
    corpus = char_corpora.load("custom", text)
    assert corpus.name != "custom"
    assert any("at least" in n for n in corpus.notes)


def test_control_characters_go_and_newlines_are_unified():
    corpus = char_corpora.load("custom", "one\r\ntwo\x00\u202ethree\rfour\tfive")
    assert corpus.text == "one\ntwothree\nfour\tfive"
    assert any("removed" in n for n in corpus.notes)


def test_a_huge_alphabet_keeps_the_commonest_characters():
    rare = "".join(chr(0x4E00 + i) for i in range(200))
    corpus = char_corpora.load("custom", "the cat sat on the mat " * 20 + rare)
    assert len(set(corpus.text)) <= char_corpora.MAX_VOCAB
    assert char_corpora.RARE in corpus.text and any("rarest" in n for n in corpus.notes)


PROSE = ("The quick brown fox jumps over the lazy dog. " * 60).encode()

HOSTILE_FILES = {
    "empty": (b"", "empty"),
    "blank": (b" \n\n \t ", "empty"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
    "latin-1": ("Café crème, naïve façade. ".encode("latin-1") * 100, "not UTF-8"),
    "short": (b"To be, or not to be.", "at least"),
    "control soup": (bytes([7, 27, 8, 65, 66]) * 500, "control characters"),
}


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_text_files_are_refused_with_a_reason(kind):
    raw, reason = HOSTILE_FILES[kind]
    with pytest.raises(ValueError, match=reason):
        char_corpora.text_file(raw, "x.txt")


def test_good_text_files_are_decoded_cleaned_and_capped(monkeypatch):
    assert char_corpora.text_file(PROSE, "fox.txt").text == PROSE.decode()
    bom = char_corpora.text_file(b"\xef\xbb\xbf" + PROSE.replace(b"\n", b"\r\n"), "bom.txt")
    assert not bom.text.startswith("\ufeff")
    utf16 = char_corpora.text_file(PROSE.decode().encode("utf-16"), "wide.txt")
    assert utf16.text == PROSE.decode()
    monkeypatch.setattr(char_corpora, "MAX_FILE_CHARS", 2_500)
    capped = char_corpora.text_file(PROSE, "fox.txt")
    assert len(capped.text) == 2_500 and "first 2,500" in capped.notes[0]


def test_reading_a_missing_file_names_it(tmp_path):
    with pytest.raises(ValueError, match="nothing.txt: cannot be read"):
        char_corpora.read_text_file(tmp_path / "nothing.txt")


def test_a_text_file_replaces_the_corpus():
    file = char_corpora.text_file(PROSE, "fox.txt")
    corpus = char_corpora.load("hamlet", file=file)
    assert corpus.name == "fox.txt" and corpus.text == file.text
    assert "upload it again" in char_corpora.load("file").notes[0]


def test_chunks_continue_each_other_and_targets_are_the_next_character():
    ids = np.arange(1000) % 97
    chunks = stream_chunks(ids, 16, np.random.default_rng(0))
    first = [next(chunks) for _ in range(6)]
    assert first[0].fresh and not first[1].fresh
    assert torch.equal(first[0].y[:, :-1], first[0].x[:, 1:])
    for a, b in zip(first, first[1:], strict=False):
        if not b.fresh:
            assert torch.equal(b.x[:, 0], a.y[:, -1])


def test_windows_score_every_character_once_after_a_warm_up():
    ids = np.arange(500) % 31
    win = windows(ids, 300, 500, 7, 20)
    scored = win.targets[win.targets != IGNORE]
    np.testing.assert_array_equal(scored, ids[300:500])
    assert win.warm == 20 and (win.targets[:, :20] == IGNORE).all()
    np.testing.assert_array_equal(win.inputs[0, 20:], ids[299:328])  # input before each target


def test_windowed_nats_equal_reading_the_text_in_one_pass():
    torch.manual_seed(0)
    model = CharModel("gru", 11, 4, 8, 2).eval()
    ids = np.random.default_rng(0).integers(0, 11, 300)
    whole = windows(ids, 200, 300, 1, 199)  # one window with the whole text as warm-up
    logits, _ = read(model, ids[:-1])
    assert math.isclose(nats_per_char(model, whole), cross_entropy(logits[199:], ids[200:]), rel_tol=1e-5)
    assert nats_per_char(model, windows(ids, 200, 300, 5, 10)) != nats_per_char(model, whole)


def test_step_by_step_states_match_the_fused_layers_and_give_the_cell_state():
    torch.manual_seed(0)
    model = CharModel("lstm", 9, 4, 6, 2).eval()
    ids = np.random.default_rng(1).integers(0, 9, (3, 40))
    got = states(model, ids)
    _, _, outputs = model(torch.from_numpy(ids))
    np.testing.assert_allclose(got["h"], torch.stack(outputs).detach().numpy(), atol=1e-5)
    assert got["c"].shape == (2, 3, 40, 6) and not np.allclose(got["c"], got["h"])
    stepped = trace(model.layers[0], model.embed(torch.from_numpy(ids))).top.c
    np.testing.assert_allclose(got["c"][0], stepped.detach().numpy(), atol=1e-5)


def test_training_lowers_the_loss_and_records_a_film(small):
    cfg, res = small
    assert res.history.final_loss() < 0.8 * res.history.loss[0]
    timeline = res.history.timeline
    assert timeline.steps[0] == 0 and timeline.steps[-1] == cfg.train_steps and len(timeline) >= 10
    assert all(a < b for a, b in zip(timeline.steps, timeline.steps[1:], strict=False))
    first, last = timeline.frames[0], timeline.frames[-1]
    assert last is res.final and first["excerpt"] == last["excerpt"] == res.excerpt
    assert first["sample"] != last["sample"] and len(last["sample"]) > 0
    assert last["h"].shape == (1, len(res.excerpt), cfg.hidden) and last["c"].shape == last["h"].shape
    assert last["top_p"].shape == (len(res.excerpt), 5) and all(len(t) == 5 for t in last["top_chars"])
    assert (np.diff(last["top_p"].astype(float), axis=1) <= 1e-3).all()  # likeliest first


def test_held_out_score_is_the_last_tenth_and_the_ngram_trains_on_the_rest(small):
    _, res = small
    n = len(res.corpus.text)
    assert res.held_out and res.split == int(n * 0.9)
    assert (res.test.targets != IGNORE).sum() == n - res.split
    assert math.isclose(res.nats, nats_per_char(res.model, res.test), rel_tol=1e-9)
    base = res.baseline
    assert 1 <= base.order <= 8 and base.nats == base.test_nats[base.order - 1]
    assert base.dev_nats[base.order - 1] == min(base.dev_nats)


def test_report_has_the_issue_metrics_and_a_timeline(small):
    cfg, res = small
    out = report(cfg, res)
    m = out["metrics"]
    assert m["test_nats_per_char"] == res.nats and math.isclose(
        m["test_bits_per_char"], res.nats / math.log(2)
    )
    assert m["ngram_test_nats_per_char"] == res.baseline.nats and m["ngram_order"] == res.baseline.order
    assert m["corpus_chars"] == len(res.corpus.text) and m["train_seconds"] > 0
    assert m["sample"] == write(res, cfg).text
    assert [e["step"] for e in out["timeline"]] == res.history.timeline.steps
    unit = res.unit(cfg)
    assert len(out["timeline"][-1]["unit_values"]) == len(res.excerpt)
    assert out["timeline"][-1]["unit"] == [unit.state, unit.layer + 1, unit.index]


def test_the_hello_model_learns_hello_and_has_no_held_out_text():
    cfg = CharLMConfig(corpus="hello", hidden=16, train_steps=150, lr=0.03)
    res = trained(EXPERIMENT, cfg)
    gen = write(res, dataclasses.replace(cfg, prompt="h", greedy=True), length=4)
    assert gen.text == "hello"
    assert not res.held_out and res.baseline is None and res.nats < 0.2
    assert "too short" in beats_ngram(res).text
    assert report(cfg, res)["metrics"]["ngram_order"] is None


def test_same_config_same_model_and_text(small):
    cfg, res = small
    again = run(cfg)
    assert [f["sample"] for f in again.history.timeline.frames] == [
        f["sample"] for f in res.history.timeline.frames
    ]
    assert write(again, cfg).text == write(res, cfg).text
    assert write(res, dataclasses.replace(cfg, sampling_seed=1)).text != write(res, cfg).text


def test_temperature_trades_likelihood_for_variety(small):
    cfg, res = small

    def top_share(temperature: float) -> float:
        gen = write(res, dataclasses.replace(cfg, temperature=temperature, length=400))
        picked = [res.vocab.index(ch) for ch in gen.text[1:]]
        return float(np.mean(gen.logits[:-1].argmax(-1) == picked))

    cold, warm, hot = top_share(0.2), top_share(1.0), top_share(2.0)
    assert cold > warm + 0.1 and warm > hot + 0.05


def test_softmax_temperature():
    z = np.array([2.0, 1.0, 0.0])
    p1 = softmax(z, 1.0)
    np.testing.assert_allclose(p1, np.exp(z) / np.exp(z).sum())
    assert softmax(z, 0.5)[0] > p1[0] > softmax(z, 2.0)[0]
    np.testing.assert_allclose(softmax(np.array([1000.0, 0.0]), 0.1).sum(), 1.0)


def test_generation_states_match_reading_the_text_at_once(small):
    _, res = small
    gen = generate(res.model, res.vocab, "network", 40, temperature=1.0, sampling_seed=3)
    ids = np.array([res.vocab.index(ch) for ch in gen.text])
    logits, hs = read(res.model, ids)
    np.testing.assert_allclose(gen.states, hs, atol=1e-5)
    np.testing.assert_allclose(gen.logits, logits, atol=1e-4)


def test_reading_a_written_text_gives_h_or_c_and_the_top_five(small):
    cfg, res = small
    gen = write(res, cfg, length=30)
    h = reading(res, gen, Unit("h", 0, 3))
    c = reading(res, gen, Unit("c", 0, 3))
    np.testing.assert_allclose(h.values, gen.states[0, :, 3], atol=1e-5)
    assert not np.allclose(c.values, h.values) and len(h.next_chars) == len(gen.text)
    assert h.next_chars[0].count("%") == 5


def test_unknown_seed_characters_are_skipped_with_a_note(small):
    _, res = small
    gen = generate(res.model, res.vocab, "net€work✓", 5, temperature=1.0, fallback="T")
    assert gen.text.startswith("network") and "skipped" in gen.notes[0]


def test_a_diverged_model_writes_nothing_and_says_why():
    model = CharModel("rnn", 3, 2, 4, 1)
    with torch.no_grad():
        model.head.weight.fill_(float("nan"))
    gen = generate(model, ("a", "b", "c"), "ab", 10, temperature=1.0)
    assert gen.text == "ab" and "diverged" in gen.notes[0]


def test_features_of_a_known_text():
    f = feature_values('HAMLET\nab "c d"\n[ef]')
    assert f["word"].tolist() == [1] * 6 + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0]
    assert f["speaker"].tolist() == [1] * 6 + [0] * 14
    assert f["newline"].tolist() == [0] * 6 + [1] + [0] * 8 + [1] + [0] * 4
    assert f["line"].tolist() == [1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4]
    assert f["quote"].tolist() == [0] * 10 + [1] * 5 + [0] + [1] * 4


def test_the_search_finds_a_planted_unit_in_any_state_and_layer():
    text = "the cat sat\non a mat\n" * 5
    f = feature_values(text)
    rng = np.random.default_rng(0)
    r = {
        "h": correlations(rng.normal(size=(2, len(text), 6)), f["word"]),
        "c": correlations(
            np.stack([rng.normal(size=(len(text), 6)), -f["word"][:, None] * np.ones(6)]), f["word"]
        ),
    }
    best = rank(r, 1)[0]
    assert best.unit.state == "c" and best.unit.layer == 1 and best.r < -0.99
    assert choose(
        r,
        state="h",
        layer=9,
        unit=99,
    ) == Unit("h", 1, 5)  # clamped to the model
    assert choose(r, state="c", layer=1, unit=-1) == best.unit
    assert np.isnan(correlations(np.ones((1, 20, 3)), f["word"][:20])).all()  # too short to mean anything
    assert rank({"h": np.full((1, 4), np.nan)}, 3) == []


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_every_cell_with_stacked_layers_and_dropout(cell):
    cfg = CharLMConfig(
        corpus="dialogue", cell=cell, layers=2, hidden=8, embedding=4, train_steps=10, seq_len=16, dropout=0.2
    )
    res = trained(EXPERIMENT, cfg)
    gen = write(res, cfg, length=20)
    assert gen.states.shape == (2, 21, 8) and set(res.final) >= {"h", "sample"}
    assert ("c" in res.final) == (cell == "lstm")
    assert res.search.r["word"]["h"].shape == (2, 8)
    assert not res.model.training


def test_pasted_text_only_keys_the_cache_when_used():
    assert EXPERIMENT.prepare(CharLMConfig(text="abc")) == CharLMConfig()
    assert EXPERIMENT.prepare(CharLMConfig(corpus="custom", text="abc")).text == "abc"


def test_the_film_has_a_frame_per_snapshot_and_escapes_text(small):
    cfg, res = small
    fig = film(cfg, res)
    timeline = res.history.timeline
    assert len(fig.frames) == len(timeline)
    assert fig.frames[0].layout.title.text.endswith(timeline.label(0))
    heat = fig.data[1]
    assert np.nanmax(np.abs(np.asarray(heat.z, dtype=float))) <= max(1.0, heat.zmax)
    assert list(heat.z[0][: len(res.excerpt)]) != list(fig.frames[0].data[1].z[0][: len(res.excerpt)])
    latest = live(cfg)(res.history)
    assert not latest.frames and f"step {cfg.train_steps}" in latest.layout.title.text


def test_film_text_is_escaped():
    frame = {
        "sample": "<b>x</b>\nok",
        "excerpt": "<i>a\n&",
        "top_chars": ["<>&ab"] * 6,
        "top_p": np.full((6, 5), 0.2),
        "h": np.zeros((1, 6, 2)),
    }
    fig = training_film(Timeline([0, 5], [None, 1.0], [frame, frame]), Unit("h", 0, 1))
    assert "<b>" not in str(fig.data[0].text) and "&lt;b&gt;" in fig.data[0].text[0]
    assert "&lt;" in str(fig.data[1].text) and "<i>" not in str(fig.data[1].customdata)
    assert grid("ab\ncd") == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_coloured_text_escapes_every_character_and_shows_the_next_guesses():
    text = '<script>alert("x")</script>\n&'
    html = coloured_text(text, np.linspace(-1, 1, len(text)), 3, "h[7]", ["a 50% · b 20%"] * len(text))
    assert "<script" not in html and html.count('<span style="background') == len(text)
    assert "&lt;</span>" in html and "&amp;</span>" in html and "next: a 50%" in html
    assert html.count("text-decoration:underline") == 3
    plain = coloured_text("abcd", np.array([0.5, np.inf, np.nan, -3.0]), 0, "c[0]")
    assert plain.count(" title=") == 4 and "next:" not in plain and "−3" in plain


def test_probability_bars_show_the_top_five_and_the_next_character():
    vocab = tuple("<>abcdefg")
    z = np.arange(9.0)[::-1]
    fig = next_char_bars(
        vocab, softmax(z, 0.5), softmax(z, 1.0), temperature=0.5, context="<b>", actual="g", top=5
    )
    assert len(fig.data) == 2 and "&lt;b&gt;" in fig.layout.title.text
    assert list(fig.data[1].x) == ["&lt;", "&gt;", "a", "b", "c", "g"]


def test_the_learning_rate_warms_up_then_decays_to_its_floor():
    total = 600
    warm = round(WARM_UP_SHARE * total)
    factors = [lr_factor(step, total) for step in range(1, total + 1)]
    rising, falling = factors[: warm - 1], factors[warm - 1 :]
    assert all(a < b for a, b in zip(rising, rising[1:], strict=False))
    assert rising[0] < 0.2
    assert falling[0] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(falling, falling[1:], strict=False))
    assert factors[total // 2] == pytest.approx(0.5 + FINAL_LR_SHARE / 2, abs=0.05)
    assert factors[-1] == pytest.approx(FINAL_LR_SHARE)


def test_the_guess_at_a_position_is_clamped_to_the_written_text(small):
    cfg, res = small
    gen = write(res, cfg, length=20)
    last = guess_at(gen, 999, 0.5)
    assert last.actual is None and last.context == gen.text
    first = guess_at(gen, 1, 1.0)
    assert first.actual == gen.text[1] and first.context == gen.text[0]
    np.testing.assert_allclose(first.probs, first.probs_t1)
    assert first.probs[first.top] == first.probs.max() and first.score == pytest.approx(
        gen.logits[0][first.top]
    )


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_one_cell_step_per_layer_matches_the_fused_forward(cell):
    torch.manual_seed(0)
    model = CharModel(cell, 9, 4, 6, 2).eval()
    with torch.no_grad():
        _, state, _ = model(torch.tensor([[1, 2, 3]]))
        want_logits, want_state, want_outputs = model(torch.tensor([[4]]), state)
        logits, new_state, outputs = step(model, 4, state)
    torch.testing.assert_close(logits, want_logits)
    for got, want in zip(outputs + new_state, want_outputs + want_state, strict=True):
        torch.testing.assert_close(got, want)
