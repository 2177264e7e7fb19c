"""The unroll page in real headless Chromium: the training film plays in the browser, and its first and
last frames draw different hidden states and guesses; the page passes the accessibility check, and its
Data toggle shows a figure's numbers as a table."""

import pytest

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    first_and_last_frames,
    open_with_films,
    play_film,
    stored,
)

pytestmark = BROWSER_TESTS

FILMS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1)
  .map(g => g.layout.title.text)"""
"""Titles of the figures that carry a training film."""

VALUES = "{title: g.layout.title.text, values: JSON.stringify(g._fullData[0].z || g._fullData[0].y)}"
"""What a film shows; films are found by title, and case matters: the live figure's title is lower case."""


@pytest.fixture(scope="module", autouse=True)
def _trained(page):
    """The module's tests look at one page: unroll at its defaults, both films drawn."""
    stored("unroll")
    open_with_films(page, "unroll", "Hidden states h", "Next-token guesses")


def test_the_page_has_two_films_and_is_accessible(page):
    assert_accessible(page)
    titles = page.evaluate(FILMS_JS)
    assert any("Hidden states h" in t for t in titles)
    assert any("Next-token guesses" in t for t in titles)


@pytest.mark.parametrize("title", ["Hidden states h", "Next-token guesses"])
def test_first_and_last_frames_draw_different_data(page, title):
    first, final = first_and_last_frames(page, title, VALUES)
    assert "step 0" in first["title"] and "step 150" in final["title"]
    assert first["values"] != final["values"]


def test_play_button_runs_the_film(page):
    play_film(page, "Hidden states h", "step 0,")
    assert page.evaluate(EXCEPTIONS_JS) == []


def test_the_data_toggle_shows_the_figures_numbers_as_a_table(page):
    page.locator('[data-testid="stMain"] label').filter(has_text="Data").last.click()
    # The click's rerun may not have started yet when the page first looks finished: wait for the table.
    page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
