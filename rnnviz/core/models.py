"""Small sequence models built around one fused recurrent module, so they can be both trained and traced."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnviz.core.cells import make_rnn

H0_MODES = {
    "zeros": "Zeros",
    "random": "Random (fixed by the seed)",
    "learned": "Learned",
}


class TokenModel(nn.Module):
    """Recurrent net over one-hot tokens (or scalars) with a linear read-out at every step.

    One-hot inputs keep W_xh readable: column k is exactly what token k adds to the hidden state.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        h0_mode: str = "zeros",
        *,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.rnn = make_rnn(cell, input_size, hidden_size, num_layers, bidirectional=bidirectional)
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * hidden_size, output_size)
        self.h0_mode = h0_mode
        shape = (num_layers * directions, 1, hidden_size)
        if h0_mode == "learned":
            self.h0 = nn.Parameter(torch.zeros(shape))
        elif h0_mode == "random":
            self.register_buffer("h0", 0.5 * torch.randn(shape))
        elif h0_mode == "zeros":
            self.register_buffer("h0", torch.zeros(shape))
        else:
            raise ValueError(f"unknown initial state {h0_mode!r}")

    def initial_state(self, batch: int) -> Tensor | tuple[Tensor, Tensor]:
        h0 = self.h0.expand(-1, batch, -1).contiguous()
        if isinstance(self.rnn, nn.LSTM):
            return h0, torch.zeros_like(h0)
        return h0

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x, self.initial_state(x.shape[0]))
        return self.head(out)
