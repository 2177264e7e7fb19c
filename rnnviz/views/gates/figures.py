"""Figures of the gates view: gate heatmaps, units step by step, saturation, and the cell-state conveyor belt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.cells import CARRIED, CELL_COLORS, GATE_NAMES, GATES, MEMORY_GATE, SIGNED_GATES
from rnnviz.core.figures import state_heatmap
from rnnviz.core.style import GATE_COLORS, OKABE_ITO, base_layout, token_label
from rnnviz.views.gates.experiment import Reading
from rnnviz.views.gates.gating import SATURATION_MARGIN, gate_saturation, highway, saturated_share

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


def _heatmap_title(name: str, values: np.ndarray, cell: str) -> str:
    if name == "c":
        return f"cell state c: from {values.min():.2f} to {values.max():.2f}"
    if name == "h":
        return "hidden state h = o ⊙ tanh(c)" if cell == "lstm" else "hidden state h: memory and output"
    sat = gate_saturation({name: values})[name]
    if name in SIGNED_GATES:
        return f"{GATE_NAMES[name]}: {sat['low'] + sat['high']:.0%} beyond ±0.9"
    return f"{GATE_NAMES[name]}: {sat['high']:.0%} open (> 0.9), {sat['low']:.0%} shut (< 0.1)"


def gate_heatmap(
    reading: Reading,
    name: str,
    tokens: Sequence[str],
    cell: str,
    *,
    label: str = "",
    highlight: int | None = None,
) -> go.Figure:
    """Units x time for one gate or state: sigmoid gates on the [0, 1] scale, the rest on the signed one."""
    values = reading.values(name)
    title = _heatmap_title(name, values, cell)
    fig = state_heatmap(
        values,
        tokens,
        title=f"{label} · {title}" if label else title,
        name=name,
        signed=name in SIGNED_GATES or name in STATE_NAMES,
        highlight=highlight,
    )
    _time_axis(fig, tokens)
    return fig


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


def saturation_histogram(
    trained: Mapping[str, np.ndarray],
    untrained: Mapping[str, np.ndarray],
    cell: str,
) -> go.Figure:
    """Distribution of each gate's values before and after training, saturated ends shaded."""
    names = GATES[cell]
    sat_t, sat_u = gate_saturation(trained), gate_saturation(untrained)
    share = lambda s, g: s[g]["low"] + s[g]["high"]
    fig = make_subplots(
        rows=1,
        cols=len(names),
        shared_yaxes=True,
        horizontal_spacing=0.03,
    )
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
                xbins=dict(start=lo, end=1.0, size=(1.0 - lo) / 20),
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
            title_text=f"{g}: {share(sat_t, g):.0%} saturated<br>(untrained {share(sat_u, g):.0%})",
            range=[lo, 1.0],
            row=1,
            col=col,
        )
    fig.update_yaxes(title_text="% of values", row=1, col=1)
    fig.update_layout(barmode="overlay")
    base_layout(
        fig,
        f"Saturated (shaded ends): {saturated_share(sat_t):.0%} of sigmoid-gate values after training, "
        f"{saturated_share(sat_u):.0%} before",
        height=330,
    )
    return fig


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
    for k, unit in enumerate(units):
        color = UNIT_COLORS[k % len(UNIT_COLORS)]
        common = dict(x=steps, customdata=shown, legendgroup=str(unit), line=dict(color=color))
        fig.add_scatter(
            y=state[:, unit],
            mode="lines+markers",
            name=f"unit {unit}",
            hovertemplate=f"unit {unit}<br>token '%{{customdata}}' (t=%{{x}})<br>{carried} = %{{y:.3f}}"
            "<extra></extra>",
            row=1,
            col=1,
            **common,
        )
        fig.add_scatter(
            y=gate[:, unit],
            mode="lines",
            showlegend=False,
            hovertemplate=f"unit {unit}<br>token '%{{customdata}}' (t=%{{x}})<br>{keep} = %{{y:.3f}}"
            "<extra></extra>",
            row=2,
            col=1,
            **{**common, "line": dict(color=color, dash="dot")},
        )
        fig.add_scatter(
            y=path[:, unit],
            mode="lines+markers",
            showlegend=False,
            hovertemplate=f"unit {unit}<br>token '%{{customdata}}' (t=%{{x}})<br>product of {keep} "
            "from step 2 to t = %{y:.3g}<extra></extra>",
            row=2,
            col=1,
            **common,
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
