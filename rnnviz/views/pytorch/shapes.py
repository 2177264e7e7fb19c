"""The shapes of torch's recurrent modules, predicted from the settings and checked on real tensors.

Three facts trip up nearly everyone, and each is shown here with the module's own numbers:
``batch_first`` moves the batch axis of the input and the output only (``h0`` and ``h_n`` keep
(layers × directions, batch, hidden)); the forward direction's last state is the output's last
step, while the backward direction's is the output's first step; and a wrongly shaped ``h0`` is
either refused with a terse message or, when the sizes happen to coincide, silently accepted.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from rnnviz.core.cells import make_rnn

DIMENSION_ROLES = ("batch", "time", "stack", "features")
"""What each axis of a tensor counts: sequences, steps, layers × directions, or numbers per step."""


@dataclass(frozen=True)
class Setup:
    """The settings of one recurrent module and its input."""

    cell: str
    batch: int
    length: int
    input_size: int
    hidden: int
    layers: int
    bidirectional: bool
    batch_first: bool

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def stack(self) -> int:
        """The first axis of h0 and h_n: one row per layer and direction."""
        return self.layers * self.directions


def setup_of(settings: Any) -> Setup:
    """The Setup named by any object with the same fields, such as the experiment's Config."""
    return Setup(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(Setup)})


@dataclass(frozen=True)
class Axis:
    name: str
    size: int
    role: str


Layout = tuple[Axis, ...]


def layouts(s: Setup) -> dict[str, Layout]:
    """Every tensor's axes, predicted from the settings alone (the tests check them against torch)."""
    batch, time = Axis("batch", s.batch, "batch"), Axis("time", s.length, "time")
    outer = (batch, time) if s.batch_first else (time, batch)
    state = (Axis("layers × directions", s.stack, "stack"), batch, Axis("hidden", s.hidden, "features"))
    out = {
        "input": (*outer, Axis("input features", s.input_size, "features")),
        "h0": state,
        "output": (*outer, Axis("directions × hidden", s.directions * s.hidden, "features")),
        "h_n": state,
    }
    if s.cell == "lstm":
        out = {"input": out["input"], "h0": state, "c0": state, "output": out["output"], "h_n": state}
        out["c_n"] = state
    return out


def shape(layout: Layout) -> tuple[int, ...]:
    return tuple(a.size for a in layout)


MODULES = {"rnn": "nn.RNN", "rnn_relu": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}


def code(s: Setup) -> str:
    """The settings as the PyTorch a reader would type, every shape in a comment."""
    shapes = {name: shape(layout) for name, layout in layouts(s).items()}
    extra = ", nonlinearity='relu'" if s.cell == "rnn_relu" else ""
    state_in = "(h0, c0)" if s.cell == "lstm" else "h0"
    state_out = "(h_n, c_n)" if s.cell == "lstm" else "h_n"
    lines = [
        f"rnn = {MODULES[s.cell]}(input_size={s.input_size}, hidden_size={s.hidden}, num_layers={s.layers},",
        f"             batch_first={s.batch_first}, bidirectional={s.bidirectional}{extra})",
        f"x = torch.randn{shapes['input']}{' ' * 4}# {_axes(layouts(s)['input'])}",
        f"h0 = torch.zeros{shapes['h0']}{' ' * 4}# {_axes(layouts(s)['h0'])}: never batch-first",
    ]
    if s.cell == "lstm":
        lines.append(f"c0 = torch.zeros{shapes['c0']}")
    lines += [
        f"output, {state_out} = rnn(x, {state_in})",
        f"output.shape  # {shapes['output']}: {_axes(layouts(s)['output'])}",
        f"h_n.shape     # {shapes['h_n']}: the last state of every layer and direction",
    ]
    return "\n".join(lines)


def _axes(layout: Layout) -> str:
    return "(" + ", ".join(a.name for a in layout) + ")"


@dataclass(frozen=True)
class SliceCheck:
    """One direction's summary read two ways: a slice of ``output`` and a row of ``h_n``."""

    direction: str
    output_slice: str
    h_n_row: str
    from_output: np.ndarray
    """(batch, hidden) values of the output slice."""
    from_h_n: np.ndarray
    wrong_slice: str
    """The slice people often take instead."""
    from_wrong: np.ndarray

    @property
    def max_difference(self) -> float:
        return float(np.abs(self.from_output - self.from_h_n).max())

    @property
    def wrong_difference(self) -> float:
        return float(np.abs(self.from_wrong - self.from_h_n).max())


@dataclass(frozen=True)
class WrongState:
    """An initial state of the wrong shape, what torch said, and what it means."""

    mistake: str
    shape: tuple[int, ...]
    error: str | None
    """torch's message, or None when torch accepted it (the sizes coincide: a silent bug)."""
    meaning: str


@dataclass(frozen=True, eq=False)
class Explored:
    setup: Setup
    measured: dict[str, tuple[int, ...]]
    """Every tensor's shape as torch produced it."""
    output: np.ndarray
    """The first sequence's output, (time, directions × hidden): drawn with the slices marked."""
    checks: tuple[SliceCheck, ...]
    wrong: tuple[WrongState, ...]


@functools.lru_cache(maxsize=64)
def explore(s: Setup, seed: int = 0) -> Explored:
    """Build the module, run it on random input, and read its tensors.

    Kept per setup: every visitor of the same settings shares one (read-only) answer and its figures.
    It draws from its own generator, never torch's global one: a visitor exploring shapes must not
    change the random draws of a training running beside it.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.device("meta"):  # built without initialising, so without drawing from the global generator
        rnn = make_rnn(s.cell, s.input_size, s.hidden, s.layers, bidirectional=s.bidirectional)
    rnn = rnn.to_empty(device="cpu")
    bound = 1 / s.hidden**0.5  # torch's own initialisation of recurrent layers
    for weight in rnn.parameters():
        torch.nn.init.uniform_(weight, -bound, bound, generator=gen)
    rnn.batch_first = s.batch_first
    lay = layouts(s)
    x = torch.randn(shape(lay["input"]), generator=gen)
    h0 = torch.randn(shape(lay["h0"]), generator=gen) * 0.5
    state = (h0, torch.randn(shape(lay["h0"]), generator=gen) * 0.5) if s.cell == "lstm" else h0
    with torch.no_grad():
        output, last = rnn(x, state)
    h_n, c_n = last if s.cell == "lstm" else (last, None)
    measured = {"input": tuple(x.shape), "h0": tuple(h0.shape)}
    if c_n is not None:
        measured["c0"] = tuple(h0.shape)
    measured |= {"output": tuple(output.shape), "h_n": tuple(h_n.shape)}
    if c_n is not None:
        measured["c_n"] = tuple(c_n.shape)
    batch_major = output if s.batch_first else output.transpose(0, 1)
    return Explored(
        setup=s,
        measured=measured,
        output=batch_major[0].numpy(),
        checks=_slice_checks(s, batch_major, h_n),
        wrong=_wrong_states(s, rnn, x, state),
    )


def _slice_checks(s: Setup, output: Tensor, h_n: Tensor) -> tuple[SliceCheck, ...]:
    """Forward: the last step of output. Backward: step 0, because it read the sequence from the end."""
    H, top = s.hidden, (s.layers - 1) * s.directions
    at = (
        (lambda t, part: f"output[:, {t}, {part}]")
        if s.batch_first
        else (lambda t, part: f"output[{t}, :, {part}]")
    )
    checks = [
        SliceCheck(
            "forward",
            at(-1, f":{H}"),
            f"h_n[{top}]",
            output[:, -1, :H].numpy(),
            h_n[top].numpy(),
            at(0, f":{H}"),
            output[:, 0, :H].numpy(),
        )
    ]
    if s.bidirectional:
        checks.append(
            SliceCheck(
                "backward",
                at(0, f"{H}:"),
                f"h_n[{top + 1}]",
                output[:, 0, H:].numpy(),
                h_n[top + 1].numpy(),
                at(-1, f"{H}:"),
                output[:, -1, H:].numpy(),
            )
        )
    return tuple(checks)


def _wrong_states(
    s: Setup, rnn: torch.nn.RNNBase, x: Tensor, state: Tensor | tuple
) -> tuple[WrongState, ...]:
    N, H, L, D = s.batch, s.hidden, s.layers, s.directions
    right = f"({s.stack}, {N}, {H})"
    attempts = [
        (
            "h0 built batch-first, like the input",
            (N, s.stack, H),
            f"batch_first=True reorders the input and the output only; h0 is always "
            f"(layers × directions, batch, hidden) = {right}.",
        )
    ]
    if D == 2:
        attempts.append(
            (
                "h0 without the directions",
                (L, N, H),
                f"a bidirectional module needs a starting state for each direction of each layer: "
                f"{L} × 2 = {s.stack} rows.",
            )
        )
    if L > 1:
        attempts.append(
            (
                "h0 for one layer only",
                (D, N, H),
                f"each of the {L} layers starts from its own state, so h0 has {s.stack} rows, not {D}.",
            )
        )
    out = []
    for mistake, wrong_shape, meaning in attempts:
        wrong = torch.zeros(wrong_shape)
        error = _try(rnn, x, (wrong, state[1]) if s.cell == "lstm" else wrong)
        if error is None:
            meaning = (
                f"torch accepted it, because {wrong_shape} happens to equal the right shape {right}: "
                "no error, but each sequence now starts from another one's state. " + meaning
            )
        out.append(WrongState(mistake, wrong_shape, error, meaning))
    if s.cell == "lstm":
        out.append(
            WrongState(
                "an LSTM given h0 alone",
                tuple(state[0].shape),
                _try(rnn, x, state[0]),
                "an LSTM carries two states, so it takes the pair (h0, c0); torch tried to unpack the one "
                "tensor into two and found the pieces the wrong size.",
            )
        )
    return tuple(out)


def _try(rnn: torch.nn.RNNBase, x: Tensor, state: Tensor | tuple) -> str | None:
    """torch's own message for a call, or None when the call went through.

    torch's checks raise several exception types depending on which one trips first (an LSTM given
    one tensor of a single row fails with an IndexError while unpacking it).
    """
    try:
        with torch.no_grad():
            rnn(x, state)
    except (RuntimeError, ValueError, IndexError, TypeError) as err:
        return str(err).splitlines()[0][:300]
    return None
