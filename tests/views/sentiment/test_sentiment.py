"""Sentiment view: corpus, tokens, uploads, packing, baseline, projections, the experiment and its CLI."""

import json

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.core.classifier import MAX_READ_TOKENS, Classifier, SentimentModel, pad
from rnnviz.core.reviews import clean_text, rotten_tomatoes, split_by_group
from rnnviz.core.runtime import RESULTS
from rnnviz.core.vocabulary import PAD_ID, UNK_ID, build_vocab, words
from rnnviz.views.sentiment import EXPERIMENT
from rnnviz.views.sentiment.baseline import fit_bag_of_words
from rnnviz.views.sentiment.export import report
from rnnviz.views.sentiment.figures import pca_map, tsne_figure
from rnnviz.views.sentiment.labelled_csv import MAX_BYTES, MIN_ROWS, CsvError, parse_labelled_csv
from rnnviz.views.sentiment.projection import fit_pca, fit_tsne, nearest, silhouette
from rnnviz.views.sentiment.reading import (
    NEIGHBOURS,
    WORD_ORDER_SHOWN,
    biggest_change,
    drift,
    has_tsne,
    neighbours,
    read_sentence,
    readout_terms,
    tsne_map,
    word_order_cases,
    word_order_rows,
)
from rnnviz.views.sentiment.settings import EXAMPLES, SentimentConfig
from rnnviz.views.sentiment.train import run
from tests.trained import trained


@pytest.fixture(scope="module")
def small():
    """The smoke settings on the default corpus, shared with every other test that reads them."""
    return trained(EXPERIMENT)


def csv_bytes(rows, header="text,label"):
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def balanced_rows(n=MIN_ROWS, neg="negative", pos="positive"):
    return [f'"sentence number {i}",{pos if i % 2 else neg}' for i in range(n)]


# Corpus and split


def test_clean_text_unescapes_and_straightens():
    assert clean_text("PB&amp;  J\u2019s \u201cbest\u201d\u2014ever\x85\n") == 'PB& J\'s "best"-ever...'


def test_corpus_is_fresh_and_rotten_only_with_clean_text():
    data = rotten_tomatoes()
    labels = np.array(data.labels)
    assert set(labels.tolist()) == {0, 1}
    # The description of the corpus: about 7,400 fresh and 5,400 rotten sentences, 508 movies.
    assert abs(labels.sum() - 7400) < 200 and abs((labels == 0).sum() - 5400) < 200
    assert len(set(data.groups)) == 508
    assert not any("&amp;" in t or "\u2019" in t or "  " in t for t in data.texts)


def test_split_keeps_each_movie_in_one_part_and_follows_the_seed():
    groups = rotten_tomatoes().groups
    a = split_by_group(groups, np.random.default_rng(0))
    b = split_by_group(groups, np.random.default_rng(0))
    c = split_by_group(groups, np.random.default_rng(1))
    movies = [{groups[i] for i in part} for part in a]
    assert not (movies[0] & movies[1] or movies[0] & movies[2] or movies[1] & movies[2])
    assert sum(len(p) for p in a) == len(groups)
    assert 0.75 < len(a[0]) / len(groups) < 0.85 and len(a[2]) > 0.05 * len(groups)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[2], c[2])


# Tokens and vocabulary


def test_words_split_contractions_punctuation_and_symbols():
    assert words("Doesn't WORK, isn't it?!") == ["does", "n't", "work", ",", "is", "n't", "it", "?", "!"]
    assert words("the film's 🙂🧠") == ["the", "film", "'s", "🙂", "🧠"]
    assert words("   ") == []


def test_vocabulary_keeps_frequent_tokens_and_maps_the_rest_to_unk():
    vocab = build_vocab([["good", "film"], ["bad", "film"], ["good"]], min_freq=2)
    assert vocab.tokens[:2] == ("<pad>", "<unk>")
    assert vocab.tokens[2:] == ("film", "good")  # most frequent first, ties alphabetical
    assert vocab.encode(["good", "bad", "zebra"]) == [vocab.index["good"], UNK_ID, UNK_ID]
    assert build_vocab([["b", "a"]], min_freq=1).tokens == build_vocab([["a", "b"]], min_freq=1).tokens


# Uploads


def test_upload_accepts_label_words_and_numbers_and_skips_empty_text():
    rows = balanced_rows(MIN_ROWS, neg="Negative ", pos="1") + ['"",1', '"   ",0']
    data = parse_labelled_csv(csv_bytes(rows, header="Text,Sentiment"), "mine.csv")
    assert len(data) == MIN_ROWS and set(data.labels) == {0, 1}
    assert data.labels[:2] == (0, 1)
    assert any("2 row(s) with empty text" in n for n in data.notes)
    assert len(set(data.groups)) == len(data)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (csv_bytes(balanced_rows(), header="review_text,stars"), "No text column"),
        (csv_bytes(balanced_rows(), header="text,score"), "No label column"),
        (csv_bytes([f'"s{i}",1' for i in range(MIN_ROWS)]), "Every row is positive"),
        (csv_bytes(balanced_rows(MIN_ROWS - 1)), f"at least {MIN_ROWS}"),
        (csv_bytes(balanced_rows() + ['"odd one",maybe']), "row 42: 'maybe'"),
        ("text,label\ncaf\xe9,1\n".encode("latin-1"), "not UTF-8"),
        (b"text,label\n\x00\x01,1\n", "NUL bytes"),
        (b"x" * (MAX_BYTES + 1), "the limit is 5 MB"),
        (b'text,label\n"unclosed,1\n', "could not be read"),
    ],
)
def test_upload_problems_get_a_clear_message(raw, message):
    with pytest.raises(CsvError, match=message):
        parse_labelled_csv(raw)


# Packing and reading


def tiny_classifier(bidirectional: bool, cell: str = "lstm") -> Classifier:
    torch.manual_seed(0)
    vocab = build_vocab([["a", "b", "c", "d", "e"]], min_freq=1)
    model = SentimentModel(len(vocab), cell, 6, 5, 2, bidirectional=bidirectional).eval()
    return Classifier(model, vocab)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_touches_the_hidden_state(bidirectional):
    clf = tiny_classifier(bidirectional)
    short, long = [2, 3], [4, 5, 6, 2, 3, 4, 5]
    alone = clf.states([short])[0]
    batched = clf.states([long, short, [3]])[1]
    np.testing.assert_allclose(alone, batched, atol=1e-6)
    ids, lengths = pad([long, short, (), (9,)])
    assert ids.tolist() == [long, short + [PAD_ID] * 5, [PAD_ID] * 7, [9] + [PAD_ID] * 6]
    assert ids.dtype == lengths.dtype == torch.int64 and lengths.tolist() == [7, 2, 0, 1]


def test_prefix_states_match_the_one_way_network_step_by_step():
    clf = tiny_classifier(bidirectional=False, cell="gru")
    ids = [2, 5, 3, 6]
    with torch.no_grad():
        out, _ = clf.model.rnn(clf.embed(ids))
    np.testing.assert_allclose(clf.prefix_states(ids), out[0].numpy(), atol=1e-6)


def test_bidirectional_prefix_is_read_as_its_own_sentence():
    clf = tiny_classifier(bidirectional=True)
    ids = [2, 5, 3, 6]
    prefixes = clf.prefix_states(ids)
    np.testing.assert_allclose(prefixes[1], clf.states([ids[:2]])[0], atol=1e-6)
    np.testing.assert_allclose(prefixes[-1], clf.states([ids])[0], atol=1e-6)


def test_tokenize_caps_length_and_names_unknown_tokens():
    clf = tiny_classifier(bidirectional=False)
    enc = clf.tokenize("a " * (MAX_READ_TOKENS + 50))
    assert len(enc.ids) == MAX_READ_TOKENS and "first 200" in enc.notes[0]
    assert "'zebra'" in clf.tokenize("a zebra").notes[0]
    assert "only '<unk>'" in clf.tokenize("🙂 zebra").notes[0]


# Baseline


def test_bag_of_words_ignores_order_and_repetition():
    seqs = [[2, 3], [3, 4], [2, 2, 5], [4, 5]]
    bow = fit_bag_of_words(seqs, np.array([1, 0, 1, 0]), vocab_size=6)
    assert bow.weights[2] > 0 > bow.weights[4]
    np.testing.assert_allclose(bow.prob([[2, 3]]), bow.prob([[3, 2, 2]]))
    np.testing.assert_allclose(bow.prefix_prob([3, 2, 2])[-1], bow.prob([[2, 3]])[0])


# Projections


def two_blobs(n=60, dims=8, gap=6.0):
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], n // 2)
    x = rng.normal(size=(n, dims))
    x[:, 3] += gap * labels
    return x, labels


def test_pca_finds_the_spread_direction_with_positive_on_the_right():
    x, labels = two_blobs()
    pca = fit_pca(x, labels)
    assert abs(pca.axes[0, 3]) > 0.9 and pca.explained[0] > 0.5
    points = pca.project(x)
    assert points[labels == 1, 0].mean() > points[labels == 0, 0].mean()
    np.testing.assert_allclose(np.linalg.norm(pca.axes, axis=1), 1)


def test_tsne_separates_blobs_and_places_new_points_beside_their_own():
    x, labels = two_blobs(n=80)
    tsne = fit_tsne(x, perplexity=10, seed=0, labels=labels)
    assert tsne.silhouette > 0.5
    before = np.array(tsne.embedding)
    placed = tsne.place(x[:3] + 0.01)
    np.testing.assert_allclose(np.asarray(tsne.embedding), before, atol=1e-9)  # placing never moves the map
    np.testing.assert_allclose(tsne.points, before)
    centre = tsne.points[labels == 0].mean(axis=0), tsne.points[labels == 1].mean(axis=0)
    assert all(np.linalg.norm(p - centre[0]) < np.linalg.norm(p - centre[1]) for p in placed)
    np.testing.assert_array_equal(tsne.points, fit_tsne(x, 10, seed=0).points)


def test_silhouette_is_undefined_for_one_class_and_nearest_skips_itself():
    x, labels = two_blobs()
    assert silhouette(x[:, :2], np.zeros(len(x))) is None
    order, dist = nearest(x, x[5], k=4, exclude=5)
    assert 5 not in order and np.all(np.diff(dist) >= 0)
    assert np.isclose(dist[0], np.linalg.norm(x[order[0]] - x[5]))


# The experiment


def test_training_is_deterministic_and_keeps_the_best_epoch(small):
    cfg = EXPERIMENT.smoke_config()
    again = run(cfg)
    np.testing.assert_array_equal(small.test_prob, again.test_prob)
    assert len(small.history.val_accuracy) == cfg.epochs
    assert small.best_epoch == int(np.argmax(small.history.val_accuracy)) + 1
    assert small.splits[0].size > small.splits[2].size > 0
    assert small.grouped


def test_result_arrays_agree(small):
    n_test = small.n_test
    assert small.test_states.shape == (n_test, EXPERIMENT.smoke_config().hidden)
    assert small.test_prob.shape == small.baseline_prob.shape == (n_test,)
    np.testing.assert_allclose(small.test_prob, small.classifier.prob_from_states(small.test_states))
    assert small.pca_points.shape == (len(small.map_index), 2)
    pos = small.positions
    assert len(pos.points) == len(pos.step) == len(pos.token) and pos.step.min() == 1
    assert small.test_accuracy > 0.5


def test_reading_ends_where_the_test_map_would_put_it(small):
    text = small.test_texts[0]
    reading = read_sentence(small, text)
    np.testing.assert_allclose(reading.states[-1], small.test_states[0], atol=1e-5)
    assert reading.prob[-1] == pytest.approx(small.test_prob[0], abs=1e-5)
    wh, b = readout_terms(small, reading.states[-1])
    assert 1 / (1 + np.exp(-(wh + b))) == pytest.approx(reading.prob[-1], abs=1e-5)
    assert 0 <= biggest_change(reading) < len(reading.tokens)


@pytest.mark.parametrize(
    "text, note",
    [
        ("", None),
        ("good", None),
        ("zxqvw qwzxv", "only '<unk>'"),
        ("🙂🧠 😀", "only '<unk>'"),
        ("word " * 5000, "first 200"),
    ],
)
def test_any_typed_text_gives_a_reading_or_a_note(small, text, note):
    reading = read_sentence(small, text)
    assert len(reading.tokens) == len(reading.prob) == len(reading.states) == len(reading.baseline_prob)
    assert np.all((reading.prob >= 0) & (reading.prob <= 1))
    if note:
        assert any(note in n for n in reading.notes)
    if not text:
        assert reading.tokens == ()


def test_word_order_cases_are_disagreements_with_the_shuffled_control_on_a_cue(small):
    """Item 11: the cases set the network against the same network on shuffled words, not the bag of words."""
    cases = word_order_cases(small)
    assert cases
    for i in cases:
        assert (small.test_prob[i] > 0.5) != (small.shuffled_prob[i] > 0.5)
        assert {"not", "n't", "no", "never", "but", "nothing", "hardly"} & set(words(small.test_texts[i]))
    rows = word_order_rows(small, cases)
    assert len(rows) == min(WORD_ORDER_SHOWN, len(cases))
    for row, i in zip(rows, cases, strict=False):
        assert row["sentence"] == small.test_texts[i] and row["network"] == small.test_prob[i]
        assert row["shuffled words"] == small.shuffled_prob[i]
        assert row["true label"] == ("positive" if small.test_labels[i] else "negative")


def test_neighbours_are_the_closest_test_states_in_order(small):
    probe = small.test_states[0]
    rows = neighbours(small, probe, exclude=0)
    distances = np.linalg.norm(small.test_states - probe, axis=1)
    distances[0] = np.inf
    assert [r["distance"] for r in rows] == pytest.approx(np.sort(distances)[: len(rows)].tolist(), abs=1e-5)
    assert len(rows) == NEIGHBOURS


def test_tsne_map_is_computed_once_and_the_report_never_waits_for_it(small):
    metrics = report(SentimentConfig(perplexity=20), small)["metrics"]
    assert not has_tsne(small, 20)  # the report's silhouette is the hidden space's, not a map's
    first = tsne_map(small, 20)
    assert has_tsne(small, 20) and tsne_map(small, 20) is first
    assert list(metrics) == [
        "test_accuracy",
        "baseline_accuracy",
        "shuffled_accuracy",
        "train_seconds",
        "n_train",
        "n_test",
        "silhouette",
    ]


def test_silhouette_is_measured_in_the_hidden_space_not_on_a_map(small):
    """Item 8: t-SNE bends distances, so the separation is scored on the states themselves."""
    shown = small.map_index
    in_hidden = silhouette(small.test_states[shown], small.test_labels[shown])
    assert small.hidden_silhouette == pytest.approx(in_hidden)
    tsne = tsne_map(small, 20)
    for cfg in (SentimentConfig(perplexity=20), SentimentConfig(projection="pca")):
        assert report(cfg, small)["metrics"]["silhouette"] == pytest.approx(in_hidden)
    assert in_hidden != pytest.approx(tsne.silhouette)  # the old number: the map's own
    found = EXPERIMENT.findings_by_id(EXPERIMENT.smoke_config(), small)["clouds_separate"]
    assert found.evidence["silhouette"] == pytest.approx(in_hidden)
    assert f"{small.test_states.shape[1]}-number hidden space" in found.text
    titles = [
        pca_map(small, "label").layout.title.text,
        tsne_figure(small, tsne, "label", read_sentence(small, "")).layout.title.text,
    ]
    assert not any("silhouette" in t for t in titles)


def test_drift_measures_the_first_and_last_tokens(small):
    d = drift(small.positions)
    assert set(d) == {"gap", "spread"} and all(len(v) == 2 for v in d.values())
    assert d["spread"][1] > 0


def test_examples_are_readable(small):
    for text in EXAMPLES:
        assert len(read_sentence(small, text).tokens) == len(words(text))


# Command line


def labelled_csv(folder, n: int):
    """A file of ``n`` made-up reviews, negative and positive in turn, that any model can learn."""
    good = ["a wonderful film", "truly moving", "i loved it", "great fun", "superb acting"]
    bad = ["an awful mess", "so boring", "i hated it", "dull and lifeless", "terrible acting"]
    rows = [f'"{(good if i % 2 else bad)[i % 5]} {i}",{i % 2}' for i in range(n)]
    path = folder / "mine.csv"
    path.write_bytes(csv_bytes(rows))
    return path


@pytest.fixture
def upload_csv(tmp_path):
    return labelled_csv(tmp_path, 120)


def test_cli_trains_on_a_csv_scores_another_and_repeats_itself(upload_csv, capsys, fresh_cache):
    args = ["sentiment", "--data", str(upload_csv), "--eval-csv", str(upload_csv), "--epochs", "3", "--json"]
    outputs = []
    for _ in range(2):
        RESULTS.clear()  # trained again, not read back
        assert main(args) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    for out in outputs:
        out["metrics"].pop("train_seconds")
    assert outputs[0] == outputs[1]
    metrics = outputs[0]["metrics"]
    assert set(metrics) == {
        "test_accuracy",
        "baseline_accuracy",
        "shuffled_accuracy",
        "n_train",
        "n_test",
        "silhouette",
        "eval_accuracy",
        "n_eval",
    }
    assert metrics["n_eval"] == 120 and metrics["n_train"] + metrics["n_test"] < 120
    assert outputs[0]["data"] == "mine.csv"


def test_cli_reports_a_bad_csv_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["sentiment", "--data", str(bad), "--json"]) == 2
    assert "No text column" in capsys.readouterr().err
    assert main(["sentiment", "--data", str(tmp_path / "missing.csv")]) == 2
    assert "Cannot read" in capsys.readouterr().err


@pytest.mark.slow
def test_defaults_meet_the_accuracy_and_separation_targets():
    res = trained(EXPERIMENT, SentimentConfig())
    assert res.test_accuracy >= 0.72
    assert len(res.history.timeline) >= 10 and res.history.timeline.steps[-1] == res.history.steps
    assert res.hidden_silhouette > 0.1
