"""Figures of the memory view: three cells' loss curves against chance, and what each one recalls."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.cells import CELL_COLORS
from rnnviz.core.figures import plottable
from rnnviz.core.fit import History
from rnnviz.core.memory_model import MEMORY_CELLS
from rnnviz.core.style import SERIES, base_layout

SMOOTHING = 20
"""Steps in the running mean drawn over each noisy per-batch loss."""


def running_mean(values: list[float], window: int = SMOOTHING) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return v
    cumulative = np.cumsum(np.insert(v, 0, 0.0))
    starts = np.maximum(0, np.arange(1, v.size + 1) - window)
    return (cumulative[1:] - cumulative[starts]) / (np.arange(1, v.size + 1) - starts)


def memory_loss_curves(histories: dict[str, History], chance: float, solved: float, title: str) -> go.Figure:
    """Per-batch loss (faint) and its running mean (bold) for each cell, with chance and 'solved' lines."""
    fig = go.Figure()
    for cell, hist in histories.items():
        steps = np.arange(1, len(hist.loss) + 1)
        name = MEMORY_CELLS[cell]
        fig.add_scatter(
            x=steps,
            y=plottable(hist.loss),
            mode="lines",
            line=dict(color=CELL_COLORS[cell], width=0.8),
            opacity=0.3,
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=steps,
            y=plottable(running_mean(hist.loss)),
            mode="lines",
            name=name,
            line=dict(color=CELL_COLORS[cell], width=2.5),
            hovertemplate=f"{name}<br>step %{{x}}<br>loss (mean of {SMOOTHING} steps) %{{y:.3g}}<extra></extra>",
        )
    for level, dash, text in (
        (chance, "dash", f"chance {chance:.3g}"),
        (solved * chance, "dot", f"solved: below {solved:g} × chance"),
    ):
        fig.add_hline(y=level, line=dict(color=SERIES["truth"], dash=dash, width=1.2))
        # On a log axis annotations take log10 coordinates (add_hline's own label would land at 10^level).
        fig.add_annotation(
            x=0,
            xref="paper",
            y=math.log10(level),
            text=text,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    base_layout(fig, title, height=400, x="training step", y="mean squared error (log scale)")
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    return fig


def recall_scatter(predictions: dict[str, np.ndarray], target: np.ndarray, answer: str) -> go.Figure:
    """One panel per cell: its answer against the right answer on held-out sequences."""
    cells = list(predictions)
    fig = make_subplots(
        rows=1,
        cols=len(cells),
        subplot_titles=[MEMORY_CELLS[c] for c in cells],
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    low, high = float(np.min(target)), float(np.max(target))
    for i, cell in enumerate(cells, start=1):
        pred = predictions[cell]
        fig.add_scatter(
            x=target,
            y=pred,
            mode="markers",
            marker=dict(color=CELL_COLORS[cell], size=5, opacity=0.6),
            showlegend=False,
            customdata=np.arange(1, len(target) + 1),
            hovertemplate=f"{MEMORY_CELLS[cell]}<br>sequence %{{customdata}}<br>{answer} %{{x:.3f}}"
            "<br>answer given %{y:.3f}<extra></extra>",
            row=1,
            col=i,
        )
        fig.add_scatter(
            x=[low, high],
            y=[low, high],
            mode="lines",
            line=dict(color=SERIES["truth"], dash="dot", width=1),
            showlegend=False,
            hoverinfo="skip",
            row=1,
            col=i,
        )
        fig.update_xaxes(title_text=answer, row=1, col=i)
    fig.update_yaxes(title_text="the model's answer", row=1, col=1)
    base_layout(fig, "Held-out sequences: a cell that remembers puts its answers on the diagonal", height=330)
    fig.update_layout(margin=dict(t=70))
    return fig
