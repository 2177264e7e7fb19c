"""An exported view opens from disk, offline, in real headless Chromium, with its figures drawn; the app's
Download menu gives the same export, each figure as SVG included."""

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from rnnviz.cli import main
from rnnviz.core import export
from tests.browser_support import BROWSER_TESTS, open_trained

pytestmark = BROWSER_TESTS

COUNT_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .map(g => g._fullData ? g._fullData.length : 0)"""


def test_an_exported_page_draws_every_figure_from_disk_without_the_network(page, tmp_path: Path):
    assert main(["unroll", "--train-steps", "20", "--export", str(tmp_path)]) == 0
    page_file = tmp_path / "index.html"
    figures = page_file.read_text().count('class="plotly-graph-div"')
    assert figures >= 3
    fetched = []
    offline = page.context.new_page()
    offline.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file:")
            else (fetched.append(route.request.url), route.abort())
        ),
    )
    offline.goto(page_file.as_uri())
    offline.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot').length === {figures}", timeout=30_000
    )
    traces = offline.evaluate(COUNT_JS)
    text = offline.inner_text("body")
    offline.close()
    assert fetched == [], "the page asked the network for something"
    assert len(traces) == figures and all(n > 0 for n in traces)
    assert "loss_after_training" in text and "Settings" in text


def test_the_download_menu_zips_each_figure_as_svg_beside_the_data(page, tmp_path: Path):
    """The app's own Download button, clicked in a browser: the zip is built on the click (Streamlit calls
    the builder then), and it holds one SVG per figure of the page it saves, each an SVG document."""
    open_trained(page, f"{page.base}/unroll?train_steps=20")
    page.locator('[data-testid="stPopoverButton"]').filter(has_text="Download").click()
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button")
    with page.expect_download(timeout=180_000) as download:
        button.click()
    saved = tmp_path / "view.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        index = archive.read(next(n for n in names if n.endswith(f"/{export.PAGE_FILE}"))).decode()
        svgs = [n for n in names if f"/{export.FIGURES_DIR}/" in n and n.endswith(".svg")]
        assert len(svgs) == index.count("<section>") >= 6, "one SVG per figure"
        assert any(f"/{export.DATA_DIR}/" in n and n.endswith(".csv") for n in names)
        for name in svgs:
            assert ET.fromstring(archive.read(name)).tag == "{http://www.w3.org/2000/svg}svg"
