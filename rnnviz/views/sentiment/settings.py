"""Settings of the sentiment view: the corpus's vocabulary, the classifier's shape and training, and
what the page shows of a trained model (display only: changing those never retrains).

The gates view trains its sentiment task through this Config (``Upstream("sentiment", ...)``), by the
field names ``cell``, ``seed``, ``layers`` and ``bidirectional``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
