"""Figures of the gates view: gate heatmaps, units step by step, saturation, and the cell-state conveyor belt."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.cells import CARRIED, CELL_COLORS, GATE_NAMES, GATES, MEMORY_GATE, SIGNED_GATES
from rnnviz.core.figures import animate
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import (
    GATE_COLORS,
    OKABE_ITO,
    SIGNED_SCALE,
    UNIT_SCALE,
    base_layout,
    token_label,
)
from rnnviz.core.timeline import Frame
from rnnviz.views.gates.gating import SATURATION_MARGIN, gate_saturation, highway, saturated_share
from rnnviz.views.gates.inputs import worked_example
from rnnviz.views.gates.reading import Inspection, Reading, inspect_sequence
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.settings import GatesConfig, trains_here

QUANTITIES = {"lstm": ("f", "i", "g", "o", "c", "h"), "gru": ("r", "z", "n", "h")}
"""What each cell computes per step, in the order a reader meets them in the equations."""

STATE_NAMES = {"c": "cell state c", "h": "hidden state h"}
STATE_COLORS = {"c": OKABE_ITO["black"], "h": OKABE_ITO["grey"]}
UNIT_COLORS = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    OKABE_ITO["purple"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["sky"],
)
UNTRAINED_COLOR = OKABE_ITO["grey"]
LABELLED_TICKS = 40
"""Up to this many steps the x axis names every token; beyond, step numbers only."""


def quantity_name(name: str) -> str:
    return GATE_NAMES.get(name) or STATE_NAMES[name]


def frame_quantities(frame: Frame) -> dict[str, np.ndarray]:
    """A snapshot's gates and states keyed as Reading.quantities: gate letters, 'c' and 'h'."""
    out = dict(frame["gates"])
    if "cell" in frame:
        out["c"] = frame["cell"]
    out["h"] = frame["hidden"]
    return out


def grid_title(values: Mapping[str, np.ndarray], cell: str) -> str:
    share = saturated_share(gate_saturation({g: values[g] for g in GATES[cell]}))
    return f"{share:.0%} of this sequence's sigmoid-gate values are switches (shut < {SATURATION_MARGIN:g} or open > {1 - SATURATION_MARGIN:g})"


def _signed(name: str) -> bool:
    return name in SIGNED_GATES or name in STATE_NAMES


def gate_grid(
    values: Mapping[str, np.ndarray],
    tokens: Sequence[str],
    cell: str,
    *,
    title: str,
    columns: int = 2,
    bound: float | None = None,
) -> go.Figure:
    """Every gate and state of one cell as units x time heatmaps, in the order of the equations.

    Sigmoid gates share the [0, 1] scale; the candidate and the states share one signed scale,
    symmetric about 0 with ``bound`` as its end (default: the largest |value|, at least 1), so a
    film keeps one scale through training.
    """
    names = QUANTITIES[cell]
    rows = -(-len(names) // columns)
    units = values[names[0]].shape[1]
    shown = [token_label(t) for t in tokens]
    if bound is None:
        bound = max(1.0, *(float(np.abs(values[n]).max()) for n in names if _signed(n)))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[quantity_name(n) for n in names],
        horizontal_spacing=0.08,
        vertical_spacing=0.5 / rows,
    )
    for k, name in enumerate(names):
        row, col = k // columns + 1, k % columns + 1
        fig.add_heatmap(
            z=values[name].T,
            x=list(range(1, len(tokens) + 1)),
            y=list(range(units)),
            customdata=[shown] * units,
            coloraxis="coloraxis2" if _signed(name) else "coloraxis",
            hovertemplate=f"token '%{{customdata}}' (t=%{{x}})<br>unit %{{y}}<br>{name} = %{{z:.3f}}<extra></extra>",
            row=row,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", title_text="unit" if col == 1 else None, row=row, col=col)
        _time_axis(fig, tokens, row=row, col=col)
    fig.update_layout(
        coloraxis=dict(
            colorscale=UNIT_SCALE, cmin=0, cmax=1, colorbar=dict(title="gate", len=0.45, y=0.78, thickness=10)
        ),
        coloraxis2=dict(
            colorscale=SIGNED_SCALE,
            cmin=-bound,
            cmax=bound,
            colorbar=dict(title="value", len=0.45, y=0.22, thickness=10),
        ),
    )
    base_layout(fig, title, height=80 + rows * max(170, 40 + 16 * units))
    return fig


def gate_film(
    frames: Sequence[Mapping[str, np.ndarray]],
    tokens: Sequence[str],
    cell: str,
    labels: Sequence[str],
    captions: Sequence[str],
    *,
    columns: int = 2,
) -> go.Figure:
    """The gate grid through training: one frame per snapshot, played in the browser; opens on the last."""
    names = QUANTITIES[cell]
    bound = max(1.0, *(float(np.abs(f[n]).max()) for f in frames for n in names if _signed(n)))
    titles = [f"{grid_title(f, cell)} · {caption}" for f, caption in zip(frames, captions, strict=True)]
    fig = gate_grid(frames[-1], tokens, cell, title=titles[-1], columns=columns, bound=bound)
    data = [[go.Heatmap(z=f[n].T) for n in names] for f in frames]
    return animate(fig, data, labels, titles=titles)


def live(cfg: GatesConfig) -> Callable[[History], go.Figure] | None:
    """The worked example's gate grid at the latest snapshot, redrawn while the network trains.

    None for the sentiment task: its snapshots are the sentiment view's, which hold no gates.
    """
    if not trains_here(cfg):
        return None
    cell = cfg.cell
    tokens, _ = worked_example(cfg.task)

    def draw(history: History) -> go.Figure:
        timeline = history.timeline
        values = frame_quantities(timeline.frames[-1])
        return gate_grid(values, tokens, cell, title=f"{grid_title(values, cell)} · {timeline.label(-1)}")

    return draw


def _time_axis(fig: go.Figure, tokens: Sequence[str], **where: int) -> None:
    """Token labels under each step; long ones (numbers) slanted so neighbours do not collide."""
    steps = len(tokens)
    labels = [token_label(t) for t in tokens]
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(1, steps + 1)),
        ticktext=labels if steps <= LABELLED_TICKS else None,
        tickangle=-60 if max(map(len, labels)) > 2 else 0,
        **where,
    )


def _hover(tokens: Sequence[str], name: str) -> tuple[list[str], str]:
    shown = [token_label(t) for t in tokens]
    return shown, f"token '%{{customdata}}' (t=%{{x}})<br>{name} = %{{y:.3f}}<extra></extra>"


@by_result
def unit_lines(
    reading: Reading, tokens: Sequence[str], cell: str, units: Sequence[int], why: str
) -> go.Figure:
    """One panel per unit: every gate and state of that unit against the tokens it read."""
    fig = make_subplots(
        rows=len(units),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
    )
    steps = np.arange(1, len(tokens) + 1)
    for row, unit in enumerate(units, start=1):
        for name in QUANTITIES[cell]:
            is_state = name in STATE_NAMES
            color = STATE_COLORS[name] if is_state else GATE_COLORS[name]
            shown, template = _hover(tokens, name)
            fig.add_scatter(
                x=steps,
                y=reading.values(name)[:, unit],
                customdata=shown,
                mode="lines+markers",
                name=quantity_name(name),
                legendgroup=name,
                showlegend=row == 1,
                line=dict(color=color, width=2.5 if is_state else 1.5, dash="dash" if name == "h" else None),
                marker=dict(size=4),
                hovertemplate=f"unit {unit}<br>{template}",
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=f"unit {unit}", row=row, col=1)
        _time_axis(fig, tokens, row=row, col=1)
    fig.update_xaxes(title_text="time step (token)", row=len(units), col=1)
    base_layout(
        fig,
        f"Units {', '.join(map(str, units))} ({why}): each gate and state, step by step",
        height=140 + 190 * len(units),
    )
    return fig


HISTOGRAM_BINS = 20


def _share(values: np.ndarray, gate: str) -> float:
    sat = gate_saturation({gate: values})[gate]
    return sat["low"] + sat["high"]


def saturation_title(trained: Mapping[str, np.ndarray], untrained: Mapping[str, np.ndarray]) -> str:
    after, before = saturated_share(gate_saturation(trained)), saturated_share(gate_saturation(untrained))
    return f"Saturated (shaded ends): {after:.0%} of sigmoid-gate values after training, {before:.0%} before"


def saturation_histogram(
    trained: Mapping[str, np.ndarray],
    untrained: Mapping[str, np.ndarray],
    cell: str,
    *,
    title: str | None = None,
) -> go.Figure:
    """Distribution of each gate's values before and after training, saturated ends shaded.

    Traces alternate untrained, trained per gate, so a film replaces the odd ones.
    """
    names = GATES[cell]
    fig = make_subplots(rows=1, cols=len(names), shared_yaxes=True, horizontal_spacing=0.03)
    top = 1 - SATURATION_MARGIN
    for col, g in enumerate(names, start=1):
        lo = -1.0 if g in SIGNED_GATES else 0.0
        edge = -top if g in SIGNED_GATES else SATURATION_MARGIN
        for label, values, color in (
            ("untrained", untrained[g], UNTRAINED_COLOR),
            ("trained", trained[g], CELL_COLORS[cell]),
        ):
            fig.add_histogram(
                x=np.ravel(values),
                xbins=dict(start=lo, end=1.0, size=(1.0 - lo) / HISTOGRAM_BINS),
                histnorm="percent",
                name=label,
                legendgroup=label,
                showlegend=col == 1,
                marker=dict(color=color),
                opacity=0.65,
                hovertemplate=f"{label}<br>{g} in %{{x}}<br>%{{y:.1f}}% of values<extra></extra>",
                row=1,
                col=col,
            )
        for x0, x1 in ((lo, edge), (top, 1.0)):
            fig.add_vrect(x0=x0, x1=x1, fillcolor="#F0E442", opacity=0.25, line_width=0, row=1, col=col)
        fig.update_xaxes(
            title_text=f"{quantity_name(g)}<br>(untrained {_share(untrained[g], g):.0%} saturated)",
            range=[lo, 1.0],
            row=1,
            col=col,
        )
    fig.update_yaxes(title_text="% of values", row=1, col=1)
    fig.update_layout(barmode="overlay")
    base_layout(fig, title or saturation_title(trained, untrained), height=340)
    return fig


def saturation_film(
    frames: Sequence[Mapping[str, np.ndarray]],
    untrained: Mapping[str, np.ndarray],
    cell: str,
    labels: Sequence[str],
    captions: Sequence[str],
) -> go.Figure:
    """The trained histograms through training against the untrained ones: gates becoming switches."""
    names = GATES[cell]
    titles = [f"{saturation_title(f, untrained)} · {c}" for f, c in zip(frames, captions, strict=True)]
    fig = saturation_histogram(frames[-1], untrained, cell, title=titles[-1])
    data = [[go.Histogram(x=np.ravel(f[g])) for g in names] for f in frames]
    return animate(fig, data, labels, traces=[2 * k + 1 for k in range(len(names))], titles=titles)


def conveyor_belt(
    reading: Reading,
    tokens: Sequence[str],
    cell: str,
    units: Sequence[int],
    headline: int,
    *,
    label: str = "",
) -> go.Figure:
    """The carried state (LSTM c, GRU h) above, the memory gate and its running product below.

    The product is what multiplies step 1's contribution on its way to step t along the
    state's own path: near 1 the belt carries memory (and gradient) unchanged.
    """
    keep, carried = MEMORY_GATE[cell], CARRIED[cell]
    state = reading.values(carried)
    gate = reading.gates[keep]
    path = highway(gate)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[0.55, 0.45],
    )
    steps = np.arange(1, len(tokens) + 1)
    shown = [token_label(t) for t in tokens]
    lines = (  # values, subplot row, mode, dash, what the hover names
        (state, 1, "lines+markers", None, f"{carried} = %{{y:.3f}}"),
        (gate, 2, "lines", "dot", f"{keep} = %{{y:.3f}}"),
        (path, 2, "lines+markers", None, f"product of {keep} from step 2 to t = %{{y:.3g}}"),
    )
    for k, unit in enumerate(units):
        color = UNIT_COLORS[k % len(UNIT_COLORS)]
        for values, row, mode, dash, what in lines:
            fig.add_scatter(
                x=steps,
                y=values[:, unit],
                customdata=shown,
                mode=mode,
                legendgroup=str(unit),
                line=dict(color=color, dash=dash),
                hovertemplate=f"unit {unit}<br>token '%{{customdata}}' (t=%{{x}})<br>{what}<extra></extra>",
                row=row,
                col=1,
                **(dict(name=f"unit {unit}") if row == 1 else dict(showlegend=False)),
            )
    fig.update_yaxes(title_text=STATE_NAMES[carried], row=1, col=1)
    fig.update_yaxes(
        title_text=f"{keep} (dotted),<br>∏{keep} from step 1 (solid)", range=[0, 1.05], row=2, col=1
    )
    for row in (1, 2):
        _time_axis(fig, tokens, row=row, col=1)
    fig.update_xaxes(title_text="time step (token)", row=2, col=1)
    title = f"unit {headline} keeps ×{path[-1, headline]:.2g} of step 1's {carried} at step {len(tokens)}"
    base_layout(fig, f"{label} · {title}" if label else title, height=480)
    return fig


def _film_frames(res: GatesResult) -> list[dict[str, np.ndarray]]:
    return [frame_quantities(f) for f in res.film.frames]


@by_result
def gates_figure(
    res: GatesResult, ins: Inspection, source: str, *, columns: int = 2, untrained: bool = False
) -> go.Figure:
    """The trained network's gate grid; for the worked example, the film of it through training."""
    if untrained:
        values = ins.untrained.quantities()
        title = f"Untrained · {grid_title(values, res.cell)}"
        return gate_grid(values, ins.tokens, res.cell, title=title, columns=columns)
    if source == "example" and res.film is not None:
        film = res.film
        return gate_film(
            _film_frames(res),
            ins.tokens,
            res.cell,
            [str(s) for s in film.steps],
            [film.label(i) for i in range(len(film))],
            columns=columns,
        )
    values = ins.trained.quantities()
    return gate_grid(values, ins.tokens, res.cell, title=grid_title(values, res.cell), columns=columns)


@by_result
def saturation_figure(res: GatesResult, ins: Inspection, source: str) -> go.Figure:
    """Gate values before and after training; for the worked example, through training."""
    if source == "example" and res.film is not None:
        film = res.film
        gates = [{g: f[g] for g in GATES[res.cell]} for f in _film_frames(res)]
        return saturation_film(
            gates,
            ins.untrained.gates,
            res.cell,
            [str(s) for s in film.steps],
            [film.label(i) for i in range(len(film))],
        )
    return saturation_histogram(ins.trained.gates, ins.untrained.gates, res.cell)


def film(cfg: GatesConfig, res: GatesResult) -> go.Figure:
    """The worked example's gate grid through training, whatever sequence the settings inspect.

    The sentiment task's classifier was trained by the sentiment view, whose film holds no gates: there
    the trained grid is drawn still.
    """
    example = replace(cfg, source="example")
    return gates_figure(res, inspect_sequence(res, example), example.source)
