"""The sentiment view's prose: what the page says, and the findings (claims) this run's numbers decide."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import CELLS
from rnnviz.core.claims import Claim, claim, comparison, paired_accuracy
from rnnviz.core.fmt import sentence_case
from rnnviz.core.reviews import CORPUS_CITATION
from rnnviz.views.sentiment.labelled_csv import EXPECTED
from rnnviz.views.sentiment.reading import NEIGHBOURS, cue_sentences, drift
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import SentimentConfig
from rnnviz.views.sentiment.train import FILM_SENTENCES

DESCRIPTION = "Train a recurrent sentiment classifier on review sentences and map its hidden states."
FINDING = (
    "A network reads real review sentences word by word: see whether it beats a bag of words on the same "
    "test sentences, whether word order is what helps, and how its hidden states sort the sentences."
)
INTRO = (
    "A recurrent network reads movie-review sentences one word at a time and must say, at the end, whether "
    "the critic liked the film. Its final hidden state is the whole sentence squeezed into a few numbers: "
    "map those numbers in 2-D and see how it has sorted what it read."
)


def click_to_train(cfg: SentimentConfig) -> str:
    """What pressing Train starts: two trainings within one budget (read when asked, as training reads it)."""
    return (
        f"Training reads the training sentences {cfg.epochs} time(s), twice: once in order, once with "
        f"each sentence's words shuffled (the word-order control). Both stop at the "
        f"{training_budget_s():g} s compute budget at the latest; bigger networks and more epochs take longer."
    )


METRIC_HELP = (
    "Share of the held-out test sentences (from movies never read in training) whose sentiment the "
    "network gets right; the bag-of-words baseline on the same split is the bar to clear."
)

UPLOAD_LABEL = "Your own sentences (CSV)"
UPLOAD_HELP = f"Optional: {EXPECTED}."
UNUSABLE_UPLOAD = "Your file cannot be used (see the sidebar): training on the default corpus instead."
CORPUS_CAPTION = f"Data: {CORPUS_CITATION}"


def upload_caption(name: str, sentences: int) -> str:
    """Which data this run reads, for an upload (``name`` already escaped for markdown)."""
    return f"Data: your file {name}, {sentences:,} sentences."


BASELINE_HELP = (
    "Logistic regression on which words a sentence contains, in any order: same split, same vocabulary."
)


def accuracy_delta(res: SentimentResult) -> str:
    return f"{100 * (res.test_accuracy - res.baseline_accuracy):+.1f} points vs bag of words"


def accuracy_help(res: SentimentResult) -> str:
    return f"Share of the {res.n_test:,} test sentences whose sentiment the network gets right."


def split_help(cfg: SentimentConfig, res: SentimentResult) -> str:
    train, val, _ = res.splits
    return (
        f"Trained on {train.size:,} sentences, validated on {val.size:,}. Vocabulary: "
        f"{len(res.classifier.vocab):,} tokens seen at least {cfg.min_freq} time(s) in training."
    )


def training_help(cfg: SentimentConfig, res: SentimentResult) -> str:
    return f"{res.history.steps:,} Adam steps of {CELLS[cfg.cell]}; {res.params:,} parameters."


def split_caption(res: SentimentResult) -> str:
    """How the test sentences were kept apart from the training ones."""
    test = res.splits[2]
    if res.grouped:
        return (
            f"Split by movie: the {test.size:,} test sentences come from {test.groups} movies the network "
            "never read about, so it cannot lean on a title or an actor's name."
        )
    return "Uploaded sentences carry no movie names, so they are split sentence by sentence."


NO_SNAPSHOTS = "No snapshots were recorded for this run."


def film_caption(res: SentimentResult) -> str:
    return (
        f"The final hidden states of {len(res.film_index):,} of the {res.n_test:,} test sentences (up to "
        f"{FILM_SENTENCES} are followed), "
        f"recorded at {len(res.history.timeline)} moments of training, from the untrained network (step 0) "
        "to the last step. Press Play or drag the slider: the film plays in your browser, nothing is "
        "trained again. Every frame uses the principal axes of the last one, so a dot moves only because "
        "that sentence's state moved. The model kept for the rest of the page is the one of the best "
        f"validation epoch ({res.best_epoch}), which may be earlier than the last frame."
    )


NO_WORD_ORDER_CASES = (
    "On this test set the network and its shuffled-words control agree on every sentence with a negation "
    "or *but*."
)
WORD_ORDER_CASES = (
    "The sentences with a negation or *but* on which word order changed the verdict: the network and the "
    "same network trained on shuffled words disagree. Most confident disagreement first; the bag of words "
    "beside them."
)
SHUFFLED_HELP = (
    "The same network, same settings, trained and tested on sentences whose words are shuffled: it "
    "differs from the network in word order only."
)

TYPE_A_SENTENCE = "Type a sentence above (or pick a contrast) to watch the network read it."


def heatmap_title(tokens: tuple[str, ...], jump: int) -> str:
    return f"Hidden state after each token: the biggest move is at '{tokens[jump][:20]}' (t={jump + 1})"


READOUT = (
    "The read-out is one logistic unit on the final hidden state h_T: every picture on this page is a "
    "view of h, and only its projection on w decides the verdict."
)

TOO_FEW_FOR_TSNE = "Too few test sentences for t-SNE; showing PCA."


def tsne_pending(points: int, perplexity: int) -> str:
    return f"Computing t-SNE of {points:,} points (perplexity {perplexity}); PCA meanwhile."


MAP_CAPTION = (
    "Each dot is one test sentence's final hidden state; the black path is your sentence, one point per "
    "token read, ending at the star. t-SNE keeps each point's nearest neighbours close but bends distances "
    "between clusters; your sentence is placed into the finished map without moving the other points. "
    "The silhouette is therefore measured in the hidden space itself, not on this map: +1 means the two "
    "classes form tight, separate clouds, 0 that they overlap."
)


def positions_caption(sentences: int) -> str:
    return (
        f"The state after every token of {sentences} test sentences, on the same PCA axes as the map. Every "
        "sentence starts from the same zero state and each word pushes it; the titles say how far the states "
        "spread and how far the classes part along PC 1 from the first word to the last."
    )


def neighbours_caption(res: SentimentResult) -> str:
    return (
        f"The {NEIGHBOURS} test sentences whose final hidden states are closest (Euclidean distance between "
        f"{res.test_states.shape[1]}-number states). Compare their verdicts and their topics."
    )


# Findings: each decided by this run's numbers (core.claims), in the order the page shows them.

ACCURACY = "{:+.1%}"
"""How a difference of two accuracies is written in a comparison's interval."""


def _capitalised(found: Claim) -> Claim:
    """A comparison's sentence with a capital letter: it opens with whichever model won."""
    return dataclasses.replace(found, text=sentence_case(found.text))


def _right(prob: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return (np.asarray(prob) > 0.5) == (np.asarray(labels) == 1)


def beats_bag_of_words(res: SentimentResult) -> Claim:
    """The network against the bag of words, paired on the same test sentences (McNemar's setting)."""
    interval = paired_accuracy(
        _right(res.test_prob, res.test_labels), _right(res.baseline_prob, res.test_labels)
    )
    return _capitalised(
        comparison(
            "beats_bag_of_words",
            "the network",
            "the bag of words",
            interval,
            better="higher",
            measure=f"accuracy over the {res.n_test:,} test sentences",
            fmt=ACCURACY,
            network_accuracy=res.test_accuracy,
            baseline_accuracy=res.baseline_accuracy,
            test_sentences=res.n_test,
        )
    )


IN_ORDER = "the network reading words in order"
SHUFFLED = "the same network trained and tested on shuffled words"


def word_order_helps(res: SentimentResult) -> Claim:
    """What word order adds: the network against its shuffled-words control, on every test sentence."""
    right, control = _right(res.test_prob, res.test_labels), _right(res.shuffled_prob, res.test_labels)
    return _capitalised(
        comparison(
            "word_order_helps",
            IN_ORDER,
            SHUFFLED,
            paired_accuracy(right, control),
            better="higher",
            measure=f"accuracy over the {res.n_test:,} test sentences",
            fmt=ACCURACY,
            network_accuracy=res.test_accuracy,
            shuffled_accuracy=res.shuffled_accuracy,
            test_sentences=res.n_test,
        )
    )


def word_order_on_cues(res: SentimentResult) -> Claim:
    """The same comparison on the sentences where order should matter most: a negation or 'but'."""
    cues = cue_sentences(res)
    count = int(cues.sum())
    if not count:
        return claim(
            "word_order_on_cues",
            lambda e: e["cue_sentences"] > 0,
            "",
            "No test sentence has a negation or *but*, so order cannot be compared where it should matter most.",
            cue_sentences=0,
        )
    labels = res.test_labels[cues]
    right, control = _right(res.test_prob[cues], labels), _right(res.shuffled_prob[cues], labels)
    return _capitalised(
        comparison(
            "word_order_on_cues",
            IN_ORDER,
            SHUFFLED,
            paired_accuracy(right, control),
            better="higher",
            measure=f"accuracy over the {count:,} test sentences with a negation or *but*",
            fmt=ACCURACY,
            network_accuracy=float(right.mean()),
            shuffled_accuracy=float(control.mean()),
            cue_sentences=count,
        )
    )


def clouds_separate(res: SentimentResult) -> Claim:
    """Whether the final states sort by true label, measured in the hidden space (not on a 2-D map)."""
    score = math.nan if res.hidden_silhouette is None else res.hidden_silhouette
    where = f"In the {res.test_states.shape[1]}-number hidden space (measured there, not on a map)"
    shown = f"silhouette {score:.2f} by true label over {len(res.map_index):,} test sentences"
    return claim(
        "clouds_separate",
        lambda e: e["silhouette"] > 0,
        f"{where}, positive and negative sentences form two clouds: {shown}, above 0, so a sentence lies "
        "nearer its own class than the other on average.",
        f"{where}, positive and negative sentences overlap: {shown}, not above 0.",
        silhouette=score,
        sentences=len(res.map_index),
    )


def states_fan_out(res: SentimentResult) -> Claim:
    spread = drift(res.positions)["spread"]
    numbers = f"PC 1 spread {spread[0]:.2f} → {spread[1]:.2f}"
    return claim(
        "states_fan_out",
        lambda e: e["spread_last"] > e["spread_first"],
        f"States fan out as words arrive: {numbers}",
        f"States do not fan out as words arrive: {numbers}",
        spread_first=spread[0],
        spread_last=spread[1],
    )


def classes_drift_apart(res: SentimentResult) -> Claim:
    gap = drift(res.positions)["gap"]
    numbers = f"gap along PC 1 {gap[0]:.2f} → {gap[1]:.2f}"
    return claim(
        "classes_drift_apart",
        lambda e: e["gap_last"] > e["gap_first"],
        f"The classes drift apart: {numbers}",
        f"The classes do not drift apart: {numbers}",
        gap_first=gap[0],
        gap_last=gap[1],
    )


def claims(cfg: SentimentConfig, res: SentimentResult) -> list[Claim]:
    """Every finding the page states, headline first (the home card shows it)."""
    return [
        beats_bag_of_words(res),
        word_order_helps(res),
        word_order_on_cues(res),
        clouds_separate(res),
        states_fan_out(res),
        classes_drift_apart(res),
    ]
