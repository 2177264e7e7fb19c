"""Figures of the patterns view: the unrolled network with the inputs it reads and the outputs it is scored on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.common import state_heatmap
from rnnviz.figures.style import CELL_COLORS, OKABE_ITO, SERIES, UNIT_SCALE, base_layout, token_label
from rnnviz.pattern_tasks import ECHO_DELAY

if TYPE_CHECKING:
    from rnnviz.experiments.patterns import Answer

INPUT_FILL = "rgba(86, 180, 233, 0.35)"
OUTPUT_FILL = "rgba(230, 159, 0, 0.40)"
FED_BACK_FILL = "rgba(230, 159, 0, 0.18)"
"""Decoder inputs are the decoder's own previous outputs: the output colour, paler."""
IDLE = "#B8B8B8"
WRONG = OKABE_ITO["vermillion"]
CONTEXT = OKABE_ITO["purple"]
ENCODER_GAP = 0.7

BOX_W, BOX_H, CELL_H = 0.72, 0.5, 0.62


def _box(
    fig: go.Figure, x: float, y: float, h: float, *, fill: str, line: str, dash: str = "solid", width=1.5
):
    fig.add_shape(
        type="rect",
        x0=x - BOX_W / 2,
        x1=x + BOX_W / 2,
        y0=y - h / 2,
        y1=y + h / 2,
        fillcolor=fill,
        line=dict(color=line, width=width, dash=dash),
        layer="below",
    )


def _arrow(fig: go.Figure, start: tuple[float, float], end: tuple[float, float], color: str, width=1.4):
    fig.add_annotation(
        x=end[0],
        y=end[1],
        ax=start[0],
        ay=start[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=2,
        arrowsize=1,
        arrowwidth=width,
        arrowcolor=color,
        text="",
    )


def diagram_title(ans: Answer) -> str:
    """The finding: how many inputs were read, how many outputs scored, and whether the answer is right."""
    read = sum(i is not None for i in ans.inputs[: ans.split])
    scored = sum(ans.used)
    verdict = ""
    if ans.correct is True:
        verdict = " ✓ right"
    elif ans.correct is False:
        verdict = f" ✗ the right answer is '{ans.expected}'"
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    return f"{plural(read, 'input')} read, {plural(scored, 'output')} scored: '{ans.text}'{verdict}"


def pattern_diagram(ans: Answer, *, cell: str, bidirectional: bool = False) -> go.Figure:
    """Inputs along the bottom, one recurrent cell per step and layer, outputs on top.

    Lit boxes are used: inputs that are fed, outputs that the loss scores. Dashed boxes are
    not: a read-out that exists but is ignored is written in grey. A bidirectional cell is
    split in two: the forward pass (top, arrows to the right) and the backward pass (bottom,
    arrows to the left). For an encoder-decoder the encoder's last state crosses to the
    decoder as the context vector.
    """
    steps = len(ans.inputs)
    layers = len(ans.layers)
    split = ans.split
    xs = [t + (ENCODER_GAP if split is not None and t >= split else 0.0) for t in range(steps)]
    color = CELL_COLORS[cell]
    out_y = 1 + layers
    font = 14 if steps <= 16 else 11
    fig = go.Figure()
    hover_x, hover_y, hover_text = [], [], []

    def hover(x: float, y: float, text: str) -> None:
        hover_x.append(x)
        hover_y.append(y)
        hover_text.append(text)

    for t, x in enumerate(xs):
        token = ans.inputs[t]
        decoding = split is not None and t >= split
        if token is None:
            _box(fig, x, 0, BOX_H, fill="white", line=IDLE, dash="dot")
            hover(x, 0, f"step {t + 1}: nothing is fed in")
        else:
            _box(fig, x, 0, BOX_H, fill=FED_BACK_FILL if decoding else INPUT_FILL, line="#555")
            _arrow(fig, (x, BOX_H / 2), (x, 1 - CELL_H / 2), "#555")
            source = "the decoder's previous output" if decoding and t > split else "input"
            if decoding and t == split:
                source = "start token"
            hover(x, 0, f"step {t + 1}: {source} '{token_label(token)}'")
        fig.add_annotation(x=x, y=0, text=token_label(token or ""), showarrow=False, font=dict(size=font))

        for layer in range(layers):
            y = 1 + layer
            _box(fig, x, y, CELL_H, fill="white", line=color, width=2)
            if bidirectional:
                fig.add_shape(
                    type="line",
                    x0=x - BOX_W / 2,
                    x1=x + BOX_W / 2,
                    y0=y,
                    y1=y,
                    line=dict(color=color, width=1),
                )
            if layer:
                _arrow(fig, (x, y - 1 + CELL_H / 2), (x, y - CELL_H / 2), color)
            states = _cell_states(ans, layer, t)
            label = " · ".join(f"|{name}| = {np.linalg.norm(h):.2f}" for name, h in states)
            where = "decoder" if decoding else ("encoder" if split is not None else f"layer {layer + 1}")
            hover(x, y, f"step {t + 1}, {where}: hidden state {label}")

        output = ans.outputs[t]
        if output is None:
            continue
        if ans.used[t]:
            want = ans.targets[t]
            wrong = want is not None and want != output
            _box(
                fig,
                x,
                out_y,
                BOX_H,
                fill=OUTPUT_FILL,
                line=WRONG if wrong else "#555",
                width=3 if wrong else 1.5,
            )
            _arrow(fig, (x, out_y - 1 + CELL_H / 2), (x, out_y - BOX_H / 2), "#555")
            fig.add_annotation(
                x=x, y=out_y, text=f"<b>{token_label(output)}</b>", showarrow=False, font=dict(size=font)
            )
            if wrong:
                fig.add_annotation(
                    x=x,
                    y=out_y + 0.42,
                    text=token_label(want),
                    showarrow=False,
                    font=dict(size=font - 2, color=WRONG),
                )
            verdict = "" if want is None else (f", should be '{token_label(want)}'" if wrong else ", right")
            hover(x, out_y, f"step {t + 1}: output '{token_label(output)}' (scored{verdict})")
        else:
            _box(fig, x, out_y, BOX_H, fill="white", line=IDLE, dash="dot")
            fig.add_annotation(
                x=x, y=out_y, text=token_label(output), showarrow=False, font=dict(size=font, color=IDLE)
            )
            hover(
                x,
                out_y,
                f"step {t + 1}: the read-out would say '{token_label(output)}', but it is not scored",
            )

    for layer in range(layers):
        y = 1 + layer
        for t in range(steps - 1):
            if split is not None and t + 1 == split:
                continue
            left, right = xs[t] + BOX_W / 2, xs[t + 1] - BOX_W / 2
            if bidirectional:
                _arrow(fig, (left, y + CELL_H / 4), (right, y + CELL_H / 4), color)
                _arrow(fig, (right, y - CELL_H / 4), (left, y - CELL_H / 4), color)
            else:
                _arrow(fig, (left, y), (right, y), color)
    if split is not None and 0 < split < steps:
        _arrow(fig, (xs[split - 1] + BOX_W / 2, 1), (xs[split] - BOX_W / 2, 1), CONTEXT, width=3)
        fig.add_annotation(
            x=(xs[split - 1] + xs[split]) / 2,
            y=1 + CELL_H / 2 + 0.12,
            text="context",
            showarrow=False,
            font=dict(size=11, color=CONTEXT),
        )

    fig.add_scatter(
        x=hover_x,
        y=hover_y,
        mode="markers",
        marker=dict(size=24, opacity=0),
        hovertext=hover_text,
        hoverinfo="text",
        showlegend=False,
    )
    row_labels = [(0, "input")] + [
        (1 + layer, _row_name(layer, layers, split, bidirectional)) for layer in range(layers)
    ]
    row_labels.append((out_y, "output"))
    for y, text in row_labels:
        fig.add_annotation(
            x=-0.55, y=y, text=text, showarrow=False, xanchor="right", font=dict(size=11, color="#555")
        )
    fig.update_xaxes(visible=False, range=[-2.1, xs[-1] + 0.6])
    fig.update_yaxes(visible=False, range=[-0.45, out_y + 0.75])
    return base_layout(fig, diagram_title(ans), height=150 + 80 * (layers + 1))


def _row_name(layer: int, layers: int, split: int | None, bidirectional: bool) -> str:
    if split is not None:
        return "encoder · decoder"
    if bidirectional:
        return "forward →<br>backward ←"
    return f"layer {layer + 1}" if layers > 1 else "hidden h"


def _cell_states(ans: Answer, layer: int, t: int) -> list[tuple[str, np.ndarray]]:
    """The hidden state(s) behind one cell of the diagram, named for the hover text."""
    if ans.split is not None:
        if t >= ans.split:
            return [("h", ans.decoder[t - ans.split])]
        return [("h", ans.layers[0][0][t])]
    directions = ans.layers[layer]
    names = ("h→", "h←") if len(directions) == 2 else ("h",)
    return [(name, d[t]) for name, d in zip(names, directions, strict=True)]


def state_figures(ans: Answer, pattern: str) -> list[go.Figure]:
    """Heatmaps of every hidden state behind the diagram: per layer, per direction, encoder and decoder."""
    tokens = [token_label(t) if t is not None else "∅" for t in ans.inputs]
    height = lambda h: min(420, max(220, 60 + 12 * h.shape[1]))
    if ans.split is not None:
        enc = ans.layers[0][0]
        outputs = [o or "" for o in ans.outputs[ans.split :]]
        return [
            state_heatmap(
                enc,
                tokens[: ans.split],
                title=f"Encoder: the last column (t = {ans.split}) is the context vector",
                name="h",
                height=height(enc),
                highlight=ans.split - 1,
            ),
            state_heatmap(
                ans.decoder,
                outputs,
                title="Decoder: one column per character written",
                name="h",
                height=height(ans.decoder),
            ),
        ]
    if pattern == "bidirectional":
        fwd, bwd = ans.layers[0]
        return [
            state_heatmap(
                fwd, tokens, title="Forward h→: has read the digits up to t", name="h→", height=height(fwd)
            ),
            state_heatmap(
                bwd,
                tokens,
                title="Backward h←: has read the digits from t to the end",
                name="h←",
                height=height(bwd),
            ),
        ]
    figs = []
    for layer, (h,) in enumerate(ans.layers):
        title = (
            f"Layer {layer + 1}: hidden state h"
            if len(ans.layers) > 1
            else "Hidden state h: one column per step"
        )
        figs.append(state_heatmap(h, tokens, title=title, name="h", height=height(h)))
    return figs


def position_accuracy(by_position: np.ndarray) -> go.Figure:
    """Accuracy at each position, bidirectional against forward-only: the gap is what the future adds."""
    positions = np.arange(1, by_position.shape[1] + 1)
    fig = go.Figure()
    for row, name, color in (
        (0, "bidirectional", SERIES["train"]),
        (1, "forward only", SERIES["validation"]),
    ):
        fig.add_scatter(
            x=positions,
            y=100 * by_position[row],
            mode="lines+markers",
            name=name,
            line=dict(color=color),
            hovertemplate=f"{name}<br>position %{{x}}<br>accuracy %{{y:.1f}}%<extra></extra>",
        )
    first, last = 100 * by_position[1, 0], 100 * by_position[1, -1]
    title = (
        f"Forward only: {first:.0f}% right at position 1, {last:.0f}% at the last; "
        f"bidirectional: {100 * by_position[0].min():.0f}% or better everywhere"
    )
    base_layout(fig, title, height=320, x="position in the sequence (16 digits)", y="accuracy (%)")
    fig.update_yaxes(range=[0, 102])
    return fig


def probe_heatmap(probe: np.ndarray) -> go.Figure:
    """Which layer holds the digit read k steps ago, as a linear read-out can find it."""
    layers, delays = probe.shape
    best = [int(np.argmax(probe[:, k])) + 1 for k in range(delays)]
    text = [[f"{100 * probe[layer, k]:.0f}%" for k in range(delays)] for layer in range(layers)]
    fig = go.Figure(
        go.Heatmap(
            z=probe,
            x=list(range(delays)),
            y=[f"layer {layer + 1}" for layer in range(layers)],
            zmin=0,
            zmax=1,
            colorscale=UNIT_SCALE,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>digit read %{x} steps ago<br>linear read-out accuracy %{text}<extra></extra>",
            colorbar=dict(thickness=10, tickformat=".0%"),
        )
    )
    fig.update_yaxes(autorange="reversed")
    title = (
        f"Layer {best[0]} holds the digit just read best; layer {best[ECHO_DELAY]} the one read "
        f"{ECHO_DELAY} steps ago, which the output must say"
    )
    return base_layout(fig, title, height=260, x="digit read this many steps ago", y="layer")
