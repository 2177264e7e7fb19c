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
SUBPLOT_TITLE_PX = 24
"""Height of the panels' titles over the top row of a figure of panels (their font is 16 px)."""
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)
"""A legend of one row, between the title and the plot."""
LEGEND_RIGHT = dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02)
"""A legend beside the plot: a film's, whose buttons and slider take the room below."""
LEGEND_ROW_PX = 640
"""Width one legend row above the plot may take: a full-width figure is 700-950 px wide on a laptop or
desktop screen. A longer legend would wrap upwards over the title, so it goes below the plot instead."""
LEGEND_ROW_HEIGHT_PX = 24
"""Height of one row of a legend."""
UNDER_PLOT_PX = 72
"""Room between the plot and a legend below it: the x axis' tick labels (slanted ones too) and title."""


TITLE_LINE_CHARS = 100
"""Characters of a title line that fit a full-width figure at the title's size. Plotly cuts a longer line
at the figure's edge, often just where this run's finding is, so base_layout breaks it into lines."""
CLAUSE_ENDS = (".", ";", "·", ":", ",")
"""Where a title line breaks best, strongest first."""


def _break_at(line: str, width: int) -> int:
    """Where to break ``line``: after its strongest clause end that fits past half the line, else at its
    last space that fits; outside brackets if it can, so '(LSTM 0.98×, GRU 0.93×)' stays on one line."""
    depth, spaces = 0, []
    for i, char in enumerate(line[: width + 1]):
        depth += (char in "([") - (char in ")]")
        if char == " ":
            spaces.append((depth > 0, i))
    if not spaces:
        return -1
    outside = [i for inside, i in spaces if not inside] or [i for _, i in spaces]
    for mark in CLAUSE_ENDS:
        ends = [i for i in outside if i > width // 2 and line[i - 1] == mark]
        if ends:
            return ends[-1]
    return outside[-1]


def wrapped_title(title: str, width: int = TITLE_LINE_CHARS) -> str:
    """``title`` with a line break wherever a line would pass ``width`` characters (see :func:`_break_at`).
    Lines with markup are left whole: a break there could split a tag."""
    lines = []
    for line in title.split("<br>"):
        while len(line) > width and "<" not in line and (cut := _break_at(line, width)) > 0:
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        lines.append(line)
    return "<br>".join(lines)


def legend_width_px(names: Iterable[str]) -> int:
    """About how wide a horizontal legend of ``names`` is drawn: each entry's symbol and gaps, then its text
    at the shared font's average character width."""
    return sum(40 + 7 * len(name) for name in names)


def legend_place(fig: go.Figure, title: str, height: int, panels: bool) -> dict:
    """Above the plot if the legend fits in one row there under a one-line title and no ``panels``' titles;
    else below the x axis, where its rows can wrap and meet neither a title's second line nor a panel's title.

    A legend below is placed in the plot's own units, so its gap is the axis' room over the plot's height."""
    names = [
        t.name for t in fig.data if t.name and t.showlegend is not False and not isinstance(t, go.Heatmap)
    ]
    if legend_width_px(names) <= LEGEND_ROW_PX and "<br>" not in title and not panels:
        return LEGEND_ABOVE
    room = top_margin(title, panels) + MARGIN["b"] + UNDER_PLOT_PX + LEGEND_ROW_HEIGHT_PX
    plot_px = max(height - room, UNDER_PLOT_PX)
    return dict(orientation="h", yanchor="top", y=-UNDER_PLOT_PX / plot_px, xanchor="left", x=0)


def has_subplot_titles(fig: go.Figure) -> bool:
    """Whether a panel of the top row has a title (make_subplots sets it on the panel's top edge)."""
    return _panel_titled(fig.layout.to_plotly_json())


def _panel_titled(layout: dict) -> bool:
    """:func:`has_subplot_titles` on the layout's plain values: reading each annotation's properties from
    the figure costs 70 µs apiece."""
    return any(
        a.get("yref") == "paper" and a.get("yanchor") == "bottom" and a.get("y", 0) >= 1
        for a in layout.get("annotations", ())
    )


def top_margin(title: str, subplot_titles: bool = False) -> int:
    """Room above the plot for ``title`` (a line more for each of its line breaks) and panels' titles."""
    return MARGIN["t"] + TITLE_LINE_PX * title.count("<br>") + (SUBPLOT_TITLE_PX if subplot_titles else 0)


def shared_look(title: str, legend: dict = LEGEND_ABOVE, subplot_titles: bool = False) -> dict[str, dict]:
    """The layout parts every figure shares, titled ``title``: one look across the views.

    The top margin grows by a title's extra lines and by the panels' titles (:func:`legend_place` puts the
    legend of such a figure below the plot)."""
    return {
        "title": dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        "margin": dict(MARGIN, t=top_margin(title, subplot_titles)),
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
    title = wrapped_title(title)
    layout = fig.layout
    current = layout.to_plotly_json()
    panels = _panel_titled(current)
    shared = shared_look(title, legend_place(fig, title, height, panels), panels)
    for part, look in shared.items():
        layout[part] = _laid_over(current.get(part, {}), look)
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
