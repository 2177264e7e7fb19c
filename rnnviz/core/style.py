"""One colour per cell type and per gate, across every page (Okabe-Ito, safe for colour-blind readers)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

GATE_COLORS = {
    "i": OKABE_ITO["orange"],
    "f": OKABE_ITO["blue"],
    "g": OKABE_ITO["green"],
    "o": OKABE_ITO["purple"],
    "r": OKABE_ITO["sky"],
    "z": OKABE_ITO["vermillion"],
    "n": OKABE_ITO["green"],
}

SERIES = {
    "train": OKABE_ITO["blue"],
    "validation": OKABE_ITO["orange"],
    "truth": OKABE_ITO["black"],
}

SIGNED_SCALE = "RdBu_r"
"""Diverging map for values in [-1, 1] (hidden states, tanh gates, weights): white is zero."""
UNIT_SCALE = "Cividis"
"""Sequential map for values in [0, 1] (sigmoid gates): perceptually even, colour-blind safe."""

FONT = dict(family="Inter, Source Sans Pro, sans-serif", size=13)


def base_layout(fig: go.Figure, title: str, *, height: int = 360, **axes: str) -> go.Figure:
    """Shared look: a title that states the finding, labelled axes, no wasted margins."""
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        font=FONT,
        hoverlabel=dict(font_size=12),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    if "x" in axes:
        fig.update_xaxes(title_text=axes["x"])
    if "y" in axes:
        fig.update_yaxes(title_text=axes["y"])
    return fig


def visible_whitespace(token: str) -> str:
    """A lone space, newline or tab drawn as a visible symbol, so a reader can see which step it is."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(token, token)


def token_label(token: str) -> str:
    """A token as Plotly should show it: whitespace visible, markup escaped (Plotly reads some HTML)."""
    return html.escape(visible_whitespace(token), quote=False)
