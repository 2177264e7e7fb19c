"""The classical baseline: interpolated modified Kneser–Ney character n-grams of orders 1 to MAX_ORDER.

A network is only impressive if it beats counting. This baseline counts every k-gram of the
training text once (NumPy, no Python loop over characters) and gives every order's
probabilities in one pass, so the best order can be chosen on held-out training text at the
cost of one evaluation. Kneser–Ney's lower orders count in how many contexts a string follows
(continuation counts), not how often it occurs, which is what makes it a strong baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_ORDER = 8
"""Longest n-gram: seven characters of context."""


@dataclass(frozen=True)
class _Table:
    """Counts of k-grams (sorted keys) and, per context (the first k-1 characters), the sums KN needs."""

    keys: np.ndarray
    counts: np.ndarray
    contexts: np.ndarray
    totals: np.ndarray
    """Sum of the counts of every k-gram with that context."""
    backoff: np.ndarray
    """D1·N1 + D2·N2 + D3·N3+: the probability mass (times the total) handed to the lower order."""
    discounts: tuple[float, float, float]


def _keys(ids: np.ndarray, k: int, vocab: int) -> np.ndarray:
    """Every k-gram of ``ids`` as one int64 (base-``vocab`` digits), one per start position."""
    out = np.zeros(len(ids) - k + 1, dtype=np.int64)
    for j in range(k):
        out = out * vocab + ids[j : len(ids) - k + 1 + j]
    return out


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Chen & Goodman's estimates of D1, D2, D3+ from how many k-grams occur 1, 2, 3 and 4 times."""
    n = [int((counts == c).sum()) for c in (1, 2, 3, 4)]
    if min(n) == 0:
        return 0.5, 1.0, 1.5
    y = n[0] / (n[0] + 2 * n[1])
    d = (1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2])
    return tuple(float(np.clip(v, 0.05, c)) for v, c in zip(d, (1, 2, 3), strict=True))


def _table(keys: np.ndarray, counts: np.ndarray, vocab: int) -> _Table:
    d = _discounts(counts)
    contexts, where = np.unique(keys // vocab, return_inverse=True)
    per_gram = np.select([counts == 1, counts == 2], [d[0], d[1]], d[2])
    return _Table(
        keys=keys,
        counts=counts,
        contexts=contexts,
        totals=np.bincount(where, weights=counts, minlength=len(contexts)),
        backoff=np.bincount(where, weights=per_gram, minlength=len(contexts)),
        discounts=d,
    )


def _lookup(sorted_keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """values[key] for each query, 0 where the key is absent."""
    if len(sorted_keys) == 0:
        return np.zeros(len(queries))
    at = np.minimum(np.searchsorted(sorted_keys, queries), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == queries, values[at], 0.0)


@dataclass(frozen=True)
class NGram:
    """Raw-count tables (the top level of each order) and continuation-count tables (its lower levels)."""

    vocab: int
    raw: tuple[_Table, ...]
    continuation: tuple[_Table, ...]
    """continuation[k-1]: level k, counted as the number of distinct characters that precede each k-gram."""


def train(ids: np.ndarray, vocab: int, max_order: int = MAX_ORDER) -> NGram:
    raw, continuation = [], []
    for k in range(1, max_order + 1):
        keys, counts = np.unique(_keys(ids, k, vocab), return_counts=True)
        raw.append(_table(keys, counts, vocab))
        if k >= 2:  # the distinct k-grams ending in each (k-1)-gram are its continuation count
            suffixes, cont = np.unique(keys % vocab ** (k - 1), return_counts=True)
            continuation.append(_table(suffixes, cont, vocab))
    return NGram(vocab, tuple(raw), tuple(continuation))


def _level(table: _Table, grams: np.ndarray, lower: np.ndarray, vocab: int) -> np.ndarray:
    """p(w | h) at one level, interpolated with the lower level's p(w | shorter h)."""
    count = _lookup(table.keys, table.counts.astype(float), grams)
    contexts = grams // vocab
    total = _lookup(table.contexts, table.totals, contexts)
    backoff = _lookup(table.contexts, table.backoff, contexts)
    d = np.select([count == 0, count == 1, count == 2], [0.0, *table.discounts[:2]], table.discounts[2])
    seen = total > 0
    safe = np.where(seen, total, 1.0)
    return np.where(seen, (np.maximum(count - d, 0.0) + backoff * lower) / safe, lower)


def log_probs(model: NGram, ids: np.ndarray, start: int) -> np.ndarray:
    """ln p(ids[t] | the characters before it) for t >= ``start``, for every order: (orders, positions).

    ``start`` must leave room for the longest context (start >= max order - 1).
    """
    orders = len(model.raw)
    if start < orders - 1:
        raise ValueError(f"start must be at least {orders - 1} to give every order its context")
    lower = np.full(len(ids) - start, 1.0 / model.vocab)
    out = np.empty((orders, len(ids) - start))
    for k in range(1, orders + 1):
        grams = _keys(ids[start - k + 1 :], k, model.vocab)
        out[k - 1] = np.log(_level(model.raw[k - 1], grams, lower, model.vocab))
        if k < orders:
            lower = _level(model.continuation[k - 1], grams, lower, model.vocab)
    return out


@dataclass(frozen=True)
class Baseline:
    order: int
    """The order chosen on held-out training text."""
    dev_nats: tuple[float, ...]
    """Nats per character of orders 1..MAX_ORDER on the held-out part of the training text."""
    test_nats: tuple[float, ...]
    """The same orders, retrained on all the training text, on the test text."""
    char_nats: np.ndarray = field(compare=False)
    """The chosen order's nats on each test character, in text order (float32): what the network's
    per-character losses are paired with to put an interval on the difference."""

    @property
    def nats(self) -> float:
        return self.test_nats[self.order - 1]


DEV_SHARE = 0.1
"""Share of the training text, at its end, held out to choose the order."""


def baseline(ids: np.ndarray, split: int, vocab: int, max_order: int = MAX_ORDER) -> Baseline:
    """Choose the order on the last DEV_SHARE of ids[:split], then score ids[split:] trained on ids[:split].

    ``vocab`` is the size of the alphabet the probabilities spread over, as for the network.
    """
    dev = max(max_order - 1, int(split * (1 - DEV_SHARE)))
    dev_nats = -log_probs(train(ids[:dev], vocab, max_order), ids[:split], dev).mean(axis=1)
    test_losses = -log_probs(train(ids[:split], vocab, max_order), ids, split)
    order = int(np.argmin(dev_nats)) + 1
    return Baseline(
        order=order,
        dev_nats=tuple(float(v) for v in dev_nats),
        test_nats=tuple(float(v) for v in test_losses.mean(axis=1)),
        char_nats=test_losses[order - 1].astype(np.float32),
    )
