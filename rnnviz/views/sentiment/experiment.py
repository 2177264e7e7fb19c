"""Experiment ``sentiment``: a recurrent classifier on real review sentences, and maps of its hidden states.

Other views can look inside the same trained model. In a page::

    res = ui.run(sentiment.EXPERIMENT, sentiment.SentimentConfig(cell="lstm"))
    enc = res.classifier.tokenize("not bad at all")   # tokens, ids, notes on unknown words
    x = res.classifier.embed(enc.ids)                 # (1, time, embed): the recurrent input
    tr = cells.trace(res.classifier.model.rnn, x)     # every gate at every step, zero initial state

Outside Streamlit, ``sentiment.run(SentimentConfig())`` gives the same result (deterministic).
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from rnnviz.core.cells import count_parameters
from rnnviz.core.classifier import MAX_READ_TOKENS, Classifier, SentimentModel, accuracy, pad
from rnnviz.core.config import (
    LEARNING_RATES,
    cell_param,
    embedding_param,
    epochs_param,
    hidden_param,
    layers_param,
    learning_rate_param,
    param,
    seed_param,
    view_param,
)
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.reviews import Labelled, rotten_tomatoes, split_by_group
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.vocabulary import UNK_ID, Vocab, build_vocab, words
from rnnviz.views.sentiment.baseline import fit_bag_of_words
from rnnviz.views.sentiment.export import sentiment_export
from rnnviz.views.sentiment.figures import training_film
from rnnviz.views.sentiment.film import align, film_sample, state_capture
from rnnviz.views.sentiment.labelled_csv import read_labelled_csv
from rnnviz.views.sentiment.projection import Pca, fit_pca, silhouette
from rnnviz.views.sentiment.reading import map_silhouette
from rnnviz.views.sentiment.result import EvalScore, PositionSample, SentimentResult, Split

BATCH = 64
CLIP = 5.0
"""Gradient-norm clip: a safety rail for the vanilla RNN at high learning rates; rarely active."""
MAP_POINTS = 2000
"""Test sentences drawn on the hidden-state map (all of them when there are fewer)."""
POSITION_SENTENCES = 100
"""Test sentences whose state at every position is drawn on the second map."""
EXAMPLES = (
    "the plot is good but the acting is awful",
    "not bad at all",
    "the acting is awful but the plot is good",
    "i expected to hate it , and i loved it",
    "a masterpiece",
    "not a masterpiece",
)
"""Contrast sentences: the same words in another order, or one word that flips the meaning."""


@dataclass(frozen=True)
class SentimentConfig:
    min_freq: int = param(
        2,
        "Minimum word count",
        "Words seen fewer times in the training sentences share one unknown token, <unk>.",
        min=1,
        max=10,
        unit="times",
    )
    cell: str = cell_param("gru")
    embedding: int = embedding_param(
        32, help="Length of the learned vector that stands for each word.", min=8, max=128, step=8
    )
    hidden: int = hidden_param(
        32, min=4, max=128, help="Units in the hidden state: the sentence's running summary."
    )
    layers: int = layers_param(1, max=2)
    bidirectional: bool = param(
        False,
        "Bidirectional",
        "A second set of cells reads each sentence backwards; the classifier sees both final states.",
    )
    dropout: float = param(
        0.3,
        "Dropout",
        "Share of embedding and hidden values zeroed at random while training, against memorising.",
        min=0.0,
        max=0.6,
        step=0.1,
    )
    epochs: int = epochs_param(
        4,
        help="Passes over the training sentences. The weights kept are those of the epoch with the best "
        "validation accuracy.",
        max=20,
    )
    lr: float = learning_rate_param(0.01, choices=LEARNING_RATES[:4])
    seed: int = seed_param(
        0, help="Seeds the split into train, validation and test, the weights and the batch order."
    )
    sentence: str = view_param(
        EXAMPLES[0],
        "Your sentence",
        "Any text; it is read one token at a time by the trained model.",
        max_chars=2000,
    )
    projection: str = view_param(
        "tsne",
        "Map",
        "t-SNE keeps neighbours together (clusters show); PCA is a linear view (distances along axes are real).",
        choices={"tsne": "t-SNE", "pca": "PCA"},
    )
    colour: str = view_param(
        "label",
        "Colour by",
        "What the colour of each test sentence shows.",
        choices={"label": "True label", "probability": "P(positive)", "correct": "Correct or wrong"},
    )
    perplexity: int = view_param(
        30,
        "t-SNE perplexity",
        "Roughly how many neighbours each point tries to keep close in the t-SNE map.",
        choices=(5, 10, 20, 30, 50),
    )


def load_dataset(source: str | Path | Labelled | None) -> Labelled:
    """The default corpus, an already-validated upload, or a CSV file named on the command line."""
    if source is None:
        return rotten_tomatoes()
    if isinstance(source, Labelled):
        return source
    return read_labelled_csv(source)


def length_batches(lengths: np.ndarray, epochs: int, rng: np.random.Generator):
    """Row indices of each batch: shuffled, then sorted by length so that a batch's sentences end together.

    A packed batch takes as many sequential steps as its longest sentence, so grouping similar
    lengths roughly halves the time per epoch; the batch order is shuffled again each epoch.
    """
    for _ in range(epochs):
        order = rng.permutation(len(lengths))
        order = order[np.argsort(lengths[order], kind="stable")]
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        for k in rng.permutation(len(batches)):
            yield batches[k]


def train_classifier(
    cfg: SentimentConfig,
    ids: list[list[int]],
    labels: np.ndarray,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    vocab: Vocab,
    rng: np.random.Generator,
    on_progress: ProgressFn | None,
    film_rows: np.ndarray,
) -> tuple[Classifier, History, Pca | None]:
    """Adam on binary cross-entropy, validated once per epoch; the best epoch's weights are kept.

    The ``film_rows`` sentences are read at every snapshot; the returned timeline holds them
    projected on the last snapshot's PCA axes, which are returned too.
    """
    train, val, _ = parts
    model = SentimentModel(
        len(vocab),
        cfg.cell,
        cfg.embedding,
        cfg.hidden,
        cfg.layers,
        bidirectional=cfg.bidirectional,
        dropout=cfg.dropout,
    )
    train_ids, train_len = pad([ids[i] for i in train])
    train_y = torch.as_tensor(labels[train], dtype=torch.float32)
    val_ids, val_len = pad([ids[i] for i in val])
    val_y = torch.as_tensor(labels[val], dtype=torch.float32)

    def loss_fn(rows: np.ndarray) -> torch.Tensor:
        rows = torch.from_numpy(rows)
        lengths = train_len[rows]
        logits = model(train_ids[rows, : int(lengths.max())], lengths)
        return nn.functional.binary_cross_entropy_with_logits(logits, train_y[rows])

    best: dict = {"accuracy": -1.0, "state": None}

    def validate() -> tuple[float, float]:
        """Loss and accuracy; keeping the best weights means an extra epoch cannot spoil the model."""
        logits = model(val_ids, val_len)
        acc = float(((logits > 0).float() == val_y).float().mean())
        if acc > best["accuracy"]:
            best.update(accuracy=acc, state=copy.deepcopy(model.state_dict()))
        return float(nn.functional.binary_cross_entropy_with_logits(logits, val_y)), acc

    steps_per_epoch = -(-len(train) // BATCH)
    history = fit(
        model,
        loss_fn,
        length_batches(np.array([len(ids[i]) for i in train]), cfg.epochs, rng),
        total_steps=cfg.epochs * steps_per_epoch,
        lr=cfg.lr,
        clip=CLIP,
        val_fn=validate,
        val_every=steps_per_epoch,
        on_progress=on_progress,
        budget_s=TRAINING_BUDGET_S,
        capture=state_capture(model, [ids[i] for i in film_rows], labels[film_rows])
        if len(film_rows)
        else None,
    )
    history.timeline, film_axes = align(history.timeline)
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.eval()
    return Classifier(model, vocab), history, film_axes


def run(
    cfg: SentimentConfig,
    on_progress: ProgressFn | None = None,
    data: str | Path | Labelled | None = None,
    eval_csv: str | Path | Labelled | None = None,
) -> SentimentResult:
    dataset = load_dataset(data)
    evaluation = load_dataset(eval_csv) if eval_csv is not None else None
    rng = seed_everything(cfg.seed)
    parts = split_by_group(dataset.groups, rng)
    train, _, test = parts
    tokens = [words(t)[:MAX_READ_TOKENS] for t in dataset.texts]
    labels = np.asarray(dataset.labels, dtype=np.int64)
    vocab = build_vocab((tokens[i] for i in train), cfg.min_freq)
    ids = [vocab.encode(t) or [UNK_ID] for t in tokens]
    film_index = film_sample(len(test))
    classifier, history, film_axes = train_classifier(
        cfg, ids, labels, parts, vocab, rng, on_progress, test[film_index]
    )

    test_ids = [ids[i] for i in test]
    test_labels = labels[test]
    test_states = classifier.states(test_ids)
    baseline = fit_bag_of_words([ids[i] for i in train], labels[train], len(vocab))

    map_index = np.arange(len(test))
    if len(test) > MAP_POINTS:
        map_index = np.sort(rng.choice(len(test), MAP_POINTS, replace=False))
    pca = fit_pca(test_states[map_index], test_labels[map_index])
    pca_points = pca.project(test_states[map_index])

    return SentimentResult(
        source=dataset.name,
        notes=dataset.notes,
        classifier=classifier,
        baseline=baseline,
        history=history,
        best_epoch=int(np.argmax(history.val_accuracy)) + 1 if history.val_accuracy else 0,
        splits=tuple(
            Split(name, len(rows), len({dataset.groups[i] for i in rows}))
            for name, rows in zip(("train", "validation", "test"), parts, strict=True)
        ),
        grouped=len(set(dataset.groups)) < len(dataset),
        params=count_parameters(classifier.model),
        test_texts=tuple(dataset.texts[i] for i in test),
        test_labels=test_labels,
        test_prob=classifier.prob_from_states(test_states),
        baseline_prob=baseline.prob(test_ids),
        test_states=test_states,
        map_index=map_index,
        pca=pca,
        pca_points=pca_points,
        pca_silhouette=silhouette(pca_points, test_labels[map_index]),
        positions=_position_sample(classifier, pca, test_ids, [tokens[i] for i in test], test_labels, rng),
        eval_score=_score(classifier, evaluation) if evaluation is not None else None,
        film_index=film_index,
        film_axes=film_axes,
    )


def _position_sample(
    classifier: Classifier,
    pca: Pca,
    ids: list[list[int]],
    tokens: list[list[str]],
    labels: np.ndarray,
    rng: np.random.Generator,
) -> PositionSample:
    chosen = np.sort(rng.choice(len(ids), min(POSITION_SENTENCES, len(ids)), replace=False))
    prefixes = [ids[i][: t + 1] for i in chosen for t in range(len(ids[i]))]
    sentence = np.array([i for i in chosen for _ in ids[i]], dtype=np.int64)
    return PositionSample(
        points=pca.project(classifier.states(prefixes)),
        step=np.array([t + 1 for i in chosen for t in range(len(ids[i]))], dtype=np.int64),
        label=labels[sentence],
        sentence=sentence,
        token=tuple(tok for i in chosen for tok in tokens[i]),
    )


def _score(classifier: Classifier, data: Labelled) -> EvalScore:
    ids = [classifier.vocab.encode(words(t)[:MAX_READ_TOKENS]) for t in data.texts]
    prob = classifier.prob_from_states(classifier.states(ids))
    return EvalScore(data.name, accuracy(prob, np.asarray(data.labels)), len(data))


def report(cfg: SentimentConfig, res: SentimentResult) -> dict:
    metrics = {
        "test_accuracy": res.test_accuracy,
        "baseline_accuracy": res.baseline_accuracy,
        "train_seconds": round(res.history.seconds, 1),
        "n_train": res.n_train,
        "n_test": res.n_test,
        "silhouette": map_silhouette(res, cfg.projection, cfg.perplexity),
    }
    if res.eval_score is not None:
        metrics["eval_accuracy"] = res.eval_score.accuracy
        metrics["n_eval"] = res.eval_score.n
    out = {"data": res.source, "metrics": metrics}
    if res.notes:
        out["notes"] = list(res.notes)
    out["timeline"] = res.history.timeline.json()
    out["timeline_sentences"] = [
        {"text": res.test_texts[i], "label": int(res.test_labels[i])} for i in res.film_index
    ]
    return out


def main_film(cfg: SentimentConfig, res: SentimentResult) -> go.Figure | None:
    """The hidden-state map through training; None when nothing was recorded."""
    return training_film(res) if res.history.timeline.frames else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="PATH.csv",
        default=None,
        help="train on this CSV (text and label columns; labels 0/1 or negative/positive) instead of the "
        "Rotten Tomatoes corpus",
    )
    parser.add_argument(
        "--eval-csv",
        metavar="PATH.csv",
        default=None,
        help="also score the trained model on this labelled CSV (same format): adds eval_accuracy, n_eval",
    )


EXPERIMENT = Experiment(
    name="sentiment",
    title="Sentiment hidden states",
    config=SentimentConfig,
    run=run,
    report=report,
    description="Train a recurrent sentiment classifier on review sentences and map its hidden states.",
    add_arguments=add_arguments,
    export=sentiment_export,
    film=main_film,
)
