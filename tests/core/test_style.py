"""The shared look: base_layout gives the layout Plotly's own update would, for less."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.figures import animate
from rnnviz.core.style import (
    LEGEND_ROW_PX,
    SUBPLOT_TITLE_PX,
    TITLE_LINE_CHARS,
    TITLE_LINE_PX,
    base_layout,
    has_subplot_titles,
    legend_width_px,
    shared_look,
    top_margin,
    wrapped_title,
)


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


def test_a_long_title_breaks_after_a_clause_and_short_ones_stay_whole():
    title = (
        "Without clipping, training diverged at step 30 (gradient norm up to 4.9e+18); "
        "clipped at 1, it stayed finite for all 100 steps"
    )
    assert wrapped_title(title) == (
        "Without clipping, training diverged at step 30 (gradient norm up to 4.9e+18);<br>"
        "clipped at 1, it stayed finite for all 100 steps"
    )
    words = " ".join(["word"] * 40)
    assert all(len(line) <= TITLE_LINE_CHARS for line in wrapped_title(words).split("<br>"))
    assert wrapped_title("Loss fell: 2.57 at the start") == "Loss fell: 2.57 at the start"
    assert wrapped_title("<b>" + words + "</b>") == "<b>" + words + "</b>"
    assert "<br>" in base_layout(go.Figure(), title).layout.title.text


def test_a_films_frame_titles_are_broken_like_its_title_and_the_margin_fits_the_longest():
    long = "Held-out answers at step 0: loss vs chance RNN 102%, LSTM 49%, GRU 100%. Remembered answers lie on it"
    fig = base_layout(go.Figure(go.Scatter(y=[1, 2])), "Short", height=300)
    film = animate(fig, [[go.Scatter(y=[2, 1])], [go.Scatter(y=[1, 2])]], ["0", "1"], titles=[long, "Short"])
    assert film.frames[0].layout.title.text == wrapped_title(long) != long
    assert film.layout.margin.t == top_margin(wrapped_title(long)) > top_margin("Short")


def test_panels_titles_get_room_under_the_title_and_push_the_legend_below():
    panels = make_subplots(rows=1, cols=2, subplot_titles=("network", "AR"))
    panels.add_scatter(y=[1, 2], name="truth", row=1, col=1)
    panels.add_scatter(y=[2, 1], name="forecast", row=1, col=2)
    plain = go.Figure([go.Scatter(y=[1, 2], name="truth"), go.Scatter(y=[2, 1], name="forecast")])
    assert has_subplot_titles(panels) and not has_subplot_titles(plain)
    laid, flat = base_layout(panels, "A finding").layout, base_layout(plain, "A finding").layout
    assert laid.margin.t == flat.margin.t + SUBPLOT_TITLE_PX
    assert laid.legend.y < 0 < flat.legend.y


def test_a_films_legend_that_would_go_below_goes_beside_the_plot_where_the_player_is_not():
    names = ["Vanilla RNN (tanh)", "LSTM", "GRU", "bound (‖W_hh‖·max|φ'|)^k = 1.09^k", "one more long name"]
    fig = base_layout(go.Figure([go.Scatter(y=[1, 2], name=n) for n in names]), "Step 50", height=360)
    assert fig.layout.legend.yanchor == "top" and fig.layout.legend.y < 0
    film = animate(fig, [list(fig.data), list(fig.data)], ["0", "50"])
    assert film.layout.legend.x > 1 and film.layout.legend.orientation == "v"


def test_a_films_legend_above_moves_beside_the_plot_when_a_frame_title_takes_two_lines():
    fig = base_layout(go.Figure([go.Scatter(y=[1, 2], name="a"), go.Scatter(y=[2, 1], name="b")]), "Short")
    assert fig.layout.legend.y == 1
    long = "Tokens right on held-out examples: 97% with attention, 10% through the bottleneck (step 300, loss 2.31)"
    film = animate(fig, [list(fig.data), list(fig.data)], ["0", "300"], titles=["Short", long])
    assert film.layout.legend.x > 1 and "<br>" in film.layout.title.text
