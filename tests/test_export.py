"""Every view offers a download built from its cached result; the core bundle's parts, checked."""

import json

import pandas as pd
import plotly.graph_objects as go

from rnnviz.core import export


def test_the_bundle_holds_an_offline_page_the_data_and_the_settings():
    figure = go.Figure(go.Scatter(y=[1, 2, 3]))
    table = pd.DataFrame({"step (t)": [1, 2], "loss (nats)": [0.5, 0.25]})
    bundle = export.bundle(
        "Demo",
        {"seed": 3},
        {"metrics": {"loss": 0.25, "steps": 2, "flag": True}},
        export.Export(figures={"A <b>finding</b>": figure}, tables={"loss": table}),
        "http://localhost:8501/demo?seed=3",
    )
    page = bundle[export.PAGE_FILE].decode()
    assert page.count("<script") >= 2 and 'src="http' not in page  # plotly.js embedded, nothing fetched
    assert "A &lt;b&gt;finding&lt;/b&gt;" in page and "0.25" in page and "seed" in page
    assert bundle["data/loss.csv"].decode().splitlines()[0] == "step (t),loss (nats)"
    settings = json.loads(bundle[export.SETTINGS_FILE])
    assert settings["settings"] == {"seed": 3} and settings["metrics"]["steps"] == 2
    assert export.WEIGHTS_FILE not in bundle and export.SCRIPT_FILE not in bundle
