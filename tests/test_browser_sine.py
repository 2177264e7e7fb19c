"""The sine page in real headless Chromium: the forecast film plays in the browser, its first and last
frames draw different forecasts, and the CO₂ page draws its baselines."""

import pytest

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    first_and_last_frames,
    open_and_wait,
    open_with_films,
    play_film,
    stored,
)

pytestmark = BROWSER_TESTS

FILM = "steps fed back"
"""Words in the film's title at every frame."""

LINK = "sine?epochs=60"
CO2 = "sine?signal=co2"
"""The CO₂ default: the model tests/views/sine/test_real_series.py checks."""
FORECAST = "{title: g.layout.title.text, forecast: JSON.stringify(g._fullData[1].y)}"


@pytest.fixture(scope="module", autouse=True)
def _trained(page):
    """The module's tests look at one page: sine trained for 60 epochs, its film drawn."""
    stored(LINK)
    open_with_films(page, LINK, FILM)


def test_the_trained_page_is_accessible(page):
    assert_accessible(page)


def test_first_and_last_frames_draw_different_forecasts(page):
    assert page.evaluate(EXCEPTIONS_JS) == []
    first, final = first_and_last_frames(page, FILM, FORECAST)
    assert "step 0" in first["title"] and "step 60" in final["title"]
    assert first["forecast"] != final["forecast"]


def test_play_runs_the_forecast_film(page):
    play_film(page, FILM, ": step 0")
    assert page.evaluate(EXCEPTIONS_JS) == []


def test_co2_draws_its_baselines_without_an_exception(page):
    stored(CO2)
    open_and_wait(page, f"{page.base}/{CO2}", timeout_s=300)
    assert page.evaluate(EXCEPTIONS_JS) == []
    text = page.inner_text('[data-testid="stMain"]')
    assert "Keeling" in text and "seasonal naive" in text
