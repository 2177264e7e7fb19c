"""Three ways to read a sentence's summary from a post-padded batch, each inside the same small classifier.

Post-padding puts every sentence at the start of its row and fills the rest with the padding token.
A recurrent layer run over the whole padded batch keeps stepping after a short sentence ends, so the
state at the last column has read the padding too. The three readers differ only in where they look:

- ``last_padded``: ``output[:, -1]``, the last column of the padded batch (the common mistake);
- ``own_last``: ``output[i, length_i - 1]``, each sentence's own last word;
- ``packed``: ``pack_padded_sequence``, so the layer stops at each sentence's end; the summary is ``h_n``.

For a bidirectional layer, only packing is right: without it the backward direction starts in the
padding, and its summary of the whole sentence is at step 0, never at the sentence's last word.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.core.cells import make_rnn
from rnnviz.core.vocabulary import PAD_ID

READERS = {
    "last_padded": "(a) output[:, -1] of the padded batch",
    "own_last": "(b) each sentence's own last step",
    "packed": "(c) pack_padded_sequence",
}
"""Reader name -> what it reads, as a legend says it."""

READER_SHORT = {"last_padded": "output[:, -1]", "own_last": "own last step", "packed": "packed"}
READER_CODE = {
    "last_padded": "output[:, -1]",
    "own_last": "output[i, length_i - 1]",
    "packed": "pack_padded_sequence",
}
"""Each reader as the code it runs: how a verdict names it, at the start of a sentence or inside one."""


class Reader(nn.Module):
    """Embedding, one recurrent layer and a logistic read-out of the summary that ``reader`` picks."""

    def __init__(
        self, reader: str, vocab_size: int, cell: str, embed: int, hidden: int, *, bidirectional: bool
    ) -> None:
        super().__init__()
        if reader not in READERS:
            raise ValueError(f"unknown reader {reader!r}; expected one of {', '.join(READERS)}")
        self.reader = reader
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=PAD_ID)
        self.rnn = make_rnn(cell, embed, hidden, bidirectional=bidirectional)
        self.directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden * self.directions, 1)

    def summary(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """(batch, directions * hidden): what the read-out sees of each sentence."""
        x = self.embed(ids)
        if self.reader == "packed":
            _, last = self.rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
            h_n = last[0] if isinstance(last, tuple) else last
            return torch.cat(list(h_n[-self.directions :]), dim=-1)
        output, _ = self.rnn(x)
        if self.reader == "last_padded":
            return output[:, -1]
        return output[torch.arange(len(ids)), lengths - 1]

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """Logits of 'positive', (batch,)."""
        return self.head(self.summary(ids, lengths)).squeeze(-1)
