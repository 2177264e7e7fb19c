"""A comparison's figures: the headline metric per variant (a point per seed, the mean and its interval),
the variants' loss curves overlaid (each seed's spread as a band), and the view's main figure as small
multiples played in sync; and what a comparison's Download and ``--export`` write."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.core import config as cfgmod
from rnnviz.core import export
from rnnviz.core.compare import Comparison, Outcome, name_of, ranked
from rnnviz.core.figures import DEFAULT_HEIGHT, PLAYER_HEIGHT, animate, file_stem, line_trace
from rnnviz.core.fmt import jsonable
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, base_layout

VARIANT_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["purple"])
"""One colour per variant, in the order asked for (at most MAX_VARIANTS)."""
CURVE_POINTS = 400
"""A loss curve is thinned to about this many points: the shape survives, the page stays light."""


def _names(c: Comparison) -> list[str]:
    return [name_of(c.plan.exp, o.variant.settings) for o in c.outcomes]


def metric_points(c: Comparison, height: int = 340) -> go.Figure:
    """Each seed's value as a dot, the mean as a bar with its 95% interval across seeds as whiskers."""
    metric = c.plan.exp.metric
    fig = go.Figure()
    for i, (name, o) in enumerate(zip(_names(c), c.outcomes, strict=True)):
        color = VARIANT_COLORS[i % len(VARIANT_COLORS)]
        seeds = [cfg.seed for cfg in o.variant.configs]
        fig.add_trace(
            go.Scatter(
                x=[name] * len(o.spread.values),
                y=[v if math.isfinite(v) else None for v in o.spread.values],
                mode="markers",
                marker=dict(color=color, size=9, opacity=0.6),
                customdata=seeds,
                name=f"{name}: seeds",
                showlegend=False,
                hovertemplate=f"{name}<br>seed %{{customdata}}: %{{y:.4g}}<extra></extra>",
            )
        )
        s = o.spread
        error = (
            dict(
                type="data",
                symmetric=False,
                array=[s.high - s.mean],
                arrayminus=[s.mean - s.low],
                color=color,
            )
            if s.has_interval
            else None
        )
        fig.add_trace(
            go.Scatter(
                x=[name],
                y=[s.mean if math.isfinite(s.mean) else None],
                mode="markers",
                marker=dict(color=color, size=16, symbol="line-ew-open", line=dict(width=3, color=color)),
                error_y=error,
                name=f"{name}: mean",
                showlegend=False,
                hovertemplate=f"{name}<br>mean %{{y:.4g}}"
                + (f"<br>95% interval {s.low:.4g} to {s.high:.4g}" if s.has_interval else "<br>one seed")
                + "<extra></extra>",
            )
        )
    better = "higher is better" if metric.better == "higher" else "lower is better"
    base_layout(
        fig,
        f"{metric.label} per variant: dots are seeds, the bar the mean with its 95% interval ({better})",
        height=height,
        y=metric.label + (f" ({metric.unit})" if metric.unit else ""),
    )
    return fig


def _band(o: Outcome) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Steps, and the mean, lowest and highest loss over seeds at each (up to the shortest run)."""
    curves = [np.asarray(r.history.loss, dtype=np.float64) for r in o.results]
    length = min((len(c) for c in curves), default=0)
    if length == 0:
        return None
    stacked = np.vstack([c[:length] for c in curves])
    keep = np.unique(np.linspace(0, length - 1, min(length, CURVE_POINTS)).astype(int))
    stacked = stacked[:, keep]
    return keep + 1, stacked.mean(axis=0), stacked.min(axis=0), stacked.max(axis=0)


def loss_bands(c: Comparison, height: int = 340) -> go.Figure:
    """Every variant's training loss: the mean over seeds as a line, lowest to highest seed as a band."""
    fig = go.Figure()
    seeds = len(c.outcomes[0].results) if c.outcomes else 0
    for i, (name, o) in enumerate(zip(_names(c), c.outcomes, strict=True)):
        band = _band(o)
        if band is None:
            continue
        steps, mean, low, high = band
        color = VARIANT_COLORS[i % len(VARIANT_COLORS)]
        if seeds > 1:
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([steps, steps[::-1]]),
                    y=np.concatenate([high, low[::-1]]),
                    fill="toself",
                    fillcolor=color,
                    opacity=0.2,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=name,
                )
            )
        fig.add_trace(
            line_trace(
                steps,
                mean,
                name,
                color,
                f"{name}<br>step %{{x}}: loss %{{y:.4g}}<extra></extra>",
                legendgroup=name,
            )
        )
    spread = f"mean of {seeds} seeds, the band from lowest to highest" if seeds > 1 else "one seed each"
    base_layout(fig, f"Training loss ({spread})", height=height, x="training step", y="loss (log scale)")
    fig.update_yaxes(type="log", tickformat=".2g")
    return fig


PANEL_COLUMNS = 2
"""Small multiples side by side per row: two keep a heatmap's columns readable on a laptop screen."""
PANEL_TITLE_PX = 72
"""Room above each panel for its variant's name and its film's own caption (two lines), clear of the
film's own subplot titles."""
PANEL_GAP_PX = 64
"""Between two rows of panels: room for the upper panel's tick labels and x-axis title."""
COLUMN_GAP = 0.1
"""Between two columns, as a share of the width: room for a panel's colour bar and the next one's labels."""
CAPTION_CHARS = 70
"""A panel's caption is wrapped at about this many characters a line."""
LABEL_SHIFT_PX = 24
"""A panel's label sits this far above its panel, over the film's own subplot titles."""
FIGURE_MARGIN_PX = 60
"""A figure's top and bottom margins (style.base_layout): its height less these is its plot area."""

_AXIS = re.compile(r"^([xy])(\d*)( domain)?$")
_AXIS_KEY = re.compile(r"^([xy])axis(\d*)$")
_COLORAXIS_KEY = re.compile(r"^coloraxis\d*$")
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Cell:
    """Where one panel goes, in the combined figure's paper coordinates (0 to 1 over its plot area)."""

    x0: float
    x1: float
    y0: float
    y1: float

    def at(self, letter: str, v: float) -> float:
        lo, hi = (self.x0, self.x1) if letter == "x" else (self.y0, self.y1)
        return lo + v * (hi - lo)


class _Renamer:
    """New names for one panel's axes and colour axes, numbered on from the panels before it."""

    def __init__(self, axes: dict[str, int], coloraxes: int) -> None:
        self.axes = dict(axes)
        self.coloraxes = coloraxes
        self.names: dict[str, str] = {}

    def axis(self, ref: str | None, letter: str) -> str:
        """The panel's ``x2`` (or ``x2 domain``) as the combined figure names it."""
        m = _AXIS.match(ref or letter)
        if m is None:
            return ref or letter
        key = m.group(1) + ("" if m.group(2) in ("", "1") else m.group(2))
        if key not in self.names:
            self.axes[m.group(1)] += 1
            n = self.axes[m.group(1)]
            self.names[key] = m.group(1) + (str(n) if n > 1 else "")
        return self.names[key] + (m.group(3) or "")

    def coloraxis(self, ref: str) -> str:
        if ref not in self.names:
            self.coloraxes += 1
            self.names[ref] = "coloraxis" + (str(self.coloraxes) if self.coloraxes > 1 else "")
        return self.names[ref]


def _layout_key(axis: str) -> str:
    """``x2`` -> ``xaxis2``: an axis's key in a layout."""
    return f"{axis[0]}axis{axis[1:]}"


def _place_trace(trace: dict[str, Any], names: _Renamer) -> dict[str, Any]:
    trace["xaxis"] = names.axis(trace.get("xaxis"), "x")
    trace["yaxis"] = names.axis(trace.get("yaxis"), "y")
    for holder in (trace, trace.get("marker") or {}):
        if isinstance(holder.get("coloraxis"), str):
            holder["coloraxis"] = names.coloraxis(holder["coloraxis"])
    return trace


def _place_colorbar(bar: dict[str, Any], cell: _Cell) -> None:
    """A colour bar beside its panel, as long as its share of the film it came from."""
    bar["x"] = cell.at("x", bar.get("x", 1.02))
    bar["y"] = cell.at("y", bar.get("y", 0.5))
    if bar.get("lenmode", "fraction") == "fraction":
        bar["len"] = bar.get("len", 1.0) * (cell.y1 - cell.y0)


def _place_item(item: dict[str, Any], cell: _Cell, names: _Renamer) -> dict[str, Any]:
    """An annotation or shape onto its panel's renamed axes, or from the film's paper into its cell."""
    for letter in "xy":
        ref = item.get(f"{letter}ref", letter)
        if ref == "paper":
            for key in (letter, f"{letter}0", f"{letter}1"):
                if isinstance(item.get(key), int | float):
                    item[key] = cell.at(letter, item[key])
        else:
            item[f"{letter}ref"] = names.axis(ref, letter)
        aref = item.get(f"a{letter}ref")
        if isinstance(aref, str) and aref != "pixel":
            item[f"a{letter}ref"] = names.axis(aref, letter)
    return item


def _cells(count: int, plot_px: float) -> tuple[list[_Cell], float]:
    """Each panel's cell, left to right then down, and the plot area's height in pixels."""
    cols = min(count, PANEL_COLUMNS)
    rows = math.ceil(count / cols)
    total = rows * (PANEL_TITLE_PX + plot_px) + (rows - 1) * PANEL_GAP_PX
    cells = []
    for i in range(count):
        row, col = divmod(i, cols)
        top = total - row * (PANEL_TITLE_PX + plot_px + PANEL_GAP_PX) - PANEL_TITLE_PX
        cells.append(
            _Cell(
                x0=col / cols + (COLUMN_GAP / 2 if col else 0.0),
                x1=(col + 1) / cols - (COLUMN_GAP / 2 if col < cols - 1 else 0.0),
                y0=(top - plot_px) / total,
                y1=top / total,
            )
        )
    return cells, total


@dataclass
class _Panel:
    """One film moved into its cell: its traces and layout entries under their new names, its frames."""

    data: list[dict[str, Any]]
    axes: dict[str, dict[str, Any]]
    items: dict[str, list[dict[str, Any]]]
    animated: list[int]
    frames: list[list[dict[str, Any]]]
    labels: list[str]
    captions: list[str]


def _panel(part: dict[str, Any], cell: _Cell, names: _Renamer, first: bool) -> _Panel:
    layout = part["layout"]
    data = [_place_trace(t, names) for t in part.get("data", [])]
    for trace in data:
        if not first:  # one legend entry per series, for the first panel's
            trace["showlegend"] = False
        if "colorbar" in trace or trace.get("type") in ("heatmap", "contour", "histogram2d"):
            _place_colorbar(trace.setdefault("colorbar", {}), cell)
    axes: dict[str, dict[str, Any]] = {}
    for key, value in layout.items():
        m = _AXIS_KEY.match(key)
        if m:
            letter = m.group(1)
            axis = dict(value)
            lo, hi = axis.get("domain", [0.0, 1.0])
            axis["domain"] = [cell.at(letter, lo), cell.at(letter, hi)]
            for ref in ("anchor", "overlaying", "matches", "scaleanchor"):
                if isinstance(axis.get(ref), str) and axis[ref] != "free":
                    axis[ref] = names.axis(axis[ref], axis[ref][0])
            axes[_layout_key(names.axis(letter + m.group(2), letter))] = axis
        elif _COLORAXIS_KEY.match(key):
            axis = dict(value)
            _place_colorbar(axis.setdefault("colorbar", {}), cell)
            axes[names.coloraxis(key)] = axis
    for trace in data:  # an axis the film left to Plotly's defaults: in the cell, anchored to its partner
        for letter, partner in (("x", "yaxis"), ("y", "xaxis")):
            axis = axes.setdefault(_layout_key(trace[f"{letter}axis"]), {})
            axis.setdefault("anchor", trace[partner])
            axis.setdefault("domain", [cell.at(letter, 0.0), cell.at(letter, 1.0)])
    items = {k: [_place_item(i, cell, names) for i in layout.get(k, [])] for k in ("annotations", "shapes")}
    frames = part.get("frames") or []
    animated = list(frames[0].get("traces") or range(len(frames[0]["data"]))) if frames else []
    moved = [
        [_place_trace(t, names) if "xaxis" in t or "yaxis" in t else t for t in f.get("data", [])]
        for f in frames
    ]
    sliders = layout.get("sliders") or [{}]
    labels = [str(s.get("label", "")) for s in sliders[0].get("steps", [])]
    title = (layout.get("title") or {}).get("text", "")
    captions = [((f.get("layout") or {}).get("title") or {}).get("text", title) for f in frames] or [title]
    return _Panel(data, axes, items, animated, moved, labels, captions)


def _frame_of(i: int, count: int, length: int) -> int | None:
    """Which of a panel's ``count`` frames shows at frame ``i`` of ``length``: the same share of training."""
    if count == 0:
        return None
    return math.floor(i * (count - 1) / (length - 1) + 0.5) if length > 1 else count - 1  # halves up


def _label(name: str, caption: str) -> str:
    lines = textwrap.wrap(_BREAK.sub(" ", caption), CAPTION_CHARS)[:2]
    return "<br>".join([f"<b>{name}</b>", *lines]) if lines else f"<b>{name}</b>"


def small_multiples(films: Sequence[go.Figure], names: Sequence[str], title: str) -> go.Figure:
    """Several training films as one figure, a panel each, with one step slider and one Play button that
    move every panel together: frame ``i`` shows each film at the same share of its training.

    One Plotly figure rather than one per film, so that a single slider drives every panel in the
    browser (nothing goes back to the server) and the page's keyboard and reduced-motion support for
    films (pages.assistive ASSISTIVE_JS) applies unchanged. Each panel keeps its film's axes, colour axes,
    annotations and shapes, renamed into its cell; its label names the variant and says, frame by
    frame, what its film's own caption says then. ``title`` states the finding and leads every frame's
    title, which adds the training step shown.
    """
    parts = [f.to_plotly_json() for f in films]
    plot_px = max(
        200,
        max((p["layout"].get("height") or DEFAULT_HEIGHT) for p in parts) - PLAYER_HEIGHT - FIGURE_MARGIN_PX,
    )
    cells, total = _cells(len(parts), plot_px)
    panels: list[_Panel] = []
    counts, coloraxes = {"x": 0, "y": 0}, 0
    for part, cell in zip(parts, cells, strict=True):
        renamer = _Renamer(counts, coloraxes)
        panels.append(_panel(part, cell, renamer, first=not panels))
        counts, coloraxes = renamer.axes, renamer.coloraxes
    offsets = np.cumsum([0] + [len(p.data) for p in panels[:-1]])
    length = max(len(p.frames) for p in panels)
    shown = [[_frame_of(i, len(p.frames), length) for p in panels] for i in range(length)]
    labels = [
        dict(
            text=_label(name, p.captions[-1]),
            x=cell.x0,
            y=cell.y1,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            yshift=LABEL_SHIFT_PX,
            align="left",
            showarrow=False,
            font=dict(size=12),
        )
        for name, p, cell in zip(names, panels, cells, strict=True)
    ]
    layout: dict[str, Any] = {k: v for p in panels for k, v in p.axes.items()}
    layout["annotations"] = labels + [a for p in panels for a in p.items["annotations"]]
    layout["shapes"] = [s for p in panels for s in p.items["shapes"]]
    fig = go.Figure(data=[t for p in panels for t in p.data], layout=layout)
    base_layout(fig, title, height=round(total) + FIGURE_MARGIN_PX)
    fig.update_layout(margin=dict(l=max(p["layout"].get("margin", {}).get("l", 10) for p in parts)))
    if length < 2:
        return fig
    steps = _shared_steps(panels, shown)
    frames = [
        [t for p, j in zip(panels, at, strict=True) if j is not None for t in p.frames[j]] for at in shown
    ]
    animated = [int(o) + k for p, o in zip(panels, offsets, strict=True) for k in p.animated]
    titles = [f"{title} ({_at_step(s)})" for s in steps]
    animate(fig, frames, steps, traces=animated, titles=titles)
    if any(not s.isdigit() for s in steps):
        fig.layout.sliders[0].currentvalue.prefix = "Share of training "
    for frame, at in zip(fig.frames, shown, strict=True):
        frame.layout.annotations = [
            dict(text=_label(name, p.captions[j if j is not None else -1]))
            for name, p, j in zip(names, panels, at, strict=True)
        ]
    return fig


def _shared_steps(panels: Sequence[_Panel], shown: Sequence[Sequence[int | None]]) -> list[str]:
    """The slider's label for each frame: the training step when every panel shows the same one at every
    frame, else the share of training (variants that train for different numbers of steps)."""
    steps = []
    for at in shown:
        seen = {p.labels[j] for p, j in zip(panels, at, strict=True) if j is not None and j < len(p.labels)}
        steps.append(next(iter(seen)) if len(seen) == 1 else "")
    if all(s.isdigit() for s in steps) and len(set(steps)) == len(steps):
        return steps
    return [f"{round(100 * i / max(1, len(shown) - 1))}%" for i in range(len(shown))]


def _at_step(label: str) -> str:
    return f"step {label}" if label.isdigit() else f"{label} of training"


@by_result
def films(c: Comparison) -> go.Figure:
    """The view's main figure for every variant (its first seed: the run its own page shows), as small
    multiples played from one slider; built once per comparison and shared, so callers must not modify it."""
    exp = c.plan.exp
    title = f"{_headline(c)}: each variant's training, played in sync"
    if len(c.outcomes) == 1:  # one variant over seeds: a panel per seed, luck of the seed to see
        only = c.outcomes[0]
        parts = [exp.film(cfg, r) for cfg, r in zip(only.variant.configs, only.results, strict=True)]
        names = [f"Seed {cfg.seed}" for cfg in only.variant.configs]
        return small_multiples(parts, names, f"{_headline(c)}: each seed's training, played in sync")
    parts = [exp.film(o.variant.configs[0], o.results[0]) for o in c.outcomes]
    return small_multiples(parts, _names(c), title)


def _headline(c: Comparison) -> str:
    """The verdict in a title's few words: the best variant only where the verdict names it."""
    metric = c.plan.exp.metric.label
    metric = metric if metric[:2].isupper() else metric[:1].lower() + metric[1:]
    if len(c.outcomes) < 2:
        return f"One variant over {len(c.outcomes[0].results)} seed(s)"
    if c.verdict.holds:
        best = ranked(c.plan.exp, c.outcomes)[0]
        return f"{name_of(c.plan.exp, best.variant.settings)} is best on {metric} beyond seed noise"
    if any(o.spread.has_interval for o in c.outcomes):
        return f"The variants tie on {metric} within seed noise"
    return f"One seed each, so no variant is named best on {metric}"


COMPARISON_FILE = "comparison.json"
VARIANTS_DIR = "variants"


def bundle(c: Comparison, link: str, run_link: Callable[[Any], str]) -> dict[str, bytes]:
    """What a comparison's Download and ``--export`` write: one HTML page (the metric per variant under the
    verdict, the loss bands and the films played in sync), ``comparison.json`` (the variants, their
    metric over seeds and the verdict, as ``--json`` prints them), and each run's own data, settings,
    weights and reproduce.py under ``variants/<n>-<variant>/seed-<seed>/``.

    ``link`` restores the comparison; ``run_link(cfg)`` is one run's own page. A run's files leave out its
    HTML page: every figure of it would embed Plotly again, and the comparison's page shows its film.
    """
    exp = c.plan.exp
    page_cfg = c.plan.variants[0].configs[0]
    settings = {**cfgmod.as_dict(page_cfg), **c.plan.request.link(exp)}
    metrics = {
        f"{name}: {exp.metric.name} mean": o.spread.mean
        for name, o in zip(_names(c), c.outcomes, strict=True)
    }
    figures = {
        c.verdict.text: metric_points(c),
        "Training loss of every variant": loss_bands(c),
        "The training films, played in sync": films(c),
    }
    page = export.standalone_html(f"{exp.title}: a comparison", settings, link, metrics, figures)
    files = {
        export.PAGE_FILE: page.encode(),
        COMPARISON_FILE: json.dumps(
            jsonable({"experiment": exp.name, "link": link, "settings": settings, **c.json()}), indent=2
        ).encode(),
    }
    for n, (name, o) in enumerate(zip(_names(c), c.outcomes, strict=True), start=1):
        for cfg, res in zip(o.variant.configs, o.results, strict=True):
            own = dataclasses.replace(exp.export(cfg, res), figures={})
            run = export.bundle(exp.title, cfgmod.as_dict(cfg), exp.full_report(cfg, res), own, run_link(cfg))
            folder = f"{VARIANTS_DIR}/{n}-{file_stem(name).replace(' ', '-')}/seed-{cfg.seed}"
            files.update({f"{folder}/{k}": v for k, v in run.items() if k != export.PAGE_FILE})
    return files
