"""A figure is encoded for the browser once, and what is sent is the figure itself."""

import gc
import json

import plotly.graph_objects as go
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from pages import ui


def _figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0], name="loss"))
    fig.update_layout(title="Loss falls", xaxis_title="step", yaxis_title="loss (nats)")
    return fig


def _page() -> None:
    import plotly.graph_objects as go

    from pages.ui import chart

    chart(
        go.Figure(
            go.Scatter(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0], name="loss"), layout={"title": "Loss falls"}
        )
    )


def test_a_figure_is_encoded_once_while_it_lives():
    fig = _figure()
    first = ui._encoded(fig)
    assert ui._encoded(fig) is first
    assert first.to_dict() == fig.to_dict()
    key = id(fig)
    del fig, first
    gc.collect()
    assert key not in ui._ENCODED


def test_the_chart_sent_is_the_figure():
    at = AppTest.from_function(_page).run()
    (sent,) = at.get("plotly_chart")
    fig = go.Figure(
        go.Scatter(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0], name="loss"), layout={"title": "Loss falls"}
    )
    assert json.loads(sent.proto.spec) == json.loads(pio.to_json(fig, validate=False))
