"""Recurrent cells: torch's fused modules for training, instrumented step-by-step cells for looking inside.

The instrumented cells read the very same weight tensors as the fused module and follow
PyTorch's equations, returning every pre-activation, gate and state at every step. The test
suite checks that both give the same hidden states, so what the pages show is what trained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.style import OKABE_ITO


@dataclass(frozen=True)
class Cell:
    """Everything a page says or draws about one cell type, written once."""

    name: str
    label: str
    short: str
    """Name in a legend or a table header."""
    gates: tuple[str, ...]
    """Gate names in PyTorch's weight-block order (LSTM: input, forget, cell candidate, output)."""
    memory_gate: str | None
    """The gate whose value near 1 keeps the old state: the LSTM's forget gate, the GRU's update gate."""
    carried: str
    """The state that carries memory from step to step: the LSTM's cell state c, otherwise h."""
    activation: str
    """The LaTeX of the nonlinearity of a vanilla cell's update."""
    colour: str
    fused: bool = True
    """Whether torch has a fused module for it (the linear cell runs step by step only)."""


CELL_TABLE: dict[str, Cell] = {
    c.name: c
    for c in (
        Cell("rnn", "Vanilla RNN (tanh)", "RNN", (), None, "h", r"\tanh", OKABE_ITO["blue"]),
        Cell(
            "rnn_relu",
            "Vanilla RNN (ReLU)",
            "ReLU RNN",
            (),
            None,
            "h",
            r"\operatorname{ReLU}",
            OKABE_ITO["sky"],
        ),
        Cell(
            "rnn_linear",
            "Vanilla RNN (linear)",
            "Linear RNN",
            (),
            None,
            "h",
            "",
            OKABE_ITO["grey"],
            fused=False,
        ),
        Cell("lstm", "LSTM", "LSTM", ("i", "f", "g", "o"), "f", "c", r"\tanh", OKABE_ITO["vermillion"]),
        Cell("gru", "GRU", "GRU", ("r", "z", "n"), "z", "h", r"\tanh", OKABE_ITO["green"]),
    )
}
"""Every cell type, in the order pages offer them."""

CELLS: dict[str, str] = {c.name: c.label for c in CELL_TABLE.values() if c.fused}
"""Cell types the fused modules provide, with their display names: the usual choices offered."""

GATES: dict[str, tuple[str, ...]] = {c.name: c.gates for c in CELL_TABLE.values()}

GATED_CELLS: dict[str, str] = {c.name: c.label for c in CELL_TABLE.values() if c.gates}

MEMORY_GATE: dict[str, str] = {c.name: c.memory_gate for c in CELL_TABLE.values() if c.memory_gate}

CARRIED: dict[str, str] = {c.name: c.carried for c in CELL_TABLE.values() if c.gates}

CELL_COLORS: dict[str, str] = {c.name: c.colour for c in CELL_TABLE.values()}

GATE_NAMES: dict[str, str] = {
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "o": "output gate o",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
}

SIGNED_GATES = frozenset({"g", "n"})
"""Gates that pass through tanh and so live in [-1, 1]; the others are sigmoids in [0, 1]."""

GRU_CONVENTION = r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}"
"""PyTorch's GRU update: z near 1 keeps the old state. Many texts swap z and 1 - z."""


def make_rnn(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    *,
    bidirectional: bool = False,
    dropout: float = 0.0,
) -> nn.RNNBase:
    """The fused, batch-first torch module for a cell type."""
    common = dict(
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        batch_first=True,
        bidirectional=bidirectional,
        dropout=dropout if num_layers > 1 else 0.0,
    )
    if cell == "lstm":
        return nn.LSTM(**common)
    if cell == "gru":
        return nn.GRU(**common)
    if cell in ("rnn", "rnn_relu"):
        return nn.RNN(nonlinearity="relu" if cell == "rnn_relu" else "tanh", **common)
    raise ValueError(f"unknown cell type {cell!r}; expected one of {', '.join(CELLS)}")


def cell_type(module: nn.RNNBase) -> str:
    if isinstance(module, nn.LSTM):
        return "lstm"
    if isinstance(module, nn.GRU):
        return "gru"
    return "rnn_relu" if module.nonlinearity == "relu" else "rnn"


@dataclass
class LayerTrace:
    """Everything one layer in one direction computed, each tensor shaped (batch, time, hidden)."""

    h: Tensor
    c: Tensor | None = None
    gates: dict[str, Tensor] = field(default_factory=dict)
    pre: dict[str, Tensor] = field(default_factory=dict)
    """Pre-activations: per gate for LSTM/GRU, key 'h' for the vanilla cell."""
    hs: list[Tensor] = field(default_factory=list)
    """The per-step hidden states before stacking, so callers can ask autograd about each one."""


@dataclass
class Trace:
    cell: str
    x: Tensor
    layers: list[list[LayerTrace]]
    """Indexed [layer][direction]; direction 1 is the reverse pass of a bidirectional module."""

    @property
    def output(self) -> Tensor:
        """Top layer's hidden states, directions concatenated: equals the fused module's output."""
        return torch.cat([d.h for d in self.layers[-1]], dim=-1)

    @property
    def top(self) -> LayerTrace:
        return self.layers[-1][0]


def _weights(module: nn.RNNBase, layer: int, direction: int) -> tuple[Tensor, ...]:
    suffix = f"l{layer}" + ("_reverse" if direction else "")
    w_ih = getattr(module, f"weight_ih_{suffix}")
    w_hh = getattr(module, f"weight_hh_{suffix}")
    if module.bias:
        return (
            w_ih,
            w_hh,
            getattr(module, f"bias_ih_{suffix}"),
            getattr(module, f"bias_hh_{suffix}"),
        )
    zeros = torch.zeros(w_ih.shape[0], dtype=w_ih.dtype)
    return w_ih, w_hh, zeros, zeros


def run_layer(
    cell: str,
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor,
    b_hh: Tensor,
    h0: Tensor,
    c0: Tensor | None = None,
) -> LayerTrace:
    """One layer, one direction, step by step; ``cell`` may also be 'rnn_linear' (identity activation)."""
    hidden = w_hh.shape[1]
    x_proj = x @ w_ih.T + b_ih
    h, c = h0, c0
    hs: list[Tensor] = []
    cs: list[Tensor] = []
    gate_steps: dict[str, list[Tensor]] = {g: [] for g in GATES[cell]}
    pre_steps: dict[str, list[Tensor]] = {g: [] for g in (GATES[cell] or ("h",))}
    for t in range(x.shape[1]):
        rec = h @ w_hh.T + b_hh
        if cell == "lstm":
            pre = x_proj[:, t] + rec
            pi, pf, pg, po = pre.split(hidden, dim=-1)
            i, f, g, o = (
                torch.sigmoid(pi),
                torch.sigmoid(pf),
                torch.tanh(pg),
                torch.sigmoid(po),
            )
            c = f * c + i * g
            h = o * torch.tanh(c)
            cs.append(c)
            for name, p, a in (("i", pi, i), ("f", pf, f), ("g", pg, g), ("o", po, o)):
                pre_steps[name].append(p)
                gate_steps[name].append(a)
        elif cell == "gru":
            xr, xz, xn = x_proj[:, t].split(hidden, dim=-1)
            hr, hz, hn = rec.split(hidden, dim=-1)
            pr, pz = xr + hr, xz + hz
            r, z = torch.sigmoid(pr), torch.sigmoid(pz)
            pn = xn + r * hn
            n = torch.tanh(pn)
            h = (1 - z) * n + z * h
            for name, p, a in (("r", pr, r), ("z", pz, z), ("n", pn, n)):
                pre_steps[name].append(p)
                gate_steps[name].append(a)
        else:
            pre = x_proj[:, t] + rec
            pre_steps["h"].append(pre)
            if cell == "rnn":
                h = torch.tanh(pre)
            elif cell == "rnn_relu":
                h = torch.relu(pre)
            elif cell == "rnn_linear":
                h = pre
            else:
                raise ValueError(f"unknown cell type {cell!r}")
        hs.append(h)
    stack = lambda steps: torch.stack(steps, dim=1)
    return LayerTrace(
        h=stack(hs),
        c=stack(cs) if cs else None,
        gates={k: stack(v) for k, v in gate_steps.items()},
        pre={k: stack(v) for k, v in pre_steps.items()},
        hs=hs,
    )


def trace(
    module: nn.RNNBase,
    x: Tensor,
    h0: Tensor | None = None,
    c0: Tensor | None = None,
) -> Trace:
    """Run a fused module's weights step by step on batch-first ``x``.

    ``h0``/``c0`` follow torch's layout (layers * directions, batch, hidden). Runs in the
    caller's grad mode, so gradients with respect to every hidden state are available.
    """
    if not module.batch_first:
        raise ValueError("instrumented cells expect a batch_first module")
    if getattr(module, "proj_size", 0):
        raise ValueError("LSTM projections are not supported")
    cell = cell_type(module)
    dirs = 2 if module.bidirectional else 1
    batch, hidden = x.shape[0], module.hidden_size
    if h0 is None:
        h0 = x.new_zeros(module.num_layers * dirs, batch, hidden)
    if cell == "lstm" and c0 is None:
        c0 = x.new_zeros(module.num_layers * dirs, batch, hidden)
    layers: list[list[LayerTrace]] = []
    inp = x
    for layer in range(module.num_layers):
        per_dir = []
        for d in range(dirs):
            k = layer * dirs + d
            seq = inp.flip(1) if d else inp
            lt = run_layer(
                cell,
                seq,
                *_weights(module, layer, d),
                h0[k],
                c0[k] if c0 is not None else None,
            )
            if d:
                lt = _flip_time(lt)
            per_dir.append(lt)
        layers.append(per_dir)
        inp = torch.cat([lt.h for lt in per_dir], dim=-1)
    return Trace(cell=cell, x=x, layers=layers)


def _flip_time(lt: LayerTrace) -> LayerTrace:
    """Put a reverse-direction trace back in input order, as torch's output does."""
    return LayerTrace(
        h=lt.h.flip(1),
        c=lt.c.flip(1) if lt.c is not None else None,
        gates={k: v.flip(1) for k, v in lt.gates.items()},
        pre={k: v.flip(1) for k, v in lt.pre.items()},
        hs=lt.hs[::-1],
    )


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def spectral_radius(w: Tensor) -> float:
    """Largest |eigenvalue|: whether repeated multiplication by W grows or shrinks, in the long run."""
    return float(torch.linalg.eigvals(w.detach().double()).abs().max())


@dataclass(frozen=True)
class States:
    """One sequence of a Trace as NumPy arrays shaped (layers, time, hidden): what figures draw."""

    cell: str
    h: np.ndarray
    c: np.ndarray | None
    gates: dict[str, np.ndarray]
    pre: dict[str, np.ndarray]


def states(tr: Trace, index: int = 0, direction: int = 0) -> States:
    def grab(get) -> np.ndarray:
        return np.stack([get(layer[direction])[index].detach().numpy() for layer in tr.layers])

    return States(
        cell=tr.cell,
        h=grab(lambda lt: lt.h),
        c=grab(lambda lt: lt.c) if tr.cell == "lstm" else None,
        gates={g: grab(lambda lt, g=g: lt.gates[g]) for g in GATES[tr.cell]},
        pre={k: grab(lambda lt, k=k: lt.pre[k]) for k in tr.layers[0][direction].pre},
    )
