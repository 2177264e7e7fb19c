"""Figures several pages share: loss curves and units-by-time heatmaps."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.fit import History
from rnnviz.core.style import (
    SERIES,
    SIGNED_SCALE,
    UNIT_SCALE,
    base_layout,
    token_label,
)


def loss_curve(
    history: History, *, title: str | None = None, log_y: bool = True, height: int = 300
) -> go.Figure:
    steps = np.arange(1, len(history.loss) + 1)
    fig = go.Figure()
    fig.add_scatter(
        x=steps,
        y=history.loss,
        mode="lines",
        name="training loss",
        line=dict(color=SERIES["train"]),
        hovertemplate="step %{x}<br>loss %{y:.4g}<extra></extra>",
    )
    if history.val_loss:
        fig.add_scatter(
            x=history.val_steps,
            y=history.val_loss,
            mode="lines+markers",
            name="validation loss",
            line=dict(color=SERIES["validation"]),
            hovertemplate="step %{x}<br>validation loss %{y:.4g}<extra></extra>",
        )
    if title is None:
        if history.loss:
            title = (
                f"Loss fell from {history.loss[0]:.3g} to {history.final_loss():.3g} in {len(steps)} steps"
            )
        else:
            title = "Not trained: the weights are as initialised"
    base_layout(
        fig,
        title,
        height=height,
        x="training step",
        y="loss" + (" (log scale)" if log_y else ""),
    )
    if log_y:
        fig.update_yaxes(type="log", tickformat=".2g")
    return fig


def state_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str,
    name: str,
    signed: bool = True,
    height: int | None = None,
    highlight: int | None = None,
) -> go.Figure:
    """Units down, time across. ``values`` is (time, units); hover names token, step, unit and value."""
    steps, units = values.shape
    shown = [token_label(t) for t in tokens]
    hover = np.array(
        [
            [
                f"token '{shown[t]}' (t={t + 1})<br>unit {u}<br>{name} = {values[t, u]:.3f}"
                for t in range(steps)
            ]
            for u in range(units)
        ]
    )
    bound = max(1.0, float(np.abs(values).max())) if signed else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values.T,
            x=list(range(1, steps + 1)),
            y=list(range(units)),
            colorscale=SIGNED_SCALE if signed else UNIT_SCALE,
            zmin=-bound if signed else 0,
            zmax=bound,
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorbar=dict(thickness=10, len=0.9),
        )
    )
    if steps <= 60:  # one labelled tick per token; beyond that plotly's own step numbers stay legible
        fig.update_xaxes(tickmode="array", tickvals=list(range(1, steps + 1)), ticktext=shown, tickangle=0)
    fig.update_yaxes(autorange="reversed")
    if highlight is not None:
        fig.add_vrect(x0=highlight + 0.5, x1=highlight + 1.5, line=dict(color="black", width=2))
    base_layout(
        fig,
        title,
        height=height or max(220, 60 + 14 * units),
        x="time step (token)",
        y="unit",
    )
    return fig


def plottable(values: np.ndarray) -> list[float | None]:
    """Log axes cannot show 0, NaN or inf: those points become gaps."""
    return [float(v) if math.isfinite(v) and v > 0 else None for v in np.asarray(values, dtype=float)]
