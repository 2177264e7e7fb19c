"""The input sequence of the unroll view: typed text as tokens, and the model's inputs and targets."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from rnnviz.core.tokens import tokenize

EXAMPLE_TEXT = "the bank of the river"
EXAMPLE_NUMBERS = "0 1 2 3 2 1 0 -1 -2 -3 -2 -1 0 1 2 3"
MAX_TOKENS = 120


@dataclass(frozen=True)
class Sequence:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]
    """The distinct tokens, sorted: one-hot position k is vocab[k]. Empty for numbers."""
    values: tuple[float, ...] | None
    """The numbers, when the sequence is numeric; None for text."""
    notes: tuple[str, ...]

    @property
    def numeric(self) -> bool:
        return self.values is not None

    @property
    def ids(self) -> Tensor:
        """Each token's position in vocab (text only)."""
        index = {t: i for i, t in enumerate(self.vocab)}
        return torch.tensor([index[t] for t in self.tokens])

    def inputs(self) -> Tensor:
        """(1, time, input size): one-hot rows, or the numbers themselves as one input."""
        if self.values is not None:
            return torch.tensor(self.values, dtype=torch.float32).reshape(1, -1, 1)
        return nn.functional.one_hot(self.ids, len(self.vocab)).float().unsqueeze(0)

    def targets(self) -> Tensor:
        """What each step should guess: the next token's id (time - 1,), or the next number (1, time - 1, 1)."""
        return self.inputs()[:, 1:] if self.numeric else self.ids[1:]


def read_sequence(text: str, tokenizer: str) -> Sequence:
    """Typed text as the network reads it; unusable input falls back to an example, with a note."""
    fallback = EXAMPLE_NUMBERS if tokenizer == "number" else EXAMPLE_TEXT
    toks = tokenize(text, tokenizer, max_tokens=MAX_TOKENS, fallback=fallback)
    vocab = () if toks.values is not None else tuple(sorted(set(toks.tokens)))
    return Sequence(toks.tokens, vocab, toks.values, toks.notes)


def next_token_losses(out: Tensor, target: Tensor, numeric: bool) -> Tensor:
    """The training objective per target step, (time - 1,): each guess's own cross-entropy (text) or
    squared error (numbers); their mean is :func:`next_token_loss`."""
    if numeric:
        return nn.functional.mse_loss(out, target, reduction="none")[0, :, 0]
    return nn.functional.cross_entropy(out[0], target, reduction="none")


def next_token_loss(out: Tensor, target: Tensor, numeric: bool) -> Tensor:
    """The training objective: guess token t+1 after reading tokens 1..t.

    ``out`` is the head's output on every token but the last, (1, time - 1, outputs); ``target`` is
    :meth:`Sequence.targets`. Cross-entropy for text, mean squared error for numbers.
    """
    if numeric:
        return nn.functional.mse_loss(out, target)
    return nn.functional.cross_entropy(out[0], target)
