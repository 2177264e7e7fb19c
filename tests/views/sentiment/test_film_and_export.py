"""Sentiment view: the hidden-state map through training (timeline, film, live map) and the export."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from rnnviz.cli import main
from rnnviz.core.classifier import SentimentModel, accuracy, pad
from rnnviz.core.fit import History
from rnnviz.core.timeline import Timeline, capturing
from rnnviz.views.sentiment.experiment import SentimentConfig, run
from rnnviz.views.sentiment.figures import film_figure, live_map, training_film
from rnnviz.views.sentiment.film import FILM_SENTENCES, align, film_sample, state_capture
from rnnviz.views.sentiment.projection import fit_pca
from tests.export_support import run_reproduce
from tests.views.sentiment.test_sentiment import corpus_subset, labelled_csv, two_blobs

TINY = SentimentConfig(embedding=8, hidden=8, epochs=1, projection="pca")


@pytest.fixture(scope="module")
def tiny():
    return run(TINY, data=corpus_subset(60))


def test_the_film_follows_a_fixed_sample_of_test_sentences():
    assert film_sample(0).size == 0
    np.testing.assert_array_equal(film_sample(7), np.arange(7))
    rows = film_sample(10 * FILM_SENTENCES)
    assert len(rows) == FILM_SENTENCES and rows[0] == 0 and rows[-1] == 10 * FILM_SENTENCES - 1
    assert np.all(np.diff(rows) > 0)


def test_every_frame_is_drawn_on_the_last_frames_axes():
    states, labels = two_blobs(n=40)
    turned = states[:, ::-1].copy()  # the same cloud in other units: its own PCA would draw it alike
    frames = [
        {"accuracy": 0.5, "states": s, "prob": np.full(len(s), 0.5), "label": labels}
        for s in (turned, states, states)
    ]
    timeline = Timeline([0, 3, 7], [None, 0.6, 0.4], frames)
    aligned, axes = align(timeline)
    assert aligned.steps == [0, 3, 7] and aligned.loss == [None, 0.6, 0.4]
    assert all(set(f) == {"accuracy", "points", "prob"} for f in aligned.frames)  # raw states dropped
    last = aligned.frames[-1]["points"]
    np.testing.assert_allclose(last, fit_pca(states, labels).project(states), rtol=1e-5, atol=1e-6)
    assert last[labels == 1, 0].mean() > last[labels == 0, 0].mean()
    np.testing.assert_array_equal(aligned.frames[1]["points"], last)
    np.testing.assert_allclose(aligned.frames[0]["points"], axes.project(turned).astype(np.float32))
    assert not np.allclose(aligned.frames[0]["points"], last, atol=0.1)
    assert align(Timeline()) == (Timeline(), None)


def test_capture_reads_the_model_as_the_classifier_does():
    torch.manual_seed(0)
    model = SentimentModel(10, "gru", 4, 3).eval()
    ids, labels = [[2, 3, 4], [5], [6, 7]], np.array([1, 0, 1])
    with torch.no_grad():
        frame = state_capture(model, ids, labels)()
        direct = torch.sigmoid(model(*pad(ids))).numpy()
    np.testing.assert_allclose(frame["prob"], direct, rtol=1e-6)
    assert frame["states"].shape == (3, 3) and frame["accuracy"] == accuracy(direct, labels)


def test_capture_changes_nothing_in_the_training(tiny):
    with capturing(False):
        blind = run(TINY, data=corpus_subset(60))
    np.testing.assert_array_equal(blind.test_prob, tiny.test_prob)
    assert len(blind.history.timeline) == 0 and blind.film_axes is None
    assert len(tiny.history.timeline) >= 10


def test_the_film_opens_on_the_last_frame_and_moves(tiny):
    timeline = tiny.history.timeline
    fig = training_film(tiny)
    assert training_film(tiny) is fig  # built once per result
    assert len(fig.frames) == len(timeline)
    assert [s.label for s in fig.layout.sliders[0].steps] == [str(s) for s in timeline.steps]
    labels = tiny.test_labels[tiny.film_index]
    last = timeline.frames[-1]["points"]
    np.testing.assert_allclose(fig.data[1].x, last[labels == 1, 0])
    first_x = np.concatenate([t.x for t in fig.frames[0].data])
    last_x = np.concatenate([t.x for t in fig.frames[-1].data])
    assert not np.allclose(first_x, last_x)
    assert f"{timeline.frames[0]['accuracy']:.0%} of {len(labels)}" in fig.frames[0].layout.title.text
    assert "step 0" in fig.frames[0].layout.title.text
    xs = np.concatenate([f["points"][:, 0] for f in timeline.frames])
    low, high = fig.layout.xaxis.range
    assert low < xs.min() and high > xs.max()  # one frame of reference for every frame


def test_a_single_frame_is_a_still_picture():
    states, labels = two_blobs(n=20)
    timeline, axes = align(
        Timeline([0], [None], [{"accuracy": 0.5, "states": states, "prob": np.zeros(20), "label": labels}])
    )
    fig = film_figure(timeline, axes, labels, [f"s{i}" for i in range(20)])
    assert not fig.frames and len(fig.data[0].x) + len(fig.data[1].x) == 20


def test_live_map_draws_the_latest_raw_frame():
    states, labels = two_blobs(n=30)
    history = History()
    history.timeline.add(
        0, None, {"accuracy": 0.5, "states": states * 0, "prob": np.zeros(30), "label": labels}
    )
    history.timeline.add(40, 0.31, {"accuracy": 0.9, "states": states, "prob": np.zeros(30), "label": labels})
    fig = live_map(history)
    assert len(fig.data[0].x) == (labels == 0).sum() and len(fig.data[1].x) == (labels == 1).sum()
    assert "90% of 30" in fig.layout.title.text and "step 40, loss 0.31" in fig.layout.title.text
    assert np.mean(fig.data[1].x) > np.mean(fig.data[0].x)


def test_json_timeline_contract_with_the_default_data(capsys):
    """A real run of the command line on the default corpus: one epoch of a tiny network."""
    assert (
        main(
            [
                "sentiment",
                "--epochs",
                "1",
                "--embedding",
                "8",
                "--hidden",
                "8",
                "--projection",
                "pca",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    timeline = out["timeline"]
    steps = [f["step"] for f in timeline]
    assert len(timeline) >= 10 and steps[0] == 0
    assert all(b > a for a, b in zip(steps, steps[1:], strict=False))
    n = len(out["timeline_sentences"])
    assert n == min(FILM_SENTENCES, out["metrics"]["n_test"])
    assert steps[-1] == math.ceil(out["metrics"]["n_train"] / 64)  # one epoch of batches of 64
    for frame in timeline:
        assert set(frame) == {"step", "loss", "accuracy", "points", "prob"}
        assert len(frame["points"]) == len(frame["prob"]) == n and 0 <= frame["accuracy"] <= 1
        labels = np.array([s["label"] for s in out["timeline_sentences"]])
        assert frame["accuracy"] == pytest.approx(accuracy(np.array(frame["prob"]), labels), abs=1e-6)
    assert timeline[0]["points"] != timeline[-1]["points"]


@pytest.fixture
def upload_csv(tmp_path):
    return labelled_csv(tmp_path, 200)


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("rnn_relu", False)])
def test_export_reproduces_the_test_accuracy_with_plain_torch(
    upload_csv, tmp_path, capsys, cell, bidirectional
):
    folder = tmp_path / "export"
    flags = ["--cell", cell, "--layers", "2", "--hidden", "8", "--embedding", "8", "--epochs", "3"]
    flags += ["--bidirectional" if bidirectional else "--no-bidirectional"]
    args = [
        "sentiment",
        "--data",
        str(upload_csv),
        *flags,
        "--projection",
        "pca",
        "--export",
        str(folder),
        "--json",
    ]
    assert main(args) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    last = run_reproduce(folder)
    assert last["metric"] == "test_accuracy" and last["metric"] in metrics
    assert last["value"] == pytest.approx(metrics["test_accuracy"], rel=1e-5)
    assert "rnnviz" not in (folder / "reproduce.py").read_text().split('"""')[-1]  # plain torch, no rnnviz

    weights = load_file(folder / "model.safetensors")
    assert {
        "embed.weight",
        "head.weight",
        "head.bias",
        "rnn.weight_hh_l1_reverse" if bidirectional else "rnn.weight_hh_l1",
    } <= set(weights)
    page = (folder / "index.html").read_text()
    assert "The hidden-state map through training" in page and "Plotly" in page
    film = pd.read_csv(folder / "data" / "training_film.csv")
    assert list(film.columns[:3]) == [
        "step (optimiser steps)",
        "test sentence (row)",
        "PC 1 (hidden state, on the last snapshot's axes)",
    ]
    assert film["step (optimiser steps)"].iloc[0] == 0
    assert len(pd.read_csv(folder / "data" / "test_sentences.csv")) == metrics["n_test"]
