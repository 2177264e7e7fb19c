"""The padding comparison: three readers trained side by side on real review sentences, then scored on
sentences from movies none of them read about.

The three models start from the same weights and see the same batches in the same order; they differ
only in where they read a sentence's summary (see ``readers``). They are trained in one fit loop (see
``train``) as one module whose loss is the mean of theirs: each reader's parameters get exactly its own gradient,
and Adam treats every parameter on its own, so this is three trainings sharing one timeline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.core.classifier import MAX_READ_TOKENS, pad
from rnnviz.core.reviews import rotten_tomatoes, split_by_group
from rnnviz.core.vocabulary import UNK_ID, Vocab, build_vocab, words
from rnnviz.views.pytorch.readers import READERS, Reader

BATCH = 64
EMBED = 32
HIDDEN = 32
LR = 0.01
MIN_FREQ = 2
VAL_SENTENCES = 128
"""Validation sentences scored at every snapshot: the timeline's accuracies."""
TEST_SENTENCES = 2000
"""Test sentences (from unseen movies) each reader is scored on."""
TIMING_BATCHES = 12
"""Training batches timed for each reader, interleaved, to give its time per epoch."""


@dataclass(frozen=True, eq=False)
class Sentences:
    """Token ids and labels of the corpus, and which rows train, validate and test."""

    vocab: Vocab
    ids: list[list[int]]
    labels: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    """In the order they are scored, BATCH at a time: the batches are as mixed in length as in training."""
    corpus_size: int


def sentences(n_train: int, rng: np.random.Generator) -> Sentences:
    """A random ``n_train`` of the training movies' sentences; validation and test from other movies."""
    corpus = rotten_tomatoes()
    train, val, test = split_by_group(corpus.groups, rng)
    train = rng.permutation(train)[:n_train]
    tokens = [words(t)[:MAX_READ_TOKENS] for t in corpus.texts]
    vocab = build_vocab((tokens[i] for i in train), MIN_FREQ)
    return Sentences(
        vocab=vocab,
        ids=[vocab.encode(t) or [UNK_ID] for t in tokens],
        labels=np.asarray(corpus.labels, dtype=np.int64),
        train=train,
        val=rng.permutation(val)[:VAL_SENTENCES],
        test=rng.permutation(test)[:TEST_SENTENCES],
        corpus_size=len(corpus),
    )


def batches(rows: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def shuffled_batches(rows: np.ndarray, epochs: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Random batches, as most tutorials make them: short and long sentences padded together."""
    for _ in range(epochs):
        yield from batches(rng.permutation(rows))


class Readers(nn.Module):
    """The three readers as one module, so one fit loop trains them all on the same batches."""

    def __init__(self, vocab_size: int, cell: str, *, bidirectional: bool, seed: int) -> None:
        super().__init__()
        models = {}
        for name in READERS:
            torch.manual_seed(seed)  # the same starting weights for each: only the reading differs
            models[name] = Reader(name, vocab_size, cell, EMBED, HIDDEN, bidirectional=bidirectional)
        self.readers = nn.ModuleDict(models)


def correct(reader: Reader, data: Sentences, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` is classified right, read BATCH at a time in the given order: kept per
    sentence so two readers can be compared on the same sentences (paired accuracy)."""
    right = []
    with torch.no_grad():
        for rows_b in batches(rows):
            ids, lengths = pad([data.ids[i] for i in rows_b])
            right.append((reader(ids, lengths) > 0).numpy() == data.labels[rows_b])
    return np.concatenate(right)


def accuracy(reader: Reader, data: Sentences, rows: np.ndarray) -> float:
    """Share of ``rows`` classified right."""
    return float(correct(reader, data, rows).mean())


def epoch_seconds(model: Readers, data: Sentences, rng: np.random.Generator) -> dict[str, float]:
    """Forward and backward time of one epoch for each reader, timed on the same batches, interleaved.

    Interleaving spreads any load from other visitors evenly over the three, so the ratio is fair.
    """
    rows = rng.permutation(data.train)[: TIMING_BATCHES * BATCH]
    targets = torch.as_tensor(data.labels, dtype=torch.float32)
    spent = dict.fromkeys(READERS, 0.0)
    timed = list(batches(rows))
    for rows_b in timed:
        ids, lengths = pad([data.ids[i] for i in rows_b])
        for name, reader in model.readers.items():
            tic = time.perf_counter()
            loss = nn.functional.binary_cross_entropy_with_logits(reader(ids, lengths), targets[rows_b])
            loss.backward()
            spent[name] += time.perf_counter() - tic
    model.zero_grad(set_to_none=True)
    per_epoch = -(-len(data.train) // BATCH) / len(timed)
    return {name: seconds * per_epoch for name, seconds in spent.items()}


def commoner_label_correct(data: Sentences) -> np.ndarray:
    """Whether always answering the test set's commoner label is right, per test sentence: the floor
    every reader must beat, on the same sentences the readers are scored on."""
    labels = data.labels[data.test]
    return labels == int(labels.mean() >= 0.5)


SAME_STATE = 1e-5
"""A mean |difference| from the packed h_n below this is the same state up to float rounding."""


def padding_read(data: Sentences, rows: np.ndarray) -> float:
    """Mean number of padding tokens after a sentence's end in its batch: what output[:, -1] reads on top."""
    extra = []
    for rows_b in batches(rows):
        lengths = np.array([len(data.ids[i]) for i in rows_b])
        extra += list(lengths.max() - lengths)
    return float(np.mean(extra))


@dataclass(frozen=True)
class Where:
    """One place a direction's summary might be read from, and how far it is from the packed h_n."""

    direction: str
    expression: str
    run: str
    """'padded' (the layer ran over the padding) or 'packed'."""
    difference: float
    """Mean |difference| from the packed h_n of that direction, over sentences and units."""


def where_summaries(reader: Reader, data: Sentences) -> tuple[Where, ...]:
    """The packed reader's own weights run over one real test batch, padded and packed.

    Each direction's true summary is the packed h_n; every other place is measured against it.
    """
    rows = data.test[:BATCH]
    ids, lengths = pad([data.ids[i] for i in rows])
    H, dirs = reader.rnn.hidden_size, reader.directions
    index = torch.arange(len(rows))
    with torch.no_grad():
        x = reader.embed(ids)
        padded, _ = reader.rnn(x)
        packed, last = reader.rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        packed, _ = pad_packed_sequence(packed, batch_first=True)
        h_n = last[0] if isinstance(last, tuple) else last
    truth = {"forward": h_n[-dirs], "backward": h_n[-1]}
    fwd, bwd = slice(0, H), slice(H, 2 * H)
    at_length = padded[index, lengths - 1]
    places = [  # direction, where a reader might look, which run, the values there
        ("forward", "output[:, -1, :H]", "padded", padded[:, -1, fwd]),
        ("forward", "output[i, length_i - 1, :H]", "padded", at_length[:, fwd]),
    ]
    if dirs == 2:
        places += [
            ("backward", "output[:, -1, H:]", "padded", padded[:, -1, bwd]),
            ("backward", "output[i, length_i - 1, H:]", "padded", at_length[:, bwd]),
            ("backward", "output[:, 0, H:]", "padded", padded[:, 0, bwd]),
            ("backward", "output[:, 0, H:]", "packed", packed[:, 0, bwd]),
        ]
    return tuple(
        Where(direction, expression, run, float((values - truth[direction]).abs().mean()))
        for direction, expression, run, values in places
    )
