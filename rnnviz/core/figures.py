"""Figures several pages share: loss curves, units-by-time heatmaps, and the line trace they are drawn with."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import (
    LEGEND_RIGHT,
    SERIES,
    SIGNED_SCALE,
    UNIT_SCALE,
    base_layout,
    dash_for,
    has_subplot_titles,
    token_label,
    top_margin,
    wrapped_title,
)


def line_trace(
    x: Sequence | np.ndarray,
    y: Sequence | np.ndarray,
    name: str,
    color: str,
    hover: str,
    *,
    width: float | None = None,
    dash: str | None = None,
    mode: str = "lines",
    **more: Any,
) -> go.Scatter:
    """One series as a line: its name, colour, width and dash, and a hover template saying what a point is.

    Without a ``dash`` the line takes its colour's own pattern (style.LINE_DASHES), so it differs from a
    line of another colour by more than colour. ``more`` goes to go.Scatter unchanged (customdata, fill,
    legend grouping...).
    """
    line = dict(color=color, width=width, dash=dash or dash_for(color))
    return go.Scatter(x=x, y=y, mode=mode, name=name, line=line, hovertemplate=hover, **more)


@by_result
def loss_curve(
    history: History,
    *,
    title: str | None = None,
    log_y: bool = True,
    height: int = 300,
    val_label: str = "validation loss",
) -> go.Figure:
    """The loss curve of a finished training, built once per cached result; its title says which way the
    loss went on this run (averaged over the last steps, so one noisy step does not decide it)."""
    steps = np.arange(1, len(history.loss) + 1)
    fig = go.Figure(
        line_trace(
            steps, history.loss, "training loss", SERIES["train"], "step %{x}<br>loss %{y:.4g}<extra></extra>"
        )
    )
    if history.val_loss:
        hover = f"step %{{x}}<br>{val_label} %{{y:.4g}}<extra></extra>"
        fig.add_trace(
            line_trace(
                history.val_steps,
                history.val_loss,
                val_label,
                SERIES["validation"],
                hover,
                mode="lines+markers",
            )
        )
    base_layout(
        fig,
        title if title is not None else loss_title(history),
        height=height,
        x="training step",
        y="loss" + (" (log scale)" if log_y else ""),
    )
    if log_y:
        fig.update_yaxes(type="log", tickformat=".2g")
    return fig


def live_loss_curve(history: History, height: int, stage: str = "") -> go.Figure:
    """The loss so far, while training: the history grows under it, so it is drawn afresh every time."""
    return loss_curve.__wrapped__(history, title=loss_title(history, live=True, stage=stage), height=height)


def loss_title(history: History, *, live: bool = False, stage: str = "") -> str:
    """Which way this training's loss went: the mean of its last steps against its first, so one noisy step
    does not decide it, and the title says over how many steps that mean is. ``live``: so far, at the step
    reached; ``stage`` names one of a run's trainings."""
    if not history.loss:
        return "Not trained: the weights are as initialised"
    first, last, steps, n = history.loss[0], history.final_loss(), len(history.loss), history.final_steps()
    if live:
        went = "has fallen" if last < first else "has not fallen"
        where = f"at step {steps}" if n == 1 else f"over its last {n} steps, at step {steps}"
    else:
        went = "fell" if last < first else "did not fall"
        where = f"at the end of {steps} steps" if n == 1 else f"over the last {n} of {steps} steps"
    whose = f" of {stage}" if stage else ""
    return f"Loss{whose} {went}: {first:.3g} at the start, {last:.3g} {where}"


@by_result
def state_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str,
    name: str,
    signed: bool = True,
    height: int | None = None,
    highlight: int | None = None,
) -> go.Figure:
    """Units down, time across. ``values`` is (time, units); hover names token, step, unit and value."""
    steps, units = values.shape
    shown = [token_label(t) for t in tokens]
    hover = np.array(
        [[f"token '{shown[t]}' (t={t + 1})<br>unit {u}" for t in range(steps)] for u in range(units)]
    )
    bound = max(1.0, float(np.abs(values).max())) if signed else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values.T,
            x=list(range(1, steps + 1)),
            y=list(range(units)),
            colorscale=SIGNED_SCALE if signed else UNIT_SCALE,
            zmin=-bound if signed else 0,
            zmax=bound,
            text=hover,
            hovertemplate=f"%{{text}}<br>{name} = %{{z:.3f}}<extra></extra>",
            colorbar=dict(thickness=10, len=0.9),
        )
    )
    if steps <= 60:  # one labelled tick per token; beyond that plotly's own step numbers stay legible
        fig.update_xaxes(tickmode="array", tickvals=list(range(1, steps + 1)), ticktext=shown, tickangle=0)
    fig.update_yaxes(autorange="reversed")
    if highlight is not None:
        fig.add_vrect(x0=highlight + 0.5, x1=highlight + 1.5, line=dict(color="black", width=2))
    base_layout(
        fig,
        title,
        height=height or max(220, 60 + 14 * units),
        x="time step (token)",
        y="unit",
    )
    return fig


def plottable(values: np.ndarray) -> list[float | None]:
    """Log axes cannot show 0, NaN or inf: those points become gaps."""
    return [float(v) if math.isfinite(v) and v > 0 else None for v in np.asarray(values, dtype=float)]


FrameTraces = Sequence[BaseTraceType | dict]
"""The traces of one snapshot (Plotly objects or their dicts), in the order of the figure's animated traces."""

PLAY_MS = 350
"""Milliseconds per frame when a timeline plays."""

PLAYER_TOP = 55
"""Pixels between the plot area and the Play / Pause buttons: clear of the x-axis title."""
SLIDER_BELOW_BUTTONS = 36
"""The slider, full width, starts below the buttons: its step label on the right, then its rail. Level with
the buttons, the label ran into ❚❚ Pause on a narrow film (a heatmap in half the page)."""
FILM_MARGIN_B = 166
"""Room under a film's axes for the buttons and the step slider."""
PLAYER_HEIGHT = 156
"""Added to a film's height, so its plot area stays the size it was drawn for."""
DEFAULT_HEIGHT = 450
"""Plotly's height for a figure that sets none."""


def animate(
    fig: go.Figure,
    frames: Sequence[FrameTraces],
    labels: Sequence[str],
    *,
    traces: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
) -> go.Figure:
    """Turn a figure into a training film: a step slider and Play / Pause, all played in the browser.

    ``frames[i]`` replaces the traces numbered ``traces`` (default: the first ``len(frames[i])``)
    with snapshot ``i``'s; ``labels[i]`` names it on the slider (the training step, kept short:
    there is one tick per frame), and ``titles[i]``, when given, retitles the figure so its caption
    says which step and what the loss was then (``timeline.label(i)``); long titles are broken into lines
    as base_layout breaks them. The figure opens on the last frame (the trained model), which ``fig``
    itself should show; its title is the last frame's.
    Playback costs the server nothing: every frame is sent once, with the figure.
    """
    if len(frames) < 2:
        return fig
    idx = list(traces) if traces is not None else list(range(len(frames[0])))
    titles = [wrapped_title(t) for t in titles] if titles is not None else None
    # Frames given as plain dicts and layout parts assigned whole: Plotly checks each once, where building
    # go.Frame objects and update_layout checked them twice (half of a film's cost on every first view).
    fig.frames = [
        dict(
            data=[t if isinstance(t, dict) else t.to_plotly_json() for t in data],
            traces=idx,
            name=str(i),
            **({"layout": {"title": {"text": titles[i]}}} if titles is not None else {}),
        )
        for i, data in enumerate(frames)
    ]
    play = dict(frame=dict(duration=PLAY_MS, redraw=True), transition=dict(duration=0), fromcurrent=True)
    pause = dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))
    layout = fig.layout
    layout.updatemenus = [
        dict(
            type="buttons",
            direction="left",
            showactive=False,
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            pad=dict(t=PLAYER_TOP),
            buttons=[
                dict(label="▶ Play", method="animate", args=[None, play]),
                dict(label="❚❚ Pause", method="animate", args=[[None], pause]),
            ],
        )
    ]
    layout.sliders = [
        dict(
            active=len(frames) - 1,
            x=0,
            len=1,
            y=0,
            yanchor="top",
            pad=dict(t=PLAYER_TOP + SLIDER_BELOW_BUTTONS),
            currentvalue=dict(prefix="Training step ", xanchor="right", font=dict(size=12)),
            steps=[
                dict(
                    label=label,
                    method="animate",
                    args=[[str(i)], dict(pause, frame=dict(duration=0, redraw=True))],
                )
                for i, label in enumerate(labels)
            ],
        )
    ]
    below = (layout.legend.y or 0) < 0  # where the player goes
    above = layout.legend.y == 1 and layout.legend.yanchor == "bottom"
    if below or (above and any("<br>" in t for t in titles or ())):  # or where a title's second line is
        layout.legend = LEGEND_RIGHT
    if titles is not None:  # it opens on the last frame, and says so; room for the title with most lines
        layout.title.text = titles[-1]
        panels = has_subplot_titles(fig)
        layout.margin.t = max(layout.margin.t or 0, *(top_margin(t, panels) for t in titles))
    layout.height = (layout.height or DEFAULT_HEIGHT) + PLAYER_HEIGHT
    layout.margin.b = max(layout.margin.b or 0, FILM_MARGIN_B)
    return fig


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def plain(text: str | None) -> str:
    """Plotly's label markup as plain words: line breaks become spaces, tags go, entities are decoded."""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", text or ""))).split())


def text_alternative(fig: go.Figure) -> str:
    """One sentence that says what a figure shows, for a reader who cannot see it: its title, which states
    this run's finding, or else what its axes plot."""
    title = plain(fig.layout.title.text)
    if title:
        return title if title[-1] in ".!?" else title + "."
    x, y = plain(fig.layout.xaxis.title.text), plain(fig.layout.yaxis.title.text)
    return f"A chart of {y or 'values'} against {x or 'position'}."


def _axis_title(fig: go.Figure, axis: str | None, fallback: str) -> str:
    """The title of a trace's axis ('x', 'x2', ...), or ``fallback`` when the axis has none."""
    name = (axis or fallback[0]).replace(fallback[0], fallback[0] + "axis", 1)
    layout_axis = fig.layout[name] if name in fig.layout else None  # noqa: SIM401 - a Layout has no .get
    title = plain(layout_axis.title.text) if layout_axis is not None else ""
    return title or fallback


def _labels(values: Any, n: int) -> list:
    """A trace's coordinates as a list of length ``n``: 0, 1, ... where Plotly would number them itself."""
    if values is None:
        return list(range(n))
    out = [plain(v) if isinstance(v, str) else v for v in np.asarray(values, dtype=object).ravel().tolist()]
    return out[:n] + list(range(len(out), n))


DIAGRAM_LABELS = "labels on the diagram"


def figure_tables(fig: go.Figure) -> dict[str, pd.DataFrame]:
    """The numbers a figure draws, as tables a screen reader can walk: one per trace, named by it.

    A heatmap is a grid (its y labels down, its x labels across); a line, scatter or bar trace is one row
    per point, its columns named by the axis titles. A diagram, whose traces draw no numbers, gives the
    words written on it, in the order they were written.
    """
    tables: dict[str, pd.DataFrame] = {}
    for i, trace in enumerate(fig.data):
        name = plain(getattr(trace, "name", None)) or f"series {i + 1}"
        if name in tables:
            name = f"{name} ({i + 1})"
        if isinstance(trace, go.Heatmap) and trace.z is not None:
            z = np.asarray(trace.z, dtype=float)
            if z.ndim != 2:
                continue
            rows, cols = z.shape
            tables[name] = pd.DataFrame(z, index=_labels(trace.y, rows), columns=_labels(trace.x, cols))
        elif isinstance(trace, (go.Scatter, go.Bar)) and (trace.y is not None or trace.x is not None):
            x_name = _axis_title(fig, trace.xaxis, "x")
            y_name = _axis_title(fig, trace.yaxis, "y")
            if y_name == x_name:
                y_name += " (value)"
            n = max(len(trace.x) if trace.x is not None else 0, len(trace.y) if trace.y is not None else 0)
            x, y = _labels(trace.x, n), _labels(trace.y, n)
            if not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in x + y):
                continue
            tables[name] = pd.DataFrame({x_name: x, y_name: y})
        elif isinstance(trace, go.Histogram) and trace.x is not None:
            tables[name] = pd.DataFrame({_axis_title(fig, trace.xaxis, "x"): _labels(trace.x, len(trace.x))})
    if not tables:
        words = [plain(a.text) for a in fig.layout.annotations if plain(a.text)]
        if words:
            tables[DIAGRAM_LABELS] = pd.DataFrame({DIAGRAM_LABELS: words})
    return tables


FILE_STEM_CHARS = 80
"""Longest file name a figure is saved under (its title, cut at a word)."""


def file_stem(title: str) -> str:
    """A figure's title as a file name: the words of its finding, without characters a file system minds."""
    words = re.sub(r"[^\w ,.+-]+", " ", plain(title)).split()
    stem = ""
    for word in words:
        if len(stem) + len(word) + 1 > FILE_STEM_CHARS:
            break
        stem = f"{stem} {word}".strip()
    return stem.rstrip(".,") or "figure"
