"""The update equations of one time step, written out in LaTeX with the model's actual numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FULL_VECTORS = 6
"""Up to this many units, vectors are written out in full; beyond it, norms and the largest units."""

_ACT = {"rnn": r"\tanh", "rnn_relu": r"\operatorname{ReLU}", "rnn_linear": ""}


def vec(v: np.ndarray, digits: int = 2) -> str:
    """A vector as a row (transposed), or its norm and largest entries when it is long."""
    v = np.asarray(v, dtype=float)
    if v.size <= FULL_VECTORS:
        body = " & ".join(f"{x:.{digits}f}" for x in v)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}^{{\!\top}}"
    top = np.argsort(-np.abs(v))[:3]
    parts = ", ".join(rf"[{u}]\!=\!{v[u]:.{digits}f}" for u in top)
    return rf"\left(\lVert\cdot\rVert = {np.linalg.norm(v):.{digits}f};\ {parts}\right)"


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
) -> list[str]:
    """One LaTeX line per equation of step ``t`` (1-based), for st.latex."""
    tt, tp = f"{t}", f"{t - 1}"
    if cell in _ACT:
        wx = weights["W_ih"] @ x
        wh = weights["W_hh"] @ h_prev
        act = _ACT[cell]
        return [
            rf"h_{{{tt}}} = {act}\left(W_{{xh}}\,x_{{{tt}}} + W_{{hh}}\,h_{{{tp}}} + b\right)"
            rf"\quad x_{{{tt}}} = \text{{{_tex_text(token)}}}",
            rf"= {act}\left({vec(wx)} + {vec(wh)} + {vec(weights['b'])}\right)",
            rf"= {act}\left({vec(pre['h'])}\right) = {vec(h)}",
        ]
    if cell == "lstm":
        lines = []
        for g, act in (
            ("f", r"\sigma"),
            ("i", r"\sigma"),
            ("g", r"\tanh"),
            ("o", r"\sigma"),
        ):
            lines.append(
                rf"{g}_{{{tt}}} = {act}\left(W_{g}\,x_{{{tt}}} + U_{g}\,h_{{{tp}}} + b_{g}\right)"
                rf" = {act}\left({vec(pre[g])}\right) = {vec(gates[g])}"
            )
        lines.append(
            rf"c_{{{tt}}} = f_{{{tt}}} \odot c_{{{tp}}} + i_{{{tt}}} \odot g_{{{tt}}}"
            rf" = {vec(gates['f'])} \odot {vec(c_prev)} + {vec(gates['i'])} \odot {vec(gates['g'])} = {vec(c)}"
        )
        lines.append(
            rf"h_{{{tt}}} = o_{{{tt}}} \odot \tanh(c_{{{tt}}}) = {vec(gates['o'])} \odot {vec(np.tanh(c))} = {vec(h)}"
        )
        return lines
    if cell == "gru":
        return [
            rf"r_{{{tt}}} = \sigma\left(W_r\,x_{{{tt}}} + U_r\,h_{{{tp}}} + b_r\right) = \sigma\left({vec(pre['r'])}\right) = {vec(gates['r'])}",
            rf"z_{{{tt}}} = \sigma\left(W_z\,x_{{{tt}}} + U_z\,h_{{{tp}}} + b_z\right) = \sigma\left({vec(pre['z'])}\right) = {vec(gates['z'])}",
            rf"n_{{{tt}}} = \tanh\left(W_n\,x_{{{tt}}} + b_{{in}} + r_{{{tt}}} \odot (U_n\,h_{{{tp}}} + b_{{hn}})\right)"
            rf" = \tanh\left({vec(pre['n'])}\right) = {vec(gates['n'])}",
            rf"h_{{{tt}}} = (1 - z_{{{tt}}}) \odot n_{{{tt}}} + z_{{{tt}}} \odot h_{{{tp}}}"
            rf" = {vec(1 - gates['z'])} \odot {vec(gates['n'])} + {vec(gates['z'])} \odot {vec(h_prev)} = {vec(h)}",
        ]
    raise ValueError(f"unknown cell type {cell!r}")


def _tex_text(token: str) -> str:
    """Escape a token for \\text{}; user text never reaches LaTeX unescaped."""
    out = []
    for ch in token[:20]:
        if ch in r"\{}$&#^_%~":
            out.append(
                {
                    "\\": r"\textbackslash{}",
                    "~": r"\textasciitilde{}",
                    "^": r"\textasciicircum{}",
                }.get(ch, "\\" + ch)
            )
        elif ch == " ":
            out.append("␣")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out) or "?"


def gate_summary(gates: dict[str, np.ndarray], names: Sequence[str]) -> dict[str, float]:
    """Mean of each gate at one step: a one-number reading of 'how open' it is."""
    return {g: float(np.mean(gates[g])) for g in names}
