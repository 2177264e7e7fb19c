"""Encoder-decoder: the encoder's final hidden state is the context vector the decoder writes from.

The decoder starts from the context (Sutskever et al., 2014) and also reads it at every step
beside its previous output (Cho et al., 2014), so it never has to carry the whole input through
its own state. Training feeds the true previous character (teacher forcing); answering feeds the
network's own previous choice (greedy decoding), which is where early mistakes compound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.core.cells import make_rnn

PAD, GO, END = "<pad>", "<go>", "<end>"
SPECIALS = (PAD, GO, END)

State = Tensor | tuple[Tensor, Tensor]


@dataclass(frozen=True)
class CharVocab:
    """Characters with the special tokens first, so PAD is id 0."""

    tokens: tuple[str, ...]

    @classmethod
    def of(cls, chars: Sequence[str]) -> CharVocab:
        return cls(SPECIALS + tuple(chars))

    @cached_property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        index = self.index
        return [index[ch] for ch in text]

    def decode(self, ids: Sequence[int]) -> str:
        """Characters up to the first END; other special tokens are dropped."""
        out = []
        for i in ids:
            token = self.tokens[i]
            if token == END:
                break
            if token not in SPECIALS:
                out.append(token)
        return "".join(out)


def pad_batch(vocab: CharVocab, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
    """Ids padded with PAD on the right, (batch, longest), and each text's length."""
    lengths = torch.tensor([len(t) for t in texts])
    ids = torch.zeros(len(texts), int(lengths.max()), dtype=torch.long)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = torch.tensor(vocab.encode(text), dtype=torch.long)
    return ids, lengths


def target_batch(vocab: CharVocab, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
    """Teacher forcing pair: decoder inputs GO + text, and targets text + END (equal-length texts)."""
    index = vocab.index
    target = torch.tensor([vocab.encode(t) + [index[END]] for t in texts], dtype=torch.long)
    go = torch.full((len(texts), 1), index[GO], dtype=torch.long)
    return torch.cat([go, target[:, :-1]], dim=1), target


@dataclass(frozen=True)
class Decoded:
    tokens: Tensor
    """Greedy choices, (batch, steps)."""
    states: Tensor
    """Decoder hidden state after each step, (batch, steps, hidden)."""


class Seq2Seq(nn.Module):
    def __init__(self, cell: str, source: CharVocab, target: CharVocab, embed: int, hidden: int) -> None:
        super().__init__()
        self.source_vocab, self.target_vocab = source, target
        self.source_embed = nn.Embedding(len(source), embed, padding_idx=0)
        self.encoder = make_rnn(cell, embed, hidden)
        self.target_embed = nn.Embedding(len(target), embed)
        self.decoder = make_rnn(cell, embed + hidden, hidden)
        self.head = nn.Linear(hidden, len(target))

    def encode(self, source: Tensor, lengths: Tensor) -> State:
        """Final encoder state of each (right-padded) sequence; padding is never read."""
        packed = pack_padded_sequence(
            self.source_embed(source), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        _, state = self.encoder(packed)
        return state

    @staticmethod
    def context(state: State) -> Tensor:
        """The context vector: the encoder's final hidden state h (not an LSTM's cell state), (batch, hidden)."""
        h = state[0] if isinstance(state, tuple) else state
        return h[-1]

    def _decode(self, tokens: Tensor, state: State, context: Tensor) -> tuple[Tensor, State]:
        ctx = context.unsqueeze(1).expand(-1, tokens.shape[1], -1)
        return self.decoder(torch.cat([self.target_embed(tokens), ctx], dim=-1), state)

    def forward(self, source: Tensor, lengths: Tensor, decoder_inputs: Tensor) -> Tensor:
        """Teacher forcing: logits (batch, steps, target vocab) given the true previous characters."""
        state = self.encode(source, lengths)
        out, _ = self._decode(decoder_inputs, state, self.context(state))
        return self.head(out)

    @torch.no_grad()
    def greedy(self, source: Tensor, lengths: Tensor, max_steps: int, *, stop: bool = True) -> Decoded:
        """Feed back the most likely character each step, until every row has said END (with ``stop``)."""
        index = self.target_vocab.index
        state = self.encode(source, lengths)
        context = self.context(state)
        token = torch.full((source.shape[0], 1), index[GO], dtype=torch.long)
        tokens, states = [], []
        done = torch.zeros(source.shape[0], dtype=torch.bool)
        for _ in range(max_steps):
            out, state = self._decode(token, state, context)
            token = self.head(out).argmax(-1)
            tokens.append(token)
            states.append(out)
            done |= token[:, 0] == index[END]
            if stop and done.all():
                break
        return Decoded(tokens=torch.cat(tokens, dim=1), states=torch.cat(states, dim=1))
