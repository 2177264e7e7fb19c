"""The update equations of one time step, written out in LaTeX with the model's actual numbers."""

from __future__ import annotations

import numpy as np

from rnnviz.core.cells import CELL_TABLE, GATES

MAX_UNITS = 8
"""Vectors are written as columns of at most this many units; beyond it, the most active units are shown."""


def column(v: np.ndarray, digits: int = 2) -> str:
    """A column vector with its actual numbers."""
    body = r" \\ ".join(f"{x:.{digits}f}" for x in np.asarray(v, dtype=float))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def shown_units(h: np.ndarray, limit: int = MAX_UNITS) -> np.ndarray:
    """All units when few; otherwise the ``limit`` most active ones (largest |h|), in unit order."""
    if h.size <= limit:
        return np.arange(h.size)
    return np.sort(np.argsort(-np.abs(h))[:limit])


def step_latex(
    cell: str,
    *,
    t: int,
    token: str,
    weights: dict[str, np.ndarray],
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray | None,
    gates: dict[str, np.ndarray],
    pre: dict[str, np.ndarray],
    h: np.ndarray,
    c: np.ndarray | None,
    units: np.ndarray | None = None,
    x_tex: str | None = None,
) -> list[str]:
    """One LaTeX line per equation of step ``t`` (1-based), for st.latex.

    ``units`` selects the rows written out (see :func:`shown_units`); every vector is cut the
    same way, so each line still holds exactly, row by row. ``x_tex`` names the input in LaTeX
    when it is not a token, e.g. the state of the layer below in a stacked network.
    """
    rows = np.arange(h.size) if units is None else np.asarray(units)

    def vec(v: np.ndarray) -> str:
        return column(np.asarray(v)[rows])

    tt, tp = f"{t}", f"{t - 1}"
    if not GATES[cell]:
        act = CELL_TABLE[cell].activation
        wx = weights["W_ih"] @ x
        wh = weights["W_hh"] @ h_prev
        tex_token = rf"\text{{{tex_text(token)}}}"
        return [
            rf"h_{{{tt}}} = {act}\left(W_{{xh}}\,x_{{{tt}}} + W_{{hh}}\,h_{{{tp}}} + b\right)"
            rf"\qquad x_{{{tt}}} = {x_tex if x_tex is not None else tex_token}",
            rf"{act}\left({vec(wx)} + {vec(wh)} + {vec(weights['b'])}\right)"
            rf" = {act}\left({vec(pre['h'])}\right) = {vec(h)}",
        ]
    if cell == "lstm":
        lines = [
            rf"{g}_{{{tt}}} = {act}\left(W_{g}\,x_{{{tt}}} + U_{g}\,h_{{{tp}}} + b_{g}\right)"
            rf" = {act}\left({vec(pre[g])}\right) = {vec(gates[g])}"
            for g, act in (("f", r"\sigma"), ("i", r"\sigma"), ("g", r"\tanh"), ("o", r"\sigma"))
        ]
        lines.append(
            rf"c_{{{tt}}} = f_{{{tt}}} \odot c_{{{tp}}} + i_{{{tt}}} \odot g_{{{tt}}}"
            rf" = {vec(gates['f'])} \odot {vec(c_prev)} + {vec(gates['i'])} \odot {vec(gates['g'])}"
            rf" = {vec(c)}"
        )
        lines.append(
            rf"h_{{{tt}}} = o_{{{tt}}} \odot \tanh(c_{{{tt}}})"
            rf" = {vec(gates['o'])} \odot {vec(np.tanh(c))} = {vec(h)}"
        )
        return lines
    if cell == "gru":
        lines = [
            rf"{g}_{{{tt}}} = \sigma\left(W_{g}\,x_{{{tt}}} + U_{g}\,h_{{{tp}}} + b_{g}\right)"
            rf" = \sigma\left({vec(pre[g])}\right) = {vec(gates[g])}"
            for g in ("r", "z")
        ]
        lines.append(
            rf"n_{{{tt}}} = \tanh\left(W_n\,x_{{{tt}}} + b_{{in}} + r_{{{tt}}} \odot (U_n\,h_{{{tp}}} + b_{{hn}})\right)"
            rf" = \tanh\left({vec(pre['n'])}\right) = {vec(gates['n'])}"
        )
        lines.append(
            rf"h_{{{tt}}} = (1 - z_{{{tt}}}) \odot n_{{{tt}}} + z_{{{tt}}} \odot h_{{{tp}}}"
            rf" = {vec(1 - gates['z'])} \odot {vec(gates['n'])} + {vec(gates['z'])} \odot {vec(h_prev)}"
            rf" = {vec(h)}"
        )
        return lines
    raise ValueError(f"unknown cell type {cell!r}")


def tex_text(token: str) -> str:
    """Escape a token for \\text{}: user text never reaches LaTeX unescaped."""
    special = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    out = []
    for ch in token[:20]:
        if ch in special:
            out.append(special[ch])
        elif ch in "{}$&#_%":
            out.append("\\" + ch)
        elif ch == " ":
            out.append("␣")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out) or "?"
