"""The shared look: base_layout gives the layout Plotly's own update would, for less."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.style import LEGEND_ROW_PX, TITLE_LINE_PX, base_layout, legend_width_px, shared_look


def _figure() -> go.Figure:
    """Two panels, and layout parts a view set before the shared look: they must survive it."""
    fig = make_subplots(rows=1, cols=2)
    fig.add_scatter(x=[0, 1], y=[1, 2], name="a", row=1, col=1)
    fig.add_scatter(x=[0, 1], y=[2, 1], name="b", row=1, col=2)
    fig.update_layout(
        legend=dict(traceorder="reversed"), title=dict(subtitle=dict(text="kept")), margin=dict(pad=3)
    )
    return fig


def test_base_layout_merges_like_update_layout_on_every_axis():
    ours = base_layout(_figure(), "A finding", height=300, x="step", y="loss")
    plotly = _figure()
    plotly.update_layout(**shared_look("A finding"), height=300)
    plotly.update_xaxes(title_text="step")
    plotly.update_yaxes(title_text="loss")
    assert ours.layout.to_plotly_json() == plotly.layout.to_plotly_json()
    assert ours.layout.legend.traceorder == "reversed" and ours.layout.title.subtitle.text == "kept"
    assert ours.layout.margin.pad == 3 and ours.layout.xaxis2.title.text == "step"


def test_a_legend_too_long_for_one_row_goes_below_the_plot_not_over_the_title():
    short = go.Figure([go.Scatter(y=[1, 2], name="truth"), go.Scatter(y=[2, 1], name="forecast")])
    assert base_layout(short, "Short", height=340).layout.legend.y == 1.0
    names = ["last training values", "truth", "forecast (free running)", "95% interval", "80% interval"]
    long = go.Figure([go.Scatter(y=[1, 2], name=name) for name in names])
    legend = base_layout(long, "Long", height=340, x="time").layout.legend
    assert legend.yanchor == "top" and -0.5 < legend.y < -0.2 and legend.xanchor == "left"
    assert legend_width_px(names) > LEGEND_ROW_PX >= legend_width_px(["truth", "forecast"])


def test_a_title_of_two_lines_gets_a_line_more_room_and_its_legend_goes_below():
    two = [go.Scatter(y=[1, 2], name="carried"), go.Scatter(y=[2, 1], name="zero")]
    one = base_layout(go.Figure(two), "One line", height=340).layout
    both = base_layout(go.Figure(two), "First line,<br>second line", height=340).layout
    assert one.legend.y == 1.0 and both.legend.yanchor == "top" and both.legend.y < 0
    assert both.margin.t == one.margin.t + TITLE_LINE_PX
