"""Figures of the memory view: three cells' loss curves against chance, and what each one recalls
through training."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.cells import CELL_COLORS, CELL_TABLE
from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate, plottable
from rnnviz.core.fit import History
from rnnviz.core.fmt import percent
from rnnviz.core.memo import by_result
from rnnviz.core.memory_model import MEMORY_CELLS, shared_schedule
from rnnviz.core.style import SERIES, base_layout
from rnnviz.views.memory.lessons import ANSWERS
from rnnviz.views.memory.result import MemoryResult
from rnnviz.views.memory.settings import MemoryConfig
from rnnviz.views.memory.train import held_out

SMOOTHING = 20
"""Steps in the running mean drawn over each noisy per-batch loss."""


def running_mean(values: list[float], window: int = SMOOTHING) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return v
    cumulative = np.cumsum(np.insert(v, 0, 0.0))
    starts = np.maximum(0, np.arange(1, v.size + 1) - window)
    return (cumulative[1:] - cumulative[starts]) / (np.arange(1, v.size + 1) - starts)


@by_result
def memory_loss_curves(
    histories: dict[str, History], chance: float, solved: float, title: str, one_value: float | None = None
) -> go.Figure:
    """Per-batch loss (faint) and its running mean (bold) for each cell, with chance and 'solved' lines, and
    where a network that remembers only one of two values lands (``one_value``, a share of chance)."""
    fig = go.Figure()
    for cell, hist in histories.items():
        steps = np.arange(1, len(hist.loss) + 1)
        name = MEMORY_CELLS[cell]
        fig.add_scatter(
            x=steps,
            y=plottable(hist.loss),
            mode="lines",
            line=dict(color=CELL_COLORS[cell], width=0.8),
            opacity=0.3,
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=steps,
            y=plottable(running_mean(hist.loss)),
            mode="lines",
            name=name,
            line=dict(color=CELL_COLORS[cell], width=2.5),
            hovertemplate=f"{name}<br>step %{{x}}<br>loss (mean of {SMOOTHING} steps) %{{y:.3g}}<extra></extra>",
        )
    lines = [
        (chance, "dash", f"chance {chance:.3g}"),
        (solved * chance, "dot", f"solved: below {solved:g} × chance"),
    ]
    if one_value is not None:
        lines.append((one_value * chance, "dashdot", f"remembers one value: {percent(one_value)} of chance"))
    for level, dash, text in lines:
        fig.add_hline(y=level, line=dict(color=SERIES["truth"], dash=dash, width=1.2))
        # On a log axis annotations take log10 coordinates (add_hline's own label would land at 10^level).
        fig.add_annotation(
            x=0,
            xref="paper",
            y=math.log10(level),
            text=text,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    base_layout(fig, title, height=400, x="training step", y="mean squared error (log scale)")
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    return fig


def _add_answers(
    fig: go.Figure, target: np.ndarray, answers: np.ndarray, cell: str, answer: str, who: str = "", **where
) -> None:
    """One cell's answers against the right ones, over the diagonal where remembered answers lie."""
    fig.add_scatter(
        x=target,
        y=answers,
        mode="markers",
        marker=dict(color=CELL_COLORS[cell], size=5, opacity=0.6),
        showlegend=False,
        customdata=np.arange(1, len(target) + 1),
        hovertemplate=f"{who}sequence %{{customdata}}<br>{answer} %{{x:.3f}}<br>answer given %{{y:.3f}}"
        "<extra></extra>",
        **where,
    )
    low, high = float(np.min(target)), float(np.max(target))
    fig.add_scatter(
        x=[low, high],
        y=[low, high],
        mode="lines",
        line=dict(color=SERIES["truth"], dash="dot", width=1),
        showlegend=False,
        hoverinfo="skip",
        **where,
    )


def recall_scatter(
    predictions: dict[str, np.ndarray], target: np.ndarray, answer: str, title: str
) -> go.Figure:
    """One panel per cell: its answer against the right answer on held-out sequences."""
    cells = list(predictions)
    fig = make_subplots(
        rows=1,
        cols=len(cells),
        subplot_titles=[MEMORY_CELLS[c] for c in cells],
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    for i, cell in enumerate(cells, start=1):
        _add_answers(fig, target, predictions[cell], cell, answer, f"{MEMORY_CELLS[cell]}<br>", row=1, col=i)
        fig.update_xaxes(title_text=answer, row=1, col=i)
    fig.update_yaxes(title_text="the model's answer", row=1, col=1)
    return base_layout(fig, title, height=360)


def recall_title(losses: dict[str, float], chance: float, step: int | None = None) -> str:
    """The finding of one frame: how far each cell's held-out answers are from chance."""
    shares = ", ".join(f"{CELL_TABLE[c].short} {percent(loss / chance)}" for c, loss in losses.items())
    when = f"step {step}" if step is not None else "after training"
    return f"Held-out answers at {when}: loss vs chance {shares}. Remembered answers lie on the diagonal"


def _answer_range(target: np.ndarray, answers: list[np.ndarray]) -> list[float]:
    """One y range for every frame, so points move and axes stay; far-off answers of a diverging cell
    are left outside rather than squashing the rest."""
    low, high = float(np.min(target)), float(np.max(target))
    span = high - low or 1.0
    values = np.concatenate([np.asarray(a, dtype=float) for a in answers])
    values = values[np.isfinite(values)]
    if values.size:
        low, high = min(low, float(values.min())), max(high, float(values.max()))
    pad = 0.05 * span
    return [max(low, float(np.min(target)) - span) - pad, min(high, float(np.max(target)) + span) + pad]


@by_result
def recall_film(res: MemoryResult) -> go.Figure:
    """The recall panels through training: each cell's answers at every snapshot, played in the browser."""
    timelines = {cell: r.history.timeline for cell, r in res.runs.items()}
    predictions = {cell: r.prediction for cell, r in res.runs.items()}
    losses = {cell: r.held_out_loss for cell, r in res.runs.items()}
    target, chance = res.target, res.chance_loss
    schedule = shared_schedule(timelines)
    last = schedule[-1][0] if schedule else None
    fig = recall_scatter(predictions, target, ANSWERS[res.task], recall_title(losses, chance, last))
    if not schedule:
        return fig
    cells = list(predictions)
    frames = [{c: timelines[c].frames[i[c]] for c in cells} for _, i in schedule]
    fig.update_yaxes(
        range=_answer_range(
            target, [f[c]["answers"] for f in frames for c in cells] + list(predictions.values())
        )
    )
    return animate(
        fig,
        [[go.Scatter(y=f[c]["answers"]) for c in cells] for f in frames],
        [str(step) for step, _ in schedule],
        traces=[2 * k for k in range(len(cells))],  # each panel's points; its diagonal stays
        titles=[
            recall_title({c: f[c]["held_out_loss"] for c in cells}, chance, step)
            for (step, _), f in zip(schedule, frames, strict=True)
        ],
    )


def live_recall(history: History, *, target: np.ndarray, answer: str) -> go.Figure:
    """While a cell trains: its answers to the held-out sequences at the latest snapshot."""
    i = len(history.timeline) - 1
    frame = history.timeline.frames[i]
    cell = frame["cell"]
    fig = go.Figure()
    _add_answers(fig, target, frame["answers"], cell, answer)
    title = (
        f"{MEMORY_CELLS[cell]} at {history.timeline.label(i)}: "
        f"held-out loss {frame['held_out_loss']:.3g}; remembered answers lie on the diagonal"
    )
    base_layout(fig, title, height=300, x=answer, y="the model's answer")
    return fig


def film(cfg: MemoryConfig, res: MemoryResult) -> go.Figure:
    """The view's main training film: each cell's held-out answers at every snapshot."""
    return recall_film(res)


def live(cfg: MemoryConfig) -> LiveFigure:
    """The cell in training answering the held-out sequences, at its latest snapshot."""
    _, y = held_out(cfg)
    return partial(live_recall, target=y[:, 0], answer=ANSWERS[cfg.task])
