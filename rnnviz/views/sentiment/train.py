"""Training the sentiment classifier on review sentences, and what it records on the way.

``run`` splits the corpus by movie, builds the vocabulary, trains the recurrent classifier (keeping
the best validation epoch), fits the bag-of-words baseline, trains the word-order control (the same
network on shuffled words) and reads every test sentence through the trained models. The snapshot capture records the hidden-state map through training: a fixed sample of
test sentences read at every snapshot, then every frame projected on the last frame's principal axes,
so that between frames a point moves only because its hidden state moved (hidden unit i is the same
unit all through training, so one basis for every frame is a fair comparison).

Other views can look inside the same trained model (the gates view names it as its upstream)::

    enc = res.classifier.tokenize("not bad at all")   # tokens, ids, notes on unknown words
    x = res.classifier.embed(enc.ids)                 # (1, time, embed): the recurrent input
    tr = cells.trace(res.classifier.model.rnn, x)     # every gate at every step, zero initial state
"""

from __future__ import annotations

import argparse
import copy
from functools import cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import count_parameters
from rnnviz.core.classifier import MAX_READ_TOKENS, Classifier, SentimentModel, accuracy, pad
from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit, stage_progress
from rnnviz.core.reviews import Labelled, rotten_tomatoes, split_by_group
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Capture, Frame, Timeline
from rnnviz.core.vocabulary import UNK_ID, Vocab, build_vocab, words
from rnnviz.views.sentiment.baseline import fit_bag_of_words
from rnnviz.views.sentiment.labelled_csv import read_labelled_csv
from rnnviz.views.sentiment.projection import Pca, fit_pca, silhouette
from rnnviz.views.sentiment.result import EvalScore, PositionSample, SentimentResult, Split
from rnnviz.views.sentiment.settings import SentimentConfig

BATCH = 64
CLIP = 5.0
"""Gradient-norm clip: a safety rail for the vanilla RNN at high learning rates; rarely active."""
MAP_POINTS = 2000
"""Test sentences drawn on the hidden-state map (all of them when there are fewer)."""
POSITION_SENTENCES = 100
"""Test sentences whose state at every position is drawn on the second map."""
BUDGET_SHARE = 0.5
"""Of the training budget, for each of the two trainings (the network and its shuffled-words control):
equal shares, so that a budget cut never leaves only the control undertrained."""
SHUFFLED_STREAM = 1
"""The control draws its word shuffles and batch order from a stream of its own (seeded with the run's
seed and this number), so adding it changes nothing else in a run."""
STAGES = ("the network", "the same network on shuffled words (the word-order control)")


FILM_SENTENCES = 500
"""Test sentences recorded at each snapshot: enough for two clouds to show, few enough that reading
them costs a few percent of the training time."""


def film_sample(n_test: int) -> np.ndarray:
    """Evenly spaced test rows: the same for a given split, and no draw from the run's random stream."""
    count = min(n_test, FILM_SENTENCES)
    return np.unique(np.linspace(0, n_test - 1, count).round().astype(np.int64))


def state_capture(model: SentimentModel, ids: list[list[int]], labels: np.ndarray) -> Capture:
    """What the map needs at a snapshot: each sentence's final state, P(positive) and the accuracy.

    The labels travel in every frame (one byte per sentence) so that a live figure drawn from the
    latest frame alone can colour the clouds.
    """
    batch, lengths = pad(ids)
    label = np.asarray(labels, dtype=np.int8)

    def capture() -> Frame:
        states = torch.nan_to_num(model.encode(batch, lengths))  # a diverged model's states: at the origin
        prob = torch.sigmoid(model.head(states).squeeze(-1)).numpy()
        return {"accuracy": accuracy(prob, label), "states": states.numpy(), "prob": prob, "label": label}

    return capture


def align(timeline: Timeline) -> tuple[Timeline, Pca | None]:
    """The timeline with each frame's states replaced by their projection on the last frame's PCA axes.

    Frames keep the accuracy, the 2-D points and P(positive) per sentence: what the film draws and
    --json reports, a fraction of the raw states' size. An empty timeline (nothing captured) stays empty.
    """
    if not timeline.frames:
        return timeline, None
    last = timeline.frames[-1]
    pca = fit_pca(last["states"], last["label"])
    frames = [
        {
            "accuracy": frame["accuracy"],
            "points": pca.project(frame["states"]).astype(np.float32),
            "prob": frame["prob"],
        }
        for frame in timeline.frames
    ]
    return Timeline(list(timeline.steps), list(timeline.loss), frames), pca


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
        total_steps=planned_steps(cfg, len(train)),
        lr=cfg.lr,
        clip=CLIP,
        val_fn=validate,
        val_every=steps_per_epoch,
        on_progress=on_progress,
        budget_share=BUDGET_SHARE,
        capture=state_capture(model, [ids[i] for i in film_rows], labels[film_rows])
        if len(film_rows)
        else None,
    )
    history.timeline, film_axes = align(history.timeline)
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.eval()
    return Classifier(model, vocab), history, film_axes


def planned_steps(cfg: SentimentConfig, train_size: int) -> int:
    return cfg.epochs * -(-train_size // BATCH)


def shuffle_words(ids: list[list[int]], rng: np.random.Generator) -> list[list[int]]:
    """Every sentence's tokens in a random order: the same words, no word order."""
    return [[sentence[k] for k in rng.permutation(len(sentence))] for sentence in ids]


def shuffled_control(
    cfg: SentimentConfig,
    ids: list[list[int]],
    labels: np.ndarray,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    vocab: Vocab,
    on_progress: ProgressFn | None,
) -> tuple[np.ndarray, History]:
    """The same network with the same settings, trained and tested on shuffled words: its test P(positive).

    What it misses against the network is word order and nothing else, so the gap between the two is
    what word order adds (the bag of words differs in embeddings, capacity and non-linearity too).
    """
    rng = np.random.default_rng([cfg.seed, SHUFFLED_STREAM])
    shuffled = shuffle_words(ids, rng)
    no_film = np.zeros(0, dtype=np.int64)
    control, history, _ = train_classifier(cfg, shuffled, labels, parts, vocab, rng, on_progress, no_film)
    test = [shuffled[i] for i in parts[2]]
    return control.prob_from_states(control.states(test)).astype(np.float32), history


@cache
def _default_vocab_size(seed: int, min_freq: int) -> int:
    dataset = load_dataset(None)
    train = split_by_group(dataset.groups, np.random.default_rng(seed))[0]
    return len(build_vocab((words(dataset.texts[i])[:MAX_READ_TOKENS] for i in train), min_freq))


def params(cfg: SentimentConfig) -> int:
    """Trainable parameters of the classifier run() trains for ``cfg`` on the default corpus."""
    size = _default_vocab_size(cfg.seed, cfg.min_freq)
    return parameter_count(
        lambda: SentimentModel(
            size, cfg.cell, cfg.embedding, cfg.hidden, cfg.layers, bidirectional=cfg.bidirectional
        )
    )


def run(
    cfg: SentimentConfig,
    on_progress: ProgressFn | None = None,
    data: str | Path | Labelled | None = None,
    eval_csv: str | Path | Labelled | None = None,
) -> SentimentResult:
    """Train on ``data`` (an upload, a CSV path, or None for the Rotten Tomatoes corpus); deterministic.

    ``eval_csv`` is another labelled set the trained model is scored on (the command line's --eval-csv).
    """
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
    steps = planned_steps(cfg, len(train))
    classifier, history, film_axes = train_classifier(
        cfg,
        ids,
        labels,
        parts,
        vocab,
        rng,
        stage_progress(on_progress, STAGES[0], 0, len(STAGES) * steps),
        test[film_index],
    )

    test_ids = [ids[i] for i in test]
    test_labels = labels[test]
    test_states = classifier.states(test_ids)
    baseline = fit_bag_of_words([ids[i] for i in train], labels[train], len(vocab))
    shuffled_prob, shuffled_history = shuffled_control(
        cfg, ids, labels, parts, vocab, stage_progress(on_progress, STAGES[1], steps, len(STAGES) * steps)
    )

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
        hidden_silhouette=silhouette(test_states[map_index], test_labels[map_index]),
        positions=_position_sample(classifier, pca, test_ids, [tokens[i] for i in test], test_labels, rng),
        eval_score=_score(classifier, evaluation) if evaluation is not None else None,
        film_index=film_index,
        film_axes=film_axes,
        shuffled_prob=shuffled_prob,
        shuffled_history=shuffled_history,
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line's data options, passed to :func:`run` as ``data`` and ``eval_csv``."""
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
