"""What one gates run keeps: the network as trained and as initialised, and the held-out data that scored them.

Training (the cached part) produces this; inspecting a sequence (the display part) traces both
networks again, so typing a new sequence never retrains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.classifier import Encoded
from rnnviz.core.fit import History
from rnnviz.core.timeline import Timeline


@dataclass(frozen=True)
class Network:
    """One network of the comparison, ready to be traced on any sequence."""

    rnn: nn.RNNBase
    head: nn.Linear
    """The read-out from the hidden state to the answer."""
    embedding: nn.Embedding | None
    """Word vectors of the sentiment model (its recurrent input is embedding(ids)); None for the
    synthetic tasks, whose inputs are fed as they are."""
    weights: dict[str, np.ndarray]
    """W_ih, W_hh and b = b_ih + b_hh, as torch stores them (gate blocks stacked)."""
    saturation: dict[str, dict[str, float]]
    """Per gate, shares of saturated values over the held-out sequences."""
    held_out_loss: float
    item_loss: np.ndarray
    """The loss of each held-out item (float32): what a paired interval against another model resamples."""
    item_saturation: np.ndarray
    """Each held-out item's saturated sigmoid-gate values (gating.saturated_per_item; mean = the share)."""

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Every tensor the network reads, named as reproduce.py loads them."""
        parts = {"rnn": self.rnn, "head": self.head}
        if self.embedding is not None:
            parts["embedding"] = self.embedding
        return {f"{name}.{k}": v for name, part in parts.items() for k, v in part.state_dict().items()}


def weights_of(rnn: nn.RNNBase) -> dict[str, np.ndarray]:
    return {
        "W_ih": rnn.weight_ih_l0.detach().numpy().copy(),
        "W_hh": rnn.weight_hh_l0.detach().numpy().copy(),
        "b": (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy(),
    }


@dataclass(frozen=True)
class HeldOut:
    """The held-out data behind ``held_out_loss``: what export hands to reproduce.py."""

    inputs: np.ndarray
    """Synthetic tasks: x (n, time, input); sentiment: word ids (n, time), padded at the end."""
    target: np.ndarray
    """Synthetic tasks: the answers (n, answered steps); sentiment: the labels (n,)."""
    lengths: np.ndarray | None = None
    """Sentiment only: each sentence's length, so the read-out sees its last real word."""


@dataclass(frozen=True)
class Corpus:
    """What the sentiment task reads from the sentiment view: its tokenizer and test sentences."""

    tokenize: Callable[..., Encoded]
    sentences: tuple[str, ...]
    labels: np.ndarray


@dataclass(frozen=True)
class GatesResult:
    task: str
    cell: str
    input_size: int
    hidden: int
    trained: Network
    untrained: Network
    """The same network as initialised: structure seen in ``trained`` but not here came from learning."""
    history: History
    chance_loss: float
    """Held-out loss of the best constant guess: the loss of a network that learned nothing."""
    chance_item_loss: np.ndarray
    """The best constant guess's loss on each held-out item (float32), paired with Network.item_loss."""
    loss_name: str
    """'mean squared error' for the synthetic tasks, 'cross-entropy' for sentiment."""
    ranked_units: tuple[int, ...]
    """Units of the trained network, the ones the answer depends on most first."""
    params: dict[str, dict]
    """parameter_table() for this task's input size and the chosen hidden size."""
    held_out: HeldOut
    film: Timeline | None = None
    """The worked example's gates at each training snapshot; None for sentiment, trained elsewhere."""
    corpus: Corpus | None = None
    notes: tuple[str, ...] = ()
    """What the reader should know about this result beyond the figures (e.g. whose classifier it is)."""
