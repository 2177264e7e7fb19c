"""Questions a page asks of a trained sentiment result: a typed sentence read word by word, its
neighbours, the word-order cases, the t-SNE map (computed once per result) and how the states drift.

Nothing here trains; each answer is read off the cached result and the model in it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from rnnviz.core.memo import by_result
from rnnviz.core.reviews import LABELS
from rnnviz.core.vocabulary import words
from rnnviz.views.sentiment.projection import MIN_TSNE_POINTS, TsneMap, fit_tsne, nearest
from rnnviz.views.sentiment.result import PositionSample, SentimentResult

NEIGHBOURS = 8


@dataclass(frozen=True, eq=False)
class SentenceReading:
    """A typed sentence, read one token at a time."""

    tokens: tuple[str, ...]
    known: np.ndarray
    states: np.ndarray
    """(T, state size): the state after the first 1, 2, ..., T tokens."""
    prob: np.ndarray
    baseline_prob: np.ndarray
    notes: tuple[str, ...]


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


@by_result
def read_sentence(res: SentimentResult, text: str) -> SentenceReading:
    """What the model (and the baseline) think after each token of ``text``; no tokens, no pictures."""
    enc = res.classifier.tokenize(text)
    if not enc.tokens:
        return SentenceReading(
            (), np.zeros(0, bool), np.zeros((0, res.test_states.shape[1])), np.zeros(0), np.zeros(0), ()
        )
    states = res.classifier.prefix_states(enc.ids)
    return SentenceReading(
        tokens=enc.tokens,
        known=np.array([res.classifier.vocab.known(t) for t in enc.tokens]),
        states=states,
        prob=res.classifier.prob_from_states(states),
        baseline_prob=res.baseline.prefix_prob(enc.ids),
        notes=enc.notes,
    )


def biggest_change(reading: SentenceReading) -> int:
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


@by_result
def neighbours(res: SentimentResult, state: np.ndarray, exclude: int | None = None) -> list[dict]:
    """The test sentences whose hidden states lie closest to ``state``, nearest first."""
    order, distance = nearest(res.test_states, state, NEIGHBOURS, exclude)
    return [
        {
            "sentence": res.test_texts[i],
            "label": LABELS[int(res.test_labels[i])],
            "P(positive)": float(res.test_prob[i]),
            "distance": float(d),
        }
        for i, d in zip(order, distance, strict=True)
    ]


CUES = frozenset({"not", "n't", "no", "never", "but", "nothing", "hardly"})
"""Words whose meaning depends on where they stand: a negation, or a 'but' that turns the sentence."""


@by_result
def cue_sentences(res: SentimentResult) -> np.ndarray:
    """Which test sentences contain a negation or 'but' (a boolean mask over the test arrays)."""
    return np.array([bool(CUES.intersection(words(text))) for text in res.test_texts], dtype=bool)


@by_result
def word_order_cases(res: SentimentResult) -> list[int]:
    """Test sentences with a negation or 'but' on which the network and its shuffled-words control disagree.

    The two differ in word order only, so these are the sentences where order changed the verdict;
    most confident disagreement first.
    """
    in_order, shuffled = res.test_prob > 0.5, res.shuffled_prob > 0.5
    cases = [int(i) for i in np.flatnonzero(cue_sentences(res) & (in_order != shuffled))]
    return sorted(cases, key=lambda i: -abs(float(res.test_prob[i]) - float(res.shuffled_prob[i])))


WORD_ORDER_SHOWN = 8
"""Word-order cases listed on the page, most confident disagreement first."""


@by_result
def word_order_rows(res: SentimentResult, cases: list[int]) -> list[dict]:
    """The first WORD_ORDER_SHOWN cases as table rows: sentence, truth and each model's P(positive)."""
    return [
        {
            "sentence": res.test_texts[i],
            "true label": LABELS[int(res.test_labels[i])],
            "network": float(res.test_prob[i]),
            "shuffled words": float(res.shuffled_prob[i]),
            "bag of words": float(res.baseline_prob[i]),
        }
        for i in cases[:WORD_ORDER_SHOWN]
    ]


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


def sentences_in(sample: PositionSample) -> int:
    """How many test sentences the position sample follows."""
    return len(set(sample.sentence.tolist()))
