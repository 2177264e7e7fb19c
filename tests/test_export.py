"""Every view offers a download built from its cached result; the core bundle's parts, checked."""

import asyncio
import json
import sys

import pandas as pd
import plotly.graph_objects as go

from rnnviz.core import export


def test_the_bundle_holds_an_offline_page_the_data_and_the_settings(monkeypatch):
    monkeypatch.setenv(export.SVG_SWITCH, "0")  # the SVGs have their own tests (tests/test_export_svg.py)
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
    assert not any(name.startswith(export.FIGURES_DIR) for name in bundle)
    assert f"No SVG figures in this export:</strong> they were turned off ({export.SVG_SWITCH}=0)" in page


def test_without_a_browser_the_export_says_why_and_keeps_the_rest(monkeypatch):
    monkeypatch.delenv(export.SVG_SWITCH, raising=False)
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    figure = go.Figure(go.Scatter(y=[1, 2, 3]))
    table = pd.DataFrame({"step (t)": [1, 2, 3]})
    files = export.bundle(
        "Demo",
        {},
        {"metrics": {}},
        export.Export(figures={"Rise": figure}, tables={"rise": table}),
        "http://x",
    )
    assert "data/rise.csv" in files and not any(name.startswith(export.FIGURES_DIR) for name in files)
    page = files[export.PAGE_FILE].decode()
    assert "No SVG figures in this export" in page and "no Chrome or Chromium was found" in page


def test_a_browser_that_never_answers_costs_the_export_its_svgs_not_the_process(monkeypatch):
    async def hang(specs):
        await asyncio.Event().wait()

    monkeypatch.delenv(export.SVG_SWITCH, raising=False)
    monkeypatch.setattr(export, "_render", hang)
    monkeypatch.setattr(export, "SVG_DEADLINE_S", 0.5)
    svgs = export.figure_svgs({"Rise": go.Figure(go.Scatter(y=[1, 2]))})
    assert svgs.files == {} and "did not finish within 0.5 s" in svgs.missing


def test_without_kaleido_the_export_names_what_installs_it(monkeypatch):
    monkeypatch.delenv(export.SVG_SWITCH, raising=False)
    monkeypatch.setitem(sys.modules, "kaleido", None)
    monkeypatch.setitem(sys.modules, "kaleido.errors", None)
    svgs = export.figure_svgs({"Rise": go.Figure(go.Scatter(y=[1, 2]))})
    assert svgs.files == {} and "kaleido" in svgs.missing and export.SVG_INSTALL in svgs.missing


def test_svg_file_names_are_the_titles_words_and_never_collide():
    names = export.svg_names(["Loss <b>fell</b>", "Loss fell", "W_hh: radius 0.9"])
    assert list(names.values()) == ["Loss fell.svg", "Loss fell 2.svg", "W_hh radius 0.9.svg"]
