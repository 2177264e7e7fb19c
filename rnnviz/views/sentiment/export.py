"""What the sentiment view reports (``--json``) and offers for download: its figures, their data with
units, the trained classifier's weights and a plain-torch script that recomputes the test accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.core.figures import loss_curve
from rnnviz.core.reviews import LABELS
from rnnviz.core.vocabulary import UNK_ID
from rnnviz.views.sentiment.figures import (
    accuracy_curve,
    confusion_figure,
    pca_map,
    reading_figure,
    training_film,
)
from rnnviz.views.sentiment.reading import read_sentence
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import SentimentConfig

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""The standalone script shipped as reproduce.py: it prints the test accuracy, the view's metric."""
TEST_SET_FILE = "test_set.json"
"""What reproduce.py reads: the model's shape, and each test sentence as token ids with its label."""
PROBABILITY = "(probability, 0..1)"


def test_set(res: SentimentResult) -> dict:
    """The classifier's shape and the test split as the model reads it (unknown words as <unk>)."""
    model = res.classifier.model
    rnn = model.rnn
    cell = "rnn_relu" if getattr(rnn, "nonlinearity", "") == "relu" else type(rnn).__name__.lower()
    return {
        "model": {
            "cell": cell,
            "vocab_size": model.embed.num_embeddings,
            "embed": rnn.input_size,
            "hidden": rnn.hidden_size,
            "layers": rnn.num_layers,
            "bidirectional": rnn.bidirectional,
        },
        "ids": [list(res.classifier.tokenize(t).ids) or [UNK_ID] for t in res.test_texts],
        "labels": [int(y) for y in res.test_labels],
    }


def tables(res: SentimentResult) -> dict[str, pd.DataFrame]:
    points = res.pca.project(res.test_states)
    test = pd.DataFrame(
        {
            "test sentence (row)": range(res.n_test),
            "sentence": res.test_texts,
            "true label": [LABELS[int(y)] for y in res.test_labels],
            f"network P(positive) {PROBABILITY}": res.test_prob,
            f"bag of words P(positive) {PROBABILITY}": res.baseline_prob,
            f"shuffled-words network P(positive) {PROBABILITY}": res.shuffled_prob,
            "PC 1 (final hidden state, projected)": points[:, 0],
            "PC 2 (final hidden state, projected)": points[:, 1],
        }
    )
    history = res.history
    out = {
        "test_sentences": test,
        "training_loss": pd.DataFrame(
            {
                "step (optimiser steps)": range(1, history.steps + 1),
                "training loss (binary cross-entropy, nats)": history.loss,
            }
        ),
        "validation": pd.DataFrame(
            {
                "step (optimiser steps)": history.val_steps,
                "validation loss (binary cross-entropy, nats)": history.val_loss,
                "validation accuracy (share right, 0..1)": history.val_accuracy,
            }
        ),
    }
    timeline = history.timeline
    if timeline.frames:
        out["training_film"] = pd.DataFrame(
            [
                {
                    "step (optimiser steps)": step,
                    "test sentence (row)": int(row),
                    "PC 1 (hidden state, on the last snapshot's axes)": float(frame["points"][k, 0]),
                    "PC 2 (hidden state, on the last snapshot's axes)": float(frame["points"][k, 1]),
                    f"P(positive) {PROBABILITY}": float(frame["prob"][k]),
                }
                for step, frame in zip(timeline.steps, timeline.frames, strict=True)
                for k, row in enumerate(res.film_index)
            ]
        )
    return out


def report(cfg: SentimentConfig, res: SentimentResult) -> dict[str, Any]:
    """The numbers of a run, and the sentences the training film follows (the core adds the timeline)."""
    metrics = {
        "test_accuracy": res.test_accuracy,
        "baseline_accuracy": res.baseline_accuracy,
        "shuffled_accuracy": res.shuffled_accuracy,
        "train_seconds": round(res.history.seconds, 1),
        "n_train": res.n_train,
        "n_test": res.n_test,
        "silhouette": res.hidden_silhouette,
    }
    if res.eval_score is not None:
        metrics["eval_accuracy"] = res.eval_score.accuracy
        metrics["n_eval"] = res.eval_score.n
    return {
        "data": res.source,
        "metrics": metrics,
        "timeline_sentences": [
            {"text": res.test_texts[i], "label": int(res.test_labels[i])} for i in res.film_index
        ],
    }


def figures(cfg: SentimentConfig, res: SentimentResult) -> dict:
    reading = read_sentence(res, cfg.sentence)
    out = {
        "Loss": loss_curve(res.history, log_y=False),
        "Validation accuracy": accuracy_curve(res.history, res.best_epoch, res.baseline_accuracy),
        "Confusion on the test sentences": confusion_figure(res.test_labels, res.test_prob),
        "Hidden-state map (PCA)": pca_map(res, cfg.colour, reading),
    }
    if res.history.timeline.frames:
        out["The hidden-state map through training"] = training_film(res)
    if reading.tokens:
        out["Your sentence, word by word"] = reading_figure(
            reading.tokens, reading.prob, reading.baseline_prob, reading.known
        )
    return out


def export(cfg: SentimentConfig, res: SentimentResult) -> Export:
    return Export(
        figures=figures(cfg, res),
        tables=tables(res),
        weights=res.classifier.model.state_dict(),
        reproduce=REPRODUCE,
        files={TEST_SET_FILE: json.dumps(test_set(res), separators=(",", ":")).encode()},
    )
