"""Figures of the unroll view: the network drawn through time, its weights, and the training film."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from rnnviz.core.cells import CELL_COLORS, GATES
from rnnviz.core.figures import animate, line_trace, state_heatmap
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, SIGNED_SCALE, base_layout, token_label
from rnnviz.core.timeline import Frame, Timeline
from rnnviz.views.unroll.result import UnrollResult, hidden_of
from rnnviz.views.unroll.sequence import read_sequence
from rnnviz.views.unroll.settings import UnrollConfig
from rnnviz.views.unroll.step import spectral_norm

WINDOW = 8
"""Steps drawn in the unrolled diagram; the scrubber moves the window."""


@by_result
def unrolled_diagram(
    h: np.ndarray,
    tokens: Sequence[str],
    step: int,
    cell: str,
    c: np.ndarray | None = None,
    predictions: Sequence[str] | None = None,
) -> go.Figure:
    """Columns of hidden-state cells, one per step, joined by the same W_hh arrow every time.

    ``h`` and ``c`` are (time, units); only a window of steps around ``step`` is drawn. Shapes and
    annotations are built as plain dicts and set at once: adding them one by one costs plotly ~0.5 s.
    """
    steps, units = h.shape
    start = int(np.clip(step - WINDOW // 2, 0, max(0, steps - WINDOW)))
    window = range(start, min(steps, start + WINDOW))
    color = CELL_COLORS[cell]
    rows = [("h", h)] + ([("c", c)] if c is not None else [])
    bound = max(1.0, float(max(np.abs(v).max() for _, v in rows)))
    row_height = 1.0 / max(units, 1)
    top = 1.4 + len(rows) * 1.3
    labels = [token_label(t) for t in tokens]
    cells = [(t, u) for t in window for u in range(units)]
    fig = go.Figure()
    highlight = {
        "type": "rect",
        "x0": step - 0.45,
        "x1": step + 0.45,
        "y0": -0.45,
        "y1": top + 0.4,
        "fillcolor": "#F0E442",
        "opacity": 0.18,
        "line": {"width": 0},
        "layer": "below",
    }
    shapes: list[dict] = [highlight]  # first, so the state cells are drawn over it
    notes: list[dict] = []
    for r, (name, values) in enumerate(rows):
        base = 1.4 + r * 1.3
        fills = sample_colorscale(SIGNED_SCALE, [(values[t, u] / bound + 1) / 2 for t, u in cells])
        shapes += [
            {
                "type": "rect",
                "x0": t - 0.28,
                "x1": t + 0.28,
                "y0": base + u * row_height,
                "y1": base + (u + 0.92) * row_height,
                "line": {"width": 0},
                "fillcolor": fill,
                "layer": "below",
            }
            for (t, u), fill in zip(cells, fills, strict=True)
        ]
        notes.append(
            {"x": start - 0.55, "y": base + 0.5, "text": f"<b>{name}<sub>t</sub></b>", "showarrow": False}
        )
        fig.add_scatter(
            x=[t for t, _ in cells],
            y=[base + (u + 0.46) * row_height for _, u in cells],
            mode="markers",
            marker={"size": 14, "opacity": 0},
            customdata=[(labels[t], t + 1, u, values[t, u]) for t, u in cells],
            hovertemplate="token '%{customdata[0]}' (t=%{customdata[1]})<br>unit %{customdata[2]}<br>"
            + f"{name} = %{{customdata[3]:.3f}}<extra></extra>",
            showlegend=False,
        )
    arrow = {
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "text": "",
    }
    weight_font = {"color": color, "size": 11}
    for t in window:
        notes += [
            {
                "x": t,
                "y": 0.35,
                "text": f"<b>{labels[t]}</b>",
                "showarrow": False,
                "bordercolor": "#444",
                "borderpad": 4,
                "bgcolor": "#FFF5D6" if t == step else "white",
                "font": {"size": 15},
            },
            {"x": t, "y": -0.2, "text": f"x<sub>{t + 1}</sub>", "showarrow": False, "font": {"size": 11}},
            {"x": t, "y": 1.38, "ax": t, "ay": 0.62, "arrowcolor": "#444", **arrow},
            {
                "x": t + 0.12,
                "y": 1.0,
                "text": "W<sub>xh</sub>",
                "showarrow": False,
                "font": weight_font,
                "xanchor": "left",
            },
        ]
        if t > start:
            notes += [
                {
                    "x": t - 0.3,
                    "y": 1.9,
                    "ax": t - 0.7,
                    "ay": 1.9,
                    "arrowwidth": 2.5,
                    "arrowcolor": color,
                    **arrow,
                },
                {"x": t - 0.5, "y": 2.05, "text": "W<sub>hh</sub>", "showarrow": False, "font": weight_font},
            ]
        if predictions is not None:
            notes.append(
                {
                    "x": t,
                    "y": top + 0.15,
                    "text": f"→ {token_label(predictions[t])}",
                    "showarrow": False,
                    "font": {"size": 12, "color": "#555"},
                }
            )
    fig.update_layout(shapes=shapes, annotations=notes, plot_bgcolor="white")
    fig.update_xaxes(visible=False, range=[start - 0.9, start + WINDOW - 0.4])
    fig.update_yaxes(visible=False, range=[-0.45, top + 0.4])
    title = (
        f"Steps {window.start + 1}–{window.stop} of {steps}: the same weights W<sub>xh</sub>, W<sub>hh</sub> "
        "at every step"
    )
    return base_layout(fig, title, height=230 + 45 * len(rows))


def weight_heatmaps(
    weights: dict[str, np.ndarray],
    cell: str,
    radius: dict[str, float],
    vocab: Sequence[str],
) -> tuple[go.Figure, go.Figure]:
    """W_xh and W_hh with the spectral radius of each recurrent block in the title (and, for a vanilla
    cell, ‖W_hh‖₂: what decides whether an earlier state must fade, stated by the lessons' claim)."""
    names = GATES[cell] or ("h",)
    hidden = weights["W_hh"].shape[1]
    row_labels = [f"{g}·{u}" if len(names) > 1 else str(u) for g in names for u in range(hidden)]
    cols = [token_label(v) for v in vocab] if vocab else ["value"]
    w_ih, w_hh = weights["W_ih"], weights["W_hh"]
    fig_x = _matrix(w_ih, row_labels, cols, "W_ih")
    if "h" in radius:
        title = (
            f"W<sub>hh</sub>: spectral radius {radius['h']:.2f}, largest singular value "
            f"‖W<sub>hh</sub>‖₂ {spectral_norm(weights['W_hh']):.2f}"
        )
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


GUESS_COLORS = {True: OKABE_ITO["blue"], False: OKABE_ITO["orange"]}
"""Bars of next-token guesses: right (blue) or wrong (orange)."""


GUESSES_HEIGHT = 260
"""Height of the next-token guesses figure, before room for its player."""


def _film_frames(timeline: Timeline, final: Frame) -> tuple[list[Frame], list[str], list[str]]:
    """The frames to play, their slider labels and their captions; the final frame alone when nothing was captured."""
    if not timeline.frames:
        return [final], ["end"], [""]
    labels = [str(s) for s in timeline.steps]
    return timeline.frames, labels, [timeline.label(i) for i in range(len(timeline))]


def hidden_film(
    timeline: Timeline,
    final: Frame,
    layer: int,
    tokens: Sequence[str],
) -> go.Figure:
    """The hidden-state heatmap of ``layer`` (0-based) at every snapshot, played by the training-step slider.

    Frames carry only the values (z): hover labels are fixed and read the value from z, and the
    colour scale is fixed over the whole film, so a colour means the same number in every frame.
    """
    frames, labels, captions = _film_frames(timeline, final)
    values = [hidden_of(f, layer) for f in frames]
    which = f", layer {layer + 1}" if "hidden_lower_layers" in final else ""
    titles = [f"Hidden states h{which}" + (f" at {c}" if c else "") for c in captions]
    fig = state_heatmap(values[-1], tokens, title=titles[-1], name="h")
    bound = max(1.0, max(float(np.abs(v).max()) for v in values))
    fig.update_traces(zmin=-bound, zmax=bound)
    return animate(fig, [[go.Heatmap(z=v.T)] for v in values], labels, titles=titles)


def predictions_film(
    timeline: Timeline, final: Frame, tokens: Sequence[str], values: np.ndarray | None = None
) -> go.Figure:
    """The next-token guess after each step, at every snapshot: how the model learns the sequence.

    ``values`` are the numbers of a numeric sequence (None for text).
    """
    frames, labels, captions = _film_frames(timeline, final)
    if values is None:
        fig, traces, titles = _token_guesses(frames, captions, tokens)
        animated = 0
    else:
        fig, traces, titles = _number_guesses(frames, captions, np.asarray(values, dtype=float))
        animated = 1
    return animate(fig, traces, labels, traces=[animated], titles=titles)


def _token_guesses(
    frames: Sequence[Frame], captions: Sequence[str], tokens: Sequence[str]
) -> tuple[go.Figure, list[list[go.Bar]], list[str]]:
    steps = np.arange(1, len(tokens))
    shown = [token_label(t) for t in tokens]
    traces, titles = [], []
    for frame, caption in zip(frames, captions, strict=True):
        guesses = frame["predictions"][:-1]
        right = [g == t for g, t in zip(guesses, tokens[1:], strict=True)]
        traces.append(
            [
                go.Bar(
                    x=steps,
                    y=frame["p_next"],
                    marker_color=[GUESS_COLORS[r] for r in right],
                    customdata=[
                        (shown[t - 1], shown[t], token_label(g)) for t, g in zip(steps, guesses, strict=True)
                    ],
                    hovertemplate="read '%{customdata[0]}' (t=%{x})<br>next is '%{customdata[1]}': "
                    "probability %{y:.2f}<br>guess '%{customdata[2]}'<extra></extra>",
                    showlegend=False,
                )
            ]
        )
        titles.append(
            f"Next-token guesses: {sum(right)} of {len(right)} right" + (f" at {caption}" if caption else "")
        )
    fig = go.Figure(traces[-1])
    for right, name in ((True, "right guess"), (False, "wrong guess")):
        fig.add_bar(x=[None], y=[None], marker_color=GUESS_COLORS[right], name=name)
    base_layout(
        fig,
        titles[-1],
        height=GUESSES_HEIGHT,
        x="time step (token read)",
        y="p(actual next token)",
    )
    fig.update_yaxes(range=[0, 1])
    if len(steps) <= 60:
        fig.update_xaxes(tickmode="array", tickvals=list(steps), ticktext=shown[:-1], tickangle=0)
    return fig, traces, titles


def _number_guesses(
    frames: Sequence[Frame], captions: Sequence[str], values: np.ndarray
) -> tuple[go.Figure, list[list[go.Scatter]], list[str]]:
    """The actual next values as a line (trace 0) and the guesses as dots over it (trace 1, animated)."""
    steps = np.arange(1, len(values))
    guesses = [np.asarray(frame["predictions"][:-1], dtype=float) for frame in frames]
    traces = [
        [
            go.Scatter(
                x=steps,
                y=g,
                mode="markers",
                name="guess",
                marker=dict(color=OKABE_ITO["orange"], size=9),
                hovertemplate="after step %{x}<br>guess %{y:.3g}<extra></extra>",
            )
        ]
        for g in guesses
    ]
    titles = ["Guesses (dots) against the next values (line)" + (f" at {c}" if c else "") for c in captions]
    hover = "after step %{x}<br>next value %{y:.3g}<extra></extra>"
    dots = dict(size=5)
    actual = line_trace(
        steps, values[1:], "actual next value", OKABE_ITO["black"], hover, mode="lines+markers", marker=dots
    )
    fig = go.Figure([actual, *traces[-1]])
    base_layout(fig, titles[-1], height=GUESSES_HEIGHT, x="time step (value read)", y="next value")
    every = np.concatenate([values[1:], *guesses])
    low, high = float(every.min()), float(every.max())
    pad = 0.05 * (high - low) or 1.0
    fig.update_yaxes(range=[low - pad, high + pad])  # fixed, so the axis does not jump between frames
    return fig, traces, titles


def live(cfg: UnrollConfig) -> Callable[[History], go.Figure]:
    """The main figure while training: the top layer's hidden states at the latest snapshot."""
    tokens = read_sequence(cfg.text, cfg.tokenizer).tokens

    def draw(history: History) -> go.Figure:
        timeline = history.timeline
        return state_heatmap(
            timeline.frames[-1]["hidden"],
            tokens,
            title=f"Training… hidden state h of the top layer at {timeline.label(len(timeline) - 1)}",
            name="h",
        )

    return draw


# Built once per cached result and shared by every visitor of it (a class opening one link).


@by_result
def states_film(res: UnrollResult, layer: int) -> go.Figure:
    return hidden_film(res.history.timeline, res.final, layer, res.tokens)


def film(cfg: UnrollConfig, res: UnrollResult) -> go.Figure:
    """The view's main figure as a training film: the hidden states of the layer shown."""
    return states_film(res, cfg.shown_layer)


@by_result
def guesses_film(res: UnrollResult) -> go.Figure:
    return predictions_film(res.history.timeline, res.final, res.tokens, res.values)


@by_result
def weight_figures(res: UnrollResult) -> tuple[go.Figure, go.Figure]:
    """The first layer's W_xh and W_hh."""
    return weight_heatmaps(res.weights[0], res.states.cell, res.radius[0], res.vocab)
