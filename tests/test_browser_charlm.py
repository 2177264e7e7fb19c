"""The character model page in real headless Chromium: Train, then scrub the training film back to step 0."""

import os

import pytest

from tests.browser_support import (
    EXCEPTIONS_JS,
    chromium,
    open_and_wait,
    streamlit_server,
    wait_until_finished,
)

pytestmark = pytest.mark.browser

if not os.path.exists("/usr/bin/chromium"):
    pytest.skip("needs Debian's chromium (make browser)", allow_module_level=True)

FAST = "corpus=dialogue&hidden=16&train_steps=60&seq_len=16"

FILM_JS = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1);
  if (!gd) return null;
  return {title: gd.layout.title.text, z: JSON.stringify(gd.data[1].z), sample: JSON.stringify(gd.data[0].text),
          frames: gd._transitionData._frames.length};
}"""


@pytest.fixture(scope="module")
def page():
    with streamlit_server() as (base, _), chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.base = base
        yield pg


def test_train_then_scrub_the_film_to_the_untrained_model(page):
    open_and_wait(page, f"{page.base}/charlm?{FAST}", timeout_s=180)
    assert "wins on the held-out text" not in page.inner_text('[data-testid="stMain"]')
    page.get_by_test_id("stBaseButton-primary").click()
    page.wait_for_timeout(300)
    wait_until_finished(page, timeout_s=300)
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert "wins on the held-out text" in page.inner_text('[data-testid="stMain"]')
    last = page.evaluate(FILM_JS)
    assert last is not None and last["frames"] >= 10 and "step 60" in last["title"]
    grip = page.locator(".slider-grip-rect").first
    grip.scroll_into_view_if_needed()
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    start = grip.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] - 20, start["y"] + start["height"] / 2, steps=10)  # drag back to step 0
    page.mouse.up()
    page.wait_for_timeout(800)
    first = page.evaluate(FILM_JS)
    assert "step 0" in first["title"]
    assert first["z"] != last["z"] and first["sample"] != last["sample"]
    assert page.evaluate(EXCEPTIONS_JS) == []
