"""One network reading one sequence through the instrumented cell: every gate and state at every step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.cells import trace
from rnnviz.core.memo import by_result
from rnnviz.views.gates.inputs import sequence_inputs
from rnnviz.views.gates.result import GatesResult, Network
from rnnviz.views.gates.settings import GatesConfig


@dataclass(frozen=True)
class Reading:
    """One network reading the inspected sequence; every array is (time, units) unless noted."""

    x: np.ndarray
    """The recurrent layer's input, (time, input size): for sentiment, this network's word vectors."""
    gates: dict[str, np.ndarray]
    pre: dict[str, np.ndarray]
    h: np.ndarray
    c: np.ndarray | None
    prediction: np.ndarray
    """The read-out after each step, (time,): for sentiment, P(positive)."""
    fused_gap: float
    """Largest |h_fused - h_instrumented|: the drawn numbers are the model's own."""

    def values(self, name: str) -> np.ndarray:
        """A gate by its letter, or the state 'c' or 'h'."""
        if name == "h":
            return self.h
        if name == "c" and self.c is not None:
            return self.c
        return self.gates[name]

    def quantities(self) -> dict[str, np.ndarray]:
        """Every gate and state by name, as the figures and snapshot frames key them."""
        return {**self.gates, **({"c": self.c} if self.c is not None else {}), "h": self.h}


@dataclass(frozen=True)
class Inspection:
    tokens: tuple[str, ...]
    target: np.ndarray
    """The right answer after each step, (time,); NaN where unknown (a typed sentence)."""
    trained: Reading
    untrained: Reading
    notes: tuple[str, ...]


def read(network: Network, inputs: np.ndarray, probability: bool) -> Reading:
    """Trace one network on one sequence (zero initial state, as in training)."""
    with torch.no_grad():
        if network.embedding is not None:
            x = network.embedding(torch.from_numpy(inputs).unsqueeze(0))
        else:
            x = torch.from_numpy(inputs).unsqueeze(0)
        tr = trace(network.rnn, x)
        fused, _ = network.rnn(x)
        prediction = network.head(tr.output)[0, :, 0]
        if probability:
            prediction = torch.sigmoid(prediction)
    top = tr.top
    return Reading(
        x=x[0].numpy(),
        gates={g: v[0].numpy() for g, v in top.gates.items()},
        pre={g: v[0].numpy() for g, v in top.pre.items()},
        h=top.h[0].numpy(),
        c=top.c[0].numpy() if top.c is not None else None,
        prediction=prediction.numpy().astype(np.float64),
        fused_gap=float((fused - tr.output).abs().max()),
    )


@by_result
def inspect_sequence(res: GatesResult, cfg: GatesConfig) -> Inspection:
    """Both networks on the sequence the view fields of ``cfg`` pick; typed input is validated here."""
    tokens, x, target, notes = sequence_inputs(
        res.task, cfg.source, cfg.sequence, cfg.draw, cfg.length, res.corpus
    )
    probability = res.task == "sentiment"
    return Inspection(
        tokens=tokens,
        target=target,
        trained=read(res.trained, x, probability),
        untrained=read(res.untrained, x, probability),
        notes=tuple(notes),
    )
