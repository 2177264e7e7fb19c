"""Figures of the character model: the training film, coloured text, next-character bars, units, the n-gram.

Text comes from a model trained on text anyone can paste or upload, so every character is
escaped before it reaches HTML or a Plotly label: what the reader sees is never markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate, loss_curve
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, SERIES, SIGNED_SCALE, base_layout, visible_whitespace
from rnnviz.core.timeline import Frame, Timeline
from rnnviz.views.charlm.features import Ranked, Unit
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import CharLMConfig

TOP_UNITS = 10
"""Bars in the unit ranking of one feature."""
LINE_CHARS = 60
"""Characters per row of the film's excerpt grid; longer lines wrap."""
SAMPLE_LINES = 5
"""Lines of the sample shown in the film (a sample is about a hundred characters)."""
ROW_PX = 24
"""Height of one line of text in the film, sample and excerpt alike."""


def shown(text: str) -> str:
    """User text made safe for Plotly labels, with whitespace made visible."""
    return html.escape("".join(visible_whitespace(ch) for ch in text), quote=False)


def next_chars(chars: str, probs: Sequence[float]) -> str:
    """'e 31% · ␣ 20% · …': the likeliest next characters, for hover text."""
    return " · ".join(f"{visible_whitespace(c)} {float(p):.0%}" for c, p in zip(chars, probs, strict=True))


def grid(text: str) -> list[tuple[int, int]]:
    """(row, column) of each character when the text is laid out in lines of at most LINE_CHARS."""
    cells, row, col = [], 0, 0
    for ch in text:
        if col == LINE_CHARS:
            row, col = row + 1, 0
        cells.append((row, col))
        if ch == "\n":
            row, col = row + 1, 0
        else:
            col += 1
    return cells


def _excerpt_cells(frame: Frame, unit: Unit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The excerpt laid out in lines: the unit's value, the glyph and the likeliest next characters per cell."""
    text = frame["excerpt"]
    cells = grid(text)
    rows, cols = (cells[-1][0] + 1, LINE_CHARS) if cells else (1, LINE_CHARS)
    z = np.full((rows, cols), np.nan)
    glyphs = np.full((rows, cols), "", dtype=object)
    nexts = np.full((rows, cols), "", dtype=object)
    values = np.asarray(frame[unit.state][unit.layer, :, unit.index], dtype=float)
    for t, ((r, c), ch) in enumerate(zip(cells, text, strict=True)):
        z[r, c] = values[t]
        glyphs[r, c] = shown(ch)
        nexts[r, c] = html.escape(next_chars(frame["top_chars"][t], frame["top_p"][t]))
    return z, glyphs, nexts


def _excerpt_hover(unit: Unit, step: str, with_next: bool = True) -> str:
    nexts = "<br>next: %{customdata}" if with_next else ""
    return f"%{{text}} ({step})<br>{unit.name()} = %{{z:+.2f}}{nexts}<extra></extra>"


def _excerpt_trace(frame: Frame, unit: Unit, bound: float, step: str) -> go.Heatmap:
    z, glyphs, nexts = _excerpt_cells(frame, unit)
    return go.Heatmap(
        z=z,
        text=glyphs,
        customdata=nexts,
        texttemplate="%{text}",
        textfont=dict(family="monospace", size=13),
        colorscale=SIGNED_SCALE,
        zmin=-bound,
        zmax=bound,
        xgap=1,
        ygap=1,
        colorbar=dict(title=dict(text=unit.name()), len=0.6, y=0.3, thickness=12),
        hovertemplate=_excerpt_hover(unit, step),
    )


def _excerpt_frame(frame: Frame, unit: Unit, step: str, with_next: bool) -> go.Heatmap:
    """One snapshot's changes only (the excerpt and its styling stay the figure's): a small film to send.

    Only the trained model's frame names the likeliest next characters on hover: for every earlier one
    they were a third of what the browser had to read before drawing the page.
    """
    z, _, nexts = _excerpt_cells(frame, unit)
    if not with_next:
        return go.Heatmap(z=z, hovertemplate=_excerpt_hover(unit, step, with_next=False))
    return go.Heatmap(z=z, customdata=nexts, hovertemplate=_excerpt_hover(unit, step))


def _sample_trace(frame: Frame) -> go.Scatter:
    lines = frame["sample"].split("\n")[:SAMPLE_LINES] or [""]
    return go.Scatter(
        x=[0] * len(lines),
        y=list(range(len(lines))),
        text=[shown(line[:LINE_CHARS]) or "&nbsp;" for line in lines],
        mode="text",
        textposition="middle right",
        textfont=dict(family="monospace", size=13, color=OKABE_ITO["black"]),
        hoverinfo="skip",
    )


def _film_layout(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_xaxes(range=[-0.02, 1], row=1, col=1)
    fig.update_yaxes(range=[SAMPLE_LINES - 0.5, -0.5], row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    return fig


def unit_bound(frames: Sequence[Frame], unit: Unit) -> float:
    """Colour scale bound: 1 for a hidden state squashed into [-1, 1], the largest |value| otherwise."""
    largest = max(
        float(np.nanmax(np.abs(f[unit.state][unit.layer, :, unit.index]), initial=0)) for f in frames
    )
    return max(1.0, largest) if np.isfinite(largest) else 1.0


@by_result
def training_film(timeline: Timeline, unit: Unit, layers: int = 1) -> go.Figure:
    """The training as a film: what the model writes, and how one unit colours a held-out excerpt.

    Opens on the last snapshot; the slider and Play replay every snapshot in the browser.
    """
    frames = timeline.frames
    bound = unit_bound(frames, unit)
    titles = [
        f"Learning to write, and what {unit.name(layers)} tracks: {timeline.label(i)}"
        for i in range(len(frames))
    ]
    last = len(frames) - 1
    data = [
        [_sample_trace(f), _excerpt_frame(f, unit, f"step {s}", with_next=i == last)]
        for i, (f, s) in enumerate(zip(frames, timeline.steps, strict=True))
    ]
    cells = grid(frames[-1]["excerpt"])
    rows = cells[-1][0] + 1 if cells else 1
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[SAMPLE_LINES, rows],
        vertical_spacing=0.12,
        subplot_titles=(
            "Written from a new line at this step",
            f"Held-out excerpt coloured by {unit.name(layers)}",
        ),
    )
    fig.add_trace(data[-1][0], row=1, col=1)
    fig.add_trace(_excerpt_trace(frames[-1], unit, bound, f"step {timeline.steps[-1]}"), row=2, col=1)
    base_layout(fig, titles[-1], height=140 + ROW_PX * (SAMPLE_LINES + rows))
    _film_layout(fig)
    return animate(fig, data, [str(s) for s in timeline.steps], traces=[0, 1], titles=titles)


def film(cfg: CharLMConfig, res: CharLMResult) -> go.Figure:
    """The training film, coloured by the unit the settings pick."""
    return training_film(res.history.timeline, res.unit(cfg), cfg.layers)


def live_film(history: History) -> go.Figure:
    """While training: the film's latest frame, coloured by the unit that varies most on the excerpt."""
    timeline = history.timeline
    last = timeline.frames[-1]
    spread = np.nan_to_num(np.asarray(last["h"], dtype=float)).std(axis=1)
    layer, index = np.unravel_index(int(spread.argmax()), spread.shape)
    latest = Timeline([timeline.steps[-1]], [timeline.loss[-1]], [last])
    return training_film(latest, Unit("h", int(layer), int(index)), layers=spread.shape[0])


def losses(history: History, test_curve: str) -> go.Figure:
    """The loss curve, its second curve named for what it is: a score on part of the test text."""
    return loss_curve(history, val_label=test_curve)


def live(cfg: CharLMConfig) -> LiveFigure:
    """The live figure needs no setting: the unit the reader picks is chosen after training."""
    return live_film


@by_result
def coloured_text(
    text: str, values: np.ndarray, seed_len: int, unit: str, hovers: Sequence[str] | None = None
) -> str:
    """HTML of ``text`` with each character's background set by ``values`` (one per character).

    Blue is negative, white zero, red positive, on the shared diverging scale; grey marks a
    value that is not finite (a diverged model). Hovering a character names it, its position,
    the unit's value and the five likeliest next characters. Every character is escaped.
    """
    finite = np.isfinite(values)
    bound = max(1.0, float(np.abs(values[finite]).max())) if finite.any() else 1.0
    scaled = np.clip((np.where(finite, values, 0.0) / bound + 1) / 2, 0, 1)
    colours = [
        c if ok else OKABE_ITO["grey"]
        for c, ok in zip(sample_colorscale(SIGNED_SCALE, list(scaled)), finite, strict=True)
    ]
    spans = []
    nexts = [f"\nnext: {h}" for h in hovers] if hovers is not None else [""] * len(text)
    for t, (ch, value, colour, nxt) in enumerate(zip(text, values, colours, nexts, strict=True)):
        ink = "white" if abs(value) > 0.6 * bound else "black"
        underline = "text-decoration:underline;" if t < seed_len else ""
        hover = f"'{visible_whitespace(ch)}' at position {t + 1}: {unit} = {value:+.2f}{nxt}"
        glyph = "↵\n" if ch == "\n" else ch
        spans.append(
            f'<span style="background:{colour};color:{ink};{underline}" '
            f'title="{html.escape(hover)}">{html.escape(glyph)}</span>'
        )
    low, mid, high = sample_colorscale(SIGNED_SCALE, [0.0, 0.5, 1.0])
    legend = (
        '<div style="display:flex;align-items:center;gap:8px;font-size:13px;margin-top:8px">'
        f"<span>{html.escape(unit)}: −{bound:.3g}</span>"
        f'<span style="width:160px;height:10px;background:linear-gradient(to right,{low},{mid},{high})">'
        f"</span><span>+{bound:.3g}</span>"
        + ("<span>· underlined: the seed text</span>" if seed_len else "")
        + ("<span>· hover a character for the likeliest next ones</span>" if hovers is not None else "")
        + "</div>"
    )
    body = (
        '<div dir="auto" style="font-family:ui-monospace,monospace;font-size:15px;line-height:1.7;'
        'white-space:pre-wrap;overflow-wrap:anywhere">' + "".join(spans) + "</div>"
    )
    return body + legend


@by_result
def next_char_bars(
    vocab: Sequence[str],
    probs: np.ndarray,
    probs_t1: np.ndarray,
    *,
    temperature: float,
    context: str,
    actual: str | None,
    top: int,
) -> go.Figure:
    """The ``top`` likeliest next characters at temperature T, beside the model's own distribution (T = 1)."""
    order = list(np.argsort(-probs, kind="stable")[:top])
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
    best = order[0]
    title = (
        f"After “…{shown(context[-16:])}”, the model gives “{shown(vocab[best])}” "
        f"{probs[best]:.0%} at T = {temperature:g}"
    )
    base_layout(fig, title, height=320, x="next character (orange: the one that came next)", y="probability")
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(type="category")
    return fig


@by_result
def feature_units(
    ranked: Sequence[Ranked], feature: str, highlight: Unit | None, layers: int, untrained: float | None
) -> go.Figure:
    """The units (of any state and layer) whose activation correlates most with a feature, as signed bars,
    between dashed lines at ± the untrained network's best |r|: the control a trained unit must clear."""
    fig = go.Figure()
    if not ranked:
        base_layout(
            fig,
            f"Nothing to correlate: “{feature}” never changes here, or the text is too short",
            height=260,
            x="unit",
            y="correlation r",
        )
        return fig
    names = [x.unit.name(layers) for x in ranked]
    values = [x.r for x in ranked]
    fig.add_bar(
        x=names,
        y=values,
        marker=dict(
            color=values,
            colorscale=SIGNED_SCALE,
            cmin=-1,
            cmax=1,
            line=dict(
                color=[OKABE_ITO["black"] if x.unit == highlight else "rgba(0,0,0,0)" for x in ranked],
                width=2,
            ),
        ),
        hovertemplate="%{x}<br>r = %{y:+.3f}<extra></extra>",
    )
    if untrained is not None:
        for sign in (1, -1):
            fig.add_hline(
                y=sign * untrained,
                line=dict(color=OKABE_ITO["grey"], dash="dash"),
                annotation_text=f"untrained network's best: |r| = {untrained:.2f}" if sign > 0 else None,
                annotation_position="top right",
            )
    base_layout(
        fig,
        f"The units most correlated with “{feature}”, trained and (dashed) untrained",
        height=300,
        x="unit (h: hidden state, c: cell state; outlined: the one colouring the text)",
        y="correlation r with the feature",
    )
    fig.update_yaxes(range=[-1, 1])
    fig.update_xaxes(type="category")
    return fig


@by_result
def against_ngram(dev: Sequence[float], test: Sequence[float], order: int, network: float) -> go.Figure:
    """Nats per character of every n-gram order, beside the network's: who predicts the held-out text better."""
    orders = list(range(1, len(test) + 1))
    fig = go.Figure()
    fig.add_scatter(
        x=orders,
        y=list(dev),
        mode="lines+markers",
        name="n-gram, held-out training text (chooses the order)",
        line=dict(color=OKABE_ITO["sky"], dash="dot"),
        hovertemplate="order %{x}<br>%{y:.3f} nats/char on held-out training text<extra></extra>",
    )
    fig.add_scatter(
        x=orders,
        y=list(test),
        mode="lines+markers",
        name="n-gram, test text",
        line=dict(color=SERIES["validation"]),
        hovertemplate="order %{x}<br>%{y:.3f} nats/char on the test text<extra></extra>",
    )
    fig.add_hline(
        y=network,
        line=dict(color=SERIES["train"], width=3),
        annotation_text=f"network: {network:.3f}",
        annotation_position="top right",
    )
    base_layout(
        fig,
        f"Every n-gram order and the network on the test text (order {order} chosen)",
        height=320,
        x="n-gram order (characters, context included)",
        y="nats per character (lower is better)",
    )
    fig.update_xaxes(dtick=1)
    # Half a page wide: a legend above the plot would run into the title; below the curves it hides nothing.
    fig.update_layout(legend=dict(orientation="v", x=0.02, xanchor="left", y=0.02, yanchor="bottom"))
    upper = max([v for v in test if np.isfinite(v)] + [network if np.isfinite(network) else 0])
    fig.update_yaxes(range=[0, min(upper, 4.5) * 1.05])
    return fig
