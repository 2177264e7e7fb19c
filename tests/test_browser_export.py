"""An exported view opens from disk, offline, in real headless Chromium, with its figures drawn."""

from pathlib import Path

from rnnviz.cli import main
from tests.browser_support import BROWSER_TESTS, chromium

pytestmark = BROWSER_TESTS

COUNT_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .map(g => g._fullData ? g._fullData.length : 0)"""


def test_an_exported_page_draws_every_figure_from_disk_without_the_network(tmp_path: Path):
    assert main(["unroll", "--train-steps", "20", "--export", str(tmp_path)]) == 0
    page_file = tmp_path / "index.html"
    figures = page_file.read_text().count('class="plotly-graph-div"')
    assert figures >= 3
    fetched = []
    with chromium() as browser:
        page = browser.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else (fetched.append(route.request.url), route.abort())
            ),
        )
        page.goto(page_file.as_uri())
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot').length === {figures}", timeout=30_000
        )
        traces = page.evaluate(COUNT_JS)
        text = page.inner_text("body")
    assert fetched == [], "the page asked the network for something"
    assert len(traces) == figures and all(n > 0 for n in traces)
    assert "loss_after_training" in text and "Settings" in text
