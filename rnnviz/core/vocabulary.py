"""Words to ids: a tokenizer for English sentences and a vocabulary with an unknown token.

Contractions are split the Penn Treebank way ("doesn't" -> "does", "n't"), so every negation
shares one token that the network can learn once, and punctuation is kept (an "!" carries
sentiment). Anything else that is neither a word nor a space (emoji, symbols) is a token of
its own, which the vocabulary maps to the unknown token unless it was seen in training.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1

_TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'\w+|\w+|[^\w\s]")


def words(text: str) -> list[str]:
    """Lower-cased tokens of ``text``: words, split contractions, punctuation and symbols."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocab:
    tokens: tuple[str, ...]
    """Id -> token; ids 0 and 1 are always the padding and unknown tokens."""
    min_freq: int
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.tokens)})

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        return [self.index.get(t, UNK_ID) for t in tokens]

    def known(self, token: str) -> bool:
        return token in self.index


def build_vocab(sentences: Iterable[Sequence[str]], min_freq: int) -> Vocab:
    """Every token seen at least ``min_freq`` times, most frequent first (ties alphabetical, for determinism).

    Rare words get no embedding of their own: they share the unknown token, which also stands
    for every word the model meets only after training.
    """
    counts = Counter(t for sentence in sentences for t in sentence)
    kept = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
    return Vocab((PAD, UNK, *kept), min_freq)
