"""Figures of the gradients view: decay curves, products of Jacobians, and clipping."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.cells import CELL_COLORS
from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate, line_trace, plottable
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.memory_model import MEMORY_CELLS, shared_schedule
from rnnviz.core.style import OKABE_ITO, base_layout
from rnnviz.views.gradients.gradnorms import Bound, Decay, bound_values, decay
from rnnviz.views.gradients.jacobians import PRESET_SCALES, product_curves
from rnnviz.views.gradients.result import GradientsResult
from rnnviz.views.gradients.settings import GradientsConfig

CLIP_COLORS = {"free": OKABE_ITO["vermillion"], "clipped": OKABE_ITO["blue"]}
SCALE_COLORS = (OKABE_ITO["sky"], OKABE_ITO["grey"], OKABE_ITO["orange"])
"""One per preset scale (0.5, 1.0, 1.5); the reader's own scale is drawn in black."""


def _log_range(curves: list[np.ndarray]) -> list[float] | None:
    values = np.concatenate([np.asarray(c, dtype=float) for c in curves])
    shown = values[np.isfinite(values) & (values > 0)]
    if not shown.size:
        return None
    return [math.log10(shown.min()) - 0.5, math.log10(shown.max()) + 0.5]


def decay_figure(
    norms: dict[str, np.ndarray],
    chosen: str,
    title: str,
    bound: Bound | None = None,
    bound_cell: str | None = None,
) -> go.Figure:
    """||dL/dh_t|| against the distance T - t from the loss, one line per cell, on a log axis."""
    fig = go.Figure()
    for cell, values in norms.items():
        steps = len(values)
        distance = np.arange(steps)[::-1]
        fig.add_scatter(
            x=distance,
            y=plottable(values),
            mode="lines",
            name=MEMORY_CELLS[cell],
            line=dict(color=CELL_COLORS[cell], width=3 if cell == chosen else 1.6),
            customdata=np.arange(1, steps + 1),
            hovertemplate=f"{MEMORY_CELLS[cell]}<br>step t = %{{customdata}} (T − t = %{{x}})"
            "<br>‖∂L/∂h_t‖ = %{y:.3g}<extra></extra>",
        )
    if bound is not None and bound_cell is not None:
        fig.add_scatter(
            x=np.arange(len(bound.values))[::-1],
            y=plottable(bound.values),
            mode="lines",
            name=_bound_name(bound.factor),
            line=dict(color=CELL_COLORS[bound_cell], dash="dot", width=1.6),
            hovertemplate="bound at T − t = %{x}: %{y:.3g}<extra></extra>",
        )
    base_layout(fig, title, height=420, x="distance from the loss, T − t (steps)", y="‖∂L/∂h_t‖ (log scale)")
    fig.update_yaxes(type="log", exponentformat="power", range=_log_range(list(norms.values())))
    return fig


def _bound_name(factor: float) -> str:
    return f"bound (‖W_hh‖·max|φ'|)^k = {factor:.3g}^k"


@by_result
def decay_film(res: GradientsResult, cells: list[str], show_bound: bool) -> go.Figure:
    """The decay curves of ``cells``; when they were trained, a film of the curves as each cell learned.

    Every frame is one snapshot of the shared schedule; the bound moves with the vanilla cell's weights.
    """
    length = len(res.curves[res.cell].norms)
    bound = res.bound if show_bound and res.bound is not None and res.bound_cell in cells else None
    curves = {c: res.curves[c] for c in cells}
    histories = {c: curve.history for c, curve in curves.items()}
    schedule = (
        shared_schedule({c: h.timeline for c, h in histories.items()})
        if all(h is not None for h in histories.values())
        else []
    )
    title = decay_title(res.cell, {c: curve.decay for c, curve in curves.items()}, length)
    if schedule:
        title = f"Step {schedule[-1][0]}: {title}"
    fig = decay_figure(
        {c: curve.norms for c, curve in curves.items()}, res.cell, title, bound, res.bound_cell
    )
    if not schedule:
        return fig
    frames = [{c: histories[c].timeline.frames[i[c]] for c in cells} for _, i in schedule]
    traces = []
    for f in frames:
        data = [go.Scatter(y=plottable(f[c]["grad_norms"])) for c in cells]
        if bound is not None:
            factor = f[res.bound_cell]["bound_factor"]
            data.append(
                go.Scatter(
                    y=plottable(bound_values(f[res.bound_cell]["grad_norms"], factor)),
                    name=_bound_name(factor),
                )
            )
        traces.append(data)
    fig.update_yaxes(range=_log_range([f[c]["grad_norms"] for f in frames for c in cells]))
    return animate(
        fig,
        traces,
        [str(step) for step, _ in schedule],
        titles=[
            f"Step {step}: " + decay_title(res.cell, {c: decay(f[c]["grad_norms"]) for c in cells}, length)
            for (step, _), f in zip(schedule, frames, strict=True)
        ],
    )


def film(cfg: GradientsConfig, res: GradientsResult) -> go.Figure:
    """The view's main training film: every cell's gradient-norm curve at each snapshot, with the bound."""
    return decay_film(res, list(res.curves), show_bound=True)


def live(cfg: GradientsConfig) -> LiveFigure | None:
    """The curve of the cell in training, redrawn at each snapshot; nothing trains when train_steps is 0."""
    return live_norms if cfg.train_steps else None


def live_norms(history: History) -> go.Figure:
    """While a cell learns copy-first: its gradient-norm curve at the latest snapshot."""
    i = len(history.timeline) - 1
    frame = history.timeline.frames[i]
    cell, norms = frame["cell"], frame["grad_norms"]
    title = f"At {history.timeline.label(i)}: " + decay_title(cell, {cell: decay(norms)}, len(norms))
    return decay_figure({cell: norms}, cell, title)


def reader_products(cfg: GradientsConfig) -> dict[float, np.ndarray]:
    """The products the settings ask for: the preset scales and the reader's own, on one W of the hidden size."""
    return product_curves(cfg.product_scale, cfg.product_steps, cfg.hidden, cfg.seed)


@by_result
def products_figure(curves: dict[float, np.ndarray], yours: float) -> go.Figure:
    """||(aW)^n v|| against n for the preset scales, and for the reader's own scale in black."""
    fig = go.Figure()

    def draw(scale: float, color: str, dash: str, width: float, name: str) -> None:
        values = curves[scale]
        fig.add_scatter(
            x=np.arange(len(values)),
            y=plottable(values),
            mode="lines",
            name=name,
            line=dict(color=color, dash=dash, width=width),
            hovertemplate=f"a = {scale:g}<br>n = %{{x}}<br>‖(aW)ⁿv‖ = %{{y:.3g}}<extra></extra>",
        )

    for scale, color, dash in zip(PRESET_SCALES, SCALE_COLORS, ("dot", "dash", "dashdot"), strict=True):
        draw(
            scale,
            color,
            dash,
            3 if scale == yours else 1.8,
            f"a = {scale:g}" + (" (yours)" if scale == yours else ""),
        )
    if yours not in PRESET_SCALES:
        draw(yours, "black", "solid", 3, f"a = {yours:g} (yours)")
    steps = len(curves[yours]) - 1
    title = (
        f"The same matrix {steps} times: the norm goes like aⁿ "
        f"(a = 0.5 gives {curves[0.5][-1]:.2g}, a = 1.5 gives {curves[1.5][-1]:.2g}, yours {curves[yours][-1]:.2g})"
    )
    base_layout(fig, title, height=380, x="steps n (matrix multiplications)", y="‖(aW)ⁿ v‖ / ‖v‖ (log scale)")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


@by_result
def clipping_figure(free: History, clipped: History, max_norm: float, title: str) -> go.Figure:
    """Left: gradient norm per step, before and after clipping. Right: both loss curves."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Gradient norm per step", "Training loss"),
        horizontal_spacing=0.09,
    )
    runs = (("free", "no clipping", free), ("clipped", f"clipped at {max_norm:g}", clipped))
    for key, name, hist in runs:
        for values, what, col in ((hist.grad_norm, "gradient norm", 1), (hist.loss, "loss", 2)):
            hover = f"{name}<br>step %{{x}}<br>{what} %{{y:.3g}}<extra></extra>"
            label = f"{name}: norm before clipping" if col == 1 else f"{name}: loss"
            steps = np.arange(1, len(values) + 1)
            trace = line_trace(
                steps, plottable(values), label, CLIP_COLORS[key], hover, width=1.8, showlegend=col == 1
            )
            fig.add_trace(trace, row=1, col=col)
        if hist.diverged_at is not None:
            last = [v for v in plottable(hist.grad_norm) if v is not None]
            fig.add_scatter(
                x=[hist.diverged_at],
                y=[last[-1] if last else max_norm],
                mode="markers",
                marker=dict(symbol="x", size=12, color=CLIP_COLORS[key]),
                name=f"{name}: diverged at step {hist.diverged_at}",
                hovertemplate=f"diverged at step {hist.diverged_at}: the loss or gradient became NaN or infinite"
                "<extra></extra>",
                row=1,
                col=1,
            )
    applied = plottable(clipped.clipped_norm)
    hover = "step %{x}<br>applied norm %{y:.3g}<extra></extra>"
    name = "norm actually applied (after clipping)"
    steps = np.arange(1, len(applied) + 1)
    fig.add_trace(
        line_trace(steps, applied, name, CLIP_COLORS["clipped"], hover, width=2, dash="dot"), row=1, col=1
    )
    base_layout(fig, title, height=400)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(title_text="‖∇θ L‖ (log scale)", row=1, col=1)
    fig.update_yaxes(title_text="loss (log scale)", row=1, col=2)
    return fig


def decay_title(chosen: str, decays: dict[str, Decay], steps: int) -> str:
    """The finding in one line: what is left of the gradient after travelling back to step 1."""

    def kept(d: Decay) -> str:
        return "overflows float64" if d.overflow_distance is not None else f"{1 / d.decay_ratio:.2g}×"

    d = decays[chosen]
    if d.overflow_distance == 0:
        return f"{MEMORY_CELLS[chosen]}: the gradient is not a finite number (the weights are not finite)"
    head = f"{MEMORY_CELLS[chosen]}: {steps - 1} steps back, the gradient is {kept(d)} its size at the loss"
    if d.overflow_distance is not None:
        head = f"{MEMORY_CELLS[chosen]}: the gradient explodes past float64's 1e308, {d.overflow_distance} steps back"
    others = [f"{MEMORY_CELLS[c]} {kept(o)}" for c, o in decays.items() if c != chosen]
    return head + (f" ({', '.join(others)})" if others else "")
