"""Figures readable without telling red from green: every diverging heatmap keeps its sign and its size
apart under simulated deuteranopia and protanopia, gate colours stay distinct, and no two series of a
figure differ by colour alone. Checked on every view's own figures (its smoke settings)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import plotly.graph_objects as go
import pytest
from colorspacious import cspace_convert
from plotly.colors import get_colorscale, hex_to_rgb, sample_colorscale, unlabel_rgb

from rnnviz.core.figures import figure_tables, file_stem, text_alternative
from rnnviz.core.style import (
    GATE_COLORS,
    LINE_DASHES,
    MARKER_SYMBOLS,
    OKABE_ITO,
    SIGNED_SCALE,
    UNIT_SCALE,
    colour_not_alone,
)
from rnnviz.views import views
from tests.trained import trained

SIMULATED = ("deuteranomaly", "protanomaly")
"""colorspacious's red-green deficiencies; at severity 100 they are deuteranopia and protanopia."""
SIGN_APART = 15.0
"""Least CAM02-UCS distance between a value and its negative (|v| >= 0.25): clearly two colours."""
GATES_APART = 10.0
"""Least CAM02-UCS distance between two gates' colours in one cell's figure."""
MAGNITUDES = (0.25, 0.5, 0.75, 1.0)


def _rgb(colour: str) -> np.ndarray:
    values = unlabel_rgb(colour) if colour.startswith("rgb") else hex_to_rgb(colour)
    return np.asarray(values[:3], dtype=float) / 255


def seen(colours: list[str], deficiency: str | None) -> np.ndarray:
    """The colours as a reader with ``deficiency`` (None: typical vision) sees them, in CAM02-UCS."""
    rgb = np.array([_rgb(c) for c in colours])
    if deficiency is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def diverging_problems(scale: str | list, deficiency: str) -> list[str]:
    """What a reader with ``deficiency`` cannot read off a diverging scale drawn over [-1, 1]: a value
    that looks like its negative, or a larger value that does not look further from zero."""
    colours = get_colorscale(scale) if isinstance(scale, str) else scale
    at = lambda v: sample_colorscale(colours, [(v + 1) / 2])[0]  # noqa: E731
    problems = []
    for m in MAGNITUDES:
        gap = float(np.linalg.norm(np.subtract(*seen([at(-m), at(m)], deficiency))))
        if gap < SIGN_APART:
            problems.append(f"-{m} and +{m} are {gap:.1f} apart")
    centre = seen([at(0.0)], deficiency)[0]
    for sign in (-1, 1):
        ramp = seen([at(sign * m) for m in np.linspace(0.1, 1, 10)], deficiency)
        distance = np.linalg.norm(ramp - centre, axis=1)
        if np.any(np.diff(distance) <= 0):
            problems.append(f"{'negative' if sign < 0 else 'positive'} values do not grow away from zero")
    return problems


@pytest.mark.parametrize("deficiency", SIMULATED)
def test_the_signed_scale_keeps_sign_and_size_under_red_green_deficiency(deficiency):
    assert diverging_problems(SIGNED_SCALE, deficiency) == []


@pytest.mark.parametrize("deficiency", SIMULATED)
def test_a_red_green_scale_fails_the_same_check(deficiency):
    assert diverging_problems("RdYlGn", deficiency)


@pytest.mark.parametrize("deficiency", SIMULATED)
def test_the_unit_scale_stays_one_ramp_from_dark_to_light(deficiency):
    colours = sample_colorscale(get_colorscale(UNIT_SCALE), list(np.linspace(0, 1, 11)))
    lightness = seen(colours, deficiency)[:, 0]
    assert np.all(np.diff(lightness) > 0)


@pytest.mark.parametrize("deficiency", [None, *SIMULATED])
@pytest.mark.parametrize("gates", ["ifgo", "rzn"], ids=["lstm", "gru"])
def test_a_cells_gate_colours_stay_apart(gates, deficiency):
    points = seen([GATE_COLORS[g] for g in gates], deficiency)
    gaps = [np.linalg.norm(points[i] - points[j]) for i in range(len(points)) for j in range(i)]
    assert min(gaps) >= GATES_APART


def test_every_palette_colour_has_its_own_dash_and_marker():
    assert len(set(LINE_DASHES.values())) == len(LINE_DASHES)
    assert len(set(MARKER_SYMBOLS.values())) == len(MARKER_SYMBOLS)


def every_figure() -> Iterator[tuple[str, go.Figure]]:
    """Every figure every view exports for its smoke settings, named ``view: title``."""
    for view in views():
        exp = view.experiment
        cfg = exp.smoke_config()
        for title, fig in exp.export(cfg, trained(exp, cfg)).figures.items():
            yield f"{view.slug}: {title}", fig


@pytest.fixture(scope="module")
def figures() -> list[tuple[str, go.Figure]]:
    return list(every_figure())


def _look(trace: go.Scatter) -> tuple:
    """Everything but colour that tells a series apart: how it is drawn, its dash, its marker."""
    mode = trace.mode or "lines"
    return (
        mode,
        trace.line.dash if "lines" in mode else None,
        trace.marker.symbol if "markers" in mode else None,
        trace.fill,
    )


def colour_alone(fig: go.Figure) -> list[str]:
    """Pairs of legend series on the same axes that differ in colour and in nothing else."""
    series: dict[tuple, list[go.Scatter]] = {}
    for trace in fig.data:
        if isinstance(trace, go.Scatter) and trace.showlegend is not False and trace.name:
            series.setdefault((trace.xaxis, trace.yaxis), []).append(trace)
    pairs = []
    for traces in series.values():
        for i, a in enumerate(traces):
            for b in traces[:i]:
                colours = (a.line.color or a.marker.color, b.line.color or b.marker.color)
                if colours[0] != colours[1] and _look(a) == _look(b):
                    pairs.append(f"{b.name} / {a.name}")
    return pairs


def test_no_two_series_differ_by_colour_alone(figures):
    assert {name: pairs for name, fig in figures if (pairs := colour_alone(fig))} == {}


def test_every_diverging_heatmap_is_readable_under_red_green_deficiency(figures):
    problems = {}
    for name, fig in figures:
        for trace in fig.data:
            if (
                isinstance(trace, go.Heatmap)
                and trace.zmid is not None
                or (
                    isinstance(trace, go.Heatmap)
                    and trace.zmin is not None
                    and trace.zmin == -(trace.zmax or 0) != 0
                )
            ):
                scale = [list(stop) for stop in trace.colorscale]
                for deficiency in SIMULATED:
                    if found := diverging_problems(scale, deficiency):
                        problems[f"{name} ({deficiency})"] = found
    assert problems == {}


def test_every_figure_has_a_sentence_a_file_name_and_its_numbers(figures):
    missing = {}
    for name, fig in figures:
        sentence, tables = text_alternative(fig), figure_tables(fig)
        if len(sentence) < 12 or file_stem(sentence) == "figure" or not tables:
            missing[name] = (sentence, list(tables))
    assert missing == {}


def test_colour_not_alone_tells_apart_two_lines_a_view_drew_alike():
    fig = go.Figure(
        [
            go.Scatter(y=[1, 2], name="a", line=dict(color=OKABE_ITO["blue"], dash="dot")),
            go.Scatter(y=[2, 1], name="b", line=dict(color=OKABE_ITO["orange"], dash="dot")),
        ]
    )
    assert colour_alone(fig) == ["a / b"]
    assert colour_alone(colour_not_alone(fig)) == []
    assert fig.data[0].line.dash == "dot"  # the first keeps what the view chose


def test_figure_tables_read_a_line_by_its_axes_and_a_heatmap_as_a_grid():
    line = go.Figure(go.Scatter(x=[1, 2], y=[0.5, 0.25], name="loss"))
    line.update_layout(xaxis_title="training step", yaxis_title="loss <i>(nats)</i>")
    grid = go.Figure(go.Heatmap(z=[[1, 2, 3], [4, 5, 6]], x=["a", "b", "c"], y=["u0", "u1"], name="h"))
    assert figure_tables(line)["loss"].to_dict("list") == {
        "training step": [1, 2],
        "loss (nats)": [0.5, 0.25],
    }
    assert figure_tables(grid)["h"].loc["u1", "c"] == 6
