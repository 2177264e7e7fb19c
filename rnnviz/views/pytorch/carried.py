"""Carrying a state between chunks of a long text: truncated backpropagation, done right and wrong.

A character model reads Hamlet in chunks of ``CHUNK`` characters, ``STREAMS`` parallel streams at a
time, each stream continuing where its previous chunk ended. Passing the last state on to the next
chunk keeps the context; ``detach()`` cuts the graph there, so each backward pass stays ``CHUNK`` steps
long. Forgetting it either fails at the second chunk or, if the failure is "fixed" with
``retain_graph=True``, makes every backward pass reach back to the first character.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.cells import make_rnn
from rnnviz.core.data import HAMLET_NAME, hamlet
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit

CHUNK = 10
"""Characters per chunk: short, so that what a carried state adds is visible."""
STREAMS = 32
"""Parallel streams: the text is cut into this many contiguous pieces, read side by side."""
EMBED = 16
HIDDEN = 64
LR = 0.01
HELD_OUT_SHARE = 0.1
"""The end of the play, never trained on, scores both models."""
TRUNCATION_CHUNKS = 24
"""Chunks read in each truncated-backpropagation demonstration."""

State = tuple[Tensor, Tensor]


class CharModel(nn.Module):
    """A small LSTM language model over characters that takes and returns its state."""

    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, EMBED)
        self.rnn = make_rnn("lstm", EMBED, HIDDEN)
        self.head = nn.Linear(HIDDEN, vocab)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


@dataclass(frozen=True, eq=False)
class Text:
    alphabet: str
    train: Tensor
    """(STREAMS, length + 1) character ids: stream s is one contiguous piece of the play."""
    held_out: Tensor

    def chunks(self, part: str) -> int:
        return (getattr(self, part).shape[1] - 1) // CHUNK

    def chunk(self, part: str, k: int) -> tuple[Tensor, Tensor]:
        """Inputs and next-character targets of chunk ``k``, (STREAMS, CHUNK) each."""
        ids = getattr(self, part)
        return ids[:, k * CHUNK : (k + 1) * CHUNK], ids[:, k * CHUNK + 1 : (k + 1) * CHUNK + 1]


def _streams(ids: Tensor) -> Tensor:
    length = (len(ids) - 1) // STREAMS
    return torch.stack([ids[s * length : (s + 1) * length + 1] for s in range(STREAMS)])


def play() -> Text:
    text = hamlet()
    if text is None:
        raise FileNotFoundError(f"{HAMLET_NAME} is not installed with the data package.")
    alphabet = "".join(sorted(set(text)))
    index = {ch: i for i, ch in enumerate(alphabet)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.int64)
    cut = int(len(ids) * (1 - HELD_OUT_SHARE))
    return Text(alphabet, _streams(ids[:cut]), _streams(ids[cut:]))


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@dataclass(frozen=True, eq=False)
class CharRun:
    stateful: bool
    history: History
    held_out_loss: float
    """Mean cross-entropy per held-out character, in nats, read the way the model was trained."""
    by_position: np.ndarray
    """(CHUNK,) held-out loss at each position within a chunk."""
    by_stream: np.ndarray
    """(STREAMS,) float32 held-out loss of each stream, a contiguous piece of the play's end: the items
    a paired bootstrap resamples to compare the two models."""


def train_chars(
    text: Text,
    *,
    stateful: bool,
    steps: int,
    seed: int,
    budget_share: float,
    on_progress: ProgressFn | None,
) -> CharRun:
    """Train on consecutive chunks; stateful carries each chunk's last state (detached) into the next."""
    torch.manual_seed(seed)
    model = CharModel(len(text.alphabet))
    carried: dict[str, State | None] = {"state": None}

    def chunk_order() -> Iterator[int]:
        while True:
            yield from range(text.chunks("train"))

    def loss_fn(k: int) -> Tensor:
        x, y = text.chunk("train", k)
        state = carried["state"] if stateful and k > 0 else None
        logits, last = model(x, state)
        carried["state"] = tuple(s.detach() for s in last)
        return _loss(logits, y)

    history = fit(
        model,
        loss_fn,
        chunk_order(),
        total_steps=steps,
        lr=LR,
        budget_share=budget_share,
        on_progress=on_progress,
    )
    return CharRun(stateful, history, *_held_out(model, text, stateful=stateful))


def _held_out(model: CharModel, text: Text, *, stateful: bool) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean loss per held-out character, and the same by position in a chunk and by stream."""
    totals = torch.zeros(STREAMS, CHUNK)
    state = None
    with torch.no_grad():
        for k in range(text.chunks("held_out")):
            x, y = text.chunk("held_out", k)
            logits, last = model(x, state if stateful else None)
            state = last
            totals += nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none")
    mean = totals / text.chunks("held_out")
    by_position = mean.mean(0).numpy().astype(np.float64)
    return float(by_position.mean()), by_position, mean.mean(1).numpy().astype(np.float32)


TRUNCATIONS = {
    "detach": "state.detach() between chunks",
    "no_detach": "state passed on as it is",
    "retain_graph": "as it is, backward(retain_graph=True)",
    "growing": "as it is, retain_graph=True, weights not updated",
}
"""Ways to carry a state between chunks while training, as the demonstration's legend names them."""


@dataclass(frozen=True)
class Truncation:
    mode: str
    milliseconds: tuple[float, ...]
    """Wall time of each chunk's forward and backward pass (and update), until it finished or failed."""
    error: str | None
    """torch's message when a chunk failed, its first sentence only."""

    @property
    def failed_at(self) -> int | None:
        """1-based number of the chunk that failed."""
        return len(self.milliseconds) + 1 if self.error is not None else None

    @property
    def reach(self) -> int:
        """Characters the last backward pass went back through."""
        chunks = len(self.milliseconds)
        return chunks * CHUNK if self.mode == "growing" else min(chunks, 1) * CHUNK


def truncation(text: Text, mode: str, seed: int, chunks: int = TRUNCATION_CHUNKS) -> Truncation:
    """Read ``chunks`` consecutive chunks, carrying the state the way ``mode`` says; time each one."""
    torch.manual_seed(seed)
    model = CharModel(len(text.alphabet))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    state: State | None = None
    spent: list[float] = []
    for k in range(chunks):
        x, y = text.chunk("train", k)
        tic = time.perf_counter()
        try:
            if mode == "detach" and state is not None:
                state = (state[0].detach(), state[1].detach())
            logits, state = model(x, state)
            opt.zero_grad()
            _loss(logits, y).backward(retain_graph=mode in ("retain_graph", "growing"))
            if mode != "growing":
                opt.step()
        except RuntimeError as err:
            return Truncation(mode, tuple(spent), str(err).split(". ")[0][:300])
        spent.append(1000 * (time.perf_counter() - tic))
    return Truncation(mode, tuple(spent), None)


def growth_per_chunk(run: Truncation) -> float:
    """Milliseconds added per chunk, the slope of a straight line through the chunk times."""
    ms = np.asarray(run.milliseconds)
    if len(ms) < 2:
        return 0.0
    return float(np.polyfit(np.arange(1, len(ms) + 1), ms, 1)[0])
