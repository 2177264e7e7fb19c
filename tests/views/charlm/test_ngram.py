import math

import numpy as np
import pytest

from rnnviz.views.charlm import ngram


def markov_text(order: int, length: int, vocab: int = 6, seed: int = 0) -> tuple[np.ndarray, float]:
    """Ids drawn from a random Markov chain with ``order`` characters of context, and its entropy rate."""
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(vocab, 0.3), size=vocab**order)
    ids = list(rng.integers(0, vocab, order))
    for _ in range(length - order):
        context = 0
        for c in ids[-order:]:
            context = context * vocab + c
        ids.append(int(rng.choice(vocab, p=table[context])))
    entropy = float(-(table * np.log(table + 1e-300)).sum(axis=1).mean())
    return np.array(ids), entropy


@pytest.mark.parametrize("order", [1, 4, 8])
def test_probabilities_of_every_order_sum_to_one(order):
    ids = np.random.default_rng(1).integers(0, 5, 3000)
    model = ngram.train(ids[:2500], 7, max_order=order)  # 7 > the 5 used: unseen characters get mass too
    for at in (2600, 2900):
        p = [np.exp(ngram.log_probs(model, np.append(ids[at - 10 : at], w), 10)[:, 0]) for w in range(7)]
        np.testing.assert_allclose(np.sum(p, axis=0), 1.0, rtol=1e-9)
        assert all(v[:,].min() > 0 for v in p)


def test_the_order_of_a_markov_chain_is_found_and_its_entropy_nearly_reached():
    ids, entropy = markov_text(2, 60_000)
    base = ngram.baseline(ids, 54_000, 6)
    assert base.order == 3  # two characters of context and the one predicted
    assert base.nats < base.test_nats[0] - 0.2 and base.nats < entropy * 1.05
    assert base.dev_nats[base.order - 1] == min(base.dev_nats)


def test_the_order_is_chosen_without_the_test_text():
    ids, _ = markov_text(1, 20_000)
    base = ngram.baseline(ids, 18_000, 6)
    scrambled = np.concatenate([ids[:18_000], np.random.default_rng(5).integers(0, 6, 2_000)])
    other = ngram.baseline(scrambled, 18_000, 6)
    assert other.dev_nats == base.dev_nats and other.order == base.order
    assert other.nats > base.nats + 0.2  # the test score alone sees the new text


def test_a_start_without_room_for_the_context_is_refused():
    model = ngram.train(np.arange(50) % 4, 4, max_order=3)
    with pytest.raises(ValueError, match="at least 2"):
        ngram.log_probs(model, np.arange(10) % 4, 1)
    assert math.isfinite(ngram.log_probs(model, np.arange(10) % 4, 2).sum())
