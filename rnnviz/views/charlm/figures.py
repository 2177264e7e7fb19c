"""Figures of the character model: text coloured by a unit, next-character bars, units that track features.

Generated text comes from a model trained on text anyone can paste, so every character is
escaped before it reaches HTML or a Plotly label: what the reader sees is never markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from rnnviz.core.style import OKABE_ITO, SERIES, SIGNED_SCALE, base_layout, visible_whitespace
from rnnviz.views.charlm.features import strongest

TOP_CHARS = 12
"""Bars in the next-character chart; the rest of the alphabet shares the remaining probability."""
TOP_UNITS = 10


def shown(text: str) -> str:
    """User text made safe for Plotly labels, with whitespace made visible."""
    return html.escape("".join(visible_whitespace(ch) for ch in text))


def coloured_text(text: str, values: np.ndarray, seed_len: int, unit: int) -> str:
    """HTML of ``text`` with each character's background set by ``values`` (one per character).

    Blue is negative, white zero, red positive, on the shared diverging scale; grey marks a
    value that is not finite (a diverged model). Hovering a character names it, its position
    and the unit's value. Every character is escaped.
    """
    finite = np.isfinite(values)
    bound = max(1.0, float(np.abs(values[finite]).max())) if finite.any() else 1.0
    scaled = np.clip((np.where(finite, values, 0.0) / bound + 1) / 2, 0, 1)
    colours = [
        c if ok else OKABE_ITO["grey"]
        for c, ok in zip(sample_colorscale(SIGNED_SCALE, list(scaled)), finite, strict=True)
    ]
    spans = []
    for t, (ch, value, colour) in enumerate(zip(text, values, colours, strict=True)):
        ink = "white" if abs(value) > 0.6 * bound else "black"
        underline = "text-decoration:underline;" if t < seed_len else ""
        hover = f"'{visible_whitespace(ch)}' at position {t + 1}: unit {unit} = {value:+.2f}"
        glyph = "↵\n" if ch == "\n" else ch
        spans.append(
            f'<span style="background:{colour};color:{ink};{underline}" '
            f'title="{html.escape(hover)}">{html.escape(glyph)}</span>'
        )
    low, mid, high = sample_colorscale(SIGNED_SCALE, [0.0, 0.5, 1.0])
    legend = (
        '<div style="display:flex;align-items:center;gap:8px;font-size:13px;margin-top:8px">'
        f"<span>unit {unit}: −{bound:g}</span>"
        f'<span style="width:160px;height:10px;background:linear-gradient(to right,{low},{mid},{high})">'
        f"</span><span>+{bound:g}</span><span>· underlined: the seed text</span></div>"
    )
    body = (
        '<div dir="auto" style="font-family:ui-monospace,monospace;font-size:15px;line-height:1.7;'
        'white-space:pre-wrap;overflow-wrap:anywhere">' + "".join(spans) + "</div>"
    )
    return body + legend


def next_char_bars(
    vocab: Sequence[str],
    probs: np.ndarray,
    probs_t1: np.ndarray,
    *,
    temperature: float,
    context: str,
    actual: str | None,
) -> go.Figure:
    """The likeliest next characters at temperature T, beside the model's own distribution (T = 1)."""
    order = list(np.argsort(-probs, kind="stable")[:TOP_CHARS])
    if actual is not None and vocab.index(actual) not in order:
        order.append(vocab.index(actual))
    labels = [shown(vocab[i]) for i in order]
    fig = go.Figure()
    if not np.isclose(temperature, 1.0):
        fig.add_bar(
            x=labels,
            y=probs_t1[order],
            name="T = 1 (the model's own)",
            marker=dict(color=OKABE_ITO["grey"]),
            hovertemplate="next '%{x}'<br>p = %{y:.3f} at T = 1<extra></extra>",
        )
    colours = [OKABE_ITO["orange"] if actual == vocab[i] else SERIES["train"] for i in order]
    fig.add_bar(
        x=labels,
        y=probs[order],
        name=f"T = {temperature:g}",
        marker=dict(color=colours),
        hovertemplate=f"next '%{{x}}'<br>p = %{{y:.3f}} at T = {temperature:g}<extra></extra>",
    )
    top = order[0]
    title = (
        f"After “…{shown(context[-16:])}”, the model gives “{shown(vocab[top])}” "
        f"{probs[top]:.0%} at T = {temperature:g}"
    )
    base_layout(fig, title, height=320, x="next character (orange: the one that came next)", y="probability")
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(type="category")
    return fig


def feature_units(r: np.ndarray, feature: str, highlight: int) -> go.Figure:
    """The units of one layer whose activation correlates most with a feature, as signed bars."""
    top = strongest(r, TOP_UNITS)
    fig = go.Figure()
    if not top:
        base_layout(
            fig,
            f"Nothing to correlate: “{feature}” never changes here, or the text is too short",
            height=260,
            x="unit",
            y="correlation r",
        )
        return fig
    units = [u for u, _ in top]
    values = [v for _, v in top]
    fig.add_bar(
        x=[f"unit {u}" for u in units],
        y=values,
        marker=dict(
            color=values,
            colorscale=SIGNED_SCALE,
            cmin=-1,
            cmax=1,
            line=dict(
                color=[OKABE_ITO["black"] if u == highlight else "rgba(0,0,0,0)" for u in units], width=2
            ),
        ),
        hovertemplate="%{x}<br>r = %{y:+.3f}<extra></extra>",
    )
    best, best_r = top[0]
    base_layout(
        fig,
        f"Unit {best} tracks “{feature}” best: r = {best_r:+.2f}",
        height=300,
        x="unit (outlined: the one colouring the text)",
        y="correlation r",
    )
    fig.update_yaxes(range=[-1, 1])
    fig.update_xaxes(type="category")
    return fig
