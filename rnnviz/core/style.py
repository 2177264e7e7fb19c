"""One colour per cell type and per gate, across every page (Okabe-Ito, safe for colour-blind readers)."""

from __future__ import annotations

import html
from collections.abc import Iterable

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

LINE_DASHES = {
    OKABE_ITO["blue"]: "solid",
    OKABE_ITO["orange"]: "dash",
    OKABE_ITO["vermillion"]: "dot",
    OKABE_ITO["green"]: "dashdot",
    OKABE_ITO["purple"]: "longdash",
    OKABE_ITO["sky"]: "longdashdot",
    OKABE_ITO["black"]: "6px,2px,2px,2px,2px,2px",
    OKABE_ITO["yellow"]: "1px,3px",
    OKABE_ITO["grey"]: "8px,4px",
}
"""Each palette colour's own line pattern: two lines never differ by colour alone, so a reader who
cannot tell the hues apart (or prints in grey) still can by pattern. A line that sets a dash keeps it."""
MARKER_SYMBOLS = {
    OKABE_ITO["blue"]: "circle",
    OKABE_ITO["orange"]: "square",
    OKABE_ITO["vermillion"]: "diamond",
    OKABE_ITO["green"]: "triangle-up",
    OKABE_ITO["purple"]: "x",
    OKABE_ITO["sky"]: "cross",
    OKABE_ITO["black"]: "star",
    OKABE_ITO["yellow"]: "hexagon",
    OKABE_ITO["grey"]: "pentagon",
}
"""Each palette colour's own marker shape, for the same reason as LINE_DASHES."""


def dash_for(color: object) -> str | None:
    """The line pattern of a palette colour (any case), or None for a colour outside the palette."""
    return LINE_DASHES.get(color.upper()) if isinstance(color, str) else None


def _look(trace: go.Scatter) -> tuple:
    """What tells a series apart besides its colour: how it is drawn, its dash and its marker."""
    mode = trace.mode or "lines"
    dash = trace.line.dash if "lines" in mode else None
    return mode, dash, trace.marker.symbol if "markers" in mode else None, trace.fill


def _colour(trace: go.Scatter) -> str | None:
    """The series' one colour; None for colours given point by point (a colour scale), which mark values."""
    colour = trace.line.color or trace.marker.color
    return colour if isinstance(colour, str) else None


def colour_not_alone(fig: go.Figure) -> go.Figure:
    """Make every two series on the same axes differ by more than colour.

    A line in a palette colour takes that colour's dash, a marker its shape, unless the figure chose one;
    a series that would still look like one of another colour drawn before it gets the first pattern
    (or shape) no series on those axes has yet. Series of one colour may look alike: they are one thing.
    """
    axes: dict[tuple, dict[tuple, object]] = {}
    for trace in fig.data:
        if not isinstance(trace, go.Scatter) or not trace.name:
            continue
        mode = trace.mode or "lines"
        if "lines" in mode and trace.line.dash is None:
            trace.line.dash = dash_for(trace.line.color)
        if "markers" in mode and trace.marker.symbol is None and isinstance(trace.marker.color, str):
            trace.marker.symbol = MARKER_SYMBOLS.get(trace.marker.color.upper())
        seen = axes.setdefault((trace.xaxis, trace.yaxis), {})
        if seen.get(_look(trace), _colour(trace)) != _colour(trace):
            taken = {look[1] for look in seen} if "lines" in mode else {look[2] for look in seen}
            if "lines" in mode:
                trace.line.dash = next((d for d in LINE_DASHES.values() if d not in taken), trace.line.dash)
            else:
                trace.marker.symbol = next((m for m in MARKER_SYMBOLS.values() if m not in taken), None)
        seen.setdefault(_look(trace), _colour(trace))
    return fig


SIGNED_SCALE = "RdBu_r"
"""Diverging map for values in [-1, 1] (hidden states, tanh gates, weights): white is zero."""
UNIT_SCALE = "Cividis"
"""Sequential map for values in [0, 1] (sigmoid gates): perceptually even, colour-blind safe."""

FONT = dict(family="Inter, Source Sans Pro, sans-serif", size=13)


def _laid_over(current: dict, new: dict) -> dict:
    """``new`` laid over ``current`` as Plotly's update merges: nested settings merged, the rest replaced."""
    merged = dict(current)
    for key, value in new.items():
        old = merged.get(key)
        merged[key] = _laid_over(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


MARGIN = dict(l=10, r=10, t=50, b=10)
"""Room around the plot: a title's line and a legend's row at the top, next to nothing elsewhere."""
TITLE_LINE_PX = 22
"""Height of one more line of a title (its font is 15 px)."""
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)
"""A legend of one row, between the title and the plot."""
LEGEND_ROW_PX = 640
"""Width one legend row above the plot may take: Streamlit's centred column draws a figure 700-800 px
wide. A longer legend would wrap upwards over the title, so it goes below the plot instead."""
UNDER_PLOT_PX = 56
"""Room between the plot and a legend below it: the x axis' tick labels and title."""


def legend_width_px(names: Iterable[str]) -> int:
    """About how wide a horizontal legend of ``names`` is drawn: each entry's symbol and gaps, then its text
    at the shared font's average character width."""
    return sum(40 + 7 * len(name) for name in names)


def legend_place(fig: go.Figure, title: str, height: int) -> dict:
    """Above the plot if the legend fits in one row there under a one-line title; else below the x axis,
    where its rows can wrap and a title's second line cannot meet it.

    A legend below is placed in the plot's own units, so its gap is the axis' room over the plot's height."""
    names = [
        t.name for t in fig.data if t.name and t.showlegend is not False and not isinstance(t, go.Heatmap)
    ]
    if legend_width_px(names) <= LEGEND_ROW_PX and "<br>" not in title:
        return LEGEND_ABOVE
    plot_px = max(height - MARGIN["t"] - MARGIN["b"] - 2 * UNDER_PLOT_PX, UNDER_PLOT_PX)
    return dict(orientation="h", yanchor="top", y=-UNDER_PLOT_PX / plot_px, xanchor="left", x=0)


def shared_look(title: str, legend: dict = LEGEND_ABOVE) -> dict[str, dict]:
    """The layout parts every figure shares, titled ``title``: one look across the views.

    The top margin grows by a title's extra lines (:func:`legend_place` puts the legend of such a figure
    below the plot)."""
    return {
        "title": dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        "margin": dict(MARGIN, t=MARGIN["t"] + TITLE_LINE_PX * title.count("<br>")),
        "font": FONT,
        "hoverlabel": dict(font=dict(size=12)),
        "legend": legend,
    }


def base_layout(fig: go.Figure, title: str, *, height: int = 360, **axes: str) -> go.Figure:
    """Shared look: a title that states the finding, labelled axes, no wasted margins, and series told
    apart by more than colour (see colour_not_alone).

    Each part is merged with what the figure already set and assigned whole: the same layout as
    ``update_layout`` gives, at a fifth of its cost (it resolves and checks every nested key one by one),
    and every figure of every page and live redraw passes through here."""
    colour_not_alone(fig)
    layout = fig.layout
    for part, look in shared_look(title, legend_place(fig, title, height)).items():
        layout[part] = _laid_over(layout[part].to_plotly_json(), look)
    layout.height = height
    for axis, select in (("x", fig.select_xaxes), ("y", fig.select_yaxes)):
        if axis in axes:
            for each in select():
                each.title.text = axes[axis]
    return fig


def visible_whitespace(token: str) -> str:
    """A lone space, newline or tab drawn as a visible symbol, so a reader can see which step it is."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(token, token)


def token_label(token: str) -> str:
    """A token as Plotly should show it: whitespace visible, markup escaped (Plotly reads some HTML)."""
    return html.escape(visible_whitespace(token), quote=False)
