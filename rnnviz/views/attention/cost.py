"""What recurrence costs against self-attention, measured on this machine, not assumed.

An LSTM layer (the cell both networks of this view use) and a self-attention layer of the same
width read one sequence of length T. The LSTM takes T steps one after another, each needing the
last; self-attention compares every position with every other in one batched product, so it has
one sequential step but builds a T x T matrix of weights. Streaming, the LSTM's cost per new token
is one step whatever came before, while attention must look over a cache that grows with every
token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

LENGTHS = (16, 32, 64, 128, 256, 512, 1024)
"""Sequence lengths T measured."""
REPEATS = 3
"""Timed repeats after one warm-up; the median is reported."""
STREAM_TOKENS = 20
"""New tokens timed per cache length when streaming."""


class SelfAttentionLayer(nn.Module):
    """One Transformer encoder layer written out (post-norm, one head), so its T x T weights are a
    real tensor whose size can be read, not inferred."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.ReLU(), nn.Linear(2 * width, width))
        self.weights_bytes = 0
        """Bytes of the attention-weight tensor the last forward pass allocated."""

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        self.weights_bytes = weights.element_size() * weights.nelement()
        x = self.norm1(x + self.out(weights @ v))
        return self.norm2(x + self.ff(x))

    @torch.no_grad()
    def stream_step(self, x: Tensor, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """One new token (1, 1, width) attending over the cache of every earlier token's key and value."""
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        keys, values = torch.cat([keys, k], dim=1), torch.cat([values, v], dim=1)
        weights = torch.softmax(q @ keys.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        y = self.norm1(x + self.out(weights @ values))
        return self.norm2(y + self.ff(y)), keys, values


@dataclass(frozen=True)
class CostRow:
    length: int
    rnn_ms: float
    """Forward and backward through the LSTM layer, milliseconds."""
    attention_ms: float
    rnn_sequential: int
    """Steps that must run one after another."""
    attention_sequential: int
    attention_matrix_bytes: int
    """Measured from the weight tensor the layer allocated: T x T float32 values."""
    rnn_state_bytes: int
    """The LSTM's whole memory while streaming: its output and cell vectors."""
    rnn_token_us: float
    """Streaming: microseconds for one new token."""
    attention_token_us: float
    kv_cache_bytes: int
    """Streaming: the keys and values attention keeps for the tokens so far."""


def _median_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return sorted(times)[len(times) // 2]


def _forward_backward(layer: nn.Module, x: Tensor) -> Callable[[], None]:
    def once() -> None:
        layer.zero_grad(set_to_none=True)
        out = layer(x)
        (out[0] if isinstance(out, tuple) else out).sum().backward()

    return once


def _stream_seconds(attention: SelfAttentionLayer, width: int, cached: int) -> float:
    keys = torch.randn(1, cached, width)
    values = torch.randn(1, cached, width)
    token = torch.randn(1, 1, width)
    return _median_seconds(lambda: attention.stream_step(token, keys, values))


def measure(width: int, lengths: tuple[int, ...] = LENGTHS) -> list[CostRow]:
    """Time both layers on one random sequence per length T; the inputs come from a private generator,
    so measuring never disturbs the seeded random stream a training in another session relies on."""
    gen = torch.Generator().manual_seed(0)
    rnn = nn.LSTM(width, width, batch_first=True)
    cell = nn.LSTMCell(width, width)
    attention = SelfAttentionLayer(width)
    token = torch.randn(1, width, generator=gen)
    state = (torch.zeros(1, width), torch.zeros(1, width))
    with torch.no_grad():
        rnn_token = _median_seconds(lambda: cell(token, state))
    rows = []
    for length in lengths:
        x = torch.randn(1, length, width, generator=gen)
        rnn_s = _median_seconds(_forward_backward(rnn, x))
        attention_s = _median_seconds(_forward_backward(attention, x))
        rows.append(
            CostRow(
                length=length,
                rnn_ms=1e3 * rnn_s,
                attention_ms=1e3 * attention_s,
                rnn_sequential=length,
                attention_sequential=1,
                attention_matrix_bytes=attention.weights_bytes,
                rnn_state_bytes=sum(part.element_size() * part.nelement() for part in state),
                rnn_token_us=1e6 * rnn_token,
                attention_token_us=1e6 * _stream_seconds(attention, width, length),
                kv_cache_bytes=2 * length * width * token.element_size(),
            )
        )
    return rows
