"""A stand-in for the sentiment view's result, trained in a second from core pieces alone.

The gates view reads only the sentiment result's classifier, test sentences, test labels and history;
building those here keeps these tests independent of how the sentiment view trains.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch
from torch import nn

from rnnviz.core.classifier import Classifier, SentimentModel, pad
from rnnviz.core.fit import fit
from rnnviz.core.vocabulary import build_vocab, words

SENTENCES = 240
TEST = 40
"""The last sentences are the test set the gates view reads."""
STEPS = 60


def tiny_reviews() -> tuple[list[str], list[int]]:
    """Sentences whose sentiment is one learnable word among filler."""
    rng = np.random.default_rng(0)
    good, bad = ("good", "great", "fine", "lovely"), ("bad", "awful", "dull", "poor")
    texts, labels = [], []
    for _ in range(SENTENCES):
        label = int(rng.integers(0, 2))
        word = rng.choice(good if label else bad)
        filler = " ".join(
            rng.choice(["the", "film", "was", "a", "plot", "and"], size=int(rng.integers(1, 6)))
        )
        texts.append(f"{filler} {word} {filler}")
        labels.append(label)
    return texts, labels


def tiny_sentiment(cell: str, seed: int = 0) -> SimpleNamespace:
    """What the sentiment experiment's result offers the gates view, for a small ``cell`` classifier."""
    texts, labels = tiny_reviews()
    train = slice(0, SENTENCES - TEST)
    vocab = build_vocab((words(t) for t in texts[train]), 1)
    torch.manual_seed(seed)
    model = SentimentModel(len(vocab), cell, 8, 8)
    ids, lengths = pad([vocab.encode(words(t)) for t in texts[train]])
    y = torch.tensor(labels[train], dtype=torch.float32)
    rng = np.random.default_rng(seed)

    def loss_fn(rows: np.ndarray) -> torch.Tensor:
        rows = torch.from_numpy(rows)
        return nn.functional.binary_cross_entropy_with_logits(model(ids[rows], lengths[rows]), y[rows])

    history = fit(
        model,
        loss_fn,
        (rng.integers(0, len(y), 32) for _ in range(STEPS)),
        total_steps=STEPS,
        lr=0.03,
    )
    model.eval()
    return SimpleNamespace(
        classifier=Classifier(model, vocab),
        test_texts=tuple(texts[SENTENCES - TEST :]),
        test_labels=np.asarray(labels[SENTENCES - TEST :]),
        history=history,
    )
