"""Sentiment view: the hidden-state map through training (timeline, film, live map) and the export."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from rnnviz.core import export
from rnnviz.core.classifier import SentimentModel, accuracy, pad
from rnnviz.core.fit import History
from rnnviz.core.timeline import Timeline, capturing
from rnnviz.views.sentiment import EXPERIMENT
from rnnviz.views.sentiment.figures import film, film_figure, live, live_map, training_film
from rnnviz.views.sentiment.projection import fit_pca
from rnnviz.views.sentiment.settings import SentimentConfig
from rnnviz.views.sentiment.train import BATCH, FILM_SENTENCES, align, film_sample, run, state_capture
from tests.export_support import run_reproduce
from tests.trained import trained
from tests.views.sentiment.test_sentiment import labelled_csv, two_blobs


@pytest.fixture(scope="module")
def tiny():
    """The smoke settings on the default corpus: one small network, shared with the other tests."""
    return trained(EXPERIMENT)


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
    cfg = EXPERIMENT.smoke_config()
    with capturing(False):
        blind = run(cfg)
    np.testing.assert_array_equal(blind.test_prob, tiny.test_prob)
    assert len(blind.history.timeline) == 0 and blind.film_axes is None
    assert len(tiny.history.timeline) >= 10
    still = film(cfg, blind)  # nothing recorded: the film is the trained model's map
    assert not still.frames and "PCA of" in still.layout.title.text
    assert film(cfg, tiny) is training_film(tiny)


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
    assert live(SentimentConfig()) is live_map
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


def test_live_map_of_a_finished_training_draws_its_projected_last_frame(tiny):
    fig = live_map(tiny.history)
    last = tiny.history.timeline.frames[-1]
    np.testing.assert_allclose(fig.data[0].x, last["points"][:, 0])
    np.testing.assert_allclose(fig.data[0].marker.color, last["prob"])
    assert f"{last['accuracy']:.0%} of {len(last['prob'])}" in fig.layout.title.text


def test_json_timeline_follows_the_film_sentences(tiny):
    """The report of a run on the default corpus: the timeline the core adds, and the sentences it follows."""
    cfg = EXPERIMENT.smoke_config()
    out = EXPERIMENT.full_report(cfg, tiny)
    timeline = out["timeline"]
    steps = [f["step"] for f in timeline]
    assert len(timeline) >= 10 and steps[0] == 0
    assert all(b > a for a, b in zip(steps, steps[1:], strict=False))
    n = len(out["timeline_sentences"])
    assert n == min(FILM_SENTENCES, out["metrics"]["n_test"])
    assert steps[-1] == cfg.epochs * math.ceil(out["metrics"]["n_train"] / BATCH)  # every epoch's batches
    for frame in timeline:
        assert set(frame) == {"step", "loss", "accuracy", "points", "prob"}
        assert len(frame["points"]) == len(frame["prob"]) == n and 0 <= frame["accuracy"] <= 1
        labels = np.array([s["label"] for s in out["timeline_sentences"]])
        assert frame["accuracy"] == pytest.approx(accuracy(np.array(frame["prob"]), labels), abs=1e-6)
    assert not np.allclose(timeline[0]["points"], timeline[-1]["points"])


@pytest.fixture
def upload_csv(tmp_path):
    return labelled_csv(tmp_path, 200)


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("rnn_relu", False)])
def test_export_reproduces_the_test_accuracy_with_plain_torch(upload_csv, tmp_path, cell, bidirectional):
    """Every cell, two layers, both directions: reproduce.py rebuilds the network from the weights alone."""
    folder = tmp_path / "export"
    cfg = SentimentConfig(
        cell=cell, layers=2, hidden=8, embedding=8, epochs=3, bidirectional=bidirectional, projection="pca"
    )
    res = trained(EXPERIMENT, cfg, data=str(upload_csv))
    export.write(EXPERIMENT.bundle(cfg, res, "http://localhost/sentiment"), folder)
    metrics = EXPERIMENT.report(cfg, res)["metrics"]
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
    film_table = pd.read_csv(folder / "data" / "training_film.csv")
    assert list(film_table.columns[:3]) == [
        "step (optimiser steps)",
        "test sentence (row)",
        "PC 1 (hidden state, on the last snapshot's axes)",
    ]
    assert film_table["step (optimiser steps)"].iloc[0] == 0
    assert len(pd.read_csv(folder / "data" / "test_sentences.csv")) == metrics["n_test"]
