"""Figures of the patterns view: the unrolled network with the inputs it reads and the outputs it is scored on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.cells import CELL_COLORS
from rnnviz.core.figures import animate, state_heatmap
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, SERIES, UNIT_SCALE, base_layout, token_label
from rnnviz.views.patterns.answers import Answer, answer, film_answers, film_input, frame_answer
from rnnviz.views.patterns.result import PatternsResult
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.table import PATTERN_TABLE
from rnnviz.views.patterns.tasks import ECHO_DELAY

INPUT_FILL = "rgba(86, 180, 233, 0.35)"
OUTPUT_FILL = "rgba(230, 159, 0, 0.40)"
FED_BACK_FILL = "rgba(230, 159, 0, 0.18)"
"""Decoder inputs are the decoder's own previous outputs: the output colour, paler."""
IDLE = "#B8B8B8"
WRONG = OKABE_ITO["vermillion"]
CONTEXT = OKABE_ITO["purple"]
ENCODER_GAP = 0.7

BOX_W, BOX_H, CELL_H = 0.72, 0.5, 0.62


@dataclass
class _Canvas:
    """Shapes and annotations collected first and handed to Plotly once: adding them one by one
    re-validates the whole layout each time, which made a 30-step diagram take a second."""

    shapes: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    hovers: list[tuple[float, float, str]] = field(default_factory=list)
    labels: list[tuple[float, float, str, str, int]] = field(default_factory=list)
    """Tokens in the boxes: a text trace rather than annotations, so a training film can replace them."""

    def box(self, x: float, y: float, h: float, *, fill: str, line: str, dash="solid", width=1.5) -> None:
        self.shapes.append(
            dict(
                type="rect",
                x0=x - BOX_W / 2,
                x1=x + BOX_W / 2,
                y0=y - h / 2,
                y1=y + h / 2,
                fillcolor=fill,
                line=dict(color=line, width=width, dash=dash),
                layer="below",
            )
        )

    def line(self, x0: float, x1: float, y: float, color: str) -> None:
        self.shapes.append(dict(type="line", x0=x0, x1=x1, y0=y, y1=y, line=dict(color=color, width=1)))

    def arrow(self, start: tuple[float, float], end: tuple[float, float], color: str, width=1.4) -> None:
        self.notes.append(
            dict(
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
        )

    def text(self, x: float, y: float, text: str, **kw) -> None:
        self.notes.append(dict(x=x, y=y, text=text, showarrow=False, **kw))

    def hover(self, x: float, y: float, text: str) -> None:
        self.hovers.append((x, y, text))

    def label(self, x: float, y: float, text: str, *, size: int, color: str = "black") -> None:
        self.labels.append((x, y, text, color, size))

    def traces(self) -> list[go.Scatter]:
        """The parts that change as the network learns: the tokens in the boxes and the hover texts."""
        xs, ys, texts, colors, sizes = zip(*self.labels, strict=True) if self.labels else ((),) * 5
        hx, hy, htexts = zip(*self.hovers, strict=True) if self.hovers else ((), (), ())
        return [
            go.Scatter(
                x=xs,
                y=ys,
                text=texts,
                mode="text",
                textfont=dict(color=colors, size=sizes),
                hoverinfo="skip",
                showlegend=False,
            ),
            go.Scatter(
                x=hx,
                y=hy,
                mode="markers",
                marker=dict(size=24, opacity=0),
                hovertext=htexts,
                hoverinfo="text",
                showlegend=False,
            ),
        ]

    def figure(self) -> go.Figure:
        fig = go.Figure(self.traces())
        fig.update_layout(shapes=self.shapes, annotations=self.notes)
        return fig


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


def _draw(ans: Answer, cell: str, bidirectional: bool) -> tuple[_Canvas, list[float]]:
    """Inputs along the bottom, one recurrent cell per step and layer, outputs on top.

    Lit boxes are used: inputs that are fed, outputs that the loss scores. Dashed boxes are
    not: a read-out that exists but is ignored is written in grey. A wrong output is written in
    vermillion with the right one above it. A bidirectional cell is split in two: the forward
    pass (top, arrows to the right) and the backward pass (bottom, arrows to the left). For an
    encoder-decoder the encoder's last state crosses to the decoder as the context vector.
    """
    steps = len(ans.inputs)
    layers = len(ans.layers)
    split = ans.split
    xs = [t + (ENCODER_GAP if split is not None and t >= split else 0.0) for t in range(steps)]
    color = CELL_COLORS[cell]
    out_y = 1 + layers
    font = 14 if steps <= 16 else 11
    c = _Canvas()

    for t, x in enumerate(xs):
        token = ans.inputs[t]
        decoding = split is not None and t >= split
        if token is None:
            c.box(x, 0, BOX_H, fill="white", line=IDLE, dash="dot")
            c.hover(x, 0, f"step {t + 1}: nothing is fed in")
        else:
            c.box(x, 0, BOX_H, fill=FED_BACK_FILL if decoding else INPUT_FILL, line="#555")
            c.arrow((x, BOX_H / 2), (x, 1 - CELL_H / 2), "#555")
            source = "input"
            if decoding:
                source = "start token" if t == split else "the decoder's previous output"
            c.hover(x, 0, f"step {t + 1}: {source} '{token_label(token)}'")
            c.label(x, 0, token_label(token), size=font)

        for layer in range(layers):
            y = 1 + layer
            c.box(x, y, CELL_H, fill="white", line=color, width=2)
            if bidirectional:
                c.line(x - BOX_W / 2, x + BOX_W / 2, y, color)
            if layer:
                c.arrow((x, y - 1 + CELL_H / 2), (x, y - CELL_H / 2), color)
            label = " · ".join(
                f"|{name}| = {np.linalg.norm(h):.2f}" for name, h in _cell_states(ans, layer, t)
            )
            where = "decoder" if decoding else ("encoder" if split is not None else f"layer {layer + 1}")
            c.hover(x, y, f"step {t + 1}, {where}: hidden state {label}")

        output = ans.outputs[t]
        if output is None:
            continue
        if ans.used[t]:
            want = ans.targets[t]
            wrong = want is not None and want != output
            c.box(x, out_y, BOX_H, fill=OUTPUT_FILL, line="#555")
            c.arrow((x, out_y - 1 + CELL_H / 2), (x, out_y - BOX_H / 2), "#555")
            c.label(x, out_y, f"<b>{token_label(output)}</b>", size=font, color=WRONG if wrong else "black")
            c.label(x, out_y + 0.42, token_label(want) if wrong else "", size=font - 2, color=WRONG)
            verdict = "" if want is None else (f", should be '{token_label(want)}'" if wrong else ", right")
            c.hover(x, out_y, f"step {t + 1}: output '{token_label(output)}' (scored{verdict})")
        else:
            c.box(x, out_y, BOX_H, fill="white", line=IDLE, dash="dot")
            c.label(x, out_y, token_label(output), size=font, color=IDLE)
            c.hover(
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
                c.arrow((left, y + CELL_H / 4), (right, y + CELL_H / 4), color)
                c.arrow((right, y - CELL_H / 4), (left, y - CELL_H / 4), color)
            else:
                c.arrow((left, y), (right, y), color)
    if split is not None and 0 < split < steps:
        c.arrow((xs[split - 1] + BOX_W / 2, 1), (xs[split] - BOX_W / 2, 1), CONTEXT, width=3)
        c.text(
            xs[split] - BOX_W / 2,
            1 + CELL_H / 2 + 0.22,
            "context c: the encoder's last state ➝",
            xanchor="right",
            font=dict(size=12, color=CONTEXT),
        )

    rows = [(0, "input")] + [(1 + layer, _row_name(layer, layers, bidirectional)) for layer in range(layers)]
    for y, text in rows + [(out_y, "output")]:
        c.text(0, y, text, xref="paper", xanchor="right", xshift=-8, font=dict(size=11, color="#555"))
    if split is not None:
        for lo, hi, text in ((0, split - 1, "encoder: reads"), (split, steps - 1, "decoder: writes")):
            c.text((xs[lo] + xs[hi]) / 2, -0.5, text, font=dict(size=12, color="#555"))
    return c, xs


@by_result
def pattern_diagram(
    ans: Answer,
    *,
    cell: str,
    bidirectional: bool = False,
    film: Sequence[Answer] | None = None,
    labels: Sequence[str] = (),
    captions: Sequence[str] = (),
) -> go.Figure:
    """Inputs along the bottom, one recurrent cell per step and layer, outputs on top (see ``_draw``).

    With ``film`` (the same input answered at each training snapshot, ``ans`` being the last), the
    outputs and their verdicts play through training in the browser.
    """
    c, xs = _draw(ans, cell, bidirectional)
    layers, split = len(ans.layers), ans.split
    out_y = 1 + layers
    fig = c.figure()
    fig.update_xaxes(visible=False, range=[xs[0] - 0.5, xs[-1] + 0.5])
    fig.update_yaxes(visible=False, range=[-0.7 if split is not None else -0.45, out_y + 0.75])
    base_layout(fig, diagram_title(ans), height=150 + 80 * (layers + 1))
    fig.update_layout(margin=dict(l=110))
    if film:
        titles = [f"{diagram_title(a)} · {caption}" for a, caption in zip(film, captions, strict=True)]
        fig.layout.title.text = titles[-1]
        animate(fig, [_draw(a, cell, bidirectional)[0].traces() for a in film], labels, titles=titles)
    return fig


def _row_name(layer: int, layers: int, bidirectional: bool) -> str:
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


@dataclass(frozen=True)
class _Panel:
    """One hidden-state heatmap behind the diagram."""

    values: np.ndarray
    tokens: list[str]
    title: str
    name: str
    highlight: int | None = None


def _panels(ans: Answer, pattern: str) -> list[_Panel]:
    """Every hidden state behind the diagram: per layer, per direction, encoder and decoder."""
    tokens = [token_label(t) if t is not None else "∅" for t in ans.inputs]
    if ans.split is not None:
        return [
            _Panel(
                ans.layers[0][0],
                tokens[: ans.split],
                f"Encoder states; the last (t = {ans.split}) is the context",
                "h",
                ans.split - 1,
            ),
            _Panel(
                ans.decoder,
                [o or "" for o in ans.outputs[ans.split :]],
                "Decoder: one column per character written",
                "h",
            ),
        ]
    if pattern == "bidirectional":
        fwd, bwd = ans.layers[0]
        return [
            _Panel(fwd, tokens, "Forward h→: has read the digits up to t", "h→"),
            _Panel(bwd, tokens, "Backward h←: has read the digits from t to the end", "h←"),
        ]
    if len(ans.layers) == 1:
        return [_Panel(ans.layers[0][0], tokens, "Hidden state h: one column per step", "h")]
    return [
        _Panel(h, tokens, f"Layer {layer + 1}: hidden state h", "h") for layer, (h,) in enumerate(ans.layers)
    ]


@by_result
def state_figures(
    ans: Answer,
    pattern: str,
    *,
    film: Sequence[Answer] | None = None,
    labels: Sequence[str] = (),
    captions: Sequence[str] = (),
) -> list[go.Figure]:
    """Heatmaps of every hidden state behind the diagram; with ``film``, each plays through training."""
    figs = []
    frames = [_panels(a, pattern) for a in film] if film else []
    for k, panel in enumerate(_panels(ans, pattern)):
        fig = state_heatmap(
            panel.values,
            panel.tokens,
            title=panel.title,
            name=panel.name,
            height=min(420, max(220, 60 + 12 * panel.values.shape[1])),
            highlight=panel.highlight,
        )
        # Hover reads the value from z, so it stays true in every frame of a film.
        fig.update_traces(
            text=None,
            customdata=[panel.tokens] * panel.values.shape[1],
            hovertemplate=f"token '%{{customdata}}' (t=%{{x}})<br>unit %{{y}}<br>{panel.name} = %{{z:.3f}}<extra></extra>",
        )
        if frames:
            titles = [f"{panel.title} · {caption}" for caption in captions]
            fig.layout.title.text = titles[-1]
            animate(fig, [[go.Heatmap(z=f[k].values.T)] for f in frames], labels, titles=titles)
        figs.append(fig)
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
    base_layout(
        fig,
        title,
        height=320,
        x=f"position in the sequence ({by_position.shape[1]} digits)",
        y="accuracy (%)",
    )
    fig.update_yaxes(range=[0, 102])
    return fig


def probe_heatmap(probe: np.ndarray) -> go.Figure:
    """Which layer holds the digit read k steps ago, as a linear read-out can find it."""
    layers, delays = probe.shape
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
    title = f"A linear read-out of the digit read k steps ago, from each layer (the output must say k = {ECHO_DELAY})"
    return base_layout(fig, title, height=260, x="digit read this many steps ago", y="layer")


def _film_steps(res: PatternsResult) -> tuple[list[str], list[str]]:
    """The film's slider labels (training steps) and captions ('step 120, loss 0.034')."""
    timeline = res.history.timeline
    return [str(s) for s in timeline.steps], [timeline.label(i) for i in range(len(timeline))]


def reply_diagram(res: PatternsResult, reply: Answer) -> go.Figure:
    """The diagram of a reply: a training film when it answers the input the film recorded."""
    frames = film_answers(res, reply)
    labels, captions = _film_steps(res) if frames else ([], [])
    return pattern_diagram(
        reply,
        cell=res.cell,
        bidirectional=res.pattern == "bidirectional",
        film=frames,
        labels=labels,
        captions=captions,
    )


def reply_states(res: PatternsResult, reply: Answer) -> list[go.Figure]:
    """The hidden states behind a reply; each a training film when the diagram is one."""
    frames = film_answers(res, reply)
    labels, captions = _film_steps(res) if frames else ([], [])
    return state_figures(reply, res.pattern, film=frames, labels=labels, captions=captions)


def film(cfg: PatternsConfig, res: PatternsResult) -> go.Figure:
    """The main figure through training: the diagram of the answer to the pattern's default input,
    whatever input ``cfg`` types (the snapshots recorded that one)."""
    recorded = dataclasses.replace(cfg, **{PATTERN_TABLE[res.pattern].field: film_input(res.pattern)})
    return reply_diagram(res, answer(res, recorded))


def live(cfg: PatternsConfig) -> Callable[[History], go.Figure]:
    """The diagram of the default input's answer at the latest snapshot, redrawn while the network trains."""

    def draw(history: History) -> go.Figure:
        timeline = history.timeline
        ans = frame_answer(cfg.pattern, timeline.frames[-1])
        # A copy: the memoised diagram is shared with every session that draws it.
        fig = go.Figure(pattern_diagram(ans, cell=cfg.cell, bidirectional=cfg.pattern == "bidirectional"))
        fig.layout.title.text = f"{diagram_title(ans)} · {timeline.label(len(timeline) - 1)}"
        return fig

    return draw
