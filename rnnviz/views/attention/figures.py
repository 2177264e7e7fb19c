"""Figures of the attention view: accuracy per output step, alignment heatmaps, the length sweep and
the measured cost of recurrence against self-attention."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.figures import animate
from rnnviz.core.fit import History
from rnnviz.core.fmt import percent
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, UNIT_SCALE, base_layout, token_label
from rnnviz.views.attention.answers import Answer
from rnnviz.views.attention.cost import CostRow
from rnnviz.views.attention.lessons import length_trend
from rnnviz.views.attention.result import AttentionResult
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import MAX_LENGTH, MIN_LENGTH

MODEL_COLORS = {"plain": OKABE_ITO["vermillion"], "attention": OKABE_ITO["blue"]}
MODEL_LABELS = {"plain": "plain encoder-decoder", "attention": "with attention"}
LAYER_COLORS = {"rnn": OKABE_ITO["green"], "attention": OKABE_ITO["purple"]}


def _accuracy_traces(accuracy: Mapping[str, np.ndarray]) -> list[go.Scatter]:
    traces = []
    for name, values in accuracy.items():
        steps = np.arange(1, len(values) + 1)
        traces.append(
            go.Scatter(
                x=steps,
                y=values,
                mode="lines+markers",
                name=MODEL_LABELS[name],
                line=dict(color=MODEL_COLORS[name]),
                hovertemplate=f"{MODEL_LABELS[name]}<br>output step %{{x}}: %{{y:.0%}} right<extra></extra>",
            )
        )
    return traces


def accuracy_title(accuracy: Mapping[str, np.ndarray]) -> str:
    plain, attention = (float(np.mean(accuracy[k])) for k in ("plain", "attention"))
    return (
        f"Tokens right on held-out examples: {percent(attention)} with attention, {percent(plain)} "
        "through the bottleneck"
    )


def position_accuracy(accuracy: Mapping[str, np.ndarray], title: str | None = None) -> go.Figure:
    fig = go.Figure(_accuracy_traces(accuracy))
    base_layout(
        fig,
        title or accuracy_title(accuracy),
        height=340,
        x="output step (token written)",
        y="held-out examples right",
    )
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    return fig


def _frame_accuracy(frame: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: frame[f"accuracy_{name}"] for name in MODEL_LABELS}


@by_result
def position_film(history: History) -> go.Figure:
    """Accuracy per output step through training, played in the browser."""
    timeline = history.timeline
    frames = [_frame_accuracy(f) for f in timeline.frames]
    fig = position_accuracy(frames[-1])
    return animate(
        fig,
        [_accuracy_traces(f) for f in frames],
        [str(s) for s in timeline.steps],
        titles=[f"{accuracy_title(f)} ({timeline.label(i)})" for i, f in enumerate(frames)],
    )


def accuracy_now(history: History) -> go.Figure:
    """Accuracy per output step at the latest snapshot: the live figure, and the still of an untrained run."""
    timeline = history.timeline
    frame = _frame_accuracy(timeline.frames[-1])
    return position_accuracy(frame, f"{accuracy_title(frame)} ({timeline.label(len(timeline) - 1)})")


def live(cfg: AttentionConfig) -> Callable[[History], go.Figure]:
    """While training: the accuracy per output step of both networks at the latest snapshot."""
    return accuracy_now


def film(cfg: AttentionConfig, res: AttentionResult) -> go.Figure:
    """The view's main figure as a training film: both networks' accuracy per output step."""
    return position_film(res.history)


def accuracy_figure(history: History) -> go.Figure:
    """The film when training took snapshots to play, else the one still there is."""
    return position_film(history) if len(history.timeline) > 1 else accuracy_now(history)


def _heatmap(
    weights: np.ndarray, source: Sequence[str], written: Sequence[str], expected: Sequence[str]
) -> go.Heatmap:
    out_steps, in_steps = weights.shape
    ins = [token_label(t) for t in source]
    hover = [
        [
            f"output step {t + 1} writes '{token_label(written[t])}' (right: '{token_label(expected[t])}')"
            f"<br>input step {i + 1} reads '{ins[i]}'"
            for i in range(in_steps)
        ]
        for t in range(out_steps)
    ]
    return go.Heatmap(
        z=weights,
        x=list(range(1, in_steps + 1)),
        y=list(range(1, out_steps + 1)),
        zmin=0,
        zmax=1,
        colorscale=UNIT_SCALE,
        text=hover,
        hovertemplate="%{text}<br>weight %{z:.2f}<extra></extra>",
        colorbar=dict(thickness=10, len=0.9, title=dict(text="weight", side="right")),
    )


@by_result
def alignment(
    weights: np.ndarray,
    source: Sequence[str],
    written: Sequence[str],
    expected: Sequence[str],
    title: str,
) -> go.Figure:
    """Output steps down, input steps across: where the decoder looked to write each token."""
    out_steps, in_steps = weights.shape
    fig = go.Figure(_heatmap(weights, source, written, expected))
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(1, in_steps + 1)),
        ticktext=[token_label(t) for t in source],
        tickangle=0,
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(1, out_steps + 1)),
        ticktext=[token_label(t) for t in written],
        autorange="reversed",
    )
    base_layout(
        fig,
        title,
        height=max(320, 120 + 16 * out_steps),
        x="input step (token read)",
        y="output step (token written)",
    )
    return fig


@by_result
def alignment_film(
    history: History,
    source: Sequence[str],
    written: Sequence[str],
    expected: Sequence[str],
    finding: str,
) -> go.Figure:
    """The held-out example's alignment through training; hover keeps the trained model's answer.

    A frame carries only its weights: the hover text (tokens and steps) stays the figure's own.
    """
    timeline = history.timeline
    frames = [f["weights"] for f in timeline.frames]
    fig = alignment(frames[-1], source, written, expected, f"{finding} ({timeline.label(len(timeline) - 1)})")
    return animate(
        fig,
        [[go.Heatmap(z=w)] for w in frames],
        [str(s) for s in timeline.steps],
        titles=[f"{finding} ({timeline.label(i)})" for i in range(len(timeline))],
    )


def example_alignment(history: History, example: Answer, finding: str) -> go.Figure:
    """A held-out example's alignment: as a film through training when there are snapshots to play."""
    if len(history.timeline) > 1:
        return alignment_film(
            history, example.source, example.written["attention"], example.expected, finding
        )
    return alignment(example.weights, example.source, example.written["attention"], example.expected, finding)


@by_result
def sweep(rows: Sequence[Mapping[str, float | None]], current: int) -> go.Figure:
    """Token accuracy against string length, from the results trained so far; the title is the claim
    those lengths support."""
    fig = go.Figure()
    for name in MODEL_LABELS:
        points = [(r["length"], r[name]) for r in rows if r[name] is not None]
        fig.add_scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="lines+markers",
            name=MODEL_LABELS[name],
            line=dict(color=MODEL_COLORS[name]),
            hovertemplate=f"{MODEL_LABELS[name]}<br>length %{{x}}: %{{y:.0%}} of digits right<extra></extra>",
        )
    fig.add_vline(x=current, line=dict(color=OKABE_ITO["grey"], dash="dot"))
    base_layout(
        fig,
        length_trend(rows).text,
        height=320,
        x="string length (digits)",
        y="held-out digits right",
    )
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    fig.update_xaxes(range=[MIN_LENGTH - 1, MAX_LENGTH + 1])
    return fig


@by_result
def cost(rows: Sequence[CostRow]) -> go.Figure:
    """Three panels: training time, memory, and the cost of one more token when streaming."""
    lengths = [r.length for r in rows]
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "Forward + backward, one sequence",
            "Memory that grows with T",
            "Streaming: one new token",
        ),
        horizontal_spacing=0.09,
    )
    panels = (
        (1, "ms", [r.rnn_ms for r in rows], [r.attention_ms for r in rows], "%{y:.3g} ms"),
        (
            2,
            "bytes",
            [r.rnn_state_bytes for r in rows],
            [r.attention_matrix_bytes for r in rows],
            "%{y:,} bytes",
        ),
        (3, "µs", [r.rnn_token_us for r in rows], [r.attention_token_us for r in rows], "%{y:.3g} µs"),
    )
    names = {
        1: ("LSTM layer", "self-attention layer"),
        2: ("LSTM state", "attention matrix (T × T)"),
        3: ("LSTM step", "attention over the cache"),
    }
    for col, _, rnn, att, fmt in panels:
        for layer, values, label in (("rnn", rnn, names[col][0]), ("attention", att, names[col][1])):
            fig.add_scatter(
                x=lengths,
                y=values,
                mode="lines+markers",
                name=label,
                legendgroup=layer,
                showlegend=col == 1,
                line=dict(color=LAYER_COLORS[layer]),
                hovertemplate=f"{label}<br>T = %{{x}}: {fmt}<extra></extra>",
                row=1,
                col=col,
            )
    for col, unit, *_ in panels:
        axis_x = "T (tokens)" if col != 3 else "tokens already cached"
        fig.update_xaxes(type="log", title_text=axis_x, row=1, col=col)
        fig.update_yaxes(type="log", title_text=unit, row=1, col=col)
    last = rows[-1]
    base_layout(
        fig,
        f"At T = {last.length:,} the LSTM takes {last.rnn_sequential:,} steps in a row, attention one "
        f"step over a {last.length:,} × {last.length:,} matrix",
        height=380,
    )
    fig.update_layout(legend=dict(y=1.12))
    return fig


@by_result
def loss_curves(losses: Mapping[str, Sequence[float]]) -> go.Figure:
    fig = go.Figure()
    for name, values in losses.items():
        fig.add_scatter(
            x=np.arange(1, len(values) + 1),
            y=values,
            mode="lines",
            name=MODEL_LABELS[name],
            line=dict(color=MODEL_COLORS[name]),
            hovertemplate=f"{MODEL_LABELS[name]}<br>step %{{x}}: loss %{{y:.3g}}<extra></extra>",
        )
    if losses and all(losses.values()):
        ends = {k: float(np.mean(v[-max(1, len(v) // 20) :])) for k, v in losses.items()}
        title = f"Training loss ends at {ends['attention']:.2g} with attention, {ends['plain']:.2g} without"
    else:
        title = "Not trained: the weights are as initialised"
    base_layout(fig, title, height=300, x="training step", y="cross-entropy (nats per token, log scale)")
    fig.update_yaxes(type="log", tickformat=".2g")
    return fig
