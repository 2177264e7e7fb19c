"""The sentiment view's prose: what the page says, and the sentences that put a run's numbers in words."""

from __future__ import annotations

from rnnviz.core.cells import CELLS
from rnnviz.core.reviews import CORPUS_CITATION
from rnnviz.views.sentiment.labelled_csv import EXPECTED
from rnnviz.views.sentiment.reading import NEIGHBOURS
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import SentimentConfig
from rnnviz.views.sentiment.train import FILM_SENTENCES

DESCRIPTION = "Train a recurrent sentiment classifier on review sentences and map its hidden states."
FINDING = (
    "Trained on real review sentences, a network sorts them into a positive and a negative "
    "cloud of hidden states, and read word by word it changes its mind at a 'but'."
)
INTRO = (
    "A recurrent network reads movie-review sentences one word at a time and must say, at the end, whether "
    "the critic liked the film. Its final hidden state is the whole sentence squeezed into a few numbers: "
    "map those numbers in 2-D and see how it has sorted what it read."
)
CLICK_TO_TRAIN = (
    "Training takes about 10 s on this server with the default settings; bigger networks "
    "and more epochs take longer."
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


def word_order_summary(cases: list[int], right: dict[str, int]) -> str:
    """Who is right where the network and the bag of words disagree on a negation or 'but'."""
    return (
        f"Bag of words knows only *which* words appear. On the {len(cases)} test sentences with a "
        f"negation or *but* where the two models disagree, the network is right "
        f"**{right['network']}** times and the bag of words **{right['baseline']}** times."
    )


NO_WORD_ORDER_CASES = "On this test set the two models agree on every sentence with a negation or *but*."

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
    "Silhouette: +1 means the two classes form tight, separate clouds, 0 that they overlap."
)


def positions_caption(sentences: int) -> str:
    return (
        f"The state after every token of {sentences} test sentences, on the same PCA axes as "
        "the map. Every sentence starts from the same zero state; each word pushes it, and by the last word "
        "it has moved to the side its verdict lies on."
    )


def neighbours_caption(res: SentimentResult) -> str:
    return (
        f"The {NEIGHBOURS} test sentences whose final hidden states are closest (Euclidean distance between "
        f"{res.test_states.shape[1]}-number states). Compare their verdicts and their topics: the network "
        "keeps what it needs for sentiment."
    )
