"""A comparison's figures: the headline metric per variant (a point per seed, the mean and its interval) and
the variants' loss curves overlaid, each seed's spread as a band."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.compare import Comparison, Outcome, name_of
from rnnviz.core.figures import line_trace
from rnnviz.core.style import OKABE_ITO, base_layout

VARIANT_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["purple"])
"""One colour per variant, in the order asked for (at most MAX_VARIANTS)."""
CURVE_POINTS = 400
"""A loss curve is thinned to about this many points: the shape survives, the page stays light."""


def _names(c: Comparison) -> list[str]:
    return [name_of(c.plan.exp, o.variant.settings) for o in c.outcomes]


def metric_points(c: Comparison, height: int = 340) -> go.Figure:
    """Each seed's value as a dot, the mean as a bar with its 95% interval across seeds as whiskers."""
    metric = c.plan.exp.metric
    fig = go.Figure()
    for i, (name, o) in enumerate(zip(_names(c), c.outcomes, strict=True)):
        color = VARIANT_COLORS[i % len(VARIANT_COLORS)]
        seeds = [cfg.seed for cfg in o.variant.configs]
        fig.add_trace(
            go.Scatter(
                x=[name] * len(o.spread.values),
                y=[v if math.isfinite(v) else None for v in o.spread.values],
                mode="markers",
                marker=dict(color=color, size=9, opacity=0.6),
                customdata=seeds,
                name=f"{name}: seeds",
                showlegend=False,
                hovertemplate=f"{name}<br>seed %{{customdata}}: %{{y:.4g}}<extra></extra>",
            )
        )
        s = o.spread
        error = (
            dict(
                type="data",
                symmetric=False,
                array=[s.high - s.mean],
                arrayminus=[s.mean - s.low],
                color=color,
            )
            if s.has_interval
            else None
        )
        fig.add_trace(
            go.Scatter(
                x=[name],
                y=[s.mean if math.isfinite(s.mean) else None],
                mode="markers",
                marker=dict(color=color, size=16, symbol="line-ew-open", line=dict(width=3, color=color)),
                error_y=error,
                name=f"{name}: mean",
                showlegend=False,
                hovertemplate=f"{name}<br>mean %{{y:.4g}}"
                + (f"<br>95% interval {s.low:.4g} to {s.high:.4g}" if s.has_interval else "<br>one seed")
                + "<extra></extra>",
            )
        )
    better = "higher is better" if metric.better == "higher" else "lower is better"
    base_layout(
        fig,
        f"{metric.label} per variant: dots are seeds, the bar the mean with its 95% interval ({better})",
        height=height,
        y=metric.label + (f" ({metric.unit})" if metric.unit else ""),
    )
    return fig


def _band(o: Outcome) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Steps, and the mean, lowest and highest loss over seeds at each (up to the shortest run)."""
    curves = [np.asarray(r.history.loss, dtype=np.float64) for r in o.results]
    length = min((len(c) for c in curves), default=0)
    if length == 0:
        return None
    stacked = np.vstack([c[:length] for c in curves])
    keep = np.unique(np.linspace(0, length - 1, min(length, CURVE_POINTS)).astype(int))
    stacked = stacked[:, keep]
    return keep + 1, stacked.mean(axis=0), stacked.min(axis=0), stacked.max(axis=0)


def loss_bands(c: Comparison, height: int = 340) -> go.Figure:
    """Every variant's training loss: the mean over seeds as a line, lowest to highest seed as a band."""
    fig = go.Figure()
    seeds = len(c.outcomes[0].results) if c.outcomes else 0
    for i, (name, o) in enumerate(zip(_names(c), c.outcomes, strict=True)):
        band = _band(o)
        if band is None:
            continue
        steps, mean, low, high = band
        color = VARIANT_COLORS[i % len(VARIANT_COLORS)]
        if seeds > 1:
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([steps, steps[::-1]]),
                    y=np.concatenate([high, low[::-1]]),
                    fill="toself",
                    fillcolor=color,
                    opacity=0.2,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=name,
                )
            )
        fig.add_trace(
            line_trace(
                steps,
                mean,
                name,
                color,
                f"{name}<br>step %{{x}}: loss %{{y:.4g}}<extra></extra>",
                legendgroup=name,
            )
        )
    spread = f"mean of {seeds} seeds, the band from lowest to highest" if seeds > 1 else "one seed each"
    base_layout(fig, f"Training loss ({spread})", height=height, x="training step", y="loss (log scale)")
    fig.update_yaxes(type="log", tickformat=".2g")
    return fig
