"""What the unroll view records of its model: at each training snapshot, and once more at the end."""

from __future__ import annotations

import numpy as np
import torch

from rnnviz.core.cells import Trace, trace
from rnnviz.core.models import TokenModel
from rnnviz.core.timeline import Frame
from rnnviz.views.unroll.sequence import Sequence


def initial_state(model: TokenModel) -> tuple[torch.Tensor, torch.Tensor | None]:
    init = model.initial_state(1)
    return init if isinstance(init, tuple) else (init, None)


def look(model: TokenModel, x: torch.Tensor, seq: Sequence) -> tuple[Trace, Frame]:
    """Read the whole sequence step by step; the frame holds what the training film draws.

    Frame: ``hidden`` (time, units) of the top layer, ``hidden_lower_layers`` (layers - 1, time, units)
    when stacked, ``predictions`` after each step (tokens, or numbers) and, for text, ``p_next``: the
    probability given to the token that actually comes next (time - 1).
    The same function draws the final result, so the timeline's last frame equals it exactly.
    """
    tr = trace(model.rnn, x, *initial_state(model))
    out = model.head(tr.output)[0]
    hidden = [layer[0].h[0].numpy() for layer in tr.layers]
    frame: Frame = {"hidden": hidden[-1]}
    if len(hidden) > 1:
        frame["hidden_lower_layers"] = np.stack(hidden[:-1])
    if seq.numeric:
        frame["predictions"] = out[:, 0].numpy()
    else:
        frame["predictions"] = tuple(seq.vocab[i] for i in out.argmax(-1).tolist())
        probs = torch.softmax(out[:-1], dim=-1)
        frame["p_next"] = probs.gather(1, seq.targets()[:, None])[:, 0].numpy()
    return tr, frame


def hidden_of(frame: Frame, layer: int) -> np.ndarray:
    """A frame's hidden states (time, units) of ``layer`` (0-based, bottom first)."""
    lower = frame.get("hidden_lower_layers")
    return frame["hidden"] if lower is None or layer >= len(lower) else lower[layer]


def prediction_labels(frame: Frame) -> tuple[str, ...]:
    return tuple(p if isinstance(p, str) else f"{p:.3g}" for p in frame["predictions"])
