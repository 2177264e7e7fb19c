"""One time step of one layer, as the equations on the page write it out."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnviz.core.cells import GATES
from rnnviz.views.unroll.result import UnrollResult


def step_inputs(res: UnrollResult, layer: int, t: int) -> dict[str, Any]:
    """Keyword arguments of ``core.equations.step_latex`` for step ``t`` of ``layer`` (both 0-based).

    What the cell read (the token's input, or the state of the layer below), the state it carried in
    (h₀ and c₀ before the first step) and everything it computed.
    """
    s = res.states
    h, c = s.h[layer], (s.c[layer] if s.c is not None else None)
    c_prev = None
    if c is not None and res.c0 is not None:
        c_prev = c[t - 1] if t else res.c0[layer]
    return {
        "t": t + 1,
        "token": res.tokens[t] if layer == 0 else "",
        "x_tex": None if layer == 0 else rf"h^{{({layer})}}_{{{t + 1}}}\text{{, layer {layer}'s state}}",
        "weights": res.weights[layer],
        "x": res.x[t] if layer == 0 else s.h[layer - 1][t],
        "h_prev": h[t - 1] if t else res.h0[layer],
        "c_prev": c_prev,
        "gates": {g: v[layer][t] for g, v in s.gates.items()},
        "pre": {k: v[layer][t] for k, v in s.pre.items()},
        "h": h[t],
        "c": c[t] if c is not None else None,
    }


def gate_means(res: UnrollResult, layer: int, t: int) -> dict[str, float]:
    """Each gate's mean over units at step ``t``: how open it is, in one number; empty for a vanilla cell."""
    return {g: float(np.mean(res.states.gates[g][layer][t])) for g in GATES[res.states.cell]}


def spectral_norm(w: np.ndarray) -> float:
    """Largest singular value: the most W stretches any vector, in one step (not only in the long run)."""
    return float(np.linalg.norm(w.astype(np.float64), 2))


SLOPES = {
    "rnn": lambda pre: 1.0 - np.tanh(pre) ** 2,
    "rnn_relu": lambda pre: (pre > 0).astype(np.float64),
}
"""φ′ of each vanilla cell's nonlinearity at its pre-activations: the diagonal of every step's Jacobian."""


def largest_slope(res: UnrollResult, layer: int = 0) -> float | None:
    """The largest φ′ this sequence met in ``layer``: with ‖W_hh‖₂ it bounds every step's Jacobian
    diag(φ′) W_hh. None for gated cells, whose Jacobian has more terms than this."""
    slope = SLOPES.get(res.states.cell)
    if slope is None:
        return None
    return float(slope(res.states.pre["h"][layer].astype(np.float64)).max())
