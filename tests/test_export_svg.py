"""Every export holds each figure as an SVG file, drawn by kaleido in the machine's Chromium: the same
bytes for the same figure, a film drawn as its last frame without its player, and the page linking each
file; when the SVGs cannot be drawn the export still holds everything else and its page says why."""

import asyncio
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import pytest

from rnnviz.cli import main
from rnnviz.core import export
from rnnviz.core.figures import PLAYER_HEIGHT, animate
from tests.browser_support import BROWSER_TESTS

pytestmark = BROWSER_TESTS

SVG_NS = "{http://www.w3.org/2000/svg}"


def film() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 2, 1], name="loss"))
    fig.update_layout(title="Loss fell from 3 to 1", height=300)
    return animate(
        fig, [[go.Scatter(x=[1, 2, 3], y=[3, 3, 3])], [go.Scatter(x=[1, 2, 3], y=[3, 2, 1])]], ["0", "1"]
    )


def parsed(svg: bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return root


@pytest.fixture
def svg_on(monkeypatch):
    monkeypatch.delenv(export.SVG_SWITCH, raising=False)


def test_each_figure_is_an_svg_with_its_title_and_text_alternative_and_the_same_bytes_twice(svg_on):
    figures = {
        "Loss <b>through</b> training": film(),
        "Weights": go.Figure(go.Heatmap(z=[[0.5, -1.0], [1.0, 0.0]]), layout=dict(title="W_hh: radius 0.9")),
    }

    async def in_a_notebook():  # a Jupyter kernel runs an event loop: drawing must not need its own
        return export.figure_svgs(figures)

    first, second = export.figure_svgs(figures), asyncio.run(in_a_notebook())
    assert first.missing is None, first.missing
    assert first.names == {
        "Loss <b>through</b> training": "Loss through training.svg",
        "Weights": "Weights.svg",
    }
    assert dict(first.files) == dict(second.files)  # byte for byte: Plotly's random ids are fixed
    loss, weights = (parsed(first.files[name]) for name in first.names.values())
    assert loss.find(f"{SVG_NS}title").text == "Loss through training"
    assert loss.find(f"{SVG_NS}desc").text == "Loss fell from 3 to 1."
    assert weights.get("role") == "img" and weights.find(f"{SVG_NS}desc").text == "W_hh: radius 0.9."
    svg = first.files["Loss through training.svg"].decode()
    assert "slider" not in svg and "updatemenu" not in svg, "a still image has no player"
    assert int(loss.get("height")) == figures["Loss <b>through</b> training"].layout.height - PLAYER_HEIGHT
    assert int(loss.get("width")) == export.SVG_WIDTH
    assert 'clip-path="url(#clipfig0xyplot)"' in svg, "Plotly's random drawing id replaced by a fixed one"


def test_the_unroll_export_writes_one_svg_per_figure_and_its_page_links_them(svg_on, tmp_path: Path):
    assert main(["unroll", "--train-steps", "20", "--export", str(tmp_path)]) == 0
    svgs = sorted((tmp_path / export.FIGURES_DIR).glob("*.svg"))
    page = (tmp_path / export.PAGE_FILE).read_text()
    sections = page.count("<section>")
    assert len(svgs) == sections >= 6, "one SVG per figure on the page"
    for path in svgs:
        root = parsed(path.read_bytes())
        assert root.find(f"{SVG_NS}title").text and root.find(f"{SVG_NS}desc").text
        assert f'href="{export.FIGURES_DIR}/{quote(path.name)}"' in page
    titles = [html.unescape(t) for t in re.findall(r"<section><h2>(.*?)</h2>", page)]
    assert {p.name for p in svgs} == set(export.svg_names(titles).values())
    csvs = sorted((tmp_path / export.DATA_DIR).glob("*.csv"))
    assert len(csvs) >= 4 and all(p.stat().st_size > 0 for p in csvs), "the figures' data stays beside them"
    assert "No SVG" not in page


def test_the_download_zip_holds_the_svgs_beside_the_csvs(svg_on):
    figure = go.Figure(go.Scatter(y=[1, 2, 3]), layout=dict(title="Rises"))
    files = export.bundle(
        "Demo",
        {"seed": 3},
        {"metrics": {}},
        export.Export(figures={"Rise": figure}, tables={"rise": pd.DataFrame({"step (t)": [1, 2, 3]})}),
        "http://localhost/demo",
    )
    with zipfile.ZipFile(io.BytesIO(export.zip_bytes(files, "rnnviz-demo"))) as archive:
        names = set(archive.namelist())
        assert {"rnnviz-demo/figures/Rise.svg", "rnnviz-demo/data/rise.csv"} <= names
        parsed(archive.read("rnnviz-demo/figures/Rise.svg"))
