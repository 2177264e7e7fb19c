"""The unroll view's settings: the text it reads, the network that reads it, and how long it trains."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.config import (
    cell_param,
    hidden_param,
    layers_param,
    learning_rate_param,
    param,
    seed_param,
    steps_param,
    time_step_param,
    view_param,
)
from rnnviz.core.models import H0_MODES
from rnnviz.core.tokens import TOKENIZERS
from rnnviz.views.unroll.sequence import EXAMPLE_TEXT, MAX_TOKENS

MAX_LAYERS = 3


@dataclass(frozen=True)
class UnrollConfig:
    text: str = param(
        EXAMPLE_TEXT,
        "Input sequence",
        f"Text to read one token at a time (the first {MAX_TOKENS} tokens); "
        "for Numbers, values separated by spaces.",
        max_chars=400,
    )
    tokenizer: str = param("char", "Tokens", "How the input is split into steps.", choices=TOKENIZERS)
    cell: str = cell_param()
    hidden: int = hidden_param(8, max=64)
    layers: int = layers_param(1, max=MAX_LAYERS)
    h0: str = param(
        "zeros",
        "Initial state h₀",
        "Zeros (the usual choice), random (fixed by the seed) or learned with the weights.",
        choices=H0_MODES,
    )
    train_steps: int = steps_param(
        150,
        help="Adam steps of next-token prediction on the input itself; 0 shows the untrained network.",
        max=1000,
        step=10,
    )
    lr: float = learning_rate_param(0.01)
    seed: int = seed_param(0, help="Seeds the weights and the random initial state.")
    step: int = time_step_param(help="The step whose update equation is written out.", max=MAX_TOKENS)
    layer: int = view_param(1, "Layer shown", "Which stacked layer the figures show.", min=1, max=MAX_LAYERS)

    @property
    def shown_layer(self) -> int:
        """The layer the figures show, 0-based: the chosen one, or the top one when fewer are stacked."""
        return min(self.layer, self.layers) - 1
