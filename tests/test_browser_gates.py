"""The gates page in real headless Chromium: the training film plays in the browser, and the gate heatmap
it shows at the first snapshot differs from the trained network's, which it ends on."""

import json

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    near_the_end,
    open_and_wait,
)

pytestmark = BROWSER_TESTS
VIEWPORT = {"width": 1400, "height": 3200}
"""Tall enough that the gate grid, below the headline claim, is drawn (figures off screen are not)."""

FILM_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(gd => gd.layout && gd.layout.sliders && gd.layout.sliders.length)
  .map(gd => JSON.stringify([gd.data[0].z, gd.layout.title.text]))"""
"""Each film on the page: its first heatmap's values and its title, as they are drawn right now."""
TITLE_JS = """[...document.querySelectorAll('.js-plotly-plot')]
  .find(gd => gd.layout && gd.layout.sliders && gd.layout.sliders.length).layout.title.text"""


def _grid(page) -> tuple[list, str]:
    return json.loads(page.evaluate(FILM_JS)[0])


def test_playing_the_film_changes_the_gates_and_ends_on_the_trained_network(page):
    open_and_wait(page, f"{page.base}/gates?train_steps=100&hidden=4", timeout_s=180)
    assert page.evaluate(EXCEPTIONS_JS) == []
    page.wait_for_function(f"() => ({FILM_JS})().length > 0", timeout=60_000)  # drawn after the run
    assert_accessible(page)
    assert len(page.evaluate(FILM_JS)) == 1  # the gate grid; the saturation film is in its own part
    trained, title = _grid(page)
    assert "step 100" in title
    film = page.locator(".js-plotly-plot").filter(has=page.locator(".slider-container")).first
    film.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => !({TITLE_JS}).includes('step 100,')", timeout=10_000, polling=20)
    film.locator(".updatemenu-button", has_text="Pause").click()
    early, early_title = _grid(page)
    assert "step 100," not in early_title and early != trained  # an early snapshot: other gate values
    near_the_end(film)
    film.locator(".updatemenu-button", has_text="Play").click()  # on from there to the end
    page.wait_for_function(f"() => ({TITLE_JS}).includes('step 100,')", timeout=30_000, polling=50)
    page.wait_for_timeout(500)
    last, _ = _grid(page)
    assert last == trained
    assert page.evaluate(EXCEPTIONS_JS) == []
