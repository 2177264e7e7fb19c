"""A recurrent sentiment classifier: word embeddings, a packed RNN / LSTM / GRU, and a logistic read-out.

Sentences of different lengths share a batch through ``pack_padded_sequence``: the recurrent
layers stop at each sentence's own last word, so padding never touches a hidden state and a
sentence gets the same state alone or in any batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.core.cells import make_rnn
from rnnviz.core.vocabulary import PAD_ID, UNK_ID, Vocab, words

MAX_READ_TOKENS = 200
"""Typed text beyond this many tokens is not read: the pictures stay legible and the answer fast."""
CHUNK = 512
"""Sentences per forward pass when reading many, to bound memory."""


class SentimentModel(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        cell: str,
        embed: int,
        hidden: int,
        layers: int = 1,
        *,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=PAD_ID)
        self.rnn = make_rnn(cell, embed, hidden, layers, bidirectional=bidirectional, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden * self.directions, 1)

    @property
    def state_size(self) -> int:
        return self.head.in_features

    def encode(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """The sentence's hidden state, (batch, state_size): the top layer's last state in each direction.

        Forward, that is the state after the last real word; backward, the state after reading
        the sentence back to its first word. Both together are what the read-out sees.
        """
        packed = pack_padded_sequence(
            self.drop(self.embed(ids)), lengths, batch_first=True, enforce_sorted=False
        )
        _, last = self.rnn(packed)
        h_n = last[0] if isinstance(last, tuple) else last
        return torch.cat(list(h_n[-self.directions :]), dim=-1)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """Logits of 'positive', (batch,)."""
        return self.head(self.drop(self.encode(ids, lengths))).squeeze(-1)


def accuracy(prob: np.ndarray, labels: np.ndarray) -> float:
    """Share of sentences on the right side of 0.5; NaN when there are none."""
    return float(np.mean((prob > 0.5) == (labels == 1))) if len(labels) else float("nan")


def pad(sequences: Sequence[Sequence[int]]) -> tuple[Tensor, Tensor]:
    """Ids padded with PAD_ID into (batch, longest), and the true lengths (on the CPU, as packing needs)."""
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    ids = np.full((len(sequences), int(lengths.max())), PAD_ID, dtype=np.int64)
    # Row by row, the cells before each length are the sentence's words in order: filled in one go.
    ids[np.arange(ids.shape[1]) < lengths[:, None]] = np.fromiter(chain.from_iterable(sequences), np.int64)
    return torch.from_numpy(ids), torch.from_numpy(lengths)


@dataclass(frozen=True)
class Encoded:
    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Classifier:
    """A trained model with the vocabulary it was trained on: everything needed to read a new sentence."""

    model: SentimentModel
    vocab: Vocab

    def tokenize(self, text: str, max_tokens: int = MAX_READ_TOKENS) -> Encoded:
        """Tokens and ids of ``text``, with notes on what could not be read as typed."""
        tokens = words(text)
        notes = []
        if len(tokens) > max_tokens:
            notes.append(f"Only the first {max_tokens} of {len(tokens):,} tokens are read.")
            tokens = tokens[:max_tokens]
        ids = tuple(self.vocab.encode(tokens))
        unknown = sorted({t for t, i in zip(tokens, ids, strict=True) if i == UNK_ID})
        if tokens and len(unknown) == len(set(tokens)):
            notes.append(
                "None of these tokens were seen often enough in training: the model reads only "
                "'<unk>', so it can judge only by length."
            )
        elif unknown:
            shown = ", ".join(repr(t[:20]) for t in unknown[:6]) + (" …" if len(unknown) > 6 else "")
            notes.append(f"Unknown to the model, read as '<unk>': {shown}.")
        return Encoded(tuple(tokens), ids, tuple(notes))

    def embed(self, ids: Sequence[int]) -> Tensor:
        """The recurrent layers' input for one sentence, (1, time, embed): what ``cells.trace`` takes."""
        with torch.no_grad():
            return self.model.embed(torch.as_tensor([list(ids)], dtype=torch.int64))

    def states(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Hidden state of each sentence, (n, state_size). Empty sentences read as one '<unk>'."""
        out = np.zeros((len(sequences), self.model.state_size), dtype=np.float32)
        with torch.no_grad():
            for start in range(0, len(sequences), CHUNK):
                chunk = [list(s) or [UNK_ID] for s in sequences[start : start + CHUNK]]
                out[start : start + len(chunk)] = self.model.encode(*pad(chunk)).numpy()
        return out

    def prob_from_states(self, states: np.ndarray) -> np.ndarray:
        """P(positive) from hidden states: the read-out alone, so maps and probabilities agree exactly."""
        with torch.no_grad():
            return (
                torch.sigmoid(self.model.head(torch.from_numpy(states)).squeeze(-1))
                .numpy()
                .astype(np.float64)
            )

    def prefix_states(self, ids: Sequence[int]) -> np.ndarray:
        """State after reading the first 1, 2, ..., T tokens, (T, state_size).

        Each prefix is read as a sentence of its own, so for a bidirectional model the backward
        pass also sees only the words read so far: the honest answer to "what does the model
        think after t words". For a one-way model it equals the state at step t.
        """
        return self.states([ids[: t + 1] for t in range(len(ids))])
