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
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import CELLS, count_parameters
from rnnviz.core.classifier import MAX_READ_TOKENS, Classifier, SentimentModel, pad
from rnnviz.core.config import LEARNING_RATES, learning_rate_param, param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.reviews import Labelled, rotten_tomatoes, split_by_group
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.vocabulary import UNK_ID, Vocab, build_vocab, words
from rnnviz.views.sentiment.baseline import BagOfWords, fit_bag_of_words
from rnnviz.views.sentiment.labelled_csv import read_labelled_csv
from rnnviz.views.sentiment.projection import (
    MIN_TSNE_POINTS,
    Pca,
    TsneMap,
    fit_pca,
    fit_tsne,
    nearest,
    silhouette,
)

BATCH = 64
CLIP = 5.0
"""Gradient-norm clip: a safety rail for the vanilla RNN at high learning rates; rarely active."""
MAP_POINTS = 2000
"""Test sentences drawn on the hidden-state map (all of them when there are fewer)."""
POSITION_SENTENCES = 100
"""Test sentences whose state at every position is drawn on the second map."""
NEIGHBOURS = 8
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
        label="Minimum word count",
        help="Words seen fewer times in the training sentences share one unknown token, <unk>.",
        min=1,
        max=10,
        unit="times",
    )
    cell: str = param("gru", label="Cell", help="The recurrent cell type.", choices=CELLS)
    embed: int = param(
        32,
        label="Embedding size",
        help="Length of the learned vector that stands for each word.",
        min=8,
        max=128,
        step=8,
        unit="dims",
    )
    hidden: int = param(
        32,
        label="Hidden size",
        help="Units in the hidden state: the sentence's running summary.",
        min=4,
        max=128,
        step=4,
        unit="units",
    )
    layers: int = param(1, label="Layers", help="Stacked recurrent layers.", min=1, max=2)
    bidirectional: bool = param(
        False,
        label="Bidirectional",
        help="A second set of cells reads each sentence backwards; the classifier sees both final states.",
    )
    dropout: float = param(
        0.3,
        label="Dropout",
        help="Share of embedding and hidden values zeroed at random while training, against memorising.",
        min=0.0,
        max=0.6,
        step=0.1,
    )
    epochs: int = param(
        4,
        label="Epochs",
        help="Passes over the training sentences. The weights kept are those of the epoch with the best "
        "validation accuracy.",
        min=1,
        max=20,
        unit="epochs",
    )
    lr: float = learning_rate_param(0.01, choices=LEARNING_RATES[:4])
    seed: int = seed_param(
        0, help="Seeds the split into train, validation and test, the weights and the batch order."
    )
    sentence: str = param(
        EXAMPLES[0],
        label="Your sentence",
        help="Any text; it is read one token at a time by the trained model.",
        max_chars=2000,
        role="view",
    )
    projection: str = param(
        "tsne",
        label="Map",
        help="t-SNE keeps neighbours together (clusters show); PCA is a linear view (distances along axes are real).",
        choices={"tsne": "t-SNE", "pca": "PCA"},
        role="view",
    )
    colour: str = param(
        "label",
        label="Colour by",
        help="What the colour of each test sentence shows.",
        choices={"label": "True label", "probability": "P(positive)", "correct": "Correct or wrong"},
        role="view",
    )
    perplexity: int = param(
        30,
        label="t-SNE perplexity",
        help="Roughly how many neighbours each point tries to keep close in the t-SNE map.",
        choices=(5, 10, 20, 30, 50),
        role="view",
    )


@dataclass(frozen=True)
class Split:
    name: str
    size: int
    groups: int


@dataclass(frozen=True, eq=False)
class SentimentResult:
    source: str
    notes: tuple[str, ...]
    classifier: Classifier
    baseline: BagOfWords
    history: History
    best_epoch: int
    """The epoch whose weights were kept (best validation accuracy; 0 if none was validated)."""
    splits: tuple[Split, Split, Split]
    grouped: bool
    """True when the split is by group (movie); uploads have no groups and are split by sentence."""
    params: int
    test_texts: tuple[str, ...]
    test_labels: np.ndarray
    test_prob: np.ndarray
    baseline_prob: np.ndarray
    test_states: np.ndarray
    """(n_test, state size): the final hidden state of every test sentence."""
    map_index: np.ndarray
    """Test sentences on the map (indices into the test arrays)."""
    pca: Pca
    pca_points: np.ndarray
    pca_silhouette: float | None
    positions: PositionSample
    eval_score: EvalScore | None

    @property
    def test_accuracy(self) -> float:
        return accuracy(self.test_prob, self.test_labels)

    @property
    def baseline_accuracy(self) -> float:
        return accuracy(self.baseline_prob, self.test_labels)

    @property
    def n_train(self) -> int:
        return self.splits[0].size

    @property
    def n_test(self) -> int:
        return self.splits[2].size


@dataclass(frozen=True, eq=False)
class PositionSample:
    """The state after each token of a few test sentences, projected with the map's PCA."""

    points: np.ndarray
    step: np.ndarray
    """1-based position of the token just read."""
    label: np.ndarray
    sentence: np.ndarray
    """Index into the test arrays."""
    token: tuple[str, ...]


@dataclass(frozen=True)
class EvalScore:
    name: str
    accuracy: float
    n: int


@dataclass(frozen=True, eq=False)
class Reading:
    """A typed sentence, read one token at a time."""

    tokens: tuple[str, ...]
    known: np.ndarray
    states: np.ndarray
    """(T, state size): the state after the first 1, 2, ..., T tokens."""
    prob: np.ndarray
    baseline_prob: np.ndarray
    notes: tuple[str, ...]


def accuracy(prob: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean((prob > 0.5) == (labels == 1))) if len(labels) else float("nan")


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
) -> tuple[Classifier, History]:
    """Adam on binary cross-entropy, validated once per epoch; the best epoch's weights are kept."""
    train, val, _ = parts
    model = SentimentModel(
        len(vocab),
        cfg.cell,
        cfg.embed,
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
    )
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.eval()
    return Classifier(model, vocab), history


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
    classifier, history = train_classifier(cfg, ids, labels, parts, vocab, rng, on_progress)

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


def drift(sample: PositionSample) -> dict[str, tuple[float, float]]:
    """How the position map changes from the first word to the last, along PC 1.

    'gap' is the mean of positive minus negative sentences; 'spread' is the standard deviation
    of all of them. Each is given after the first token and after each sentence's last token.
    """
    first = sample.step == 1
    last = np.r_[sample.sentence[1:] != sample.sentence[:-1], True]
    pc1 = sample.points[:, 0]

    def gap(mask: np.ndarray) -> float:
        pos, neg = mask & (sample.label == 1), mask & (sample.label == 0)
        return float(pc1[pos].mean() - pc1[neg].mean()) if pos.any() and neg.any() else 0.0

    return {
        "gap": (gap(first), gap(last)),
        "spread": (float(pc1[first].std()), float(pc1[last].std())),
    }


def _score(classifier: Classifier, data: Labelled) -> EvalScore:
    ids = [classifier.vocab.encode(words(t)[:MAX_READ_TOKENS]) for t in data.texts]
    prob = classifier.prob_from_states(classifier.states(ids))
    return EvalScore(data.name, accuracy(prob, np.asarray(data.labels)), len(data))


_TSNE_MAPS: weakref.WeakKeyDictionary[SentimentResult, dict[float, TsneMap]] = weakref.WeakKeyDictionary()
_TSNE_LOCK = threading.Lock()


def tsne_map(res: SentimentResult, perplexity: float) -> TsneMap | None:
    """The t-SNE map of the test states, computed once per result and perplexity.

    Kept beside the result and dropped with it when the bounded result cache evicts it; one
    t-SNE runs at a time, so a burst of visitors cannot stack them. None when there are too
    few test sentences for t-SNE to mean anything.
    """
    if len(res.map_index) < MIN_TSNE_POINTS:
        return None
    with _TSNE_LOCK:
        maps = _TSNE_MAPS.setdefault(res, {})
        if perplexity not in maps:
            shown = res.map_index
            maps[perplexity] = fit_tsne(
                res.test_states[shown], perplexity, seed=0, labels=res.test_labels[shown]
            )
        return maps[perplexity]


def has_tsne(res: SentimentResult, perplexity: float) -> bool:
    """Whether tsne_map would answer at once, so a page can show PCA while it computes instead."""
    with _TSNE_LOCK:
        return perplexity in _TSNE_MAPS.get(res, {})


def read_sentence(res: SentimentResult, text: str) -> Reading:
    """What the model (and the baseline) think after each token of ``text``; no tokens, no pictures."""
    enc = res.classifier.tokenize(text)
    if not enc.tokens:
        return Reading(
            (), np.zeros(0, bool), np.zeros((0, res.test_states.shape[1])), np.zeros(0), np.zeros(0), ()
        )
    states = res.classifier.prefix_states(enc.ids)
    return Reading(
        tokens=enc.tokens,
        known=np.array([res.classifier.vocab.known(t) for t in enc.tokens]),
        states=states,
        prob=res.classifier.prob_from_states(states),
        baseline_prob=res.baseline.prefix_prob(enc.ids),
        notes=enc.notes,
    )


def biggest_change(reading: Reading) -> int:
    """The token after which the hidden state moved furthest, from the second token on.

    The first step always moves far (from the zero initial state), so it is only an answer
    for a one-token sentence.
    """
    if len(reading.tokens) == 1:
        return 0
    return 1 + int(np.argmax(np.linalg.norm(np.diff(reading.states, axis=0), axis=1)))


def readout_terms(res: SentimentResult, state: np.ndarray) -> tuple[float, float]:
    """w·h and b of the logistic read-out P(positive) = sigmoid(w·h + b), for writing it out with numbers."""
    head = res.classifier.model.head
    return float(head.weight.detach().numpy()[0] @ state), float(head.bias.detach()[0])


def neighbours(res: SentimentResult, state: np.ndarray, exclude: int | None = None) -> list[dict]:
    """The test sentences whose hidden states lie closest to ``state``, nearest first."""
    order, distance = nearest(res.test_states, state, NEIGHBOURS, exclude)
    return [
        {
            "sentence": res.test_texts[i],
            "label": "positive" if res.test_labels[i] else "negative",
            "P(positive)": float(res.test_prob[i]),
            "distance": float(d),
        }
        for i, d in zip(order, distance, strict=True)
    ]


def word_order_cases(res: SentimentResult) -> tuple[list[int], dict[str, int]]:
    """Test sentences with a negation or 'but' on which the network and the baseline disagree.

    Returns their indices (most confident disagreement first) and how often each side is right.
    """
    cues = {"not", "n't", "no", "never", "but", "nothing", "hardly"}
    rnn_says = res.test_prob > 0.5
    bow_says = res.baseline_prob > 0.5
    cases = [
        i
        for i, text in enumerate(res.test_texts)
        if rnn_says[i] != bow_says[i] and cues.intersection(words(text))
    ]
    cases.sort(key=lambda i: -abs(res.test_prob[i] - res.baseline_prob[i]))
    truth = res.test_labels == 1
    return cases, {
        "network": int(sum(rnn_says[i] == truth[i] for i in cases)),
        "baseline": int(sum(bow_says[i] == truth[i] for i in cases)),
    }


def map_silhouette(res: SentimentResult, projection: str, perplexity: float) -> float | None:
    """How well a map separates the true labels (silhouette of its 2-D points)."""
    if projection == "pca":
        return res.pca_silhouette
    tsne = tsne_map(res, perplexity)
    return tsne.silhouette if tsne is not None else None


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
    return out


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
)
