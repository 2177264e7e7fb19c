"""Figures of the unroll view: the network drawn through time, and its weights."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from rnnviz.cells import GATES
from rnnviz.figures.style import CELL_COLORS, SIGNED_SCALE, base_layout, token_label

WINDOW = 8
"""Steps drawn in the unrolled diagram; the scrubber moves the window."""


def unrolled_diagram(
    h: np.ndarray,
    tokens: Sequence[str],
    step: int,
    cell: str,
    c: np.ndarray | None = None,
    predictions: Sequence[str] | None = None,
) -> go.Figure:
    """Columns of hidden-state cells, one per step, joined by the same W_hh arrow every time.

    ``h`` and ``c`` are (time, units); only a window of steps around ``step`` is drawn.
    """
    steps, units = h.shape
    start = int(np.clip(step - WINDOW // 2, 0, max(0, steps - WINDOW)))
    window = range(start, min(steps, start + WINDOW))
    color = CELL_COLORS[cell]
    fig = go.Figure()
    rows = [("h", h)] + ([("c", c)] if c is not None else [])
    bound = max(1.0, float(max(np.abs(v).max() for _, v in rows)))
    row_height = 1.0 / max(units, 1)
    for r, (name, values) in enumerate(rows):
        base = 1.4 + r * 1.3
        for t in window:
            for u in range(units):
                fig.add_shape(
                    type="rect",
                    x0=t - 0.28,
                    x1=t + 0.28,
                    y0=base + u * row_height,
                    y1=base + (u + 0.92) * row_height,
                    line=dict(width=0),
                    fillcolor=_color(values[t, u], bound),
                    layer="below",
                )
        fig.add_annotation(
            x=start - 0.55,
            y=base + 0.5,
            text=f"<b>{name}<sub>t</sub></b>",
            showarrow=False,
        )
        fig.add_scatter(
            x=[t for t in window for _ in range(units)],
            y=[base + (u + 0.46) * row_height for _ in window for u in range(units)],
            mode="markers",
            marker=dict(size=14, opacity=0),
            customdata=[
                (token_label(tokens[t]), t + 1, u, values[t, u]) for t in window for u in range(units)
            ],
            hovertemplate=f"token '%{{customdata[0]}}' (t=%{{customdata[1]}})<br>unit %{{customdata[2]}}<br>{name} = %{{customdata[3]:.3f}}<extra></extra>",
            showlegend=False,
        )
    for t in window:
        label = token_label(tokens[t])
        fig.add_annotation(
            x=t,
            y=0.35,
            text=f"<b>{label}</b>",
            showarrow=False,
            bordercolor="#444",
            borderpad=4,
            bgcolor="#FFF5D6" if t == step else "white",
            font=dict(size=15),
        )
        fig.add_annotation(
            x=t,
            y=-0.2,
            text=f"x<sub>{t + 1}</sub>",
            showarrow=False,
            font=dict(size=11),
        )
        fig.add_annotation(
            x=t,
            y=1.38,
            ax=t,
            ay=0.62,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowcolor="#444",
            text="",
        )
        if t > start:
            fig.add_annotation(
                x=t - 0.3,
                y=1.9,
                ax=t - 0.7,
                ay=1.9,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowwidth=2.5,
                arrowcolor=color,
                text="",
            )
            fig.add_annotation(
                x=t - 0.5,
                y=2.05,
                text="W<sub>hh</sub>",
                showarrow=False,
                font=dict(color=color, size=11),
            )
        fig.add_annotation(
            x=t + 0.12,
            y=1.0,
            text="W<sub>xh</sub>",
            showarrow=False,
            font=dict(color=color, size=11),
            xanchor="left",
        )
        if predictions is not None:
            top = 1.4 + len(rows) * 1.3
            fig.add_annotation(
                x=t,
                y=top + 0.15,
                text=f"→ {token_label(predictions[t])}",
                showarrow=False,
                font=dict(size=12, color="#555"),
            )
    fig.add_vrect(x0=step - 0.45, x1=step + 0.45, fillcolor="#F0E442", opacity=0.18, line_width=0)
    top = 1.4 + len(rows) * 1.3 + 0.4
    fig.update_xaxes(visible=False, range=[start - 0.9, start + WINDOW - 0.4])
    fig.update_yaxes(visible=False, range=[-0.45, top])
    title = (
        f"Steps {window.start + 1}–{window.stop} of {steps}: the same weights W<sub>xh</sub>, W<sub>hh</sub> "
        "at every step"
    )
    base_layout(fig, title, height=230 + 45 * len(rows))
    fig.update_layout(plot_bgcolor="white")
    return fig


def _color(value: float, bound: float) -> str:
    """Map a value to the diverging scale used by every signed heatmap."""
    return sample_colorscale(SIGNED_SCALE, [(float(value) / bound + 1) / 2])[0]


def weight_heatmaps(
    weights: dict[str, np.ndarray],
    cell: str,
    radius: dict[str, float],
    vocab: Sequence[str],
) -> tuple[go.Figure, go.Figure]:
    """W_xh and W_hh with the spectral radius of each recurrent block in the title."""
    names = GATES[cell] or ("h",)
    hidden = weights["W_hh"].shape[1]
    row_labels = [f"{g}·{u}" if len(names) > 1 else str(u) for g in names for u in range(hidden)]
    cols = [token_label(v) for v in vocab] if vocab else ["value"]
    w_ih, w_hh = weights["W_ih"], weights["W_hh"]
    fig_x = _matrix(w_ih, row_labels, cols, "W_ih")
    if "h" in radius:
        rho = radius["h"]
        verdict = "below 1: alone it shrinks the state" if rho < 1 else "above 1: alone it can grow the state"
        title = f"W<sub>hh</sub>: spectral radius {rho:.2f}, {verdict}"
    else:
        radii = ", ".join(f"{k} {v:.2f}" for k, v in radius.items())
        title = f"W<sub>hh</sub> gate blocks; spectral radius per block: {radii}"
    base_layout(
        fig_x,
        "W<sub>xh</sub>: each column is what one token writes into the state",
        height=max(260, 80 + 10 * len(row_labels)),
        x="input (token)",
        y="unit",
    )
    fig_h = _matrix(w_hh, row_labels, [str(u) for u in range(hidden)], "W_hh")
    base_layout(
        fig_h,
        title,
        height=max(260, 80 + 10 * len(row_labels)),
        x="from unit (h<sub>t−1</sub>)",
        y="to unit",
    )
    return fig_x, fig_h


def _matrix(w: np.ndarray, rows: list[str], cols: list[str], name: str) -> go.Figure:
    bound = float(np.abs(w).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=w,
            x=cols,
            y=rows,
            colorscale=SIGNED_SCALE,
            zmin=-bound,
            zmax=bound,
            hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>",
            colorbar=dict(thickness=10),
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig
