"""A character language model: embedding, stacked recurrent layers, a softmax over the alphabet.

Training reads the text as parallel streams cut into chunks and carries the hidden state
from chunk to chunk (truncated backpropagation through time). Generation feeds the model
its own samples one character at a time and keeps every layer's state, so pages can colour
each character by what a unit was doing when it was read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.cells import cell_type, make_rnn

State = Tensor | tuple[Tensor, Tensor]
"""One layer's recurrent state in torch's layout: h, or (h, c) for an LSTM."""

CHUNKS_PER_STREAM = 4
"""Chunks each stream is cut into: more streams give steadier gradients, longer ones more carried context."""
MAX_STREAMS = 16
"""Parallel streams per step on a long text. Time per step grows with streams × units² on one thread:
within the budget, 16 streams through 256 units learn more than 32 streams through 128."""
TOP_K = 5
"""Likeliest next characters shown on hover and in the bars."""
WARM_CHARS = 100
"""Characters of preceding text every scored window reads first, so nothing starts from a blank state."""
EVAL_WINDOWS = 32
"""Windows the held-out text is read in, side by side."""
NATS_PER_BIT = math.log(2)


class CharModel(nn.Module):
    """One fused single-layer module per layer, so every layer's states come out of a fast forward pass."""

    def __init__(
        self, cell: str, vocab: int, embedding: int, hidden: int, layers: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        self.layers = nn.ModuleList(
            make_rnn(cell, embedding if i == 0 else hidden, hidden) for i in range(layers)
        )
        self.drop = nn.Dropout(dropout)
        """Between layers and before the output, in training only: units cannot lean on each other."""
        self.head = nn.Linear(hidden, vocab)

    def forward(
        self, ids: Tensor, state: Sequence[State] | None = None
    ) -> tuple[Tensor, list[State], list[Tensor]]:
        """Logits for the next character after each input, the new state, and each layer's outputs."""
        x = self.embed(ids)
        new_state: list[State] = []
        outputs: list[Tensor] = []
        for i, rnn in enumerate(self.layers):
            x, s = rnn(x, None if state is None else state[i])
            new_state.append(s)
            outputs.append(x)
            x = self.drop(x)
        return self.head(x), new_state, outputs


def detach(state: Sequence[State] | None) -> list[State] | None:
    """Keep the values, cut the graph: the next chunk starts where this one ended, gradients do not."""
    if state is None:
        return None
    return [tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach() for s in state]


@dataclass(frozen=True)
class Chunk:
    x: Tensor
    """Input ids, (streams, length)."""
    y: Tensor
    """The character after each input: the targets."""
    fresh: bool
    """First chunk of a pass over the text: there is no earlier state to carry."""


def stream_shape(pairs: int, seq_len: int) -> tuple[int, int]:
    """(streams, chunk length) for a text with ``pairs`` (input, next character) pairs."""
    length = max(1, min(seq_len, pairs))
    streams = int(np.clip(pairs // (CHUNKS_PER_STREAM * length), 1, MAX_STREAMS))
    return streams, length


def stream_chunks(ids: np.ndarray, seq_len: int, rng: np.random.Generator) -> Iterator[Chunk]:
    """Endless passes over ``ids``, cut into parallel streams read chunk by chunk.

    Chunk k+1 of a stream continues chunk k, so a state carried across them is real context.
    Each pass starts at a random offset, so chunk boundaries (and the unused tail) move.
    """
    pairs = len(ids) - 1
    streams, length = stream_shape(pairs, seq_len)
    per_stream = (pairs // streams) // length * length
    spare = pairs - streams * per_stream
    while True:
        start = int(rng.integers(0, spare + 1))
        window = torch.from_numpy(ids[start : start + streams * per_stream + 1])
        x = window[:-1].reshape(streams, per_stream)
        y = window[1:].reshape(streams, per_stream)
        for k in range(0, per_stream, length):
            yield Chunk(x[:, k : k + length], y[:, k : k + length], fresh=k == 0)


@torch.no_grad()
def read(model: CharModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Read a whole text from a zero state: next-character logits (time, vocab) and states (layers, time, hidden)."""
    logits, _, outputs = model(torch.from_numpy(ids).unsqueeze(0))
    return logits[0].numpy(), np.stack([o[0].numpy() for o in outputs])


IGNORE = -1
"""Target of a position that is read but not scored: the warm-up of a window, or padding."""


@dataclass(frozen=True)
class Windows:
    """A stretch of text cut into parallel windows, each read after a warm-up of the text before it.

    Reading 17,000 held-out characters one after another takes seconds on one thread; as 32
    windows read side by side it takes a fraction of one. Each window first reads ``warm``
    characters of the preceding text, unscored, so no character is predicted from a blank state.
    """

    inputs: np.ndarray
    """(windows, warm + length) character ids; padding at the end of the last window is 0."""
    targets: np.ndarray
    """The same shape: the next character of each input, or IGNORE where nothing is scored."""
    warm: int


def windows(ids: np.ndarray, start: int, end: int, count: int, warm: int) -> Windows:
    """Windows that score every character of ids[start:end] once (``start`` >= 1: the first has no context)."""
    n = end - start
    length = math.ceil(n / max(1, min(count, n)))
    count = math.ceil(n / length)
    warm = max(0, min(warm, start - 1))
    inputs = np.zeros((count, warm + length), dtype=np.int64)
    targets = np.full((count, warm + length), IGNORE, dtype=np.int64)
    for w in range(count):
        a = start + w * length
        b = min(a + length, end)
        inputs[w, : warm + b - a] = ids[a - 1 - warm : b - 1]
        targets[w, warm : warm + b - a] = ids[a:b]
    return Windows(inputs, targets, warm)


def bits(nats: float) -> float:
    """Nats per character in bits per character, the unit papers on character models quote."""
    return nats / NATS_PER_BIT


@torch.no_grad()
def char_nats(model: CharModel, win: Windows) -> np.ndarray:
    """The cross-entropy of each scored character, in nats and in text order: windows follow each other,
    so their scored positions read row by row are the text read from start to end."""
    logits, _, _ = model(torch.from_numpy(win.inputs))
    targets = torch.from_numpy(win.targets)
    scored = targets != IGNORE
    return nn.functional.cross_entropy(logits[scored].double(), targets[scored], reduction="none").numpy()


def nats_per_char(model: CharModel, win: Windows) -> float:
    """Mean cross-entropy of the scored characters, in nats; NaN once a diverged model's scores are not finite."""
    return float(char_nats(model, win).mean())


@torch.no_grad()
def states(model: CharModel, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's h (and, for an LSTM, c) after each input: {'h': (layers, windows, time, hidden), ...}.

    The fused modules return only h; an LSTM's c follows from them (:func:`cell_states`), which is
    what lets every snapshot colour its excerpt by c without reading it one character at a time.
    """
    x = model.embed(torch.from_numpy(inputs))
    out: dict[str, list[Tensor]] = {"h": [], "c": []}
    for rnn in model.layers:
        h, _ = rnn(x)
        out["h"].append(h)
        if isinstance(rnn, nn.LSTM):
            out["c"].append(cell_states(rnn, x, h))
        x = h
    return {k: torch.stack(v).numpy() for k, v in out.items() if v}


def cell_states(rnn: nn.LSTM, x: Tensor, h: Tensor) -> Tensor:
    """The cell state c after each input of a single-layer, batch-first LSTM that read ``x`` from zeros
    and output ``h``.

    With every h known, the gates of all steps are one batched matrix product; what is left,
    c_t = f_t * c_(t-1) + i_t * g_t, is elementwise. Stepping the cell instead costs a matrix
    product per character: most of a snapshot's time.
    """
    before = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], dim=1)
    pre = x @ rnn.weight_ih_l0.T + before @ rnn.weight_hh_l0.T
    if rnn.bias:
        pre = pre + rnn.bias_ih_l0 + rnn.bias_hh_l0
    i, f, g, _ = pre.chunk(4, dim=-1)
    written = torch.sigmoid(i) * torch.tanh(g)
    kept = torch.sigmoid(f)
    c = torch.empty_like(h)
    last = torch.zeros_like(h[:, 0])
    for t in range(h.shape[1]):
        last = torch.addcmul(written[:, t], kept[:, t], last)
        c[:, t] = last
    return c


def top_next(logits: np.ndarray, k: int = TOP_K) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` likeliest next characters after each position: ids and probabilities, (time, k) each."""
    probs = softmax(logits, 1.0)
    order = np.argsort(-probs, axis=-1, kind="stable")[..., :k]
    return order, np.take_along_axis(probs, order, axis=-1)


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean negative log-likelihood, in nats per character; NaN once a diverged model's scores are not finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = logits - logits.max(axis=-1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        return float(-log_p[np.arange(len(targets)), targets].mean())


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T): T < 1 sharpens the distribution, T > 1 flattens it."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.exp(z - z.max(axis=-1, keepdims=True))
        return z / z.sum(axis=-1, keepdims=True)


def prompt_of(vocab: Sequence[str], text: str) -> str:
    """Samples start after a newline, where a play starts a speech; else after the text's first character."""
    return "\n" if "\n" in vocab else text[0]


@dataclass(frozen=True)
class Generation:
    text: str
    """The seed text followed by what the model wrote."""
    seed_len: int
    logits: np.ndarray
    """(time, vocab): the model's scores for the character after each one in ``text``."""
    states: np.ndarray
    """(layers, time, hidden): every layer's hidden state after reading each character."""
    notes: tuple[str, ...] = ()


CELL_STEPS = {
    "lstm": torch.lstm_cell,
    "gru": torch.gru_cell,
    "rnn": torch.rnn_tanh_cell,
    "rnn_relu": torch.rnn_relu_cell,
}
"""One step of each cell type on a fused module's weights."""


def step(model: CharModel, token: int, state: Sequence[State]) -> tuple[Tensor, list[State], list[Tensor]]:
    """:meth:`CharModel.forward` for one character of one stream in eval mode, one cell step per layer.

    The fused layer sets up a whole sequence's kernel on every call, which costs more than the step
    itself: writing a sample this way is about three times faster, on the same weights.
    """
    x = model.embed.weight[token : token + 1]
    new_state: list[State] = []
    outputs: list[Tensor] = []
    for rnn, s in zip(model.layers, state, strict=True):
        weights = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
        cell = CELL_STEPS[cell_type(rnn)]
        if isinstance(s, tuple):
            h, c = cell(x, (s[0][0], s[1][0]), *weights)
            new_state.append((h[None], c[None]))
        else:
            h = cell(x, s[0], *weights)
            new_state.append(h[None])
        outputs.append(h[None])
        x = h
    return model.head(x)[None], new_state, outputs


@torch.no_grad()
def generate(
    model: CharModel,
    vocab: Sequence[str],
    seed_text: str,
    length: int,
    *,
    temperature: float,
    greedy: bool = False,
    sampling_seed: int = 0,
    fallback: str = "",
) -> Generation:
    """Read ``seed_text``, then write ``length`` characters, each fed back as the next input.

    Sampling uses its own NumPy generator, so the same arguments always give the same text
    and generating never disturbs the random state that training depends on.
    """
    index = {ch: i for i, ch in enumerate(vocab)}
    notes = []
    known = "".join(ch for ch in seed_text if ch in index)
    if known != seed_text:
        unknown = sorted(set(seed_text) - set(index))
        shown = " ".join(repr(ch) for ch in unknown[:6])
        notes.append(
            f"The seed text's characters {shown} never occur in the training text; they were skipped."
        )
    if not known:
        known = fallback if fallback in index else vocab[0]
        if seed_text:
            notes.append(f"Starting from {known!r} instead.")
    rng = np.random.default_rng(sampling_seed)
    ids = [index[ch] for ch in known]
    logits, state, outputs = model(torch.tensor([ids]))
    all_logits = [logits[0]]
    all_states = [torch.stack([o[0] for o in outputs])]
    for _ in range(length):
        last = all_logits[-1][-1].numpy()
        if not np.isfinite(last).all():
            notes.append("The model's scores are not finite numbers (training diverged), so it cannot write.")
            break
        if greedy:
            nxt = int(last.argmax())
        else:  # inverse-CDF draw: one uniform number per character, a tenth of rng.choice's overhead
            cdf = np.cumsum(softmax(last, temperature))
            nxt = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), len(vocab) - 1)
        ids.append(nxt)
        logits, state, outputs = step(model, nxt, state)
        all_logits.append(logits[0])
        all_states.append(torch.stack([o[0] for o in outputs]))
    return Generation(
        text="".join(vocab[i] for i in ids),
        seed_len=len(known),
        logits=torch.cat(all_logits).numpy(),
        states=torch.cat(all_states, dim=1).numpy(),
        notes=tuple(notes),
    )
