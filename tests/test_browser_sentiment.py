"""The sentiment page in real headless Chromium: Train on a small link, every chart and table drawn,
and the hidden-state map's training film plays, its points moving between the first and last frames."""

import pytest

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    FILM_JS,
    FINISHED_JS,
    assert_accessible,
    first_and_last_frames,
    open_trained,
    show_frame_js,
    stored,
)

pytestmark = BROWSER_TESTS

SMALL = "embedding=8&hidden=8&epochs=1&projection=pca"
"""One epoch of a tiny network on the full corpus (a few seconds); PCA, so no t-SNE wait."""
FILM = "test sentences classified right"
"""What the film's title says at every frame."""

THE_FILM = f"() => ({FILM_JS})('{FILM}')"
POINTS = "{title: g.layout.title.text, x: [...g._fullData[0].x], y: [...g._fullData[1].y]}"


@pytest.fixture(scope="module", autouse=True)
def _trained(page):
    """The module's tests look at one page: sentiment trained on the small link, its film drawn."""
    stored(f"sentiment?{SMALL}")
    open_trained(page, f"{page.base}/sentiment?{SMALL}", timeout_s=180)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    page.wait_for_function(FINISHED_JS, timeout=180_000, polling=100)
    page.wait_for_function(f"() => !!({THE_FILM})()", timeout=60_000)


def test_trained_page_draws_everything_and_is_accessible(page):
    assert_accessible(page)
    assert page.locator(".js-plotly-plot").count() >= 7
    text = page.inner_text('[data-testid="stMain"]')
    assert "Test accuracy" in text and "Watch the clouds form" in text
    assert "Inside the hidden space" in text and "Nearest neighbours" in text  # the parts to pick


def test_first_and_last_frames_place_the_sentences_differently(page):
    first, last = first_and_last_frames(page, FILM, POINTS)
    assert "at step 0" in first["title"] and "at step 0" not in last["title"]
    assert len(first["x"]) == len(last["x"]) > 0
    assert first["x"] != last["x"] and first["y"] != last["y"]


def test_play_runs_the_film_from_the_untrained_network(page):
    page.evaluate(show_frame_js(POINTS), [FILM, "0"])
    films = page.locator('[data-testid="stPlotlyChart"]', has_text=FILM)  # the live map has no player
    chart = films.filter(has_text="▶ Play").first
    chart.get_by_text("▶ Play").click()
    page.wait_for_function(
        f"() => !({THE_FILM})().layout.title.text.includes('at step 0,')", timeout=30_000, polling=100
    )
    assert page.evaluate(EXCEPTIONS_JS) == []
