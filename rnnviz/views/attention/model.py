"""An LSTM encoder-decoder with or without attention, in two equivalent paths.

The decoder starts from the encoder's last state (its hidden and cell vectors). Without attention
that state is all it ever sees of the input (the bottleneck). With attention (Luong et al., 2015)
each decoder state s_t also scores every encoder state h_i, and the softmax of those scores mixes a
context vector c_t that joins s_t before the output layer. Attention comes after the decoder's LSTM
step, so with teacher forcing the whole decoder runs as one fused LSTM call and the attention for
all steps is one batched matrix product (:meth:`Seq2Seq.forward`, used for training).
:meth:`Seq2Seq.steps` takes one step at a time, as greedy decoding must; a test proves the two
paths agree.

LSTMs, as Luong et al. used, and because on a CPU torch runs a whole LSTM layer in one oneDNN
kernel where its GRU runs one small operation per time step: the default training step took half
the CPU time of the same networks built of GRUs (bench/attention.py measures the training).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnviz.views.attention.tasks import Batch

ATTENTION = {
    "none": "None: the plain encoder-decoder",
    "dot": "Dot product (Luong)",
    "additive": "Additive (Bahdanau)",
}
"""Score functions, with the names the page and the command line use."""

State = tuple[Tensor, Tensor]
"""An LSTM's hidden and cell state, each (layers, batch, hidden)."""

EMBED = 16
"""Width of the token embeddings of both vocabularies."""


@dataclass(frozen=True)
class Decoded:
    logits: Tensor
    """(batch, steps, target vocabulary)."""
    weights: Tensor | None
    """Attention weights (batch, output steps, input steps); None without attention."""


class Seq2Seq(nn.Module):
    def __init__(self, source_size: int, target_size: int, hidden: int, attention: str) -> None:
        super().__init__()
        if attention not in ATTENTION:
            raise ValueError(f"unknown attention {attention!r}; expected one of {', '.join(ATTENTION)}")
        self.attention = attention
        self.source_embed = nn.Embedding(source_size, EMBED, padding_idx=0)
        self.target_embed = nn.Embedding(target_size, EMBED)
        self.encoder = nn.LSTM(EMBED, hidden, batch_first=True)
        self.decoder = nn.LSTM(EMBED, hidden, batch_first=True)
        if attention == "additive":
            self.query = nn.Linear(hidden, hidden, bias=False)
            self.key = nn.Linear(hidden, hidden)
            self.score = nn.Linear(hidden, 1, bias=False)
        joined = 2 * hidden if attention != "none" else hidden
        self.combine = nn.Linear(joined, hidden)
        self.head = nn.Linear(hidden, target_size)

    def encode(self, source: Tensor, lengths: Tensor) -> tuple[Tensor, State]:
        """Encoder states h (batch, steps, hidden), zero past each length, and each row's last
        hidden and cell state."""
        x = self.source_embed(source)
        if bool((lengths == source.shape[1]).all()):
            return self.encoder(x)
        return ragged(self.encoder, x, lengths)

    def _attend(self, s: Tensor, h: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """Weights (batch, T, S) of decoder states s (batch, T, hidden) over encoder states h."""
        if self.attention == "dot":
            scores = s @ h.transpose(1, 2)
        else:
            keys = self.key(h).unsqueeze(1)
            scores = self.score(torch.tanh(self.query(s).unsqueeze(2) + keys)).squeeze(-1)
        weights = torch.softmax(scores.masked_fill(~mask.unsqueeze(1), float("-inf")), dim=-1)
        return weights @ h, weights

    def _output(self, s: Tensor, h: Tensor, mask: Tensor) -> tuple[Tensor, Tensor | None]:
        if self.attention == "none":
            return self.head(torch.tanh(self.combine(s))), None
        context, weights = self._attend(s, h, mask)
        return self.head(torch.tanh(self.combine(torch.cat([context, s], dim=-1)))), weights

    def forward(self, source: Tensor, lengths: Tensor, target_in: Tensor) -> Decoded:
        """Teacher forcing, all decoder steps at once: the true previous tokens are the inputs."""
        h, last = self.encode(source, lengths)
        s, _ = self.decoder(self.target_embed(target_in), last)
        logits, weights = self._output(s, h, _mask(lengths, source.shape[1]))
        return Decoded(logits, weights)

    def steps(
        self, source: Tensor, lengths: Tensor, go: int, count: int, target_in: Tensor | None = None
    ) -> Decoded:
        """One decoder step at a time: feed ``target_in`` (teacher forcing) or, without it, each
        step's own most likely token (greedy decoding), starting from the token ``go``."""
        h, state = self.encode(source, lengths)
        mask = _mask(lengths, source.shape[1])
        token = torch.full((source.shape[0], 1), go, dtype=torch.long)
        logits, weights = [], []
        for t in range(count):
            if target_in is not None:
                token = target_in[:, t : t + 1]
            s, state = self.decoder(self.target_embed(token), state)
            step_logits, step_weights = self._output(s, h, mask)
            token = step_logits.argmax(-1)
            logits.append(step_logits)
            weights.append(step_weights)
        stacked = torch.cat(weights, dim=1) if self.attention != "none" else None
        return Decoded(torch.cat(logits, dim=1), stacked)


def ragged(lstm: nn.LSTM, x: Tensor, lengths: Tensor) -> tuple[Tensor, State]:
    """What ``lstm`` gives for rows of different lengths, as packing them would, in fused calls.

    A packed sequence makes torch step the LSTM one time step at a time (on a CPU, forward and
    backward of a date-task batch took about 1.6 times as long as this), and the padded batch in
    one fused call would give each row's outputs but not its cell state at its own length. Sorted
    longest first, the rows still running between two consecutive distinct lengths are a prefix of
    the batch: one fused call per such stretch, each starting from the state the last one left, and
    each row's state kept where it ends.
    """
    order = lengths.argsort(descending=True, stable=True)
    x, ends = x[order], lengths[order].tolist()
    stops = sorted(set(ends))
    outs, hidden, cell = [], [], []
    state: State | None = None
    start = 0
    for stop in stops:
        running = sum(end >= stop for end in ends)
        if state is not None:
            state = (state[0][:, :running], state[1][:, :running])
        out, state = lstm(x[:running, start:stop], state)
        outs.append(F.pad(out, (0, 0, 0, 0, 0, len(ends) - running)))
        going_on = sum(end > stop for end in ends)
        hidden.append(state[0][:, going_on:running])
        cell.append(state[1][:, going_on:running])
        start = stop
    back = order.argsort()
    out = F.pad(torch.cat(outs, dim=1), (0, 0, 0, x.shape[1] - start))[back]
    return out, (torch.cat(hidden[::-1], dim=1)[:, back], torch.cat(cell[::-1], dim=1)[:, back])


def _mask(lengths: Tensor, steps: int) -> Tensor:
    """True where a source position holds a real token, (batch, steps)."""
    return torch.arange(steps).unsqueeze(0) < lengths.unsqueeze(1)


def decode(model: Seq2Seq, batch: Batch) -> tuple[Tensor, Tensor | None]:
    """Greedy answers (examples, steps) and, with attention, the weights behind them."""
    with torch.no_grad():
        out = model.steps(batch.source, batch.lengths, 0, batch.target.shape[1])
    return out.logits.argmax(-1), out.weights
