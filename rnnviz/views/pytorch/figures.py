"""Figures of the PyTorch view: tensor layouts, the padding readers' training film, and carried state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, SIGNED_SCALE, base_layout
from rnnviz.views.pytorch.carried import CHUNK, TRUNCATIONS, CharRun, Truncation
from rnnviz.views.pytorch.padding import SAME_STATE, Where
from rnnviz.views.pytorch.readers import READER_SHORT, READERS
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import PytorchConfig
from rnnviz.views.pytorch.shapes import Explored, Setup, layouts, shape

ROLE_COLORS = {
    "batch": OKABE_ITO["blue"],
    "time": OKABE_ITO["orange"],
    "stack": OKABE_ITO["purple"],
    "features": OKABE_ITO["green"],
}
"""One colour per kind of axis, so 'where is the batch axis?' can be answered at a glance."""
READER_TEXT_POSITION = {"last_padded": "bottom center", "own_last": "top left", "packed": "top right"}
"""Label positions that stay apart when two readers score the same (one-way: own last step = packed)."""
READER_COLORS = {
    "last_padded": OKABE_ITO["vermillion"],
    "own_last": OKABE_ITO["orange"],
    "packed": OKABE_ITO["blue"],
}
TRUNCATION_COLORS = {
    "detach": OKABE_ITO["blue"],
    "no_detach": OKABE_ITO["vermillion"],
    "retain_graph": OKABE_ITO["purple"],
    "growing": OKABE_ITO["orange"],
}
BOX_WIDTH = 1.4
"""Width of one axis's box in the shapes figure, in units of its row height."""
STATE_COLORS = {True: OKABE_ITO["blue"], False: OKABE_ITO["orange"]}
STATE_NAMES = {True: "carried state (stateful)", False: "zero state each chunk (stateless)"}


@by_result
def shapes_figure(s: Setup) -> go.Figure:
    """Each tensor as a row of boxes, one per axis, coloured by what the axis counts."""
    tensors = layouts(s)
    fig = go.Figure()
    for row, (name, layout) in enumerate(tensors.items()):
        y = -row
        fig.add_annotation(
            x=-0.1,
            y=y,
            text=f"<b>{name}</b> {shape(layout)}",
            showarrow=False,
            xanchor="right",
            font=dict(size=13),
        )
        for col, axis in enumerate(layout):
            x0 = col * (BOX_WIDTH + 0.05)
            fig.add_shape(
                type="rect",
                x0=x0,
                x1=x0 + BOX_WIDTH,
                y0=y - 0.45,
                y1=y + 0.45,
                fillcolor=ROLE_COLORS[axis.role],
                opacity=0.85,
                line=dict(color="white", width=1),
            )
            fig.add_annotation(
                x=x0 + BOX_WIDTH / 2,
                y=y,
                text=f"{axis.name.replace(' × ', ' ×<br>')}<br><b>{axis.size}</b>",
                showarrow=False,
                font=dict(color="white", size=12),
            )
    for role, colour in ROLE_COLORS.items():  # legend entries for the axis kinds
        fig.add_scatter(
            x=[None], y=[None], mode="markers", marker=dict(color=colour, size=12, symbol="square"), name=role
        )
    title = (
        "batch_first=True moves the batch axis of input and output only:<br>"
        "h0 and h_n stay (layers × directions, batch, hidden)"
        if s.batch_first
        else "Time first in input and output; the states h0 and h_n<br>are (layers × directions, batch, hidden)"
    )
    base_layout(fig, title, height=150 + 70 * len(tensors))
    fig.update_xaxes(visible=False, range=[-2.2, 3 * (BOX_WIDTH + 0.05)])
    fig.update_yaxes(visible=False, range=[-len(tensors) + 0.45, 0.55])
    return fig


@by_result
def slices_figure(explored: Explored) -> go.Figure:
    """The first sequence's output, steps across, units down, with each direction's summary boxed."""
    s = explored.setup
    values = explored.output
    steps, units = values.shape
    direction = ["forward" if u < s.hidden else "backward" for u in range(units)]
    hover = [
        [
            f"step t={t}<br>{direction[u]} unit {u % s.hidden}<br>output = {values[t, u]:.3f}"
            for t in range(steps)
        ]
        for u in range(units)
    ]
    bound = max(1e-6, float(np.abs(values).max()))
    fig = go.Figure(
        go.Heatmap(
            z=values.T,
            x=list(range(steps)),
            y=list(range(units)),
            colorscale=SIGNED_SCALE,
            zmin=-bound,
            zmax=bound,
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorbar=dict(thickness=10, len=0.9, title="value"),
        )
    )
    boxes = [(steps - 1, 0)]
    if s.bidirectional:
        boxes.append((0, s.hidden))
    for t, first in boxes:
        fig.add_shape(
            type="rect",
            x0=t - 0.5,
            x1=t + 0.5,
            y0=first - 0.5,
            y1=first + s.hidden - 0.5,
            line=dict(color="black", width=3),
        )
    title = (
        "Boxed: the slices equal to h_n. Forward, the last step;<br>backward, the first step"
        if s.bidirectional
        else "Boxed: the slice equal to h_n, the last step of output"
    )
    base_layout(
        fig, title, height=max(260, 90 + 26 * units), x="time step t (index into output)", y="unit of output"
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def _values(row: np.ndarray) -> str:
    return "  ".join(f"{v:+.3f}" for v in row)


def slices_table(explored: Explored) -> pd.DataFrame:
    """Each direction's summary read from output, from h_n, and from the slice often taken instead."""
    rows = []
    for check in explored.checks:
        rows += [
            {
                "read from": check.output_slice,
                "sequence 0": _values(check.from_output[0]),
                "max |difference| from h_n": check.max_difference,
            },
            {
                "read from": check.h_n_row,
                "sequence 0": _values(check.from_h_n[0]),
                "max |difference| from h_n": 0.0,
            },
            {
                "read from": f"{check.wrong_slice} (often taken instead)",
                "sequence 0": _values(check.from_wrong[0]),
                "max |difference| from h_n": check.wrong_difference,
            },
        ]
    return pd.DataFrame(rows)


def _accuracy_traces(history: History, upto: int) -> list[go.Scatter]:
    tl = history.timeline
    steps = tl.steps[: upto + 1]
    return [
        go.Scatter(
            x=steps,
            y=[100 * f["val_accuracy"][name] for f in tl.frames[: upto + 1]],
            mode="lines+markers",
            name=READER_SHORT[name],
            line=dict(color=READER_COLORS[name]),
            hovertemplate=f"{READERS[name]}<br>step %{{x}}<br>validation accuracy %{{y:.1f}}%<extra></extra>",
        )
        for name in READERS
    ]


def _accuracy_title(history: History, i: int) -> str:
    acc = history.timeline.frames[i]["val_accuracy"]
    return (
        f"Validation accuracy: packed {100 * acc['packed']:.0f}%, output[:, -1] {100 * acc['last_padded']:.0f}% "
        f"({history.timeline.label(i)})"
    )


def _accuracy_layout(fig: go.Figure, history: History, title: str) -> go.Figure:
    tl = history.timeline
    values = [100 * v for f in tl.frames for v in f["val_accuracy"].values()]
    base_layout(fig, title, height=380, x="training step (batches)", y="validation accuracy (%)")
    fig.update_xaxes(range=[-0.02 * max(tl.steps), 1.02 * max(tl.steps) + 1])
    fig.update_yaxes(range=[min(values) - 3, max(values) + 3])
    return fig


def live_accuracy(history: History) -> go.Figure:
    """The readers' validation accuracy so far: redrawn at each snapshot while they train."""
    last = len(history.timeline) - 1
    fig = go.Figure(_accuracy_traces(history, last))
    return _accuracy_layout(fig, history, _accuracy_title(history, last))


@by_result
def accuracy_film(history: History) -> go.Figure:
    """The same figure as a film over the snapshots: play it to watch the readers part ways."""
    tl = history.timeline
    fig = live_accuracy(history)
    return animate(
        fig,
        [_accuracy_traces(history, i) for i in range(len(tl))],
        [str(s) for s in tl.steps],
        titles=[_accuracy_title(history, i) for i in range(len(tl))],
    )


def film(cfg: PytorchConfig, res: PytorchResult) -> go.Figure:
    """The view's main figure as a training film: the three readers' validation accuracy."""
    return accuracy_film(res.history)


def live(cfg: PytorchConfig) -> LiveFigure:
    """While the readers train, their accuracy so far is redrawn at each snapshot."""
    return live_accuracy


@by_result
def readers_figure(accuracy: Mapping[str, float], seconds: Mapping[str, float], chance: float) -> go.Figure:
    """Test accuracy against time per epoch: what each way of reading costs and gives."""
    fig = go.Figure()
    for name in READERS:
        fig.add_scatter(
            x=[seconds[name]],
            y=[100 * accuracy[name]],
            mode="markers+text",
            text=[READER_SHORT[name]],
            textposition=READER_TEXT_POSITION[name],
            marker=dict(size=14, color=READER_COLORS[name]),
            name=READERS[name],
            hovertemplate=f"{READERS[name]}<br>%{{x:.2f}} s per epoch<br>test accuracy %{{y:.1f}}%<extra></extra>",
        )
    fig.add_hline(y=100 * chance, line=dict(dash="dot", color=OKABE_ITO["grey"]), annotation_text="chance")
    gap = 100 * (accuracy["packed"] - accuracy["last_padded"])
    ratio = seconds["packed"] / max(seconds["own_last"], 1e-9)
    title = (
        f"Packing minus output[:, -1]: {gap:+.1f} points of test accuracy;<br>"
        f"packing takes {ratio:.1f}× the time of reading each own last step"
    )
    base_layout(fig, title, height=360, x="time per epoch (s, forward + backward)", y="test accuracy (%)")
    fig.update_layout(showlegend=False)
    xs = list(seconds.values())
    fig.update_xaxes(range=[0, 1.25 * max(xs)])
    return fig


@by_result
def where_figure(where: Sequence[Where]) -> go.Figure:
    """How far each candidate place is from the packed h_n: zero only where the summary really is."""
    labels = [f"{w.direction}: {w.expression} ({w.run})" for w in where]
    colours = [OKABE_ITO["blue"] if w.difference < SAME_STATE else OKABE_ITO["vermillion"] for w in where]
    fig = go.Figure(
        go.Bar(
            x=[w.difference for w in where],
            y=labels,
            orientation="h",
            marker_color=colours,
            text=[f"{w.difference:.3g}" for w in where],
            textposition="outside",
            hovertemplate="%{y}<br>mean |difference| from h_n %{x:.3g}<extra></extra>",
        )
    )
    right = [f"{w.direction} {w.expression}, {w.run}" for w in where if w.difference < SAME_STATE]
    title = "Equal to the packed h_n (difference 0): " + ("; ".join(right) if right else "none")
    base_layout(fig, title, height=140 + 40 * len(where), x="mean |difference| from the packed h_n", y="")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 1.3 * max([w.difference for w in where] + [1e-3])])
    return fig


@by_result
def truncation_figure(runs: Sequence[Truncation]) -> go.Figure:
    """Milliseconds per chunk: flat with detach(), growing without; failures marked where they happened."""
    fig = go.Figure()
    for r in runs:
        chunks = list(range(1, len(r.milliseconds) + 1))
        fig.add_scatter(
            x=chunks,
            y=list(r.milliseconds),
            mode="lines+markers",
            name=TRUNCATIONS[r.mode],
            line=dict(color=TRUNCATION_COLORS[r.mode]),
            hovertemplate=f"{TRUNCATIONS[r.mode]}<br>chunk %{{x}}<br>%{{y:.1f}} ms<extra></extra>",
        )
        if r.failed_at is not None:
            fig.add_scatter(
                x=[r.failed_at],
                y=[r.milliseconds[-1] if r.milliseconds else 0],
                mode="markers",
                marker=dict(symbol="x", size=14, color=TRUNCATION_COLORS[r.mode]),
                showlegend=False,
                hovertemplate=f"{TRUNCATIONS[r.mode]}<br>error at chunk %{{x}}<extra></extra>",
            )
    by_mode = {r.mode: r for r in runs}
    title = "Time per chunk of each way of carrying the state"
    if "growing" in by_mode and "detach" in by_mode:
        grow, flat = by_mode["growing"].milliseconds, by_mode["detach"].milliseconds
        if grow and flat:
            title += (
                f":<br>chunk {len(grow)} of the growing graph takes {grow[-1] / max(np.median(flat), 1e-9):.1f}× "
                "the median chunk with detach()"
            )
    return base_layout(fig, title, height=440, x=f"chunk ({CHUNK} characters each)", y="time per chunk (ms)")


@by_result
def positions_figure(runs: Sequence[CharRun]) -> go.Figure:
    """Held-out loss at each position of a chunk: a zero state starts every chunk blind."""
    fig = go.Figure()
    for r in runs:
        fig.add_scatter(
            x=list(range(1, CHUNK + 1)),
            y=list(r.by_position),
            mode="lines+markers",
            name=STATE_NAMES[r.stateful],
            line=dict(color=STATE_COLORS[r.stateful]),
            hovertemplate=f"{STATE_NAMES[r.stateful]}<br>character %{{x}} of the chunk<br>"
            "loss %{y:.3f} nats<extra></extra>",
        )
    stateful, stateless = (next(r for r in runs if r.stateful is s) for s in (True, False))
    title = (
        f"First character of a chunk: {stateless.by_position[0]:.2f} nats from a zero state,<br>"
        f"{stateful.by_position[0]:.2f} with the carried state"
    )
    base_layout(
        fig, title, height=400, x="position in the chunk (character)", y="held-out loss (nats per character)"
    )
    return fig
